/**
 * Organization roles, from least to most privileged. Each role can do everything the roles before it
 * can (ADR 0004 lists what each one is for).
 */
export const roles = ['viewer', 'responder', 'admin', 'owner'] as const;
export type Role = (typeof roles)[number];

/** Roles a person can hold inside one team. */
export const teamRoles = ['member', 'admin'] as const;
export type TeamRole = (typeof teamRoles)[number];

export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

/** True when `held` is `required` or above it. */
export function roleAtLeast(held: Role, required: Role): boolean {
  return roleRank(held) >= roleRank(required);
}

/** The lower of two roles: an API token never carries more than the person who made it holds now. */
export function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

/**
 * Who is making a request, after authentication. A token's effective role is the lower of the token's
 * role and its owner's current role, so demoting a person also demotes their tokens.
 */
export interface Principal {
  kind: 'session' | 'token';
  userId: string;
  userHandle: string;
  userName: string;
  role: Role;
  /** Set for team-scoped tokens: the token may act only on this team's resources. */
  teamScope: string | null;
  /** Team ids where the user is a team admin (empty for team-scoped tokens outside their team). */
  adminOfTeams: readonly string[];
  /** Session id or token id, for the audit log. */
  credentialId: string;
}

/** True when the principal may manage a team: an org admin, or a team admin of that team. */
export function canManageTeam(principal: Principal, teamId: string): boolean {
  if (principal.teamScope !== null && principal.teamScope !== teamId) return false;
  return roleAtLeast(principal.role, 'admin') || principal.adminOfTeams.includes(teamId);
}
