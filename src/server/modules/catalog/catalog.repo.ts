import type { Kysely, Selectable } from 'kysely';
import type { Team } from '../../../contracts/teams.js';
import type { User } from '../../../contracts/users.js';
import type { Role, TeamRole } from '../../../core/auth/roles.js';
import type { Database, TeamsTable, UsersTable } from '../../platform/db/schema.js';

export type UserRow = Selectable<UsersTable>;
export type TeamRow = Selectable<TeamsTable>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Queries for users, teams and membership. Thin: rules live in the service. */
export class CatalogRepo {
  async findUser(db: Kysely<Database>, ref: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
  }

  async findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async listUsers(db: Kysely<Database>, includeDeactivated: boolean): Promise<UserRow[]> {
    let q = db.selectFrom('users').selectAll().orderBy('handle');
    if (!includeDeactivated) q = q.where('deactivated_at', 'is', null);
    return q.execute();
  }

  async countActiveOwners(db: Kysely<Database>): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'owner')
      .where('deactivated_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countUsers(db: Kysely<Database>): Promise<number> {
    const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findTeam(db: Kysely<Database>, ref: string): Promise<TeamRow | undefined> {
    return db.selectFrom('teams').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
  }

  async listTeams(db: Kysely<Database>, includeDeactivated: boolean): Promise<TeamRow[]> {
    let q = db.selectFrom('teams').selectAll().orderBy('handle');
    if (!includeDeactivated) q = q.where('deactivated_at', 'is', null);
    return q.execute();
  }

  async membersOf(db: Kysely<Database>, teamIds: string[]): Promise<Array<{ team_id: string; user_id: string; role: string; handle: string; name: string }>> {
    if (teamIds.length === 0) return [];
    return db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['team_members.team_id', 'team_members.user_id', 'team_members.role', 'users.handle', 'users.name'])
      .where('team_members.team_id', 'in', teamIds)
      .orderBy('users.handle')
      .execute();
  }

  async teamsOf(db: Kysely<Database>, userIds: string[]): Promise<Array<{ user_id: string; team_id: string; role: string; handle: string; name: string }>> {
    if (userIds.length === 0) return [];
    return db
      .selectFrom('team_members')
      .innerJoin('teams', 'teams.id', 'team_members.team_id')
      .select(['team_members.user_id', 'team_members.team_id', 'team_members.role', 'teams.handle', 'teams.name'])
      .where('team_members.user_id', 'in', userIds)
      .where('teams.deactivated_at', 'is', null)
      .orderBy('teams.handle')
      .execute();
  }

  async adminTeamIds(db: Kysely<Database>, userId: string): Promise<string[]> {
    const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).where('role', '=', 'admin').execute();
    return rows.map((r) => r.team_id);
  }

  async toUsers(db: Kysely<Database>, rows: UserRow[]): Promise<User[]> {
    const memberships = await this.teamsOf(db, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      handle: r.handle,
      name: r.name,
      email: r.email,
      timeZone: r.time_zone,
      role: r.role as Role,
      totpEnabled: r.totp_enabled === 1,
      deactivatedAt: iso(r.deactivated_at),
      createdAt: iso(r.created_at) as string,
      updatedAt: iso(r.updated_at) as string,
      teams: memberships.filter((m) => m.user_id === r.id).map((m) => ({ id: m.team_id, handle: m.handle, name: m.name, role: m.role as TeamRole })),
    }));
  }

  async toTeams(db: Kysely<Database>, rows: TeamRow[]): Promise<Team[]> {
    const members = await this.membersOf(db, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      handle: r.handle,
      name: r.name,
      description: r.description,
      deactivatedAt: iso(r.deactivated_at),
      createdAt: iso(r.created_at) as string,
      updatedAt: iso(r.updated_at) as string,
      members: members.filter((m) => m.team_id === r.id).map((m) => ({ userId: m.user_id, handle: m.handle, name: m.name, role: m.role as TeamRole })),
    }));
  }
}
