import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';

const reference = (name: string) => JSON.parse(readFileSync(new URL(`../../../../test/fixtures/reference/${name}`, import.meta.url), 'utf8')) as { path: string; headers: Record<string, string>; body: string };
const critical = reference('victorops_alertmanager_critical_sample.json');
const recovery = reference('victorops_alertmanager_recovery_sample.json');
const CAPTURED_KEY = '0123456789abcdef0123456789abcdef';

for (const dialect of dialectCases()) describe(`Splunk On-Call (VictorOps) REST endpoint (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let integrationId: string;

  const post = (body: unknown, path = `/integrations/victorops/${key}/checkout-team`) =>
    t.app.inject({ method: 'POST', url: path, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'victorops', name: 'Nagios' } });
    expect(made.statusCode, made.body).toBe(201);
    ({ key, id: integrationId } = json<{ key: string; id: string }>(made));
  });
  afterEach(async () => t.close());

  it('CRITICAL, WARNING again, ACKNOWLEDGEMENT, RECOVERY on one entity_id: one alert, VictorOps answers', async () => {
    const setup = json<{ url: string; snippet: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin) }));
    expect(setup.url).toBe(`${t.config.publicUrl}/integrations/victorops/${key}/firebreak`);
    expect(setup.snippet).toContain('victorops_configs');

    const body = { message_type: 'CRITICAL', entity_id: 'disk/db-1', entity_display_name: 'Disk almost full on db-1', state_message: '95% used on /var', monitoring_tool: 'nagios', host_name: 'db-1', alert_url: 'https://nagios.example.com/db-1', check_attempt: 3 };
    const first = await post(body);
    expect([first.statusCode, json(first)]).toEqual([200, { result: 'success', entity_id: 'disk/db-1' }]);
    expect(json(await post({ ...body, message_type: 'warning' }))).toEqual({ result: 'success', entity_id: 'disk/db-1' });
    let [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'Disk almost full on db-1', description: '95% used on /var', dedupKey: 'disk/db-1', severity: 'critical', source: 'nagios', eventCount: 2, labels: { host_name: 'db-1', routing_key: 'checkout-team' }, links: [{ href: 'https://nagios.example.com/db-1', text: 'Alert' }] });
    expect(alert?.details).toMatchObject({ message_type: 'CRITICAL', host_name: 'db-1', check_attempt: 3 });

    expect((await post({ message_type: 'ACKNOWLEDGEMENT', entity_id: 'disk/db-1' })).statusCode).toBe(200);
    expect((await alerts())[0]?.status).toBe('acknowledged');
    expect(json(await post({ message_type: 'RECOVERY', entity_id: 'disk/db-1' }, `/integrations/victorops/${key}`))).toEqual({ result: 'success', entity_id: 'disk/db-1' });
    [alert] = await alerts();
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'Nagios' });
  });

  it('INFO records a low-urgency info alert; a trigger without entity_id gets one', async () => {
    const r = await post({ message_type: 'INFO', state_message: 'Deploy finished\nmore' });
    const { entity_id } = json<{ entity_id: string }>(r);
    expect(entity_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await alerts())[0]).toMatchObject({ title: 'Deploy finished', severity: 'info', urgency: 'low', dedupKey: entity_id });
  });

  it('replays the requests Alertmanager’s victorops_configs sent: CRITICAL then RECOVERY', async () => {
    const acting = { actor: systemActor('test'), principal: null };
    await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'victorops', name: 'alertmanager' }, { key: CAPTURED_KEY });
    const replay = (r: typeof critical) => t.app.inject({ method: 'POST', url: r.path, headers: { 'content-type': r.headers['content-type'] as string, 'user-agent': r.headers['user-agent'] as string }, payload: r.body });
    const first = await replay(critical);
    expect([first.statusCode, json(first)]).toEqual([200, { result: 'success', entity_id: 'c2aecb5aef403bda365b185720f4c3034955bffdb3b73d5536719b3f877a6521' }]);
    expect((await alerts())[0]).toMatchObject({ title: '[FIRING:1] CheckoutDown (checkout-api critical)', severity: 'critical', source: 'Alertmanager', labels: { routing_key: 'checkout-team' } });
    expect((await replay(recovery)).statusCode).toBe(200);
    expect((await alerts())[0]?.status).toBe('resolved');
  });

  it('refuses with {result:"failure", message} naming the field: 400, 404 unknown key, 403 disabled, 413', async () => {
    const cases: Array<[unknown, string]> = [
      [{ entity_id: 'x' }, 'message_type: is required (CRITICAL, WARNING, INFO, ACKNOWLEDGEMENT or RECOVERY)'],
      [{ message_type: 'PANIC', entity_id: 'x' }, 'message_type: must be CRITICAL, WARNING, INFO, ACKNOWLEDGEMENT or RECOVERY, got "PANIC"'],
      [{ message_type: 'RECOVERY' }, 'entity_id: is required for message_type RECOVERY'],
      [{ message_type: 'CRITICAL', entity_id: { a: 1 } }, 'entity_id: must be a string'],
      [{ message_type: 'CRITICAL', state_message: 5 }, 'state_message: must be a string'],
      ['[]', 'body: must be a JSON object with message_type and entity_id'],
      ['{nope', 'body: is not valid JSON, or nests deeper than 64 levels'],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      expect([r.statusCode, json(r)], JSON.stringify(body)).toEqual([400, { result: 'failure', message }]);
    }
    const unknown = await post({ message_type: 'CRITICAL' }, `/integrations/victorops/${'f'.repeat(32)}/x`);
    expect([unknown.statusCode, json(unknown)]).toEqual([404, { result: 'failure', message: 'key: no integration has this key' }]);
    const huge = await post({ message_type: 'CRITICAL', state_message: 'x'.repeat(600 * 1024) });
    expect([huge.statusCode, json<{ result: string }>(huge).result]).toEqual([413, 'failure']);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: { disabled: true } });
    const disabled = await post({ message_type: 'CRITICAL', entity_id: 'x' });
    expect([disabled.statusCode, json(disabled)]).toEqual([403, { result: 'failure', message: 'key: the integration with this key is disabled' }]);
    expect(await alerts()).toEqual([]);
  });
});

describe('VictorOps rate limit', () => {
  it('answers 429 with Retry-After and a failure body once an integration floods', async () => {
    const t = await buildTestApp({ env: { FIREBREAK_INTAKE_RATE_LIMIT: '1' } });
    try {
      const admin = (await t.userWithToken('admin')).token;
      await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout' } });
      const { key } = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'victorops', name: 'vo' } }));
      const send = () => t.app.inject({ method: 'POST', url: `/integrations/victorops/${key}`, headers: { 'content-type': 'application/json' }, payload: { message_type: 'CRITICAL', entity_id: 'x' } });
      expect((await send()).statusCode).toBe(200);
      const second = await send();
      expect([second.statusCode, json<{ result: string }>(second).result]).toEqual([429, 'failure']);
      expect(second.headers['retry-after']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
