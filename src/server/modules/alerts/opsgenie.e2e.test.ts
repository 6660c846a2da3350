import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';

const reference = (name: string) => JSON.parse(readFileSync(new URL(`../../../../test/fixtures/reference/${name}`, import.meta.url), 'utf8')) as { path: string; headers: Record<string, string>; body: string };
const created = reference('opsgenie_alertmanager_create_sample.json');
const closed = reference('opsgenie_alertmanager_close_sample.json');
/** The key Alertmanager was configured with when the requests were captured. */
const CAPTURED_KEY = '0123456789abcdef0123456789abcdef';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

for (const dialect of dialectCases()) describe(`Opsgenie Alert API drop-in (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let integrationId: string;

  const genie = (k = key) => ({ authorization: `GenieKey ${k}`, 'content-type': 'application/json' });
  const post = (url: string, body: unknown, headers: Record<string, string> = genie()) =>
    t.app.inject({ method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers });
  const status = async (requestId: string, k = key) => t.app.inject({ url: `/v2/alerts/requests/${requestId}`, headers: { authorization: `GenieKey ${k}` } });
  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'opsgenie', name: 'Opsgenie clients' } });
    expect(made.statusCode, made.body).toBe(201);
    ({ key, id: integrationId } = json<{ key: string; id: string }>(made));
  });
  afterEach(async () => t.close());

  it('create, status, duplicate alias, acknowledge and close by alias: Opsgenie’s bodies, one alert', async () => {
    const setup = json<{ url: string; snippet: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin) }));
    expect(setup.url).toBe(`${t.config.publicUrl}/v2/alerts`);
    expect(setup.snippet).toContain(`GenieKey ${key}`);
    expect(setup.snippet).toContain('opsgenie_configs');

    const body = { message: 'Disk almost full on db-1', alias: 'disk-db-1', description: '95% used', priority: 'P1', tags: ['env:prod', 'db'], details: { host: 'db-1', used: 0.95 }, entity: 'db-1', source: 'nagios', responders: [{ type: 'team', name: 'dba' }] };
    const first = await post('/v2/alerts', body);
    expect(first.statusCode, first.body).toBe(202);
    const answer = json<{ result: string; took: number; requestId: string }>(first);
    expect(Object.keys(answer).sort()).toEqual(['requestId', 'result', 'took']);
    expect(answer.result).toBe('Request will be processed');
    expect(typeof answer.took).toBe('number');
    expect(answer.requestId).toMatch(UUID);
    expect(first.headers['x-request-id']).toBe(answer.requestId);

    const [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'Disk almost full on db-1', dedupKey: 'disk-db-1', description: '95% used', severity: 'critical', urgency: 'high', source: 'nagios', labels: { env: 'prod', db: '', host: 'db-1', used: '0.95', entity: 'db-1' } });
    expect(alert?.details).toMatchObject({ priority: 'P1', details: { host: 'db-1', used: '0.95' }, entity: 'db-1', responders: [{ type: 'team', name: 'dba' }] });

    const polled = await status(answer.requestId);
    expect(polled.statusCode).toBe(200);
    const shape = json<{ data: Record<string, unknown>; took: number; requestId: string }>(polled);
    expect(shape.data).toEqual({ success: true, action: 'Create', processedAt: '2026-11-21T05:00:00.000Z', integrationId, isSuccess: true, status: 'Created alert', alertId: alert?.id, alias: 'disk-db-1' });
    expect(shape.requestId).toMatch(UUID);
    expect(shape.requestId).not.toBe(answer.requestId);

    // The same alias on an open alert counts rather than opening another.
    const again = json<{ requestId: string }>(await post('/v2/alerts', body));
    expect(json<{ data: { alertId: string } }>(await status(again.requestId)).data.alertId).toBe(alert?.id);
    expect((await alerts())[0]?.eventCount).toBe(2);

    const ack = await post('/v2/alerts/disk-db-1/acknowledge?identifierType=alias', { user: 'rita', note: 'on it' });
    expect(ack.statusCode).toBe(202);
    expect(json<{ data: Record<string, unknown> }>(await status(json<{ requestId: string }>(ack).requestId)).data).toMatchObject({ action: 'Acknowledge', isSuccess: true, status: 'Acknowledged alert', alertId: alert?.id });
    expect((await alerts())[0]).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'rita via Opsgenie clients' });

    const close = await post('/v2/alerts/disk-db-1/close?identifierType=alias', {});
    expect(json<{ data: Record<string, unknown> }>(await status(json<{ requestId: string }>(close).requestId)).data).toMatchObject({ action: 'Close', isSuccess: true, status: 'Closed alert' });
    expect((await alerts())[0]).toMatchObject({ status: 'resolved', resolvedBy: 'Opsgenie clients' });
  });

  it('acknowledge and close by id (Firebreak’s alert id) and tiny id (the alert number); unknown ids are reported in the request status', async () => {
    await post('/v2/alerts', { message: 'A', alias: 'a' });
    await post('/v2/alerts', { message: 'B', alias: 'b' });
    const [b, a] = (await alerts()) as [Alert, Alert];
    expect(a.severity).toBe('warning'); // P3, the default priority
    expect((await post(`/v2/alerts/${a.id}/acknowledge`, '')).statusCode).toBe(202);
    expect((await post(`/v2/alerts/${b.number}/close?identifierType=tiny`, '')).statusCode).toBe(202);
    const byId = new Map((await alerts()).map((x) => [x.id, x.status]));
    expect([byId.get(a.id), byId.get(b.id)]).toEqual(['acknowledged', 'resolved']);

    const missing = await post('/v2/alerts/NOPE/close', {});
    expect(missing.statusCode).toBe(202);
    expect(json<{ data: Record<string, unknown> }>(await status(json<{ requestId: string }>(missing).requestId)).data).toMatchObject({ action: 'Close', success: false, isSuccess: false, status: 'Alert does not exist' });
    const again = await post(`/v2/alerts/${b.id}/acknowledge`, {});
    expect(json<{ data: Record<string, unknown> }>(await status(json<{ requestId: string }>(again).requestId)).data).toMatchObject({ isSuccess: false, status: 'Alert is already closed' });
  });

  it('replays the requests Alertmanager’s opsgenie_configs sent: create, then close by alias', async () => {
    const acting = { actor: systemActor('test'), principal: null };
    await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'opsgenie', name: 'alertmanager' }, { key: CAPTURED_KEY });
    const replay = (r: typeof created) => t.app.inject({ method: 'POST', url: r.path, headers: { authorization: r.headers.authorization as string, 'content-type': r.headers['content-type'] as string, 'user-agent': r.headers['user-agent'] as string }, payload: r.body });
    const first = await replay(created);
    expect(first.statusCode, first.body).toBe(202);
    const [alert] = await alerts();
    expect(alert).toMatchObject({ title: '[FIRING:1] CheckoutDown (checkout-api critical)', dedupKey: 'c2aecb5aef403bda365b185720f4c3034955bffdb3b73d5536719b3f877a6521', severity: 'critical', labels: { env: 'prod', checkout: '', alertname: 'CheckoutDown', service: 'checkout-api', runbook: 'https://runbooks.example.com/checkout', entity: 'checkout-api' } });
    expect(alert?.description).toContain('5xx rate above 50%');
    const close = await replay(closed);
    expect(close.statusCode).toBe(202);
    expect((await alerts())[0]?.status).toBe('resolved');
  });

  it('keeps request outcomes for 7 days', async () => {
    const old = json<{ requestId: string }>(await post('/v2/alerts', { message: 'old' })).requestId;
    t.clock.advance(6 * 24 * 3600_000);
    const recent = json<{ requestId: string }>(await post('/v2/alerts', { message: 'recent' })).requestId;
    expect((await status(old)).statusCode).toBe(200);
    t.clock.advance(2 * 24 * 3600_000);
    await post('/v2/alerts', { message: 'later' });
    expect([(await status(old)).statusCode, (await status(recent)).statusCode]).toEqual([404, 200]);
  });

  it('refuses in Opsgenie’s shapes: 422 naming the field, 400 bad JSON, 401/422 keys, 403 disabled, 404 unknown request, 413', async () => {
    const shape = (r: { body: string }) => Object.keys(json(r as never)).sort();
    const invalid = await post('/v2/alerts', { priority: 'P9', tags: 'x' });
    expect(invalid.statusCode).toBe(422);
    expect(json(invalid)).toMatchObject({ message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.', priority: 'should be one of [ P1, P2, P3, P4, P5 ]', tags: 'should be an array of strings' } });
    expect(shape(invalid)).toEqual(['errors', 'message', 'requestId', 'took']);
    const badType = await post('/v2/alerts/x/close?identifierType=name', {});
    expect([badType.statusCode, json<{ errors: unknown }>(badType).errors]).toEqual([422, { identifierType: 'should be one of [ id, alias, tiny ]' }]);
    const badJson = await post('/v2/alerts', '{"message":');
    expect([badJson.statusCode, shape(badJson)]).toEqual([400, ['message', 'requestId', 'took']]);

    const noKey = await post('/v2/alerts', { message: 'x' }, { 'content-type': 'application/json' });
    expect([noKey.statusCode, json<{ message: string }>(noKey).message]).toEqual([401, 'Could not authenticate']);
    const badFormat = await post('/v2/alerts', { message: 'x' }, genie('not-a-key'));
    expect([badFormat.statusCode, json<{ message: string }>(badFormat).message]).toEqual([422, 'Key format is not valid!']);
    const unknown = await post('/v2/alerts', { message: 'x' }, genie('f'.repeat(32)));
    expect([unknown.statusCode, json<{ message: string }>(unknown).message]).toEqual([401, 'Could not authenticate']);
    const webhook = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'w' } })).key;
    expect((await post('/v2/alerts', { message: 'x' }, genie(webhook))).statusCode).toBe(403);

    const notYet = await status('00000000-0000-4000-8000-000000000000');
    expect([notYet.statusCode, json<{ message: string }>(notYet).message]).toEqual([404, 'Request not found. It might not be processed, yet.']);
    // Another integration's request is not this key's to read.
    const mine = json<{ requestId: string }>(await post('/v2/alerts', { message: 'x' })).requestId;
    const other = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'opsgenie', name: 'other' } })).key;
    expect((await status(mine, other)).statusCode).toBe(404);

    // Endpoints of the Alert API that Firebreak does not serve answer in Opsgenie's shape too.
    for (const r of [await t.app.inject({ url: '/v2/alerts', headers: genie() }), await t.app.inject({ url: '/v2/alerts/abc', headers: genie() }), await post('/v2/alerts/abc/notes', {})]) {
      expect([r.statusCode, shape(r)]).toEqual([404, ['message', 'requestId', 'took']]);
    }

    const huge = await post('/v2/alerts', { message: 'x', description: 'y'.repeat(600 * 1024) });
    expect([huge.statusCode, shape(huge)]).toEqual([413, ['message', 'requestId', 'took']]);

    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: { disabled: true } })).statusCode).toBe(200);
    const disabled = await post('/v2/alerts', { message: 'x' });
    expect([disabled.statusCode, json<{ message: string }>(disabled).message]).toEqual([403, 'Integration is disabled']);
    expect((await alerts()).map((a) => a.title)).toEqual(['x']);
    const logged = await t.firebreak.services.database.db.selectFrom('alert_events').select(['outcome']).where('format', '=', 'opsgenie').execute();
    expect(logged.map((l) => l.outcome).sort()).toEqual(['created', 'disabled', 'invalid', 'invalid', 'invalid']);
  });
});

describe('Opsgenie rate limit', () => {
  it('answers 429 with Retry-After in Opsgenie’s shape once an integration floods', async () => {
    const t = await buildTestApp({ env: { FIREBREAK_INTAKE_RATE_LIMIT: '2' } });
    try {
      const admin = (await t.userWithToken('admin')).token;
      await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout' } });
      const { key } = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'opsgenie', name: 'og' } }));
      const send = () => t.app.inject({ method: 'POST', url: '/v2/alerts', headers: { authorization: `GenieKey ${key}`, 'content-type': 'application/json' }, payload: { message: 'x' } });
      const statuses = [(await send()).statusCode, (await send()).statusCode];
      const third = await send();
      expect([...statuses, third.statusCode]).toEqual([202, 202, 429]);
      expect(third.headers['retry-after']).toBeDefined();
      expect(Object.keys(json(third)).sort()).toEqual(['message', 'requestId', 'took']);
    } finally {
      await t.close();
    }
  });
});
