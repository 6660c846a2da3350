import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';

/**
 * `POST /v2/enqueue` answered ahead of Fastify's router (ADR 0045). `app.inject` goes through Fastify
 * only, and a request over a real socket reaches the early answer first, so comparing the two shows the
 * early answer says exactly what the route says.
 */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const post = (base: string, path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });

/** The headers both paths must agree on: all but the connection's and the clock's. */
const comparable = (headers: IncomingHttpHeaders | Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)));

describe('Events API v2 answered ahead of the router', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  const start = async (env: Record<string, string> = {}) => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-22T06:00:00Z'), env });
    const admin = (await t.userWithToken('admin', 'ana')).token;
    const api = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) => t.app.inject({ method, url, headers: bearer(admin), payload });
    expect((await api('POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout' })).statusCode).toBe(201);
    const events = json<{ key: string; id: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' }));
    const off = json<{ key: string; id: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Old Nagios' }));
    expect((await api('PATCH', `/api/v1/services/checkout/integrations/${off.id}`, { disabled: true })).statusCode).toBe(200);
    const am = json<{ key: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'alertmanager', name: 'Prometheus' }));
    const base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const early = async () => (await t.firebreak.metrics.registry.getSingleMetric('firebreak_http_early_answers_total')?.get())?.values[0]?.value ?? 0;
    const alerts = async () => json<{ items: Alert[] }>(await t.app.inject({ url: '/api/v1/alerts', headers: bearer(admin) })).items;
    return { base, early, alerts, keys: { events: events.key, disabled: off.key, alertmanager: am.key } };
  };

  it('answers every outcome over HTTP exactly as the route does: status, body and headers', async () => {
    const { base, early, alerts, keys } = await start();
    const event = (over: Record<string, unknown>) => JSON.stringify({ routing_key: keys.events, event_action: 'trigger', dedup_key: 'disk', payload: { summary: 'Disk full', source: 'db-1', severity: 'error' }, ...over });
    const cases: Array<[string, string]> = [
      ['accepted', event({})],
      ['accepted again', event({})],
      ['not JSON', '{"routing_key":'],
      ['empty', ''],
      ['no routing key', JSON.stringify({ event_action: 'trigger' })],
      ['unknown key', event({ routing_key: 'f'.repeat(32) })],
      ['disabled integration', event({ routing_key: keys.disabled })],
      ['another format’s key', event({ routing_key: keys.alertmanager })],
      ['invalid event', event({ event_action: 'bogus' })],
      ['too deep', `{"routing_key":"${keys.events}","x":${'['.repeat(70)}${']'.repeat(70)}}`],
      ['too large', event({ payload: { summary: 'x', source: 'y', severity: 'info', custom_details: { blob: 'z'.repeat(600 * 1024) } } })],
    ];
    const before = await early();
    for (const [name, body] of cases) {
      const routed = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: body, headers: { 'content-type': 'application/json' } });
      const answered = await post(base, '/v2/enqueue', body);
      expect(answered.status, name).toBe(routed.statusCode);
      expect(answered.body, name).toBe(routed.body);
      expect(comparable(answered.headers), name).toEqual(comparable(routed.headers));
    }
    expect(await early()).toBe(before + cases.length);
    // Both paths stored their events: four triggers of one key.
    expect((await alerts()).map((a) => [a.dedupKey, a.eventCount])).toEqual([['disk', 4]]);
  });

  it('refuses a body over 512 KB sent in chunks without a length, and leaves other paths to the router', async () => {
    const { base, early, keys } = await start();
    const before = await early();
    const chunked = await post(base, '/v2/enqueue', `{"routing_key":"${keys.events}","pad":"${'a'.repeat(600 * 1024)}"}`, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: ['The request body is larger than 512 KB'] });
    expect(await early()).toBe(before + 1);
    // A query string, or a change event: Fastify's routes, as before.
    const query = await post(base, '/v2/enqueue?source=test', JSON.stringify({ routing_key: keys.events, event_action: 'trigger', dedup_key: 'q', payload: { summary: 'Q', source: 'db-1', severity: 'error' } }));
    expect(query.status).toBe(202);
    const change = await post(base, '/v2/change/enqueue', JSON.stringify({ routing_key: keys.events, payload: { summary: 'Deploy', source: 'ci' } }));
    expect(change.status).toBe(202);
    expect(await early()).toBe(before + 1);
  });

  it('throttles in PagerDuty’s shape with Retry-After, sharing the integration’s budget with the route', async () => {
    const { base, keys } = await start({ FIREBREAK_INTAKE_RATE_LIMIT: '2' });
    const body = JSON.stringify({ routing_key: keys.events, event_action: 'trigger', dedup_key: 'x', payload: { summary: 'X', source: 'db-1', severity: 'error' } });
    expect((await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: body })).statusCode).toBe(202);
    expect((await post(base, '/v2/enqueue', body)).status).toBe(202);
    const routed = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: body });
    const answered = await post(base, '/v2/enqueue', body);
    expect([routed.statusCode, answered.status]).toEqual([429, 429]);
    expect(answered.body).toBe(routed.body);
    expect(answered.headers['retry-after']).toBe(routed.headers['retry-after']);
  });
});
