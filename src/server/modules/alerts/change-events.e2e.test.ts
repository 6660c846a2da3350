import { Agent } from 'node:https';
import { change } from '@pagerduty/pdjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { startTestServer } from '../../../../test/support/server.js';
import { selfSignedCertificate, startTlsProxy } from '../../../../test/support/tls-proxy.js';
import type { Change } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';

for (const dialect of dialectCases()) describe(`PagerDuty change events (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let key: string;
  let integrationId: string;

  const enqueue = (body: unknown) => t.app.inject({ method: 'POST', url: '/v2/change/enqueue', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const changes = async (token = viewer, query = '') => t.app.inject({ url: `/api/v1/services/checkout/changes${query}`, headers: bearer(token) });

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    viewer = (await t.userWithToken('viewer')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    ({ key, id: integrationId } = json<{ key: string; id: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'CI' } })));
  });
  afterEach(async () => t.close());

  it('records a change on the service, answers PagerDuty’s 202, opens no alert; viewers list them newest first', async () => {
    const body = {
      routing_key: key,
      payload: { summary: 'Deployed checkout v1.4.2', timestamp: '2026-11-21T04:58:00.000+00:00', source: 'github-actions', custom_details: { build: 1234, commit: 'abc123' } },
      links: [{ href: 'https://github.com/acme/checkout/pull/42', text: 'PR #42' }, { href: 'javascript:alert(1)' }],
    };
    const r = await enqueue(body);
    expect([r.statusCode, json(r)]).toEqual([202, { status: 'success', message: 'Change event processed' }]);
    t.clock.advance(60_000);
    expect((await enqueue({ routing_key: key, payload: { summary: 'Feature flag checkout-v2 on' } })).statusCode).toBe(202);

    const listed = await changes();
    expect(listed.statusCode, listed.body).toBe(200);
    const { items, nextBefore } = json<{ items: Change[]; nextBefore: string | null }>(listed);
    expect(nextBefore).toBeNull();
    expect(items.map((c) => c.summary)).toEqual(['Feature flag checkout-v2 on', 'Deployed checkout v1.4.2']);
    expect(items[1]).toMatchObject({ integrationId, source: 'github-actions', timestamp: '2026-11-21T04:58:00.000Z', receivedAt: '2026-11-21T05:00:00.000Z', links: [{ href: 'https://github.com/acme/checkout/pull/42', text: 'PR #42' }], details: { build: 1234, commit: 'abc123' } });
    expect(items[0]).toMatchObject({ source: null, timestamp: '2026-11-21T05:01:00.000Z', links: [], details: null });
    const page = json<{ items: Change[]; nextBefore: string }>(await changes(viewer, '?limit=1'));
    expect(page.items.map((c) => c.summary)).toEqual(['Feature flag checkout-v2 on']);
    expect(json<{ items: Change[] }>(await changes(viewer, `?limit=1&before=${page.nextBefore}`)).items.map((c) => c.summary)).toEqual(['Deployed checkout v1.4.2']);

    const alerts = json<{ items: unknown[] }>(await t.app.inject({ url: '/api/v1/alerts?status=triggered,acknowledged,resolved', headers: bearer(admin) }));
    expect(alerts.items).toEqual([]);
    expect((await t.app.inject({ url: '/api/v1/services/nope/changes', headers: bearer(viewer) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/services/checkout/changes' })).statusCode).toBe(401);
  });

  it('refuses in the Events API’s shape: 400 naming the field, 404 unknown key, 403 disabled, 400 for another type’s key, 413', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{ routing_key: key }, ['payload: is required']],
      [{ routing_key: key, payload: { summary: ' ', timestamp: 'yesterday', custom_details: 'x', source: 3 } }, ['payload.summary: is missing or blank', 'payload.source: must be a string', 'payload.timestamp: must be an ISO 8601 date and time, such as 2026-11-21T05:00:00.000Z', 'payload.custom_details: must be an object']],
      [{ routing_key: key, payload: { summary: 'x' }, links: [{ text: 'no href' }] }, ['links.0.href: is missing or blank']],
      [{ payload: { summary: 'x' } }, ['routing_key: is missing or blank']],
      ['not json', ['The body must be a JSON object (the request body is not valid JSON, or nests deeper than 64 levels)']],
    ];
    for (const [body, errors] of cases) {
      const r = await enqueue(body);
      expect([r.statusCode, json(r)], JSON.stringify(body)).toEqual([400, { status: 'invalid event', message: 'Event object is invalid', errors }]);
    }
    const unknown = await enqueue({ routing_key: 'f'.repeat(32), payload: { summary: 'x' } });
    expect([unknown.statusCode, json<{ errors: string[] }>(unknown).errors]).toEqual([404, ['routing_key: no integration has this key']]);
    const am = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'alertmanager', name: 'am' } })).key;
    expect((await enqueue({ routing_key: am, payload: { summary: 'x' } })).statusCode).toBe(400);
    const huge = await enqueue({ routing_key: key, payload: { summary: 'x', custom_details: { blob: 'y'.repeat(600 * 1024) } } });
    expect([huge.statusCode, json<{ status: string }>(huge).status]).toEqual([413, 'invalid event']);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: { disabled: true } });
    const disabled = await enqueue({ routing_key: key, payload: { summary: 'x' } });
    expect([disabled.statusCode, json<{ message: string }>(disabled).message]).toEqual([403, 'Integration is disabled']);
    expect(json<{ items: unknown[] }>(await changes()).items).toEqual([]);
  });
});

describe('change events rate limit', () => {
  it('answers 429 throttle event with Retry-After once an integration floods', async () => {
    const t = await buildTestApp({ env: { FIREBREAK_INTAKE_RATE_LIMIT: '1' } });
    try {
      const admin = (await t.userWithToken('admin')).token;
      await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout' } });
      const { key } = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'CI' } }));
      const send = () => t.app.inject({ method: 'POST', url: '/v2/change/enqueue', headers: { 'content-type': 'application/json' }, payload: { routing_key: key, payload: { summary: 'Deploy' } } });
      expect((await send()).statusCode).toBe(202);
      const second = await send();
      expect([second.statusCode, json<{ status: string }>(second).status]).toEqual([429, 'throttle event']);
      expect(second.headers['retry-after']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});

describe('@pagerduty/pdjs change() against Firebreak over HTTPS', () => {
  it('sends a change event that pdjs reads as PagerDuty’s answer', async () => {
    const server = await startTestServer({ webRoot: null, clock: new ManualClock('2026-11-21T05:00:00Z') });
    const certificate = selfSignedCertificate();
    const proxy = await startTlsProxy(server.url, certificate);
    const agent = new Agent({ ca: certificate.cert });
    try {
      const { serviceCatalog } = server.firebreak.services;
      const acting = { actor: systemActor('test'), principal: null };
      await serviceCatalog.create(acting, { handle: 'checkout', name: 'Checkout API', description: '', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' } } as Parameters<typeof serviceCatalog.create>[1]);
      const { key } = await serviceCatalog.createIntegration(acting, 'checkout', { type: 'events-v2', name: 'CI' });
      const sent = await change({ server: proxy.host, agent, data: { routing_key: key, payload: { summary: 'Deployed checkout v1.4.3', source: 'pdjs', timestamp: '2026-11-21T05:00:00Z' }, links: [{ href: 'https://ci.example.com/1', text: 'Build' }] } } as unknown as Parameters<typeof change>[0]);
      expect([sent.status, sent.data]).toEqual([202, { status: 'success', message: 'Change event processed' }]);
      const stored = await server.firebreak.services.database.db.selectFrom('changes').select(['summary', 'source']).execute();
      expect(stored).toEqual([{ summary: 'Deployed checkout v1.4.3', source: 'pdjs' }]);
    } finally {
      agent.destroy();
      await proxy.close();
      await server.stop();
    }
  });
});
