import { describe, expect, it } from 'vitest';
import { canManageTeam, lowerRole, roleAtLeast, type Principal } from './roles.js';

const principal = (over: Partial<Principal>): Principal => ({
  kind: 'session', userId: 'u1', userHandle: 'ana', userName: 'Ana', role: 'responder', teamScope: null, adminOfTeams: [], credentialId: 's1', ...over,
});

describe('roles', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'responder', false],
    ['responder', 'viewer', true],
    ['admin', 'owner', false],
    ['owner', 'admin', true],
  ] as const)('%s is at least %s: %s', (held, required, expected) => {
    expect(roleAtLeast(held, required)).toBe(expected);
  });

  it('gives a token the lower of its own role and its owner’s role', () => {
    expect(lowerRole('admin', 'viewer')).toBe('viewer');
    expect(lowerRole('responder', 'owner')).toBe('responder');
  });

  it('lets org admins and the team’s own admins manage a team, and nobody else', () => {
    expect(canManageTeam(principal({ role: 'admin' }), 't1')).toBe(true);
    expect(canManageTeam(principal({ adminOfTeams: ['t1'] }), 't1')).toBe(true);
    expect(canManageTeam(principal({ adminOfTeams: ['t2'] }), 't1')).toBe(false);
    expect(canManageTeam(principal({ role: 'viewer' }), 't1')).toBe(false);
  });

  it('confines a team-scoped token to its team even when its role is admin', () => {
    expect(canManageTeam(principal({ kind: 'token', role: 'admin', teamScope: 't2' }), 't1')).toBe(false);
    expect(canManageTeam(principal({ kind: 'token', role: 'admin', teamScope: 't1' }), 't1')).toBe(true);
  });
});
