import type { Config } from './platform/config.js';
import type { Clock } from './platform/clock.js';
import { SecretBox, loadSecretKey } from './platform/crypto.js';
import type { FirebreakDatabase } from './platform/db/database.js';
import { createEventBus, type EventBus } from './platform/events.js';
import { createIdGenerator, type IdGenerator } from './platform/ids.js';
import { createJobQueue, type JobQueueOptions, type JobScheduler } from './platform/jobs/job-queue.js';
import { AuditLog } from './modules/audit/audit.repo.js';
import { AuthService } from './modules/auth/auth.service.js';
import { CatalogService } from './modules/catalog/catalog.service.js';
import { ConfigService } from './modules/config/config.service.js';
import type { Channels } from './modules/notify/channels/channel.js';
import { NotifyService } from './modules/notify/notify.service.js';
import { createOncall, type Oncall } from './modules/oncall/oncall.services.js';
import { AlertService } from './modules/alerts/alert.service.js';
import { Suppression } from './modules/alerts/suppression.js';
import { AlertRouting } from './modules/alerts/routing.js';
import { EmailIntakeService } from './modules/alerts/email/email-intake.service.js';
import { HeartbeatService } from './modules/heartbeats/heartbeat.service.js';
import { ServiceCatalog } from './modules/services/service.service.js';
import { liveAlertHooks, liveIncidentChanges } from './modules/stream/live-updates.js';
import { PagingService } from './modules/paging/paging.service.js';
import { PageDelivery } from './modules/paging/page-delivery.js';
import { PagingInbound } from './modules/paging/inbound.js';
import { ProvidersService } from './modules/providers/providers.service.js';
import { IncidentService } from './modules/incidents/incident.service.js';
import { linkedAlertTimeline } from './modules/incidents/linked-alerts.js';
import { createIncidentRules, createSeverityCatalog, type IncidentRules } from './modules/incidents/rules/rules.module.js';
import { ChangeLog } from './modules/alerts/changes.js';
import { ChangeService } from './modules/changes/change.service.js';
import { IncidentResponders } from './modules/incidents/responders/responders.service.js';
import { IncidentComms } from './modules/incidents/comms/comms.service.js';
import { IncidentWorkService } from './modules/incidents/work/incident-work.service.js';
import { StatusPageService } from './modules/statuspages/statuspage.service.js';
import { StatusSubscribers } from './modules/statuspages/statuspage.module.js';
import { PlaybookService } from './modules/incidents/work/playbook.service.js';
import { PostmortemAttachments } from './modules/postmortems/postmortem.attachments.js';
import { PostmortemService } from './modules/postmortems/postmortem.service.js';
import { PostmortemTemplates } from './modules/postmortems/postmortem.templates.js';
import { createPostmortemReview, type PostmortemReviewPart } from './modules/postmortems/review/review.module.js';
import { ActionItemsService } from './modules/postmortems/action-items/action-items.service.js';
import type { Metrics } from './platform/metrics.js';

/** Every domain service, built once per process. The HTTP server and the CLI share this wiring. */
export interface Services {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  secrets: SecretBox;
  audit: AuditLog;
  catalog: CatalogService;
  auth: AuthService;
  config: ConfigService;
  /** Adds jobs in the caller's transaction; the HTTP process's runner is woken once each commits. */
  jobs: JobScheduler;
  notify: NotifyService;
  oncall: Oncall;
  /** Delivery channels, shared by every module that sends messages: live, from `providers`. */
  channels: Channels;
  /** Notification providers (SMTP, Twilio, Slack…), their health, and the channels built from them. */
  providers: ProvidersService;
  /** Services (catalog entries alerts belong to) and their integrations. */
  serviceCatalog: ServiceCatalog;
  alerts: AlertService;
  /** Maintenance windows, silences and the storm guard (ADR 0019). */
  suppression: Suppression;
  /** Routing rules, support hours and the backlog (runs inside intake; owns two jobs). */
  routing: AlertRouting;
  /** Heartbeat integrations (dead man's switch): pings, deadlines and status. */
  heartbeats: HeartbeatService;
  /** Email integrations: mail to `<key>@<domain>` becomes an event (the SMTP listener calls this). */
  emailIntake: EmailIntakeService;
  /** Live updates: alert changes, published after they commit (the SSE stream subscribes). */
  events: EventBus;
  /** The escalation engine and page delivery (ADR 0022); its hooks run in every alert change. */
  paging: PagingService;
  /** The page outbox worker: sends each page through its channel, with failover. */
  pageDelivery: PageDelivery;
  /** Answers from channels with verified callbacks (SMS replies, chat buttons, delivery reports). */
  pagingInbound: PagingInbound;
  /** Incidents: declare, roles, status, timeline (docs/incidents.md). */
  incidents: IncidentService;
  /** Configurable severities, auto-declare rules and the postmortem policy (ADR 0033). */
  incidentRules: IncidentRules;
  /** Changes from CI pipelines, recent changes on incidents and their marks (ADR 0031). */
  changes: ChangeService;
  /** Incident responders: paging people into incidents through alerts, joins (ADR 0034). */
  responders: IncidentResponders;
  /** Stakeholder updates: subscriptions, delivery, templates, cadence reminders, all clear (ADR 0032). */
  comms: IncidentComms;
  /** Playbooks: reusable checklists instantiated into declared incidents (ADR 0030). */
  playbooks: PlaybookService;
  /** Threads and the checklist (tasks) of incidents (ADR 0030). */
  incidentWork: IncidentWorkService;
  /** Status pages: pages, components, public incidents, maintenances (ADR 0036). */
  statusPages: StatusPageService;
  statusSubscribers: StatusSubscribers;
  /** Postmortem documents: templates, drafting, concurrency, revisions, search, attachments (ADR 0038). */
  postmortems: PostmortemService;
  /** Postmortem review: reviewers, transitions, agenda, public version, required postmortems and their reminders (ADR 0038). */
  postmortemReview: PostmortemReviewPart;
  /** Action items of postmortems: the cross-postmortem view, repeats, overdue reminders, the tracker webhook (ADR 0038). */
  actionItems: ActionItemsService;
}

export function createServices(deps: {
  config: Config;
  database: FirebreakDatabase;
  clock: Clock;
  secretKey?: Buffer;
  wakeJobRunner?: () => void;
  /** The process's job runner, for jobs that start as soon as their transaction commits (`JobSpec.startOnCommit`). */
  startJobOnCommit?: JobQueueOptions['startOnCommit'];
  metrics?: Metrics;
  env?: Readonly<Record<string, string | undefined>>;
}): Services {
  const { config, database, clock } = deps;
  const ids = createIdGenerator(clock);
  const secrets = new SecretBox(deps.secretKey ?? loadSecretKey(config.secretKey, config.dataDir));
  const audit = new AuditLog(ids, () => clock.now());
  const catalog = new CatalogService({ database, clock, ids, audit, fastPasswordHashing: config.fastPasswordHashing });
  const auth = new AuthService({ database, clock, ids, audit, catalog, secrets, sessionHours: config.sessionHours, fastPasswordHashing: config.fastPasswordHashing });
  const jobs = createJobQueue({ database, clock, ids, onAdded: () => deps.wakeJobRunner?.(), ...(deps.startJobOnCommit ? { startOnCommit: deps.startJobOnCommit } : {}) });
  const providers = new ProvidersService({
    database,
    clock,
    ids,
    secrets,
    audit,
    env: deps.env ?? process.env,
    adapterDeps: { allowPrivate: config.allowPrivateWebhooks ?? false, publicUrl: config.publicUrl, clock },
    environmentSmtp: config.smtpUrl ? { url: config.smtpUrl, from: config.emailFrom } : null,
  });
  const channels = providers.channels;
  const notify = new NotifyService({ database, clock, ids, audit, catalog, secrets, jobs, channels, publicUrl: config.publicUrl });
  const oncall = createOncall({ database, clock, ids, audit, publicUrl: config.publicUrl });
  catalog.addUserReferenceChecker(oncall.userReferences);
  const serviceCatalog = new ServiceCatalog({ database, clock, ids, audit, secrets, publicUrl: config.publicUrl });
  const events = createEventBus();
  const pageDelivery = new PageDelivery({ database, clock, ids, jobs, notify, catalog, channels, publicUrl: config.publicUrl, ...(deps.metrics ? { metrics: deps.metrics.paging } : {}) });
  const paging = new PagingService({ database, clock, ids, jobs, policies: oncall.policies, notify, catalog, channels, publicUrl: config.publicUrl, delivery: pageDelivery, ...(deps.metrics ? { metrics: deps.metrics.paging } : {}) });
  // Responder requests hear of their alerts' changes after paging did (the service is built below).
  const alertHooks = liveAlertHooks(events, { afterChange: async (tx, change) => { await paging.hooks.afterChange(tx, change); await responders.hooks.afterChange(tx, change); await incidentRules.rules.alertHooks.afterChange(tx, change); await linkedAlerts.afterChange(tx, change); } });
  const routing = new AlertRouting({ database, clock, ids, audit, services: serviceCatalog, jobs, allowPrivateWebhooks: config.allowPrivateWebhooks ?? false, hooks: alertHooks });
  const suppression = new Suppression({ database, clock, ids, audit, services: serviceCatalog, jobs, hooks: alertHooks });
  const configService = new ConfigService({ database, clock, catalog, notify, oncall, services: serviceCatalog, routing, suppression, providers });
  const alerts = new AlertService({ database, clock, ids, audit, services: serviceCatalog, hooks: alertHooks, routing, jobs, suppression });
  const heartbeats = new HeartbeatService({ database, clock, ids, alerts, services: serviceCatalog, jobs, publicUrl: config.publicUrl });
  serviceCatalog.addIntegrationExtension(heartbeats.extension);
  const emailIntake = new EmailIntakeService({ database, clock, alerts, services: serviceCatalog, domain: config.intakeEmailDomain, listening: config.intakeSmtpPort !== null });
  serviceCatalog.addIntegrationExtension(emailIntake.extension);
  const pagingInbound = new PagingInbound({ database, clock, ids, alerts, onUndelivered: (id) => pageDelivery.failover(id) });
  const severities = createSeverityCatalog({ database, clock, audit });
  const incidents = new IncidentService({ database, clock, ids, audit, services: serviceCatalog, severities, onChange: liveIncidentChanges(events) });
  const linkedAlerts = linkedAlertTimeline(incidents);
  const incidentRules = createIncidentRules({ database, clock, ids, audit, services: serviceCatalog, jobs, severities, incidents });
  const changes = new ChangeService({ database, clock, audit, services: serviceCatalog, incidents, log: new ChangeLog({ database, clock, ids, services: serviceCatalog }) });
  const responders = new IncidentResponders({ database, clock, ids, jobs, incidents, alerts, services: serviceCatalog, paging, publicUrl: config.publicUrl });
  incidents.addExtension(responders.extension);
  const comms = new IncidentComms({ database, clock, ids, audit, jobs, secrets, incidents, catalog, services: serviceCatalog, notify, channels, publicUrl: config.publicUrl });
  incidents.addExtension(comms.extension);
  const playbooks = new PlaybookService({ database, clock, ids, audit, services: serviceCatalog, knownSeverities: async (db) => (await incidents.currentSeverities(db)).map((s) => s.key) });
  severities.addUsers((db, key) => playbooks.severityUsersIn(db, key));
  const incidentWork = new IncidentWorkService({ database, clock, ids, audit, incidents, playbooks });
  incidents.addExtension(incidentWork.extension());
  configService.useIncidentKinds({ severities, rules: incidentRules.rules, playbooks });
  const statusPages = new StatusPageService({ database, clock, ids, audit, jobs, services: serviceCatalog, publicUrl: config.publicUrl });
  configService.useStatusPages(statusPages);
  const statusSubscribers = new StatusSubscribers({ database, clock, ids, audit, jobs, secrets, channels, pages: statusPages, publicUrl: config.publicUrl, allowPrivate: config.allowPrivateWebhooks ?? false });
  const postmortems = new PostmortemService({ database, clock, ids, audit, services: serviceCatalog, templates: new PostmortemTemplates({ database, clock, ids, audit }), attachments: new PostmortemAttachments({ database, clock, ids, audit }) });
  configService.usePostmortemKinds({ policy: incidentRules.postmortem, templates: postmortems.templates });
  const postmortemReview = createPostmortemReview({ database, clock, ids, audit, jobs, channels, incidents, policy: incidentRules.postmortem, statusPages, documents: postmortems, publicUrl: config.publicUrl });
  postmortems.onDueChanged(async (tx, row) => postmortemReview.reminders.schedule(tx, row));
  const actionItems = new ActionItemsService({ database, clock, ids, audit, jobs, secrets, channels, postmortems, publicUrl: config.publicUrl, allowPrivate: config.allowPrivateWebhooks ?? false });
  return { database, clock, ids, secrets, audit, catalog, auth, config: configService, jobs, notify, oncall, channels, providers, serviceCatalog, alerts, routing, events, heartbeats, emailIntake, suppression, paging, pageDelivery, pagingInbound, incidents, incidentRules, changes, responders, comms, playbooks, incidentWork, statusPages, statusSubscribers, postmortems, postmortemReview, actionItems };
}
