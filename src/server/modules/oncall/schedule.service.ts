import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import type {
  finalScheduleSchema,
  layerInputSchema,
  lintSchema,
  myOnCallSchema,
  onCallSchema,
  overrideInputSchema,
  overrideSchema,
  scheduleInputSchema,
  scheduleSchema,
  scheduleUpdateSchema,
  swapInputSchema,
  usersMapSchema,
} from '../../../contracts/oncall.js';
import {
  DAY_MS,
  finalSchedule,
  lintSchedules,
  swapShifts,
  validateSchedule,
  whoIsOnCall,
  type Instant,
  type Layer,
  type Restriction,
  type ScheduleDefinition,
  type ScheduleEntry,
} from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { assertCanEditOverrides, assertCanManage } from './oncall.access.js';
import { Issues, parseWindow, readInstant } from './oncall.input.js';
import {
  definitionOf,
  iso,
  isoOrNull,
  layersOf,
  layerUserIds,
  levelsOf,
  fallbackOf,
  oncallRepo,
  type OverrideRow,
  type ScheduleRow,
  type UserRow,
  type Window,
} from './oncall.repo.js';

export type ScheduleInput = z.output<typeof scheduleInputSchema>;
export type ScheduleUpdate = z.output<typeof scheduleUpdateSchema>;
export type LayerInput = z.output<typeof layerInputSchema>;
export type OverrideInput = z.output<typeof overrideInputSchema>;
export type SwapInput = z.output<typeof swapInputSchema>;
export type ScheduleView = z.infer<typeof scheduleSchema>;
export type OverrideView = z.infer<typeof overrideSchema>;
export type FinalScheduleView = z.infer<typeof finalScheduleSchema>;
export type LintView = z.infer<typeof lintSchema>;
export type OnCallView = z.infer<typeof onCallSchema>;
export type MyOnCallView = z.infer<typeof myOnCallSchema>;
export type UsersMap = z.infer<typeof usersMapSchema>;

/** Which people have a verified contact method (for NO_VERIFIED_CONTACT_METHOD); a port so notify can refine it. */
export type VerifiedContactLookup = (db: Kysely<Database>, userIds: readonly string[]) => Promise<Set<string>>;

/**
 * A person can be paged when a high-urgency notification rule of theirs uses a verified contact method
 * (notify's tables): a verified method that no high-urgency rule uses would never be tried for a page.
 * The same definition as config-as-code's plan lint.
 */
export const verifiedContactMethods: VerifiedContactLookup = async (db, userIds) => {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('notification_rules')
    .innerJoin('contact_methods', 'contact_methods.id', 'notification_rules.contact_method_id')
    .select('notification_rules.user_id')
    .distinct()
    .where('notification_rules.user_id', 'in', [...userIds])
    .where('notification_rules.urgency', '=', 'high')
    .where('contact_methods.verified_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.user_id));
};

/** How far around an instant shifts are looked for when asking where one starts and ends. */
const SHIFT_SEARCH_MS = 36 * DAY_MS;
const SHIFT_SEARCH_SPANS = [DAY_MS, 8 * DAY_MS, SHIFT_SEARCH_MS] as const;

/** One contiguous stretch of one person on call in one schedule, whatever put them there. */
export interface Shift {
  userId: string;
  start: number;
  end: number;
}

/**
 * Merges adjacent entries of the same person (an override followed by their own turn is one shift for
 * them) and keeps those of `userId` when given.
 */
export function shiftsOf(entries: readonly ScheduleEntry[], userId?: string): Shift[] {
  const out: Shift[] = [];
  for (const e of entries) {
    if (userId !== undefined && e.userId !== userId) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.userId === e.userId && last.end === e.start) last.end = e.end;
    else out.push({ userId: e.userId, start: e.start, end: e.end });
  }
  return out;
}

/**
 * The shift containing `at`: who is on call and from when until when, looking up to 36 days either
 * way (null bounds beyond that). Asks `whoIsOnCall` first and draws small windows only around it, so
 * asking about thousands of schedules stays cheap.
 */
export function shiftAt(def: ScheduleDefinition, at: number): { userId: string; start: number | null; end: number | null } | null {
  const who = whoIsOnCall(def, at as Instant);
  if (who === null) return null;
  let start: number | null = null;
  let end: number | null = null;
  for (const span of SHIFT_SEARCH_SPANS) {
    const shift = shiftsOf(finalSchedule(def, { start: (at - span) as Instant, end: (at + span) as Instant }).entries).find((s) => s.start <= at && at < s.end);
    if (shift === undefined) break;
    if (start === null && shift.start > at - span) start = shift.start;
    if (end === null && shift.end < at + span) end = shift.end;
    if (start !== null && end !== null) break;
  }
  return { userId: who.userId, start, end };
}

const entryView = (e: ScheduleEntry) => ({ start: iso(e.start), end: iso(e.end), userId: e.userId, source: e.source });

/**
 * Schedules and their overrides: definitions validated by the pure engine on every write, the final
 * schedule, lints, who is on call and "my shifts". Each public mutation runs in one transaction with
 * its audit entry; the `*In` variants take an open transaction (demo data, forced deactivation).
 */
export class ScheduleService {
  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; verifiedContacts: VerifiedContactLookup },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The injected clock's now (epoch ms), for routes' defaults. */
  now(): number {
    return this.deps.clock.now();
  }

  // ---- views

  async usersMap(db: Kysely<Database>, ids: Iterable<string>): Promise<UsersMap> {
    const rows = await oncallRepo.usersByIds(db, ids);
    return Object.fromEntries([...rows.values()].map((u) => [u.id, userSummary(u)]));
  }

  private async viewWith(row: ScheduleRow, users: UsersMap): Promise<ScheduleView> {
    const layers = layersOf(row);
    const mine = Object.fromEntries(layerUserIds(layers).flatMap((id) => (users[id] ? [[id, users[id]]] : [])));
    return {
      id: row.id,
      handle: row.handle,
      name: row.name,
      description: row.description,
      teamId: row.team_id,
      timeZone: row.time_zone,
      layers: layers.map(layerView),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      users: mine,
    };
  }

  async view(db: Kysely<Database>, row: ScheduleRow): Promise<ScheduleView> {
    return this.viewWith(row, await this.usersMap(db, layerUserIds(layersOf(row))));
  }

  // ---- reads

  async list(): Promise<ScheduleView[]> {
    const rows = await oncallRepo.listSchedules(this.db);
    const users = await this.usersMap(this.db, rows.flatMap((r) => layerUserIds(layersOf(r))));
    return Promise.all(rows.map((r) => this.viewWith(r, users)));
  }

  async get(ref: string): Promise<ScheduleView> {
    return this.view(this.db, await this.require(this.db, ref));
  }

  async require(db: Kysely<Database>, ref: string): Promise<ScheduleRow> {
    const row = await oncallRepo.findSchedule(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Schedule \`${ref}\` does not exist`);
    return row;
  }

  /** Engine definitions of `rows` with their live overrides overlapping `window`. */
  async definitions(db: Kysely<Database>, rows: readonly ScheduleRow[], window: Window): Promise<Map<string, ScheduleDefinition>> {
    const overrides = await oncallRepo.overridesIn(db, rows.length > 200 ? null : rows.map((r) => r.id), window);
    const bySchedule = new Map<string, OverrideRow[]>();
    for (const o of overrides) {
      const list = bySchedule.get(o.schedule_id);
      if (list) list.push(o);
      else bySchedule.set(o.schedule_id, [o]);
    }
    return new Map(rows.map((r) => [r.id, definitionOf(r, bySchedule.get(r.id) ?? [])]));
  }

  // ---- writes

  async create(acting: Acting, input: ScheduleInput): Promise<ScheduleView> {
    return this.deps.database.transaction(async (tx) => this.createIn(tx.db, acting, input));
  }

  async createIn(db: Kysely<Database>, acting: Acting, input: ScheduleInput): Promise<ScheduleView> {
    const teamId = input.team === undefined ? null : await this.resolveTeam(db, input.team);
    assertCanManage(acting, teamId, `Schedule \`${input.handle}\``);
    const layers = await this.readLayers(db, input.layers, input.timeZone, []);
    if (await oncallRepo.findSchedule(db, input.handle)) throw new AppError('CONFLICT', `A schedule with handle \`${input.handle}\` already exists`, { field: 'handle' });
    const now = this.deps.clock.now();
    const row: ScheduleRow = {
      id: this.deps.ids(),
      handle: input.handle,
      name: input.name,
      description: input.description,
      team_id: teamId,
      time_zone: input.timeZone,
      layers_json: JSON.stringify(layers),
      version: 1,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await db.insertInto('schedules').values(row).execute();
    const view = await this.view(db, row);
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.create', targetType: 'schedule', targetId: row.id, after: view });
    return view;
  }

  async update(acting: Acting, ref: string, changes: ScheduleUpdate): Promise<ScheduleView> {
    return this.deps.database.transaction(async (tx) => this.updateIn(tx.db, acting, ref, changes));
  }

  async updateIn(db: Kysely<Database>, acting: Acting, ref: string, changes: ScheduleUpdate): Promise<ScheduleView> {
    const row = await this.require(db, ref);
    assertCanManage(acting, row.team_id, `Schedule \`${row.handle}\``);
    const teamId = changes.team === undefined ? row.team_id : changes.team === null ? null : await this.resolveTeam(db, changes.team);
    if (teamId !== row.team_id) assertCanManage(acting, teamId, `Schedule \`${row.handle}\``);
    const timeZone = changes.timeZone ?? row.time_zone;
    const layers = changes.layers === undefined ? layersOf(row) : await this.readLayers(db, changes.layers, timeZone, layersOf(row));
    if (changes.layers === undefined && changes.timeZone !== undefined) this.checkDefinition({ timeZone, layers, overrides: [] }, new Issues());
    const before = await this.view(db, row);
    const updated: ScheduleRow = {
      ...row,
      name: changes.name ?? row.name,
      description: changes.description ?? row.description,
      team_id: teamId,
      time_zone: timeZone,
      layers_json: JSON.stringify(layers),
      version: row.version + 1,
      updated_at: this.deps.clock.now(),
    };
    await this.writeSchedule(db, updated);
    const after = await this.view(db, updated);
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.update', targetType: 'schedule', targetId: row.id, before, after });
    return after;
  }

  /** Stores a schedule's changed definition (used by updates and by forced user removal). */
  async writeSchedule(db: Kysely<Database>, row: ScheduleRow): Promise<void> {
    await db
      .updateTable('schedules')
      .set({ name: row.name, description: row.description, team_id: row.team_id, time_zone: row.time_zone, layers_json: row.layers_json, version: row.version, updated_at: row.updated_at })
      .where('id', '=', row.id)
      .execute();
  }

  async delete(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.deleteIn(tx.db, acting, ref));
  }

  /**
   * Deletes a schedule unless an escalation policy still targets it (409 listing them). The row stays
   * for history with its handle freed; its calendar feeds stop working.
   */
  async deleteIn(db: Kysely<Database>, acting: Acting, ref: string): Promise<void> {
    const row = await this.require(db, ref);
    assertCanManage(acting, row.team_id, `Schedule \`${row.handle}\``);
    const users: Array<{ id: string; handle: string; path: string }> = [];
    for (const policy of await oncallRepo.listPolicies(db)) {
      levelsOf(policy).forEach((level, l) =>
        level.targets.forEach((t, i) => {
          if (t.type === 'schedule' && t.id === row.id) users.push({ id: policy.id, handle: policy.handle, path: `levels.${l}.targets.${i}` });
        }),
      );
      const fallback = fallbackOf(policy);
      if (fallback?.type === 'schedule' && fallback.id === row.id) users.push({ id: policy.id, handle: policy.handle, path: 'fallback' });
    }
    if (users.length > 0) {
      throw new AppError('CONFLICT', `Schedule \`${row.handle}\` is used by escalation polic${users.length === 1 ? 'y' : 'ies'} ${[...new Set(users.map((u) => `\`${u.handle}\``))].join(', ')}; change them first`, {
        policies: users,
      });
    }
    const before = await this.view(db, row);
    const now = this.deps.clock.now();
    // `~` cannot appear in a handle, so the freed handle can be used again without colliding.
    await db.updateTable('schedules').set({ deleted_at: now, updated_at: now, handle: `${row.handle}~deleted~${row.id}` }).where('id', '=', row.id).execute();
    await db.updateTable('calendar_feeds').set({ revoked_at: now }).where('kind', '=', 'schedule').where('subject_id', '=', row.id).where('revoked_at', 'is', null).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.delete', targetType: 'schedule', targetId: row.id, before });
  }

  // ---- overrides and swaps

  overrideView(row: OverrideRow): OverrideView {
    return {
      id: row.id,
      scheduleId: row.schedule_id,
      userId: row.user_id,
      start: iso(row.start_at),
      end: iso(row.end_at),
      replacesUserId: row.replaces_user_id,
      swapWith: row.swap_with,
      note: row.note,
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
    };
  }

  /** Overrides overlapping `[from, to)`; by default those still current or in the future. */
  async listOverrides(ref: string, query: { from?: string | undefined; to?: string | undefined }): Promise<OverrideView[]> {
    const row = await this.require(this.db, ref);
    const issues = new Issues();
    const start = query.from === undefined ? this.deps.clock.now() : readInstant(query.from, 'query.from', issues);
    const end = query.to === undefined ? Number.MAX_SAFE_INTEGER : readInstant(query.to, 'query.to', issues);
    issues.throwIfAny();
    const rows = await oncallRepo.overridesIn(this.db, [row.id], { start: start as number, end: end as number });
    return rows.sort((a, b) => a.start_at - b.start_at || (a.id < b.id ? -1 : 1)).map((r) => this.overrideView(r));
  }

  async createOverride(acting: Acting, ref: string, input: OverrideInput): Promise<OverrideView> {
    return this.deps.database.transaction(async (tx) => this.createOverrideIn(tx.db, acting, ref, input));
  }

  async createOverrideIn(db: Kysely<Database>, acting: Acting, ref: string, input: OverrideInput): Promise<OverrideView> {
    const schedule = await this.require(db, ref);
    await assertCanEditOverrides(db, acting, schedule);
    const issues = new Issues();
    const users = await this.resolveActiveUsers(db, [[input.user, 'body.user'], ...(input.replaces !== undefined ? [[input.replaces, 'body.replaces'] as [string, string]] : [])], issues);
    const start = readInstant(input.start, 'body.start', issues);
    const end = readInstant(input.end, 'body.end', issues);
    if (start !== null && end !== null && end <= start) issues.add('body.end', 'must be after start');
    issues.throwIfAny();
    const row: OverrideRow = {
      id: this.deps.ids(),
      schedule_id: schedule.id,
      user_id: (users.get(input.user) as UserRow).id,
      start_at: start as number,
      end_at: end as number,
      replaces_user_id: input.replaces === undefined ? null : (users.get(input.replaces) as UserRow).id,
      swap_with: null,
      note: input.note ?? null,
      created_by: acting.principal?.userId ?? null,
      created_at: this.deps.clock.now(),
      deleted_at: null,
    };
    await db.insertInto('schedule_overrides').values(row).execute();
    const view = this.overrideView(row);
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.override.create', targetType: 'schedule', targetId: schedule.id, after: view });
    return view;
  }

  async swap(acting: Acting, ref: string, input: SwapInput): Promise<OverrideView[]> {
    return this.deps.database.transaction(async (tx) => this.swapIn(tx.db, acting, ref, input));
  }

  /** A shift swap: two overrides naming each other (rule 9), so the history shows both names. */
  async swapIn(db: Kysely<Database>, acting: Acting, ref: string, input: SwapInput): Promise<OverrideView[]> {
    const schedule = await this.require(db, ref);
    await assertCanEditOverrides(db, acting, schedule);
    const issues = new Issues();
    const users = await this.resolveActiveUsers(db, [[input.first.user, 'body.first.user'], [input.second.user, 'body.second.user']], issues);
    const shifts = (['first', 'second'] as const).map((which) => {
      const shift = input[which];
      const start = readInstant(shift.start, `body.${which}.start`, issues);
      const end = readInstant(shift.end, `body.${which}.end`, issues);
      if (start !== null && end !== null && end <= start) issues.add(`body.${which}.end`, 'must be after start');
      return { userId: users.get(shift.user)?.id ?? '', start: (start ?? 0) as Instant, end: (end ?? 0) as Instant };
    }) as [{ userId: string; start: Instant; end: Instant }, { userId: string; start: Instant; end: Instant }];
    if (shifts[0].userId !== '' && shifts[0].userId === shifts[1].userId) issues.add('body.second.user', 'must be a different person from first.user');
    issues.throwIfAny();
    const [a, b] = swapShifts({ ids: [this.deps.ids(), this.deps.ids()], first: shifts[0], second: shifts[1], ...(input.note !== undefined ? { note: input.note } : {}) });
    const now = this.deps.clock.now();
    const rows: OverrideRow[] = [a, b].map((o) => ({
      id: o.id,
      schedule_id: schedule.id,
      user_id: o.userId,
      start_at: o.start,
      end_at: o.end,
      replaces_user_id: o.replaces ?? null,
      swap_with: o.swapWith ?? null,
      note: input.note ?? null,
      created_by: acting.principal?.userId ?? null,
      created_at: now,
      deleted_at: null,
    }));
    await db.insertInto('schedule_overrides').values(rows).execute();
    const views = rows.map((r) => this.overrideView(r));
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.swap', targetType: 'schedule', targetId: schedule.id, after: views });
    return views;
  }

  async deleteOverride(acting: Acting, ref: string, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.deleteOverrideIn(tx.db, acting, ref, id));
  }

  /** Deletes an override; deleting one half of a swap deletes both halves. */
  async deleteOverrideIn(db: Kysely<Database>, acting: Acting, ref: string, id: string): Promise<void> {
    const schedule = await this.require(db, ref);
    const row = await oncallRepo.findOverride(db, schedule.id, id);
    if (!row) throw new AppError('NOT_FOUND', `Override \`${id}\` does not exist in schedule \`${schedule.handle}\``);
    await assertCanEditOverrides(db, acting, schedule);
    const partner = row.swap_with === null ? undefined : await oncallRepo.findOverride(db, schedule.id, row.swap_with);
    const gone = partner ? [row, partner] : [row];
    await db.updateTable('schedule_overrides').set({ deleted_at: this.deps.clock.now() }).where('id', 'in', gone.map((o) => o.id)).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'schedule.override.delete', targetType: 'schedule', targetId: schedule.id, before: gone.map((o) => this.overrideView(o)) });
  }

  // ---- the final schedule, lints, who is on call

  async final(ref: string, query: { from?: string | undefined; to?: string | undefined }): Promise<FinalScheduleView> {
    const row = await this.require(this.db, ref);
    const window = parseWindow(query, this.deps.clock.now(), { defaultDays: 14, maxDays: 400 });
    const overrides = await oncallRepo.overridesIn(this.db, [row.id], window);
    const drawn = finalSchedule(definitionOf(row, overrides), { start: window.start as Instant, end: window.end as Instant });
    const ids = new Set<string>(layerUserIds(layersOf(row)));
    for (const e of drawn.entries) ids.add(e.userId);
    for (const o of overrides) {
      ids.add(o.user_id);
      if (o.replaces_user_id !== null) ids.add(o.replaces_user_id);
    }
    return {
      window: { start: iso(drawn.window.start), end: iso(drawn.window.end) },
      timeZone: drawn.timeZone,
      entries: drawn.entries.map(entryView),
      layers: drawn.layers.map((l) => ({ layerId: l.layerId, name: l.name, entries: l.entries.map(entryView) })),
      shadows: drawn.shadows.map((s) => ({ start: iso(s.start), end: iso(s.end), userId: s.userId, layerId: s.layerId })),
      gaps: drawn.gaps.map((g) => ({ start: iso(g.start), end: iso(g.end) })),
      overrides: overrides.map((o) => this.overrideView(o)),
      users: await this.usersMap(this.db, ids),
    };
  }

  /**
   * Lints over the next `days` days: gaps, rotations of fewer than three, people without a verified
   * contact method, and (with a secondary) the same person on call in both. Messages name people by
   * handle; `userId` carries the id.
   */
  async lints(ref: string, query: { secondary?: string | undefined; days: number }): Promise<LintView[]> {
    const db = this.db;
    const primary = await this.require(db, ref);
    const secondary = query.secondary === undefined ? null : await this.require(db, query.secondary);
    const now = this.deps.clock.now();
    const window = { start: now as Instant, end: (now + query.days * DAY_MS) as Instant };
    const defs = await this.definitions(db, secondary ? [primary, secondary] : [primary], window);
    const ids = new Set<string>();
    for (const def of defs.values()) {
      for (const id of layerUserIds(def.layers)) ids.add(id);
      for (const o of def.overrides) ids.add(o.userId);
    }
    const users = await oncallRepo.usersByIds(db, ids);
    const verified = await this.deps.verifiedContacts(db, [...ids]);
    // Lint by handle so messages read "`ana` is on call in both…"; map back to ids afterwards.
    const handleOf = (id: string) => users.get(id)?.handle ?? id;
    const idOf = new Map([...users.values()].map((u) => [u.handle, u.id]));
    const byHandle = (def: ScheduleDefinition): ScheduleDefinition => ({
      ...def,
      layers: def.layers.map((l) => ({ ...l, participants: l.participants.map(handleOf), ...(l.shadows ? { shadows: l.shadows.map(handleOf) } : {}) })),
      overrides: def.overrides.map((o) => ({ ...o, userId: handleOf(o.userId), ...(o.replaces !== undefined ? { replaces: handleOf(o.replaces) } : {}) })),
    });
    const lints = lintSchedules(
      { primary: byHandle(defs.get(primary.id) as ScheduleDefinition), ...(secondary ? { secondary: byHandle(defs.get(secondary.id) as ScheduleDefinition) } : {}) },
      window,
      { hasVerifiedHighUrgencyMethod: (handle) => verified.has(idOf.get(handle) ?? handle) },
    );
    const out: LintView[] = [];
    for (const lint of lints) {
      // Stored definitions were validated on write; an INVALID_SCHEDULE here would be a bug, not a lint.
      if (lint.code === 'INVALID_SCHEDULE') continue;
      out.push({
        code: lint.code,
        message: lint.message,
        intervals: lint.intervals.map((i) => ({ start: iso(i.start), end: iso(i.end) })),
        localIntervals: lint.localIntervals,
        userId: lint.userId === undefined ? null : (idOf.get(lint.userId) ?? lint.userId),
        layerId: lint.layerId ?? null,
      });
    }
    return out;
  }

  /** The current shift of each schedule at `at` (schedules with nobody on call are left out). */
  async shiftsAt(db: Kysely<Database>, rows: readonly ScheduleRow[], at: number): Promise<Array<{ schedule: ScheduleRow; userId: string; start: number | null; end: number | null }>> {
    const defs = await this.definitions(db, rows, { start: at - SHIFT_SEARCH_MS, end: at + SHIFT_SEARCH_MS });
    const out: Array<{ schedule: ScheduleRow; userId: string; start: number | null; end: number | null }> = [];
    for (const row of rows) {
      const shift = shiftAt(defs.get(row.id) as ScheduleDefinition, at);
      if (shift !== null) out.push({ schedule: row, ...shift });
    }
    return out;
  }

  /** Who is on call at `at` in one schedule, in a team's schedules, or (neither given) in every schedule. */
  async onCall(query: { schedule?: string | undefined; team?: string | undefined }, at: number): Promise<OnCallView> {
    const db = this.db;
    let rows: ScheduleRow[];
    if (query.schedule !== undefined) rows = [await this.require(db, query.schedule)];
    else if (query.team !== undefined) {
      const team = await oncallRepo.findTeam(db, query.team);
      if (!team) throw new AppError('NOT_FOUND', `Team \`${query.team}\` does not exist`);
      rows = await oncallRepo.listSchedules(db, { teamId: team.id });
    } else rows = await oncallRepo.listSchedules(db);
    const shifts = await this.shiftsAt(db, rows, at);
    return {
      at: iso(at),
      entries: shifts.map((s) => ({ scheduleId: s.schedule.id, scheduleHandle: s.schedule.handle, level: null, userId: s.userId, start: isoOrNull(s.start), end: isoOrNull(s.end) })),
      users: await this.usersMap(db, shifts.map((s) => s.userId)),
    };
  }

  /**
   * One person's shifts across every schedule that overlap `window` (each contiguous stretch once, with
   * its true start and end even where it crosses the window's edges, up to 36 days beyond them), for
   * "my shifts" and calendar feeds.
   */
  async userShifts(db: Kysely<Database>, userId: string, window: Window): Promise<Array<{ schedule: ScheduleRow; start: number; end: number }>> {
    const own = await db.selectFrom('schedule_overrides').select('schedule_id').distinct().where('user_id', '=', userId).where('deleted_at', 'is', null).where('start_at', '<', window.end).where('end_at', '>', window.start).execute();
    const withOverrides = new Set(own.map((o) => o.schedule_id));
    const rows = (await oncallRepo.listSchedules(db)).filter((r) => withOverrides.has(r.id) || layersOf(r).some((l) => l.participants.includes(userId)));
    // Drawn further either way so a shift crossing an edge of the window keeps its real start and end
    // (and so its calendar UID stays the same from one fetch to the next).
    const drawn = { start: window.start - SHIFT_SEARCH_MS, end: window.end + SHIFT_SEARCH_MS };
    const defs = await this.definitions(db, rows, drawn);
    const out: Array<{ schedule: ScheduleRow; start: number; end: number }> = [];
    for (const row of rows) {
      const entries = finalSchedule(defs.get(row.id) as ScheduleDefinition, { start: drawn.start as Instant, end: drawn.end as Instant }).entries;
      for (const s of shiftsOf(entries, userId)) if (s.end > window.start && s.start < window.end) out.push({ schedule: row, start: s.start, end: s.end });
    }
    return out.sort((a, b) => a.start - b.start || (a.schedule.handle < b.schedule.handle ? -1 : 1));
  }

  /** "Am I on call now, when next, and my shifts for the next three months." */
  async myOnCall(userId: string): Promise<MyOnCallView> {
    const now = this.deps.clock.now();
    const shifts = await this.userShifts(this.db, userId, { start: now, end: now + 90 * DAY_MS });
    const view = (s: { schedule: ScheduleRow; start: number; end: number }) => ({ scheduleId: s.schedule.id, scheduleHandle: s.schedule.handle, scheduleName: s.schedule.name, start: iso(s.start), end: iso(s.end) });
    let next = shifts.find((s) => s.start > now);
    if (next === undefined) next = (await this.userShifts(this.db, userId, { start: now + 90 * DAY_MS, end: now + 400 * DAY_MS })).find((s) => s.start > now);
    return {
      now: shifts.filter((s) => s.start <= now && now < s.end).map(view),
      next: next === undefined ? null : view(next),
      shifts: shifts.map(view),
    };
  }

  // ---- input

  private async resolveTeam(db: Kysely<Database>, ref: string): Promise<string> {
    const team = await oncallRepo.findTeam(db, ref);
    if (!team || team.deactivated_at !== null) {
      const issues = new Issues();
      issues.add('body.team', team ? `team \`${ref}\` is deactivated` : `unknown team \`${ref}\``);
      issues.throwIfAny();
    }
    return (team as { id: string }).id;
  }

  /** Users named by id or handle, each at its body path; unknown or deactivated ones are issues. */
  async resolveActiveUsers(db: Kysely<Database>, refs: ReadonlyArray<readonly [string, string]>, issues: Issues): Promise<Map<string, UserRow>> {
    const users = await oncallRepo.resolveUsers(db, refs.map(([ref]) => ref));
    for (const [ref, path] of refs) {
      const user = users.get(ref);
      if (!user) issues.add(path, `unknown user \`${ref}\``);
      else if (user.deactivated_at !== null) issues.add(path, `user \`${user.handle}\` is deactivated`);
    }
    return users;
  }

  /**
   * API layers → the engine's layers (user ids, epoch ms, generated ids), then the engine's own
   * validation; every problem is answered at once with paths such as `body.layers.0.participants.2`.
   * Layers without an id keep the id of the layer at the same position before, so PATCHing a
   * schedule does not change its layer ids.
   */
  private async readLayers(db: Kysely<Database>, inputs: readonly LayerInput[], timeZone: string, previous: readonly Layer[]): Promise<Layer[]> {
    const issues = new Issues();
    const refs: Array<[string, string]> = [];
    inputs.forEach((l, i) => {
      l.participants.forEach((p, j) => refs.push([p, `body.layers.${i}.participants.${j}`]));
      l.shadows.forEach((p, j) => refs.push([p, `body.layers.${i}.shadows.${j}`]));
    });
    const users = await this.resolveActiveUsers(db, refs, issues);
    const taken = new Set(inputs.flatMap((l) => (l.id ? [l.id] : [])));
    let counter = 1;
    const layers = inputs.map((l, i): Layer => {
      let id = l.id;
      if (id === undefined) {
        const before = previous[i]?.id;
        if (before !== undefined && !taken.has(before)) id = before;
        else {
          while (taken.has(`layer-${counter}`)) counter++;
          id = `layer-${counter}`;
        }
        taken.add(id);
      }
      const start = readInstant(l.start, `body.layers.${i}.start`, issues);
      const end = l.end === undefined ? null : readInstant(l.end, `body.layers.${i}.end`, issues);
      const idOf = (ref: string) => users.get(ref)?.id ?? ref;
      return {
        id,
        name: l.name,
        participants: l.participants.map(idOf),
        start: (start ?? 0) as Instant,
        ...(end !== null ? { end: end as Instant } : {}),
        handoffTime: l.handoffTime,
        turn: { unit: l.turn.unit, count: l.turn.count },
        restrictions: l.restrictions as Restriction[],
        advance: l.advance,
        shadows: l.shadows.map(idOf),
        ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
      };
    });
    issues.throwIfAny();
    this.checkDefinition({ timeZone, layers, overrides: [] }, issues);
    return layers;
  }

  /** The engine's validation, with its paths (`layers.0.turn.count`) under `body.`. */
  private checkDefinition(def: ScheduleDefinition, issues: Issues): void {
    for (const issue of validateSchedule(def)) issues.add(`body.${issue.path}`, issue.message);
    issues.throwIfAny();
  }
}

export function userSummary(u: UserRow): { id: string; handle: string; name: string; timeZone: string } {
  return { id: u.id, handle: u.handle, name: u.name, timeZone: u.time_zone };
}

export function layerView(layer: Layer): ScheduleView['layers'][number] {
  return {
    id: layer.id,
    name: layer.name ?? layer.id,
    participants: [...layer.participants],
    start: iso(layer.start),
    end: isoOrNull(layer.end),
    handoffTime: layer.handoffTime,
    turn: { unit: layer.turn.unit, count: layer.turn.count },
    restrictions: layer.restrictions.map((r) => ({ ...r, ...(r.kind === 'daily' && r.days ? { days: [...r.days] } : {}) })) as ScheduleView['layers'][number]['restrictions'],
    advance: layer.advance,
    shadows: [...(layer.shadows ?? [])],
    timeZone: layer.timeZone ?? null,
  };
}
