import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPing,
  applyWake,
  checkHeartbeatSettings,
  deadlineAt,
  dueAfter,
  heartbeatWakeAt,
  humanSeconds,
  initialHeartbeatState,
  pingFromExitCode,
  shownHeartbeatStatus,
  type HeartbeatSettings,
  type HeartbeatState,
} from './heartbeat.js';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;

const settings = (over: Partial<HeartbeatSettings> = {}): HeartbeatSettings => ({ periodSeconds: 3600, cron: null, timeZone: 'UTC', graceSeconds: 600, maxRunSeconds: null, severity: 'error', ...over });
const cron = (expr: string, timeZone: string, graceSeconds = 600): HeartbeatSettings => settings({ periodSeconds: null, cron: expr, timeZone, graceSeconds });
const T0 = at('2026-11-21T05:00:00Z');

describe('heartbeat timing', () => {
  it('a new heartbeat has no deadline and never alerts on a timer', () => {
    expect(heartbeatWakeAt(settings(), initialHeartbeatState)).toBeNull();
    expect(applyWake(settings(), initialHeartbeatState, T0 + 1000 * HOUR, 'backup').alert).toBeNull();
    expect(shownHeartbeatStatus(settings(), initialHeartbeatState, T0)).toBe('new');
  });

  it('period + grace: up until due, late within the grace, missed alert at the deadline', () => {
    const s = settings();
    const up = applyPing(s, initialHeartbeatState, { kind: 'success' }, T0, 'backup');
    expect(up.alert).toEqual({ action: 'resolve' });
    expect(up.wakeAt).toBe(T0 + HOUR + 10 * MIN);
    expect(shownHeartbeatStatus(s, up.state, T0 + HOUR)).toBe('up');
    expect(shownHeartbeatStatus(s, up.state, T0 + HOUR + 1)).toBe('late');
    expect(shownHeartbeatStatus(s, up.state, T0 + HOUR + 10 * MIN)).toBe('down');
    expect(applyWake(s, up.state, T0 + HOUR + 10 * MIN - 1, 'backup').alert).toBeNull();
    const missed = applyWake(s, up.state, T0 + HOUR + 10 * MIN, 'backup');
    expect(missed.alert).toMatchObject({ action: 'trigger', reason: 'missed', title: 'Heartbeat backup missed', severity: 'error' });
    expect(missed.alert && 'description' in missed.alert ? missed.alert.description : '').toContain('2026-11-21T06:00:00.000Z');
    expect(missed.state).toMatchObject({ status: 'down', downReason: 'missed' });
    expect(missed.wakeAt).toBeNull();
    // A second timer for the same state finds nothing more to do.
    expect(applyWake(s, missed.state, T0 + 5 * HOUR, 'backup').alert).toBeNull();
    const back = applyPing(s, missed.state, { kind: 'success' }, T0 + 2 * HOUR, 'backup');
    expect(back.alert).toEqual({ action: 'resolve' });
    expect(back.state).toMatchObject({ status: 'up', downReason: null, lastSuccessAt: T0 + 2 * HOUR });
  });

  it('a failure ping alerts at once with its exit code; a success after it resolves', () => {
    const s = settings({ severity: 'critical' });
    const up = applyPing(s, initialHeartbeatState, { kind: 'success' }, T0, 'nightly');
    const started = applyPing(s, up.state, { kind: 'start' }, T0 + HOUR, 'nightly');
    const failed = applyPing(s, started.state, { kind: 'fail', exitCode: 3 }, T0 + HOUR + 90_000, 'nightly');
    expect(failed.alert).toMatchObject({ action: 'trigger', reason: 'failed', title: 'Heartbeat nightly failed (exit code 3)', severity: 'critical' });
    expect(failed.alert && 'description' in failed.alert ? failed.alert.description : '').toContain('took 1 min 30 s');
    expect(failed.state).toMatchObject({ status: 'down', startedAt: null, lastExitCode: 3 });
    expect(applyPing(s, failed.state, { kind: 'fail' }, T0 + 2 * HOUR, 'nightly').alert).toMatchObject({ title: 'Heartbeat nightly failed' });
  });

  it('a run that starts and never finishes alerts after maxRunSeconds (default: the grace)', () => {
    const s = settings({ maxRunSeconds: 300 });
    const started = applyPing(s, initialHeartbeatState, { kind: 'start' }, T0, 'etl');
    expect(started.state.status).toBe('new');
    expect(started.wakeAt).toBe(T0 + 5 * MIN);
    const timedOut = applyWake(s, started.state, T0 + 5 * MIN, 'etl');
    expect(timedOut.alert).toMatchObject({ action: 'trigger', reason: 'run-timeout', title: 'Heartbeat etl started but never finished' });
    expect(timedOut.state).toMatchObject({ status: 'down', startedAt: null });
    const defaultMax = applyPing(settings(), initialHeartbeatState, { kind: 'start' }, T0, 'etl');
    expect(defaultMax.wakeAt).toBe(T0 + 10 * MIN);
    // A run that finishes in time clears the run timer.
    const finished = applyPing(s, started.state, { kind: 'success' }, T0 + 4 * MIN, 'etl');
    expect(finished.state.startedAt).toBeNull();
    expect(finished.wakeAt).toBe(T0 + 4 * MIN + HOUR + 10 * MIN);
  });

  it('exit codes: 0 is success, 1–255 failure, anything else is not an exit code', () => {
    expect(pingFromExitCode('0')).toEqual({ kind: 'success', exitCode: 0 });
    expect(pingFromExitCode('1')).toEqual({ kind: 'fail', exitCode: 1 });
    expect(pingFromExitCode('255')).toEqual({ kind: 'fail', exitCode: 255 });
    for (const bad of ['256', '-1', '1.5', 'abc', '', '0001']) expect(pingFromExitCode(bad)).toBeNull();
  });

  it('humanSeconds reads naturally', () => {
    expect(humanSeconds(90)).toBe('1 min 30 s');
    expect(humanSeconds(86_400 + 3600)).toBe('1 d 1 h');
    expect(humanSeconds(0)).toBe('0 s');
  });
});

describe('cron deadlines in a time zone', () => {
  // Table: [expression, zone, last success, expected due]
  const table: Array<[string, string, string, string]> = [
    ['0 3 * * *', 'Europe/Berlin', '2026-11-21T02:00:30Z', '2026-11-22T02:00:00Z'],
    ['0 3 * * *', 'Europe/Berlin', '2026-07-01T01:00:30Z', '2026-07-02T01:00:00Z'],
    ['*/15 * * * *', 'UTC', '2026-11-21T05:00:00Z', '2026-11-21T05:15:00Z'],
    ['0 9 * * 1-5', 'America/New_York', '2026-11-20T14:00:05Z', '2026-11-23T14:00:00Z'],
    // Spring forward in New York (2026-03-08 02:00 → 03:00): the skipped 02:30 is due at 03:30 EDT.
    ['30 2 * * *', 'America/New_York', '2026-03-07T07:30:10Z', '2026-03-08T07:30:00Z'],
    // ... and the next day at 02:30 EDT again, 23 hours later.
    ['30 2 * * *', 'America/New_York', '2026-03-08T07:30:10Z', '2026-03-09T06:30:00Z'],
    // Fall back (2026-11-01 02:00 EDT → 01:00 EST): the repeated 01:30 is due once, at 01:30 EDT.
    ['30 1 * * *', 'America/New_York', '2026-10-31T05:30:10Z', '2026-11-01T05:30:00Z'],
    ['30 1 * * *', 'America/New_York', '2026-11-01T05:30:10Z', '2026-11-02T06:30:00Z'],
    // A daily 03:00 over the fall-back night is 25 hours after the previous one.
    ['0 3 * * *', 'America/New_York', '2026-10-31T07:00:10Z', '2026-11-01T08:00:00Z'],
    // Europe's change on 2026-03-29: 02:30 does not exist in Berlin that day.
    ['30 2 * * *', 'Europe/Berlin', '2026-03-28T01:30:10Z', '2026-03-29T01:30:00Z'],
  ];
  it.each(table)('%s in %s after %s is due at %s', (expr, zone, last, expected) => {
    expect(new Date(dueAfter(cron(expr, zone), at(last)) as number).toISOString()).toBe(new Date(at(expected)).toISOString());
  });

  it('the deadline is due + grace in elapsed time, across a DST change', () => {
    const s = cron('30 1 * * *', 'America/New_York', 7200);
    const state: HeartbeatState = { ...initialHeartbeatState, status: 'up', lastSuccessAt: at('2026-10-31T05:30:10Z') };
    // Due 01:30 EDT (05:30Z); two hours of grace is 07:30Z (02:30 EST), not 03:30 wall time.
    expect(deadlineAt(s, state)).toBe(at('2026-11-01T07:30:00Z'));
    expect(shownHeartbeatStatus(s, state, at('2026-11-01T06:00:00Z'))).toBe('late');
    expect(applyWake(s, state, at('2026-11-01T07:30:00Z'), 'db-backup').alert).toMatchObject({ reason: 'missed' });
  });

  it('deadline is always after the last ping (property, period and cron in several zones)', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
    const exprs = ['0 3 * * *', '30 2 * * *', '*/5 * * * *', '0 */6 * * *', '15 1 * * 0', '0 0 1 * *', '30 1,2 * * *'];
    const schedule = fc.oneof(
      fc.record({ periodSeconds: fc.integer({ min: 60, max: 86_400 * 30 }), graceSeconds: fc.integer({ min: 0, max: 86_400 }) }).map((r) => settings(r)),
      fc.record({ expr: fc.constantFrom(...exprs), zone: fc.constantFrom(...zones), grace: fc.integer({ min: 0, max: 86_400 }) }).map((r) => cron(r.expr, r.zone, r.grace)),
    );
    // 2026–2027 to the second, so many pings fall on DST changes and exact occurrences.
    const instant = fc.integer({ min: at('2026-01-01T00:00:00Z') / 1000, max: at('2027-12-31T00:00:00Z') / 1000 }).map((s) => s * 1000);
    fc.assert(
      fc.property(schedule, instant, (s, t) => {
        const step = applyPing(s, initialHeartbeatState, { kind: 'success' }, t, 'p');
        const deadline = deadlineAt(s, step.state);
        expect(deadline).not.toBeNull();
        expect(deadline as number).toBeGreaterThan(t);
        expect(step.wakeAt).toBe(deadline);
        expect(shownHeartbeatStatus(s, step.state, t)).toBe('up');
      }),
      { numRuns: 400, seed: 17 },
    );
  });
});

describe('settings validation', () => {
  const now = T0;
  it('defaults to a daily period with an hour of grace', () => {
    expect(checkHeartbeatSettings({}, now)).toEqual({ ok: true, settings: { periodSeconds: 86_400, cron: null, timeZone: 'UTC', graceSeconds: 3600, maxRunSeconds: null, severity: 'error' } });
  });
  it('accepts a cron in an IANA zone and switching between cron and period', () => {
    const c = checkHeartbeatSettings({ cron: ' 0 3 * * * ', timeZone: 'Europe/Berlin', graceSeconds: 900 }, now);
    expect(c).toMatchObject({ ok: true, settings: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', periodSeconds: null } });
    if (!c.ok) return;
    expect(checkHeartbeatSettings({ graceSeconds: 60 }, now, c.settings)).toMatchObject({ ok: true, settings: { cron: '0 3 * * *', graceSeconds: 60 } });
    expect(checkHeartbeatSettings({ periodSeconds: 300 }, now, c.settings)).toMatchObject({ ok: true, settings: { cron: null, periodSeconds: 300, timeZone: 'UTC' } });
  });
  it('names the field of each problem', () => {
    const issues = (input: Parameters<typeof checkHeartbeatSettings>[0]) => {
      const r = checkHeartbeatSettings(input, now);
      return r.ok ? [] : r.issues.map((i) => i.path);
    };
    expect(issues({ cron: '0 3 * * *', timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(issues({ cron: 'every day' })).toEqual(['cron']);
    expect(issues({ cron: '0 0 30 2 *' })).toEqual(['cron']);
    expect(issues({ cron: '*/5 * * * * *' })).toEqual(['cron']);
    expect(issues({ periodSeconds: 10 })).toEqual(['periodSeconds']);
    expect(issues({ periodSeconds: 600, cron: '0 3 * * *' })).toEqual(['cron']);
    expect(issues({ periodSeconds: 600, timeZone: 'Europe/Berlin' })).toEqual(['timeZone']);
    expect(issues({ graceSeconds: -1, maxRunSeconds: 0 })).toEqual(['graceSeconds', 'maxRunSeconds']);
  });
});
