import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';

interface Entry {
  action: string;
  actor: string | null;
  summary: string;
}

for (const dialect of dialectCases()) describe(`reassign and snooze over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let responder: string;
  let alertId: string;

  const post = (path: string, token: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}${path}`, headers: bearer(token), payload });
  const get = async () => json<Alert>(await t.app.inject({ url: `/api/v1/alerts/${alertId}`, headers: bearer(admin) }));
  const timeline = async () => json<{ items: Entry[] }>(await t.app.inject({ url: `/api/v1/alerts/${alertId}/timeline`, headers: bearer(admin) })).items;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    admin = (await t.userWithToken('admin', 'ada')).token;
    responder = (await t.userWithToken('responder', 'rita')).token;
    await t.userWithToken('responder', 'alice');
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout API' } })).statusCode).toBe(201);
    const triggered = await t.app.inject({ method: 'POST', url: '/api/v1/alerts', headers: bearer(admin), payload: { service: 'checkout', title: 'Disk full', severity: 'critical', dedupKey: 'disk' } });
    expect(triggered.statusCode, triggered.body).toBe(200);
    alertId = json<{ alert: Alert }>(triggered).alert.id;
  });
  afterEach(async () => t.close());

  it('reassigns to a person: triggered again, assignee shown, timeline and audit log record who did it', async () => {
    expect((await post('/acknowledge', responder, {})).statusCode).toBe(200);
    const answer = await post('/reassign', responder, { user: 'alice', note: 'Alice owns the disks' });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(json<Alert>(answer)).toMatchObject({ status: 'triggered', acknowledgedBy: null, assignee: { kind: 'user', label: '@alice' } });
    // Paging's own entries (the new escalation, who it could page) follow; this checks the reassignment's.
    expect((await timeline()).filter((e) => e.action !== 'escalation' && e.action !== 'page').slice(-2).map((e) => e.summary)).toEqual(['Reassigned to @alice by rita (API token)', 'Alice owns the disks']);
    const audit = json<{ items: Array<{ actor: { label: string }; after: { assignee: unknown } }> }>(await t.app.inject({ url: `/api/v1/audit?action=alert.reassign&targetId=${alertId}`, headers: bearer(admin) }));
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: { label: 'rita (API token)' }, after: { assignee: { kind: 'user', label: '@alice' } } });
  });

  it('refuses unknown assignees and both-or-neither with 400 naming the field', async () => {
    const unknown = await post('/reassign', responder, { user: 'nobody' });
    expect(unknown.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(unknown).details.issues[0]?.path).toBe('body.user');
    expect((await post('/reassign', responder, {})).statusCode).toBe(400);
    expect((await post('/reassign', responder, { user: 'alice', escalationPolicy: 'x' })).statusCode).toBe(400);
    const viewer = (await t.userWithToken('viewer')).token;
    expect((await post('/reassign', viewer, { user: 'alice' })).statusCode).toBe(403);
  });

  it('snoozes for 30 minutes; the durable wake-up triggers it again when due, not before', async () => {
    const answer = await post('/snooze', responder, { minutes: 30 });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(json<Alert>(answer)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'rita (API token)', snoozedUntil: '2026-11-21T09:30:00.000Z' });
    t.clock.advance(29 * 60_000);
    await t.firebreak.runner.runDueJobs();
    expect((await get()).status).toBe('acknowledged');
    t.clock.advance(60_000);
    await t.firebreak.runner.runDueJobs();
    expect(await get()).toMatchObject({ status: 'triggered', snoozedUntil: null, acknowledgedAt: null });
    expect((await timeline()).at(-1)).toMatchObject({ action: 'unsnooze', actor: 'Firebreak', summary: 'Snooze ended: triggered again' });
  });

  it('a resolve or a second snooze makes the earlier wake-up a no-op', async () => {
    expect((await post('/snooze', responder, { minutes: 10 })).statusCode).toBe(200);
    expect((await post('/snooze', responder, { until: '2026-11-21T11:00:00Z' })).statusCode).toBe(200);
    t.clock.advance(15 * 60_000);
    await t.firebreak.runner.runDueJobs();
    expect(await get()).toMatchObject({ status: 'acknowledged', snoozedUntil: '2026-11-21T11:00:00.000Z' });
    expect((await post('/resolve', responder, {})).statusCode).toBe(200);
    t.clock.advance(2 * 3_600_000);
    await t.firebreak.runner.runDueJobs();
    expect(await get()).toMatchObject({ status: 'resolved', snoozedUntil: null });
  });

  it('refuses a snooze in the past, over a week, on a resolved alert, or with a bad instant', async () => {
    expect((await post('/snooze', responder, { until: '2026-11-21T08:00:00Z' })).statusCode).toBe(422);
    expect((await post('/snooze', responder, { minutes: 8 * 24 * 60 })).statusCode).toBe(400);
    const bad = await post('/snooze', responder, { until: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('body.until');
    expect((await post('/resolve', responder, {})).statusCode).toBe(200);
    expect((await post('/snooze', responder, { minutes: 5 })).statusCode).toBe(422);
  });
});
