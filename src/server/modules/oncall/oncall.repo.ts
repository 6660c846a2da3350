import type { Kysely, Selectable } from 'kysely';
import type { EscalationTarget } from '../../../core/oncall/escalation-preview.js';
import type { Instant, Layer, Override, ScheduleDefinition } from '../../../core/oncall/index.js';
import type {
  CalendarFeedsTable,
  Database,
  EscalationPoliciesTable,
  HolidaysTable,
  ScheduleOverridesTable,
  SchedulesTable,
  UsersTable,
} from '../../platform/db/schema.js';

export type ScheduleRow = Selectable<SchedulesTable>;
export type OverrideRow = Selectable<ScheduleOverridesTable>;
export type PolicyRow = Selectable<EscalationPoliciesTable>;
export type FeedRow = Selectable<CalendarFeedsTable>;
export type HolidayRow = Selectable<HolidaysTable>;
export type UserRow = Selectable<UsersTable>;

/** A policy level as stored in `levels_json`: targets by id. */
export interface StoredLevel {
  delayMinutes: number;
  targets: EscalationTarget[];
}

export interface Window {
  start: number;
  end: number;
}

/** ISO 8601 UTC text for epoch milliseconds (ADR 0002: the API presents instants so). */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms));

export function layersOf(row: ScheduleRow): Layer[] {
  return JSON.parse(row.layers_json) as Layer[];
}

export function levelsOf(row: PolicyRow): StoredLevel[] {
  return JSON.parse(row.levels_json) as StoredLevel[];
}

export function fallbackOf(row: PolicyRow): EscalationTarget | null {
  return row.fallback_json === null ? null : (JSON.parse(row.fallback_json) as EscalationTarget);
}

export function toEngineOverride(row: OverrideRow): Override {
  return {
    id: row.id,
    userId: row.user_id,
    start: row.start_at as Instant,
    end: row.end_at as Instant,
    ...(row.replaces_user_id !== null ? { replaces: row.replaces_user_id } : {}),
    ...(row.swap_with !== null ? { swapWith: row.swap_with } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
  };
}

/** The engine's definition of a stored schedule with the overrides given (already filtered and ordered). */
export function definitionOf(row: ScheduleRow, overrides: readonly OverrideRow[]): ScheduleDefinition {
  return { name: row.handle, timeZone: row.time_zone, layers: layersOf(row), overrides: overrides.map(toEngineOverride) };
}

/** Every user id a schedule's layers name (participants and shadows). */
export function layerUserIds(layers: readonly Layer[]): string[] {
  const ids = new Set<string>();
  for (const layer of layers) {
    for (const id of layer.participants) ids.add(id);
    for (const id of layer.shadows ?? []) ids.add(id);
  }
  return [...ids];
}

/**
 * Queries for schedules, overrides, policies, feeds and holidays. Thin: rules live in the services.
 * Deleted schedules and policies are never returned by the `find`/`list` queries.
 */
export const oncallRepo = {
  async findSchedule(db: Kysely<Database>, ref: string): Promise<ScheduleRow | undefined> {
    return db
      .selectFrom('schedules')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())]))
      .executeTakeFirst();
  },

  async listSchedules(db: Kysely<Database>, filter: { teamId?: string; ids?: readonly string[] } = {}): Promise<ScheduleRow[]> {
    if (filter.ids !== undefined && filter.ids.length === 0) return [];
    let q = db.selectFrom('schedules').selectAll().where('deleted_at', 'is', null).orderBy('handle');
    if (filter.teamId !== undefined) q = q.where('team_id', '=', filter.teamId);
    if (filter.ids !== undefined) q = q.where('id', 'in', [...filter.ids]);
    return q.execute();
  },

  /**
   * Live overrides of these schedules (all schedules when `scheduleIds` is null) that overlap `window`,
   * oldest first: later overrides win where they overlap (rule 1), and ULIDs sort by creation.
   */
  async overridesIn(db: Kysely<Database>, scheduleIds: readonly string[] | null, window: Window): Promise<OverrideRow[]> {
    if (scheduleIds !== null && scheduleIds.length === 0) return [];
    let q = db
      .selectFrom('schedule_overrides')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where('start_at', '<', window.end)
      .where('end_at', '>', window.start)
      .orderBy('id');
    if (scheduleIds !== null) q = q.where('schedule_id', 'in', [...scheduleIds]);
    return q.execute();
  },

  async findOverride(db: Kysely<Database>, scheduleId: string, id: string): Promise<OverrideRow | undefined> {
    return db.selectFrom('schedule_overrides').selectAll().where('schedule_id', '=', scheduleId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  },

  async findPolicy(db: Kysely<Database>, ref: string): Promise<PolicyRow | undefined> {
    return db
      .selectFrom('escalation_policies')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())]))
      .executeTakeFirst();
  },

  async listPolicies(db: Kysely<Database>): Promise<PolicyRow[]> {
    return db.selectFrom('escalation_policies').selectAll().where('deleted_at', 'is', null).orderBy('handle').execute();
  },

  async findTeam(db: Kysely<Database>, ref: string) {
    return db
      .selectFrom('teams')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())]))
      .executeTakeFirst();
  },

  /** Users named by id or handle; the map is keyed by the reference as given. */
  async resolveUsers(db: Kysely<Database>, refs: readonly string[]): Promise<Map<string, UserRow>> {
    const unique = [...new Set(refs)];
    const out = new Map<string, UserRow>();
    if (unique.length === 0) return out;
    const rows = await db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('id', 'in', unique), eb('handle', 'in', unique.map((r) => r.toLowerCase()))]))
      .execute();
    for (const ref of unique) {
      const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.handle === ref.toLowerCase());
      if (row) out.set(ref, row);
    }
    return out;
  },

  async usersByIds(db: Kysely<Database>, ids: Iterable<string>): Promise<Map<string, UserRow>> {
    const unique = [...new Set(ids)];
    const out = new Map<string, UserRow>();
    // Chunked: SQLite limits the number of bound parameters in one statement.
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await db.selectFrom('users').selectAll().where('id', 'in', unique.slice(i, i + 500)).execute();
      for (const row of rows) out.set(row.id, row);
    }
    return out;
  },

  /** Active members of teams, by team id, in handle order. */
  async activeMembers(db: Kysely<Database>, teamIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (teamIds.length === 0) return out;
    const rows = await db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['team_members.team_id', 'team_members.user_id'])
      .where('team_members.team_id', 'in', [...teamIds])
      .where('users.deactivated_at', 'is', null)
      .orderBy('users.handle')
      .execute();
    for (const row of rows) out.set(row.team_id, [...(out.get(row.team_id) ?? []), row.user_id]);
    return out;
  },

  async isMember(db: Kysely<Database>, teamId: string, userId: string): Promise<boolean> {
    const row = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  },
};
