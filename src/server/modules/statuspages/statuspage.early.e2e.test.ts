import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { apiCalls, type ErrorBody } from '../../../../test/support/api.js';
import type { StatusComponent, StatusIncident } from '../../../contracts/status-pages.js';
import { ManualClock } from '../../platform/clock.js';
import { API_DOCUMENTS } from './statuspage.public.js';

/**
 * Public status pages answered from memory ahead of Fastify's router (ADR 0042). `app.inject` goes
 * through Fastify only, and a request over a real socket reaches the early answer first, so comparing
 * the two shows the early answer says exactly what the routes say.
 */
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const overHttp = (base: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });

/** The headers both paths must agree on: all but the connection's and the clock's. */
const comparable = (headers: IncomingHttpHeaders | Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(name)));

describe('status pages answered ahead of the router', () => {
  let t: TestApp;
  const { ok } = apiCalls(() => t);
  afterEach(async () => t.close());

  const start = async (env: Record<string, string> = {}) => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env });
    const admin = (await t.userWithToken('admin', 'ana')).token;
    const base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const early = async () => (await t.firebreak.metrics.registry.getSingleMetric('firebreak_http_early_answers_total')?.get())?.values[0]?.value ?? 0;
    return { admin, base, early };
  };

  it('answers every public document over HTTP exactly as the routes do: bytes, headers, gzip, 304s and the custom domain', async () => {
    const { admin, base, early } = await start();
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'Europe/Lisbon', customDomain: 'status.acme.example' });
    const api = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'API' });
    const incident = await ok<StatusIncident>(admin, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'API errors', impact: 'major', body: 'We are investigating.', components: [{ component: api.id, status: 'partial_outage' }] });
    // The first request renders the page (through the route); from then on the early answer has it.
    expect((await t.app.inject({ url: '/status/acme' })).statusCode).toBe(200);
    const summary = await t.app.inject({ url: '/status/acme/api/v2/summary.json' });
    const page = await t.app.inject({ url: '/status/acme', headers: { 'accept-encoding': 'gzip' } });

    const paths = ['', '/', '/history', '/history.rss', '/history.atom', '/badge.svg', '/local-time.js', `/incidents/${incident.id}`, ...API_DOCUMENTS.map((p) => `/api/v2/${p}`)];
    const cases: Array<[string, Record<string, string>]> = [
      ...paths.map((p): [string, Record<string, string>] => [`/status/acme${p}`, {}]),
      ['/status/acme/api/v2/summary.json?callback=x', {}],
      ['/status/acme', { 'accept-encoding': 'gzip, deflate, br' }],
      ['/status/acme', { 'accept-encoding': 'gzip;q=0' }],
      ['/status/acme', { 'if-none-match': page.headers.etag as string, 'accept-encoding': 'gzip' }],
      ['/status/acme/api/v2/summary.json', { 'if-none-match': `W/${summary.headers.etag as string}` }],
      ['/status/acme/api/v2/summary.json', { 'if-modified-since': 'Sat, 21 Nov 2026 10:00:00 GMT' }],
      ['/status/acme/api/v2/summary.json', { 'if-none-match': '"stale"' }],
      // A signed-in visitor of a public page gets the public answer.
      ['/status/acme', { cookie: 'firebreak_session=whatever' }],
      ['/', { host: 'status.acme.example' }],
      ['/api/v2/status.json', { host: 'Status.Acme.Example' }],
      [`/incidents/${incident.id}`, { host: 'status.acme.example' }],
    ];
    const before = await early();
    for (const [path, headers] of cases) {
      const routed = await t.app.inject({ url: path, headers: { host: `127.0.0.1`, ...headers } });
      const answered = await overHttp(base, path, headers);
      expect(answered.status, path).toBe(routed.statusCode);
      expect(comparable(answered.headers), `${path} ${JSON.stringify(headers)}`).toEqual(comparable(routed.headers));
      expect(answered.body.equals(routed.rawPayload), path).toBe(true);
    }
    expect(await early()).toBe(before + cases.length);
    expect(page.headers['content-encoding']).toBe('gzip');

    // A change shows on the next request over HTTP too (the early answer reads the same cache).
    await ok(admin, 'PATCH', `/api/v1/status-pages/acme/components/${api.id}`, { status: 'major_outage' });
    await t.app.inject({ url: '/status/acme/api/v2/components.json' });
    const components = JSON.parse((await overHttp(base, '/status/acme/api/v2/components.json')).body.toString('utf8')) as { components: Array<{ status: string }> };
    expect(components.components[0]?.status).toBe('major_outage');
  });

  it('leaves private pages, unknown paths, HEAD and encoded paths to the routes', async () => {
    const { admin, base, early } = await start();
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'internal', name: 'Internal', visibility: 'private' });
    const viewer = (await t.userWithToken('viewer', 'vic')).token;
    for (const url of ['/status/acme', '/status/internal']) await t.app.inject({ url, headers: { authorization: `Bearer ${admin}` } });
    const before = await early();

    const anonymous = await overHttp(base, '/status/internal/api/v2/summary.json');
    expect(anonymous.status).toBe(404);
    const signedIn = await overHttp(base, '/status/internal/api/v2/summary.json', { authorization: `Bearer ${viewer}` });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('private, no-store');
    expect((await overHttp(base, '/status/acme/nothing-here')).status).toBe(404);
    expect((await overHttp(base, '/status/no-such-page')).status).toBe(404);
    expect((await overHttp(base, '/status/%61cme')).status).toBe(200);
    const head = await new Promise<number>((resolve, reject) => httpRequest(`${base}/status/acme`, { method: 'HEAD', agent: false }, (res) => resolve(res.statusCode ?? 0)).on('error', reject).end());
    expect(head).toBe(200);
    expect(await early()).toBe(before);
  });

  it('gives a client one budget whichever path answers, and refuses past it with the API’s error shape', async () => {
    const { admin, base, early } = await start({ FIREBREAK_STATUS_PAGE_RATE_LIMIT: '5' });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' });
    expect((await t.app.inject({ url: '/status/acme' })).headers['x-ratelimit-remaining']).toBe('4');
    const answered = [await overHttp(base, '/status/acme'), await overHttp(base, '/status/acme')];
    expect(answered.map((a) => [a.status, a.headers['x-ratelimit-remaining']])).toEqual([
      [200, '3'],
      [200, '2'],
    ]);
    expect((await t.app.inject({ url: '/status/acme' })).headers['x-ratelimit-remaining']).toBe('1');
    expect((await overHttp(base, '/status/acme')).status).toBe(200);
    expect(await early()).toBe(3);
    // The sixth request is over the limit: the early answer declines and the route refuses it.
    const refused = await overHttp(base, '/status/acme');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    const body = JSON.parse(refused.body.toString('utf8')) as ErrorBody;
    expect(body.code).toBe('RATE_LIMITED');
    expect(body.message).toBe('Too many requests: at most 5 per minute. Retry after 60 s');
    expect(body.details).toEqual({ retryAfterSeconds: 60 });
    expect(await early()).toBe(3);
    // Another route has its own budget; a minute later the page answers again.
    expect((await overHttp(base, '/status/acme/api/v2/status.json')).status).toBe(200);
    t.clock.advance(60_000);
    expect((await overHttp(base, '/status/acme')).status).toBe(200);
  });
});
