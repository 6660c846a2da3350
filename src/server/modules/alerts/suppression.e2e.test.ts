import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import type { MaintenanceWindow, Silence } from '../../../contracts/suppression.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';
import { AlertService, type AlertChange, type AlertHooks } from './alert.service.js';
import { Suppression } from './suppression.js';

interface Page {
  items: Alert[];
}
interface Timeline {
  items: Array<{ action: string; summary: string }>;
}

const acting = { actor: systemActor('test'), principal: null };

for (const dialect of dialectCases()) describe(`maintenance windows, silences, flap damping and the storm guard over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let clock: ManualClock;
  let admin: string;
  let lead: string;
  let otherLead: string;
  let viewer: string;
  let responder: string;
  let eventsKey: string;
  let amKey: string;
  /** Every AlertChange of the recording alert service (a fake of the paging port, not of our modules). */
  let changes: AlertChange[];
  let recorded: AlertService;

  const post = (token: string, url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as Record<string, unknown> });
  const patch = (token: string, url: string, payload: unknown) => t.app.inject({ method: 'PATCH', url, headers: bearer(token), payload: payload as Record<string, unknown> });
  const get = (token: string, url: string) => t.app.inject({ url, headers: bearer(token) });
  const trigger = (dedup_key: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, event_action: 'trigger', dedup_key, payload: { summary: `Problem ${dedup_key}`, source: 'db-1', severity: 'critical', ...extra } } });
  const resolve = (dedup_key: string) => t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, event_action: 'resolve', dedup_key } });
  const alertByKey = async (key: string, status = 'triggered,acknowledged,resolved') => {
    const page = json<Page>(await get(admin, `/api/v1/alerts?service=checkout&status=${status}&limit=500`));
    return page.items.find((a) => a.dedupKey === key && a.status !== 'resolved') ?? page.items.find((a) => a.dedupKey === key);
  };
  const timeline = async (id: string) => json<Timeline>(await get(admin, `/api/v1/alerts/${id}/timeline`)).items;

  beforeEach(async () => {
    clock = new ManualClock('2027-03-28T00:30:00Z');
    t = await buildTestApp({ database: await dialect.open(), clock });
    admin = (await t.userWithToken('admin')).token;
    const leadUser = await t.userWithToken('responder', 'lena');
    const otherUser = await t.userWithToken('responder', 'otto');
    lead = leadUser.token;
    otherLead = otherUser.token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
    responder = (await t.userWithToken('responder', 'rita')).token;
    const { catalog } = t.firebreak.services;
    for (const handle of ['payments', 'search']) await catalog.createTeam(acting, { handle, name: handle, description: '' });
    await catalog.putMember(acting, 'payments', leadUser.userId, 'admin');
    await catalog.putMember(acting, 'search', otherUser.userId, 'admin');
    expect((await post(admin, '/api/v1/services', { handle: 'checkout', name: 'Checkout API', team: 'payments' })).statusCode).toBe(201);
    expect((await post(admin, '/api/v1/services', { handle: 'search', name: 'Search', team: 'search' })).statusCode).toBe(201);
    eventsKey = json<{ key: string }>(await post(admin, '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })).key;
    amKey = json<{ key: string }>(await post(admin, '/api/v1/services/checkout/integrations', { type: 'alertmanager', name: 'Prometheus' })).key;
    changes = [];
    const hooks: AlertHooks = { afterChange: async (_tx, change) => void changes.push(change) };
    const s = t.firebreak.services;
    recorded = new AlertService({ database: s.database, clock, ids: s.ids, audit: s.audit, services: s.serviceCatalog, routing: s.routing, jobs: s.jobs, suppression: s.suppression, hooks });
  });
  afterEach(async () => t.close());

  it('suppresses a service’s alerts during a one-off maintenance window: recorded, nobody notified, and says why', async () => {
    const created = await post(lead, '/api/v1/maintenance-windows', { name: 'DB upgrade', services: ['checkout'], startsAt: '2027-03-28T00:00:00Z', endsAt: '2027-03-28T03:00:00Z' });
    expect(created.statusCode, created.body).toBe(201);
    const window = json<MaintenanceWindow>(created);
    expect(window).toMatchObject({ name: 'DB upgrade', services: [{ handle: 'checkout' }], active: true, activeUntil: '2027-03-28T03:00:00.000Z', recurrence: null, createdBy: expect.stringContaining('lena') });

    expect((await trigger('disk')).statusCode).toBe(202);
    const alert = await alertByKey('disk');
    expect(alert?.suppressedBy).toEqual({ kind: 'maintenance', id: window.id, name: 'DB upgrade', until: '2027-03-28T03:00:00.000Z' });
    expect((await timeline(alert?.id as string)).map((e) => e.summary)).toContain('Suppressed: maintenance window ‘DB upgrade’');

    // The paging seam hears of the change, with notify false and why.
    await recorded.trigger(acting, { service: 'checkout', title: 'Queue backlog', severity: 'critical', dedupKey: 'queue' });
    expect(changes).toEqual([expect.objectContaining({ outcome: 'created', notify: false, suppressedBy: expect.objectContaining({ kind: 'maintenance', name: 'DB upgrade' }) })]);

    // Other services are not covered.
    const searchKey = json<{ key: string }>(await post(admin, '/api/v1/services/search/integrations', { type: 'events-v2', name: 'n' })).key;
    await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: searchKey, event_action: 'trigger', dedup_key: 'x', payload: { summary: 'x', source: 'x', severity: 'critical' } } });
    const search = json<Page>(await get(admin, '/api/v1/alerts?service=search')).items[0];
    expect(search?.suppressedBy).toBeNull();

    // Listing: by service and by the active flag; viewers read.
    expect(json<{ items: MaintenanceWindow[] }>(await get(viewer, '/api/v1/maintenance-windows?service=checkout&active=true')).items.map((w) => w.id)).toEqual([window.id]);
    expect(json<{ items: MaintenanceWindow[] }>(await get(viewer, '/api/v1/maintenance-windows?service=search')).items).toEqual([]);
    expect(json<{ items: MaintenanceWindow[] }>(await get(viewer, '/api/v1/maintenance-windows?active=false')).items).toEqual([]);

    // Ending it early: the next event lifts the suppression and notifies, since the alert is still triggered.
    const ended = await post(lead, `/api/v1/maintenance-windows/${window.id}/end`, {});
    expect(json<MaintenanceWindow>(ended)).toMatchObject({ active: false, endedAt: '2027-03-28T00:30:00.000Z' });
    expect((await post(lead, `/api/v1/maintenance-windows/${window.id}/end`, {})).statusCode).toBe(422);
    clock.advance(60_000);
    changes = [];
    await recorded.trigger(acting, { service: 'checkout', title: 'Queue backlog', severity: 'critical', dedupKey: 'queue' });
    expect(changes).toEqual([expect.objectContaining({ outcome: 'updated', notify: true, suppressedBy: null })]);
    const queue = await alertByKey('queue');
    expect(queue?.suppressedBy).toBeNull();
    expect((await timeline(queue?.id as string)).map((e) => e.action)).toContain('unsuppress');
  });

  it('lifts the suppression when the window ends, even without another event, and notifies for a still-triggered alert', async () => {
    const window = json<MaintenanceWindow>(await post(admin, '/api/v1/maintenance-windows', { name: 'Failover test', services: ['checkout'], durationMinutes: 30 }));
    const silence = json<Silence>(await post(admin, '/api/v1/silences', { matchers: [{ name: '__dedup_key__', op: '=', value: 'quiet' }], comment: 'known noise', durationMinutes: 45 }));
    await trigger('loud');
    await trigger('quiet');
    await trigger('acked');
    const acked = await alertByKey('acked');
    await post(admin, `/api/v1/alerts/${acked?.id}/acknowledge`, {});
    expect((await alertByKey('loud'))?.suppressedBy?.id).toBe(window.id);
    // Nothing is due before the window ends.
    expect(await t.firebreak.runner.runDueJobs()).toEqual([]);
    clock.advance(30 * 60_000);
    const s = t.firebreak.services;
    const review = new Suppression({ database: s.database, clock, ids: s.ids, audit: s.audit, services: s.serviceCatalog, jobs: s.jobs, hooks: { afterChange: async (_tx, change) => void changes.push(change) } });
    expect(await review.review({ kind: 'maintenance', id: window.id })).toBe(3);
    const byAlert = new Map(changes.map((c) => [c.alertId, c]));
    const loud = await alertByKey('loud');
    expect(loud?.suppressedBy).toBeNull();
    expect(byAlert.get(loud?.id as string)).toMatchObject({ notify: true, suppressedBy: null });
    expect((await timeline(loud?.id as string)).at(-1)?.summary).toBe('Suppression ended (maintenance window ‘Failover test’): notifying');
    // Acknowledged: someone is on it, so nobody is notified.
    expect(byAlert.get(acked?.id as string)).toMatchObject({ notify: false, suppressedBy: null });
    // Still covered by the silence: it now says so, and still notifies nobody.
    const quiet = await alertByKey('quiet');
    expect(quiet?.suppressedBy).toMatchObject({ kind: 'silence', id: silence.id });
    expect(byAlert.get(quiet?.id as string)).toMatchObject({ notify: false });
    // The scheduled job finds nothing left to do (idempotent), and the silence's own review lifts the last one.
    await t.firebreak.runner.runDueJobs();
    clock.advance(15 * 60_000);
    await t.firebreak.runner.runDueJobs();
    expect((await alertByKey('quiet'))?.suppressedBy).toBeNull();
  });

  it('lets admins and team admins of every covered service’s team manage windows; viewers only read', async () => {
    const body = { name: 'Both', services: ['checkout', 'search'], durationMinutes: 60 };
    expect((await post(lead, '/api/v1/maintenance-windows', body)).statusCode).toBe(403);
    expect((await post(otherLead, '/api/v1/maintenance-windows', { ...body, services: ['search'] })).statusCode).toBe(201);
    expect((await post(viewer, '/api/v1/maintenance-windows', body)).statusCode).toBe(403);
    expect((await post(responder, '/api/v1/maintenance-windows', body)).statusCode).toBe(403);
    const both = json<MaintenanceWindow>(await post(admin, '/api/v1/maintenance-windows', body));
    expect(both.services.map((s) => s.handle)).toEqual(['checkout', 'search']);
    expect((await post(lead, `/api/v1/maintenance-windows/${both.id}/end`, {})).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/maintenance-windows/${both.id}`, headers: bearer(otherLead) })).statusCode).toBe(403);
    expect((await patch(admin, `/api/v1/maintenance-windows/${both.id}`, { services: ['search'] })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/maintenance-windows/${both.id}`, headers: bearer(otherLead) })).statusCode).toBe(204);
    expect((await get(viewer, `/api/v1/maintenance-windows/${both.id}`)).statusCode).toBe(404);
    const audit = json<{ items: Array<{ action: string }> }>(await get(admin, '/api/v1/audit?limit=50'));
    expect(audit.items.map((a) => a.action)).toEqual(expect.arrayContaining(['maintenance_window.create', 'maintenance_window.update', 'maintenance_window.delete']));
  });

  it('follows a recurring window’s RRULE in its time zone, across the spring-forward night', async () => {
    // Sundays 02:00 Europe/Berlin for 2 hours. 28 March 2027 skips 02:00–03:00: it starts at 03:00 CEST (01:00Z).
    const created = await post(admin, '/api/v1/maintenance-windows', { name: 'Weekly patching', services: ['checkout'], startsAt: '2027-03-01T00:00:00Z', recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0', durationMinutes: 120, timeZone: 'Europe/Berlin' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(json<MaintenanceWindow>(created)).toMatchObject({ active: false, nextStartsAt: '2027-03-28T01:00:00.000Z' });
    await trigger('before');
    expect((await alertByKey('before'))?.suppressedBy).toBeNull();
    clock.set(Date.parse('2027-03-28T01:30:00Z'));
    await trigger('during');
    expect((await alertByKey('during'))?.suppressedBy).toMatchObject({ kind: 'maintenance', name: 'Weekly patching', until: '2027-03-28T03:00:00.000Z' });
    clock.set(Date.parse('2027-03-28T03:00:00Z'));
    await trigger('after');
    expect((await alertByKey('after'))?.suppressedBy).toBeNull();
  });

  it('refuses invalid windows with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', services: ['checkout'], startsAt: '2027-03-28T00:00:00Z' }, 'body.endsAt'],
      [{ name: 'x', services: ['checkout'], startsAt: '2027-03-28T02:00:00Z', endsAt: '2027-03-28T01:00:00Z' }, 'body.endsAt'],
      [{ name: 'x', services: ['nope'], durationMinutes: 5 }, 'body.services.0'],
      [{ name: 'x', services: ['checkout'], recurrence: { rrule: 'FREQ=MINUTELY', durationMinutes: 5, timeZone: 'UTC' } }, 'body.recurrence.rrule'],
      [{ name: 'x', services: ['checkout'], recurrence: { rrule: 'FREQ=DAILY;BOGUS=1', durationMinutes: 5, timeZone: 'UTC' } }, 'body.recurrence.rrule'],
      [{ name: 'x', services: ['checkout'], recurrence: { rrule: 'FREQ=DAILY', durationMinutes: 5, timeZone: 'Mars/Olympus' } }, 'body.recurrence.timeZone'],
      [{ name: 'x', services: ['checkout'], startsAt: 'yesterday', durationMinutes: 5 }, 'body.startsAt'],
    ];
    for (const [body, path] of cases) {
      const res = await post(admin, '/api/v1/maintenance-windows', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(json<{ details: { issues: Array<{ path: string }> } }>(res).details.issues.map((i) => i.path), JSON.stringify(body)).toContain(path);
    }
  });

  it('silences by label matchers: a firing Alertmanager member matches, until the silence is expired', async () => {
    const bad = await post(responder, '/api/v1/silences', { matchers: [{ name: 'instance', op: '=~', value: 'db-(1' }], comment: 'x', durationMinutes: 60 });
    expect(bad.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(bad).details.issues[0]?.path).toBe('body.matchers.0.value');
    expect((await post(responder, '/api/v1/silences', { matchers: [{ name: 'instance', op: '=~', value: '.*' }], comment: 'everything', durationMinutes: 60 })).statusCode).toBe(400);
    expect((await post(responder, '/api/v1/silences', { matchers: [{ name: 'env', op: '=', value: 'x' }], comment: 'no end' })).statusCode).toBe(400);
    expect((await post(viewer, '/api/v1/silences', { matchers: [{ name: 'env', op: '=', value: 'x' }], comment: 'x', durationMinutes: 5 })).statusCode).toBe(403);

    const created = await post(responder, '/api/v1/silences', { matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }, { name: 'instance', op: '=~', value: 'db-\\d+' }], comment: 'Disk swap on the db hosts', service: 'checkout', durationMinutes: 120 });
    expect(created.statusCode, created.body).toBe(201);
    const silence = json<Silence>(created);
    expect(silence).toMatchObject({ state: 'active', service: { handle: 'checkout' }, endsAt: '2027-03-28T02:30:00.000Z', createdBy: expect.stringContaining('rita') });

    const post4 = (instance: string, status: 'firing' | 'resolved', groupKey: string) =>
      t.app.inject({
        method: 'POST',
        url: `/integrations/alertmanager/${amKey}`,
        payload: {
          version: '4', groupKey, status, receiver: 'firebreak', groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull' }, commonAnnotations: {}, externalURL: 'http://am', truncatedAlerts: 0,
          alerts: [
            { status: 'resolved', labels: { alertname: 'DiskFull', instance: 'db-7' }, annotations: {}, startsAt: '2027-03-28T00:00:00Z', endsAt: '2027-03-28T00:10:00Z', generatorURL: '', fingerprint: 'f7' },
            { status, labels: { alertname: 'DiskFull', instance }, annotations: {}, startsAt: '2027-03-28T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: `f-${instance}` },
          ],
        },
      });
    expect((await post4('db-2', 'firing', 'g1')).statusCode).toBe(200);
    expect((await alertByKey('g1'))?.suppressedBy).toEqual({ kind: 'silence', id: silence.id, name: 'Disk swap on the db hosts', until: '2027-03-28T02:30:00.000Z' });
    // A firing member that does not match (web-1), with only a resolved member matching (db-7): not silenced.
    await post4('web-1', 'firing', 'g2');
    expect((await alertByKey('g2'))?.suppressedBy).toBeNull();

    expect(json<{ items: Silence[] }>(await get(viewer, '/api/v1/silences')).items.map((s) => s.id)).toEqual([silence.id]);
    expect((await post(viewer, `/api/v1/silences/${silence.id}/expire`, {})).statusCode).toBe(403);
    const expired = await post(responder, `/api/v1/silences/${silence.id}/expire`, {});
    expect(json<Silence>(expired)).toMatchObject({ state: 'expired', endsAt: '2027-03-28T00:30:00.000Z' });
    expect((await post(responder, `/api/v1/silences/${silence.id}/expire`, {})).statusCode).toBe(422);
    expect(json<{ items: Silence[] }>(await get(viewer, '/api/v1/silences')).items).toEqual([]);
    expect(json<{ items: Silence[] }>(await get(viewer, '/api/v1/silences?state=expired&service=checkout')).items.map((s) => s.id)).toEqual([silence.id]);
    await post4('db-3', 'firing', 'g3');
    expect((await alertByKey('g3'))?.suppressedBy).toBeNull();
  });

  it('keeps a team-scoped token’s silences to its team’s services', async () => {
    const created = await post(admin, '/api/v1/tokens', { name: 'search bot', role: 'responder', team: 'search' });
    expect(created.statusCode, created.body).toBe(201);
    const scoped = { token: json<{ secret: string }>(created).secret };
    expect((await post(scoped.token, '/api/v1/silences', { matchers: [{ name: 'env', op: '=', value: 'x' }], comment: 'x', durationMinutes: 5, service: 'checkout' })).statusCode).toBe(403);
    expect((await post(scoped.token, '/api/v1/silences', { matchers: [{ name: 'env', op: '=', value: 'x' }], comment: 'x', durationMinutes: 5 })).statusCode).toBe(403);
    expect((await post(scoped.token, '/api/v1/silences', { matchers: [{ name: 'env', op: '=', value: 'x' }], comment: 'x', durationMinutes: 5, service: 'search' })).statusCode).toBe(201);
  });

  it('reopens a flapping alert instead of creating a new one when the service sets flapWindowMinutes', async () => {
    const updated = await patch(admin, '/api/v1/services/checkout', { flapWindowMinutes: 10 });
    expect(json<{ flapWindowMinutes: number; stormThresholdPerMinute: number }>(updated)).toMatchObject({ flapWindowMinutes: 10, stormThresholdPerMinute: 0 });
    await trigger('flappy');
    const first = await alertByKey('flappy');
    clock.advance(60_000);
    await resolve('flappy');
    clock.advance(3 * 60_000);
    await trigger('flappy');
    const again = await alertByKey('flappy');
    expect(again).toMatchObject({ id: first?.id, number: first?.number, status: 'triggered', eventCount: 3, resolvedAt: null });
    expect((await timeline(first?.id as string)).map((e) => e.summary)).toContainEqual(expect.stringMatching(/^Reopened: flapping/));
    // Past the window: a new alert.
    await resolve('flappy');
    clock.advance(11 * 60_000);
    await trigger('flappy');
    const page = json<Page>(await get(admin, '/api/v1/alerts?service=checkout&status=triggered,resolved'));
    expect(page.items.filter((a) => a.dedupKey === 'flappy')).toHaveLength(2);
  });

  it('collapses a storm of concurrent new alerts into one summary alert that alone notifies, until a quiet minute', async () => {
    expect((await patch(admin, '/api/v1/services/checkout', { stormThresholdPerMinute: 5 })).statusCode).toBe(200);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => recorded.trigger(acting, { service: 'checkout', title: `Host ${i} down`, severity: 'error', dedupKey: `host-${i}` })));
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const open = json<Page>(await get(admin, '/api/v1/alerts?service=checkout&limit=500')).items;
    const summaries = open.filter((a) => a.dedupKey === 'firebreak:alert-storm');
    expect(summaries).toHaveLength(1);
    const summary = summaries[0] as Alert;
    expect(summary.title).toBe('Alert storm on Checkout API: 35 alerts');
    expect(summary.eventCount).toBe(35);
    const members = open.filter((a) => a.dedupKey.startsWith('host-'));
    expect(members).toHaveLength(40);
    expect(members.filter((a) => a.suppressedBy === null)).toHaveLength(5);
    expect(members.filter((a) => a.suppressedBy?.kind === 'storm' && a.suppressedBy.id === summary.id)).toHaveLength(35);
    // Exactly the first five and the summary asked to notify.
    expect(changes.filter((c) => c.notify).map((c) => c.alertId).sort()).toEqual([...members.filter((a) => a.suppressedBy === null).map((a) => a.id), summary.id].sort());
    expect((await timeline(summary.id)).filter((e) => e.action === 'collapse')).toHaveLength(34);

    // The next minute still belongs to the storm (the minute before it was over the threshold)…
    clock.advance(60_000);
    await recorded.trigger(acting, { service: 'checkout', title: 'Late', severity: 'error', dedupKey: 'late' });
    expect((await alertByKey('late'))?.suppressedBy?.kind).toBe('storm');
    // …and after a quiet minute new alerts notify on their own again.
    clock.advance(60_000);
    changes = [];
    await recorded.trigger(acting, { service: 'checkout', title: 'Calm', severity: 'error', dedupKey: 'calm' });
    expect((await alertByKey('calm'))?.suppressedBy).toBeNull();
    expect(changes).toEqual([expect.objectContaining({ notify: true, suppressedBy: null })]);
    // The counter is durable: it lives in the database, one row per service.
    const row = await t.firebreak.services.database.db.selectFrom('alert_storms').selectAll().executeTakeFirstOrThrow();
    expect({ count: Number(row.count), previous: Number(row.previous_count) }).toEqual({ count: 1, previous: 1 });
  });

  it('counts a storm exactly once across two intake paths taking events at the same time (as two nodes would)', async () => {
    await patch(admin, '/api/v1/services/checkout', { stormThresholdPerMinute: 10 });
    const viaHttp = Array.from({ length: 50 }, (_, i) => trigger(`http-${i}`));
    const viaOther = Array.from({ length: 50 }, (_, i) => recorded.trigger(acting, { service: 'checkout', title: `Other ${i}`, severity: 'error', dedupKey: `other-${i}` }));
    await Promise.all([...viaHttp, ...viaOther]);
    const open = json<Page>(await get(admin, '/api/v1/alerts?service=checkout&limit=500')).items;
    const summary = open.filter((a) => a.dedupKey === 'firebreak:alert-storm');
    expect(summary).toHaveLength(1);
    expect(summary[0]?.eventCount).toBe(90);
    const members = open.filter((a) => a.dedupKey !== 'firebreak:alert-storm');
    expect(members).toHaveLength(100);
    expect(members.filter((a) => a.suppressedBy === null)).toHaveLength(10);
    const row = await t.firebreak.services.database.db.selectFrom('alert_storms').selectAll().executeTakeFirstOrThrow();
    expect(Number(row.count)).toBe(100);
  });

  it('leaves the storm guard off by default (threshold 0)', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => trigger(`k-${i}`)));
    const open = json<Page>(await get(admin, '/api/v1/alerts?service=checkout&limit=500')).items;
    expect(open).toHaveLength(60);
    expect(open.every((a) => a.suppressedBy === null)).toBe(true);
  });
});
