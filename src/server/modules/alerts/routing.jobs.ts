import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import { BACKLOG_WEBHOOK_TASK, RAISE_URGENCY_TASK, type AlertRouting } from './routing.js';

/**
 * Registers routing's two durable jobs. Both are idempotent: raising finds nothing left to raise on a
 * repeat; the backlog webhook carries the alert id as `Idempotency-Key` for the receiver.
 */
export function registerRoutingJobs(runner: JobRunner, routing: AlertRouting, logger: Logger): void {
  runner.register<{ serviceId: string }>(RAISE_URGENCY_TASK, async (ctx) => {
    const raised = await routing.raiseAtSupportStart(ctx);
    if (raised > 0) logger.info({ serviceId: ctx.payload.serviceId, raised }, 'support hours began: low-urgency alerts raised to high');
  });
  runner.register<{ alertId: string }>(
    BACKLOG_WEBHOOK_TASK,
    async (ctx) => {
      const outcome = await routing.sendToBacklogWebhook(ctx);
      logger.info({ alertId: ctx.payload.alertId, outcome, attempts: ctx.job.attempts }, `backlog webhook ${outcome}`);
    },
    // A ticket system that is down for a while still gets the alert: 30 s doubling up to an hour.
    { backoff: { baseMs: 30_000, capMs: 3_600_000 } },
  );
}
