import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import { SEND_TEST_TASK, SEND_VERIFICATION_TASK, type NotifyService, type SendTestPayload, type SendVerificationPayload } from './notify.service.js';

/** Retries a failed delivery after 5 s, doubling up to 2 minutes: a verification code only lives 15. */
const DELIVERY_BACKOFF = { baseMs: 5_000, capMs: 120_000 };

/**
 * Registers the notify module's job handlers on this process's runner. Both are idempotent: a
 * repeated run sends the same message again, which the person can ignore.
 */
export function registerNotifyJobs(runner: JobRunner, notify: NotifyService, logger: Logger): void {
  runner.register<SendVerificationPayload>(
    SEND_VERIFICATION_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await notify.deliverVerification(payload, { lastAttempt: job.attempts >= job.maxAttempts, signal });
      // Never log the payload: it carries the (sealed) code.
      logger.info({ task: job.task, contactMethodId: payload.contactMethodId, outcome, attempts: job.attempts }, `verification message ${outcome}`);
    },
    { backoff: DELIVERY_BACKOFF },
  );
  runner.register<SendTestPayload>(
    SEND_TEST_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await notify.deliverTest(payload, { lastAttempt: job.attempts >= job.maxAttempts, signal });
      logger.info({ task: job.task, contactMethodId: payload.contactMethodId, outcome, attempts: job.attempts }, `test notification ${outcome}`);
    },
    { backoff: DELIVERY_BACKOFF },
  );
}
