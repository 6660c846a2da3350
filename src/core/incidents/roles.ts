/**
 * Incident roles (Incident Command System): who is in charge and who does what. Pure rules; the
 * server makes them race-safe with a compare-and-set on the role's row and a unique index on open
 * commanders (docs/incidents.md, "Roles").
 *
 * 1. Each role of an incident has at most one holder; a role not held is vacant.
 * 2. Handing over a held role is explicit: the request names who holds it now (`expected`). Without
 *    that, or naming the wrong person (someone else took it meanwhile), it is a conflict that names
 *    the holder. This is also what makes two people taking command at once safe: one wins.
 * 3. Nobody holds two commander roles: a person commands at most one open incident.
 * 4. Roles of a resolved incident no longer change.
 */

import type { TimelineEntry } from './incident.js';

export const INCIDENT_COMMANDER = 'incident_commander';

const builtInNames: Record<string, string> = {
  incident_commander: 'incident commander',
  communications_lead: 'communications lead',
  operations_lead: 'operations lead',
  scribe: 'scribe',
};

/** How a role is said in sentences: `incident commander`, or a custom role's name (`custom:db-liaison` → `db-liaison`). */
export function roleName(role: string): string {
  return builtInNames[role] ?? role.replace(/^custom:/, '');
}

/** A person, as the rules see them: an id to compare and a label to show (`@chris`). */
export interface Person {
  userId: string;
  label: string;
}

export interface RoleRequest {
  role: string;
  /** Who should hold the role. */
  to: Person;
  /** Who the caller believes holds it now: a person, null for vacant, undefined when not said. */
  expected: Person | null | undefined;
  /** Who holds it now. */
  current: Person | null;
  incidentResolved: boolean;
  /** For the commander role: another open incident `to` already commands (its reference), else null. */
  commandsElsewhere: string | null;
}

export type RoleDecision =
  | { outcome: 'assigned' | 'handed-over'; entry: TimelineEntry }
  /** `to` already holds the role: nothing to do. */
  | { outcome: 'unchanged' }
  /** The request lost a race or did not say whom it takes the role from (409, naming the holder). */
  | { outcome: 'conflict'; message: string; holder: Person | null }
  /** A rule refuses it whatever the timing (422). */
  | { outcome: 'refused'; message: string };

/**
 * Decides a role assignment.
 *
 * @example
 *   assignRole({ role: 'incident_commander', to: chris, expected: ana, current: ana, incidentResolved: false, commandsElsewhere: null }, { actor: 'chris' });
 *   // { outcome: 'handed-over', entry: { summary: '@chris is now the incident commander (handed over from @ana)', … } }
 */
export function assignRole(request: RoleRequest, ctx: { actor: string }): RoleDecision {
  const name = roleName(request.role);
  if (request.incidentResolved) return { outcome: 'refused', message: `the incident is resolved; its roles no longer change` };
  const { current, expected, to } = request;
  if (current?.userId === to.userId) return { outcome: 'unchanged' };
  if (expected !== undefined && (expected?.userId ?? null) !== (current?.userId ?? null)) {
    const now = current ? `is held by ${current.label}` : 'is vacant';
    return { outcome: 'conflict', message: `The ${name} role ${now}, not ${expected ? `by ${expected.label}` : 'vacant'} as the request expected (someone changed it meanwhile)`, holder: current };
  }
  if (current && expected === undefined) {
    return { outcome: 'conflict', message: `${current.label} is the ${name}; handing over a role is explicit: repeat the request with expectedHolder ${current.label.replace(/^@/, '')}`, holder: current };
  }
  if (request.role === INCIDENT_COMMANDER && request.commandsElsewhere !== null) {
    return { outcome: 'refused', message: `${to.label} already commands ${request.commandsElsewhere}; nobody holds two commander roles (hand that one over first)` };
  }
  const data = { role: request.role, from: current?.userId ?? null, to: to.userId };
  if (current) {
    return { outcome: 'handed-over', entry: { kind: 'role', action: 'handover', actor: ctx.actor, summary: `${to.label} is now the ${name} (handed over from ${current.label})`, data } };
  }
  return { outcome: 'assigned', entry: { kind: 'role', action: 'assign', actor: ctx.actor, summary: `${to.label} is now the ${name}`, data } };
}

export interface ReleaseRequest {
  role: string;
  /** Who the caller believes holds the role (releasing is as explicit as handing over). */
  expected: Person;
  current: Person | null;
  incidentResolved: boolean;
}

export type ReleaseDecision =
  | { outcome: 'released'; entry: TimelineEntry }
  | { outcome: 'conflict'; message: string; holder: Person | null }
  | { outcome: 'refused'; message: string };

/**
 * Leaves a role vacant (a scribe going off shift). Command is never released, only handed over: an
 * open incident keeps someone in charge.
 *
 * @example
 *   releaseRole({ role: 'scribe', expected: dev, current: dev, incidentResolved: false }, { actor: 'dev' });
 *   // { outcome: 'released', entry: { summary: '@dev is no longer the scribe', … } }
 */
export function releaseRole(request: ReleaseRequest, ctx: { actor: string }): ReleaseDecision {
  const name = roleName(request.role);
  if (request.incidentResolved) return { outcome: 'refused', message: 'the incident is resolved; its roles no longer change' };
  if (request.role === INCIDENT_COMMANDER) return { outcome: 'refused', message: 'command is handed over, never released: someone must stay in charge' };
  const { current, expected } = request;
  if (current?.userId !== expected.userId) {
    return { outcome: 'conflict', message: `The ${name} role ${current ? `is held by ${current.label}` : 'is vacant'}, not by ${expected.label} as the request expected`, holder: current };
  }
  return { outcome: 'released', entry: { kind: 'role', action: 'release', actor: ctx.actor, summary: `${current.label} is no longer the ${name}`, data: { role: request.role, from: current.userId, to: null } } };
}

/** One role held, as the invariant check reads it. */
export interface HeldRole {
  incident: string;
  role: string;
  userId: string;
  incidentOpen: boolean;
}

/**
 * The people who break rule 3 (command two open incidents), with the incidents they command. Used by
 * tests and as a consistency check; the database enforces it with a unique index.
 */
export function doubleCommanders(held: readonly HeldRole[]): Map<string, string[]> {
  const byUser = new Map<string, string[]>();
  for (const h of held) {
    if (h.role !== INCIDENT_COMMANDER || !h.incidentOpen) continue;
    byUser.set(h.userId, [...(byUser.get(h.userId) ?? []), h.incident]);
  }
  return new Map([...byUser].filter(([, incidents]) => incidents.length > 1));
}
