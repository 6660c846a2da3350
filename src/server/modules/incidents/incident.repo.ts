import { sql, type Kysely, type Selectable } from 'kysely';
import { builtInIncidentRoles, type Incident, type IncidentTimelineEntry } from '../../../contracts/incidents.js';
import type { IncidentState, IncidentStatus, Link, TimelineEntry } from '../../../core/incidents/incident.js';
import { INCIDENT_COMMANDER } from '../../../core/incidents/roles.js';
import type { Database, IncidentRolesTable, IncidentTimelineTable, IncidentsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';

export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentRoleRow = Selectable<IncidentRolesTable>;
export type IncidentTimelineRow = Selectable<IncidentTimelineTable>;

/** One change in an entry's `history_json`. */
export interface HistoryItem {
  at: number;
  by: string;
  change: 'text' | 'pin' | 'unpin';
  previousSummary: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** `INC-42` for number 42. */
export const reference = (number: number): string => `INC-${number}`;

export function toState(row: IncidentRow, serviceIds: readonly string[]): IncidentState {
  return {
    reference: reference(row.number),
    title: row.title,
    severity: row.severity,
    status: row.status as IncidentStatus,
    summary: row.summary,
    customerImpact: row.customer_impact,
    serviceIds: [...serviceIds].sort(),
    links: JSON.parse(row.links_json) as Link[],
    detectedAt: Number(row.detected_at),
    declaredAt: Number(row.declared_at),
    acknowledgedAt: row.acknowledged_at === null ? null : Number(row.acknowledged_at),
    mitigatedAt: row.mitigated_at === null ? null : Number(row.mitigated_at),
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
  };
}

/** The columns a state writes (everything but identity, number, who declared and revision). */
export function stateColumns(state: IncidentState, now: number) {
  return {
    title: state.title,
    severity: state.severity,
    status: state.status,
    summary: state.summary,
    customer_impact: state.customerImpact,
    links_json: JSON.stringify(state.links),
    detected_at: state.detectedAt,
    declared_at: state.declaredAt,
    acknowledged_at: state.acknowledgedAt,
    mitigated_at: state.mitigatedAt,
    resolved_at: state.resolvedAt,
    updated_at: now,
  };
}

/** Built-in roles in their usual order, then custom roles by name. */
function roleOrder(role: string): string {
  const i = (builtInIncidentRoles as readonly string[]).indexOf(role);
  return i >= 0 ? `0${i}` : `1${role}`;
}

export function timelineView(row: IncidentTimelineRow): IncidentTimelineEntry {
  const history = JSON.parse(row.history_json) as HistoryItem[];
  return {
    id: row.id,
    at: iso(Number(row.at)),
    kind: row.kind as IncidentTimelineEntry['kind'],
    action: row.action,
    actor: row.actor,
    summary: row.summary,
    data: row.data_json === null ? null : (JSON.parse(row.data_json) as unknown),
    pinned: row.pinned === 1,
    editedAt: row.edited_at === null ? null : iso(Number(row.edited_at)),
    history: history.map((h) => ({ at: iso(h.at), by: h.by, change: h.change, previousSummary: h.previousSummary })),
  };
}

/**
 * The postmortem policy's verdict (migration 0021, ADR 0033): evaluated when the incident resolves;
 * before that null, unless someone asked for a postmortem.
 */
export function postmortemView(row: IncidentRow): Incident['postmortem'] {
  const requested = row.postmortem_requested_by !== null && row.postmortem_requested_by !== undefined;
  if (row.postmortem_required === null || row.postmortem_required === undefined) return requested ? { required: true, reasons: [`requested by ${row.postmortem_requested_by}`], requested } : null;
  return { required: Number(row.postmortem_required) === 1, reasons: row.postmortem_reasons_json ? (JSON.parse(row.postmortem_reasons_json) as string[]) : [], requested };
}

/** Queries for incidents. Thin: the rules live in src/core/incidents and the service. */
export const incidentRepo = {
  /** An id, `INC-42` (any case), `#42` or `42`. */
  async find(db: Kysely<Database>, ref: string): Promise<IncidentRow | undefined> {
    const number = /^(?:INC-|#)?(\d{1,15})$/i.exec(ref);
    if (number) return db.selectFrom('incidents').selectAll().where('number', '=', Number(number[1])).executeTakeFirst();
    return db.selectFrom('incidents').selectAll().where('id', '=', ref).executeTakeFirst();
  },

  /**
   * The next incident number, from the atomic `incident` counter (see migration 0006): the upsert
   * row-locks the counter until the transaction ends, so concurrent declarations never share a number.
   */
  async nextNumber(db: Kysely<Database>): Promise<number> {
    const row = await db
      .insertInto('counters')
      // The first allocation continues from any incidents already stored (restored ones).
      .values((eb) => ({ name: 'incident', value: eb.selectFrom('incidents').select(sql<number>`COALESCE(MAX(number), 0) + 1`.as('n')) }))
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  },

  /** Writes the state if the row is still at `revision`; false when someone changed it meanwhile. */
  async update(db: Kysely<Database>, row: IncidentRow, state: IncidentState, now: number): Promise<boolean> {
    const result = await db
      .updateTable('incidents')
      .set({ ...stateColumns(state, now), revision: row.revision + 1 })
      .where('id', '=', row.id)
      .where('revision', '=', row.revision)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async serviceIds(db: Kysely<Database>, incidentId: string): Promise<string[]> {
    return (await db.selectFrom('incident_services').select('service_id').where('incident_id', '=', incidentId).execute()).map((r) => r.service_id);
  },

  async replaceServices(db: Kysely<Database>, incidentId: string, serviceIds: readonly string[]): Promise<void> {
    await db.deleteFrom('incident_services').where('incident_id', '=', incidentId).execute();
    if (serviceIds.length > 0) await db.insertInto('incident_services').values(serviceIds.map((service_id) => ({ incident_id: incidentId, service_id }))).execute();
  },

  async insertTimeline(db: Kysely<Database>, ids: IdGenerator, incidentId: string, at: number, entries: readonly TimelineEntry[], pinned = false): Promise<IncidentTimelineRow[]> {
    if (entries.length === 0) return [];
    const rows: IncidentTimelineRow[] = entries.map((e) => ({
      id: ids(),
      incident_id: incidentId,
      at,
      kind: e.kind,
      action: e.action,
      actor: e.actor,
      summary: e.summary.slice(0, 5000),
      data_json: e.data === null || e.data === undefined ? null : JSON.stringify(e.data),
      pinned: pinned ? 1 : 0,
      edited_at: null,
      history_json: '[]',
    }));
    await db.insertInto('incident_timeline').values(rows).execute();
    return rows;
  },

  async role(db: Kysely<Database>, incidentId: string, role: string): Promise<IncidentRoleRow | undefined> {
    return db.selectFrom('incident_roles').selectAll().where('incident_id', '=', incidentId).where('role', '=', role).executeTakeFirst();
  },

  /** The open incident (other than `exceptIncidentId`) this person commands, as its number. */
  async commandedElsewhere(db: Kysely<Database>, userId: string, exceptIncidentId: string | null): Promise<number | null> {
    let q = db
      .selectFrom('incident_roles')
      .innerJoin('incidents', 'incidents.id', 'incident_roles.incident_id')
      .select('incidents.number')
      .where('incident_roles.open_commander_user_id', '=', userId);
    if (exceptIncidentId) q = q.where('incident_roles.incident_id', '<>', exceptIncidentId);
    const row = await q.executeTakeFirst();
    return row ? Number(row.number) : null;
  },

  /**
   * Gives a vacant role; false when someone took it meanwhile (the primary key refuses a second holder;
   * DO NOTHING keeps a PostgreSQL transaction usable, so the caller can read who won).
   */
  async insertRole(db: Kysely<Database>, row: IncidentRoleRow): Promise<boolean> {
    const result = await db.insertInto('incident_roles').values(row).onConflict((oc) => oc.columns(['incident_id', 'role']).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  },

  /** Hands a role over if `fromUserId` still holds it (compare-and-set); false when someone else does. */
  async handOver(db: Kysely<Database>, incidentId: string, role: string, fromUserId: string, to: { userId: string; open: boolean; at: number; by: string }): Promise<boolean> {
    const result = await db
      .updateTable('incident_roles')
      .set({ user_id: to.userId, open_commander_user_id: role === INCIDENT_COMMANDER && to.open ? to.userId : null, assigned_at: to.at, assigned_by: to.by })
      .where('incident_id', '=', incidentId)
      .where('role', '=', role)
      .where('user_id', '=', fromUserId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Leaves a role vacant if `fromUserId` still holds it (compare-and-set); false when someone else does. */
  async releaseRole(db: Kysely<Database>, incidentId: string, role: string, fromUserId: string): Promise<boolean> {
    const result = await db.deleteFrom('incident_roles').where('incident_id', '=', incidentId).where('role', '=', role).where('user_id', '=', fromUserId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },

  /** A resolved incident's commander no longer counts as commanding an open incident. */
  async closeCommand(db: Kysely<Database>, incidentId: string): Promise<void> {
    await db.updateTable('incident_roles').set({ open_commander_user_id: null }).where('incident_id', '=', incidentId).execute();
  },

  /** The API view of many incidents, with their services, alerts, roles and last stakeholder update, in five queries. */
  async views(db: Kysely<Database>, rows: readonly IncidentRow[]): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const services = await db
      .selectFrom('incident_services')
      .innerJoin('services', 'services.id', 'incident_services.service_id')
      .select(['incident_services.incident_id', 'services.id', 'services.handle', 'services.name'])
      .where('incident_services.incident_id', 'in', ids)
      .orderBy('services.handle')
      .execute();
    const alerts = await db.selectFrom('incident_alerts').select(['incident_id', 'alert_id']).where('incident_id', 'in', ids).orderBy('linked_at').orderBy('alert_id').execute();
    const roles = await db
      .selectFrom('incident_roles')
      .innerJoin('users', 'users.id', 'incident_roles.user_id')
      .select(['incident_roles.incident_id', 'incident_roles.role', 'incident_roles.user_id', 'incident_roles.assigned_at', 'incident_roles.assigned_by', 'users.handle', 'users.name'])
      .where('incident_roles.incident_id', 'in', ids)
      .execute();
    const updates = await db
      .selectFrom('incident_timeline')
      .select(['incident_id', (eb) => eb.fn.max('at').as('last')])
      .where('incident_id', 'in', ids)
      .where('kind', '=', 'update')
      .groupBy('incident_id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      number: Number(row.number),
      reference: reference(Number(row.number)),
      title: row.title,
      severity: row.severity,
      status: row.status as Incident['status'],
      mitigated: row.mitigated_at !== null,
      summary: row.summary,
      customerImpact: row.customer_impact,
      // A deleted service's handle carries `~deleted~<id>`; show the handle it had.
      impactedServices: services.filter((s) => s.incident_id === row.id).map((s) => ({ id: s.id, handle: s.handle.split('~deleted~')[0] as string, name: s.name })),
      links: JSON.parse(row.links_json) as Link[],
      alertIds: alerts.filter((a) => a.incident_id === row.id).map((a) => a.alert_id),
      roles: roles
        .filter((r) => r.incident_id === row.id)
        .sort((a, b) => roleOrder(a.role).localeCompare(roleOrder(b.role)))
        .map((r) => ({ role: r.role, userId: r.user_id, userHandle: r.handle, userName: r.name, assignedAt: iso(Number(r.assigned_at)), assignedBy: r.assigned_by })),
      declaredBy: row.declared_by,
      times: {
        detectedAt: iso(Number(row.detected_at)),
        declaredAt: iso(Number(row.declared_at)),
        acknowledgedAt: isoOrNull(row.acknowledged_at === null ? null : Number(row.acknowledged_at)),
        mitigatedAt: isoOrNull(row.mitigated_at === null ? null : Number(row.mitigated_at)),
        resolvedAt: isoOrNull(row.resolved_at === null ? null : Number(row.resolved_at)),
      },
      lastUpdateAt: ((last) => (last === undefined || last === null ? null : iso(Number(last))))(updates.find((u) => u.incident_id === row.id)?.last),
      postmortem: postmortemView(row),
      updatedAt: iso(Number(row.updated_at)),
    }));
  },
};
