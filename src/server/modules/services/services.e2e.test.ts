import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { systemActor } from '../audit/audit.repo.js';

for (const dialect of dialectCases()) describe(`services and integrations over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let lead: string;
  let member: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open() });
    admin = (await t.userWithToken('admin')).token;
    const leadUser = await t.userWithToken('responder', 'lena');
    const memberUser = await t.userWithToken('viewer', 'milo');
    lead = leadUser.token;
    member = memberUser.token;
    const { catalog } = t.firebreak.services;
    const acting = { actor: systemActor('test'), principal: null };
    for (const handle of ['payments', 'search']) await catalog.createTeam(acting, { handle, name: handle, description: '' });
    await catalog.putMember(acting, 'payments', leadUser.userId, 'admin');
    await catalog.putMember(acting, 'payments', memberUser.userId, 'member');
  });
  afterEach(async () => t.close());

  const post = (token: string, url: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload });

  it('creates a service with defaults and lists it for everyone', async () => {
    const created = await post(admin, '/api/v1/services', { handle: 'checkout', name: 'Checkout', team: 'payments', runbookUrl: 'https://runbooks.example.com/checkout' });
    expect(created.statusCode, created.body).toBe(201);
    expect(json(created)).toMatchObject({ handle: 'checkout', description: '', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' }, integrations: [], openAlerts: 0, runbookUrl: 'https://runbooks.example.com/checkout', dashboardUrl: null, escalationPolicyId: null });
    const list = json<{ items: Array<{ handle: string }> }>(await t.app.inject({ url: '/api/v1/services', headers: bearer(member) }));
    expect(list.items.map((s) => s.handle)).toEqual(['checkout']);
    const duplicate = await post(admin, '/api/v1/services', { handle: 'checkout', name: 'Again' });
    expect(duplicate.statusCode).toBe(409);
  });

  it('a partial update keeps every field it leaves out (description, urgency, settings)', async () => {
    const created = await post(admin, '/api/v1/services', { handle: 'search', name: 'Search', description: 'Finds things', urgency: { warning: 'high' }, flapWindowMinutes: 10 });
    expect(created.statusCode, created.body).toBe(201);
    const renamed = await t.app.inject({ method: 'PATCH', url: '/api/v1/services/search', headers: bearer(admin), payload: { name: 'Search API' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(json(renamed)).toMatchObject({ name: 'Search API', description: 'Finds things', urgency: { critical: 'high', error: 'high', warning: 'high', info: 'low' }, flapWindowMinutes: 10 });
    const one = await t.app.inject({ method: 'PATCH', url: '/api/v1/services/search', headers: bearer(admin), payload: { urgency: { info: 'backlog' } } });
    expect(json(one)).toMatchObject({ description: 'Finds things', urgency: { critical: 'high', error: 'high', warning: 'high', info: 'backlog' } });
  });

  it('lets a team admin manage their team’s services only', async () => {
    expect((await post(lead, '/api/v1/services', { handle: 'pay', name: 'Pay', team: 'payments' })).statusCode).toBe(201);
    expect((await post(lead, '/api/v1/services', { handle: 'find', name: 'Find', team: 'search' })).statusCode).toBe(403);
    expect((await post(lead, '/api/v1/services', { handle: 'orphan', name: 'Orphan' })).statusCode).toBe(403);
    const integration = await post(lead, '/api/v1/services/pay/integrations', { type: 'events-v2', name: 'Datadog' });
    expect(integration.statusCode, integration.body).toBe(201);
    const id = json<{ id: string; key: string }>(integration).id;
    // A member of the owning team may read the key again; the service view never shows it.
    const again = await t.app.inject({ url: `/api/v1/services/pay/integrations/${id}`, headers: bearer(member) });
    expect([again.statusCode, json<{ key: string }>(again).key]).toEqual([200, json<{ key: string }>(integration).key]);
    expect((await t.app.inject({ url: '/api/v1/services/pay', headers: bearer(member) })).body).not.toContain(json<{ key: string }>(integration).key);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/pay/integrations/${id}`, headers: bearer(member), payload: { disabled: true } })).statusCode).toBe(403);
  });

  it('names a missing escalation policy or team by its field', async () => {
    const answer = await post(admin, '/api/v1/services', { handle: 'x', name: 'X', escalationPolicy: 'nope' });
    expect(answer.statusCode).toBe(400);
    expect(json<{ details: { issues: unknown[] } }>(answer).details.issues).toEqual([{ path: 'body.escalationPolicy', message: 'escalation policy `nope` does not exist' }]);
    const script = await post(admin, '/api/v1/services', { handle: 'y', name: 'Y', runbookUrl: 'javascript:alert(1)' });
    expect([script.statusCode, json<{ details: { issues: unknown[] } }>(script).details.issues]).toEqual([400, [{ path: 'body.runbookUrl', message: 'must be an http:// or https:// URL' }]]);
  });

  it('audits every change and frees the handle on delete; the deleted service’s keys stop working', async () => {
    await post(admin, '/api/v1/services', { handle: 'checkout', name: 'Checkout', team: 'payments' });
    const key = json<{ key: string }>(await post(admin, '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })).key;
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/v1/services/checkout', headers: bearer(admin), payload: { description: 'Takes the money', urgency: { warning: 'high' } } });
    expect(json(patched)).toMatchObject({ description: 'Takes the money', urgency: { critical: 'high', error: 'high', warning: 'high', info: 'low' } });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/services/checkout', headers: bearer(admin) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/services/checkout', headers: bearer(admin) })).statusCode).toBe(404);
    const event = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: key, event_action: 'trigger', payload: { summary: 's', source: 's', severity: 'info' } } });
    expect(event.statusCode).toBe(404);
    expect((await post(admin, '/api/v1/services', { handle: 'checkout', name: 'Checkout 2' })).statusCode).toBe(201);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('target_type', 'in', ['service', 'integration']).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['service.create', 'integration.create', 'service.update', 'service.delete', 'service.create']);
  });
});
