import { ACCESS_MAIL_TASK, type AccessMailPayload } from '../access/visitor-access.js';
import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { CONFIRM_MAIL_TASK, FANOUT_TASK, REMINDER_TASK, SEND_TASK, type ConfirmMailPayload, type FanOutPayload, type ReminderPayload, type SendPayload, type StatusSubscribers } from './subscriber.service.js';

/** Retries a delivery after 30 s, doubling up to an hour. */
const SEND_BACKOFF = { baseMs: 30_000, capMs: 3_600_000 };

/** Registers the subscriber jobs: fan-out per event, a send per event and subscriber, sign-up mails, private pages' sign-in mails. */
export function registerStatusSubscriberJobs(runner: JobRunner, subscribers: StatusSubscribers, logger: Logger): void {
  runner.register<FanOutPayload>(FANOUT_TASK, async ({ payload }) => {
    const { queued } = await subscribers.fanOut(payload);
    logger.info({ eventId: payload.eventId, pageId: payload.event.pageId, queued }, 'status-page event fanned out to subscribers');
  });
  runner.register<SendPayload>(
    SEND_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await subscribers.send(payload, job, signal);
      logger.info({ eventId: payload.eventId, subscriberId: payload.subscriberId, attempts: job.attempts, outcome }, `status-page subscriber delivery ${outcome}`);
    },
    { backoff: SEND_BACKOFF },
  );
  runner.register<ConfirmMailPayload>(
    CONFIRM_MAIL_TASK,
    async ({ payload, signal }) => {
      const outcome = await subscribers.sendConfirmation(payload, signal);
      logger.info({ subscriberId: payload.subscriberId, outcome }, `status-page sign-up mail ${outcome}`);
    },
    { backoff: SEND_BACKOFF },
  );
  runner.register<ReminderPayload>(REMINDER_TASK, async ({ payload }) => {
    const outcome = await subscribers.remind(payload);
    logger.info({ maintenanceId: payload.maintenanceId, outcome }, `maintenance reminder ${outcome}`);
  });
  runner.register<AccessMailPayload>(
    ACCESS_MAIL_TASK,
    async ({ payload, signal }) => {
      const outcome = await subscribers.visitors.sendLink(payload, signal);
      logger.info({ pageId: payload.pageId, outcome }, `private status page sign-in mail ${outcome}`);
    },
    { backoff: SEND_BACKOFF },
  );
}
