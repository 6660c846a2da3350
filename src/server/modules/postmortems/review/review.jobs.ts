import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { REVIEW_REQUEST_TASK, type ReviewRequestPayload } from './review.requests.js';
import { REMIND_TASK, SEND_REMINDER_TASK, type PostmortemReminders, type RemindPayload, type SendReminderPayload } from './review.reminders.js';

/** Retries a reminder mail after 30 s, doubling up to 15 minutes. */
const SEND_BACKOFF = { baseMs: 30_000, capMs: 900_000 };

/**
 * Registers the due-date reminders of required postmortems and the review-request mails. All idempotent:
 * the timer decides in a transaction that also moves it, a reminder mail is keyed by its postmortem and
 * reminder instant, a review request by its postmortem, review round and reviewer.
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
  runner.register<ReviewRequestPayload>(
    REVIEW_REQUEST_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await reminders.requests.send(payload, { signal });
      logger.info({ task: job.task, postmortemId: payload.postmortemId, userId: payload.userId, outcome, attempts: job.attempts }, `postmortem review request mail ${outcome}`);
    },
    { backoff: SEND_BACKOFF },
  );
}
