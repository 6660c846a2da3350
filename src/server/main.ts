import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../contracts/errors.js';
import type { Config } from './platform/config.js';
import { systemClock, type Clock } from './platform/clock.js';
import { openDatabase, type FirebreakDatabase } from './platform/db/database.js';
import { createPgFanout, type PgFanout } from './platform/events.pg.js';
import { createHttpApp } from './platform/http/app.js';
import { EarlyAnswers } from './platform/http/early-answers.js';
import { sendError } from './platform/http/errors.js';
import type { AnyRoute } from './platform/http/route.js';
import { createJobRunner, type JobRunner } from './platform/jobs/job-runner.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { alertRoutes } from './modules/alerts/alert.routes.js';
import { incidentRoutes } from './modules/incidents/incident.routes.js';
import { registerResponderJobs, responderRoutes } from './modules/incidents/responders/responders.routes.js';
import { incidentCommsRoutes } from './modules/incidents/comms/comms.routes.js';
import { incidentWorkRoutes } from './modules/incidents/work/work.routes.js';
import { registerIncidentCommsJobs } from './modules/incidents/comms/comms.jobs.js';
import { maintenanceRoutes } from './modules/alerts/maintenance.routes.js';
import { silenceRoutes } from './modules/alerts/silences.routes.js';
import { SNOOZE_TASK, type SnoozePayload } from './modules/alerts/alert.service.js';
import { intakeRoutes } from './modules/alerts/intake.routes.js';
import { registerRoutingJobs } from './modules/alerts/routing.jobs.js';
import { registerSuppressionJobs } from './modules/alerts/suppression.js';
import { routingRoutes } from './modules/alerts/routing.routes.js';
import { changeRoutes } from './modules/alerts/change.routes.js';
import { ChangeLog } from './modules/alerts/changes.js';
import { changeApiRoutes } from './modules/changes/change.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { catalogRoutes } from './modules/catalog/catalog.routes.js';
import { configRoutes } from './modules/config/config.routes.js';
import { registerNotifyJobs } from './modules/notify/notify.jobs.js';
import { registerPagingJobs } from './modules/paging/paging.jobs.js';
import { incidentRulesRoutes } from './modules/incidents/rules/rules.routes.js';
import { registerIncidentRuleJobs } from './modules/incidents/rules/rules.module.js';
import { createEscalationAuditor, registerEscalationAuditor, scheduleEscalationAudit } from './modules/paging/auditor.js';
import { pagingRoutes } from './modules/paging/paging.routes.js';
import { registerTestPageJobs, TestPages } from './modules/paging/test-page.js';
import { PolicyDrills } from './modules/paging/drill.js';
import { createOutboundHeartbeat, OUTBOUND_HEARTBEAT_TASK, registerOutboundHeartbeat, scheduleOutboundHeartbeat } from './modules/paging/outbound-heartbeat.js';
import { PageActionLinks } from './modules/paging/action-links.js';
import { pageActionRoutes } from './modules/paging/action-links.routes.js';
import { providerCallbacks } from './modules/providers/callbacks.js';
import { providerRoutes } from './modules/providers/providers.routes.js';
import { webPushRoutes } from './modules/providers/webpush/webpush.routes.js';
import { notificationHistoryRoutes } from './modules/paging/notification-history.js';
import { notifyRoutes } from './modules/notify/notify.routes.js';
import { createHandoffNotifications, registerHandoffJobs, scheduleHandoffScan } from './modules/oncall/handoff-notifications.js';
import { oncallRoutes } from './modules/oncall/oncall.routes.js';
import { serviceRoutes } from './modules/services/service.routes.js';
import { LiveUpdates } from './modules/stream/live-updates.js';
import { streamRoutes } from './modules/stream/stream.routes.js';
import { systemRoutes } from './modules/system/system.routes.js';
import { startEmailListener, type EmailListener } from './modules/alerts/email/email-listener.js';
import { heartbeatRoutes } from './modules/heartbeats/heartbeat.routes.js';
import { registerHeartbeatJobs } from './modules/heartbeats/heartbeat.job.js';
import { IncidentStatusPosts, incidentStatusPostRoutes, registerStatusPageJobs, statusPageRoutes, statusPagesPublic } from './modules/statuspages/statuspage.module.js';
import { postmortemRoutes } from './modules/postmortems/postmortem.routes.js';
import { registerAttachmentBodyParser } from './modules/postmortems/postmortem.attachments.js';
import { postmortemReviewRoutes, publicPostmortemRoutes, registerPostmortemReviewJobs } from './modules/postmortems/review/review.module.js';
import { actionItemRoutes } from './modules/postmortems/action-items/action-items.routes.js';
import { registerActionItemJobs } from './modules/postmortems/action-items/action-items.jobs.js';
import { createServices, type Services } from './services.js';

export interface FirebreakOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Where the built web UI is; null to serve none. Defaults to the build next to this file. */
  webRoot?: string | null;
  database?: FirebreakDatabase;
  /** The instance key for secrets at rest; by default from FIREBREAK_SECRET_KEY or the data directory. */
  secretKey?: Buffer;
  /** Where provider secrets given as `{fromEnv}` are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface StartResult {
  url: string;
  /** Set on an empty database: the one-time first-run setup token. */
  setupToken: string | null;
  setupUrl: string | null;
  /** The email intake SMTP port, when FIREBREAK_INTAKE_SMTP_PORT enables it (the free port chosen for 0). */
  intakeSmtpPort?: number | null;
}

export interface Firebreak {
  app: FastifyInstance;
  services: Services;
  runner: JobRunner;
  metrics: Metrics;
  logger: Logger;
  /** Migrates, starts the job runner and listens. */
  start(): Promise<StartResult>;
  /** Stops accepting requests, lets in-flight requests and jobs finish, closes the database. */
  stop(): Promise<void>;
}

const HTML_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/** How often each node re-reads notification providers changed elsewhere. */
const PROVIDER_RELOAD_MS = 30_000;
const API_PREFIXES = ['/api/', '/v2/', '/integrations/', '/calendar/', '/a/', '/healthz', '/readyz', '/metrics'];

export function defaultWebRoot(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  // Both dist/server/main.js and src/server/main.ts (tests, tsx) resolve this to dist/web. Never
  // `src/web`: it holds the Vite sources, whose index.html points at unbuilt .tsx files.
  const candidate = join(here, '..', '..', 'dist', 'web');
  if (existsSync(join(candidate, 'index.html')) && existsSync(join(candidate, 'assets'))) return candidate;
  return null;
}

/** The composition root: builds every part of one Firebreak process from its configuration. */
export async function createFirebreak(options: FirebreakOptions): Promise<Firebreak> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = options.database ?? openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
  const metrics = createMetrics();
  const services = createServices({ config, database, clock, metrics, wakeJobRunner: () => runner.wake(), startJobOnCommit: (tx, spec) => runner.startOnCommit(tx, spec), ...(options.secretKey ? { secretKey: options.secretKey } : {}), ...(options.env ? { env: options.env } : {}) });
  const runner = createJobRunner({
    database,
    clock,
    logger: logger.child({ component: 'jobs' }),
    metrics,
    ids: services.ids,
    concurrency: config.jobConcurrency,
    pollIntervalMs: config.jobPollMs,
  });
  registerNotifyJobs(runner, services.notify, logger.child({ component: 'notify' }));
  const handoffLogger = logger.child({ component: 'handoffs' });
  const handoffs = createHandoffNotifications({
    database,
    clock,
    jobs: runner,
    schedules: services.oncall.schedules,
    channels: services.channels,
    publicUrl: config.publicUrl,
    logger: handoffLogger,
  });
  registerHandoffJobs(runner, handoffs, handoffLogger);
  registerRoutingJobs(runner, services.routing, logger.child({ component: 'routing' }));
  registerSuppressionJobs(runner, services.suppression, logger.child({ component: 'suppression' }));
  runner.register<SnoozePayload>(SNOOZE_TASK, async ({ payload }) => {
    await services.alerts.endSnooze(payload);
  });
  registerHeartbeatJobs(runner, services.heartbeats);
  registerPagingJobs(runner, services.paging, services.pageDelivery, services.alerts, logger.child({ component: 'paging' }));
  registerIncidentRuleJobs(runner, services.incidentRules.rules, logger.child({ component: 'incident-rules' }));
  registerResponderJobs(runner, services.responders, logger.child({ component: 'responders' }));
  registerIncidentCommsJobs(runner, services.comms, logger.child({ component: 'incident-comms' }));
  registerStatusPageJobs(runner, services.statusPages, services.statusSubscribers, logger.child({ component: 'status-subscribers' }));
  registerPostmortemReviewJobs(runner, services.postmortemReview.reminders, logger.child({ component: 'postmortems' }));
  registerActionItemJobs(runner, services.actionItems, logger.child({ component: 'action-items' }));
  const testPages = new TestPages({ database, clock, ids: services.ids, jobs: runner, alerts: services.alerts, services: services.serviceCatalog, catalog: services.catalog, paging: services.paging });
  registerTestPageJobs(runner, testPages, logger.child({ component: 'paging' }));
  const drills = new PolicyDrills({ database, clock, ids: services.ids, jobs: runner, alerts: services.alerts, services: services.serviceCatalog });
  // FIREBREAK_HEARTBEAT_URL: a dead man's switch at an outside monitor. Unset: a beat left from an
  // earlier configuration finds this no-op handler and is not added again.
  const outboundHeartbeat = config.heartbeatUrl
    ? createOutboundHeartbeat({ url: config.heartbeatUrl, intervalSeconds: config.heartbeatIntervalSeconds ?? 60, allowPrivate: config.allowPrivateWebhooks ?? false, clock, jobs: runner, target: database.db, logger: logger.child({ component: 'outbound-heartbeat' }), registry: metrics.registry })
    : null;
  if (outboundHeartbeat) registerOutboundHeartbeat(runner, outboundHeartbeat);
  else runner.register(OUTBOUND_HEARTBEAT_TASK, async () => {});
  const auditLogger = logger.child({ component: 'escalation-auditor' });
  registerEscalationAuditor(runner, createEscalationAuditor({ database, clock, jobs: runner, paging: services.paging, metrics: metrics.paging, logger: auditLogger }), auditLogger);
  metrics.paging.countActiveEscalations(() => services.paging.countActive());
  let emailListener: EmailListener | null = null;
  let providerReload: NodeJS.Timeout | null = null;

  // Live updates (SSE); with several nodes on PostgreSQL, LISTEN/NOTIFY carries events between them.
  const live = new LiveUpdates({ bus: services.events, database, clock, logger: logger.child({ component: 'live' }) });
  const fanout: PgFanout | null =
    database.capabilities.multiNode && config.databaseUrl ? createPgFanout({ url: config.databaseUrl, bus: services.events, logger: logger.child({ component: 'live' }) }) : null;

  const routes: AnyRoute[] = [];
  routes.push(
    ...systemRoutes({
      database,
      metrics,
      runner,
      now: () => clock.now(),
      runnerStaleMs: Math.max(30_000, config.jobPollMs * 5),
      publicUrl: config.publicUrl,
      routes: () => routes,
      deliveryProblems: () => services.providers.problems(),
    }),
    ...authRoutes(services.auth, { secureCookies: config.publicUrl.startsWith('https://') }),
    ...catalogRoutes(services.catalog),
    ...configRoutes(services.config),
    ...notifyRoutes(services.notify),
    ...oncallRoutes(services.oncall),
    ...serviceRoutes(services.serviceCatalog),
    ...alertRoutes(services.alerts),
    ...incidentRoutes(services.incidents),
    ...incidentRulesRoutes(services.incidentRules),
    ...incidentWorkRoutes(services.incidentWork, services.playbooks),
    ...changeApiRoutes(services.changes),
    ...responderRoutes(services.responders),
    ...incidentCommsRoutes(services.comms),
    ...pagingRoutes(services.paging, testPages, drills),
    ...providerRoutes(services.providers),
    ...webPushRoutes(services.providers),
    ...notificationHistoryRoutes(database),
    ...maintenanceRoutes(services.suppression),
    ...silenceRoutes(services.suppression),
    ...routingRoutes(services.routing),
    ...changeRoutes(new ChangeLog({ database, clock, ids: services.ids, services: services.serviceCatalog })),
    ...streamRoutes(live),
    ...auditRoutes({ database, audit: services.audit }),
    ...statusPageRoutes(services.statusPages, services.statusSubscribers),
    ...incidentStatusPostRoutes(new IncidentStatusPosts({ database: services.database, pages: services.statusPages, incidents: services.incidents })),
    ...postmortemRoutes(services.postmortems),
    ...postmortemReviewRoutes(services.postmortemReview.review),
    ...actionItemRoutes(services.actionItems),
  );

  const webRoot = options.webRoot === undefined ? defaultWebRoot() : options.webRoot;
  // The single-page app answers every other GET that is not an API path, so deep links work.
  const spaFallback = (root: string) => (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if ((request.method === 'GET' || request.method === 'HEAD') && !API_PREFIXES.some((p) => path.startsWith(p))) {
      return reply.header('content-security-policy', HTML_CSP).header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', root);
    }
    return sendError(new AppError('ROUTE_NOT_FOUND', `No route ${request.method} ${path}`), request, reply);
  };
  const earlyAnswers = new EarlyAnswers();
  const app = await createHttpApp({ config, logger, ids: services.ids, metrics, authenticator: services.auth, routes, earlyAnswers, ...(webRoot ? { notFound: spaFallback(webRoot) } : {}) });
  // Postmortem attachments arrive as raw image bytes (up to 5 MB), not JSON.
  registerAttachmentBodyParser(app);
  await app.register(fastifyStatic, { root: swaggerUiRoot(), prefix: '/api/docs/assets/', decorateReply: false });
  // Inbound integrations keep their senders' wire formats and error shapes, so they are not API routes.
  // Events API v2 posts are answered ahead of the router (ADR 0045).
  await app.register(intakeRoutes({ alerts: services.alerts, services: services.serviceCatalog, database, clock, ids: services.ids, ratePerMinute: config.intakeRateLimitPerMinute, early: { answers: earlyAnswers, metrics, logger: logger.child({ component: 'intake' }) } }));
  await app.register(heartbeatRoutes({ heartbeats: services.heartbeats, clock }));
  // Acknowledge and resolve links from page emails: public HTML pages, not API routes (ADR 0023).
  // Provider callbacks (SMS replies, chat buttons, delivery reports), each verified by its provider's signature.
  await app.register(providerCallbacks({ providers: services.providers, inbound: services.pagingInbound, clock, logger: logger.child({ component: 'providers' }), publicUrl: config.publicUrl, ratePerMinute: config.publicRateLimitPerMinute, allowPrivate: config.allowPrivateWebhooks ?? false }));
  await app.register(pageActionRoutes({ links: new PageActionLinks({ database, clock, alerts: services.alerts }), ratePerMinute: config.publicRateLimitPerMinute }));
  // Public status pages (ADR 0036): cached bytes, their own rate-limit bucket (10× the public limit: visitors share NAT and CDN addresses),
  // public pages answered from memory ahead of the router (ADR 0042).
  await app.register(
    statusPagesPublic({
      pages: services.statusPages,
      subscribers: services.statusSubscribers,
      clock,
      logger: logger.child({ component: 'status-pages' }),
      authenticator: services.auth,
      ratePerMinute: config.statusPageRateLimitPerMinute,
      trustProxy: config.trustProxy,
      early: { answers: earlyAnswers, metrics },
    }),
  );
  // Public versions of postmortems, linked from status-page incidents: HTML without script, the status pages' rate-limit bucket.
  await app.register(publicPostmortemRoutes({ database, authenticator: services.auth, ratePerMinute: config.statusPageRateLimitPerMinute }));

  if (webRoot) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: false, maxAge: '1h', immutable: false });
  } else {
    logger.warn('The web UI is not built (run `npm run build:web`); serving the API only');
  }

  return {
    app,
    services,
    runner,
    metrics,
    logger,
    async start() {
      const applied = await database.migrate();
      if (applied.length) logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);
      const setupToken = await services.auth.issueSetupToken();
      await services.providers.reload();
      // The quick copy of the severities (update cadences) is right from the first request.
      await services.incidentRules.severities.refresh();
      // Other nodes (and config applies) change providers too: pick their changes up.
      providerReload = setInterval(() => void services.providers.reload().catch((error: Error) => logger.warn({ err: error }, 'reloading notification providers failed')), PROVIDER_RELOAD_MS);
      providerReload.unref();
      // Due now rather than one interval after each restart, so restarting often never delays it.
      await scheduleHandoffScan(runner, database.db, clock.now());
      await scheduleEscalationAudit(runner, database.db, clock.now());
      if (outboundHeartbeat) await scheduleOutboundHeartbeat(runner, database.db, clock.now());
      runner.start();
      await fanout?.start();
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = config.port === 0 ? `http://${shownHost}:${port}` : config.publicUrl;
      if (config.intakeSmtpPort !== null) {
        emailListener = await startEmailListener({ intake: services.emailIntake, port: config.intakeSmtpPort, host: config.intakeSmtpHost, logger: logger.child({ component: 'email-intake' }), closeTimeoutMs: Math.max(100, config.shutdownTimeoutMs - 1000) });
      }
      return { url, setupToken, setupUrl: setupToken ? `${url}/setup?token=${setupToken}` : null, intakeSmtpPort: emailListener?.port ?? null };
    },
    async stop() {
      // HTTP and jobs drain side by side, leaving a second of the shutdown budget to close the database.
      const budget = Math.max(100, config.shutdownTimeoutMs - 1000);
      // Event streams never end by themselves: end them first, or closing the server would wait for them.
      live.close();
      if (providerReload) clearInterval(providerReload);
      await Promise.all([app.close(), runner.stop({ timeoutMs: budget }), fanout?.stop(), emailListener?.close()]);
      await database.close();
    },
  };
}

function swaggerUiRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}
