import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../../test/support/app.js';
import { apiCalls } from '../../../../../test/support/api.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import type { Postmortem, Publication } from '../../../../contracts/postmortems.js';
import type { StatusIncident } from '../../../../contracts/status-pages.js';
import { ManualClock } from '../../../platform/clock.js';


for (const dialect of dialectCases()) describe(`withdrawing a postmortem's public version (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let ben: string;
  let viewer: string;

  const { ok, fails } = apiCalls(() => t);
  const page = (path: string) => t.app.inject({ method: 'GET', url: path });

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    let pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems', { title: 'Checkout errors' });
    const sections = pm.sections.map((s) => (s.key === 'summary' ? { ...s, body: 'Card payments failed for 40 minutes.' } : s));
    pm = await ok<Postmortem>(ana, 'PATCH', '/api/v1/postmortems/PM-1', { baseVersion: pm.version, sections, noActionItemsReason: 'Nothing to change.' });
    pm = await ok<Postmortem>(ana, 'PUT', '/api/v1/postmortems/PM-1/reviewers', { baseVersion: pm.version, reviewers: ['ben'] });
    pm = await ok<Postmortem>(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'submit' });
    await ok(ben, 'POST', '/api/v1/postmortems/PM-1/reviews', { decision: 'approved' });
    await ok(ana, 'POST', '/api/v1/postmortems/PM-1/transitions', { baseVersion: pm.version, action: 'publish' });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme' });
  });
  afterEach(async () => t.close());

  it('withdraws it from one status-page incident: the page stops linking, the address answers 404, the audit log says so', async () => {
    const first = await ok<StatusIncident>(ana, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Checkout errors', body: 'Payments are failing.' });
    const second = await ok<StatusIncident>(ana, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Checkout errors (EU)', body: 'Payments are failing in the EU.' });
    const one = await ok<{ id: string; url: string }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: first.id });
    const two = await ok<{ id: string; url: string }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: second.id });
    const listed = (await ok<{ items: Publication[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/public-version')).items;
    expect(listed.map((p) => [p.url, p.statusPageIncident?.name, p.statusPageIncident?.page.slug]).sort()).toEqual([[one.url, 'Checkout errors', 'acme'], [two.url, 'Checkout errors (EU)', 'acme']].sort());
    const path = new URL(one.url).pathname;
    expect((await page(path)).statusCode).toBe(200);
    expect((await page(`/status/acme/incidents/${first.id}`)).body).toContain(path);

    // Viewers cannot; unknown incidents and parameters are named.
    expect((await fails(403, viewer, 'DELETE', `/api/v1/postmortems/PM-1/public-version?statusPageIncident=${first.id}`)).code).toBe('FORBIDDEN');
    expect((await fails(404, ana, 'DELETE', '/api/v1/postmortems/PM-1/public-version?statusPageIncident=nope')).message).toBe('PM-1 has no public version on status-page incident `nope`');
    expect((await fails(400, ana, 'DELETE', `/api/v1/postmortems/PM-1/public-version?incident=${first.id}`)).code).toBe('VALIDATION_FAILED');

    await ok(ana, 'DELETE', `/api/v1/postmortems/PM-1/public-version?statusPageIncident=${first.id}`);
    expect((await page(path)).statusCode).toBe(404);
    expect((await ok<StatusIncident>(ana, 'GET', `/api/v1/status-pages/acme/incidents/${first.id}`)).postmortemUrl).toBeNull();
    expect((await page(`/status/acme/incidents/${first.id}`)).body).not.toContain(path);
    // The other one stays.
    expect((await page(new URL(two.url).pathname)).statusCode).toBe(200);
    expect((await ok<StatusIncident>(ana, 'GET', `/api/v1/status-pages/acme/incidents/${second.id}`)).postmortemUrl).toBe(two.url);
    expect((await ok<{ items: Publication[] }>(viewer, 'GET', '/api/v1/postmortems/PM-1/public-version')).items.map((p) => p.id)).toEqual([two.id]);

    const audit = await ok<{ items: Array<{ action: string; before: { publicationId?: string; url?: string } | null }> }>(admin, 'GET', '/api/v1/audit?limit=100');
    expect(audit.items.filter((a) => a.action === 'postmortem.public-version-withdraw').map((a) => a.before)).toEqual([expect.objectContaining({ publicationId: one.id, url: one.url })]);

    // Without an incident: every one left; then there is nothing to withdraw.
    await ok(ana, 'DELETE', '/api/v1/postmortems/PM-1/public-version');
    expect((await page(new URL(two.url).pathname)).statusCode).toBe(404);
    expect((await ok<StatusIncident>(ana, 'GET', `/api/v1/status-pages/acme/incidents/${second.id}`)).postmortemUrl).toBeNull();
    expect((await fails(404, ana, 'DELETE', '/api/v1/postmortems/PM-1/public-version')).message).toBe('PM-1 has no public version');
  });

  it('leaves a link the status page set to something else alone', async () => {
    const incident = await ok<StatusIncident>(ana, 'POST', '/api/v1/status-pages/acme/incidents', { name: 'Checkout errors', body: 'Payments are failing.' });
    const published = await ok<{ url: string }>(ana, 'POST', '/api/v1/postmortems/PM-1/public-version', { statusPageIncident: incident.id });
    await ok(ana, 'PATCH', `/api/v1/status-pages/acme/incidents/${incident.id}`, { postmortemUrl: 'https://blog.example.com/checkout-errors' });
    await ok(ana, 'DELETE', '/api/v1/postmortems/PM-1/public-version');
    expect((await page(new URL(published.url).pathname)).statusCode).toBe(404);
    expect((await ok<StatusIncident>(ana, 'GET', `/api/v1/status-pages/acme/incidents/${incident.id}`)).postmortemUrl).toBe('https://blog.example.com/checkout-errors');
  });
});
