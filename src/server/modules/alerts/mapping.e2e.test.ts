import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';

/** What a tool that knows nothing of Firebreak might post (shaped like Datadog's webhook payloads). */
const datadogLike = (state: 'ALERT' | 'OK', id = 'mon-42') => ({
  alert: { id, name: 'High latency on checkout', state, priority: 'P1', 'body text': 'p99 above 2 s for 10 minutes' },
  items: [{ url: 'https://app.datadoghq.example/monitors/42' }],
  tags: { env: 'prod', team: 'payments' },
  org: { name: 'acme' },
});
const mapping = {
  title: '$.alert.name',
  dedupKey: '$.alert.id',
  status: '$.alert.state',
  severity: '$.alert.priority',
  description: "$.alert['body text']",
  links: '$.items[0].url',
  labels: '$.tags',
  source: '$.org.name',
  statusMap: { OK: 'resolved', ALERT: 'firing' },
  severityMap: { P1: 'critical', P2: 'error' },
};

for (const dialect of dialectCases()) describe(`generic webhook with a JSON-path mapping (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let integrationId: string;

  const post = (body: unknown) => t.app.inject({ method: 'POST', url: `/integrations/webhook/${key}`, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts?status=triggered,acknowledged,resolved', headers: bearer(admin) })).items;
  const patch = (payload: unknown) => t.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integrationId}`, headers: bearer(admin), payload: payload as Record<string, unknown> });

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T05:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'webhook', name: 'Datadog', mapping } });
    expect(made.statusCode, made.body).toBe(201);
    expect(json(made)).toMatchObject({ mapping });
    ({ key, id: integrationId } = json<{ key: string; id: string }>(made));
  });
  afterEach(async () => t.close());

  it('reads arbitrary payloads through the mapping: ALERT opens, ALERT counts, OK resolves', async () => {
    const first = await post(datadogLike('ALERT'));
    expect([first.statusCode, json(first)]).toEqual([202, expect.objectContaining({ status: 'success', outcome: 'created', dedupKey: 'mon-42' })]);
    expect(json(await post(datadogLike('ALERT')))).toMatchObject({ outcome: 'updated' });
    const [alert] = await alerts();
    expect(alert).toMatchObject({ title: 'High latency on checkout', dedupKey: 'mon-42', severity: 'critical', urgency: 'high', description: 'p99 above 2 s for 10 minutes', source: 'acme', labels: { env: 'prod', team: 'payments' }, links: [{ href: 'https://app.datadoghq.example/monitors/42', text: null }], eventCount: 2 });
    // Without a details path, the whole post is kept.
    expect(alert?.details).toEqual(datadogLike('ALERT'));
    expect(json(await post(datadogLike('OK')))).toMatchObject({ outcome: 'resolved' });
    expect((await alerts())[0]?.status).toBe('resolved');

    const listed = json<{ items: Array<{ id: string; mapping?: unknown }> }>(await t.app.inject({ url: '/api/v1/services/checkout/integrations', headers: bearer(admin) }));
    expect(listed.items.find((i) => i.id === integrationId)?.mapping).toEqual(mapping);
  });

  it('names the body field when a mapped value is missing or unmapped', async () => {
    const unmapped = await post({ alert: { id: 'x', name: 'n', state: 'WEIRD' } });
    expect(unmapped.statusCode).toBe(400);
    expect(json<{ details: { issues: unknown[] } }>(unmapped).details.issues).toEqual([{ path: 'body.alert.state', message: '"WEIRD" is not in statusMap (OK, ALERT) and is not "firing" or "resolved"' }]);
    const noTitle = await post({ alert: { id: 'x' } });
    expect(json<{ details: { issues: unknown[] } }>(noTitle).details.issues).toEqual([{ path: 'body.alert.name', message: 'the title is missing or blank (mapping.title must name a non-empty value)' }]);
    const noKey = await post({ alert: { name: 'n', state: 'OK' } });
    expect(json<{ details: { issues: unknown[] } }>(noKey).details.issues).toEqual([{ path: 'body.alert.id', message: 'a dedup key is required to resolve (mapping.dedupKey must name a value present in the body)' }]);
    expect(await alerts()).toEqual([]);
  });

  it('PATCH validates paths, replaces the mapping, and null goes back to the documented fields', async () => {
    const bad = await patch({ mapping: { title: '$.alert[', status: 'alert..state' } });
    expect(bad.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(bad).details.issues.map((i) => i.path)).toEqual(['body.mapping.title', 'body.mapping.status']);
    const missingTitle = await patch({ mapping: { status: '$.s' } });
    expect(missingTitle.statusCode).toBe(400);

    expect((await patch({ mapping: { title: '$[0].summary', severity: '$[0].level' } })).statusCode).toBe(200);
    expect(json(await post([{ summary: 'From an array', level: 'warn' }]))).toMatchObject({ outcome: 'created' });
    expect((await alerts())[0]).toMatchObject({ title: 'From an array', severity: 'warning' });

    const cleared = await patch({ mapping: null });
    expect([cleared.statusCode, json(cleared)]).toEqual([200, expect.objectContaining({ mapping: null })]);
    expect(json(await post({ title: 'Documented fields again', dedupKey: 'doc' }))).toMatchObject({ outcome: 'created', dedupKey: 'doc' });

    // Mappings belong to webhook integrations only.
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'grafana', name: 'g', mapping: { title: '$.title' } } });
    expect([other.statusCode, json<{ details: { issues: unknown[] } }>(other).details.issues]).toEqual([400, [{ path: 'body.mapping', message: 'is only accepted for type webhook' }]]);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', '=', 'integration.update').execute();
    expect(audit).toHaveLength(2);
  });
});
