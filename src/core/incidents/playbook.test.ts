import { describe, expect, it } from 'vitest';
import { isRefusal } from './incident.js';
import {
  appliesTo,
  changeTask,
  changeThread,
  effectivePlaybooks,
  firstFiveMinutes,
  instantiate,
  matchingPlaybooks,
  playbookAddedEntry,
  taskOwnerNow,
  type PlaybookDefinition,
  type TaskState,
  type ThreadState,
} from './playbook.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
const ctx = { now: T0, actor: '@ana', reference: 'INC-7', incidentResolved: false };

const playbook = (name: string, appliesToRule: PlaybookDefinition['appliesTo'], items = 2): PlaybookDefinition => ({
  name,
  title: name.toUpperCase(),
  description: '',
  appliesTo: appliesToRule,
  items: Array.from({ length: items }, (_, i) => ({ title: `${name} ${i + 1}`, description: null, link: null, ownerRole: i === 0 ? 'operations_lead' : null })),
});

describe('which playbooks a declared incident gets', () => {
  const db = playbook('db', { severities: ['SEV1', 'SEV2'], serviceIds: ['svc-db'] });
  const sev1 = playbook('sev1', { severities: ['SEV1'], serviceIds: [] });
  const checkout = playbook('checkout', { severities: [], serviceIds: ['svc-checkout', 'svc-cart'] });
  const manual = playbook('manual', null);

  it('needs both the severity and an impacted service when both are listed', () => {
    expect(appliesTo(db, { severity: 'SEV2', serviceIds: ['svc-db'] })).toBe(true);
    expect(appliesTo(db, { severity: 'SEV3', serviceIds: ['svc-db'] })).toBe(false);
    expect(appliesTo(db, { severity: 'SEV1', serviceIds: ['svc-checkout'] })).toBe(false);
    expect(appliesTo(db, { severity: 'SEV1', serviceIds: [] })).toBe(false);
  });

  it('treats an empty list as any, and no appliesTo as manual only', () => {
    expect(appliesTo(sev1, { severity: 'SEV1', serviceIds: [] })).toBe(true);
    expect(appliesTo(checkout, { severity: 'SEV4', serviceIds: ['svc-cart'] })).toBe(true);
    expect(appliesTo(manual, { severity: 'SEV1', serviceIds: ['svc-db'] })).toBe(false);
    expect(appliesTo(playbook('all', { severities: [], serviceIds: [] }), { severity: 'SEV4', serviceIds: [] })).toBe(true);
  });

  it('always includes the built-in first five minutes, first, then the matches by name', () => {
    expect(matchingPlaybooks([sev1, manual, db, checkout], { severity: 'SEV1', serviceIds: ['svc-db', 'svc-cart'] }).map((p) => p.name)).toEqual(['first-five-minutes', 'checkout', 'db', 'sev1']);
    expect(matchingPlaybooks([sev1, db], { severity: 'SEV4', serviceIds: [] }).map((p) => p.name)).toEqual(['first-five-minutes']);
  });

  it('lets a stored first-five-minutes playbook replace the built-in, or switch it off by making it manual', () => {
    const narrowed = { ...playbook('first-five-minutes', { severities: ['SEV1'], serviceIds: [] }), title: 'Our first minutes' };
    expect(effectivePlaybooks([sev1, narrowed]).map((p) => p.title)).toEqual(['Our first minutes', 'SEV1']);
    expect(matchingPlaybooks([narrowed], { severity: 'SEV1', serviceIds: [] }).map((p) => p.title)).toEqual(['Our first minutes']);
    expect(matchingPlaybooks([narrowed], { severity: 'SEV2', serviceIds: [] })).toEqual([]);
    expect(matchingPlaybooks([playbook('first-five-minutes', null)], { severity: 'SEV1', serviceIds: [] })).toEqual([]);
  });

  it('skips playbooks the incident already has', () => {
    expect(matchingPlaybooks([sev1], { severity: 'SEV1', serviceIds: [] }, ['first-five-minutes']).map((p) => p.name)).toEqual(['sev1']);
  });

  it('follows the rhythm: review, mitigate (roll back first), pull in others, pause', () => {
    expect(firstFiveMinutes.items.map((i) => i.title.split(/[:?]/)[0])).toEqual(['Review status', 'Look for mitigations', 'Pull in others', 'Pause']);
    expect(firstFiveMinutes.items[1]?.title).toContain('roll back first');
  });
});

describe('instantiating a playbook', () => {
  it('numbers its items on from the tasks already there and keeps where they came from', () => {
    const tasks = instantiate(playbook('db', null, 3), 5);
    expect(tasks.map((t) => [t.position, t.title, t.ownerRole, t.playbook?.name])).toEqual([
      [5, 'db 1', 'operations_lead', 'db'],
      [6, 'db 2', null, 'db'],
      [7, 'db 3', null, 'db'],
    ]);
    expect(playbookAddedEntry(playbook('db', null, 3), 3, { actor: '@ana' })).toMatchObject({ kind: 'task', action: 'playbook-added', summary: 'Checklist: added playbook “DB”, 3 tasks' });
  });
});

describe('tasks', () => {
  const task: TaskState = { title: 'Roll back', done: false, owner: { user: null, role: 'operations_lead' } };

  it('records checking off and undoing on the timeline, and nothing for no change', () => {
    const done = changeTask(task, { done: true }, ctx);
    if (isRefusal(done)) throw new Error(done.refused);
    expect(done.state.done).toBe(true);
    expect(done.timeline).toEqual([{ kind: 'task', action: 'task-done', actor: '@ana', summary: '@ana checked off “Roll back”', data: null }]);
    const again = changeTask(done.state, { done: true }, ctx);
    expect(again).toMatchObject({ changed: false, timeline: [] });
    const undone = changeTask(done.state, { done: false }, ctx);
    expect(undone).toMatchObject({ changed: true, timeline: [{ action: 'task-undone', summary: '@ana marked “Roll back” as not done' }] });
  });

  it('says who owns it after a reassignment: a person or a role', () => {
    expect(changeTask(task, { owner: { user: { userId: 'u1', label: '@ben' }, role: null } }, ctx)).toMatchObject({ timeline: [{ action: 'task-owner', summary: 'Task “Roll back” is now owned by @ben' }] });
    expect(changeTask(task, { owner: { user: null, role: 'scribe' } }, ctx)).toMatchObject({ timeline: [{ summary: 'Task “Roll back” is now owned by the scribe' }] });
    expect(changeTask(task, { owner: { user: null, role: 'operations_lead' } }, ctx)).toMatchObject({ changed: false });
  });

  it('is refused once the incident is resolved', () => {
    expect(changeTask(task, { done: true }, { ...ctx, incidentResolved: true })).toEqual({ refused: 'INC-7 is resolved: its tasks no longer change (only the summary and timeline notes do)', fields: ['done'] });
  });

  it('resolves a role owner to whoever holds the role now', () => {
    const holders = new Map([['operations_lead', { userId: 'u2', label: '@cho' }]]);
    expect(taskOwnerNow({ user: null, role: 'operations_lead' }, holders)).toEqual({ userId: 'u2', label: '@cho' });
    expect(taskOwnerNow({ user: null, role: 'scribe' }, holders)).toBeNull();
    expect(taskOwnerNow({ user: { userId: 'u1', label: '@ben' }, role: null }, holders)).toEqual({ userId: 'u1', label: '@ben' });
    expect(taskOwnerNow({ user: null, role: null }, holders)).toBeNull();
  });
});

describe('threads', () => {
  const thread: ThreadState = { title: 'Is it the DB?', description: '', owner: { userId: 'u1', label: '@ben' }, status: 'open', conclusion: null };

  it('needs a conclusion to conclude, and records it', () => {
    expect(changeThread(thread, { status: 'concluded' }, ctx)).toEqual({ refused: 'Concluding thread “Is it the DB?” needs a conclusion: what came of it', fields: ['conclusion'] });
    const concluded = changeThread(thread, { status: 'concluded', conclusion: 'Replica lag is normal' }, ctx);
    expect(concluded).toMatchObject({ state: { status: 'concluded', conclusion: 'Replica lag is normal' }, timeline: [{ kind: 'thread', action: 'thread-concluded', summary: 'Thread “Is it the DB?” concluded: Replica lag is normal' }] });
  });

  it('refuses a conclusion on an open thread, reopens clearing the conclusion, abandons without one', () => {
    expect(changeThread(thread, { conclusion: 'x' }, ctx)).toMatchObject({ fields: ['conclusion'] });
    const concluded = { ...thread, status: 'concluded' as const, conclusion: 'Not it' };
    expect(changeThread(concluded, { status: 'open' }, ctx)).toMatchObject({ state: { status: 'open', conclusion: null }, timeline: [{ action: 'thread-reopened', summary: 'Thread “Is it the DB?” reopened' }] });
    expect(changeThread(thread, { status: 'abandoned' }, ctx)).toMatchObject({ state: { status: 'abandoned' }, timeline: [{ summary: 'Thread “Is it the DB?” abandoned' }] });
    expect(changeThread(concluded, { conclusion: 'Not it: lag is normal' }, ctx)).toMatchObject({ timeline: [{ summary: 'Thread “Is it the DB?” conclusion changed: Not it: lag is normal' }] });
  });

  it('hands a thread to another owner, on the timeline', () => {
    expect(changeThread(thread, { owner: { userId: 'u2', label: '@cho' } }, ctx)).toMatchObject({ timeline: [{ action: 'thread-owner', summary: '@cho now owns thread “Is it the DB?”' }] });
    expect(changeThread(thread, { owner: null }, ctx)).toMatchObject({ state: { owner: null }, timeline: [{ summary: 'Thread “Is it the DB?” has no owner now' }] });
    expect(changeThread(thread, { owner: { userId: 'u1', label: '@ben' }, status: 'open' }, ctx)).toMatchObject({ changed: false });
  });

  it('is refused once the incident is resolved', () => {
    expect(changeThread(thread, { owner: null }, { ...ctx, incidentResolved: true })).toMatchObject({ fields: ['owner'] });
  });
});
