import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';

for (const dialect of dialectCases()) describe(`generic JSON webhook intake (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let integrationId: string;

  const post = (body: unknown, headers: Record<string, string> = {}, k = key) =>
    t.app.inject({ method: 'POST', url: `/integrations/webhook/${k}`, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'Uptime robot' } });
    expect(created.statusCode, created.body).toBe(201);
    ({ key, id: integrationId } = json<{ key: string; id: string }>(created));
  });
  afterEach(async () => t.close());

  it('firing, firing again, resolved: one alert with the documented fields kept', async () => {
    const withKey = json<{ url: string; snippet: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin) }));
    expect(withKey.url).toBe(`${t.config.publicUrl}/integrations/webhook/${key}`);
    expect(withKey.snippet).toContain('"dedupKey"');
    const body = { title: 'Checkout is down', status: 'firing', dedupKey: 'checkout-down', severity: 'critical', description: 'HTTP 503 from /health', source: 'uptime', links: [{ href: 'https://status.example.com/checkout', text: 'Monitor' }, { href: 'javascript:alert(1)' }], images: [{ src: 'https://status.example.com/graph.png' }], labels: { region: 'eu' }, details: { attempts: 3 } };
    const first = await post(body);
    expect(first.statusCode, first.body).toBe(202);
    expect(json(first)).toMatchObject({ status: 'success', outcome: 'created', dedupKey: 'checkout-down' });
    t.clock.advance(60_000);
    expect(json(await post(body))).toMatchObject({ outcome: 'updated' });
    let [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'Checkout is down', severity: 'critical', urgency: 'high', description: 'HTTP 503 from /health', source: 'uptime', labels: { region: 'eu' }, details: { attempts: 3 }, eventCount: 2, links: [{ href: 'https://status.example.com/checkout', text: 'Monitor' }], images: [{ src: 'https://status.example.com/graph.png', href: null, alt: null }] });
    expect(json(await post({ status: 'resolved', dedupKey: 'checkout-down' }))).toMatchObject({ outcome: 'resolved' });
    expect(json(await post({ status: 'resolved', dedupKey: 'checkout-down' }))).toMatchObject({ outcome: 'ignored' });
    const all = await alerts();
    expect(all).toHaveLength(1);
    [alert] = all;
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Uptime robot' });
  });

  it('defaults: status firing, severity error, a generated dedup key returned', async () => {
    const r = await post({ title: 'Something broke' });
    expect(r.statusCode).toBe(202);
    const { dedupKey } = json<{ dedupKey: string }>(r);
    expect(dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect((await alerts())[0]).toMatchObject({ severity: 'error', dedupKey });
  });

  it('invalid posts are 400 naming the field, unknown keys 404, and bearer auth is checked when set', async () => {
    const bad = await post({ status: 'burning', severity: 'fatal' });
    expect(bad.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(bad).details.issues.map((i) => i.path)).toEqual(['body.status', 'body.title', 'body.severity']);
    expect((await post({ status: 'resolved' })).statusCode).toBe(400);
    expect((await post('not json')).statusCode).toBe(400);
    expect((await post({ title: 'x' }, {}, 'f'.repeat(32))).statusCode).toBe(404);
    const token = 'webhook-token-0123456789abcdef';
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: { auth: { hmacSecret: 'not-for-webhooks-0123456789' } } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: { auth: { bearerToken: token } } })).statusCode).toBe(200);
    expect((await post({ title: 'x' })).statusCode).toBe(401);
    expect((await post({ title: 'x' }, { authorization: `Bearer ${token}` })).statusCode).toBe(202);
    expect(await alerts()).toHaveLength(1);
  });
});
