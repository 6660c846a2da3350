import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import type { Alert } from '../../../contracts/alerts.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type { putRulesSchema, rulesPreviewInputSchema, rulesPreviewSchema, ServiceRouting, supportSettingsSchema } from '../../../contracts/routing.js';
import { moreUrgent, type AlertEvent, type AlertState, type Decision, type Severity, type TimelineEntry, type Urgency, type UrgencyRules } from '../../../core/alerts/alert.js';
import { compileRules, evaluateRules, routeTargets, type CompiledRules, type RoutingRule, type RuleOutcome, type RuleSubject } from '../../../core/alerts/rules.js';
import { decideDelivery, isWithinSupportHours, nextSupportWindowStart, type DeliverAt, type SupportHours } from '../../../core/alerts/support-hours.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, ServiceRoutingTable } from '../../platform/db/schema.js';
import { OutboundRefused, postJson } from '../../platform/http/outbound.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { JobContext } from '../../platform/jobs/job-runner.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { assertCanManageService, urgencyOf, type ServiceCatalog, type ServiceRow } from '../services/service.service.js';
import { alertRepo, storedPayload, toView, type AlertRow } from './alert.repo.js';
import type { AlertHooks, Ingest } from './alert.service.js';
import { readAlertmanager } from './formats/alertmanager.js';
import { readEventsV2 } from './formats/events-v2.js';
import { readGrafana } from './formats/grafana.js';
import { readMapped } from './formats/mapping.js';
import { readOpsgenieCreate } from './formats/opsgenie.js';
import { readVictorOps } from './formats/victorops.js';
import { readWebhook } from './formats/webhook.js';

/**
 * Routing (docs/alerts.md, "Routing rules and urgency"; ADR 0018): a service's rules, run on every
 * event before deduplication, and its urgency by time of day (support hours, the backlog). Intake calls
 * `route` first and `deliver` once the alert decision is known, inside the event's transaction; the
 * two durable jobs here raise low urgency when support hours begin and post backlog alerts to a
 * ticket system.
 */

export const RAISE_URGENCY_TASK = 'raise-urgency-at-support-start';
export const BACKLOG_WEBHOOK_TASK = 'backlog-webhook';

type RoutingRow = Selectable<ServiceRoutingTable>;

/** A service's routing settings, rules compiled. */
export interface RoutingSettings {
  rules: RoutingRule[];
  compiled: CompiledRules;
  supportHours: SupportHours | null;
  raiseAtSupportStart: boolean;
  backlogWebhookUrl: string | null;
  updatedAt: number | null;
}

const emptyOutcome = (): RuleOutcome => ({ matched: [], severity: null, urgency: null, routeTo: null, suppressedBy: null, droppedBy: null });

/** What `route` decided: the event as the alert step sees it, or that it was dropped. */
export type Routed =
  | { dropped: true }
  | {
      dropped: false;
      /** The event, on the service it now belongs to, severity set by the rules. */
      ingest: Ingest;
      /** The urgency rules to apply: the (target) service's, or the urgency a rule set. */
      urgency: UrgencyRules;
      outcome: RuleOutcome;
      /** The service that received the event, when a rule routed it elsewhere. */
      routedFrom: ServiceRow | null;
      /** The settings of the service the alert belongs to (support hours, backlog webhook). */
      settings: RoutingSettings;
      /** Notes for a new alert's timeline (which rules did what). */
      notes: TimelineEntry[];
    };

/** What a rule reads of an event. */
export function subjectOf(event: AlertEvent, integrationType: string | null): RuleSubject {
  if (event.action !== 'trigger' && event.action !== 'group') {
    return { title: null, description: null, source: null, severity: null, dedupKey: event.dedupKey, integrationType, labels: {} };
  }
  return {
    title: event.title,
    description: event.description,
    source: event.source,
    severity: event.severity,
    dedupKey: event.dedupKey,
    integrationType,
    labels: event.labels,
    ...(event.action === 'group' ? { members: event.members } : {}),
  };
}

const constantUrgency = (u: Urgency): UrgencyRules => ({ critical: u, error: u, warning: u, info: u });

export class AlertRouting {
  /** Compiled rules per service, reused while the stored row is unchanged (regexes compile once). */
  private readonly cache = new Map<string, { updatedAt: number; rulesJson: string; settings: RoutingSettings }>();

  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      services: ServiceCatalog;
      jobs: JobScheduler;
      /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: the backlog webhook may post to private addresses. */
      allowPrivateWebhooks: boolean;
      hooks?: AlertHooks;
    },
  ) {}

  // ---- settings

  /** A service's settings; defaults (no rules, no support hours) when it has none stored. */
  async settings(db: Kysely<Database>, serviceId: string): Promise<RoutingSettings> {
    return this.settingsOf(await db.selectFrom('service_routing').selectAll().where('service_id', '=', serviceId).executeTakeFirst(), serviceId);
  }

  /** {@link AlertRouting.settings} in `tx` with a query built once: intake reads them for every event's service. */
  private async settingsIn(tx: Tx, serviceId: string): Promise<RoutingSettings> {
    const query = this.deps.database.precompiled('service_routing.byService', (q, p) => q.selectFrom('service_routing').selectAll().where('service_id', '=', p('service')));
    return this.settingsOf((await this.deps.database.run<RoutingRow>(query, { service: serviceId }, tx)).rows[0], serviceId);
  }

  private settingsOf(row: RoutingRow | undefined, serviceId: string): RoutingSettings {
    if (!row) return { rules: [], compiled: { rules: [] }, supportHours: null, raiseAtSupportStart: false, backlogWebhookUrl: null, updatedAt: null };
    const cached = this.cache.get(serviceId);
    if (cached && cached.updatedAt === row.updated_at && cached.rulesJson === row.rules_json) return { ...cached.settings, ...this.support(row) };
    const rules = JSON.parse(row.rules_json) as RoutingRule[];
    const compiled = compileRules(rules);
    // Stored rules were checked when saved; a rule list that no longer compiles (a future, stricter
    // engine) routes nothing rather than failing intake.
    const settings: RoutingSettings = { rules, compiled: compiled.ok ? compiled.compiled : { rules: [] }, ...this.support(row) };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(serviceId, { updatedAt: row.updated_at, rulesJson: row.rules_json, settings });
    return settings;
  }

  private support(row: RoutingRow): Omit<RoutingSettings, 'rules' | 'compiled'> {
    return {
      supportHours: row.support_hours_json === null ? null : (JSON.parse(row.support_hours_json) as SupportHours),
      raiseAtSupportStart: row.raise_at_support_start === 1,
      backlogWebhookUrl: row.backlog_webhook_url,
      updatedAt: row.updated_at,
    };
  }

  private view(service: ServiceRow, s: RoutingSettings): ServiceRouting {
    const now = this.deps.clock.now();
    const next = s.supportHours ? nextSupportWindowStart(s.supportHours, now) : null;
    return {
      serviceId: service.id,
      rules: s.rules.map((r) => ({ name: r.name, conditions: r.conditions, actions: r.actions, continue: r.continue ?? false })),
      supportHours: s.supportHours,
      raiseAtSupportStart: s.raiseAtSupportStart,
      backlogWebhookUrl: s.backlogWebhookUrl,
      nextSupportWindowAt: next === null ? null : new Date(next).toISOString(),
      withinSupportHours: s.supportHours ? isWithinSupportHours(s.supportHours, now) : null,
      updatedAt: s.updatedAt === null ? null : new Date(s.updatedAt).toISOString(),
    };
  }

  async get(ref: string): Promise<ServiceRouting> {
    const db = this.deps.database.db;
    const service = await this.deps.services.require(db, ref);
    return this.view(service, await this.settings(db, service.id));
  }

  /** Replaces a service's rules. Route targets must be other existing services. */
  async putRules(acting: Acting, ref: string, input: z.output<typeof putRulesSchema>): Promise<ServiceRouting> {
    return this.deps.database.transaction((tx) => this.putRulesIn(tx, acting, ref, input));
  }

  /** `putRules` inside an open transaction (config apply). */
  async putRulesIn(tx: Tx, acting: Acting, ref: string, input: z.output<typeof putRulesSchema>): Promise<ServiceRouting> {
    const db = tx.db;
    const service = await this.deps.services.require(db, ref);
    assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
    const issues: FieldIssue[] = [];
    for (const [i, rule] of input.rules.entries()) {
      const target = rule.actions.routeTo;
      if (target === undefined) continue;
      if (target === service.handle) issues.push({ path: `body.rules.${i}.actions.routeTo`, message: 'cannot route a service to itself' });
      else if (!(await this.deps.services.find(db, target))) issues.push({ path: `body.rules.${i}.actions.routeTo`, message: `service \`${target}\` does not exist` });
    }
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid request. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
    const before = this.view(service, await this.settings(db, service.id));
    await this.upsert(db, service.id, { rules_json: JSON.stringify(input.rules) });
    const after = this.view(service, await this.settings(db, service.id));
    await this.deps.audit.record(db, acting.actor, { action: 'service.rules.update', targetType: 'service', targetId: service.id, before: { rules: before.rules }, after: { rules: after.rules } });
    return after;
  }

  /** Replaces a service's support hours, raise-at-start option and backlog webhook. */
  async putSupport(acting: Acting, ref: string, input: z.output<typeof supportSettingsSchema>): Promise<ServiceRouting> {
    return this.deps.database.transaction((tx) => this.putSupportIn(tx, acting, ref, input));
  }

  /** `putSupport` inside an open transaction (config apply). */
  async putSupportIn(tx: Tx, acting: Acting, ref: string, input: z.output<typeof supportSettingsSchema>): Promise<ServiceRouting> {
    const db = tx.db;
    const service = await this.deps.services.require(db, ref);
    assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
    if (input.raiseAtSupportStart && !input.supportHours) {
      throw new AppError('VALIDATION_FAILED', 'Invalid request. body.raiseAtSupportStart: needs support hours', { issues: [{ path: 'body.raiseAtSupportStart', message: 'needs support hours' }] });
    }
    const before = this.view(service, await this.settings(db, service.id));
    await this.upsert(db, service.id, {
      support_hours_json: input.supportHours ? JSON.stringify(input.supportHours) : null,
      raise_at_support_start: input.raiseAtSupportStart ? 1 : 0,
      backlog_webhook_url: input.backlogWebhookUrl,
    });
    const settings = await this.settings(db, service.id);
    const after = this.view(service, settings);
    await this.deps.audit.record(db, acting.actor, {
      action: 'service.support_hours.update',
      targetType: 'service',
      targetId: service.id,
      before: { supportHours: before.supportHours, raiseAtSupportStart: before.raiseAtSupportStart, backlogWebhookUrl: before.backlogWebhookUrl },
      after: { supportHours: after.supportHours, raiseAtSupportStart: after.raiseAtSupportStart, backlogWebhookUrl: after.backlogWebhookUrl },
    });
    // Low-urgency alerts already waiting are raised at the (new) next window start.
    await this.scheduleRaise(tx, service.id, settings, this.deps.clock.now());
    return after;
  }

  private async upsert(db: Kysely<Database>, serviceId: string, values: Partial<Omit<RoutingRow, 'service_id'>>): Promise<void> {
    // Strictly increasing, so the compiled-rules cache never mistakes a new version for the old one.
    const existing = await db.selectFrom('service_routing').select('updated_at').where('service_id', '=', serviceId).executeTakeFirst();
    const updatedAt = Math.max(this.deps.clock.now(), (existing?.updated_at ?? 0) + 1);
    if (existing) await db.updateTable('service_routing').set({ ...values, updated_at: updatedAt }).where('service_id', '=', serviceId).execute();
    else await db.insertInto('service_routing').values({ service_id: serviceId, rules_json: '[]', support_hours_json: null, raise_at_support_start: 0, backlog_webhook_url: null, ...values, updated_at: updatedAt }).execute();
  }

  // ---- intake

  /**
   * Runs the receiving service's rules on one event, first thing in its transaction. A dropped event
   * is written to the event log here (outcome `dropped`) and goes no further. A routed event belongs
   * to the target service from here on: the target's urgency and support hours apply, its rules do
   * not run (one reroute at most, so rules can never loop). Acknowledge and resolve events carry no
   * content: when the receiving service has no open alert with their key, they follow it to the
   * services its rules route to.
   */
  async route(tx: Tx, input: Ingest, now: number): Promise<Routed> {
    const db = tx.db;
    // Once per transaction: intake's group commit routes a whole batch of events in one.
    const settingsOf = (serviceId: string) => tx.memo(`routing:${serviceId}`, () => this.settingsIn(tx, serviceId));
    const settings = await settingsOf(input.service.id);
    const event = input.event;
    const outcome = settings.compiled.rules.length > 0 ? evaluateRules(settings.compiled, subjectOf(event, input.integration?.type ?? input.format)) : emptyOutcome();
    if (outcome.droppedBy) {
      await db
        .insertInto('alert_events')
        .values({ id: this.deps.ids(), alert_id: null, integration_id: input.integration?.id ?? null, service_id: input.service.id, received_at: now, format: input.format, action: event.action, dedup_key: event.dedupKey, payload_json: storedPayload(input.raw), outcome: 'dropped' })
        .execute();
      return { dropped: true };
    }
    let service = input.service;
    let routedFrom: ServiceRow | null = null;
    const notes: TimelineEntry[] = [];
    const by = (rule: string | undefined) => (rule ? ` by rule \`${rule}\`` : '');
    if (outcome.routeTo) {
      const target = await this.deps.services.find(db, outcome.routeTo);
      if (target && target.id !== service.id) {
        routedFrom = service;
        service = target;
        notes.push({ kind: 'event', action: 'route', actor: null, summary: `Routed from service \`${input.service.handle}\`${by(outcome.matched.at(-1))}`, data: { from: input.service.handle, rules: outcome.matched } });
      } else if (!target) {
        notes.push({ kind: 'event', action: 'route', actor: null, summary: `Not routed: service \`${outcome.routeTo}\` no longer exists; kept on \`${service.handle}\``, data: { rules: outcome.matched } });
      }
    } else if ((event.action === 'acknowledge' || event.action === 'resolve') && settings.rules.length > 0) {
      const followed = await this.follow(db, input.service, event.dedupKey, settings.rules);
      if (followed) {
        service = followed;
        routedFrom = input.service;
      }
    }
    const routedSettings = routedFrom ? await settingsOf(service.id) : settings;
    let routedEvent = event;
    if (outcome.severity && event.action === 'trigger') routedEvent = { ...event, severity: outcome.severity };
    if (outcome.severity) notes.push({ kind: 'event', action: 'route', actor: null, summary: `Severity set to ${outcome.severity}${by(outcome.matched.at(-1))}`, data: { rules: outcome.matched } });
    if (outcome.urgency) notes.push({ kind: 'event', action: 'route', actor: null, summary: `Urgency set to ${outcome.urgency}${by(outcome.matched.at(-1))}`, data: { rules: outcome.matched } });
    if (outcome.suppressedBy) notes.push({ kind: 'event', action: 'suppress', actor: null, summary: `Suppressed by routing rule \`${outcome.suppressedBy}\`: nobody is notified`, data: { rule: outcome.suppressedBy } });
    return {
      dropped: false,
      ingest: { ...input, service, event: routedEvent },
      urgency: outcome.urgency ? constantUrgency(outcome.urgency) : urgencyOf(service),
      outcome,
      routedFrom,
      settings: routedSettings,
      notes,
    };
  }

  /** The route target holding an open alert with this key, when the receiving service has none. */
  private async follow(db: Kysely<Database>, service: ServiceRow, dedupKey: string, rules: RoutingRule[]): Promise<ServiceRow | null> {
    if (await alertRepo.findOpen(db, service.id, dedupKey)) return null;
    for (const handle of routeTargets(rules)) {
      const target = await this.deps.services.find(db, handle);
      if (target && (await alertRepo.findOpen(db, target.id, dedupKey))) return target;
    }
    return null;
  }

  /**
   * The delivery decision, applied to the alert decision before it is stored: rule-set severity on
   * groups (whose severity otherwise comes from member labels), `deliverAt` from urgency and support
   * hours, nobody notified for the backlog or a suppressing rule, and the rules' notes on a new alert.
   */
  deliver(routed: Extract<Routed, { dropped: false }>, current: AlertState | null, decision: Decision, now: number): Decision {
    const alert = decision.alert;
    if (!alert || decision.outcome === 'duplicate' || decision.outcome === 'ignored') return decision;
    const { outcome } = routed;
    let next: AlertState = alert;
    let notify = decision.notify;
    const open = current && current.status !== 'resolved' ? current : null;
    // A group's severity comes from its members' labels; a rule's severity replaces it on every post.
    if (outcome.severity && routed.ingest.event.action === 'group' && alert.severity !== outcome.severity) {
      const urgency = open ? moreUrgent(open.urgency, routed.urgency[outcome.severity]) : routed.urgency[outcome.severity];
      next = { ...next, severity: outcome.severity, urgency };
      if (open) notify = open.status === 'triggered' && open.urgency !== 'high' && urgency === 'high' && next.status !== 'resolved';
    }
    const previous = open ? { urgency: open.urgency, deliverAt: open.deliverAt ?? null } : null;
    const deliverAt: DeliverAt = decideDelivery({ urgency: next.urgency, previous, hours: routed.settings.supportHours, now });
    next = { ...next, deliverAt };
    const quiet = next.urgency === 'backlog' || outcome.suppressedBy !== null;
    const timeline = decision.created ? [...decision.timeline, ...routed.notes] : decision.timeline;
    if (decision.created && typeof deliverAt === 'number') {
      timeline.push({ kind: 'event', action: 'defer', actor: null, summary: `Low urgency outside support hours: delivery deferred to ${new Date(deliverAt).toISOString()}`, data: { deliverAt } });
    }
    if (decision.created && deliverAt === 'never') timeline.push({ kind: 'event', action: 'backlog', actor: null, summary: 'Backlog: nobody is notified', data: null });
    return { ...decision, alert: next, timeline, notify: notify && !quiet };
  }

  /** After the alert is stored: the raise-at-support-start timer and the backlog webhook, in the same transaction. */
  async schedule(tx: Tx, alert: AlertRow, routed: Extract<Routed, { dropped: false }>, decision: Decision, before: AlertState | null, now: number): Promise<void> {
    if (decision.outcome === 'duplicate' || decision.outcome === 'ignored') return;
    const urgencyChanged = decision.created || before?.urgency !== alert.urgency;
    if (!urgencyChanged) return;
    if (alert.urgency === 'low') await this.scheduleRaise(tx, alert.service_id, routed.settings, now);
    if (alert.urgency === 'backlog' && decision.created && routed.settings.backlogWebhookUrl) {
      await this.deps.jobs.addJob(tx, { task: BACKLOG_WEBHOOK_TASK, key: `${BACKLOG_WEBHOOK_TASK}:${alert.id}`, payload: { alertId: alert.id }, runAt: now, maxAttempts: 10 });
    }
  }

  /** One pending raise job per service, at the next window start (a keyed job: adding again replaces it). */
  private async scheduleRaise(tx: Tx, serviceId: string, settings: RoutingSettings, now: number): Promise<void> {
    const key = `${RAISE_URGENCY_TASK}:${serviceId}`;
    const at = settings.raiseAtSupportStart && settings.supportHours ? nextSupportWindowStart(settings.supportHours, now) : null;
    if (at === null) {
      await this.deps.jobs.removeJob(tx, key);
      return;
    }
    await this.deps.jobs.addJob(tx, { task: RAISE_URGENCY_TASK, key, payload: { serviceId }, runAt: at });
  }

  // ---- jobs

  /**
   * Support hours began: low-urgency alerts of the service still triggered (not acknowledged) become
   * high urgency and are delivered now. Idempotent: a second run finds none left. Runs whose service
   * changed its hours since they were scheduled only reschedule.
   */
  async raiseAtSupportStart(ctx: JobContext<{ serviceId: string }>): Promise<number> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const now = this.deps.clock.now();
      const settings = await this.settings(db, ctx.payload.serviceId);
      if (!settings.raiseAtSupportStart || !settings.supportHours) return 0;
      if (!isWithinSupportHours(settings.supportHours, now)) {
        await this.scheduleRaise(tx, ctx.payload.serviceId, settings, now);
        return 0;
      }
      const rows = await db.selectFrom('alerts').selectAll().where('service_id', '=', ctx.payload.serviceId).where('urgency', '=', 'low').where('status', '=', 'triggered').where('created_at', '<=', ctx.job.runAt).execute();
      for (const row of rows) {
        const result = await db
          .updateTable('alerts')
          .set({ urgency: 'high', deliver_at: null, revision: row.revision + 1, updated_at: now })
          .where('id', '=', row.id)
          .where('revision', '=', row.revision)
          .executeTakeFirst();
        // Changed concurrently (acknowledged, say): leave it to that change.
        if (Number(result.numUpdatedRows) !== 1) continue;
        await alertRepo.insertTimeline(db, this.deps.ids, row.id, now, [{ kind: 'event', action: 'raise', actor: null, summary: 'Urgency raised to high: support hours began', data: { from: 'low' } }]);
        // A suppressed alert (maintenance, silence) stays quiet; its suppression decides when it notifies.
        const suppressed = row.suppressed_json !== null;
        await this.deps.hooks?.afterChange(tx, { alertId: row.id, number: row.number, serviceId: row.service_id, outcome: 'updated', status: 'triggered', urgency: 'high', notify: !suppressed, deliverAt: null });
      }
      // Low-urgency alerts that arrive later are raised at the next window start.
      await this.scheduleRaise(tx, ctx.payload.serviceId, settings, now);
      return rows.length;
    });
  }

  /**
   * Posts a backlog alert to the service's backlog webhook (a ticket system). At-least-once: the
   * receiver gets an `Idempotency-Key` (the alert id) to recognise repeats. A refused target (private
   * address, bad URL) is not retried; other failures are, with backoff, and the last one is noted on
   * the alert's timeline.
   */
  async sendToBacklogWebhook(ctx: JobContext<{ alertId: string }>): Promise<'sent' | 'skipped' | 'refused'> {
    const db = this.deps.database.db;
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', ctx.payload.alertId).executeTakeFirst();
    if (!row) return 'skipped';
    const settings = await this.settings(db, row.service_id);
    const url = settings.backlogWebhookUrl;
    if (!url) return 'skipped';
    const handles = await alertRepo.serviceHandles(db, [row.service_id]);
    const alert: Alert = toView(row, handles.get(row.service_id) ?? row.service_id);
    const note = (summary: string, data: unknown) => alertRepo.insertTimeline(db, this.deps.ids, row.id, this.deps.clock.now(), [{ kind: 'event', action: 'backlog-webhook', actor: null, summary, data }]);
    try {
      const answer = await postJson(url, { event: 'alert.backlog', alert }, { allowPrivate: this.deps.allowPrivateWebhooks, headers: { 'idempotency-key': row.id }, signal: ctx.signal });
      if (answer.status < 200 || answer.status >= 300) throw new Error(`the backlog webhook answered HTTP ${answer.status}`);
      await note(`Sent to the backlog webhook (HTTP ${answer.status})`, { status: answer.status });
      return 'sent';
    } catch (error) {
      if (error instanceof OutboundRefused) {
        await note(`Backlog webhook refused: ${error.message}`, null);
        return 'refused';
      }
      if (ctx.job.attempts >= ctx.job.maxAttempts) await note(`Backlog webhook failed after ${ctx.job.attempts} attempts: ${(error as Error).message}`, null);
      throw error;
    }
  }

  // ---- preview

  /**
   * Replays a service's latest stored events through rules (the saved ones, or ones being edited) and
   * says what each would do. Reads only: nothing is changed, nobody is notified.
   */
  async preview(ref: string, input: z.output<typeof rulesPreviewInputSchema>): Promise<z.infer<typeof rulesPreviewSchema>> {
    const db = this.deps.database.db;
    const service = await this.deps.services.require(db, ref);
    const settings = await this.settings(db, service.id);
    let compiled = settings.compiled;
    if (input.rules) {
      const result = compileRules(input.rules);
      if (!result.ok) {
        const issues = result.issues.map((i) => ({ path: `body.rules${i.path.replace(/\[(\d+)\]/g, '.$1')}`, message: i.message }));
        throw new AppError('VALIDATION_FAILED', `Invalid request. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
      }
      compiled = result.compiled;
    }
    const integrations = await db.selectFrom('integrations').selectAll().where('service_id', '=', service.id).execute();
    const byId = new Map(integrations.map((i) => [i.id, i]));
    // The service's latest events, by the event log's service index (migration 0029): everything its
    // integrations received and every API trigger naming it.
    const events = await db.selectFrom('alert_events').selectAll().where('service_id', '=', service.id).orderBy('id', 'desc').limit(input.limit).execute();
    const targets = new Map<string, ServiceRow | null>();
    const items: z.infer<typeof rulesPreviewSchema>['items'] = [];
    for (const e of events) {
      const integration = e.integration_id ? (byId.get(e.integration_id) ?? null) : null;
      const base = { eventId: e.id, receivedAt: new Date(e.received_at).toISOString(), format: e.format, action: e.action, dedupKey: e.dedup_key, storedOutcome: e.outcome };
      if (e.outcome === 'invalid' || e.outcome === 'disabled') {
        items.push({ ...base, title: null, matched: [], result: 'not-an-event' as const, severity: null, urgency: null, routeTo: null, summary: `Refused when it arrived (${e.outcome}); rules never see it` });
        continue;
      }
      const event = readStored(e.format, e.action, e.dedup_key, e.payload_json, integration?.mapping_json ?? null);
      if (!event) {
        items.push({ ...base, title: null, matched: [], result: 'unreadable' as const, severity: null, urgency: null, routeTo: null, summary: 'The stored body cannot be read back (truncated, or a format without replay)' });
        continue;
      }
      const outcome = evaluateRules(compiled, subjectOf(event, integration?.type ?? e.format));
      const title = 'title' in event ? event.title : null;
      const eventSeverity: Severity | null = 'severity' in event ? event.severity : null;
      const severity = outcome.severity ?? eventSeverity;
      let owner = service;
      if (outcome.routeTo) {
        if (!targets.has(outcome.routeTo)) targets.set(outcome.routeTo, (await this.deps.services.find(db, outcome.routeTo)) ?? null);
        owner = targets.get(outcome.routeTo) ?? service;
      }
      const urgency = severity === null ? null : (outcome.urgency ?? urgencyOf(owner)[severity]);
      const result: 'drop' | 'suppress' | 'route' | 'deliver' = outcome.droppedBy ? 'drop' : outcome.suppressedBy ? 'suppress' : outcome.routeTo ? 'route' : 'deliver';
      const rules = outcome.matched.length > 0 ? ` (rule${outcome.matched.length > 1 ? 's' : ''} ${outcome.matched.map((m) => `\`${m}\``).join(', ')})` : ' (no rule matched)';
      const what =
        result === 'drop' ? 'Dropped: only the event log keeps it' :
        result === 'suppress' ? 'Recorded, nobody notified' :
        result === 'route' ? `Routed to \`${outcome.routeTo}\`${owner === service ? ' (no such service: kept here)' : ''}` :
        event.action === 'acknowledge' || event.action === 'resolve' ? `${event.action === 'resolve' ? 'Resolves' : 'Acknowledges'} its alert` : 'Delivered';
      const tail = result !== 'drop' && severity ? `, ${severity}, ${urgency} urgency` : '';
      items.push({ ...base, title, matched: outcome.matched, result, severity: result === 'drop' ? null : severity, urgency: result === 'drop' ? null : urgency, routeTo: outcome.routeTo, summary: `${what}${tail}${rules}` });
    }
    return { items };
  }
}

/** An event as stored in the event log, read back through its format's reader; null when it cannot be. */
export function readStored(format: string, action: string, dedupKey: string | null, payload: string, mappingJson: string | null): AlertEvent | null {
  if ((action === 'acknowledge' || action === 'resolve') && dedupKey) return { action, dedupKey };
  let body: unknown;
  try {
    body = JSON.parse(payload) as unknown;
  } catch {
    return null;
  }
  const newKey = () => randomBytes(8).toString('hex');
  const pick = (r: { ok: boolean; event?: AlertEvent }): AlertEvent | null => (r.ok && r.event ? r.event : null);
  switch (format) {
    case 'events-v2':
      return pick(readEventsV2(body, newKey) as { ok: boolean; event?: AlertEvent });
    case 'alertmanager':
      return pick(readAlertmanager(body));
    case 'grafana':
      return pick(readGrafana(body));
    case 'webhook':
      return pick((mappingJson ? readMapped(body, JSON.parse(mappingJson) as Parameters<typeof readMapped>[1], newKey) : readWebhook(body, newKey)) as { ok: boolean; event?: AlertEvent });
    case 'victorops':
      return pick(readVictorOps(body, null, newKey) as { ok: boolean; event?: AlertEvent });
    case 'opsgenie':
      return pick(readOpsgenieCreate(body, newKey) as { ok: boolean; event?: AlertEvent });
    case 'api': {
      if (typeof body !== 'object' || body === null) return null;
      const b = body as { title?: unknown; severity?: unknown; dedupKey?: unknown; description?: unknown; labels?: unknown };
      if (typeof b.title !== 'string') return null;
      const severity = (['critical', 'error', 'warning', 'info'] as const).find((s) => s === b.severity) ?? 'error';
      const labels = typeof b.labels === 'object' && b.labels !== null ? Object.fromEntries(Object.entries(b.labels).filter(([, v]) => typeof v === 'string')) as Record<string, string> : {};
      return { action: 'trigger', dedupKey: typeof b.dedupKey === 'string' ? b.dedupKey : (dedupKey ?? newKey()), title: b.title, description: typeof b.description === 'string' ? b.description : '', source: 'api', severity, labels, details: null, links: [], images: [] };
    }
    default:
      return null;
  }
}
