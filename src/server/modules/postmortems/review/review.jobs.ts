import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { REMIND_TASK, SEND_REMINDER_TASK, type PostmortemReminders, type RemindPayload, type SendReminderPayload } from './review.reminders.js';

/** Retries a reminder mail after 30 s, doubling up to 15 minutes. */
const SEND_BACKOFF = { baseMs: 30_000, capMs: 900_000 };

/**
 * Registers the due-date reminders of required postmortems. Both idempotent: the timer decides in a
 * transaction that also moves it, and each mail is keyed by its postmortem and reminder instant.
 */
export function registerPostmortemReviewJobs(runner: JobRunner, reminders: PostmortemReminders, logger: Logger): void {
  runner.register<RemindPayload>(REMIND_TASK, async ({ payload, job }) => {
    const outcome = await reminders.remind(payload);
    logger.info({ task: job.task, postmortemId: payload.postmortemId, outcome }, `postmortem due reminder ${outcome}`);
  });
  runner.register<SendReminderPayload>(
    SEND_REMINDER_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await reminders.send(payload, { signal });
      logger.info({ task: job.task, postmortemId: payload.postmortemId, outcome, attempts: job.attempts }, `postmortem due reminder mail ${outcome}`);
    },
    { backoff: SEND_BACKOFF },
  );
}
