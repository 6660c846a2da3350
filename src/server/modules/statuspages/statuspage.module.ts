import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Authenticator } from '../../platform/http/app.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { StatusPageCache, statusPagePublicRoutes } from './statuspage.public.js';
import { MAINTENANCE_TASK, type MaintenancePayload, type StatusPageService } from './statuspage.service.js';

export { statusPageRoutes } from './statuspage.routes.js';
export { IncidentStatusPosts, incidentStatusPostRoutes } from './incident-posts.js';

/** How often each node re-reads page versions (changes made on other nodes show within this). */
export const STATUS_PAGE_RECHECK_MS = 500;

/** The automatic maintenance transitions (keyed jobs added by the service). */
export function registerStatusPageJobs(runner: JobRunner, pages: StatusPageService): void {
  runner.register<MaintenancePayload>(MAINTENANCE_TASK, async ({ payload }) => {
    await pages.runMaintenanceTransition(payload);
  });
}

/**
 * The public status pages as a fastify plugin, with their in-memory cache. `ratePerMinute` is the
 * status pages' own per-IP limit (their own bucket: a flood of visitors never uses up intake's).
 */
export function statusPagesPublic(deps: { pages: StatusPageService; clock: Clock; logger: Logger; authenticator: Authenticator; ratePerMinute: number }) {
  const cache = new StatusPageCache({ pages: deps.pages, clock: deps.clock, logger: deps.logger, recheckMs: STATUS_PAGE_RECHECK_MS });
  return statusPagePublicRoutes({ cache, authenticator: deps.authenticator, emailOf: async (userId) => deps.pages.emailOf(userId), ratePerMinute: deps.ratePerMinute });
}
