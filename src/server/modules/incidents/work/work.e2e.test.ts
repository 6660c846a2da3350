import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls, type Method } from '../../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import type { IncidentTask, IncidentThread, Playbook } from '../../../../contracts/incident-work.js';
import type { Incident, IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import { systemActor } from '../../audit/audit.repo.js';
import { ManualClock } from '../../../platform/clock.js';

for (const dialect of dialectCases()) describe(`threads, checklists and playbooks over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let ana: string;
  let ben: string;
  let cho: string;
  let viewer: string;

  const { call, fails } = apiCalls(() => t);
  // Unlike the shared `ok`, this one expects one exact status: 201 for a POST, 200 otherwise, unless told.
  const ok = async <T>(token: string, method: Method, url: string, payload?: Record<string, unknown>, status = method === 'POST' ? 201 : 200): Promise<T> => {
    const res = await call(token, method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    return json<T>(res);
  };
  /** The shared `fails`, and when `path` is given, an issue naming that field. */
  const refused = async (token: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload: Record<string, unknown> | undefined, status: number, path?: string) => {
    const body = await fails(status, token, method, url, payload);
    if (path) expect(body.details?.issues?.map((i) => i.path)).toContain(path);
    return body;
  };
  const declare = (token: string, payload: Record<string, unknown>) => ok<Incident>(token, 'POST', '/api/v1/incidents', payload);
  const tasks = async (ref: string) => (await ok<{ items: IncidentTask[] }>(viewer, 'GET', `/api/v1/incidents/${ref}/tasks`)).items;
  const timeline = async (ref: string) => (await ok<{ items: IncidentTimelineEntry[] }>(viewer, 'GET', `/api/v1/incidents/${ref}/timeline`)).items;
  const audit = async (action: string) => (await ok<{ items: Array<{ action: string; target: { id: string } }> }>(ana, 'GET', `/api/v1/audit?action=${action}`)).items;

  const checkoutPlaybook = {
    name: 'checkout-first-checks',
    title: 'Checkout first checks',
    appliesTo: { severities: ['SEV1', 'SEV2'], services: ['checkout'] },
    items: [
      { title: 'Recent deploys? Roll back', link: 'https://deploys.example.test/checkout', ownerRole: 'operations_lead' },
      { title: 'Resource pressure? Restart' },
      { title: 'Primary hardware? Fail over', description: 'Promote the replica' },
    ],
  };

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    ana = (await t.userWithToken('admin', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    cho = (await t.userWithToken('responder', 'cho')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    for (const handle of ['checkout', 'payments']) expect((await call(ana, 'POST', '/api/v1/services', { handle, name: handle })).statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  it('manages playbooks: admins write, everyone reads, the built-in listed first, audited', async () => {
    const listed = (await ok<{ items: Playbook[] }>(viewer, 'GET', '/api/v1/playbooks')).items;
    expect(listed.map((p) => [p.name, p.builtIn, p.managedBy])).toEqual([['first-five-minutes', true, 'builtin']]);
    expect(listed[0]?.items.map((i) => i.title.split(/[:?]/)[0])).toEqual(['Review status', 'Look for mitigations', 'Pull in others', 'Pause']);

    await refused(ben, 'POST', '/api/v1/playbooks', checkoutPlaybook, 403);
    const created = await ok<Playbook>(ana, 'POST', '/api/v1/playbooks', checkoutPlaybook);
    expect(created).toMatchObject({ name: 'checkout-first-checks', appliesTo: { severities: ['SEV1', 'SEV2'], services: ['checkout'] }, builtIn: false, managedBy: 'api' });
    expect(created.items[0]).toEqual({ title: 'Recent deploys? Roll back', description: null, link: 'https://deploys.example.test/checkout', ownerRole: 'operations_lead' });
    expect((await ok<Playbook>(viewer, 'GET', '/api/v1/playbooks/checkout-first-checks')).id).toBe(created.id);
    await refused(ana, 'POST', '/api/v1/playbooks', checkoutPlaybook, 409);

    const patched = await ok<Playbook>(ana, 'PATCH', '/api/v1/playbooks/checkout-first-checks', { appliesTo: null, title: 'Checkout checks' });
    expect(patched).toMatchObject({ title: 'Checkout checks', appliesTo: null });
    expect(patched.items).toHaveLength(3);
    expect((await call(ana, 'DELETE', '/api/v1/playbooks/checkout-first-checks')).statusCode).toBe(204);
    expect((await call(viewer, 'GET', '/api/v1/playbooks/checkout-first-checks')).statusCode).toBe(404);
    await refused(ana, 'PATCH', '/api/v1/playbooks/first-five-minutes', { title: 'x' }, 422, 'params.playbook');
    expect((await audit('playbook.create')).map((a) => a.target.id)).toEqual([created.id]);
    expect((await audit('playbook.update')).length).toBe(1);
    expect((await audit('playbook.delete')).length).toBe(1);
  });

  it('refuses bad playbooks with 400 naming the field', async () => {
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, appliesTo: { severities: ['SEV9'] } }, 400, 'body.appliesTo.severities.0');
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, appliesTo: { services: ['checkout', 'nope'] } }, 400, 'body.appliesTo.services.1');
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, items: [] }, 400, 'body.items');
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, items: [{ title: 'x', ownerRole: 'boss' }] }, 400, 'body.items.0.ownerRole');
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, items: [{ title: 'x', link: 'javascript:alert(1)' }] }, 400, 'body.items.0.link');
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, name: 'Not A Handle' }, 400, 'body.name');
    expect((await ok<{ items: Playbook[] }>(viewer, 'GET', '/api/v1/playbooks')).items).toHaveLength(1);
  });

  it('follows configured severities: a new one can be named; a named one cannot be deleted (422 naming the playbook)', async () => {
    await refused(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, appliesTo: { severities: ['SEV0'] } }, 400, 'body.appliesTo.severities.0');
    await ok(ana, 'POST', '/api/v1/incident-severities', { key: 'SEV0', name: 'Catastrophic', position: 0 });
    await ok(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, appliesTo: { severities: ['SEV0'] } });
    const body = await refused(ana, 'DELETE', '/api/v1/incident-severities/SEV0', undefined, 422);
    expect(body.message).toContain('playbook checkout-first-checks');
    const incident = await declare(ben, { title: 'Everything down', severity: 'SEV0' });
    expect((await tasks(incident.reference)).map((x) => x.playbook?.name)).toContain('checkout-first-checks');
  });

  it('instantiates matching playbooks on declare: the first five minutes, then by severity and service; tasks follow their role’s holder', async () => {
    await ok(ana, 'POST', '/api/v1/playbooks', checkoutPlaybook);
    await ok(ana, 'POST', '/api/v1/playbooks', { name: 'sev1-only', title: 'SEV1 extras', appliesTo: { severities: ['SEV1'] }, items: [{ title: 'Open a bridge' }] });
    await ok(ana, 'POST', '/api/v1/playbooks', { name: 'db-failover', title: 'DB failover', items: [{ title: 'Promote replica' }] });

    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'] });
    const list = await tasks(incident.reference);
    expect(list.map((x) => [x.position, x.playbook?.name, x.title.split(/[:?]/)[0], x.ownerRole, x.owner?.handle ?? null, x.done])).toEqual([
      [1, 'first-five-minutes', 'Review status', 'incident_commander', 'ben', false],
      [2, 'first-five-minutes', 'Look for mitigations', 'operations_lead', null, false],
      [3, 'first-five-minutes', 'Pull in others', 'incident_commander', 'ben', false],
      [4, 'first-five-minutes', 'Pause', 'incident_commander', 'ben', false],
      [5, 'checkout-first-checks', 'Recent deploys', 'operations_lead', null, false],
      [6, 'checkout-first-checks', 'Resource pressure', null, null, false],
      [7, 'checkout-first-checks', 'Primary hardware', null, null, false],
    ]);
    // Part of the declaration: no timeline or audit entries of their own.
    expect((await timeline(incident.reference)).filter((e) => e.kind === 'task')).toEqual([]);
    expect(await audit('incident.playbook.add')).toEqual([]);

    // The operations lead's tasks follow whoever holds the role.
    await ok(ben, 'PUT', `/api/v1/incidents/${incident.reference}/roles/operations_lead`, { user: 'cho' });
    expect((await tasks(incident.reference)).filter((x) => x.ownerRole === 'operations_lead').map((x) => x.owner?.handle)).toEqual(['cho', 'cho']);

    // Other severities and services get only the built-in.
    const other = await declare(cho, { title: 'Payments slow', severity: 'SEV3', impactedServices: ['payments'] });
    expect(new Set((await tasks(other.reference)).map((x) => x.playbook?.name))).toEqual(new Set(['first-five-minutes']));
  });

  it('never turns a playbook for a deleted service into one for any service', async () => {
    await ok(ana, 'POST', '/api/v1/playbooks', { ...checkoutPlaybook, appliesTo: { services: ['checkout'] } });
    expect((await call(ana, 'DELETE', '/api/v1/services/checkout')).statusCode).toBe(204);
    await ok(ana, 'PATCH', '/api/v1/playbooks/checkout-first-checks', { title: 'Old checkout checks' });
    const incident = await declare(ben, { title: 'Payments slow', severity: 'SEV2', impactedServices: ['payments'] });
    expect(new Set((await tasks(incident.reference)).map((x) => x.playbook?.name))).toEqual(new Set(['first-five-minutes']));
  });

  it('lets a stored first-five-minutes replace the built-in, or switch it off', async () => {
    await ok(ana, 'POST', '/api/v1/playbooks', { name: 'first-five-minutes', title: 'Our first minutes', appliesTo: { severities: ['SEV1'] }, items: [{ title: 'Call the IC hotline' }] });
    const sev1 = await declare(ben, { title: 'Down', severity: 'SEV1' });
    expect((await tasks(sev1.reference)).map((x) => x.title)).toEqual(['Call the IC hotline']);
    const sev3 = await declare(cho, { title: 'Slow', severity: 'SEV3' });
    expect(await tasks(sev3.reference)).toEqual([]);
    // Deleting it brings the built-in back, for later incidents.
    expect((await call(ana, 'DELETE', '/api/v1/playbooks/first-five-minutes')).statusCode).toBe(204);
    const later = await declare(ana, { title: 'Later', severity: 'SEV3' });
    expect(await tasks(later.reference)).toHaveLength(4);
  });

  it('works the checklist: ad-hoc tasks, owners, check-off and undo on the timeline, audited', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'] });
    const ref = incident.reference;
    const added = await ok<IncidentTask>(cho, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'Check replica lag', owner: 'cho', link: 'https://grafana.example.test/d/db' });
    expect(added).toMatchObject({ title: 'Check replica lag', position: 5, owner: { handle: 'cho' }, ownerRole: null, playbook: null, done: false, createdBy: 'cho (API token)' });

    t.clock.advance(60_000);
    const done = await ok<IncidentTask>(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/${added.id}`, { done: true });
    expect(done).toMatchObject({ done: true, doneAt: '2026-11-21T09:01:00.000Z', doneBy: 'ben (API token)' });
    // Checking off again changes nothing (two people clicking at once).
    expect(await ok<IncidentTask>(cho, 'PATCH', `/api/v1/incidents/${ref}/tasks/${added.id}`, { done: true })).toMatchObject({ doneBy: 'ben (API token)' });
    expect(await ok<IncidentTask>(cho, 'PATCH', `/api/v1/incidents/${ref}/tasks/${added.id}`, { done: false })).toMatchObject({ done: false, doneAt: null, doneBy: null });
    const reassigned = await ok<IncidentTask>(cho, 'PATCH', `/api/v1/incidents/${ref}/tasks/${added.id}`, { ownerRole: 'scribe' });
    expect(reassigned).toMatchObject({ ownerRole: 'scribe', owner: null });
    expect(await ok<IncidentTask>(cho, 'PATCH', `/api/v1/incidents/${ref}/tasks/${added.id}`, { owner: 'ben' })).toMatchObject({ ownerRole: null, owner: { handle: 'ben' } });

    expect((await timeline(ref)).filter((e) => e.kind === 'task' && e.action !== 'playbook-added').map((e) => [e.action, e.summary])).toEqual([
      ['task-added', 'Task added: “Check replica lag”, owned by @cho'],
      ['task-done', 'ben (API token) checked off “Check replica lag”'],
      ['task-undone', 'cho (API token) marked “Check replica lag” as not done'],
      ['task-owner', 'Task “Check replica lag” is now owned by the scribe'],
      ['task-owner', 'Task “Check replica lag” is now owned by @ben'],
    ]);
    expect((await audit('incident.task.update')).length).toBe(4);
    expect((await audit('incident.task.add')).length).toBe(1);

    // Adding a playbook later, once.
    await ok(ana, 'POST', '/api/v1/playbooks', { name: 'db-failover', title: 'DB failover', items: [{ title: 'Promote replica', ownerRole: 'custom:db-liaison' }] });
    const fromPlaybook = (await ok<{ items: IncidentTask[] }>(ben, 'POST', `/api/v1/incidents/${ref}/playbooks`, { playbook: 'db-failover' })).items;
    expect(fromPlaybook.map((x) => [x.position, x.title, x.ownerRole])).toEqual([[6, 'Promote replica', 'custom:db-liaison']]);
    expect((await timeline(ref)).filter((e) => e.action === 'playbook-added').map((e) => [e.actor, e.summary])).toEqual([['ben (API token)', 'Checklist: added playbook “DB failover”, 1 task']]);
    expect((await audit('incident.playbook.add')).map((a) => a.target.id)).toEqual([incident.id]);
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/playbooks`, { playbook: 'db-failover' }, 409, 'body.playbook');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/playbooks`, { playbook: 'first-five-minutes' }, 409);
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/playbooks`, { playbook: 'nope' }, 400, 'body.playbook');
    expect(await tasks(ref)).toHaveLength(6);
  });

  it('refuses bad task input with 400 naming the field, viewers with 403, unknown tasks with 404', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    const ref = incident.reference;
    const [first] = await tasks(ref);
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: '' }, 400, 'body.title');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'x', owner: 'nobody' }, 400, 'body.owner');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'x', owner: 'cho', ownerRole: 'scribe' }, 400, 'body.ownerRole');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'x', ownerRole: 'chief' }, 400, 'body.ownerRole');
    await refused(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/${first?.id}`, { done: 'yes' }, 400, 'body.done');
    await refused(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/${first?.id}`, {}, 400, 'body.done');
    await refused(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/${first?.id}`, { owner: 'ghost' }, 400, 'body.owner');
    await refused(viewer, 'PATCH', `/api/v1/incidents/${ref}/tasks/${first?.id}`, { done: true }, 403);
    expect((await call(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/no-such-task`, { done: true })).statusCode).toBe(404);
    expect((await call(ben, 'GET', '/api/v1/incidents/INC-99/tasks')).statusCode).toBe(404);
    // A deactivated user cannot be given a task.
    const { catalog } = t.firebreak.services;
    const dee = await t.userWithToken('responder', 'dee');
    await catalog.setUserActive({ actor: systemActor('test'), principal: null }, dee.userId, false);
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'x', owner: 'dee' }, 400, 'body.owner');
  });

  it('tracks threads: owner, hand over, conclude with a conclusion, on the timeline, audited', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    const ref = incident.reference;
    const thread = await ok<IncidentThread>(ben, 'POST', `/api/v1/incidents/${ref}/threads`, { title: 'Is it the DB failover?' });
    expect(thread).toMatchObject({ title: 'Is it the DB failover?', owner: { handle: 'ben' }, status: 'open', conclusion: null, createdBy: 'ben (API token)' });
    const other = await ok<IncidentThread>(ben, 'POST', `/api/v1/incidents/${ref}/threads`, { title: 'CDN errors?', owner: 'cho', description: 'Edge 5xx in eu-west' });
    expect(other.owner?.handle).toBe('cho');

    expect(await ok<IncidentThread>(ben, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { owner: 'cho' })).toMatchObject({ owner: { handle: 'cho' } });
    await refused(cho, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { status: 'concluded' }, 400, 'body.conclusion');
    await refused(cho, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { status: 'closed' }, 400, 'body.status');
    await refused(cho, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { owner: 'ghost' }, 400, 'body.owner');
    await refused(cho, 'POST', `/api/v1/incidents/${ref}/threads`, { title: 'x', owner: 'ghost' }, 400, 'body.owner');
    const concluded = await ok<IncidentThread>(cho, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { status: 'concluded', conclusion: 'Not the DB: replica lag normal' });
    expect(concluded).toMatchObject({ status: 'concluded', conclusion: 'Not the DB: replica lag normal' });
    await ok(cho, 'PATCH', `/api/v1/incidents/${ref}/threads/${other.id}`, { status: 'abandoned' });

    const listed = (await ok<{ items: IncidentThread[] }>(viewer, 'GET', `/api/v1/incidents/${ref}/threads`)).items;
    expect(listed.map((x) => [x.title, x.owner?.handle, x.status])).toEqual([
      ['Is it the DB failover?', 'cho', 'concluded'],
      ['CDN errors?', 'cho', 'abandoned'],
    ]);
    expect((await timeline(ref)).filter((e) => e.kind === 'thread').map((e) => e.summary)).toEqual([
      'Thread opened: “Is it the DB failover?”, owned by @ben',
      'Thread opened: “CDN errors?”, owned by @cho',
      '@cho now owns thread “Is it the DB failover?”',
      'Thread “Is it the DB failover?” concluded: Not the DB: replica lag normal',
      'Thread “CDN errors?” abandoned',
    ]);
    expect((await audit('incident.thread.open')).length).toBe(2);
    expect((await audit('incident.thread.update')).length).toBe(3);
  });

  it('refuses task and thread changes once the incident is resolved (422), and reads still work', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    const ref = incident.reference;
    const [first] = await tasks(ref);
    const thread = await ok<IncidentThread>(ben, 'POST', `/api/v1/incidents/${ref}/threads`, { title: 'DB?' });
    await ok(ben, 'POST', `/api/v1/incidents/${ref}/status`, { status: 'resolved', summary: 'Rolled back' }, 200);

    const body = await refused(ben, 'PATCH', `/api/v1/incidents/${ref}/tasks/${first?.id}`, { done: true }, 422, 'body.done');
    expect(body.message).toBe('INC-1 is resolved: its tasks no longer change (only the summary and timeline notes do)');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/tasks`, { title: 'late' }, 422, 'body.title');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/playbooks`, { playbook: 'first-five-minutes' }, 422, 'body.playbook');
    await refused(ben, 'POST', `/api/v1/incidents/${ref}/threads`, { title: 'late' }, 422);
    await refused(ben, 'PATCH', `/api/v1/incidents/${ref}/threads/${thread.id}`, { status: 'concluded', conclusion: 'x' }, 422, 'body.status');
    expect((await tasks(ref)).every((x) => !x.done)).toBe(true);
    expect((await ok<{ items: IncidentThread[] }>(viewer, 'GET', `/api/v1/incidents/${ref}/threads`)).items).toHaveLength(1);
    // Notes on the timeline are still allowed.
    expect((await call(ben, 'POST', `/api/v1/incidents/${ref}/timeline`, { note: 'Postmortem scheduled' })).statusCode).toBe(201);
  });

  it('serializes concurrent check-offs of one task: one timeline entry', async () => {
    const incident = await declare(ben, { title: 'Checkout errors', severity: 'SEV2' });
    const [first] = await tasks(incident.reference);
    const results = await Promise.all([ben, cho, ana].map((token) => call(token, 'PATCH', `/api/v1/incidents/${incident.reference}/tasks/${first?.id}`, { done: true })));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect((await timeline(incident.reference)).filter((e) => e.action === 'task-done')).toHaveLength(1);
  });

  it('serves config-as-code: entries, put and remove inside a transaction', async () => {
    const { playbooks, database } = t.firebreak.services;
    const acting = { actor: systemActor('config'), principal: null };
    await database.transaction(async (tx) => playbooks.putFromConfigIn(tx, acting, 'checkout-first-checks', { title: 'Checkout', appliesTo: { services: ['checkout'] }, items: [{ title: 'Roll back', ownerRole: 'operations_lead' }] }));
    expect(await playbooks.configEntriesIn(database.db)).toEqual([{ name: 'checkout-first-checks', spec: { title: 'Checkout', appliesTo: { services: ['checkout'] }, items: [{ title: 'Roll back', ownerRole: 'operations_lead' }] } }]);
    expect((await ok<Playbook>(viewer, 'GET', '/api/v1/playbooks/checkout-first-checks')).managedBy).toBe('config');
    await database.transaction(async (tx) => playbooks.putFromConfigIn(tx, acting, 'checkout-first-checks', { title: 'Checkout v2', description: 'd', items: [{ title: 'Roll back' }, { title: 'Restart', link: 'https://x.example.test/' }] }));
    expect(await playbooks.configEntriesIn(database.db)).toEqual([{ name: 'checkout-first-checks', spec: { title: 'Checkout v2', description: 'd', items: [{ title: 'Roll back' }, { title: 'Restart', link: 'https://x.example.test/' }] } }]);
    await expect(database.transaction(async (tx) => playbooks.putFromConfigIn(tx, acting, 'bad', { title: 'x', appliesTo: { services: ['nope'] }, items: [{ title: 'y' }] }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'spec.appliesTo.services.0' }] } });
    await database.transaction(async (tx) => playbooks.removeFromConfigIn(tx, acting, 'checkout-first-checks'));
    expect(await playbooks.configEntriesIn(database.db)).toEqual([]);
    expect((await audit('playbook.create')).length).toBe(1);
    expect((await audit('playbook.update')).length).toBe(1);
    expect((await audit('playbook.delete')).length).toBe(1);
  });
});
