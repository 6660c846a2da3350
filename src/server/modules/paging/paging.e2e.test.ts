import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import type { ContactMethod } from '../../../contracts/notify.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { ChannelError, type Channel } from '../notify/channels/channel.js';
import { FakeChannel } from '../notify/channels/fake.channel.js';
import { PageDelivery } from './page-delivery.js';
import { ESCALATION_STEP_TASK, stepJobKey, type EscalationView } from './paging.service.js';

// Pages go through the real SMTP adapter to a real SMTP server in this process; timers and deliveries
// run with `runner.runDueJobs()` under the test's ManualClock, as a live runner would run them.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;

for (const dialect of dialectCases()) describe(`paging by email (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;

  const { call, ok } = requestsAs(() => t);
  const pagesTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address) && m.headers['x-firebreak-kind'] === 'page');
  const run = () => t.firebreak.runner.runDueJobs();
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const trigger = async (payload: Record<string, unknown>) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', ...payload })).alert;
  const escalation = async (alert: Alert) => json<EscalationView>(await ok('GET', `/api/v1/alerts/${alert.number}/escalation`, admin));
  const timeline = async (alert: Alert) => json<{ items: Array<{ action: string; summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com' },
    });
    ({ admin, ana, ben } = await setUpPagingScene(t, sink, { runbookUrl: 'https://runbooks.example.com/checkout' }));
  });
  afterEach(async () => t.close());

  it('pages the on-call person of the policy’s schedule by email at once, and level 2 after the delay without an acknowledgement', async () => {
    const alert = await trigger({ title: 'Checkout 5xx above 2%', severity: 'critical', dedupKey: '5xx', description: 'p99 latency up too' });
    await run();
    const [page] = pagesTo('ana@example.com');
    expect(page).toBeDefined();
    expect(page!.subject).toBe(`#${alert.number} Checkout 5xx above 2%`);
    expect(page!.text).toContain('Service: Checkout API');
    expect(page!.text).toContain('Runbook: https://runbooks.example.com/checkout');
    expect(page!.text).toContain('Fired 1 time since 2026-11-21 09:00 UTC');
    expect(page!.text).toContain(`https://firebreak.example.com/alerts/${alert.number}`);
    expect(pagesTo('ben@example.com')).toEqual([]);

    let view = await escalation(alert);
    expect(view).toMatchObject({ status: 'active', source: { kind: 'policy', name: 'Platform' }, nextStepAt: '2026-11-21T09:10:00.000Z' });
    expect(view.levels.map((l) => [l.level, l.delayMinutes, l.targets.map((x) => `${x.type}:${x.handle}`)])).toEqual([
      [1, 10, ['schedule:primary']],
      [2, 15, ['user:ben']],
    ]);
    expect(view.notifications).toMatchObject([{ userId: ana.userId, channel: 'email', address: 'ana@example.com', level: 1, status: 'sent', attempts: 1 }]);

    await advance(9 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    await advance(1 * MIN);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    view = await escalation(alert);
    expect(view.steps.map((s) => [s.level, s.at, s.userIds])).toEqual([
      [1, '2026-11-21T09:00:00.000Z', [ana.userId]],
      [2, '2026-11-21T09:10:00.000Z', [ben.userId]],
    ]);
    expect(await timeline(alert)).toEqual(
      expect.arrayContaining(['Escalation started: policy Platform', 'Paged @ana by email (level 1)', expect.stringMatching(/^Email to ana@example\.com delivered \(attempt 1/), 'Paged @ben by email (level 2)']),
    );

    await advance(15 * MIN);
    expect((await escalation(alert)).status).toBe('exhausted');
    expect(await timeline(alert)).toContain('Escalation exhausted: every level was paged and nobody acknowledged');
  });

  it('keeps the policy it snapshotted when the alert triggered: a later edit changes only new alerts', async () => {
    const alert = await trigger({ title: 'Search slow', severity: 'critical', dedupKey: 'search' });
    await run();
    await ok('PATCH', '/api/v1/escalation-policies/platform', admin, { levels: [{ delayMinutes: 10, targets: [{ type: 'schedule', ref: 'primary' }] }, { delayMinutes: 15, targets: [{ type: 'user', ref: 'ana' }] }] });
    await advance(10 * MIN);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    expect((await escalation(alert)).levels[1]!.targets.map((x) => x.handle)).toEqual(['ben']);
  });

  it('pages the person an alert is reassigned to, through their own rules', async () => {
    const alert = await trigger({ title: 'Login errors', severity: 'critical', dedupKey: 'login' });
    await run();
    await ok('POST', `/api/v1/alerts/${alert.id}/reassign`, ana, { user: 'ben' });
    await run();
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect(await escalation(alert)).toMatchObject({ status: 'active', source: { kind: 'user', name: '@ben' }, nextStepAt: '2026-11-21T09:30:00.000Z' });
    // The service policy's level 2 (ben again) is no longer pending: the reassignment replaced that escalation.
    await advance(10 * MIN);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
  });

  it('pages nobody more after an acknowledgement', async () => {
    const alert = await trigger({ title: 'Disk full', severity: 'critical', dedupKey: 'disk' });
    await run();
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
    await advance(10 * MIN);
    await advance(60 * MIN);
    expect(pagesTo('ben@example.com')).toEqual([]);
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    const view = await escalation(alert);
    expect(view).toMatchObject({ status: 'acknowledged', nextStepAt: null });
    expect(await timeline(alert)).toContain('Escalation stopped: acknowledged');
  });

  it('does not page twice when timers run again: a replayed or stale timer and a repeated delivery are no-ops', async () => {
    const alert = await trigger({ title: 'Queue backlog', severity: 'error', dedupKey: 'queue' });
    const db = t.firebreak.services.database.db;
    const firstTimer = await db.selectFrom('jobs').select(['payload']).where('job_key', '=', stepJobKey(alert.id)).executeTakeFirstOrThrow();
    await run();
    await run();
    t.clock.advance(10 * MIN);
    await run();
    await run();
    // The timer for level 2 ran; add it again under a new key, as a worker that died before deleting it would run it.
    await t.firebreak.runner.addJob(db, { task: ESCALATION_STEP_TASK, key: `replay:${alert.id}`, payload: JSON.parse(firstTimer.payload) as unknown });
    expect(await t.firebreak.services.paging.runStep(JSON.parse(firstTimer.payload) as { alertId: string; generation: number })).toBe('stale');
    await run();
    // Every delivery again: rows already sent are skipped.
    for (const n of (await escalation(alert)).notifications) expect(await t.firebreak.services.pageDelivery.deliver({ notificationId: n.id }, { attempts: 1, maxAttempts: 8 })).toBe('skipped');
    expect(pagesTo('ana@example.com')).toHaveLength(1);
    expect(pagesTo('ben@example.com')).toHaveLength(1);
    expect((await escalation(alert)).notifications).toHaveLength(2);
  });

  it('pages no one for a low-urgency alert or one a silence suppresses', async () => {
    const low = await trigger({ title: 'Cache hit rate low', severity: 'warning', dedupKey: 'cache' });
    expect(low.urgency).toBe('low');
    await ok('POST', '/api/v1/silences', admin, { matchers: [{ name: '__dedup_key__', op: '=', value: 'quiet' }], comment: 'Known: migration tonight', service: 'checkout', durationMinutes: 120 });
    const silenced = await trigger({ title: 'DB failover', severity: 'critical', dedupKey: 'quiet' });
    await run();
    await advance(30 * MIN);
    expect(sink.messages).toEqual([]);
    expect((await escalation(low)).status).toBe('none');
    expect((await escalation(silenced)).status).toBe('none');
  });

  it('records a channel that is not configured as a failed page on the timeline', async () => {
    const phone = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: 'sms', address: '+351912345678' }));
    // Mark it verified directly: SMS verification needs the SMS channel this instance lacks.
    await t.firebreak.services.database.db.updateTable('contact_methods').set({ verified_at: t.clock.now() }).where('id', '=', phone.id).execute();
    const alert = await trigger({ title: 'Payments down', severity: 'critical', dedupKey: 'pay' });
    await run();
    await advance(1 * MIN);
    const sms = (await escalation(alert)).notifications.find((n) => n.channel === 'sms');
    expect(sms).toMatchObject({ status: 'failed', dueAt: '2026-11-21T09:01:00.000Z' });
    expect(sms!.lastError).toMatch(/^CHANNEL_NOT_CONFIGURED/);
    expect(await timeline(alert)).toEqual(expect.arrayContaining(['Paging @ana by sms in 1 min unless acknowledged (level 1)', expect.stringMatching(/^SMS to \+351912345678 failed: CHANNEL_NOT_CONFIGURED/)]));
  });

  it('retries a delivery that failed for a while, records each attempt, and resends with the same idempotency key', async () => {
    const alert = await trigger({ title: 'Checkout down', severity: 'critical', dedupKey: 'down' });
    const [pending] = (await escalation(alert)).notifications;
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    // A channel whose relay is unreachable once, then accepts: a second delivery worker over the same database.
    const flaky = new FakeChannel('email');
    let failures = 1;
    const channel: Channel = {
      type: 'email',
      async send(message, options) {
        if (failures-- > 0) throw new ChannelError('The mail server did not accept the message (ECONNREFUSED): connect ECONNREFUSED', false);
        return flaky.send(message, options);
      },
    };
    const s = t.firebreak.services;
    const worker = new PageDelivery({ database: s.database, clock: t.clock, ids: s.ids, jobs: s.jobs, notify: s.notify, catalog: s.catalog, channels: { email: channel }, publicUrl: t.config.publicUrl });
    await expect(worker.deliver({ notificationId: pending!.id }, { attempts: 1, maxAttempts: 8 })).rejects.toThrow(/ECONNREFUSED/);
    expect((await escalation(alert)).notifications[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(await worker.deliver({ notificationId: pending!.id }, { attempts: 2, maxAttempts: 8 })).toBe('sent');
    expect(flaky.sent).toHaveLength(1);
    const row = await s.database.db.selectFrom('page_notifications').select(['contact_method_id', 'idempotency_key']).where('id', '=', pending!.id).executeTakeFirstOrThrow();
    expect(row.idempotency_key).toBe(`page:${alert.id}:0:${ana.userId}:${row.contact_method_id}`);
    expect(flaky.sent[0]!.idempotencyKey).toBe(row.idempotency_key);
    expect(await timeline(alert)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Email to ana@example\.com failed \(attempt 1 of 8\), retrying: .*ECONNREFUSED/), expect.stringMatching(/^Email to ana@example\.com delivered \(attempt 2/)]),
    );
    // The app's own delivery job for the row then finds it sent: the real SMTP server gets nothing.
    await run();
    expect(pagesTo('ana@example.com')).toEqual([]);
  });

  it('with the runner running, delivers a page due now as the escalation commits: claimed in that transaction, no claim pass, one write after the send', async () => {
    // Counts the transactions from the trigger to the delivery's record.
    const database = t.firebreak.services.database;
    const counted: string[] = [];
    const { transaction, transactionSyncedLater } = database;
    database.transaction = ((work) => (counted.push('transaction'), transaction.call(database, work))) as typeof transaction;
    database.transactionSyncedLater = ((work) => (counted.push('synced later'), transactionSyncedLater.call(database, work))) as typeof transactionSyncedLater;
    t.firebreak.runner.start();
    try {
      const alert = await trigger({ title: 'Checkout down hard', severity: 'critical', dedupKey: 'hard' });
      for (let i = 0; i < 200 && pagesTo('ana@example.com').length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      for (let i = 0; i < 200 && (await escalation(alert)).notifications[0]?.status !== 'sent'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const [page] = pagesTo('ana@example.com');
      expect(page?.subject).toBe(`#${alert.number} Checkout down hard`);
      expect((await escalation(alert)).notifications).toMatchObject([{ status: 'sent', attempts: 1 }]);
      // The trigger's transaction, then the record of the send, which also completes the job: no claim,
      // no transaction of the delivery's own before the send, no separate completion.
      expect(counted).toEqual(['synced later', 'synced later']);
      expect(await database.db.selectFrom('jobs').select('task').where('task', '=', 'paging.deliver').execute()).toEqual([]);
      expect(await timeline(alert)).toEqual(expect.arrayContaining(['Paged @ana by email (level 1)', expect.stringMatching(/^Email to ana@example\.com delivered \(attempt 1/)]));

      // The links it carries were stored with the claim: acknowledging through one works.
      const link = /^Acknowledge: https:\/\/firebreak\.example\.com(\/a\/[A-Za-z0-9_-]{43})$/m.exec(page!.text)?.[1];
      expect(link).toBeDefined();
      const acknowledged = await t.app.inject({ method: 'POST', url: link! });
      expect(acknowledged.statusCode).toBe(200);
      expect((await escalation(alert)).status).toBe('acknowledged');
    } finally {
      await t.firebreak.runner.stop();
    }
  });

  it('answers 404 for an unknown alert', async () => {
    const res = await call('GET', '/api/v1/alerts/999999/escalation', admin);
    expect(res.statusCode).toBe(404);
  });
});
