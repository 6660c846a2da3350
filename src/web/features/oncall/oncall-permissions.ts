import type { SessionInfo } from '../../../contracts/auth.js';
import { isAdmin, roleAtLeast } from '../../app/permissions.js';

/**
 * Mirrors the server's rule for showing schedule and policy controls (docs/oncall.md, "Who may
 * change what"): admins, and team admins of the owning team; things that belong to no team are for
 * admins only. Without `teamId` (creating): admins and anyone who is a team admin somewhere. The
 * server checks again on every change.
 */
export function canEditSchedules(session: SessionInfo, teamId?: string | null): boolean {
  if (isAdmin(session)) return true;
  if (teamId === null) return false;
  return session.user.teams.some((t) => t.role === 'admin' && (teamId === undefined || t.id === teamId));
}

/**
 * Overrides and swaps: the people above, plus any responder who is a member of the schedule's team,
 * so people arrange cover among themselves without waiting for a lead.
 */
export function canOverride(session: SessionInfo, teamId: string | null): boolean {
  if (canEditSchedules(session, teamId)) return true;
  return teamId !== null && roleAtLeast(session.user.role, 'responder') && session.user.teams.some((t) => t.id === teamId);
}
