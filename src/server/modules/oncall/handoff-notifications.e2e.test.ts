import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, addVerifiedEmail, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';
import { createLogger } from '../../platform/logger.js';
import { FakeChannel } from '../notify/channels/fake.channel.js';
import type { Channels } from '../notify/channels/channel.js';
import { createHandoffNotifications, HANDOFF_CURSOR, scheduleHandoffScan, SEND_HANDOFF_TASK, type HandoffNotifications } from './handoff-notifications.js';

// Every email goes through the real SMTP adapter to a real SMTP server in this process; jobs run with
// `runner.runDueJobs()` under the test's ManualClock, the scan job re-adding itself as in production.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const MIN = 60_000;
const HOUR = 60 * MIN;

for (const dialect of dialectCases()) describe(`handoff notifications (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  let ben: Person;

  const { ok } = requestsAs(() => t);
  const db = () => t.firebreak.services.database.db;
  const mailTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));

  const verifiedEmail = (who: Person, address: string) => addVerifiedEmail(t, sink, who, address);

  const handoffSettings = (who: Person, enabled: boolean, leadMinutes = 15) =>
    ok('PUT', '/api/v1/me/notification-settings', who, { lowUrgencyQuietHours: null, handoffNotifications: { enabled, leadMinutes } });

  /** Moves the clock to `until` in steps, running due jobs after each, as a live runner would. */
  async function runUntil(until: string, stepMs = 5 * MIN): Promise<void> {
    const end = Date.parse(until);
    while (t.clock.now() < end) {
      t.clock.set(Math.min(end, t.clock.now() + stepMs));
      await t.firebreak.runner.runDueJobs();
    }
  }

  /** A second scanner over the same database, as another node (or a test's direct call) would have. */
  function scanner(options: { channels?: Channels; logs?: string[] } = {}): HandoffNotifications {
    const logs = options.logs;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs?.push(chunk.toString());
        done();
      },
    });
    return createHandoffNotifications({
      database: t.firebreak.services.database,
      clock: t.clock,
      jobs: t.firebreak.runner,
      schedules: t.firebreak.services.oncall.schedules,
      channels: options.channels ?? { email: new FakeChannel('email') },
      publicUrl: t.config.publicUrl,
      logger: createLogger('debug', stream),
    });
  }
  const logged = (logs: string[], level: string) => logs.map((l) => JSON.parse(l) as { level: string; msg: string; [k: string]: unknown }).filter((l) => l.level === level);

  beforeEach(async () => {
    sink.clear();
    // Monday 6 July 2026; New York is on EDT (UTC−4).
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-07-06T10:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://oncall.example.com' },
    });
    admin = await t.userWithToken('admin', 'root-admin');
    ana = await t.userWithToken('responder', 'ana');
    ben = await t.userWithToken('responder', 'ben');
    await ok('PATCH', '/api/v1/me', ana, { timeZone: 'America/New_York' });
    await verifiedEmail(ana, 'ana@example.com');
    await verifiedEmail(ben, 'ben@example.com');
    await handoffSettings(ana, true, 15);
    await handoffSettings(ben, false, 15);
    // ana and ben take turns daily at 12:00 UTC from today: ana Mon, ben Tue, ana Wed, ben Thu…
    await ok('POST', '/api/v1/schedules', admin, {
      handle: 'platform-primary',
      name: 'Platform primary',
      timeZone: 'UTC',
      layers: [{ name: 'Primary', participants: ['ana', 'ben'], start: '2026-07-06T12:00:00Z', handoffTime: '12:00', turn: { unit: 'days', count: 1 } }],
    });
    sink.clear();
  });
  afterEach(async () => t.close());

  it('emails a verified address 15 minutes before the shift starts and before it ends, in the person’s zone, and nothing to someone who left it off', async () => {
    await scheduleHandoffScan(t.firebreak.runner, db(), t.clock.now());
    await t.firebreak.runner.runDueJobs();
    await runUntil('2026-07-06T11:40:00Z');
    expect(sink.messages).toEqual([]);

    await runUntil('2026-07-06T11:45:00Z');
    const [starts] = mailTo('ana@example.com');
    expect(starts?.subject).toBe('On call in 15 min: Platform primary');
    expect(starts?.headers['x-firebreak-kind']).toBe('handoff');
    expect(starts?.to).toBe('Test ana <ana@example.com>');
    expect(starts?.text).toContain('Test ana, your on-call shift in Platform primary starts in 15 minutes, at Mon 6 Jul 2026, 08:00.');
    expect(starts?.text).toContain('Shift: Mon 6 Jul 2026, 08:00 – Tue 7 Jul 2026, 08:00 (America/New_York)');
    expect(starts?.text).toContain('Before you: nobody is on call in this schedule.');
    expect(starts?.text).toContain('Schedule: https://oncall.example.com/oncall/schedules/platform-primary');

    await runUntil('2026-07-07T11:30:00Z', HOUR);
    expect(sink.messages).toHaveLength(1);
    await runUntil('2026-07-07T11:45:00Z');
    const ends = mailTo('ana@example.com')[1];
    expect(ends?.subject).toBe('On-call shift ends in 15 min: Platform primary');
    expect(ends?.text).toContain('ends in 15 minutes, at Tue 7 Jul 2026, 08:00.');
    expect(ends?.text).toContain('Next on call: Test ben');

    // Until ana's next turn comes near: nothing more, and nothing ever for ben.
    await runUntil('2026-07-08T11:40:00Z', HOUR);
    expect(sink.messages.map((m) => [m.envelope.to, m.subject])).toEqual([
      [['ana@example.com'], 'On call in 15 min: Platform primary'],
      [['ana@example.com'], 'On-call shift ends in 15 min: Platform primary'],
    ]);
    // The recurring scan keeps exactly one pending job.
    expect(await db().selectFrom('jobs').select(['task', 'job_key', 'run_at']).execute()).toEqual([{ task: 'oncall.handoff-scan', job_key: 'oncall.handoff-scan', run_at: Date.parse('2026-07-08T11:45:00Z') }]);
  });

  it('sends nothing twice when restarts and concurrent scans cover the same time again', async () => {
    await scheduleHandoffScan(t.firebreak.runner, db(), t.clock.now());
    await runUntil('2026-07-06T11:45:00Z');
    expect(mailTo('ana@example.com').map((m) => m.subject)).toEqual(['On call in 15 min: Platform primary']);

    // Restarts add the scan again, due at once; running it again and again at the same instant adds nothing.
    for (let i = 0; i < 3; i++) {
      await scheduleHandoffScan(t.firebreak.runner, db(), t.clock.now());
      await t.firebreak.runner.runDueJobs();
    }
    t.clock.advance(MIN);
    await scheduleHandoffScan(t.firebreak.runner, db(), t.clock.now());
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(1);

    // Two nodes scanning the same window at once: the cursor's compare-and-set lets one add the job.
    await runUntil('2026-07-07T11:40:00Z', HOUR);
    t.clock.set('2026-07-07T11:45:00Z');
    const results = await Promise.all([scanner().scan(), scanner().scan()]);
    const enqueued = results.map((r) => (r.outcome === 'scanned' ? r.enqueued : 0));
    expect(enqueued.reduce((a, b) => a + b, 0)).toBe(1);
    await t.firebreak.runner.runDueJobs();
    await runUntil('2026-07-07T12:30:00Z');
    expect(mailTo('ana@example.com').map((m) => m.subject)).toEqual(['On call in 15 min: Platform primary', 'On-call shift ends in 15 min: Platform primary']);
  });

  it('does not announce a shift that an override took away after the scan queued its message, and announces where it moved', async () => {
    t.clock.set('2026-07-06T11:45:00Z');
    expect(await scanner().scan()).toMatchObject({ outcome: 'scanned', enqueued: 1 });
    expect(await db().selectFrom('jobs').select('job_key').where('task', '=', SEND_HANDOFF_TASK).execute()).toEqual([
      { job_key: expect.stringMatching(/^notify\.send-handoff:[0-9A-Z]{26}:[0-9A-Z]{26}:start:2026-07-06T12:00:00\.000Z$/) },
    ]);

    // ben covers the first six hours of ana's shift: it now starts at 18:00.
    await ok('POST', '/api/v1/schedules/platform-primary/overrides', admin, { user: 'ben', start: '2026-07-06T12:00:00Z', end: '2026-07-06T18:00:00Z', replaces: 'ana' });
    const outcomes = await t.firebreak.runner.runDueJobs();
    expect(outcomes.map((o) => [o.task, o.outcome])).toEqual([[SEND_HANDOFF_TASK, 'success']]);
    expect(sink.messages).toEqual([]);

    // The scan job the direct scan re-added keeps going, and finds the new start.
    await runUntil('2026-07-06T17:00:00Z', HOUR);
    expect(sink.messages).toEqual([]);
    await runUntil('2026-07-06T17:45:00Z');
    expect(mailTo('ana@example.com').map((m) => m.subject)).toEqual(['On call in 15 min: Platform primary']);
    expect(sink.messages[0]?.text).toContain('Shift: Mon 6 Jul 2026, 14:00 – Tue 7 Jul 2026, 08:00 (America/New_York)');
    expect(sink.messages[0]?.text).toContain('Taking over from: Test ben');
  });

  it('after three days without a scan sends only what fell due in the last day, and logs how many it skipped', async () => {
    await scheduleHandoffScan(t.firebreak.runner, db(), t.clock.now());
    await t.firebreak.runner.runDueJobs();
    expect(await db().selectFrom('runtime').select(['name', 'value']).execute()).toEqual([{ name: HANDOFF_CURSOR, value: '2026-07-06T10:00:00.000Z' }]);

    // Down from Monday 10:00 until Thursday 13:00. ana's handoffs in between were due at 11:45 on
    // Mon (start), Tue (end) and Wed (start): skipped. Thursday's end (due 11:45, at 12:00) is sent.
    t.clock.set('2026-07-09T13:00:00Z');
    const logs: string[] = [];
    expect(await scanner({ logs }).scan()).toMatchObject({ outcome: 'scanned', enqueued: 1, skipped: 3 });
    expect(logged(logs, 'WARN')).toEqual([
      expect.objectContaining({ skipped: 3, partial: false, from: '2026-07-06T10:00:00.000Z', until: '2026-07-08T13:00:00.000Z', msg: expect.stringContaining('not scanned for 75 h; skipped 3') }),
    ]);
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages.map((m) => m.subject)).toEqual(['On-call shift ended: Platform primary']);
    expect(sink.messages[0]?.text).toContain('your on-call shift in Platform primary ended at Thu 9 Jul 2026, 08:00.');
  });

  it('queues nothing while email delivery is not configured, says so once, and still moves on', async () => {
    const logs: string[] = [];
    const unconfigured = scanner({ channels: {}, logs });
    t.clock.set('2026-07-06T11:45:00Z');
    expect(await unconfigured.scan()).toMatchObject({ outcome: 'scanned', enqueued: 0 });
    t.clock.advance(5 * MIN);
    await unconfigured.scan();
    expect(await db().selectFrom('jobs').select('task').where('task', '=', SEND_HANDOFF_TASK).execute()).toEqual([]);
    expect(logged(logs, 'INFO').filter((l) => l.msg.includes('not configured'))).toHaveLength(1);
    expect(await db().selectFrom('runtime').select('value').where('name', '=', HANDOFF_CURSOR).executeTakeFirst()).toEqual({ value: '2026-07-06T11:50:00.000Z' });
  });
});
