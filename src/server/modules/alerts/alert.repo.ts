import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { z } from 'zod';
import type { Alert, alertTimelineEntrySchema } from '../../../contracts/alerts.js';
import type { Assignee } from '../../../core/alerts/assignment.js';
import type { AlertState, Severity, TimelineEntry, Urgency } from '../../../core/alerts/alert.js';
import type { SuppressedBy } from '../../../core/alerts/suppression.js';
import { columnParams, type FirebreakDatabase, type Precompiled, type Tx } from '../../platform/db/database.js';
import type { AlertLogTable, AlertsTable, Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';

export type AlertRow = Selectable<AlertsTable>;
export type AlertLogRow = Selectable<AlertLogTable>;
export type TimelineView = z.infer<typeof alertTimelineEntrySchema>;

/** Event bodies are kept in the event log up to this size; larger ones keep only their head. */
export const STORED_PAYLOAD_LIMIT = 64 * 1024;

/** Rows per multi-row insert: 9 columns × 200 stays far below SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 200;

/**
 * Row counts of intake's precompiled multi-row inserts: a batch's rows go in the largest chunks that
 * fit, so each table needs only four statement texts (a text per row count would crowd the statement
 * cache) and a batch of 64 events takes one statement per table.
 */
const HOT_INSERT_CHUNKS = [64, 16, 4, 1] as const;

/** Precompiled inserts checked to bind their values row by row, column by column. */
const bindsRowByRow = new WeakSet<Precompiled>();

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

/**
 * The stored row a state was read from (`toState(row)`): a JSON column whose value is still the very
 * object read from it is taken as stored instead of written out again (a repeated trigger changes none).
 */
export interface ReadFrom {
  row: AlertRow;
  state: AlertState;
}

/** JSON text for a column: the stored text when the value is the one read from it, else `JSON.stringify`. */
function json(value: unknown, from: ReadFrom | undefined, field: keyof AlertState, column: keyof AlertRow): string {
  return from && from.state[field] === value ? (from.row[column] as string) : JSON.stringify(value);
}

/** The columns an alert state writes (everything but identity, number and revision). */
export function stateColumns(state: AlertState, now: number, from?: ReadFrom) {
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
    labels_json: json(state.labels, from, 'labels', 'labels_json'),
    details_json: state.details === null || state.details === undefined ? null : json(state.details, from, 'details', 'details_json'),
    links_json: json(state.links, from, 'links', 'links_json'),
    images_json: json(state.images, from, 'images', 'images_json'),
    members_json: json(state.members, from, 'members', 'members_json'),
    suppressed_json: state.suppressedBy ? json(state.suppressedBy, from, 'suppressedBy', 'suppressed_json') : null,
    deliver_at: typeof state.deliverAt === 'number' ? state.deliverAt : null,
    assignee_json: state.assignee ? json(state.assignee, from, 'assignee', 'assignee_json') : null,
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

/** The upsert that takes the next alert number (see `alertRepo.nextNumber`). */
function nextNumberQuery(db: Kysely<Database>) {
  return (
    db
      .insertInto('counters')
      // The first allocation continues from any alerts already stored (for example, restored ones).
      .values((eb) => ({ name: 'alert', value: eb.selectFrom('alerts').select(sql<number>`COALESCE(MAX(number), 0) + 1`.as('n')) }))
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
  );
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
    const row = await nextNumberQuery(db).executeTakeFirstOrThrow();
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

  /**
   * Intake's hot path (ADR 0021): the same queries as above, built and compiled by Kysely once per
   * database and run with new values, inside the event's transaction. Building a query costs more than
   * SQLite takes to run it.
   */
  hot: {
    /** {@link alertRepo.findOpen}, precompiled; `lock` (PostgreSQL) holds the row until the transaction ends. */
    async findOpen(database: FirebreakDatabase, tx: Tx, serviceId: string, dedupKey: string, lock: boolean): Promise<AlertRow | undefined> {
      const query = lock
        ? database.precompiled('alerts.findOpen.lock', (db, p) => db.selectFrom('alerts').selectAll().where('service_id', '=', p('service')).where('open_dedup_key', '=', p('key')).forUpdate())
        : database.precompiled('alerts.findOpen', (db, p) => db.selectFrom('alerts').selectAll().where('service_id', '=', p('service')).where('open_dedup_key', '=', p('key')));
      return (await database.run<AlertRow>(query, { service: serviceId, key: dedupKey }, tx)).rows[0];
    },

    /** {@link alertRepo.findLastResolved}, precompiled. */
    async findLastResolved(database: FirebreakDatabase, tx: Tx, serviceId: string, dedupKey: string): Promise<AlertRow | undefined> {
      const query = database.precompiled('alerts.findLastResolved', (db, p) =>
        db.selectFrom('alerts').selectAll().where('service_id', '=', p('service')).where('dedup_key', '=', p('key')).where('open_dedup_key', 'is', null).orderBy('id', 'desc').limit(1),
      );
      return (await database.run<AlertRow>(query, { service: serviceId, key: dedupKey }, tx)).rows[0];
    },

    /**
     * Writes `changed` columns and the next revision if the row is still at `revision` (optimistic
     * concurrency); returns whether it was. One statement per set of columns (a repeated trigger always
     * changes the same few).
     */
    async update(database: FirebreakDatabase, tx: Tx, id: string, revision: number, changed: Readonly<Record<string, unknown>>): Promise<boolean> {
      const columns = Object.keys(changed);
      const query = database.precompiled(`alerts.update:${columns.join(',')}`, (db, p) =>
        db
          .updateTable('alerts')
          .set({ ...Object.fromEntries(columns.map((c) => [c, p(`set:${c}`)])), revision: p('next') })
          .where('id', '=', p('id'))
          .where('revision', '=', p('revision')),
      );
      const values: Record<string, unknown> = { next: revision + 1, id, revision };
      for (const c of columns) values[`set:${c}`] = changed[c];
      return (await database.run(query, values, tx)).numAffectedRows === 1;
    },

    /**
     * Inserts intake's buffered rows (all with the same columns). SQLite: a few precompiled multi-row
     * statements. PostgreSQL: one statement per 200 rows, built per batch (a round trip costs more than
     * building it).
     */
    async insertRows<T extends 'alert_events' | 'alert_log'>(database: FirebreakDatabase, tx: Tx, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
      if (rows.length === 0) return;
      if (!database.capabilities.inProcess) return alertRepo.insertMany(tx.db, table, rows);
      const columns = Object.keys(rows[0] as object);
      let at = 0;
      for (const size of HOT_INSERT_CHUNKS) {
        if (rows.length - at < size) continue;
        const query = database.precompiled(`${table}.insert:${size}:${columns.join(',')}`, (db, p) =>
          db.insertInto(table).values(Array.from({ length: size }, (_, i) => Object.fromEntries(columns.map((c) => [c, p(`${i}:${c}`)]))) as never),
        );
        if (!bindsRowByRow.has(query)) {
          // Values go by position below: check once that the compiled text binds them row by row.
          const ok = query.slots.length === size * columns.length && query.slots.every((slot, k) => 'name' in slot && slot.name === `${Math.floor(k / columns.length)}:${columns[k % columns.length]}`);
          if (!ok) throw new Error(`${table}: the precompiled insert does not bind its values row by row`);
          bindsRowByRow.add(query);
        }
        while (rows.length - at >= size) {
          // Row by row, column by column: the order the compiled statement binds them.
          const values: unknown[] = [];
          for (let i = 0; i < size; i++) {
            const row = rows[at + i] as Record<string, unknown>;
            for (const c of columns) values.push(row[c] ?? null);
          }
          await database.run(query, values, tx);
          at += size;
        }
      }
    },

    /** {@link alertRepo.nextNumber}, precompiled: every new alert takes one. */
    async nextNumber(database: FirebreakDatabase, tx: Tx): Promise<number> {
      const query = database.precompiled('alerts.nextNumber', nextNumberQuery);
      const [row] = (await database.run<{ value: number }>(query, {}, tx)).rows;
      if (!row) throw new Error('The alert number counter returned no row');
      return Number(row.value);
    },

    /** Inserts a new alert's row, precompiled (every column a parameter). */
    async insert(database: FirebreakDatabase, tx: Tx, row: AlertRow): Promise<void> {
      const query = database.precompiled(`alerts.insert:${Object.keys(row).join(',')}`, (db, p) => db.insertInto('alerts').values(columnParams(row, p)));
      await database.run(query, row as unknown as Record<string, unknown>, tx);
    },

    /** {@link alertRepo.insertTimeline} with precompiled statements, in `tx` (escalation and delivery write several per page). */
    async insertTimeline(database: FirebreakDatabase, tx: Tx, ids: IdGenerator, alertId: string, at: number, entries: readonly TimelineEntry[]): Promise<AlertLogRow[]> {
      const rows = alertRepo.timelineRows(ids, alertId, at, entries);
      await alertRepo.hot.insertRows(database, tx, 'alert_log', rows);
      return rows;
    },

    /** Moves an integration's *last event* to `now` unless it moved within the last second. */
    async touchIntegration(database: FirebreakDatabase, tx: Tx, id: string, now: number): Promise<void> {
      const query = database.precompiled('integrations.touch', (db, p) =>
        db
          .updateTable('integrations')
          .set({ last_event_at: p('now') })
          .where('id', '=', p('id'))
          .where((eb) => eb.or([eb('last_event_at', 'is', null), eb('last_event_at', '<', p('since'))])),
      );
      await database.run(query, { now, id, since: now - 1000 }, tx);
    },
  },

  async serviceHandles(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', [...new Set(ids)]).execute();
    // A deleted service's handle carries `~deleted~<id>`; show the handle it had.
    return new Map(rows.map((r) => [r.id, r.handle.split('~deleted~')[0] as string]));
  },
};
