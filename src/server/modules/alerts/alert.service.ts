import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Alert, bulkAlertActionSchema, listAlertsQuery, triggerAlertSchema } from '../../../contracts/alerts.js';
import { AppError } from '../../../contracts/errors.js';
import { applyAction, applyEvent, isWebUrl, type AlertEvent, type Decision, type Outcome, type PersonAction } from '../../../core/alerts/alert.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { isUniqueViolation } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { urgencyOf, type IntegrationRow, type ServiceCatalog, type ServiceRow } from '../services/service.service.js';
import { alertRepo, stateColumns, storedPayload, timelineView, toState, toView, type AlertRow, type TimelineView } from './alert.repo.js';

/** What changed, for whoever acts on alert changes in the same transaction (escalation, next issue). */
export interface AlertChange {
  alertId: string;
  serviceId: string;
  outcome: Outcome;
  status: Alert['status'];
  urgency: Alert['urgency'];
  /** True when people should now be paged (`Decision.notify`). */
  notify: boolean;
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
  format: 'events-v2' | 'alertmanager' | 'grafana' | 'webhook' | 'api';
  event: AlertEvent;
  /** The body as received, for the event log. */
  raw: string;
  /** Shown as the author on the timeline. */
  actor: string;
  /** Set for API triggers: the person's change also goes to the audit log. */
  audit?: Actor;
}

export interface IngestResult {
  outcome: Outcome;
  alert: AlertRow | null;
}

class RevisionConflict extends Error {}

const MAX_ATTEMPTS = 6;

export type ListAlertsQuery = z.output<typeof listAlertsQuery>;

/**
 * Alerts: intake (every format ends in `ingest`), people's actions and reads. Each event commits its
 * alert change, event-log row and timeline entries in one transaction before the sender is answered.
 * Writes are optimistic (`revision`) and retried on a conflict, so concurrent events for one key on
 * PostgreSQL never lose an update and never open two alerts (the unique open key refuses the second).
 */
export class AlertService {
  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; services: ServiceCatalog; hooks?: AlertHooks },
  ) {}

  private get hooks(): AlertHooks {
    return this.deps.hooks ?? noAlertHooks;
  }

  private async retrying<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.database.transaction(work);
      } catch (error) {
        const retry = error instanceof RevisionConflict || isUniqueViolation(error);
        if (!retry || attempt >= MAX_ATTEMPTS) throw error instanceof RevisionConflict ? new AppError('CONFLICT', 'The alert changed concurrently; try again') : error;
      }
    }
  }

  async ingest(input: Ingest): Promise<IngestResult> {
    return this.retrying((tx) => this.ingestIn(tx, input));
  }

  private async ingestIn(tx: Tx, input: Ingest): Promise<IngestResult> {
    const db = tx.db;
    const now = this.deps.clock.now();
    const current = await alertRepo.findOpen(db, input.service.id, input.event.dedupKey);
    const lastResolved = !current && input.event.action === 'group' ? await alertRepo.findLastResolved(db, input.service.id, input.event.dedupKey) : undefined;
    const decision = applyEvent(current ? toState(current) : null, input.event, {
      now,
      urgency: urgencyOf(input.service),
      actor: input.actor,
      lastResolved: lastResolved ? toState(lastResolved) : null,
    });
    const alert = await this.store(db, current ?? null, decision, { serviceId: input.service.id, integrationId: input.integration?.id ?? null, now });
    await db
      .insertInto('alert_events')
      .values({
        id: this.deps.ids(),
        alert_id: alert?.id ?? null,
        integration_id: input.integration?.id ?? null,
        received_at: now,
        format: input.format,
        action: input.event.action,
        dedup_key: input.event.dedupKey,
        payload_json: storedPayload(input.raw),
        outcome: decision.outcome,
      })
      .execute();
    if (alert) await alertRepo.insertTimeline(db, this.deps.ids, alert.id, now, decision.timeline);
    if (input.integration) {
      // At most one write a second per integration: under a storm, every event would otherwise queue on this row.
      await db
        .updateTable('integrations')
        .set({ last_event_at: now })
        .where('id', '=', input.integration.id)
        .where((eb) => eb.or([eb('last_event_at', 'is', null), eb('last_event_at', '<', now - 1000)]))
        .execute();
    }
    if (alert && input.audit && decision.outcome !== 'ignored') {
      const [view] = await this.views(db, [alert]);
      await this.deps.audit.record(db, input.audit, { action: 'alert.trigger', targetType: 'alert', targetId: alert.id, after: view });
    }
    if (alert) await this.changed(tx, alert, decision);
    return { outcome: decision.outcome, alert };
  }

  /** Records an event that was refused (invalid, disabled) for a known integration, so its owners can see why. */
  async logRejected(integration: IntegrationRow, format: 'events-v2' | 'alertmanager' | 'grafana' | 'webhook', action: string, raw: string, outcome: 'invalid' | 'disabled'): Promise<void> {
    await this.deps.database.db
      .insertInto('alert_events')
      .values({ id: this.deps.ids(), alert_id: null, integration_id: integration.id, received_at: this.deps.clock.now(), format, action: action.slice(0, 40), dedup_key: null, payload_json: storedPayload(raw), outcome })
      .execute();
  }

  private async changed(tx: Tx, alert: AlertRow, decision: Decision): Promise<void> {
    if (decision.outcome === 'duplicate') return;
    await this.hooks.afterChange(tx, { alertId: alert.id, serviceId: alert.service_id, outcome: decision.outcome, status: alert.status as Alert['status'], urgency: alert.urgency as Alert['urgency'], notify: decision.notify });
  }

  /** Inserts or updates the alert a decision describes; returns the stored row (null when there is none). */
  private async store(db: Kysely<Database>, current: AlertRow | null, decision: Decision, where: { serviceId: string; integrationId: string | null; now: number }): Promise<AlertRow | null> {
    if (!decision.alert) return null;
    const columns = stateColumns(decision.alert, where.now);
    if (decision.created) {
      const row: AlertRow = {
        id: this.deps.ids(),
        number: await alertRepo.nextNumber(db),
        service_id: where.serviceId,
        integration_id: where.integrationId,
        ...columns,
        revision: 1,
        created_at: where.now,
      };
      await db.insertInto('alerts').values(row).execute();
      return row;
    }
    if (!current) return null;
    const result = await db
      .updateTable('alerts')
      .set({ ...columns, revision: current.revision + 1 })
      .where('id', '=', current.id)
      .where('revision', '=', current.revision)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new RevisionConflict();
    return { ...current, ...columns, revision: current.revision + 1 };
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
    const stored = (await this.store(db, row, decision, { serviceId: row.service_id, integrationId: row.integration_id, now })) as AlertRow;
    await alertRepo.insertTimeline(db, this.deps.ids, row.id, now, decision.timeline);
    const [before, after] = await this.views(db, [row, stored]);
    await this.deps.audit.record(db, acting.actor, { action: `alert.${action}`, targetType: 'alert', targetId: row.id, before, after: action === 'note' ? { note } : after });
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
