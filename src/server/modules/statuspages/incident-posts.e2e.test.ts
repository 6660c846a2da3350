import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Incident, IncidentTimelineEntry } from '../../../contracts/incidents.js';
import type { IncidentStatusPostsView, StatusComponent, StatusIncident } from '../../../contracts/status-pages.js';
import { ManualClock } from '../../platform/clock.js';

/** Publishing from an internal incident (docs/status-pages.md, "Publishing from an incident"). */
for (const dialect of dialectCases()) describe(`publishing to a status page from an incident (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let responder: string;
  let viewer: string;

  const { call, ok } = apiCalls(() => t);

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'ana')).token;
    responder = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
  });
  afterEach(async () => t.close());

  const scene = async () => {
    for (const handle of ['checkout', 'search']) await ok(admin, 'POST', '/api/v1/services', { handle, name: handle });
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'UTC' });
    const group = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Shop', group: true });
    const payments = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Payments', groupId: group.id, service: 'checkout' });
    const searchBox = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Search', service: 'search' });
    const incident = await ok<Incident>(responder, 'POST', '/api/v1/incidents', { title: 'db-3 OOM kills checkout pods', severity: 'SEV2', impactedServices: ['checkout'], summary: 'INTERNAL: primary db-3 ran out of memory' });
    return { payments, searchBox, incident };
  };

  it('preselects the components of impacted services with a status from the severity, posts with its own text, and records it on the timeline', async () => {
    const { payments, searchBox, incident } = await scene();
    const overview = await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${incident.reference}/status-page-posts`);
    expect(overview.posts).toEqual([]);
    expect(overview.pages).toHaveLength(1);
    expect(overview.pages[0]?.components).toEqual([
      { id: payments.id, name: 'Payments', groupName: 'Shop', status: 'operational', preselected: true, suggestedStatus: 'partial_outage' },
      { id: searchBox.id, name: 'Search', groupName: null, status: 'operational', preselected: false, suggestedStatus: 'partial_outage' },
    ]);

    const posted = await ok<StatusIncident>(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, {
      page: 'acme', name: 'Card payments failing', impact: 'major', body: 'Some card payments fail. We are investigating.', components: [{ component: payments.id, status: 'partial_outage' }],
    });
    expect(posted).toMatchObject({ name: 'Card payments failing', status: 'investigating', impact: 'major' });

    // The public page shows the public text, and nothing of the internal incident.
    const page = await t.app.inject({ method: 'GET', url: '/status/acme' });
    expect(page.body).toContain('Card payments failing');
    expect(page.body).toContain('Some card payments fail. We are investigating.');
    for (const internal of ['db-3', 'OOM', 'INTERNAL', incident.reference, incident.id]) expect(page.body).not.toContain(internal);
    const summary = await t.app.inject({ method: 'GET', url: '/status/acme/api/v2/summary.json' });
    for (const internal of ['db-3', incident.reference, incident.id]) expect(summary.body).not.toContain(internal);

    await t.clock.advance(10 * 60_000);
    const updated = await ok<StatusIncident>(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts/${posted.id}/updates`, { status: 'monitoring', body: 'A fix is in place; we are watching.', components: [{ component: payments.id, status: 'operational' }] });
    expect(updated.status).toBe('monitoring');

    const after = await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${incident.reference}/status-page-posts`);
    expect(after.posts.map((p) => [p.page.slug, p.incident.id, p.incident.status])).toEqual([['acme', posted.id, 'monitoring']]);
    expect(after.pages[0]?.components[0]?.status).toBe('operational');

    const timeline = await ok<{ items: IncidentTimelineEntry[] }>(viewer, 'GET', `/api/v1/incidents/${incident.reference}/timeline`);
    const posts = timeline.items.filter((e) => e.kind === 'status_page');
    expect(posts.map((e) => [e.action, e.actor, e.summary])).toEqual([
      ['status-page-post', 'ben (API token)', 'Posted to the status page Acme (investigating): Card payments failing: Some card payments fail. We are investigating.'],
      ['status-page-update', 'ben (API token)', 'Updated the status page Acme (monitoring): A fix is in place; we are watching.'],
    ]);
  });

  it('suggests a major outage for the most severe level and degraded performance below the second', async () => {
    await scene();
    const sev1 = await ok<Incident>(responder, 'POST', '/api/v1/incidents', { title: 'Everything down', severity: 'SEV1', impactedServices: ['search'] });
    const sev4 = await ok<Incident>(responder, 'POST', '/api/v1/incidents', { title: 'Slow search', severity: 'SEV4', impactedServices: ['search'] });
    const first = await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${sev1.reference}/status-page-posts`);
    expect(first.pages[0]?.components.map((c) => [c.name, c.preselected, c.suggestedStatus])).toEqual([['Payments', false, 'major_outage'], ['Search', true, 'major_outage']]);
    const fourth = await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${sev4.reference}/status-page-posts`);
    expect(fourth.pages[0]?.components[1]?.suggestedStatus).toBe('degraded_performance');
  });

  it('refuses viewers, unknown pages, components of another page, and updates of a post that belongs to another incident, changing nothing', async () => {
    const { payments, incident } = await scene();
    const other = await ok<Incident>(responder, 'POST', '/api/v1/incidents', { title: 'Other', severity: 'SEV3' });
    const body = { page: 'acme', name: 'Payments', body: 'Investigating.', components: [{ component: payments.id, status: 'major_outage' }] };
    expect((await call(viewer, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, body)).statusCode).toBe(403);
    const unknown = await call(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, { ...body, page: 'nope' });
    expect(unknown.statusCode).toBe(404);
    const badComponent = await call(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, { ...body, components: [{ component: 'nope', status: 'major_outage' }] });
    expect(badComponent.statusCode).toBe(400);
    expect(json<{ details: { issues: { path: string }[] } }>(badComponent).details.issues[0]?.path).toBe('body.components.0.component');
    const missing = await call(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, { page: 'acme', body: 'x' });
    expect(missing.statusCode).toBe(400);
    expect(json<{ details: { issues: { path: string }[] } }>(missing).details.issues.map((i) => i.path)).toContain('body.name');

    const posted = await ok<StatusIncident>(responder, 'POST', `/api/v1/incidents/${incident.reference}/status-page-posts`, body);
    const wrong = await call(responder, 'POST', `/api/v1/incidents/${other.reference}/status-page-posts/${posted.id}/updates`, { status: 'resolved', body: 'Fixed.' });
    expect(wrong.statusCode).toBe(404);
    const overview = await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${incident.reference}/status-page-posts`);
    expect(overview.posts.map((p) => p.incident.status)).toEqual(['investigating']);
    expect((await ok<IncidentStatusPostsView>(viewer, 'GET', `/api/v1/incidents/${other.reference}/status-page-posts`)).posts).toEqual([]);
  });
});
