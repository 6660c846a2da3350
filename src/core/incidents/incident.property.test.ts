/**
 * Property tests over random sequences of requests, fixed seeds: the lifecycle's times stay consistent
 * and every change leaves a milestone; the roles' rules hold whatever order people act in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeStatus, declare, edit, incidentStatuses, isRefusal, type IncidentState, type IncidentStatus } from './incident.js';
import { assignRole, doubleCommanders, INCIDENT_COMMANDER, type HeldRole, type Person } from './roles.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const RUNS = { numRuns: 300, seed: 20261121 };

const statusChange = fc.record({
  status: fc.constantFrom<IncidentStatus>(...incidentStatuses),
  mitigated: fc.option(fc.boolean(), { nil: undefined }),
  note: fc.option(fc.constantFrom('checked deploys', 'rolled back'), { nil: undefined }),
  afterMs: fc.integer({ min: 0, max: 3_600_000 }),
});

describe('the status lifecycle, over random request sequences', () => {
  it('keeps times ordered and consistent with the status, and records every change as a milestone', () => {
    fc.assert(
      fc.property(fc.array(statusChange, { maxLength: 25 }), (changes) => {
        let now = T0;
        let state: IncidentState = declare({ reference: 'INC-1', title: 't', severity: 'SEV2', summary: '', customerImpact: '', serviceIds: [], links: [], alerts: [] }, { now, actor: 'a' }).incident;
        for (const change of changes) {
          now += change.afterMs;
          const before = state;
          const d = changeStatus(state, change, { now, actor: 'a' });
          if (isRefusal(d)) {
            // Only these are refused: anything after resolution, and resolving while impact continues.
            expect(before.status === 'resolved' || (change.status === 'resolved' && change.mitigated === false)).toBe(true);
            continue;
          }
          state = d.incident;
          expect(before.status === 'resolved').toBe(false);
          const actions = d.timeline.map((e) => e.action);
          if (state.status !== before.status) expect(actions).toContain(state.status === 'resolved' ? 'resolve' : 'status');
          if (state.mitigatedAt !== before.mitigatedAt) expect(actions.some((a) => a === 'mitigate' || a === 'unmitigate')).toBe(true);
          expect(d.changed).toBe(d.timeline.length > 0);
          if (!d.changed) expect(state).toEqual(before);
        }
        expect(state.resolvedAt !== null).toBe(state.status === 'resolved');
        if (state.status === 'resolved') expect(state.mitigatedAt).not.toBeNull();
        expect(state.declaredAt).toBeLessThanOrEqual(state.mitigatedAt ?? Infinity);
        expect(state.mitigatedAt ?? -Infinity).toBeLessThanOrEqual(state.resolvedAt ?? Infinity);
        expect(state.detectedAt).toBeLessThanOrEqual(state.declaredAt);
      }),
      RUNS,
    );
  });

  it('once resolved, an edit touching anything but the summary is refused and changes nothing', () => {
    const patch = fc.record({
      title: fc.option(fc.constantFrom('t', 'new title'), { nil: undefined }),
      severity: fc.option(fc.constantFrom('SEV1', 'SEV2'), { nil: undefined }),
      summary: fc.option(fc.constantFrom('', 'root cause: bad deploy'), { nil: undefined }),
      customerImpact: fc.option(fc.constantFrom('', 'payments failed'), { nil: undefined }),
    });
    fc.assert(
      fc.property(patch, (p) => {
        const declared = declare({ reference: 'INC-1', title: 't', severity: 'SEV2', summary: '', customerImpact: '', serviceIds: [], links: [], alerts: [] }, { now: T0, actor: 'a' }).incident;
        const resolved = changeStatus(declared, { status: 'resolved' }, { now: T0 + 1, actor: 'a' });
        if (isRefusal(resolved)) throw new Error('resolving an open incident is allowed');
        const d = edit(resolved.incident, p, { now: T0 + 2, actor: 'a' });
        const touchesOthers = (p.title ?? 't') !== 't' || (p.severity ?? 'SEV2') !== 'SEV2' || (p.customerImpact ?? '') !== '';
        expect(isRefusal(d)).toBe(touchesOthers);
        if (!isRefusal(d)) expect({ ...d.incident, summary: '' }).toEqual({ ...resolved.incident, summary: '' });
      }),
      RUNS,
    );
  });
});

const people: Person[] = ['ana', 'ben', 'cho', 'dev'].map((h) => ({ userId: `u-${h}`, label: `@${h}` }));
const incidents = ['INC-1', 'INC-2', 'INC-3'];
const roleRequest = fc.record({
  incident: fc.constantFrom(...incidents),
  role: fc.constantFrom(INCIDENT_COMMANDER, 'communications_lead', 'scribe'),
  to: fc.constantFrom(...people),
  // What the caller believes: the truth, someone else, vacant, or nothing said.
  belief: fc.constantFrom('truth', 'stale', 'vacant', 'unsaid'),
  // About one request in ten is followed by the incident being resolved.
  resolveAfter: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

describe('roles, over random request sequences', () => {
  it('nobody ever commands two open incidents, handovers always name the holder, and every change is announced', () => {
    fc.assert(
      fc.property(fc.array(roleRequest, { maxLength: 40 }), (requests) => {
        const held = new Map<string, Person>(); // `${incident}/${role}` → holder
        const resolved = new Set<string>();
        for (const r of requests) {
          const key = `${r.incident}/${r.role}`;
          const current = held.get(key) ?? null;
          const expected = r.belief === 'truth' ? current : r.belief === 'vacant' ? null : r.belief === 'unsaid' ? undefined : people.find((p) => p.userId !== current?.userId) ?? null;
          const elsewhere = [...held].find(([k, p]) => k.endsWith(`/${INCIDENT_COMMANDER}`) && p.userId === r.to.userId && !k.startsWith(`${r.incident}/`) && !resolved.has(k.split('/')[0] as string));
          const d = assignRole({ role: r.role, to: r.to, expected, current, incidentResolved: resolved.has(r.incident), commandsElsewhere: elsewhere ? (elsewhere[0].split('/')[0] as string) : null }, { actor: 'x' });
          if (d.outcome === 'assigned' || d.outcome === 'handed-over') {
            expect(d.outcome === 'handed-over').toBe(current !== null);
            // A holder was replaced only by a request that named them.
            if (current) expect(expected?.userId).toBe(current.userId);
            expect(d.entry.summary.startsWith(`${r.to.label} is now the`)).toBe(true);
            held.set(key, r.to);
          } else if (d.outcome === 'conflict') {
            expect(d.holder).toEqual(current);
          }
          if (resolved.has(r.incident)) expect(d.outcome === 'refused' || d.outcome === 'unchanged').toBe(true);
          if (r.resolveAfter) resolved.add(r.incident);
          const roles: HeldRole[] = [...held].map(([k, p]) => ({ incident: k.split('/')[0] as string, role: k.split('/')[1] as string, userId: p.userId, incidentOpen: !resolved.has(k.split('/')[0] as string) }));
          expect(doubleCommanders(roles).size).toBe(0);
        }
      }),
      RUNS,
    );
  });
});
