import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import type { AlertService } from '../alerts/alert.service.js';
import { DIGEST_TASK, type DigestPayload, type PageDelivery } from './page-delivery.js';
import { DELIVER_PAGE_TASK, type DeliverPayload } from './outbox.js';
import { ACK_TIMEOUT_TASK, ESCALATION_STEP_TASK, type AckTimeoutPayload, type PagingService, type StepPayload } from './paging.service.js';

/** Retries a failed page after 5 s, doubling up to 5 minutes: a page is worth trying hard. */
const PAGE_BACKOFF = { baseMs: 5_000, capMs: 300_000 };

/**
 * Registers the paging module's handlers. All are idempotent: a step timer and an acknowledgement
 * timeout are fenced by the escalation's generation (a stale or replayed one changes nothing), a
 * delivery by its outbox row's status.
 */
export function registerPagingJobs(runner: JobRunner, paging: PagingService, delivery: PageDelivery, alerts: AlertService, logger: Logger): void {
  runner.register<StepPayload>(ESCALATION_STEP_TASK, async ({ payload, job, completeIn }) => {
    const outcome = await paging.runStep(payload, completeIn);
    logger.info({ task: job.task, alertId: payload.alertId, generation: payload.generation, outcome }, `escalation step ${outcome}`);
  });
  runner.register<AckTimeoutPayload>(ACK_TIMEOUT_TASK, async ({ payload, job }) => {
    const outcome = await paging.runAckTimeout(payload, alerts);
    logger.info({ task: job.task, alertId: payload.alertId, generation: payload.generation, outcome }, `acknowledgement timeout ${outcome}`);
  });
  runner.register<DeliverPayload>(
    DELIVER_PAGE_TASK,
    async ({ payload, job, signal, completeIn }) => {
      const outcome = await delivery.deliver(payload, { attempts: job.attempts, maxAttempts: job.maxAttempts, signal, completeIn });
      logger.info({ task: job.task, notificationId: payload.notificationId, outcome, attempts: job.attempts }, `page ${outcome}`);
    },
    { backoff: PAGE_BACKOFF },
  );
  runner.register<DigestPayload>(
    DIGEST_TASK,
    async ({ payload, job, signal }) => {
      const outcome = await delivery.deliverDigest(payload, { attempts: job.attempts, maxAttempts: job.maxAttempts, signal });
      logger.info({ task: job.task, contactMethodId: payload.contactMethodId, outcome, attempts: job.attempts }, `page digest ${outcome}`);
    },
    { backoff: PAGE_BACKOFF },
  );
}
