import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../support/app.js';
import { dialectCases } from '../support/databases.js';

/**
 * NUL characters (U+0000): PostgreSQL cannot store them in text, so the same request must get the same
 * answer on both databases. The management API refuses them naming the field; alert intake keeps the
 * alert (a refused alert is a lost page) with the NUL replaced.
 */
for (const dialect of dialectCases()) describe(`NUL characters (${dialect.name})`, () => {
  let t: TestApp;
  let owner: string;
  let eventsKey: string;

  beforeAll(async () => {
    t = await buildTestApp({ database: await dialect.open() });
    owner = (await t.userWithToken('owner', 'root')).token;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(owner), payload: { handle: 'checkout', name: 'Checkout' } })).statusCode).toBe(201);
    eventsKey = json<{ key: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(owner), payload: { type: 'events-v2', name: 'Nagios' } })).key;
  });
  afterAll(async () => t.close());

  it('answers 400 naming the parameter for a NUL in any path parameter of any documented operation, never 500', async () => {
    const document = json<{ paths: Record<string, Record<string, unknown>> }>(await t.app.inject({ url: '/api/openapi.json' }));
    const failures: string[] = [];
    let tried = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(methods)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const url = path.replace(/\{[^}]+\}/g, 'a%00b');
        const res = await t.app.inject({ method: method.toUpperCase() as 'GET', url, headers: bearer(owner), ...(method === 'get' || method === 'delete' ? {} : { payload: {} }) });
        tried++;
        if (res.statusCode >= 500) failures.push(`${method.toUpperCase()} ${path} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(tried).toBeGreaterThan(50);
    expect(failures).toEqual([]);
    const named = await t.app.inject({ url: '/api/v1/incidents/a%00b', headers: bearer(owner) });
    expect(named.statusCode).toBe(400);
    expect(json<{ details: { issues: { path: string; message: string }[] } }>(named).details.issues).toEqual([{ path: 'params.incident', message: 'must not contain NUL characters' }]);
  });

  it('answers 400 naming the field for a NUL in a query string or a management API body', async () => {
    const query = await t.app.inject({ url: '/api/v1/incidents?service=a%00b', headers: bearer(owner) });
    expect(query.statusCode, query.body).toBe(400);
    expect(json<{ details: { issues: { path: string }[] } }>(query).details.issues[0]?.path).toBe('query.service');
    const body = await t.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(owner), payload: { title: 'Checkout\u0000down', severity: 'SEV2' } });
    expect(body.statusCode, body.body).toBe(400);
    expect(json<{ details: { issues: { path: string }[] } }>(body).details.issues).toEqual([{ path: 'body.title', message: 'must not contain NUL characters' }]);
    const listed = json<{ items: unknown[] }>(await t.app.inject({ url: '/api/v1/incidents', headers: bearer(owner) }));
    expect(listed.items).toEqual([]);
  });

  it('keeps an alert whose payload carries a NUL, as the same alert on both databases', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, event_action: 'trigger', dedup_key: 'nul\u0000key', payload: { summary: 'Disk\u0000full', source: 'db\u00001', severity: 'critical', custom_details: { note: 'a\u0000b' } } } });
    expect(res.statusCode, res.body).toBe(202);
    const alerts = json<{ items: { title: string }[] }>(await t.app.inject({ url: '/api/v1/alerts', headers: bearer(owner) }));
    expect(alerts.items.map((a) => a.title)).toEqual(['Disk\uFFFDfull']);
  });
});
