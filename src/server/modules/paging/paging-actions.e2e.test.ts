import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { addVerifiedEmail, requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { ackTimeoutJobKey, stepJobKey, type EscalationView } from './paging.service.js';

// Escalate now, add responders and acknowledgement timeouts, through the HTTP API, with pages sent by
// the real SMTP adapter to an SMTP server in this process and time moved by a ManualClock.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

for (const dialect of dialectCases()) describe(`paging actions (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;

  const { call, ok } = requestsAs(() => t);
  const pagesTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address) && m.headers['x-firebreak-kind'] === 'page');
  const run = () => t.firebreak.runner.runDueJobs();
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const trigger = async (payload: Record<string, unknown>) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', severity: 'critical', ...payload })).alert;
  const escalation = async (alert: Alert) => json<EscalationView>(await ok('GET', `/api/v1/alerts/${alert.number}/escalation`, admin));
  const timeline = async (alert: Alert) => json<{ items: Array<{ action: string; summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const alertOf = async (alert: Alert) => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin));
  const audit = async (action: string) => json<{ items: Array<{ action: string; target: { id: string } }> }>(await ok('GET', `/api/v1/audit?action=${action}`, admin)).items;

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' },
    });
    ({ admin, ana } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  describe('escalate now', () => {
    it('pages level 2 at once, leaves the old level-2 timer stale and sets the next step from level 2’s delay', async () => {
      const alert = await trigger({ title: 'Checkout 5xx', dedupKey: '5xx' });
      await run();
      await advance(3 * MIN);
      expect(pagesTo('ben@example.com')).toEqual([]);
      const view = json<EscalationView>(await ok('POST', `/api/v1/alerts/${alert.number}/escalate`, ana));
      expect(view).toMatchObject({ status: 'active', nextStepAt: '2026-11-21T09:18:00.000Z' });
      expect(view.steps.map((s) => [s.level, s.at])).toEqual([
        [1, '2026-11-21T09:00:00.000Z'],
        [2, '2026-11-21T09:03:00.000Z'],
      ]);
      await run();
      expect(pagesTo('ben@example.com')).toHaveLength(1);
      expect(await timeline(alert)).toEqual(expect.arrayContaining(['Escalated to level 2 by @ana', 'Paged @ben by email (level 2)']));
      expect((await audit('alert.escalate')).map((e) => e.target.id)).toEqual([alert.id]);
      // 09:10, when level 2 was due before: nothing more happens; at 09:18 level 2's delay ran out.
      await advance(7 * MIN);
      expect(pagesTo('ben@example.com')).toHaveLength(1);
      expect((await escalation(alert)).status).toBe('active');
      await advance(8 * MIN);
      expect((await escalation(alert)).status).toBe('exhausted');
      expect(pagesTo('ben@example.com')).toHaveLength(1);
    });

    it('refuses an acknowledged alert and an alert whose escalation is exhausted, and viewers', async () => {
      const alert = await trigger({ title: 'Disk full', dedupKey: 'disk' });
      await run();
      const viewer = await t.userWithToken('viewer', 'vic');
      expect((await call('POST', `/api/v1/alerts/${alert.number}/escalate`, viewer)).statusCode).toBe(403);
      await ok('POST', `/api/v1/alerts/${alert.number}/escalate`, ana);
      // Past the last level (no repeat, no fallback): the escalation is exhausted.
      expect(json<EscalationView>(await ok('POST', `/api/v1/alerts/${alert.number}/escalate`, ana)).status).toBe('exhausted');
      expect(await timeline(alert)).toContain('Escalation exhausted: every level was paged and nobody acknowledged');
      const exhausted = await call('POST', `/api/v1/alerts/${alert.number}/escalate`, ana);
      expect(exhausted.statusCode).toBe(422);
      expect(exhausted.json()).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringContaining('escalation is exhausted') });
      const other = await trigger({ title: 'Queue', dedupKey: 'queue' });
      await ok('POST', `/api/v1/alerts/${other.id}/acknowledge`, ana, {});
      const acked = await call('POST', `/api/v1/alerts/${other.number}/escalate`, ana);
      expect(acked.json()).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringContaining('is acknowledged') });
    });
  });

  describe('add responders', () => {
    it('pages a user at once and the people on a policy’s level 1, records them and shows them in the escalation view', async () => {
      const cho = await t.userWithToken('responder', 'cho');
      await addVerifiedEmail(t, sink, cho, 'cho@example.com');
      await ok('POST', '/api/v1/escalation-policies', admin, { handle: 'db', name: 'Databases', levels: [{ delayMinutes: 5, targets: [{ type: 'user', ref: 'cho' }] }], repeat: 0 });
      sink.clear();
      const alert = await trigger({ title: 'Payments down', dedupKey: 'pay' });
      await run();
      const view = json<EscalationView>(await ok('POST', `/api/v1/alerts/${alert.number}/responders`, ana, { targets: [{ type: 'user', id: 'ben' }, { type: 'escalationPolicy', id: 'db' }], message: 'Need DB help' }));
      expect(view.responders.map((r) => [view.users[r.userId]?.handle, r.via.type, r.via.name, r.requestedBy, r.message])).toEqual([
        ['ben', 'user', '@ben', '@ana', 'Need DB help'],
        ['cho', 'escalationPolicy', 'Databases', '@ana', 'Need DB help'],
      ]);
      await run();
      expect(pagesTo('ben@example.com')).toHaveLength(1);
      expect(pagesTo('cho@example.com')).toHaveLength(1);
      const rows = await t.firebreak.services.database.db.selectFrom('page_notifications').select(['idempotency_key', 'user_id']).where('alert_id', '=', alert.id).where('user_id', '=', cho.userId).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.idempotency_key).toMatch(new RegExp(`^responder:${alert.id}:[0-9A-Z]+:${cho.userId}:`));
      const after = await escalation(alert);
      expect(after.notifications.filter((n) => n.responder).map((n) => [after.users[n.userId]?.handle, n.status])).toEqual([
        ['ben', 'sent'],
        ['cho', 'sent'],
      ]);
      expect(await timeline(alert)).toEqual(expect.arrayContaining(['@ana added @ben as a responder: Need DB help', '@ana added @cho as a responder (policy Databases, level 1): Need DB help']));
      expect(await audit('alert.add-responders')).toHaveLength(1);
      // The alert's own escalation is unchanged: level 2 (ben) still at 09:10.
      expect(after).toMatchObject({ status: 'active', nextStepAt: '2026-11-21T09:10:00.000Z' });
    });

    it('names an unknown target and refuses an alert that is not triggered', async () => {
      const alert = await trigger({ title: 'Search slow', dedupKey: 'search' });
      const unknown = await call('POST', `/api/v1/alerts/${alert.number}/responders`, ana, { targets: [{ type: 'user', id: 'ben' }, { type: 'escalationPolicy', id: 'nope' }] });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body.targets.1.id: no escalation policy `nope`' });
      expect((await escalation(alert)).responders).toEqual([]);
      await ok('POST', `/api/v1/alerts/${alert.id}/resolve`, ana, {});
      const resolved = await call('POST', `/api/v1/alerts/${alert.number}/responders`, ana, { targets: [{ type: 'user', id: 'ben' }] });
      expect(resolved.json()).toMatchObject({ code: 'RULE_VIOLATION' });
    });
  });

  describe('acknowledgement timeout', () => {
    it('triggers an alert acknowledged and not resolved in time again, and escalates from level 1', async () => {
      await ok('PUT', '/api/v1/escalation-policies/platform/paging-settings', admin, { ackTimeoutMinutes: 30 });
      expect(json(await ok('GET', '/api/v1/escalation-policies/platform/paging-settings', ana))).toEqual({ policy: 'platform', ackTimeoutMinutes: 30 });
      const alert = await trigger({ title: 'Latency', dedupKey: 'lat' });
      await run();
      expect((await escalation(alert)).ackTimeoutMinutes).toBe(30);
      await advance(5 * MIN);
      await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
      await advance(29 * MIN);
      expect((await alertOf(alert)).status).toBe('acknowledged');
      await advance(1 * MIN);
      expect((await alertOf(alert)).status).toBe('triggered');
      expect(pagesTo('ana@example.com')).toHaveLength(2);
      const view = await escalation(alert);
      expect(view).toMatchObject({ status: 'active', nextStepAt: '2026-11-21T09:45:00.000Z' });
      expect(view.steps.map((s) => [s.level, s.at])).toEqual([[1, '2026-11-21T09:35:00.000Z']]);
      expect(await timeline(alert)).toEqual(expect.arrayContaining(['Acknowledgement timed out after 30 min; re-triggered', 'Escalation started: policy Platform']));
      // Acknowledged again and resolved in time: the new timeout is removed and nothing triggers.
      await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
      const db = t.firebreak.services.database.db;
      expect(await db.selectFrom('jobs').select(['run_at']).where('job_key', '=', ackTimeoutJobKey(alert.id)).executeTakeFirst()).toBeDefined();
      await advance(10 * MIN);
      await ok('POST', `/api/v1/alerts/${alert.id}/resolve`, ana, {});
      expect(await db.selectFrom('jobs').select(['run_at']).where('job_key', '=', ackTimeoutJobKey(alert.id)).executeTakeFirst()).toBeUndefined();
      await advance(60 * MIN);
      expect((await alertOf(alert)).status).toBe('resolved');
      expect(pagesTo('ana@example.com')).toHaveLength(2);
    });

    it('does nothing without a timeout, and a stale timeout (after a re-trigger and new acknowledgement) changes nothing', async () => {
      const alert = await trigger({ title: 'No timeout', dedupKey: 'none' });
      await run();
      await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
      await advance(24 * 60 * MIN);
      expect((await alertOf(alert)).status).toBe('acknowledged');
      expect(await t.firebreak.services.database.db.selectFrom('jobs').select(['id']).where('job_key', '=', stepJobKey(alert.id)).executeTakeFirst()).toBeUndefined();

      await ok('PUT', '/api/v1/escalation-policies/platform/paging-settings', admin, { ackTimeoutMinutes: 15 });
      const timed = await trigger({ title: 'Timed', dedupKey: 'timed' });
      await run();
      await ok('POST', `/api/v1/alerts/${timed.id}/acknowledge`, ana, {});
      const generation = (await t.firebreak.services.database.db.selectFrom('escalations').select(['generation']).where('alert_id', '=', timed.id).executeTakeFirstOrThrow()).generation;
      expect(await t.firebreak.services.paging.runAckTimeout({ alertId: timed.id, generation: generation - 1, minutes: 15 }, t.firebreak.services.alerts)).toBe('stale');
      expect((await alertOf(timed)).status).toBe('acknowledged');
      expect(await t.firebreak.services.paging.runAckTimeout({ alertId: timed.id, generation, minutes: 15 }, t.firebreak.services.alerts)).toBe('retriggered');
      expect(await t.firebreak.services.paging.runAckTimeout({ alertId: timed.id, generation, minutes: 15 }, t.firebreak.services.alerts)).toBe('stale');
    });

    it('lets only admins (or team admins) change the setting', async () => {
      const res = await call('PUT', '/api/v1/escalation-policies/platform/paging-settings', ana, { ackTimeoutMinutes: 30 });
      expect(res.statusCode).toBe(403);
      expect((await call('PUT', '/api/v1/escalation-policies/platform/paging-settings', admin, { ackTimeoutMinutes: 0 })).statusCode).toBe(400);
    });
  });

  describe('shadow copies', () => {
    it('sends the schedule’s shadow a copy marked as such when its level pages, without links to act on, and never makes them responsible', async () => {
      const cho = await t.userWithToken('responder', 'cho');
      await addVerifiedEmail(t, sink, cho, 'cho@example.com');
      await ok('PATCH', '/api/v1/schedules/primary', admin, { layers: [{ name: 'Primary', participants: ['ana'], shadows: ['cho'], start: '2026-11-16T00:00:00Z', handoffTime: '00:00', turn: { unit: 'weeks', count: 1 } }] });
      sink.clear();
      const alert = await trigger({ title: 'Checkout 5xx', dedupKey: 'shadow' });
      await run();
      const copies = sink.messages.filter((m) => m.envelope.to.includes('cho@example.com'));
      expect(copies.map((m) => m.subject)).toEqual([`[SHADOW] #${alert.number} Checkout 5xx`]);
      expect(copies[0]!.text).not.toContain('/a/');
      expect(copies[0]!.text).toContain('This is a shadow copy for your information, Test cho');
      expect(pagesTo('ana@example.com')[0]!.text).toContain('/a/');
      const view = await escalation(alert);
      expect(view.notifications.map((n) => [view.users[n.userId]?.handle, n.shadow, n.status])).toEqual([
        ['ana', false, 'sent'],
        ['cho', true, 'sent'],
      ]);
      expect(view.steps[0]!.userIds).toEqual([ana.userId]);
      expect(await timeline(alert)).toContain('Sent @cho a shadow copy by email (shadowing @ana, level 1)');
      // Level 2 pages ben directly, not through the schedule: no copy.
      await advance(10 * MIN);
      expect(sink.messages.filter((m) => m.envelope.to.includes('cho@example.com'))).toHaveLength(1);
    });
  });
});
