/**
 * Property tests, fixed seeds: matching agrees with its definition for any playbooks and incident;
 * instantiation keeps items in order with consecutive positions; any sequence of task changes leaves
 * one timeline entry per real change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRefusal } from './incident.js';
import { appliesTo, changeTask, FIRST_FIVE_MINUTES_NAME, instantiate, matchingPlaybooks, type PlaybookDefinition, type TaskOwner, type TaskState } from './playbook.js';

const RUNS = { numRuns: 300, seed: 20261121 };
const severities = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
const services = ['s1', 's2', 's3', 's4', 's5'];

const playbookArb: fc.Arbitrary<PlaybookDefinition> = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e', FIRST_FIVE_MINUTES_NAME),
  title: fc.constant('t'),
  description: fc.constant(''),
  appliesTo: fc.option(fc.record({ severities: fc.subarray(severities), serviceIds: fc.subarray(services) }), { nil: null }),
  items: fc.array(fc.record({ title: fc.string({ minLength: 1, maxLength: 5 }), description: fc.constant(null), link: fc.constant(null), ownerRole: fc.option(fc.constantFrom('operations_lead', 'scribe'), { nil: null }) }), { minLength: 1, maxLength: 6 }),
});
/** Stored playbooks have unique names. */
const storedArb = fc.uniqueArray(playbookArb, { selector: (p) => p.name, maxLength: 6 });
const incidentArb = fc.record({ severity: fc.constantFrom(...severities), serviceIds: fc.subarray(services) });

describe('matching, for any playbooks and incident', () => {
  it('returns exactly the applicable ones, each once, the first five minutes unless replaced', () => {
    fc.assert(
      fc.property(storedArb, incidentArb, fc.subarray(['a', 'b', FIRST_FIVE_MINUTES_NAME]), (stored, incident, already) => {
        const matched = matchingPlaybooks(stored, incident, already);
        const names = matched.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const p of matched) {
          expect(appliesTo(p, incident)).toBe(true);
          expect(already).not.toContain(p.name);
          // Severity and service both hold when listed.
          if (p.appliesTo?.severities.length) expect(p.appliesTo.severities).toContain(incident.severity);
          if (p.appliesTo?.serviceIds.length) expect(p.appliesTo.serviceIds.some((s) => incident.serviceIds.includes(s))).toBe(true);
        }
        for (const p of stored) if (appliesTo(p, incident) && !already.includes(p.name)) expect(names).toContain(p.name);
        const replaced = stored.some((p) => p.name === FIRST_FIVE_MINUTES_NAME);
        if (!replaced && !already.includes(FIRST_FIVE_MINUTES_NAME)) expect(names[0]).toBe(FIRST_FIVE_MINUTES_NAME);
        if (replaced) expect(matched.filter((p) => p.name === FIRST_FIVE_MINUTES_NAME).every((p) => stored.includes(p))).toBe(true);
      }),
      RUNS,
    );
  });

  it('instantiates items in order with consecutive positions after the existing tasks', () => {
    fc.assert(
      fc.property(playbookArb, fc.nat(1000), (playbook, next) => {
        const tasks = instantiate(playbook, next);
        expect(tasks.map((t) => t.title)).toEqual(playbook.items.map((i) => i.title));
        expect(tasks.map((t) => t.position)).toEqual(playbook.items.map((_, i) => next + i));
        expect(tasks.every((t) => t.playbook?.name === playbook.name)).toBe(true);
      }),
      RUNS,
    );
  });
});

const ownerArb: fc.Arbitrary<TaskOwner> = fc.oneof(
  fc.record({ user: fc.constant(null), role: fc.option(fc.constantFrom('operations_lead', 'scribe'), { nil: null }) }),
  fc.record({ user: fc.constantFrom({ userId: 'u1', label: '@ana' }, { userId: 'u2', label: '@ben' }), role: fc.constant(null) }),
);
const patchArb = fc.record({ done: fc.option(fc.boolean(), { nil: undefined }), title: fc.option(fc.constantFrom('Roll back', 'Restart'), { nil: undefined }), owner: fc.option(ownerArb, { nil: undefined }) });

describe('task changes, over random sequences', () => {
  it('end in the state asked for, with one timeline entry per real change and check-offs attributed', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 20 }), (patches) => {
        let task: TaskState = { title: 'Roll back', done: false, owner: { user: null, role: null } };
        for (const patch of patches) {
          const d = changeTask(task, patch, { now: 0, actor: '@cho', reference: 'INC-1', incidentResolved: false });
          if (isRefusal(d)) throw new Error(d.refused);
          const expectedEntries =
            Number(patch.title !== undefined && patch.title !== task.title) +
            Number(patch.done !== undefined && patch.done !== task.done) +
            Number(patch.owner !== undefined && ((patch.owner.user?.userId ?? null) !== (task.owner.user?.userId ?? null) || patch.owner.role !== task.owner.role));
          expect(d.timeline).toHaveLength(expectedEntries);
          expect(d.changed).toBe(expectedEntries > 0);
          if (patch.done !== undefined) expect(d.state.done).toBe(patch.done);
          if (patch.done !== undefined && patch.done !== task.done) expect(d.timeline.some((e) => e.actor === '@cho' && e.action === (patch.done ? 'task-done' : 'task-undone'))).toBe(true);
          task = d.state;
        }
      }),
      RUNS,
    );
  });

  it('refuses every change once the incident is resolved', () => {
    fc.assert(
      fc.property(patchArb, (patch) => {
        expect(isRefusal(changeTask({ title: 'x', done: false, owner: { user: null, role: null } }, patch, { now: 0, actor: '@a', reference: 'INC-1', incidentResolved: true }))).toBe(true);
      }),
      RUNS,
    );
  });
});
