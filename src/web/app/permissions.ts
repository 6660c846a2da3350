import type { SessionInfo } from '../../contracts/auth.js';
import type { Team } from '../../contracts/teams.js';
import type { User } from '../../contracts/users.js';

export type Role = User['role'];

/** Organization roles from least to most privileged; each includes the ones before it. */
export const roles: readonly Role[] = ['viewer', 'responder', 'admin', 'owner'];

export const roleNames: Record<Role, string> = { viewer: 'Viewer', responder: 'Responder', admin: 'Admin', owner: 'Owner' };

export function roleAtLeast(held: Role, required: Role): boolean {
  return roles.indexOf(held) >= roles.indexOf(required);
}

/** Roles a person may hand out (to a new user or an API token): their own and the ones below. */
export function rolesUpTo(held: Role): Role[] {
  return roles.filter((role) => roleAtLeast(held, role));
}

export function isAdmin(session: SessionInfo): boolean {
  return roleAtLeast(session.user.role, 'admin');
}

/**
 * Mirrors the server's rule for showing team controls: organization admins, and admins of that
 * team. The server checks again on every change.
 */
export function canManageTeam(session: SessionInfo, team: Pick<Team, 'id'>): boolean {
  return isAdmin(session) || session.user.teams.some((t) => t.id === team.id && t.role === 'admin');
}
