import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { DELIVER_UPDATE_TASK, REMIND_TASK, type DeliverUpdatePayload, type IncidentComms, type ReminderPayload } from './comms.service.js';

/** Retries a failed update after 5 s, doubling up to 5 minutes, like a page. */
const UPDATE_BACKOFF = { baseMs: 5_000, capMs: 300_000 };

/**
 * Registers the stakeholder-update handlers. Both are idempotent: a delivery by its outbox row's status
 * (and the idempotency key the provider sees), a reminder by its `dueAt` fence.
 */
export function registerIncidentCommsJobs(runner: JobRunner, comms: IncidentComms, logger: Logger): void {
  runner.register<DeliverUpdatePayload>(
    DELIVER_UPDATE_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await comms.deliver(payload, { attempts: job.attempts, maxAttempts: job.maxAttempts, signal });
      logger.info({ task: job.task, deliveryId: payload.deliveryId, outcome, attempts: job.attempts }, `stakeholder update ${outcome}`);
    },
    { backoff: UPDATE_BACKOFF },
  );
  runner.register<ReminderPayload>(REMIND_TASK, async ({ payload, job }) => {
    const outcome = await comms.remind(payload);
    logger.info({ task: job.task, incidentId: payload.incidentId, outcome }, `stakeholder update reminder ${outcome}`);
  });
}
