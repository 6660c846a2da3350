import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Authenticator } from '../../platform/http/app.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { AnyRoute } from '../../platform/http/route.js';
import { ClientLimit } from '../../platform/http/client-limit.js';
import type { EarlyAnswers } from '../../platform/http/early-answers.js';
import type { Metrics } from '../../platform/metrics.js';
import { StatusPageCache, statusPageEarlyAnswer, statusPagePublicRoutes } from './statuspage.public.js';
import { statusPageRoutes as pageRoutes } from './statuspage.routes.js';
import { MAINTENANCE_TASK, type MaintenancePayload, type StatusPageService } from './statuspage.service.js';
import { registerStatusSubscriberJobs } from './subscribers/subscriber.jobs.js';
import { subscriberPublicRoutes } from './subscribers/subscriber.public.js';
import { statusSubscriberRoutes } from './subscribers/subscriber.routes.js';
import type { StatusSubscribers } from './subscribers/subscriber.service.js';

export { StatusSubscribers } from './subscribers/subscriber.service.js';
export { IncidentStatusPosts, incidentStatusPostRoutes } from './incident-posts.js';

/** How often each node re-reads page versions (changes made on other nodes show within this). */
export const STATUS_PAGE_RECHECK_MS = 500;

/** The admin API of status pages and of their subscribers. */
export function statusPageRoutes(pages: StatusPageService, subscribers: StatusSubscribers): AnyRoute[] {
  return [...pageRoutes(pages), ...statusSubscriberRoutes(subscribers)];
}

/** The automatic maintenance transitions (keyed jobs added by the service), and the subscribers' deliveries. */
export function registerStatusPageJobs(runner: JobRunner, pages: StatusPageService, subscribers: StatusSubscribers, logger: Logger): void {
  runner.register<MaintenancePayload>(MAINTENANCE_TASK, async ({ payload }) => {
    await pages.runMaintenanceTransition(payload);
  });
  registerStatusSubscriberJobs(runner, subscribers, logger);
}

/**
 * The public status pages as a fastify plugin, with their in-memory cache. `ratePerMinute` is the
 * status pages' own per-IP limit (their own bucket: a flood of visitors never uses up intake's).
 */
export function statusPagesPublic(deps: {
  pages: StatusPageService;
  subscribers: StatusSubscribers;
  clock: Clock;
  logger: Logger;
  authenticator: Authenticator;
  ratePerMinute: number;
  trustProxy: boolean;
  /** Where public pages are answered from memory ahead of the router (ADR 0042), with the request metrics they report to. */
  early?: { answers: EarlyAnswers; metrics: Metrics };
}) {
  const { subscribers } = deps;
  const cache = new StatusPageCache({ pages: deps.pages, clock: deps.clock, logger: deps.logger, recheckMs: STATUS_PAGE_RECHECK_MS, subscribeForm: true });
  const limit = new ClientLimit({ max: deps.ratePerMinute, windowMs: 60_000, trustProxy: deps.trustProxy, now: () => deps.clock.now() });
  deps.early?.answers.add(statusPageEarlyAnswer({ cache, limit, metrics: deps.early.metrics }));
  return statusPagePublicRoutes({
    cache,
    authenticator: deps.authenticator,
    emailOf: async (userId) => deps.pages.emailOf(userId),
    visitors: subscribers.visitors,
    limit,
    subscriptions: (slugForHost: (host: string | undefined) => string | undefined) => subscriberPublicRoutes({ subscribers, slugForHost }),
  });
}
