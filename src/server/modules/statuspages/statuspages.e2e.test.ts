import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls, type ErrorBody } from '../../../../test/support/api.js';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases, postgresUrl } from '../../../../test/support/databases.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { openDatabase } from '../../platform/db/database.js';
import type { StatusComponent, StatusIncident, StatusPage } from '../../../contracts/status-pages.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';
import { API_DOCUMENTS } from './statuspage.public.js';
import { exportStatusPages } from './statuspage.export.js';
import { createLogger } from '../../platform/logger.js';

for (const dialect of dialectCases()) describe(`status pages (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let responder: string;
  let viewer: string;

  const { call, ok } = apiCalls(() => t);
  // No waiting after a change anywhere below: the node that made it serves it from the next request on.
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'ana')).token;
    responder = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
  });
  afterEach(async () => t.close());

  const scene = async () => {
    const page = await ok<StatusPage>(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'America/New_York', footerLinks: [{ label: 'Support', url: 'https://acme.example/support' }] });
    const group = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Platform', group: true });
    const api = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'API', groupId: group.id, description: 'REST and webhooks' });
    const web = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Website' });
    return { page, group, api, web };
  };

  it('shows an operational page in words, then a posted incident with the affected component, in the page’s zone', async () => {
    const { api } = await scene();
    let html = (await get('/status/acme')).body;
    expect(html).toContain('All Systems Operational');
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    // One script, from a file (the CSP allows no inline script): the visitor's local times, optional.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/status/acme/local-time.js" defer>']);
    const script = await get('/status/acme/local-time.js');
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body).toContain('textContent');

    const incident = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'API errors', impact: 'major', body: 'We are investigating\nelevated errors.', components: [{ component: api.id, status: 'partial_outage' }] });
    expect(incident.status).toBe('investigating');
    const res = await get('/status/acme');
    html = res.body;
    expect(res.headers['content-type']).toContain('text/html');
    expect(html).toContain('Partial System Outage');
    expect(html).toContain('API errors');
    expect(html).toContain('We are investigating<br>elevated errors.');
    // 09:00 UTC is 04:00 in New York (EST).
    expect(html).toContain('Nov 21, 2026, 04:00 EST');

    const summary = json<{ status: { indicator: string; description: string }; incidents: { id: string; name: string; impact: string; incident_updates: { affected_components: unknown[] }[] }[]; components: { name: string; status: string; group: boolean; group_id: string | null }[]; page: Record<string, unknown> }>(await get('/status/acme/api/v2/summary.json'));
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(summary.page).toEqual({ id: expect.any(String), name: 'Acme', url: 'http://localhost:8080/status/acme', time_zone: 'America/New_York', updated_at: '2026-11-21T09:00:00.000Z' });
    expect(summary.components.map((c) => [c.name, c.status, c.group])).toEqual([['Platform', 'partial_outage', true], ['API', 'partial_outage', false], ['Website', 'operational', false]]);
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]?.incident_updates[0]?.affected_components).toEqual([{ code: api.id, name: 'API', old_status: 'operational', new_status: 'partial_outage' }]);

    await ok(responder, 'POST', `/api/v1/status-pages/acme/incidents/${incident.id}/updates`, { status: 'resolved', body: 'Fixed.', components: [{ component: api.id, status: 'operational' }] });
    const after = json<{ status: { indicator: string } }>(await get('/status/acme/api/v2/status.json'));
    expect(after.status.indicator).toBe('none');
    const unresolved = json<{ incidents: unknown[] }>(await get('/status/acme/api/v2/incidents/unresolved.json'));
    expect(unresolved.incidents).toEqual([]);
    const all = json<{ incidents: { status: string; resolved_at: string }[] }>(await get('/status/acme/api/v2/incidents.json'));
    expect(all.incidents.map((i) => i.status)).toEqual(['resolved']);
    const history = (await get('/status/acme/history')).body;
    expect(history).toContain('November 2026');
    expect(history).toContain('API errors');
    for (const feed of ['history.rss', 'history.atom']) expect((await get(`/status/acme/${feed}`)).body).toContain('API errors');
    const badge = await get('/status/acme/badge.svg');
    expect(badge.headers['content-type']).toContain('image/svg+xml');
    expect(badge.body).toContain('>All Systems Operational</text>');
    expect(badge.body).toContain('fill="#1a7f37"');
  });

  it('answers from cache with an ETag, 304 on If-None-Match, and CDN-friendly Cache-Control', async () => {
    await scene();
    const first = await get('/status/acme/api/v2/summary.json');
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+/);
    expect(first.headers['last-modified']).toBe('Sat, 21 Nov 2026 09:00:00 GMT');
    const etag = first.headers.etag as string;
    const again = await get('/status/acme/api/v2/summary.json', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/components/${(await ok<{ components: StatusComponent[] }>(viewer, 'GET', '/api/v1/status-pages/acme')).components[2]?.id}`, { status: 'degraded_performance' });
    const changed = await get('/status/acme/api/v2/summary.json', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(json<{ status: { description: string } }>(changed).status.description).toBe('Minor Service Outage');

    // Gzip, compressed once per change, with its own ETag.
    const plain = await get('/status/acme');
    const zipped = await get('/status/acme', { 'accept-encoding': 'br, gzip;q=0.8' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    expect((await get('/status/acme', { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag as string })).statusCode).toBe(304);
    expect((await get('/status/acme', { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding']).toBeUndefined();
  });

  it('re-renders when another node changed the page (version re-check)', async () => {
    const { web } = await scene();
    expect(json<{ status: { indicator: string } }>(await get('/status/acme/api/v2/status.json')).status.indicator).toBe('none');
    // Written behind the service's back, as another node would: only the version tells.
    await t.firebreak.services.database.db.updateTable('status_components').set({ status: 'major_outage' }).where('id', '=', web.id).execute();
    await t.firebreak.services.database.db.updateTable('status_pages').set((eb) => ({ version: eb('version', '+', 1) })).execute();
    // Each node re-reads versions every 500 ms (real timers); allow for a loaded machine.
    await expect.poll(async () => json<{ status: { indicator: string } }>(await get('/status/acme/api/v2/status.json')).status.indicator, { timeout: 5000, interval: 50 }).toBe('major');
  });

  it('keeps answering from memory while the database fails, and catches up once it is back', async () => {
    const { web } = await scene();
    expect((await get('/status/acme')).body).toContain('All Systems Operational');
    const db = t.firebreak.services.database.db;
    // Every status-page query now fails, as with a database that is down.
    await sql`ALTER TABLE status_pages RENAME TO status_pages_away`.execute(db);
    try {
      t.clock.advance(5 * 60_000); // a re-render is due (uptime bars move with time) and cannot happen
      await new Promise((resolve) => setTimeout(resolve, 700)); // at least one failed version re-read (real timer)
      const during = await get('/status/acme');
      expect(during.statusCode).toBe(200);
      expect(during.body).toContain('All Systems Operational');
      expect((await get('/status/acme/api/v2/summary.json')).statusCode).toBe(200);
    } finally {
      await sql`ALTER TABLE status_pages_away RENAME TO status_pages`.execute(db);
    }
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { status: 'major_outage' });
    expect((await get('/status/acme')).body).toContain('Partial System Outage');
  });

  it('serves a page at / of its custom domain and leaves every other host alone', async () => {
    await scene();
    await ok(admin, 'PATCH', '/api/v1/status-pages/acme', { customDomain: 'status.acme.example' });
    // The host routing reads an in-memory domain map, refreshed right after the change (a DNS change takes longer anyway).
    await expect.poll(async () => (await t.app.inject({ url: '/', headers: { host: 'status.acme.example' } })).statusCode, { timeout: 5000, interval: 20 }).toBe(200);
    const root = await t.app.inject({ url: '/', headers: { host: 'status.acme.example' } });
    expect(root.body).toContain('All Systems Operational');
    expect(root.body).toContain('href="/history"');
    const api = await t.app.inject({ url: '/api/v2/components.json', headers: { host: 'Status.Acme.Example:443' } });
    expect(json<{ components: unknown[] }>(api).components).toHaveLength(3);
    const elsewhere = await t.app.inject({ url: '/api/v2/components.json', headers: { host: 'localhost' } });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.body).not.toContain('Acme');
  });

  it('moves a maintenance to in progress and completed at its times, components under maintenance meanwhile', async () => {
    const { web } = await scene();
    const m = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Database upgrade', body: 'Planned.', scheduledFor: '2026-11-21T10:00:00Z', scheduledUntil: '2026-11-21T11:00:00Z', components: [web.id] });
    expect(json<{ scheduled_maintenances: { id: string }[] }>(await get('/status/acme/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances.map((s) => s.id)).toEqual([m.id]);
    t.clock.set('2026-11-21T10:00:00Z');
    await t.firebreak.runner.runDueJobs();
    const active = json<{ scheduled_maintenances: { status: string; scheduled_for: string; scheduled_until: string }[] }>(await get('/status/acme/api/v2/scheduled-maintenances/active.json'));
    expect(active.scheduled_maintenances).toEqual([expect.objectContaining({ status: 'in_progress', scheduled_for: '2026-11-21T10:00:00.000Z', scheduled_until: '2026-11-21T11:00:00.000Z' })]);
    expect(json<{ status: { indicator: string; description: string } }>(await get('/status/acme/api/v2/status.json')).status).toEqual({ indicator: 'maintenance', description: 'Service Under Maintenance' });
    t.clock.set('2026-11-21T11:00:00Z');
    await t.firebreak.runner.runDueJobs();
    const done = await ok<StatusIncident>(viewer, 'GET', `/api/v1/status-pages/acme/maintenances/${m.id}`);
    expect(done.status).toBe('completed');
    expect(done.updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    const component = (await ok<{ components: StatusComponent[] }>(viewer, 'GET', '/api/v1/status-pages/acme')).components.find((c) => c.id === web.id);
    expect(component?.status).toBe('operational');
  });

  it('refuses bad input naming the field, and leaves shaping pages to admins', async () => {
    await scene();
    const bad = await call(admin, 'POST', '/api/v1/status-pages', { slug: 'x', name: 'X', footerLinks: [{ label: 'Evil', url: 'javascript:alert(1)' }] });
    expect(bad.statusCode).toBe(400);
    expect(json<ErrorBody>(bad).details?.issues?.[0]?.path).toBe('body.footerLinks.0.url');
    const logo = await call(admin, 'PATCH', '/api/v1/status-pages/acme', { logoUrl: 'data:text/html,<script>alert(1)</script>' });
    expect(json<ErrorBody>(logo).details?.issues?.[0]?.path).toBe('body.logoUrl');
    const taken = await call(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Again' });
    expect(taken.statusCode).toBe(409);
    const unknown = await call(responder, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'x', body: 'y', components: [{ component: 'nope', status: 'major_outage' }] });
    expect(json<ErrorBody>(unknown).details?.issues?.[0]?.path).toBe('body.components.0.component');
    expect((await call(responder, 'POST', '/api/v1/status-pages', { slug: 'mine', name: 'Mine' })).statusCode).toBe(403);
    const web = (await ok<{ components: StatusComponent[] }>(viewer, 'GET', '/api/v1/status-pages/acme')).components.find((c) => c.name === 'Website') as StatusComponent;
    const reshape = await call(responder, 'PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { status: 'degraded_performance', public: false });
    expect(reshape.statusCode).toBe(403);
    expect(json<ErrorBody>(reshape).message).toContain('`public`');
    expect((await call(responder, 'PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { status: 'degraded_performance' })).statusCode).toBe(200);
    expect((await call(admin, 'PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { name: 'Web site' })).statusCode).toBe(200);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'status-%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['status-page.create', 'status-component.create']));
  });

  it('keeps every internal thing off every public surface (crawl of HTML, feeds and JSON)', async () => {
    const { web } = await scene();
    // Internal incident with notes (issue 6): never on a status page.
    await ok(admin, 'POST', '/api/v1/services', { handle: 'billing', name: 'billing' });
    const internal = await ok<{ id: string }>(responder, 'POST', '/api/v1/incidents', { title: 'SECRET-INTERNAL-INCIDENT', severity: 'SEV1', impactedServices: ['billing'], customerImpact: 'SECRET-CUSTOMER-IMPACT' });
    await ok(responder, 'POST', `/api/v1/incidents/${internal.id}/timeline`, { note: 'SECRET-INTERNAL-NOTE' });
    // A private component, a public group holding a private member, a component in a private group.
    const hidden = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'SECRET-PRIVATE-COMPONENT', public: false, description: 'SECRET-COMPONENT-DESCRIPTION' });
    const hiddenGroup = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'SECRET-PRIVATE-GROUP', group: true, public: false });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'SECRET-MEMBER-OF-PRIVATE-GROUP', groupId: hiddenGroup.id });
    // A public incident that also touched the private component: the change is kept, the name is not.
    await ok(responder, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Public incident', body: 'Public words.', components: [{ component: web.id, status: 'degraded_performance' }, { component: hidden.id, status: 'major_outage' }] });
    // A private page with its own incident.
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'internal', name: 'SECRET-PRIVATE-PAGE', visibility: 'private' });
    await ok(responder, 'POST', '/api/v1/status-pages/internal/incidents', { name: 'SECRET-PRIVATE-PAGE-INCIDENT', body: 'SECRET-PRIVATE-PAGE-BODY' });

    const secrets = ['SECRET-', hidden.id, hiddenGroup.id];
    const pages = ['/status/acme', '/status/acme/history', '/status/acme/history.rss', '/status/acme/history.atom', '/status/acme/badge.svg', ...API_DOCUMENTS.map((p) => `/status/acme/api/v2/${p}`)];
    const crawled: string[] = [];
    const queue = [...pages];
    while (queue.length > 0) {
      const url = queue.shift() as string;
      if (crawled.includes(url)) continue;
      crawled.push(url);
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      for (const secret of secrets) expect(res.body, `${url} leaks ${secret}`).not.toContain(secret);
      for (const m of res.body.matchAll(/href="(\/status\/[^"#]+)"/g)) if (!crawled.includes(m[1] as string)) queue.push(m[1] as string);
    }
    expect(crawled.some((u) => /\/incidents\/\w+$/.test(u))).toBe(true);
    expect(crawled.length).toBeGreaterThan(pages.length);
    // The private page: the same 404 as a page that does not exist, to anonymous visitors, on every path.
    for (const path of ['', '/history', '/history.rss', '/history.atom', '/badge.svg', '/local-time.js', ...API_DOCUMENTS.map((p) => `/api/v2/${p}`)]) {
      const res = await t.app.inject({ url: `/status/internal${path}` });
      const none = await t.app.inject({ url: `/status/no-such-page${path}` });
      expect(res.statusCode, path).toBe(404);
      expect(res.body).toBe(none.body);
    }
    // Logged in, it shows.
    const loggedIn = await t.app.inject({ url: '/status/internal', headers: bearer(viewer) });
    expect(loggedIn.statusCode).toBe(200);
    expect(loggedIn.body).toContain('SECRET-PRIVATE-PAGE-INCIDENT');
    expect(loggedIn.headers['cache-control']).toBe('private, no-store');
  });

  it('limits a private page to the email domains it lists (subdomains too), while admins always see it', async () => {
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'partners', name: 'Partners', visibility: 'private', allowedEmailDomains: ['acme.example'] });
    const { catalog, auth, database } = t.firebreak.services;
    const tokenFor = async (handle: string, email: string, role: 'viewer' | 'responder') => {
      const user = await catalog.createUser({ actor: systemActor('test'), principal: null }, { handle, name: handle, email, timeZone: 'UTC', role });
      return auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'test', systemActor('test'));
    };
    const partner = await tokenFor('pat', 'pat@acme.example', 'viewer');
    const regional = await tokenFor('reg', 'reg@eu.acme.example', 'viewer');
    const lookalike = await tokenFor('eve', 'eve@notacme.example', 'responder');
    const none = await t.app.inject({ url: '/status/no-such-page' });
    for (const [token, status] of [[partner, 200], [regional, 200], [admin, 200], [lookalike, 404], [viewer, 404]] as const) {
      for (const path of ['', '/api/v2/summary.json', '/badge.svg']) {
        const res = await t.app.inject({ url: `/status/partners${path}`, headers: bearer(token) });
        expect(res.statusCode, `${path} ${status}`).toBe(status);
        if (status === 404) expect(res.body).toBe(none.body);
      }
    }
    // A visitor who is not signed in is offered a sign-in link by email (ADR 0041), naming nothing of the page.
    const anon = await t.app.inject({ url: '/status/partners' });
    expect(anon.statusCode).toBe(403);
    expect(anon.body).toContain('This status page is private');
    // Emptying the list opens it to every signed-in person again.
    await ok(admin, 'PATCH', '/api/v1/status-pages/partners', { allowedEmailDomains: [] });
    expect((await t.app.inject({ url: '/status/partners', headers: bearer(viewer) })).statusCode).toBe(200);
  });

  it('exports public pages as static files with the same bytes, and never a private page', async () => {
    const { api } = await scene();
    const incident = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'API errors', body: 'Looking.', components: [{ component: api.id, status: 'major_outage' }] });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'internal', name: 'SECRET-PRIVATE-PAGE', visibility: 'private' });
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-status-export-'));
    try {
      const { services } = t.firebreak;
      const result = await exportStatusPages({ pages: services.statusPages, clock: t.clock, logger: createLogger('silent') }, dir);
      expect(result.pages).toEqual(['acme']);
      expect(existsSync(join(dir, 'status', 'internal'))).toBe(false);
      expect(readFileSync(join(dir, 'status/acme/api/v2/summary.json'), 'utf8')).toBe((await get('/status/acme/api/v2/summary.json')).body);
      expect(readFileSync(join(dir, 'status/acme/index.html'), 'utf8')).toContain('Partial System Outage');
      for (const file of ['history/index.html', 'history.rss', 'history.atom', 'badge.svg', `incidents/${incident.id}/index.html`, 'api/v2/scheduled-maintenances/active.json']) expect(existsSync(join(dir, 'status/acme', file)), file).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes hostile names, titles and bodies everywhere and never prints a javascript: link', async () => {
    const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'xss', name: hostile, footerLinks: [{ label: hostile, url: 'https://ok.example/"><script>alert(3)</script>' }] });
    const c = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/xss/components', { name: hostile, description: hostile });
    await ok(responder, 'POST', '/api/v1/status-pages/xss/incidents', { name: hostile, body: `${hostile}\n[click](javascript:alert(4))`, components: [{ component: c.id, status: 'major_outage' }] });
    await ok(responder, 'POST', '/api/v1/status-pages/xss/maintenances', { name: hostile, body: hostile, scheduledFor: '2026-11-22T10:00:00Z', scheduledUntil: '2026-11-22T11:00:00Z' });
    expect((await call(responder, 'PATCH', '/api/v1/status-pages/xss/incidents/x', { postmortemUrl: 'javascript:alert(5)' })).statusCode).toBe(400);
    for (const url of ['/status/xss', '/status/xss/history', '/status/xss/history.rss', '/status/xss/history.atom', '/status/xss/badge.svg']) {
      const body = (await get(url)).body.replace('<script src="/status/xss/local-time.js" defer></script>', '');
      expect(body, url).not.toMatch(/<script|<img|href="javascript:/i);
      expect(body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const html = await get('/status/xss');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    // JSON carries the text as data, exactly as written (clients escape it when they show it).
    const summary = json<{ page: { name: string } }>(await get('/status/xss/api/v2/summary.json'));
    expect(summary.page.name).toBe(hostile);
  });
});

describe('status-page rate limit', () => {
  it('limits a crowd on the status page by its own bucket, leaving alert intake and the API alone', async () => {
    // Status pages have their own budget: 20 requests per minute per address here, while the other public endpoints keep theirs.
    const t = await buildTestApp({ env: { FIREBREAK_STATUS_PAGE_RATE_LIMIT: '20' } });
    try {
      const { token } = await t.userWithToken('admin', 'ana');
      const { call } = apiCalls(() => t);
      expect((await call(token, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' })).statusCode).toBe(201);
      expect((await call(token, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout' })).statusCode).toBe(201);
      const integration = json<{ key: string }>(await call(token, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Events' }));
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await t.app.inject({ url: '/status/acme' })).statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
      const intake = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: integration.key, event_action: 'trigger', payload: { summary: 'Checkout down', source: 'probe', severity: 'critical' } } });
      expect(intake.statusCode).toBe(202);
      expect((await call(token, 'GET', '/api/v1/status-pages/acme')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(!postgresUrl())('status pages on two nodes (PostgreSQL)', () => {
  it('shows a change made on one node on the other within one re-read interval, with no message between them', async () => {
    const url = await createTestDatabase(postgresUrl() as string);
    const first = openDatabase({ url, poolSize: 4 });
    await first.migrate();
    const a = await buildTestApp({ database: first });
    const b = await buildTestApp({ database: openDatabase({ url, poolSize: 4 }), clock: a.clock });
    try {
      const { token } = await a.userWithToken('admin', 'ana');
      const call = (method: 'POST' | 'PATCH', path: string, payload: Record<string, unknown>) => a.app.inject({ method, url: path, headers: bearer(token), payload });
      expect((await call('POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' })).statusCode).toBe(201);
      const web = json<StatusComponent>(await call('POST', '/api/v1/status-pages/acme/components', { name: 'Website' }));
      const status = async () => {
        const res = await b.app.inject({ url: '/status/acme/api/v2/status.json' });
        return res.statusCode === 200 ? json<{ status: { indicator: string } }>(res).status.indicator : `HTTP ${res.statusCode}`;
      };
      // Node B learns of the new page by its own re-read (every 500 ms).
      await expect.poll(status, { timeout: 5000, interval: 20 }).toBe('none');
      expect((await call('PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { status: 'major_outage' })).statusCode).toBe(200);
      // The design bound is one re-read interval (500 ms) plus a render; a loaded test machine gets slack.
      await expect.poll(status, { timeout: 2500, interval: 20 }).toBe('critical');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
