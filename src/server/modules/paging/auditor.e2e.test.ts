import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { AUDIT_INTERVAL_MS, ESCALATION_AUDIT_TASK, scheduleEscalationAudit } from './auditor.js';
import { stepJobKey, type EscalationView } from './paging.service.js';

// The auditor against the lost-timer bug other tools had: a step timer deleted from the jobs table
// behind the engine's back. Pages go through the real SMTP adapter to the in-process sink; the audit,
// the timers and the deliveries run with `runner.runDueJobs()` under the test's ManualClock.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

for (const dialect of dialectCases()) describe(`escalation auditor (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;

  const { ok } = requestsAs(() => t);
  const pagesTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address) && m.headers['x-firebreak-kind'] === 'page');
  const db = () => t.firebreak.services.database.db;
  /** Runs everything due, twice: a job one run adds due now (a repaired timer) runs in the second. */
  const run = async () => {
    await t.firebreak.runner.runDueJobs();
    await t.firebreak.runner.runDueJobs();
  };
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  /** The auditor is scheduled by `start()`, which test apps do not call: schedule it as start would. */
  const startAuditor = () => scheduleEscalationAudit(t.firebreak.runner, db(), t.clock.now());
  const trigger = async (payload: Record<string, unknown>) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', ...payload })).alert;
  const escalation = async (alert: Alert) => json<EscalationView>(await ok('GET', `/api/v1/alerts/${alert.number}/escalation`, admin));
  const timeline = async (alert: Alert) => json<{ items: Array<{ action: string; summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const metrics = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** One series' value from the exposition text; 0 when absent. */
  const metric = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

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

  it('repairs an escalation whose step timer was lost: the next level is paged, the timeline says so, and the repair is counted', async () => {
    const alert = await trigger({ title: 'Checkout 5xx above 2%', severity: 'critical', dedupKey: '5xx' });
    await run();
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    // The lost-timer bug: the pending level-2 timer vanishes from the jobs table.
    const deleted = await db().deleteFrom('jobs').where('job_key', '=', stepJobKey(alert.id)).executeTakeFirst();
    expect(Number(deleted.numDeletedRows)).toBe(1);

    // Level 2 was due at 09:10; nothing moves on by itself.
    await advance(12 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(0);

    await startAuditor();
    await run();
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    const view = await escalation(alert);
    expect(view.steps.map((s) => [s.level, s.at])).toEqual([
      [1, '2026-11-21T09:00:00.000Z'],
      [2, '2026-11-21T09:12:00.000Z'],
    ]);
    expect(view.nextStepAt).toBe('2026-11-21T09:27:00.000Z');
    expect(await timeline(alert)).toEqual(expect.arrayContaining(['Escalation was stuck for 120 s (its next-step timer was lost); repaired by the auditor', 'Paged @ben by email (level 2)']));
    const text = await metrics();
    expect(metric(text, 'firebreak_escalation_auditor_repairs_total')).toBe(1);

    // The audit re-added itself one interval later, and finds nothing more to repair.
    const next = await db().selectFrom('jobs').select(['task', 'run_at']).where('job_key', '=', ESCALATION_AUDIT_TASK).executeTakeFirstOrThrow();
    expect(next).toMatchObject({ task: ESCALATION_AUDIT_TASK, run_at: t.clock.now() + AUDIT_INTERVAL_MS });
    for (let i = 0; i < 5; i++) await advance(AUDIT_INTERVAL_MS);
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(1);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
  });

  it('re-creates a lost timer at its own instant, never paging the next level early', async () => {
    const alert = await trigger({ title: 'Queue backlog', severity: 'critical', dedupKey: 'queue' });
    await run();
    await db().deleteFrom('jobs').where('job_key', '=', stepJobKey(alert.id)).execute();
    await advance(3 * MIN);
    await startAuditor();
    await run();
    const timer = await db().selectFrom('jobs').select(['run_at']).where('job_key', '=', stepJobKey(alert.id)).executeTakeFirstOrThrow();
    expect(timer.run_at).toBe(Date.parse('2026-11-21T09:10:00Z'));
    expect(await timeline(alert)).toContain("Escalation's next-step timer was lost; repaired by the auditor before it was due (2026-11-21T09:10:00.000Z)");
    await advance(6 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    await advance(1 * MIN);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
  });

  it('treats a timer that used up its attempts, or one set for another generation, as lost', async () => {
    const failed = await trigger({ title: 'Search slow', severity: 'critical', dedupKey: 'slow' });
    const stale = await trigger({ title: 'Login slow', severity: 'critical', dedupKey: 'login' });
    await run();
    await db().updateTable('jobs').set({ failed_at: t.clock.now(), last_error: 'boom' }).where('job_key', '=', stepJobKey(failed.id)).execute();
    await db().updateTable('jobs').set({ payload: JSON.stringify({ alertId: stale.id, generation: 0 }) }).where('job_key', '=', stepJobKey(stale.id)).execute();
    await advance(11 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    await startAuditor();
    await run();
    expect(pagesTo('ben@example.com')).toHaveLength(2);
    for (const alert of [failed, stale]) expect(await timeline(alert)).toContain('Escalation was stuck for 60 s (its next-step timer was lost); repaired by the auditor');
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(2);
  });

  it('leaves a healthy escalation alone: no repair, no duplicate page, across many audits', async () => {
    const alert = await trigger({ title: 'Disk full', severity: 'critical', dedupKey: 'disk' });
    await startAuditor();
    await run();
    for (let i = 0; i < 30; i++) await advance(AUDIT_INTERVAL_MS);
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect((await escalation(alert)).status).toBe('exhausted');
    expect((await timeline(alert)).filter((s) => s.includes('auditor'))).toEqual([]);
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(0);
  });

  it('starts an escalation that should exist but does not, after a grace of two minutes', async () => {
    // A service without a policy pages no one; then it gets one behind the engine's back (as if the
    // trigger's escalation had been lost).
    await ok('POST', '/api/v1/services', admin, { handle: 'search', name: 'Search' });
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'search', title: 'Search down', severity: 'critical', dedupKey: 'search' })).alert;
    await run();
    expect((await escalation(alert)).status).toBe('none');
    const policy = await db().selectFrom('escalation_policies').select(['id']).where('handle', '=', 'platform').executeTakeFirstOrThrow();
    await db().updateTable('services').set({ escalation_policy_id: policy.id }).where('handle', '=', 'search').execute();

    await startAuditor();
    await advance(1 * MIN);
    expect((await escalation(alert)).status).toBe('none');
    await advance(1 * MIN);
    expect((await escalation(alert)).status).toBe('active');
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    expect(await timeline(alert)).toEqual(expect.arrayContaining(['Escalation was stuck for 120 s (it never started); repaired by the auditor', 'Escalation started: policy Platform']));
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(1);
  });

  it('does not repair an acknowledged alert or a low-urgency one', async () => {
    const acked = await trigger({ title: 'Login errors', severity: 'critical', dedupKey: 'login' });
    const low = await trigger({ title: 'Cache cold', severity: 'warning', dedupKey: 'cache' });
    await run();
    await ok('POST', `/api/v1/alerts/${acked.id}/acknowledge`, ana, {});
    await startAuditor();
    for (let i = 0; i < 5; i++) await advance(AUDIT_INTERVAL_MS);
    expect((await escalation(acked)).status).toBe('acknowledged');
    expect((await escalation(low)).status).toBe('none');
    expect(metric(await metrics(), 'firebreak_escalation_auditor_repairs_total')).toBe(0);
  });

  it('exposes paging metrics on /metrics after a page', async () => {
    await trigger({ title: 'Payments down', severity: 'critical', dedupKey: 'pay' });
    await run();
    let text = await metrics();
    expect(metric(text, 'firebreak_escalation_steps_total{outcome="started"}')).toBe(1);
    expect(metric(text, 'firebreak_page_deliveries_total{channel="email",outcome="sent"}')).toBe(1);
    expect(metric(text, 'firebreak_page_delivery_seconds_count{channel="email"}')).toBe(1);
    expect(text).toContain('# TYPE firebreak_page_delivery_seconds histogram');
    expect(metric(text, 'firebreak_escalations_active')).toBe(1);
    expect(text).toContain('firebreak_escalation_auditor_repairs_total 0');

    await advance(10 * MIN);
    await advance(15 * MIN);
    text = await metrics();
    expect(metric(text, 'firebreak_escalation_steps_total{outcome="escalated"}')).toBe(1);
    expect(metric(text, 'firebreak_escalation_steps_total{outcome="exhausted"}')).toBe(1);
    expect(metric(text, 'firebreak_page_deliveries_total{channel="email",outcome="sent"}')).toBe(2);
    expect(metric(text, 'firebreak_escalations_active')).toBe(0);
  });
});
