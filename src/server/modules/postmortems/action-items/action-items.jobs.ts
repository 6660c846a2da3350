import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { OVERDUE_TASK, REMINDER_MAIL_TASK, TRACKER_TASK, type ActionItemsService, type OverduePayload, type ReminderMailPayload, type TrackerPayload } from './action-items.service.js';

/** Retries a reminder mail or a tracker call after 5 s, doubling up to 5 minutes. */
const DELIVERY_BACKOFF = { baseMs: 5_000, capMs: 300_000 };

/**
 * Registers the action-item handlers. Each is idempotent: the overdue timer by its due-date fence, a
 * reminder mail by its per-day key (and the Message-ID the mail carries), a tracker call by the item's
 * stored URL (and the `X-Firebreak-Delivery` the receiver de-duplicates on).
 */
export function registerActionItemJobs(runner: JobRunner, items: ActionItemsService, logger: Logger): void {
  runner.register<OverduePayload>(OVERDUE_TASK, async ({ payload, job }) => {
    const outcome = await items.overdue(payload);
    logger.info({ task: job.task, itemId: payload.itemId, outcome }, `action item overdue check: ${outcome}`);
  });
  runner.register<ReminderMailPayload>(
    REMINDER_MAIL_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await items.sendReminder(payload, { attempts: job.attempts, maxAttempts: job.maxAttempts, signal });
      logger.info({ task: job.task, itemId: payload.itemId, userId: payload.userId, outcome }, `action item reminder ${outcome}`);
    },
    { backoff: DELIVERY_BACKOFF },
  );
  runner.register<TrackerPayload>(
    TRACKER_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await items.createInTracker(payload, { attempts: job.attempts, maxAttempts: job.maxAttempts, signal });
      logger.info({ task: job.task, itemId: payload.itemId, outcome }, `tracker issue ${outcome}`);
    },
    { backoff: DELIVERY_BACKOFF },
  );
}
