import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { Alert, alertTimelineEntrySchema } from '../../../contracts/alerts.js';
import type { Assignee } from '../../../core/alerts/assignment.js';
import type { AlertState, Severity, TimelineEntry, Urgency } from '../../../core/alerts/alert.js';
import type { SuppressedBy } from '../../../core/alerts/suppression.js';
import type { AlertLogTable, AlertsTable, Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';

export type AlertRow = Selectable<AlertsTable>;
export type AlertLogRow = Selectable<AlertLogTable>;
export type TimelineView = z.infer<typeof alertTimelineEntrySchema>;

/** Event bodies are kept in the event log up to this size; larger ones keep only their head. */
export const STORED_PAYLOAD_LIMIT = 64 * 1024;

/** Rows per multi-row insert: 9 columns × 200 stays far below SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 200;

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function toState(row: AlertRow): AlertState {
  return {
    dedupKey: row.dedup_key,
    title: row.title,
    description: row.description,
    source: row.source,
    severity: row.severity as Severity,
    urgency: row.urgency as Urgency,
    status: row.status as AlertState['status'],
    eventCount: row.event_count,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    labels: JSON.parse(row.labels_json) as Record<string, string>,
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as unknown),
    links: JSON.parse(row.links_json) as AlertState['links'],
    images: JSON.parse(row.images_json) as AlertState['images'],
    members: JSON.parse(row.members_json) as AlertState['members'],
    suppressedBy: row.suppressed_json === null ? null : (JSON.parse(row.suppressed_json) as SuppressedBy),
    deliverAt: row.urgency === 'backlog' ? 'never' : row.deliver_at,
    assignee: row.assignee_json === null ? null : (JSON.parse(row.assignee_json) as Assignee),
    snoozedUntil: row.snoozed_until,
  };
}

/** The columns an alert state writes (everything but identity, number and revision). */
export function stateColumns(state: AlertState, now: number) {
  return {
    dedup_key: state.dedupKey,
    open_dedup_key: state.status === 'resolved' ? null : state.dedupKey,
    title: state.title,
    description: state.description,
    source: state.source,
    severity: state.severity,
    urgency: state.urgency,
    status: state.status,
    event_count: state.eventCount,
    first_seen_at: state.firstSeenAt,
    last_seen_at: state.lastSeenAt,
    acknowledged_at: state.acknowledgedAt,
    acknowledged_by: state.acknowledgedBy,
    resolved_at: state.resolvedAt,
    resolved_by: state.resolvedBy,
    labels_json: JSON.stringify(state.labels),
    details_json: state.details === null || state.details === undefined ? null : JSON.stringify(state.details),
    links_json: JSON.stringify(state.links),
    images_json: JSON.stringify(state.images),
    members_json: JSON.stringify(state.members),
    suppressed_json: state.suppressedBy ? JSON.stringify(state.suppressedBy) : null,
    deliver_at: typeof state.deliverAt === 'number' ? state.deliverAt : null,
    assignee_json: state.assignee ? JSON.stringify(state.assignee) : null,
    // A resolved alert is no longer snoozed (its wake-up job then finds nothing to do).
    snoozed_until: state.status === 'resolved' ? null : (state.snoozedUntil ?? null),
    updated_at: now,
  };
}

export function toView(row: AlertRow, serviceHandle: string): Alert {
  const s = toState(row);
  return {
    id: row.id,
    number: row.number,
    serviceId: row.service_id,
    serviceHandle,
    integrationId: row.integration_id,
    dedupKey: s.dedupKey,
    title: s.title,
    description: s.description,
    source: s.source,
    severity: s.severity,
    urgency: s.urgency,
    status: s.status,
    eventCount: s.eventCount,
    firstSeenAt: iso(s.firstSeenAt),
    lastSeenAt: iso(s.lastSeenAt),
    acknowledgedAt: isoOrNull(s.acknowledgedAt),
    acknowledgedBy: s.acknowledgedBy,
    resolvedAt: isoOrNull(s.resolvedAt),
    resolvedBy: s.resolvedBy,
    labels: s.labels,
    details: s.details ?? null,
    links: s.links,
    images: s.images,
    members: s.members.map((m) => ({ ...m, startsAt: isoOrNull(m.startsAt), endsAt: isoOrNull(m.endsAt) })),
    suppressedBy: s.suppressedBy ? { ...s.suppressedBy, until: isoOrNull(s.suppressedBy.until) } : null,
    deliverAt: s.deliverAt === 'never' ? 'never' : isoOrNull(s.deliverAt ?? null),
    assignee: s.assignee ?? null,
    snoozedUntil: isoOrNull(s.snoozedUntil ?? null),
  };
}

export function timelineView(row: AlertLogRow): TimelineView {
  return {
    id: row.id,
    at: iso(row.at),
    kind: row.kind as TimelineView['kind'],
    action: row.action,
    actor: row.actor,
    summary: row.summary,
    data: row.data_json === null ? null : (JSON.parse(row.data_json) as unknown),
  };
}

/** An event body as the event log keeps it: verbatim up to the limit, else a JSON note with its head. */
export function storedPayload(raw: string): string {
  if (raw.length <= STORED_PAYLOAD_LIMIT) return raw;
  return JSON.stringify({ truncated: true, length: raw.length, head: raw.slice(0, STORED_PAYLOAD_LIMIT / 2) });
}

export const alertRepo = {
  /** The open alert with this key; `lock` (PostgreSQL) holds its row until the transaction ends. */
  async findOpen(db: Kysely<Database>, serviceId: string, dedupKey: string, lock = false): Promise<AlertRow | undefined> {
    const query = db.selectFrom('alerts').selectAll().where('service_id', '=', serviceId).where('open_dedup_key', '=', dedupKey);
    return (lock ? query.forUpdate() : query).executeTakeFirst();
  },

  async findLastResolved(db: Kysely<Database>, serviceId: string, dedupKey: string): Promise<AlertRow | undefined> {
    return db.selectFrom('alerts').selectAll().where('service_id', '=', serviceId).where('dedup_key', '=', dedupKey).where('open_dedup_key', 'is', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
  },

  /** `01J…` id, `#12` or `12`. */
  async find(db: Kysely<Database>, ref: string): Promise<AlertRow | undefined> {
    const number = /^#?(\d{1,15})$/.exec(ref);
    if (number) return db.selectFrom('alerts').selectAll().where('number', '=', Number(number[1])).executeTakeFirst();
    return db.selectFrom('alerts').selectAll().where('id', '=', ref).executeTakeFirst();
  },

  /**
   * The next alert number, from an atomic counter: `MAX(number)+1` let concurrent creations on
   * PostgreSQL pick the same number. The upsert row-locks the counter until the transaction ends.
   */
  async nextNumber(db: Kysely<Database>): Promise<number> {
    const row = await db
      .insertInto('counters')
      // The first allocation continues from any alerts already stored (for example, restored ones).
      .values((eb) => ({ name: 'alert', value: eb.selectFrom('alerts').select(sql<number>`COALESCE(MAX(number), 0) + 1`.as('n')) }))
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  },

  async insertTimeline(db: Kysely<Database>, ids: IdGenerator, alertId: string, at: number, entries: readonly TimelineEntry[]): Promise<AlertLogRow[]> {
    if (entries.length === 0) return [];
    const rows = alertRepo.timelineRows(ids, alertId, at, entries);
    await db.insertInto('alert_log').values(rows).execute();
    return rows;
  },

  /** Timeline rows, ids taken now (so they sort by when they happened, whenever they are inserted). */
  timelineRows(ids: IdGenerator, alertId: string, at: number, entries: readonly TimelineEntry[]): AlertLogRow[] {
    return entries.map((e) => ({
      id: ids(),
      alert_id: alertId,
      at,
      kind: e.kind,
      action: e.action,
      actor: e.actor,
      summary: e.summary.slice(0, 5000),
      data_json: e.data === null || e.data === undefined ? null : JSON.stringify(e.data),
    }));
  },

  /** Inserts many rows in few statements (chunks keep each under SQLite's bound-parameter limit). */
  async insertMany<T extends 'alert_events' | 'alert_log'>(db: Kysely<Database>, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await db
        .insertInto(table)
        .values(rows.slice(i, i + INSERT_CHUNK) as never)
        .execute();
    }
  },

  async serviceHandles(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', [...new Set(ids)]).execute();
    // A deleted service's handle carries `~deleted~<id>`; show the handle it had.
    return new Map(rows.map((r) => [r.id, r.handle.split('~deleted~')[0] as string]));
  },
};
