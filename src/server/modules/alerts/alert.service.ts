import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { z } from 'zod';
import type { Alert, bulkAlertActionSchema, listAlertsQuery, reassignAlertSchema, snoozeAlertSchema, triggerAlertSchema } from '../../../contracts/alerts.js';
import { AppError } from '../../../contracts/errors.js';
import { applyAction, applyEvent, isWebUrl, type AlertEvent, type AlertState, type Decision, type Outcome, type PersonAction } from '../../../core/alerts/alert.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { AlertEventsTable, Database } from '../../platform/db/schema.js';
import { isUniqueViolation } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { type IntegrationRow, type ServiceCatalog, type ServiceRow } from '../services/service.service.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { LruMap } from 'toad-cache';
import { expireAcknowledgement, reassign, snooze, wake, type Assignee } from '../../../core/alerts/assignment.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { AlertRouting } from './routing.js';
import type { Suppression } from './suppression.js';
import type { SuppressedBy } from '../../../core/alerts/suppression.js';
import { alertRepo, stateColumns, storedPayload, timelineView, toState, toView, type AlertLogRow, type AlertRow, type ReadFrom, type TimelineView } from './alert.repo.js';

/** What changed, for whoever acts on alert changes in the same transaction (escalation, next issue). */
export interface AlertChange {
  alertId: string;
  /** The alert's short number (#123). */
  number: number;
  serviceId: string;
  outcome: Outcome;
  status: Alert['status'];
  urgency: Alert['urgency'];
  /** True when people should now be paged (`Decision.notify`); always false while suppressed. */
  notify: boolean;
  /** Why nobody is notified of this alert (maintenance window, silence, storm summary); null when not suppressed. */
  suppressedBy?: SuppressedBy | null;
  /**
   * When to tell people (routing, ADR 0018): null now; an epoch-ms instant when low urgency waits for the
   * service's next support window; `never` for the backlog.
   */
  deliverAt?: number | 'never' | null;
  /** The alert as this change stored it, when the caller has the row at hand (intake): saves hooks a read. */
  row?: AlertRow;
}

/**
 * The seam for escalation and notification: called inside the transaction that changes an alert, so
 * timers and outbox rows it adds commit (or roll back) with the change (ARCHITECTURE.md durability).
 */
export interface AlertHooks {
  afterChange(tx: Tx, change: AlertChange): Promise<void>;
}

export const noAlertHooks: AlertHooks = { afterChange: async () => {} };

/** One event from an integration (or the API), already read from its wire format. */
export interface Ingest {
  service: ServiceRow;
  integration: IntegrationRow | null;
  format: 'events-v2' | 'alertmanager' | 'grafana' | 'webhook' | 'opsgenie' | 'victorops' | 'api' | 'heartbeat' | 'email';
  event: AlertEvent;
  /** The body as received, for the event log. */
  raw: string;
  /** Shown as the author on the timeline. */
  actor: string;
  /** Set for API triggers: the person's change also goes to the audit log. */
  audit?: Actor;
  /**
   * More work that must commit with the event (heartbeat state and its timer): runs last in the
   * event's transaction, and again if the transaction is retried. Throwing rolls the event back.
   */
  alongside?: (tx: Tx, result: IngestResult) => Promise<void>;
}

export interface IngestResult {
  outcome: Outcome;
  alert: AlertRow | null;
}

/** The durable job that ends a snooze; keyed per alert, so a new snooze replaces the pending one. */
export const SNOOZE_TASK = 'alert.snooze-end';
export interface SnoozePayload {
  alertId: string;
  /** The snooze's end, checked against the alert's `snoozed_until` (a fencing value). */
  until: number;
}

class RevisionConflict extends Error {}

/** Open alerts kept in memory by the intake (ADR 0045); beyond this many, the least recently used go. */
const OPEN_ALERTS_KEPT = 10_000;

/** An alert's key among a service's: where `openAlerts` keeps it, and the group commit's order. */
const keyOf = (serviceId: string, dedupKey: string): string => `${serviceId}\u0000${dedupKey}`;

const MAX_ATTEMPTS = 10;

export type ListAlertsQuery = z.output<typeof listAlertsQuery>;

/**
 * Alerts: intake (every format ends in `ingest`), people's actions and reads. Each event commits its
 * alert change, event-log row and timeline entries in one transaction before the sender is answered.
 * Writes are optimistic (`revision`) and retried on a conflict, so concurrent events for one key on
 * PostgreSQL never lose an update and never open two alerts (the unique open key refuses the second).
 */
export class AlertService {
  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; services: ServiceCatalog; hooks?: AlertHooks; routing: AlertRouting; jobs?: JobScheduler; suppression?: Suppression },
  ) {
    this.openAlerts = deps.database.capabilities.multiNode ? null : new LruMap<AlertRow>(OPEN_ALERTS_KEPT);
  }

  /**
   * Open alerts as this process last wrote or read them, by service and dedup key (SQLite only, ADR
   * 0045): a repeated event skips reading its alert, the costliest statement of an event. A row here
   * may be stale (another process on the same file, or a write that does not go through `store`), never
   * wrong in effect: every write to an alert moves its `revision`, and `store` updates only the row at the
   * revision it read, so a stale row fails the update, the transaction rolls back (taking the entries it
   * touched out of the map) and the event is applied again from the database.
   */
  private readonly openAlerts: LruMap<AlertRow> | null;

  /** The open alert of a key: from `openAlerts` when there, else the database (and then remembered). */
  private async findOpen(tx: Tx, serviceId: string, dedupKey: string): Promise<AlertRow | undefined> {
    const database = this.deps.database;
    const key = keyOf(serviceId, dedupKey);
    const kept = this.openAlerts?.get(key);
    if (kept) return kept;
    // PostgreSQL: lock the open alert, so concurrent writers of one key queue instead of retrying.
    const row = await alertRepo.hot.findOpen(database, tx, serviceId, dedupKey, database.capabilities.multiNode);
    if (row) this.remember(tx, row);
    return row;
  }

  /** Keeps an alert as `store` left it (open), or forgets it (resolved); forgotten again if `tx` rolls back. */
  private remember(tx: Tx, row: AlertRow): void {
    const openAlerts = this.openAlerts;
    if (!openAlerts) return;
    const key = keyOf(row.service_id, row.dedup_key);
    if (row.open_dedup_key === null) openAlerts.delete(key);
    else openAlerts.set(key, row);
    tx.afterRollback(() => openAlerts.delete(key));
  }

  private get hooks(): AlertHooks {
    return this.deps.hooks ?? noAlertHooks;
  }

  private async retrying<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.database.transaction(work);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        // PostgreSQL: a deadlock (40P01) or serialization failure (40001) between concurrent batches
        // rolls one back; it is safe to run again, like a revision conflict or a racing insert.
        const retry = error instanceof RevisionConflict || isUniqueViolation(error) || code === '40P01' || code === '40001';
        if (!retry || attempt >= MAX_ATTEMPTS) throw error instanceof RevisionConflict ? new AppError('CONFLICT', 'The alert changed concurrently; try again') : error;
        // A short, growing, random pause so the writers that collided do not collide again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      }
    }
  }

  /** Concurrent events share durable commits (group commit); each caller still waits for its own. */
  /** When this node last moved each integration's *last event* (at most once a second each). */
  private readonly touched = new Map<string, number>();
  private batchesOnce: GroupCommit<Ingest, IngestResult> | null = null;
  private get batches(): GroupCommit<Ingest, IngestResult> {
    this.batchesOnce ??= new GroupCommit<Ingest, IngestResult>({
      database: this.deps.database,
      apply: (tx, input) => this.ingestIn(tx, input),
      finish: (tx, inputs) => this.finishBatch(tx, inputs),
      alone: (input) =>
        this.retrying(async (tx) => {
          const result = await this.ingestIn(tx, input);
          await this.finishBatch(tx, [input]);
          return result;
        }),
      // Events of one key stay in arrival order; different keys are taken in one order by every batch,
      // so concurrent batches on PostgreSQL lock alert rows in the same order and cannot deadlock.
      orderKey: (input) => keyOf(input.service.id, input.event.dedupKey),
      maxBatch: 256,
      concurrency: this.deps.database.capabilities.multiNode ? 4 : 1,
    });
    return this.batchesOnce;
  }

  /** Applies one event; resolves once it has committed. */
  async ingest(input: Ingest): Promise<IngestResult> {
    return this.batches.submit(input);
  }

  private async ingestIn(tx: Tx, received: Ingest): Promise<IngestResult> {
    const db = tx.db;
    const now = this.deps.clock.now();
    // Routing rules run first (ADR 0018): they may drop the event (logged as `dropped`), or change its
    // service, severity and urgency before deduplication.
    const routed = await this.deps.routing.route(tx, received, now);
    if (routed.dropped) {
      // The sender's own state (a heartbeat's) still commits: a dropped alert is not a lost ping.
      await received.alongside?.(tx, { outcome: 'dropped', alert: null });
      return { outcome: 'dropped', alert: null };
    }
    const input = routed.ingest;
    // Maintenance windows and silences (ADR 0019): the event is applied as usual, but nobody is notified.
    const rule = routed.outcome.suppressedBy;
    const suppressedBy = (await this.deps.suppression?.check(db, input.service, input.event, now)) ?? (rule ? { kind: 'rule' as const, id: rule, name: rule, until: null } : null);
    const database = this.deps.database;
    const current = await this.findOpen(tx, input.service.id, input.event.dedupKey);
    const flapWindowMs = input.service.flap_window_minutes * 60_000;
    const lastResolved = !current && (input.event.action === 'group' || (flapWindowMs > 0 && input.event.action === 'trigger')) ? await alertRepo.hot.findLastResolved(database, tx, input.service.id, input.event.dedupKey) : undefined;
    const before = current ? toState(current) : null;
    const unsuppressed = applyEvent(before, input.event, {
      now,
      urgency: routed.urgency,
      actor: input.actor,
      lastResolved: lastResolved ? toState(lastResolved) : null,
      flapWindowMs,
    });
    const applied = await this.suppress(tx, input, unsuppressed, suppressedBy, now);
    // Delivery by urgency and support hours: `deliverAt` on the alert, nobody notified for the backlog.
    const decision = this.deps.routing.deliver(routed, before, applied, now);
    // A decision that updates an alert with none open reopens the last resolved one (flap damping).
    const alert = await this.store(tx, current ?? lastResolved ?? null, decision, { serviceId: input.service.id, integrationId: input.integration?.id ?? null, now }, current && before ? { row: current, state: before } : undefined);
    // The event-log and timeline rows are inserted at the end of the transaction, many per statement
    // (`finishBatch`); their ids are taken now, so they still sort in the order things happened.
    const pending = await this.pendingRows(tx);
    pending.events.push({
      id: this.deps.ids(),
      alert_id: alert?.id ?? null,
      integration_id: input.integration?.id ?? null,
      // The service it arrived for: routing may have moved the alert elsewhere.
      service_id: received.service.id,
      received_at: now,
      format: input.format,
      action: input.event.action,
      dedup_key: input.event.dedupKey,
      payload_json: storedPayload(input.raw),
      outcome: decision.outcome,
    });
    if (alert) pending.log.push(...alertRepo.timelineRows(this.deps.ids, alert.id, now, decision.timeline));
    if (alert) await this.deps.routing.schedule(tx, alert, routed, decision, before, now);
    if (alert && input.audit && decision.outcome !== 'ignored') {
      const [view] = await this.views(db, [alert]);
      await this.deps.audit.record(db, input.audit, { action: 'alert.trigger', targetType: 'alert', targetId: alert.id, after: view });
    }
    if (alert) await this.changed(tx, alert, decision);
    if (input.alongside) await input.alongside(tx, { outcome: decision.outcome, alert });
    return { outcome: decision.outcome, alert };
  }

  /**
   * Moves the integrations' *last event* once per batch, at its end and in id order (a row every event
   * of an integration would otherwise lock), and at most once a second per integration.
   */
  /** The rows `ingestIn` leaves for the end of its transaction. */
  private pendingRows(tx: Tx): Promise<{ events: Array<Insertable<AlertEventsTable>>; log: AlertLogRow[] }> {
    return tx.memo('alerts:pending-rows', async () => ({ events: [], log: [] }));
  }

  /**
   * The end of an intake transaction (a batch, or one event alone): the buffered event-log and
   * timeline rows, then the integrations' *last event*.
   */
  private async finishBatch(tx: Tx, inputs: readonly Ingest[]): Promise<void> {
    const pending = await this.pendingRows(tx);
    await alertRepo.hot.insertRows(this.deps.database, tx, 'alert_events', pending.events.splice(0));
    await alertRepo.hot.insertRows(this.deps.database, tx, 'alert_log', pending.log.splice(0));
    await this.touchIntegrations(tx, inputs);
  }

  private async touchIntegrations(tx: Tx, inputs: readonly Ingest[]): Promise<void> {
    const now = this.deps.clock.now();
    // This node wrote it less than a second ago: skip the statement altogether.
    const ids = [...new Set(inputs.flatMap((i) => (i.integration ? [i.integration.id] : [])))].filter((id) => !(now - (this.touched.get(id) ?? -Infinity) < 1000)).sort();
    if (this.touched.size > 10_000) this.touched.clear();
    for (const id of ids) {
      this.touched.set(id, now);
      await alertRepo.hot.touchIntegration(this.deps.database, tx, id, now);
    }
  }

  /** Records an event that was refused (invalid, disabled) for a known integration, so its owners can see why. */
  async logRejected(integration: IntegrationRow, format: 'events-v2' | 'alertmanager' | 'grafana' | 'webhook' | 'opsgenie' | 'victorops' | 'heartbeat' | 'email', action: string, raw: string, outcome: 'invalid' | 'disabled'): Promise<void> {
    await this.deps.database.db
      .insertInto('alert_events')
      .values({ id: this.deps.ids(), alert_id: null, integration_id: integration.id, service_id: integration.service_id, received_at: this.deps.clock.now(), format, action: action.slice(0, 40), dedup_key: null, payload_json: storedPayload(raw), outcome })
      .execute();
  }

  private async changed(tx: Tx, alert: AlertRow, decision: Decision): Promise<void> {
    if (decision.outcome === 'duplicate') return;
    await this.hooks.afterChange(tx, { alertId: alert.id, number: alert.number, serviceId: alert.service_id, outcome: decision.outcome, status: alert.status as Alert['status'], urgency: alert.urgency as Alert['urgency'], notify: decision.notify, suppressedBy: decision.alert?.suppressedBy ?? null, deliverAt: decision.alert?.deliverAt ?? null, row: alert });
  }

  /**
   * Suppression and the storm guard (`suppression.ts`): marks the decision suppressed, or collapses a
   * new alert into the storm summary, which is ingested here in the same transaction.
   */
  private async suppress(tx: Tx, input: Ingest, decision: Decision, suppressedBy: SuppressedBy | null, now: number): Promise<Decision> {
    if (!this.deps.suppression) return decision;
    const { audit: _audit, alongside: _alongside, ...rest } = input;
    const summarize = async (event: AlertEvent) => (await this.ingestIn(tx, { ...rest, event, integration: null, format: 'api', raw: JSON.stringify(event), actor: 'Firebreak storm guard' })).alert;
    return this.deps.suppression.apply(tx.db, input.service, input.event, decision, suppressedBy, now, summarize);
  }

  /** Inserts or updates the alert a decision describes; returns the stored row (null when there is none). */
  private async store(tx: Tx, current: AlertRow | null, decision: Decision, where: { serviceId: string; integrationId: string | null; now: number }, readFrom?: ReadFrom): Promise<AlertRow | null> {
    if (!decision.alert) return null;
    const columns = stateColumns(decision.alert, where.now, readFrom);
    if (decision.created) {
      const row: AlertRow = {
        id: this.deps.ids(),
        number: await alertRepo.hot.nextNumber(this.deps.database, tx),
        service_id: where.serviceId,
        integration_id: where.integrationId,
        ...columns,
        revision: 1,
        created_at: where.now,
      };
      await alertRepo.hot.insert(this.deps.database, tx, row);
      this.remember(tx, row);
      return row;
    }
    if (!current) return null;
    // Only the columns that changed: a repeated trigger moves its count and last-seen time, and
    // rewriting every JSON column on each event would cost more than the rest of the update.
    const changed: Record<string, unknown> = {};
    for (const name in columns) {
      const value = columns[name as keyof typeof columns];
      if (current[name as keyof AlertRow] !== value) changed[name] = value;
    }
    if (!(await alertRepo.hot.update(this.deps.database, tx, current.id, current.revision, changed))) {
      // Stale (see `openAlerts`): read it again when the event is retried.
      this.openAlerts?.delete(keyOf(current.service_id, current.dedup_key));
      throw new RevisionConflict();
    }
    const stored = { ...current, ...columns, revision: current.revision + 1 };
    this.remember(tx, stored);
    return stored;
  }

  // ---- the API

  /** `POST /api/v1/alerts`: an event sent by a person (or script) with an API token. */
  async trigger(acting: Acting, input: z.output<typeof triggerAlertSchema>): Promise<{ outcome: Outcome; dedupKey: string; alert: Alert | null }> {
    const service = await this.deps.services.require(this.deps.database.db, input.service);
    this.assertScope(acting, service);
    const event: AlertEvent = {
      action: 'trigger',
      dedupKey: input.dedupKey ?? randomBytes(16).toString('hex'),
      title: input.title,
      description: input.description ?? '',
      source: 'api',
      severity: input.severity,
      labels: input.labels ?? {},
      details: null,
      links: (input.links ?? []).filter((l) => isWebUrl(l.href)).map((l) => ({ href: l.href, text: l.text ?? null })),
      images: [],
    };
    const result = await this.ingest({ service, integration: null, format: 'api', event, raw: JSON.stringify(input), actor: acting.actor.label, audit: acting.actor });
    const alert = result.alert ? ((await this.views(this.deps.database.db, [result.alert]))[0] as Alert) : null;
    return { outcome: result.outcome, dedupKey: event.dedupKey, alert };
  }

  /**
   * Opens an alert a person asked for, in the caller's transaction (an incident's responder request,
   * `incidents/responders`): assigned to `assignee`, high urgency, past routing rules and suppression (a
   * person asking for help is not noise to filter), with the usual timeline, audit entry and hooks, so
   * paging escalates it like any alert and it commits with the caller's own rows or not at all.
   */
  async openRequested(tx: Tx, acting: Acting, input: { serviceId: string; dedupKey: string; title: string; description: string; labels: Record<string, string>; links: Array<{ href: string; text: string | null }>; assignee: Assignee }): Promise<AlertRow> {
    const now = this.deps.clock.now();
    const high = { critical: 'high', error: 'high', warning: 'high', info: 'high' } as const;
    const event: AlertEvent = { action: 'trigger', dedupKey: input.dedupKey, title: input.title, description: input.description, source: 'firebreak', severity: 'critical', labels: input.labels, details: null, links: input.links, images: [] };
    const created = applyEvent(null, event, { now, urgency: high, actor: acting.actor.label });
    const decision: Decision = { ...created, alert: created.alert ? { ...created.alert, assignee: input.assignee } : null };
    const stored = (await this.store(tx, null, decision, { serviceId: input.serviceId, integrationId: null, now })) as AlertRow;
    await alertRepo.insertTimeline(tx.db, this.deps.ids, stored.id, now, decision.timeline);
    const [view] = await this.views(tx.db, [stored]);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'alert.trigger', targetType: 'alert', targetId: stored.id, after: view });
    await this.changed(tx, stored, decision);
    return stored;
  }

  private assertScope(acting: Acting, service: { team_id: string | null; handle: string }): void {
    const scope = acting.principal?.teamScope ?? null;
    if (scope !== null && scope !== service.team_id) throw new AppError('FORBIDDEN', `This API token is scoped to another team than the one owning service \`${service.handle}\``);
  }

  async require(db: Kysely<Database>, ref: string): Promise<AlertRow> {
    const row = await alertRepo.find(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Alert \`${ref}\` does not exist`);
    return row;
  }

  async views(db: Kysely<Database>, rows: readonly AlertRow[]): Promise<Alert[]> {
    const handles = await alertRepo.serviceHandles(db, rows.map((r) => r.service_id));
    return rows.map((r) => toView(r, handles.get(r.service_id) ?? r.service_id));
  }

  async get(ref: string): Promise<Alert> {
    const db = this.deps.database.db;
    return (await this.views(db, [await this.require(db, ref)]))[0] as Alert;
  }

  async timeline(ref: string): Promise<TimelineView[]> {
    const db = this.deps.database.db;
    const alert = await this.require(db, ref);
    const rows = await db.selectFrom('alert_log').selectAll().where('alert_id', '=', alert.id).orderBy('id').execute();
    return rows.map(timelineView);
  }

  async list(query: ListAlertsQuery): Promise<{ items: Alert[]; nextBefore: string | null }> {
    const db = this.deps.database.db;
    let q = db.selectFrom('alerts').selectAll('alerts').orderBy('alerts.id', 'desc').limit(query.limit + 1);
    const statuses = (query.status ?? 'triggered,acknowledged').split(',');
    q = q.where('alerts.status', 'in', statuses);
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) throw new AppError('VALIDATION_FAILED', `Service \`${query.service}\` does not exist`, { issues: [{ path: 'query.service', message: 'no such service' }] });
      q = q.where('alerts.service_id', '=', service.id);
    }
    if (query.team) {
      const team = await db.selectFrom('teams').select('id').where((eb) => eb.or([eb('id', '=', query.team as string), eb('handle', '=', query.team as string)])).executeTakeFirst();
      if (!team) throw new AppError('VALIDATION_FAILED', `Team \`${query.team}\` does not exist`, { issues: [{ path: 'query.team', message: 'no such team' }] });
      q = q.where('alerts.service_id', 'in', db.selectFrom('services').select('id').where('team_id', '=', team.id));
    }
    if (query.urgency) q = q.where('alerts.urgency', '=', query.urgency);
    if (query.q) {
      // lower() on both sides: LIKE is case-insensitive on SQLite but not on PostgreSQL.
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb(eb.fn('lower', ['alerts.title']), 'like', pattern), eb(eb.fn('lower', ['alerts.dedup_key']), 'like', pattern)]));
    }
    if (query.since) {
      const since = Date.parse(query.since);
      if (Number.isNaN(since)) throw new AppError('VALIDATION_FAILED', 'query.since: must be an ISO 8601 instant', { issues: [{ path: 'query.since', message: 'must be an ISO 8601 instant' }] });
      q = q.where('alerts.created_at', '>=', since);
    }
    if (query.before) q = q.where('alerts.id', '<', query.before);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return { items: await this.views(db, page), nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null };
  }

  /** Acknowledge or resolve (optionally with a note), by a person. Audited and on the timeline. */
  async act(acting: Acting, ref: string, action: 'acknowledge' | 'resolve', note?: string): Promise<Alert> {
    return this.retrying(async (tx) => this.views(tx.db, [await this.actIn(tx, acting, ref, action, note)]).then((v) => v[0] as Alert));
  }

  private async actIn(tx: Tx, acting: Acting, ref: string, action: PersonAction, note?: string): Promise<AlertRow> {
    const db = tx.db;
    const row = await this.require(db, ref);
    const service = await db.selectFrom('services').select(['team_id', 'handle']).where('id', '=', row.service_id).executeTakeFirstOrThrow();
    this.assertScope(acting, service);
    const now = this.deps.clock.now();
    const decision = applyAction(toState(row), action, { now, actor: acting.actor.label, note });
    if ('refused' in decision) throw new AppError('RULE_VIOLATION', `Alert #${row.number} ${decision.refused}`);
    if (decision.outcome === 'ignored') return row;
    const stored = (await this.store(tx, row, decision, { serviceId: row.service_id, integrationId: row.integration_id, now })) as AlertRow;
    await alertRepo.insertTimeline(db, this.deps.ids, row.id, now, decision.timeline);
    const [before, after] = await this.views(db, [row, stored]);
    await this.deps.audit.record(db, acting.actor, { action: `alert.${action}`, targetType: 'alert', targetId: row.id, before, after: action === 'note' ? { note } : after });
    await this.changed(tx, stored, decision);
    return stored;
  }

  /** Hands the alert to a person or an escalation policy; it triggers again for them (docs/alerts.md). */
  async reassign(acting: Acting, ref: string, input: z.output<typeof reassignAlertSchema>): Promise<Alert> {
    return this.retrying(async (tx) => {
      const to = await this.assigneeOf(tx.db, input);
      const row = await this.decideIn(tx, acting, ref, 'alert.reassign', (state, now) => reassign(state, to, { now, actor: acting.actor.label, note: input.note }));
      return (await this.views(tx.db, [row]))[0] as Alert;
    });
  }

  /** Acknowledges the alert until a time; a durable wake-up job triggers it again then. */
  async snooze(acting: Acting, ref: string, input: z.output<typeof snoozeAlertSchema>): Promise<Alert> {
    const now = this.deps.clock.now();
    const until = input.minutes !== undefined ? now + input.minutes * 60_000 : Date.parse(input.until ?? '');
    if (Number.isNaN(until)) throw new AppError('VALIDATION_FAILED', 'body.until: must be an ISO 8601 instant', { issues: [{ path: 'body.until', message: 'must be an ISO 8601 instant' }] });
    return this.retrying(async (tx) => {
      const row = await this.decideIn(tx, acting, ref, 'alert.snooze', (state, at) => snooze(state, until, { now: at, actor: acting.actor.label, note: input.note }));
      if (this.deps.jobs) await this.deps.jobs.addJob<SnoozePayload>(tx, { task: SNOOZE_TASK, key: `${SNOOZE_TASK}:${row.id}`, runAt: until, payload: { alertId: row.id, until } });
      return (await this.views(tx.db, [row]))[0] as Alert;
    });
  }

  /** The snooze job: triggers the alert again unless it moved on since (then nothing happens). */
  async endSnooze(payload: SnoozePayload): Promise<boolean> {
    return this.retrying(async (tx) => {
      const row = await alertRepo.find(tx.db, payload.alertId);
      if (!row) return false;
      const now = this.deps.clock.now();
      const decision = wake(toState(row), payload.until, { now, actor: 'Firebreak' });
      if (!decision) return false;
      const stored = (await this.store(tx, row, decision, { serviceId: row.service_id, integrationId: row.integration_id, now })) as AlertRow;
      await alertRepo.insertTimeline(tx.db, this.deps.ids, row.id, now, decision.timeline);
      await this.changed(tx, stored, decision);
      return true;
    });
  }

  /**
   * The acknowledgement timeout (job of the paging module): triggers an acknowledged alert again through
   * the same path as every change, so paging restarts its escalation and live updates see it. `stillDue`
   * runs in the transaction first and fences a stale timeout (paging's escalation generation).
   */
  async expireAcknowledgement(alertId: string, minutes: number, stillDue: (tx: Tx) => Promise<boolean>): Promise<boolean> {
    return this.retrying(async (tx) => {
      const row = await alertRepo.find(tx.db, alertId);
      if (!row || !(await stillDue(tx))) return false;
      const now = this.deps.clock.now();
      const decision = expireAcknowledgement(toState(row), { now, actor: 'Firebreak', minutes });
      if (!decision) return false;
      const stored = (await this.store(tx, row, decision, { serviceId: row.service_id, integrationId: row.integration_id, now })) as AlertRow;
      await alertRepo.insertTimeline(tx.db, this.deps.ids, row.id, now, decision.timeline);
      await this.changed(tx, stored, decision);
      return true;
    });
  }

  private async assigneeOf(db: Kysely<Database>, input: z.output<typeof reassignAlertSchema>): Promise<Assignee> {
    if (input.user !== undefined) {
      const ref = input.user;
      const user = await db.selectFrom('users').select(['id', 'handle']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
      if (!user) throw new AppError('VALIDATION_FAILED', `body.user: no active user \`${ref}\``, { issues: [{ path: 'body.user', message: 'no such active user' }] });
      return { kind: 'user', id: user.id, label: `@${user.handle}` };
    }
    const ref = input.escalationPolicy as string;
    const policy = await db.selectFrom('escalation_policies').select(['id', 'name']).where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
    if (!policy) throw new AppError('VALIDATION_FAILED', `body.escalationPolicy: no escalation policy \`${ref}\``, { issues: [{ path: 'body.escalationPolicy', message: 'no such escalation policy' }] });
    return { kind: 'escalationPolicy', id: policy.id, label: policy.name };
  }

  /** A person's decision on one alert: stored, on the timeline, audited and passed to the hooks. */
  private async decideIn(tx: Tx, acting: Acting, ref: string, auditAction: string, decide: (state: AlertState, now: number) => Decision | { refused: string }): Promise<AlertRow> {
    const db = tx.db;
    const row = await this.require(db, ref);
    const service = await db.selectFrom('services').select(['team_id', 'handle']).where('id', '=', row.service_id).executeTakeFirstOrThrow();
    this.assertScope(acting, service);
    const now = this.deps.clock.now();
    const decision = decide(toState(row), now);
    if ('refused' in decision) throw new AppError('RULE_VIOLATION', `Alert #${row.number} ${decision.refused}`);
    const stored = (await this.store(tx, row, decision, { serviceId: row.service_id, integrationId: row.integration_id, now })) as AlertRow;
    await alertRepo.insertTimeline(db, this.deps.ids, row.id, now, decision.timeline);
    const [before, after] = await this.views(db, [row, stored]);
    await this.deps.audit.record(db, acting.actor, { action: auditAction, targetType: 'alert', targetId: row.id, before, after });
    await this.changed(tx, stored, decision);
    return stored;
  }

  async addNote(acting: Acting, ref: string, note: string): Promise<TimelineView> {
    return this.retrying(async (tx) => {
      const row = await this.actIn(tx, acting, ref, 'note', note);
      const entry = await tx.db.selectFrom('alert_log').selectAll().where('alert_id', '=', row.id).where('kind', '=', 'note').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      return timelineView(entry);
    });
  }

  /** Acknowledges or resolves many alerts in one transaction; each id gets its own result. */
  async bulk(acting: Acting, input: z.output<typeof bulkAlertActionSchema>) {
    return this.retrying(async (tx) => {
      const items: Array<{ id: string; ok: boolean; status: Alert['status'] | null; error: string | null }> = [];
      for (const id of input.ids) {
        try {
          const row = await this.actIn(tx, acting, id, input.action);
          items.push({ id, ok: true, status: row.status as Alert['status'], error: null });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          items.push({ id, ok: false, status: null, error: error.message });
        }
      }
      return { items };
    });
  }
}
