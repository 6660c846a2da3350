import type { Kysely } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import type { Team } from '../../../contracts/teams.js';
import type { User } from '../../../contracts/users.js';
import { canManageTeam, roleAtLeast, type Principal, type Role, type TeamRole } from '../../../core/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import { hashPassword } from '../../platform/crypto.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import { CatalogRepo, type TeamRow, type UserRow } from './catalog.repo.js';

export interface NewUser {
  handle: string;
  name: string;
  email: string;
  timeZone: string;
  role: Role;
  password?: string | undefined;
}

export interface UserChanges {
  name?: string | undefined;
  email?: string | undefined;
  timeZone?: string | undefined;
  role?: Role | undefined;
}

export interface NewTeam {
  handle: string;
  name: string;
  description: string;
}

/** A thing outside the catalog that names a user (a schedule layer, a policy target), by its field. */
export interface UserReference {
  kind: 'schedule' | 'policy';
  handle: string;
  /** The field that names the person, e.g. `layers.0.participants.2`. */
  path: string;
}

/** Coverage lost when a person is removed from what references them (forced deactivation). */
export interface CoverageGap {
  kind: 'schedule' | 'policy';
  handle: string;
  start: number | null;
  end: number | null;
  message: string;
}

/**
 * A port other modules register so the catalog can refuse to deactivate people they still depend on
 * (schedules, escalation policies) without importing them.
 */
export interface UserReferenceChecker {
  /** Everything that names the user and would break if they stopped being reachable. */
  find(db: Kysely<Database>, userId: string): Promise<UserReference[]>;
  /** Removes the user from all of it (each change audited) and returns the coverage lost. */
  remove(db: Kysely<Database>, acting: Acting, userId: string): Promise<CoverageGap[]>;
}

/** What deactivating did beyond the user: with force, where the person was removed and the gaps left. */
export interface DeactivationResult {
  user: User;
  removedReferences: UserReference[];
  gaps: CoverageGap[];
}

/**
 * Who may act: null for Firebreak itself (first-run setup, config-as-code applied by an owner, demo
 * data), where the caller has already checked permission.
 */
export type Acting = { actor: Actor; principal: Principal | null };

/**
 * Teams, users and membership. Each public method runs in one transaction with its audit entry; the
 * `*In` variants take an open transaction so config-as-code can apply many changes all-or-nothing.
 */
export class CatalogService {
  readonly repo = new CatalogRepo();
  private readonly referenceCheckers: UserReferenceChecker[] = [];

  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; fastPasswordHashing: boolean },
  ) {}

  /** Registers a module that references users (on-call schedules and policies). */
  addUserReferenceChecker(checker: UserReferenceChecker): void {
    this.referenceCheckers.push(checker);
  }

  private get db() {
    return this.deps.database.db;
  }

  // ---- users

  async listUsers(includeDeactivated: boolean): Promise<User[]> {
    return this.repo.toUsers(this.db, await this.repo.listUsers(this.db, includeDeactivated));
  }

  async getUser(ref: string): Promise<User> {
    return this.userView(this.db, await this.requireUser(this.db, ref));
  }

  async requireUser(db: Kysely<Database>, ref: string): Promise<UserRow> {
    const row = await this.repo.findUser(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `User \`${ref}\` does not exist`);
    return row;
  }

  async userView(db: Kysely<Database>, row: UserRow): Promise<User> {
    const [user] = await this.repo.toUsers(db, [row]);
    return user as User;
  }

  async createUser(acting: Acting, input: NewUser): Promise<User> {
    const passwordHash = input.password ? await hashPassword(input.password, this.deps.fastPasswordHashing) : null;
    return this.deps.database.transaction(async (tx) => this.createUserIn(tx.db, acting, input, passwordHash));
  }

  async createUserIn(db: Kysely<Database>, acting: Acting, input: NewUser, passwordHash: string | null): Promise<User> {
    if (acting.principal && input.role === 'owner' && acting.principal.role !== 'owner') {
      throw new AppError('FORBIDDEN', 'Only an owner can create another owner');
    }
    await this.assertUnique(db, input.handle, input.email, null);
    const now = this.deps.clock.now();
    const row: UserRow = {
      id: this.deps.ids(),
      handle: input.handle,
      email: input.email.toLowerCase(),
      name: input.name,
      time_zone: input.timeZone,
      role: input.role,
      password_hash: passwordHash,
      totp_secret: null,
      totp_enabled: 0,
      deactivated_at: null,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('users').values(row).execute();
    const view = await this.userView(db, row);
    await this.deps.audit.record(db, acting.actor, { action: 'user.create', targetType: 'user', targetId: row.id, after: view });
    return view;
  }

  async updateUser(acting: Acting, ref: string, changes: UserChanges): Promise<User> {
    return this.deps.database.transaction(async (tx) => this.updateUserIn(tx.db, acting, ref, changes));
  }

  async updateUserIn(db: Kysely<Database>, acting: Acting, ref: string, changes: UserChanges): Promise<User> {
    const row = await this.requireUser(db, ref);
    const p = acting.principal;
    if (p && p.userId !== row.id && !roleAtLeast(p.role, 'admin')) throw new AppError('FORBIDDEN', 'Only admins can change other people');
    if (p && changes.role !== undefined && changes.role !== row.role && !roleAtLeast(p.role, 'admin')) throw new AppError('FORBIDDEN', 'Only admins can change roles');
    if (p && p.role !== 'owner' && (row.role === 'owner' || changes.role === 'owner')) {
      throw new AppError('FORBIDDEN', 'Only an owner can change an owner or make someone an owner');
    }
    if (changes.role !== undefined && row.role === 'owner' && changes.role !== 'owner' && row.deactivated_at === null) {
      await this.assertNotLastOwner(db, row);
    }
    if (changes.email !== undefined) await this.assertUnique(db, null, changes.email, row.id);
    const before = await this.userView(db, row);
    const updated: UserRow = {
      ...row,
      name: changes.name ?? row.name,
      email: changes.email?.toLowerCase() ?? row.email,
      time_zone: changes.timeZone ?? row.time_zone,
      role: changes.role ?? row.role,
      updated_at: this.deps.clock.now(),
    };
    await db.updateTable('users').set({ name: updated.name, email: updated.email, time_zone: updated.time_zone, role: updated.role, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
    const after = await this.userView(db, updated);
    await this.deps.audit.record(db, acting.actor, { action: 'user.update', targetType: 'user', targetId: row.id, before, after });
    return after;
  }

  async setUserActive(acting: Acting, ref: string, active: boolean): Promise<User> {
    return this.deps.database.transaction(async (tx) => this.setUserActiveIn(tx.db, acting, ref, active));
  }

  /**
   * Deactivates a person. When schedules or escalation policies still name them the answer is 409
   * CONFLICT listing each reference, unless `force`: they are then removed from each (audited) and
   * the result lists the coverage gaps that creates.
   */
  async deactivateUser(acting: Acting, ref: string, options: { force: boolean }): Promise<DeactivationResult> {
    return this.deps.database.transaction(async (tx) => this.deactivateUserIn(tx.db, acting, ref, options));
  }

  async deactivateUserIn(db: Kysely<Database>, acting: Acting, ref: string, options: { force: boolean }): Promise<DeactivationResult> {
    const row = await this.requireUser(db, ref);
    if (acting.principal && row.role === 'owner' && acting.principal.role !== 'owner') throw new AppError('FORBIDDEN', 'Only an owner can deactivate or reactivate an owner');
    if (row.deactivated_at !== null) return { user: await this.userView(db, row), removedReferences: [], gaps: [] };
    if (row.role === 'owner') await this.assertNotLastOwner(db, row);
    const references: UserReference[] = [];
    for (const checker of this.referenceCheckers) references.push(...(await checker.find(db, row.id)));
    if (references.length > 0 && !options.force) {
      const list = references.map((r) => `${r.kind} \`${r.handle}\` (${r.path})`).join(', ');
      throw new AppError('CONFLICT', `\`${row.handle}\` is still named by ${list}; remove them there first, or deactivate with force=true to remove them everywhere`, { references });
    }
    const gaps: CoverageGap[] = [];
    if (references.length > 0) for (const checker of this.referenceCheckers) gaps.push(...(await checker.remove(db, acting, row.id)));
    const before = await this.userView(db, row);
    const now = this.deps.clock.now();
    await db.updateTable('users').set({ deactivated_at: now, updated_at: now }).where('id', '=', row.id).execute();
    await db.deleteFrom('sessions').where('user_id', '=', row.id).execute();
    const after = await this.userView(db, { ...row, deactivated_at: now, updated_at: now });
    await this.deps.audit.record(db, acting.actor, { action: 'user.deactivate', targetType: 'user', targetId: row.id, before, after });
    return { user: after, removedReferences: references, gaps };
  }

  /**
   * Deactivating keeps the person and their history (audit entries, later alerts and shifts) but ends
   * their sessions and makes their API tokens stop working.
   */
  async setUserActiveIn(db: Kysely<Database>, acting: Acting, ref: string, active: boolean): Promise<User> {
    // Deactivation goes through the reference check (schedules, policies) wherever it comes from.
    if (!active) return (await this.deactivateUserIn(db, acting, ref, { force: false })).user;
    const row = await this.requireUser(db, ref);
    if (acting.principal && row.role === 'owner' && acting.principal.role !== 'owner') throw new AppError('FORBIDDEN', 'Only an owner can deactivate or reactivate an owner');
    if ((row.deactivated_at === null) === active) return this.userView(db, row);
    if (!active && row.role === 'owner') await this.assertNotLastOwner(db, row);
    const before = await this.userView(db, row);
    const now = this.deps.clock.now();
    await db.updateTable('users').set({ deactivated_at: active ? null : now, updated_at: now }).where('id', '=', row.id).execute();
    if (!active) await db.deleteFrom('sessions').where('user_id', '=', row.id).execute();
    const after = await this.userView(db, { ...row, deactivated_at: active ? null : now, updated_at: now });
    await this.deps.audit.record(db, acting.actor, { action: active ? 'user.reactivate' : 'user.deactivate', targetType: 'user', targetId: row.id, before, after });
    return after;
  }

  private async assertNotLastOwner(db: Kysely<Database>, row: UserRow): Promise<void> {
    if ((await this.repo.countActiveOwners(db)) <= 1) {
      throw new AppError('RULE_VIOLATION', `\`${row.handle}\` is the last active owner; make someone else an owner first`);
    }
  }

  private async assertUnique(db: Kysely<Database>, handle: string | null, email: string, exceptId: string | null): Promise<void> {
    if (handle !== null) {
      const byHandle = await this.repo.findUser(db, handle);
      if (byHandle && byHandle.id !== exceptId) throw new AppError('CONFLICT', `A user with handle \`${handle}\` already exists`, { field: 'handle' });
    }
    const byEmail = await this.repo.findUserByEmail(db, email);
    if (byEmail && byEmail.id !== exceptId) throw new AppError('CONFLICT', `A user with email ${email} already exists`, { field: 'email' });
  }

  // ---- teams

  async listTeams(includeDeactivated: boolean): Promise<Team[]> {
    return this.repo.toTeams(this.db, await this.repo.listTeams(this.db, includeDeactivated));
  }

  async getTeam(ref: string): Promise<Team> {
    return this.teamView(this.db, await this.requireTeam(this.db, ref));
  }

  async requireTeam(db: Kysely<Database>, ref: string): Promise<TeamRow> {
    const row = await this.repo.findTeam(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Team \`${ref}\` does not exist`);
    return row;
  }

  async teamView(db: Kysely<Database>, row: TeamRow): Promise<Team> {
    const [team] = await this.repo.toTeams(db, [row]);
    return team as Team;
  }

  async createTeam(acting: Acting, input: NewTeam): Promise<Team> {
    return this.deps.database.transaction(async (tx) => this.createTeamIn(tx.db, acting, input));
  }

  async createTeamIn(db: Kysely<Database>, acting: Acting, input: NewTeam): Promise<Team> {
    if (await this.repo.findTeam(db, input.handle)) throw new AppError('CONFLICT', `A team with handle \`${input.handle}\` already exists`, { field: 'handle' });
    const now = this.deps.clock.now();
    const row: TeamRow = { id: this.deps.ids(), handle: input.handle, name: input.name, description: input.description, deactivated_at: null, created_at: now, updated_at: now };
    await db.insertInto('teams').values(row).execute();
    const view = await this.teamView(db, row);
    await this.deps.audit.record(db, acting.actor, { action: 'team.create', targetType: 'team', targetId: row.id, after: view });
    return view;
  }

  async updateTeam(acting: Acting, ref: string, changes: { name?: string | undefined; description?: string | undefined }): Promise<Team> {
    return this.deps.database.transaction(async (tx) => this.updateTeamIn(tx.db, acting, ref, changes));
  }

  async updateTeamIn(db: Kysely<Database>, acting: Acting, ref: string, changes: { name?: string | undefined; description?: string | undefined }): Promise<Team> {
    const row = await this.requireTeam(db, ref);
    this.assertCanManage(acting, row);
    const before = await this.teamView(db, row);
    const updated = { ...row, name: changes.name ?? row.name, description: changes.description ?? row.description, updated_at: this.deps.clock.now() };
    await db.updateTable('teams').set({ name: updated.name, description: updated.description, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
    const after = await this.teamView(db, updated);
    await this.deps.audit.record(db, acting.actor, { action: 'team.update', targetType: 'team', targetId: row.id, before, after });
    return after;
  }

  async setTeamActive(acting: Acting, ref: string, active: boolean): Promise<Team> {
    return this.deps.database.transaction(async (tx) => this.setTeamActiveIn(tx.db, acting, ref, active));
  }

  async setTeamActiveIn(db: Kysely<Database>, acting: Acting, ref: string, active: boolean): Promise<Team> {
    const row = await this.requireTeam(db, ref);
    if ((row.deactivated_at === null) === active) return this.teamView(db, row);
    const before = await this.teamView(db, row);
    const now = this.deps.clock.now();
    const updated = { ...row, deactivated_at: active ? null : now, updated_at: now };
    await db.updateTable('teams').set({ deactivated_at: updated.deactivated_at, updated_at: now }).where('id', '=', row.id).execute();
    const after = await this.teamView(db, updated);
    await this.deps.audit.record(db, acting.actor, { action: active ? 'team.reactivate' : 'team.deactivate', targetType: 'team', targetId: row.id, before, after });
    return after;
  }

  async putMember(acting: Acting, teamRef: string, userRef: string, role: TeamRole): Promise<Team> {
    return this.deps.database.transaction(async (tx) => this.putMemberIn(tx.db, acting, teamRef, userRef, role));
  }

  async putMemberIn(db: Kysely<Database>, acting: Acting, teamRef: string, userRef: string, role: TeamRole): Promise<Team> {
    const team = await this.requireTeam(db, teamRef);
    this.assertCanManage(acting, team);
    const user = await this.requireUser(db, userRef);
    if (user.deactivated_at !== null) throw new AppError('RULE_VIOLATION', `User \`${user.handle}\` is deactivated`);
    const existing = await db.selectFrom('team_members').selectAll().where('team_id', '=', team.id).where('user_id', '=', user.id).executeTakeFirst();
    if (existing?.role === role) return this.teamView(db, team);
    const before = await this.teamView(db, team);
    if (existing) await db.updateTable('team_members').set({ role }).where('team_id', '=', team.id).where('user_id', '=', user.id).execute();
    else await db.insertInto('team_members').values({ team_id: team.id, user_id: user.id, role, created_at: this.deps.clock.now() }).execute();
    const after = await this.teamView(db, team);
    await this.deps.audit.record(db, acting.actor, { action: existing ? 'team.member.update' : 'team.member.add', targetType: 'team', targetId: team.id, before, after });
    return after;
  }

  async removeMember(acting: Acting, teamRef: string, userRef: string): Promise<Team> {
    return this.deps.database.transaction(async (tx) => this.removeMemberIn(tx.db, acting, teamRef, userRef));
  }

  async removeMemberIn(db: Kysely<Database>, acting: Acting, teamRef: string, userRef: string): Promise<Team> {
    const team = await this.requireTeam(db, teamRef);
    this.assertCanManage(acting, team);
    const user = await this.requireUser(db, userRef);
    const before = await this.teamView(db, team);
    const result = await db.deleteFrom('team_members').where('team_id', '=', team.id).where('user_id', '=', user.id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new AppError('NOT_FOUND', `\`${user.handle}\` is not a member of team \`${team.handle}\``);
    const after = await this.teamView(db, team);
    await this.deps.audit.record(db, acting.actor, { action: 'team.member.remove', targetType: 'team', targetId: team.id, before, after });
    return after;
  }

  private assertCanManage(acting: Acting, team: TeamRow): void {
    if (acting.principal && !canManageTeam(acting.principal, team.id)) {
      throw new AppError('FORBIDDEN', `Managing team \`${team.handle}\` needs the admin role or team admin of that team`);
    }
  }
}
