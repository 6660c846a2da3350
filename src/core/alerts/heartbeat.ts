/**
 * Heartbeats (dead man's switch) as pure functions: a job pings Firebreak when it succeeds, and
 * silence is the alarm. Nothing here reads the clock; the caller passes `now`, stores the returned
 * state, sends the returned alert event and schedules one timer at `wakeAt`, in one transaction.
 *
 * Rules (docs/alerts.md, "Heartbeats"), modelled on healthchecks.io:
 *
 * 1. A heartbeat is **new** until its first ping and never alerts while new (except for a run that
 *    starts and never finishes, rule 5).
 * 2. After a success ping at `t` the next success is **due** at `t + period` (period schedule) or at
 *    the first cron occurrence strictly after `t` in the heartbeat's time zone (cron schedule). The
 *    **deadline** is due + grace. Between due and deadline the heartbeat is shown **late**; past the
 *    deadline it is **down** and a "missed" alert opens.
 * 3. A success ping resolves the heartbeat's alert (if one is open) and makes it **up**.
 * 4. A failure ping (`/fail`, or an exit code 1–255) makes it **down** and opens an alert at once.
 * 5. A `/start` ping opens a run; the success or failure that follows closes it. A run still open
 *    `maxRunSeconds` (default: the grace) after its start alerts "started but never finished".
 *
 * Cron and DST: occurrences are computed by cron-parser in the heartbeat's IANA zone, so "30 2 * * *"
 * in America/New_York on the spring-forward day is due at 03:30 EDT (the skipped 02:30 moves forward
 * by the gap), and on the fall-back day the repeated 01:30 is due once, at its first (EDT) reading.
 * Deadlines are instants; grace is elapsed time added to the due instant, never wall-clock arithmetic.
 */
import { CronExpressionParser } from 'cron-parser';
import { isValidTimeZone } from '../oncall/time.js';
import type { Instant, Severity } from './alert.js';

/** A heartbeat's schedule and alert settings, normalized: exactly one of `periodSeconds` and `cron` is set. */
export interface HeartbeatSettings {
  periodSeconds: number | null;
  cron: string | null;
  /** IANA zone the cron expression is read in; `UTC` for period schedules. */
  timeZone: string;
  graceSeconds: number;
  /** How long a started run may take; null means the grace. */
  maxRunSeconds: number | null;
  severity: Severity;
}

/** What the API accepts (`heartbeat` on an integration); see `checkHeartbeatSettings`. */
export interface HeartbeatSettingsInput {
  periodSeconds?: number | undefined;
  cron?: string | undefined;
  timeZone?: string | undefined;
  graceSeconds?: number | undefined;
  maxRunSeconds?: number | null | undefined;
  severity?: Severity | undefined;
}

export type StoredHeartbeatStatus = 'new' | 'up' | 'down';
/** What people see: `late` is `up` past the due time but within the grace. */
export type HeartbeatStatus = StoredHeartbeatStatus | 'late';
export type DownReason = 'missed' | 'failed' | 'run-timeout';
export type PingKind = 'success' | 'start' | 'fail';

export interface HeartbeatState {
  status: StoredHeartbeatStatus;
  downReason: DownReason | null;
  lastPingAt: Instant | null;
  lastPingKind: PingKind | null;
  /** The exit code the last success or failure ping carried, when it carried one. */
  lastExitCode: number | null;
  lastSuccessAt: Instant | null;
  /** When the open run started (`/start`); null when no run is open. */
  startedAt: Instant | null;
}

export type Ping = { kind: 'success'; exitCode?: number | null } | { kind: 'start' } | { kind: 'fail'; exitCode?: number | null };

/** The alert event a step asks for; the dedup key is the caller's (one per heartbeat). */
export type HeartbeatAlert = { action: 'trigger'; reason: DownReason; title: string; description: string; severity: Severity } | { action: 'resolve' } | null;

export interface HeartbeatStep {
  state: HeartbeatState;
  alert: HeartbeatAlert;
  /** When the timer should next look at this heartbeat; null when nothing can become overdue. */
  wakeAt: Instant | null;
}

export const initialHeartbeatState: HeartbeatState = Object.freeze({ status: 'new', downReason: null, lastPingAt: null, lastPingKind: null, lastExitCode: null, lastSuccessAt: null, startedAt: null });

export const DEFAULT_HEARTBEAT_SETTINGS: HeartbeatSettings = Object.freeze({ periodSeconds: 86_400, cron: null, timeZone: 'UTC', graceSeconds: 3_600, maxRunSeconds: null, severity: 'error' });

const YEAR_SECONDS = 365 * 86_400;
export const HEARTBEAT_LIMITS = Object.freeze({ minPeriodSeconds: 60, maxSeconds: YEAR_SECONDS });

export interface SettingsIssue {
  /** Relative to the `heartbeat` object, e.g. `cron`. */
  path: string;
  message: string;
}

/** The first cron occurrence strictly after `after`, or null when the expression has none. */
export function nextCronOccurrence(cron: string, timeZone: string, after: Instant): Instant | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after }).next().getTime();
  } catch {
    return null;
  }
}

/**
 * Validates and normalizes settings. `now` is only used to check that a cron expression has a next
 * occurrence. Unset fields fall back to `base` (the current settings on an update, else the defaults);
 * giving a cron clears the period and the other way round.
 */
export function checkHeartbeatSettings(input: HeartbeatSettingsInput, now: Instant, base: HeartbeatSettings = DEFAULT_HEARTBEAT_SETTINGS): { ok: true; settings: HeartbeatSettings } | { ok: false; issues: SettingsIssue[] } {
  const issues: SettingsIssue[] = [];
  if (input.periodSeconds !== undefined && input.cron !== undefined) issues.push({ path: 'cron', message: 'give either periodSeconds or cron, not both' });
  const usesCron = input.cron !== undefined || (input.periodSeconds === undefined && base.cron !== null);
  const settings: HeartbeatSettings = {
    periodSeconds: usesCron ? null : (input.periodSeconds ?? base.periodSeconds ?? DEFAULT_HEARTBEAT_SETTINGS.periodSeconds),
    cron: usesCron ? (input.cron ?? base.cron) : null,
    timeZone: usesCron ? (input.timeZone ?? (base.cron !== null ? base.timeZone : 'UTC')) : 'UTC',
    graceSeconds: input.graceSeconds ?? base.graceSeconds,
    maxRunSeconds: input.maxRunSeconds === undefined ? base.maxRunSeconds : input.maxRunSeconds,
    severity: input.severity ?? base.severity,
  };
  const seconds = (path: string, value: number | null, min: number) => {
    if (value === null) return;
    if (!Number.isInteger(value) || value < min || value > YEAR_SECONDS) issues.push({ path, message: `must be a whole number of seconds from ${min} to ${YEAR_SECONDS} (365 days)` });
  };
  seconds('periodSeconds', settings.periodSeconds, HEARTBEAT_LIMITS.minPeriodSeconds);
  seconds('graceSeconds', settings.graceSeconds, 0);
  seconds('maxRunSeconds', settings.maxRunSeconds, 1);
  if (input.timeZone !== undefined && !usesCron) issues.push({ path: 'timeZone', message: 'is only used with a cron schedule' });
  if (settings.cron !== null) {
    const cron = settings.cron.trim();
    settings.cron = cron;
    const fields = cron.split(/\s+/);
    if (!isValidTimeZone(settings.timeZone) || settings.timeZone.length > 64) {
      issues.push({ path: 'timeZone', message: `\`${settings.timeZone}\` is not an IANA time zone (e.g. Europe/Berlin)` });
    } else if (!cron.startsWith('@') && fields.length !== 5) {
      issues.push({ path: 'cron', message: 'must have five fields (minute hour day-of-month month day-of-week), e.g. `0 3 * * *`' });
    } else if (cron === '@reboot' || nextCronOccurrence(cron, settings.timeZone, now) === null) {
      issues.push({ path: 'cron', message: `\`${cron}\` is not a cron expression with a next occurrence` });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, settings };
}

/** When the next success ping is expected after a success at `lastSuccessAt` (rule 2); null if never. */
export function dueAfter(settings: HeartbeatSettings, lastSuccessAt: Instant): Instant | null {
  if (settings.cron !== null) return nextCronOccurrence(settings.cron, settings.timeZone, lastSuccessAt);
  return lastSuccessAt + (settings.periodSeconds ?? DEFAULT_HEARTBEAT_SETTINGS.periodSeconds!) * 1000;
}

/** When the next success is due, while the heartbeat is up; null otherwise. */
export function dueAt(settings: HeartbeatSettings, state: HeartbeatState): Instant | null {
  if (state.status !== 'up' || state.lastSuccessAt === null) return null;
  return dueAfter(settings, state.lastSuccessAt);
}

/** Past this instant an up heartbeat is down and alerts "missed"; null when it cannot miss. */
export function deadlineAt(settings: HeartbeatSettings, state: HeartbeatState): Instant | null {
  const due = dueAt(settings, state);
  return due === null ? null : due + settings.graceSeconds * 1000;
}

/** Past this instant an open run alerts "started but never finished"; null when no run is open. */
export function runDeadlineAt(settings: HeartbeatSettings, state: HeartbeatState): Instant | null {
  if (state.startedAt === null) return null;
  return state.startedAt + (settings.maxRunSeconds ?? settings.graceSeconds) * 1000;
}

/** The earliest instant something can become overdue; the timer is set for it. */
export function heartbeatWakeAt(settings: HeartbeatSettings, state: HeartbeatState): Instant | null {
  const candidates = [deadlineAt(settings, state), runDeadlineAt(settings, state)].filter((t): t is Instant => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/** The status people see at `now` (`late` and an overdue `down` are derived, the timer may not have run yet). */
export function shownHeartbeatStatus(settings: HeartbeatSettings, state: HeartbeatState, now: Instant): HeartbeatStatus {
  if (state.status !== 'up') return state.status;
  const due = dueAt(settings, state);
  if (due === null || now <= due) return 'up';
  return now < due + settings.graceSeconds * 1000 ? 'late' : 'down';
}

const iso = (t: Instant): string => new Date(t).toISOString();

function describeSchedule(settings: HeartbeatSettings): string {
  return settings.cron !== null ? `cron \`${settings.cron}\` (${settings.timeZone})` : `every ${humanSeconds(settings.periodSeconds ?? 0)}`;
}

/** `90` → `1 min 30 s`, `86400` → `1 d`. */
export function humanSeconds(total: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(total));
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

/** Applies one ping received at `now` (rules 3–5). `name` is the heartbeat's name for alert titles. */
export function applyPing(settings: HeartbeatSettings, state: HeartbeatState, ping: Ping, now: Instant, name: string): HeartbeatStep {
  let next: HeartbeatState;
  let alert: HeartbeatAlert = null;
  if (ping.kind === 'start') {
    next = { ...state, lastPingAt: now, lastPingKind: 'start', startedAt: now };
  } else if (ping.kind === 'success') {
    next = { status: 'up', downReason: null, lastPingAt: now, lastPingKind: 'success', lastExitCode: ping.exitCode ?? null, lastSuccessAt: now, startedAt: null };
    // Always sent: an open alert resolves, and with none the event log still records the ping.
    alert = { action: 'resolve' };
  } else {
    const code = ping.exitCode ?? null;
    next = { ...state, status: 'down', downReason: 'failed', lastPingAt: now, lastPingKind: 'fail', lastExitCode: code, startedAt: null };
    const ran = state.startedAt !== null ? ` The run started at ${iso(state.startedAt)} and took ${humanSeconds((now - state.startedAt) / 1000)}.` : '';
    alert = {
      action: 'trigger',
      reason: 'failed',
      title: code === null ? `Heartbeat ${name} failed` : `Heartbeat ${name} failed (exit code ${code})`,
      description: `The job reported a failure at ${iso(now)}${code === null ? '' : ` with exit code ${code}`}.${ran}`,
      severity: settings.severity,
    };
  }
  return { state: next, alert, wakeAt: heartbeatWakeAt(settings, next) };
}

/**
 * What the timer does at `now`: a run past its maximum alerts "started but never finished"; an up
 * heartbeat past its deadline alerts "missed". A timer that wakes early or late for a state that has
 * since changed finds nothing overdue and changes nothing, so stale or repeated timers are harmless.
 */
export function applyWake(settings: HeartbeatSettings, state: HeartbeatState, now: Instant, name: string): HeartbeatStep {
  const run = runDeadlineAt(settings, state);
  if (run !== null && now >= run && state.startedAt !== null) {
    const next: HeartbeatState = { ...state, status: 'down', downReason: 'run-timeout', startedAt: null };
    const max = settings.maxRunSeconds ?? settings.graceSeconds;
    return {
      state: next,
      alert: { action: 'trigger', reason: 'run-timeout', title: `Heartbeat ${name} started but never finished`, description: `A run started at ${iso(state.startedAt)} and sent neither a success nor a failure within ${humanSeconds(max)}.`, severity: settings.severity },
      wakeAt: heartbeatWakeAt(settings, next),
    };
  }
  const deadline = deadlineAt(settings, state);
  if (deadline !== null && now >= deadline) {
    const due = dueAt(settings, state) as Instant;
    const next: HeartbeatState = { ...state, status: 'down', downReason: 'missed' };
    return {
      state: next,
      alert: {
        action: 'trigger',
        reason: 'missed',
        title: `Heartbeat ${name} missed`,
        description: `Expected a ping by ${iso(due)} (${describeSchedule(settings)}, grace ${humanSeconds(settings.graceSeconds)}); the last success was at ${iso(state.lastSuccessAt as Instant)}.`,
        severity: settings.severity,
      },
      wakeAt: heartbeatWakeAt(settings, next),
    };
  }
  return { state, alert: null, wakeAt: heartbeatWakeAt(settings, state) };
}

/** Reads an exit-code path segment: 0 is success, 1–255 failure, anything else null (not an exit code). */
export function pingFromExitCode(segment: string): Ping | null {
  if (!/^\d{1,3}$/.test(segment)) return null;
  const code = Number(segment);
  if (code > 255) return null;
  return code === 0 ? { kind: 'success', exitCode: 0 } : { kind: 'fail', exitCode: code };
}
