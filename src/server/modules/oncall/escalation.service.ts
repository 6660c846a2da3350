import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import type { escalationPolicyInputSchema, escalationPolicySchema, escalationPolicyUpdateSchema, escalationTargetSchema, policyPreviewSchema } from '../../../contracts/oncall.js';
import { previewEscalation, type EscalationPolicyDefinition, type EscalationTarget, type TargetResolver } from '../../../core/oncall/escalation-preview.js';
import { DAY_MS, MINUTE_MS, whoIsOnCall, type Instant, type ScheduleDefinition } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { UserRow } from '../catalog/catalog.repo.js';
import type { Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { assertCanManage } from './oncall.access.js';
import { Issues } from './oncall.input.js';
import { fallbackOf, iso, isoOrNull, levelsOf, oncallRepo, type PolicyRow, type StoredLevel } from './oncall.repo.js';
import type { OnCallView, ScheduleService } from './schedule.service.js';

export type PolicyInput = z.output<typeof escalationPolicyInputSchema>;
export type PolicyUpdate = z.output<typeof escalationPolicyUpdateSchema>;
export type PolicyView = z.infer<typeof escalationPolicySchema>;
export type PolicyPreview = z.infer<typeof policyPreviewSchema>;
type TargetInput = z.output<typeof escalationTargetSchema>;

/** The engine's view of a stored policy. */
export function policyDefinition(row: PolicyRow): EscalationPolicyDefinition {
  return { levels: levelsOf(row), repeat: row.repeat_count, fallback: fallbackOf(row), skipEmptyLevels: row.skip_empty_levels === 1 };
}

/** Every target of a policy with the field that names it (`levels.1.targets.0`, `fallback`). */
export function policyTargets(row: PolicyRow): Array<{ target: EscalationTarget; path: string }> {
  const out: Array<{ target: EscalationTarget; path: string }> = [];
  levelsOf(row).forEach((level, l) => level.targets.forEach((target, i) => out.push({ target, path: `levels.${l}.targets.${i}` })));
  const fallback = fallbackOf(row);
  if (fallback !== null) out.push({ target: fallback, path: 'fallback' });
  return out;
}

/**
 * Escalation policies: ordered levels of targets (users, schedules, whole teams) with delays, repeats
 * and a fallback. Every team reads every policy; changes need an admin or a team admin of the owning
 * team. The preview and "who is on call for a policy" resolve schedules with the same engine and
 * definitions as paging.
 */
export class EscalationService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; schedules: ScheduleService }) {}

  private get db() {
    return this.deps.database.db;
  }

  async require(db: Kysely<Database>, ref: string): Promise<PolicyRow> {
    const row = await oncallRepo.findPolicy(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Escalation policy \`${ref}\` does not exist`);
    return row;
  }

  async list(): Promise<PolicyView[]> {
    const rows = await oncallRepo.listPolicies(this.db);
    return this.views(this.db, rows);
  }

  async get(ref: string): Promise<PolicyView> {
    return (await this.views(this.db, [await this.require(this.db, ref)]))[0] as PolicyView;
  }

  async views(db: Kysely<Database>, rows: readonly PolicyRow[]): Promise<PolicyView[]> {
    const ids = { user: new Set<string>(), schedule: new Set<string>(), team: new Set<string>() };
    for (const row of rows) for (const { target } of policyTargets(row)) ids[target.type].add(target.id);
    const names = new Map<string, { handle: string; name: string }>();
    const users = await oncallRepo.usersByIds(db, ids.user);
    for (const u of users.values()) names.set(`user:${u.id}`, { handle: u.handle, name: u.name });
    if (ids.schedule.size > 0) {
      for (const s of await db.selectFrom('schedules').select(['id', 'handle', 'name']).where('id', 'in', [...ids.schedule]).execute()) names.set(`schedule:${s.id}`, s);
    }
    if (ids.team.size > 0) {
      for (const t of await db.selectFrom('teams').select(['id', 'handle', 'name']).where('id', 'in', [...ids.team]).execute()) names.set(`team:${t.id}`, t);
    }
    const targetView = (t: EscalationTarget) => ({ type: t.type, id: t.id, ...(names.get(`${t.type}:${t.id}`) ?? { handle: t.id, name: t.id }) });
    return rows.map((row) => {
      const fallback = fallbackOf(row);
      return {
        id: row.id,
        handle: row.handle,
        name: row.name,
        description: row.description,
        teamId: row.team_id,
        levels: levelsOf(row).map((l) => ({ delayMinutes: l.delayMinutes, targets: l.targets.map(targetView) })),
        repeat: row.repeat_count,
        fallback: fallback === null ? null : targetView(fallback),
        skipEmptyLevels: row.skip_empty_levels === 1,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
      };
    });
  }

  // ---- writes

  async create(acting: Acting, input: PolicyInput): Promise<PolicyView> {
    return this.deps.database.transaction(async (tx) => this.createIn(tx.db, acting, input));
  }

  async createIn(db: Kysely<Database>, acting: Acting, input: PolicyInput): Promise<PolicyView> {
    const teamId = input.team === undefined ? null : await this.resolveTeamField(db, input.team);
    assertCanManage(acting, teamId, `Escalation policy \`${input.handle}\``);
    const { levels, fallback } = await this.readTargets(db, input.levels, input.fallback);
    if (await oncallRepo.findPolicy(db, input.handle)) throw new AppError('CONFLICT', `An escalation policy with handle \`${input.handle}\` already exists`, { field: 'handle' });
    const now = this.deps.clock.now();
    const row: PolicyRow = {
      id: this.deps.ids(),
      handle: input.handle,
      name: input.name,
      description: input.description,
      team_id: teamId,
      levels_json: JSON.stringify(levels),
      repeat_count: input.repeat,
      fallback_json: fallback === null ? null : JSON.stringify(fallback),
      skip_empty_levels: input.skipEmptyLevels ? 1 : 0,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await db.insertInto('escalation_policies').values(row).execute();
    const [view] = await this.views(db, [row]);
    await this.deps.audit.record(db, acting.actor, { action: 'escalation_policy.create', targetType: 'escalation_policy', targetId: row.id, after: view });
    return view as PolicyView;
  }

  async update(acting: Acting, ref: string, changes: PolicyUpdate): Promise<PolicyView> {
    return this.deps.database.transaction(async (tx) => this.updateIn(tx.db, acting, ref, changes));
  }

  async updateIn(db: Kysely<Database>, acting: Acting, ref: string, changes: PolicyUpdate): Promise<PolicyView> {
    const row = await this.require(db, ref);
    assertCanManage(acting, row.team_id, `Escalation policy \`${row.handle}\``);
    const teamId = changes.team === undefined ? row.team_id : changes.team === null ? null : await this.resolveTeamField(db, changes.team);
    if (teamId !== row.team_id) assertCanManage(acting, teamId, `Escalation policy \`${row.handle}\``);
    const read = await this.readTargets(db, changes.levels, changes.fallback);
    const updated: PolicyRow = {
      ...row,
      name: changes.name ?? row.name,
      description: changes.description ?? row.description,
      team_id: teamId,
      levels_json: changes.levels === undefined ? row.levels_json : JSON.stringify(read.levels),
      repeat_count: changes.repeat ?? row.repeat_count,
      fallback_json: changes.fallback === undefined ? row.fallback_json : read.fallback === null ? null : JSON.stringify(read.fallback),
      skip_empty_levels: changes.skipEmptyLevels === undefined ? row.skip_empty_levels : changes.skipEmptyLevels ? 1 : 0,
      updated_at: this.deps.clock.now(),
    };
    await this.write(db, acting, row, updated);
    return (await this.views(db, [updated]))[0] as PolicyView;
  }

  /** Stores a changed policy with its audit entry (updates and forced user removal). */
  async write(db: Kysely<Database>, acting: Acting, before: PolicyRow, after: PolicyRow): Promise<void> {
    const [beforeView, afterView] = await this.views(db, [before, after]);
    await db
      .updateTable('escalation_policies')
      .set({ name: after.name, description: after.description, team_id: after.team_id, levels_json: after.levels_json, repeat_count: after.repeat_count, fallback_json: after.fallback_json, skip_empty_levels: after.skip_empty_levels, updated_at: after.updated_at })
      .where('id', '=', after.id)
      .execute();
    await this.deps.audit.record(db, acting.actor, { action: 'escalation_policy.update', targetType: 'escalation_policy', targetId: after.id, before: beforeView, after: afterView });
  }

  async delete(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.deleteIn(tx.db, acting, ref));
  }

  /** Deletes a policy in an open transaction (config-as-code prune). The row stays for history with its handle freed. */
  async deleteIn(db: Kysely<Database>, acting: Acting, ref: string): Promise<void> {
    const row = await this.require(db, ref);
    assertCanManage(acting, row.team_id, `Escalation policy \`${row.handle}\``);
    const [before] = await this.views(db, [row]);
    const now = this.deps.clock.now();
    // `~` cannot appear in a handle, so the freed handle can be used again without colliding.
    await db.updateTable('escalation_policies').set({ deleted_at: now, updated_at: now, handle: `${row.handle}~deleted~${row.id}` }).where('id', '=', row.id).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'escalation_policy.delete', targetType: 'escalation_policy', targetId: row.id, before });
  }

  // ---- preview and who is on call

  /**
   * Resolves targets at any instant up to `horizon` after `from`: schedules with `whoIsOnCall` on their
   * stored definitions, teams as their active members, users as themselves while active.
   */
  async resolver(on: Kysely<Database> | Tx, targets: readonly EscalationTarget[], from: number, horizon: number): Promise<TargetResolver> {
    const db = 'afterCommit' in on ? on.db : on;
    const scheduleIds = [...new Set(targets.filter((t) => t.type === 'schedule').map((t) => t.id))];
    const teamIds = [...new Set(targets.filter((t) => t.type === 'team').map((t) => t.id))];
    const userIds = targets.filter((t) => t.type === 'user').map((t) => t.id);
    const rows = await oncallRepo.listSchedules(db, { ids: scheduleIds });
    const defs = await this.deps.schedules.definitions(db, rows, { start: from - DAY_MS, end: from + horizon + DAY_MS });
    const members = await oncallRepo.activeMembers(db, teamIds);
    // In a transaction (an escalation step, on every paging alert), each person with a query built once.
    const users = 'afterCommit' in on ? await this.usersIn(on, userIds) : await oncallRepo.usersByIds(db, userIds);
    return (target, at) => {
      if (target.type === 'user') return users.get(target.id)?.deactivated_at === null ? [target.id] : [];
      if (target.type === 'team') return members.get(target.id) ?? [];
      const def = defs.get(target.id) as ScheduleDefinition | undefined;
      const who = def === undefined ? null : whoIsOnCall(def, at);
      return who === null ? [] : [who.userId];
    };
  }

  private async usersIn(tx: Tx, ids: readonly string[]): Promise<Map<string, UserRow>> {
    const query = this.deps.database.precompiled('users.byId', (q, p) => q.selectFrom('users').selectAll().where('id', '=', p('id')));
    const out = new Map<string, UserRow>();
    for (const id of new Set(ids)) {
      const [row] = (await this.deps.database.run<UserRow>(query, { id }, tx)).rows;
      if (row) out.set(id, row);
    }
    return out;
  }

  /** "If an alert fired at `at`, who would be notified at each level, and when." */
  async preview(ref: string, at: number): Promise<PolicyPreview> {
    const row = await this.require(this.db, ref);
    const def = policyDefinition(row);
    const horizon = (def.repeat + 1) * def.levels.reduce((sum, l) => sum + l.delayMinutes, 0) * MINUTE_MS;
    const resolve = await this.resolver(this.db, policyTargets(row).map((t) => t.target), at, horizon);
    const steps = previewEscalation(def, at as Instant, resolve);
    return {
      at: iso(at),
      steps: steps.map((s) => ({ level: s.level, round: s.round, notifyAt: iso(s.notifyAt), skipped: s.skipped, users: s.users.map((u) => ({ userId: u.userId, via: { type: u.via.type, id: u.via.id } })) })),
      users: await this.deps.schedules.usersMap(this.db, steps.flatMap((s) => s.users.map((u) => u.userId))),
    };
  }

  /** Who each level of a policy reaches at `at`; schedule targets carry the shift's start and end. */
  async onCall(ref: string, at: number): Promise<OnCallView> {
    const db = this.db;
    const row = await this.require(db, ref);
    const levels = levelsOf(row);
    const scheduleIds = [...new Set(levels.flatMap((l) => l.targets.filter((t) => t.type === 'schedule').map((t) => t.id)))];
    const shifts = new Map((await this.deps.schedules.shiftsAt(db, await oncallRepo.listSchedules(db, { ids: scheduleIds }), at)).map((s) => [s.schedule.id, s]));
    const resolve = await this.resolver(db, levels.flatMap((l) => l.targets), at, 0);
    const entries: OnCallView['entries'] = [];
    levels.forEach((level, index) => {
      for (const target of level.targets) {
        if (target.type === 'schedule') {
          const shift = shifts.get(target.id);
          if (shift) entries.push({ scheduleId: shift.schedule.id, scheduleHandle: shift.schedule.handle, level: index + 1, userId: shift.userId, start: isoOrNull(shift.start), end: isoOrNull(shift.end) });
        } else {
          for (const userId of resolve(target, at as Instant)) entries.push({ scheduleId: null, scheduleHandle: null, level: index + 1, userId, start: null, end: null });
        }
      }
    });
    return { at: iso(at), entries, users: await this.deps.schedules.usersMap(db, entries.map((e) => e.userId)) };
  }

  // ---- input

  private async resolveTeamField(db: Kysely<Database>, ref: string): Promise<string> {
    const team = await oncallRepo.findTeam(db, ref);
    if (!team || team.deactivated_at !== null) {
      const issues = new Issues();
      issues.add('body.team', team ? `team \`${ref}\` is deactivated` : `unknown team \`${ref}\``);
      issues.throwIfAny();
    }
    return (team as { id: string }).id;
  }

  /** Target references (id or handle) → ids; every unknown one is named by its path. */
  private async readTargets(
    db: Kysely<Database>,
    levels: ReadonlyArray<{ delayMinutes: number; targets: readonly TargetInput[] }> | undefined,
    fallback: TargetInput | null | undefined,
  ): Promise<{ levels: StoredLevel[]; fallback: EscalationTarget | null }> {
    const issues = new Issues();
    const read = async (t: TargetInput, path: string): Promise<EscalationTarget> => {
      if (t.type === 'user') {
        const users = await this.deps.schedules.resolveActiveUsers(db, [[t.ref, `${path}.ref`]], issues);
        return { type: 'user', id: users.get(t.ref)?.id ?? t.ref };
      }
      if (t.type === 'schedule') {
        const schedule = await oncallRepo.findSchedule(db, t.ref);
        if (!schedule) issues.add(`${path}.ref`, `unknown schedule \`${t.ref}\``);
        return { type: 'schedule', id: schedule?.id ?? t.ref };
      }
      const team = await oncallRepo.findTeam(db, t.ref);
      if (!team) issues.add(`${path}.ref`, `unknown team \`${t.ref}\``);
      else if (team.deactivated_at !== null) issues.add(`${path}.ref`, `team \`${team.handle}\` is deactivated`);
      return { type: 'team', id: team?.id ?? t.ref };
    };
    const out: StoredLevel[] = [];
    for (const [l, level] of (levels ?? []).entries()) {
      const targets: EscalationTarget[] = [];
      for (const [i, t] of level.targets.entries()) targets.push(await read(t, `body.levels.${l}.targets.${i}`));
      out.push({ delayMinutes: level.delayMinutes, targets });
    }
    const fb = fallback === undefined || fallback === null ? null : await read(fallback, 'body.fallback');
    issues.throwIfAny();
    return { levels: out, fallback: fb };
  }
}
