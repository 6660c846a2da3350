import type { Kysely } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import { canManageTeam, roleAtLeast } from '../../../core/auth/roles.js';
import type { Database } from '../../platform/db/schema.js';
import type { Acting } from '../catalog/catalog.service.js';
import { oncallRepo } from './oncall.repo.js';

/**
 * Who may change on-call data (docs/oncall.md, "Who may change what"):
 *
 * - Schedules and escalation policies: an admin, or a team admin of the owning team. Things that
 *   belong to no team are organization-wide: admins only, never a team-scoped token.
 * - Overrides and swaps: the same people, plus any responder who is a member of the schedule's team
 *   (people arrange cover among themselves without waiting for a lead).
 * - Everyone (viewer and up) reads everything, so anyone can find how to reach another team.
 *
 * `acting.principal` is null when Firebreak itself acts (demo data), which the caller has checked.
 */
export function assertCanManage(acting: Acting, teamId: string | null, what: string): void {
  const p = acting.principal;
  if (!p) return;
  if (teamId === null) {
    if (p.teamScope !== null || !roleAtLeast(p.role, 'admin')) throw new AppError('FORBIDDEN', `${what} belongs to no team, so only admins (not team-scoped tokens) can change it`);
    return;
  }
  if (!canManageTeam(p, teamId)) throw new AppError('FORBIDDEN', `Changing ${what} needs the admin role or team admin of its team`);
}

export async function assertCanEditOverrides(db: Kysely<Database>, acting: Acting, schedule: { handle: string; team_id: string | null }): Promise<void> {
  const p = acting.principal;
  if (!p) return;
  const teamId = schedule.team_id;
  if (teamId === null) {
    assertCanManage(acting, null, `Schedule \`${schedule.handle}\``);
    return;
  }
  if (canManageTeam(p, teamId)) return;
  if (roleAtLeast(p.role, 'responder') && (p.teamScope === null || p.teamScope === teamId) && (await oncallRepo.isMember(db, teamId, p.userId))) return;
  throw new AppError('FORBIDDEN', `Overrides on schedule \`${schedule.handle}\` need the admin role, team admin of its team, or a responder who is a member of it`);
}
