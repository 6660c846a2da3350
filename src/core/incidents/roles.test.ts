import { describe, expect, it } from 'vitest';
import { assignRole, doubleCommanders, releaseRole, roleName, type Person, type RoleRequest } from './roles.js';

const ana: Person = { userId: 'u-ana', label: '@ana' };
const chris: Person = { userId: 'u-chris', label: '@chris' };
const dev: Person = { userId: 'u-dev', label: '@dev' };

const request = (overrides: Partial<RoleRequest>): RoleRequest => ({ role: 'incident_commander', to: chris, expected: undefined, current: null, incidentResolved: false, commandsElsewhere: null, ...overrides });

describe('incident roles', () => {
  it('assigns a vacant role and announces it', () => {
    expect(assignRole(request({ role: 'communications_lead' }), { actor: 'ana' })).toEqual({
      outcome: 'assigned',
      entry: { kind: 'role', action: 'assign', actor: 'ana', summary: '@chris is now the communications lead', data: { role: 'communications_lead', from: null, to: 'u-chris' } },
    });
  });

  it('hands over a held role only when the request names the holder', () => {
    const implicit = assignRole(request({ current: ana }), { actor: 'chris' });
    expect(implicit).toMatchObject({ outcome: 'conflict', holder: ana, message: '@ana is the incident commander; handing over a role is explicit: repeat the request with expectedHolder ana' });
    expect(assignRole(request({ current: ana, expected: ana }), { actor: 'chris' })).toMatchObject({
      outcome: 'handed-over',
      entry: { action: 'handover', summary: '@chris is now the incident commander (handed over from @ana)' },
    });
  });

  it('of two people taking command from the same holder, the second finds the first holding it (409 naming them)', () => {
    // dev's request was made when ana held it; chris took it first.
    const late = assignRole(request({ to: dev, expected: ana, current: chris }), { actor: 'dev' });
    expect(late).toEqual({ outcome: 'conflict', holder: chris, message: 'The incident commander role is held by @chris, not by @ana as the request expected (someone changed it meanwhile)' });
    const expectedVacant = assignRole(request({ to: dev, expected: null, current: chris }), { actor: 'dev' });
    expect(expectedVacant).toMatchObject({ outcome: 'conflict', message: 'The incident commander role is held by @chris, not vacant as the request expected (someone changed it meanwhile)' });
  });

  it('is a no-op when the person already holds the role', () => {
    expect(assignRole(request({ current: chris, expected: ana }), { actor: 'chris' })).toEqual({ outcome: 'unchanged' });
  });

  it('refuses a second commander role, and any change once resolved', () => {
    expect(assignRole(request({ commandsElsewhere: 'INC-3' }), { actor: 'ana' })).toEqual({ outcome: 'refused', message: '@chris already commands INC-3; nobody holds two commander roles (hand that one over first)' });
    // Commanding elsewhere does not stop someone from taking another role here.
    expect(assignRole(request({ role: 'scribe', commandsElsewhere: 'INC-3' }), { actor: 'ana' }).outcome).toBe('assigned');
    expect(assignRole(request({ incidentResolved: true }), { actor: 'ana' })).toMatchObject({ outcome: 'refused' });
  });

  it('releases a role only from the holder the request names, and never command', () => {
    expect(releaseRole({ role: 'scribe', expected: dev, current: dev, incidentResolved: false }, { actor: 'dev' })).toEqual({
      outcome: 'released',
      entry: { kind: 'role', action: 'release', actor: 'dev', summary: '@dev is no longer the scribe', data: { role: 'scribe', from: 'u-dev', to: null } },
    });
    expect(releaseRole({ role: 'scribe', expected: dev, current: ana, incidentResolved: false }, { actor: 'dev' })).toEqual({ outcome: 'conflict', holder: ana, message: 'The scribe role is held by @ana, not by @dev as the request expected' });
    expect(releaseRole({ role: 'scribe', expected: dev, current: null, incidentResolved: false }, { actor: 'dev' })).toMatchObject({ outcome: 'conflict', holder: null });
    expect(releaseRole({ role: 'incident_commander', expected: dev, current: dev, incidentResolved: false }, { actor: 'dev' })).toMatchObject({ outcome: 'refused' });
    expect(releaseRole({ role: 'scribe', expected: dev, current: dev, incidentResolved: true }, { actor: 'dev' })).toMatchObject({ outcome: 'refused' });
  });

  it('names built-in and custom roles for people', () => {
    expect(roleName('operations_lead')).toBe('operations lead');
    expect(roleName('custom:db-liaison')).toBe('db-liaison');
  });

  it('finds people commanding two open incidents (resolved ones do not count)', () => {
    const held = [
      { incident: 'INC-1', role: 'incident_commander', userId: 'u-ana', incidentOpen: true },
      { incident: 'INC-2', role: 'incident_commander', userId: 'u-ana', incidentOpen: false },
      { incident: 'INC-3', role: 'scribe', userId: 'u-ana', incidentOpen: true },
    ];
    expect(doubleCommanders(held).size).toBe(0);
    expect(doubleCommanders([...held, { incident: 'INC-4', role: 'incident_commander', userId: 'u-ana', incidentOpen: true }])).toEqual(new Map([['u-ana', ['INC-1', 'INC-4']]]));
  });
});
