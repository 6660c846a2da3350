import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import type { PolicyDrill } from '../../../contracts/paging.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';

// A drill of the scene's policy `platform` (level 1: the `primary` schedule, ana; level 2 after 10
// minutes: ben) through the real engine, outbox, delivery jobs and SMTP adapter.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

describe.each(dialectCases())('policy drills ($name)', ({ open }) => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;
  const { call, ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const pages = () => sink.messages.filter((m) => m.headers['x-firebreak-kind'] === 'page').map((m) => [m.envelope.to[0], m.subject]);

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' } });
    ({ admin, ana, ben } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  it('walks the real policy with pages marked [TEST], and reports how long each step took to be acknowledged', async () => {
    const started = await call('POST', '/api/v1/escalation-policies/platform/drills', admin);
    expect(started.statusCode).toBe(201);
    const drill = json<PolicyDrill>(started);
    expect(drill).toMatchObject({ policy: { handle: 'platform' }, status: 'running', startedBy: expect.stringContaining('root-admin') as unknown, endsAt: '2026-11-21T09:55:00.000Z' });
    await run();
    expect(pages()).toEqual([['ana@example.com', `[TEST] #${drill.alertNumber} Drill of escalation policy Platform`]]);

    // Nobody answers level 1: after its 10 minutes the drill escalates to ben, as a real alert would.
    t.clock.advance(10 * MIN);
    await run();
    expect(pages().map((p) => p[0])).toEqual(['ana@example.com', 'ben@example.com']);
    expect(pages()[1]![1]).toMatch(/^\[TEST\]/);

    t.clock.advance(2 * MIN + 30_000);
    await ok('POST', `/api/v1/alerts/${drill.alertId}/acknowledge`, ben, {});
    await run();
    const report = json<PolicyDrill>(await ok('GET', `/api/v1/escalation-policies/platform/drills/${drill.alertNumber}`, ana));
    expect(report).toMatchObject({ status: 'acknowledged', timeToAcknowledgeSeconds: 750, acknowledgedBy: expect.stringContaining('ben') as unknown });
    expect(report.steps.map((s) => [s.level, s.outcome, s.people.map((p) => p.handle), s.waitedSeconds, s.acknowledgedAfterSeconds])).toEqual([
      [1, 'escalated', ['ana'], 600, null],
      [2, 'acknowledged', ['ben'], 150, 150],
    ]);
    expect(report.steps[0]!.pages).toEqual([expect.objectContaining({ userHandle: 'ana', channel: 'email', address: 'ana@example.com', status: 'sent' })]);
    // Answered: the drill alert resolves itself, and nobody else is paged.
    expect(json<Alert>(await ok('GET', `/api/v1/alerts/${drill.alertId}`, admin)).status).toBe('resolved');
    expect(json<{ items: PolicyDrill[] }>(await ok('GET', '/api/v1/escalation-policies/platform/drills', ana)).items.map((d) => d.alertId)).toEqual([drill.alertId]);
  });

  it('reports a drill nobody answers as unanswered, and ends it after the policy’s length plus 30 minutes', async () => {
    const drill = json<PolicyDrill>(await ok('POST', '/api/v1/escalation-policies/platform/drills', admin));
    await run();
    t.clock.advance(10 * MIN);
    await run();
    t.clock.advance(15 * MIN);
    await run();
    expect(json<PolicyDrill>(await ok('GET', `/api/v1/escalation-policies/platform/drills/${drill.alertId}`, admin)).status).toBe('unanswered');
    t.clock.advance(40 * MIN);
    await run();
    const ended = json<PolicyDrill>(await ok('GET', `/api/v1/escalation-policies/platform/drills/${drill.alertId}`, admin));
    expect(ended.status).toBe('ended');
    expect(ended.steps.map((s) => s.outcome)).toEqual(['escalated', 'unanswered']);
  });

  it('lets only admins (or the owning team’s admins) start a drill, and names unknown policies and drills', async () => {
    expect((await call('POST', '/api/v1/escalation-policies/platform/drills', ana)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/escalation-policies/nope/drills', admin)).statusCode).toBe(404);
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Real alert', severity: 'critical' })).alert;
    const notADrill = await call('GET', `/api/v1/escalation-policies/platform/drills/${alert.number}`, admin);
    expect(notADrill.statusCode).toBe(404);
    expect(json<{ message: string }>(notADrill).message).toContain('No drill');
  });
});
