/**
 * Suppression as pure functions (docs/alerts.md, "Maintenance windows, silences, flapping and storms";
 * ADR 0019): when a maintenance window is active, which silences match an event, how a decision changes
 * when it is suppressed, and when a storm collapses new alerts. Nothing here reads the clock or stores
 * anything; `src/server/modules/alerts/suppression.ts` loads the windows and silences and applies these.
 *
 * Suppression never drops an event or an alert: the alert is created or updated as usual, carries
 * `suppressedBy`, and does not ask to notify (`Decision.notify` is false).
 */
import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import type { AlertEvent, AlertState, Decision, Instant, TimelineEntry } from './alert.js';
import { compileLinearRegex, RegexSyntaxError, type LinearRegex } from './linear-regex.js';

/** Why an alert notifies nobody. `until` is when the suppression ends, when known (windows, silences). */
export interface SuppressedBy {
  /** `rule`: a routing rule's `suppress` action (id and name: the rule's name). */
  kind: 'maintenance' | 'silence' | 'storm' | 'rule';
  id: string;
  name: string;
  until: Instant | null;
}

// ---- label matchers (Alertmanager semantics)

export const matcherOps = ['=', '!=', '=~', '!~'] as const;
export type MatcherOp = (typeof matcherOps)[number];

export interface Matcher {
  name: string;
  op: MatcherOp;
  value: string;
}

/** Longest regular expression a matcher may hold. */
export const MAX_MATCHER_REGEX = 256;

/** A matcher ready to test labels: regexes compiled once, anchored like Alertmanager's. */
export interface CompiledMatcher {
  name: string;
  op: MatcherOp;
  value: string;
  regex: LinearRegex | null;
}

/**
 * Alertmanager anchors matcher regexes (`db.*` matches `db-1`, not `prod-db-1`). Compiled with the
 * linear-time engine (`linear-regex.ts`, an RE2 subset like Alertmanager's RE2): patterns come from
 * people but run on every event a sender controls, so none may backtrack exponentially.
 */
function anchored(pattern: string): LinearRegex {
  const ignoreCase = pattern.startsWith('(?i)');
  const body = ignoreCase ? pattern.slice(4) : pattern;
  return compileLinearRegex(`${ignoreCase ? '(?i)' : ''}^(?:${body})$`);
}

/** Why a matcher's regex is refused, or null when it is usable. */
export function regexIssue(pattern: string): string | null {
  if (pattern.length > MAX_MATCHER_REGEX) return `must be at most ${MAX_MATCHER_REGEX} characters`;
  try {
    anchored(pattern);
    return null;
  } catch (error) {
    if (error instanceof RegexSyntaxError) return `is not a valid regular expression: ${error.message}`;
    throw error;
  }
}

/** Label names as Prometheus allows them (plus the `__reserved__` ones Firebreak adds, see `matchableLabels`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Field issues for a list of matchers (path like `body.matchers.0.value`); empty when all are valid. */
export function matcherIssues(matchers: readonly Matcher[], path: string): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if (matchers.length === 0) issues.push({ path, message: 'needs at least one matcher' });
  matchers.forEach((m, i) => {
    if (!LABEL_NAME.test(m.name)) issues.push({ path: `${path}.${i}.name`, message: 'must be a label name (letters, digits and underscores, not starting with a digit)' });
    if (m.op === '=~' || m.op === '!~') {
      const issue = regexIssue(m.value);
      if (issue) issues.push({ path: `${path}.${i}.value`, message: issue });
    }
  });
  // Alertmanager refuses silences that would match every alert, including ones without the label.
  if (issues.length === 0 && matchers.every((m) => compile(m).test(''))) issues.push({ path, message: 'would match every alert: at least one matcher must not match an empty or missing label' });
  return issues;
}

function compile(m: Matcher): CompiledMatcher & { test(value: string): boolean } {
  const compiled: CompiledMatcher = { ...m, regex: m.op === '=~' || m.op === '!~' ? anchored(m.value) : null };
  return { ...compiled, test: (value: string) => testOne(compiled, value) };
}

function testOne(m: CompiledMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return (m.regex as LinearRegex).test(value);
    case '!~':
      return !(m.regex as LinearRegex).test(value);
  }
}

/** Compiles valid matchers (check them with `matcherIssues` first). Regexes are anchored: `db.*` matches `db-1`, not `prod-db-1`. */
export function compileMatchers(matchers: readonly Matcher[]): CompiledMatcher[] {
  return matchers.map((m) => ({ ...m, regex: m.op === '=~' || m.op === '!~' ? anchored(m.value) : null }));
}

/** True when every matcher matches; a missing label reads as the empty string (Alertmanager). */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => testOne(m, Object.hasOwn(labels, m.name) ? (labels[m.name] as string) : ''));
}

/**
 * The label sets silences are tested against: a trigger's labels, or one per firing member of a group
 * (its labels over the group's common labels). Firebreak adds `__service__`,
 * `__severity__`, `__dedup_key__` and `__title__` so events without labels (Events API v2) can be
 * silenced too; the `__` prefix is reserved in Prometheus, so they never collide with a sender's labels.
 */
export function matchableLabels(event: AlertEvent, serviceHandle: string): Array<Record<string, string>> {
  if (event.action !== 'trigger' && event.action !== 'group') return [];
  const base = { ...event.labels, __service__: serviceHandle, __severity__: event.severity, __dedup_key__: event.dedupKey, __title__: event.title };
  if (event.action === 'trigger') return [base];
  return event.members.filter((m) => m.status === 'firing').map((m) => ({ ...base, ...m.labels, __service__: serviceHandle, __dedup_key__: event.dedupKey, __title__: event.title }));
}

// ---- silences

export interface SilenceSpec {
  id: string;
  comment: string;
  serviceId: string | null;
  matchers: readonly CompiledMatcher[];
  startsAt: Instant;
  endsAt: Instant;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: { startsAt: Instant; endsAt: Instant }, now: Instant): SilenceState {
  if (now >= s.endsAt) return 'expired';
  return now < s.startsAt ? 'pending' : 'active';
}

/**
 * The silence that holds this event back, or null. A trigger: the first active silence (in the order
 * given) whose matchers all match its labels. A group: every firing member must be matched by some
 * active silence, as in Alertmanager, where a group notification goes out while any of its alerts is
 * not silenced; the silence of the first firing member is named. A group with no firing member is
 * never silenced (it notifies nobody anyway).
 */
export function matchingSilence(silences: readonly SilenceSpec[], event: AlertEvent, service: { id: string; handle: string }, now: Instant): SilenceSpec | null {
  const candidates = matchableLabels(event, service.handle);
  if (candidates.length === 0) return null;
  const active = silences.filter((s) => silenceState(s, now) === 'active' && (s.serviceId === null || s.serviceId === service.id));
  let first: SilenceSpec | null = null;
  for (const labels of candidates) {
    const found = active.find((s) => matchesAll(s.matchers, labels));
    if (!found) return null;
    first ??= found;
  }
  return first;
}

// ---- maintenance windows

/** How a recurring window repeats: an RFC 5545 RRULE in a time zone, each occurrence lasting `durationMinutes`. */
export interface Recurrence {
  rrule: string;
  durationMinutes: number;
  timeZone: string;
}

export interface MaintenanceSpec {
  /** One-off: when it starts. Recurring: the series' DTSTART (its local time in the zone gives the occurrences' minutes). */
  startsAt: Instant;
  /** One-off: when it ends. Recurring: no occurrence starts at or after it (null: repeats forever). */
  endsAt: Instant | null;
  /** Set when someone ended the window early: nothing of it is active from then on. */
  endedAt: Instant | null;
  recurrence: Recurrence | null;
}

export interface Occurrence {
  start: Instant;
  end: Instant;
}

const RRULE_PARTS = new Set(['FREQ', 'UNTIL', 'COUNT', 'INTERVAL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
/** Maintenance repeats at most hourly: finer rules would be a silence, and cost much to expand. */
const RRULE_FREQS = new Set(['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
/** Expansion (from the series start) stops after this many occurrences: an hourly rule covers 11 years. */
export const MAX_OCCURRENCES_SCANNED = 100_000;

/** Why an RRULE is refused, or null. ical.js ignores unknown parts silently; we name them instead. */
export function rruleIssue(rrule: string): string | null {
  const value = rrule.replace(/^RRULE:/i, '').trim();
  if (value.length === 0 || value.length > 500) return 'must be an RRULE of 1–500 characters such as FREQ=WEEKLY;BYDAY=SU;BYHOUR=2';
  const parts = value.split(';');
  for (const part of parts) {
    const [key, v] = part.split('=');
    if (!key || v === undefined || !RRULE_PARTS.has(key.toUpperCase())) return `has an unknown part \`${part}\` (allowed: ${[...RRULE_PARTS].join(', ')})`;
  }
  const freq = parts.find((p) => p.toUpperCase().startsWith('FREQ='))?.split('=')[1]?.toUpperCase();
  if (!freq || !RRULE_FREQS.has(freq)) return 'must have FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY';
  try {
    ICAL.Recur.fromString(value);
  } catch (error) {
    return `is not a valid RRULE (${(error as Error).message})`;
  }
  return null;
}

/** The wall-clock time of `at` in `zone` as an ical.js floating time (no zone: the rule runs in local time). */
function floatingAt(at: Instant, zone: string): ICAL.Time {
  const local = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);
  return ICAL.Time.fromData({ year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second, isDate: false });
}

/**
 * The local wall-clock time of an occurrence as an instant. DST: a time skipped by a spring-forward gap
 * moves forward by the gap (02:30 → 03:30), and a repeated fall-back time takes its first (earlier)
 * instance, RFC 5545 §3.3.5 and Temporal's `compatible` disambiguation.
 */
function instantOf(t: ICAL.Time, zone: string): Instant {
  return Temporal.PlainDateTime.from({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second })
    .toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
}

/**
 * The window's occurrences that overlap `[from, to)`, in order. A one-off window is one occurrence.
 * The duration is elapsed time (a 2-hour window over a DST change still lasts 2 hours).
 *
 * @example
 *   occurrences({ startsAt, endsAt: null, endedAt: null, recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2', durationMinutes: 120, timeZone: 'Europe/Berlin' } }, from, to)
 */
export function occurrences(spec: MaintenanceSpec, from: Instant, to: Instant): Occurrence[] {
  const stop = spec.endedAt ?? Number.POSITIVE_INFINITY;
  if (!spec.recurrence) {
    const end = Math.min(spec.endsAt ?? spec.startsAt, stop);
    return end > spec.startsAt && spec.startsAt < to && end > from ? [{ start: spec.startsAt, end }] : [];
  }
  const { rrule, durationMinutes, timeZone } = spec.recurrence;
  const durationMs = durationMinutes * 60_000;
  const seriesEnd = Math.min(spec.endsAt ?? Number.POSITIVE_INFINITY, stop);
  const found: Occurrence[] = [];
  const iterator = ICAL.Recur.fromString(rrule.replace(/^RRULE:/i, '').trim()).iterator(floatingAt(spec.startsAt, timeZone));
  for (let scanned = 0; scanned < MAX_OCCURRENCES_SCANNED; scanned++) {
    const next = iterator.next();
    if (!next) break;
    const start = instantOf(next, timeZone);
    // A time in a spring-forward gap moves forward, past local times just after it: instants are not
    // quite in local order, so scan a little past the end, then sort and drop duplicates (02:00 and
    // 03:00 on a gap day are the same instant).
    if (start >= to + DST_SLACK_MS || start >= seriesEnd + DST_SLACK_MS) break;
    if (start < spec.startsAt || start >= to || start >= seriesEnd) continue;
    const end = Math.min(start + durationMs, stop);
    if (end > from && end > start) found.push({ start, end });
  }
  found.sort((a, b) => a.start - b.start);
  return found.filter((o, i) => i === 0 || o.start !== (found[i - 1] as Occurrence).start);
}

/** More than any DST shift (the largest is 2 hours, Antarctica/Troll; most are 1 hour). */
const DST_SLACK_MS = 3 * 60 * 60_000;

/** The occurrence active at `now` (the one ending last, should several overlap), or null. */
export function activeOccurrence(spec: MaintenanceSpec, now: Instant, maxDurationMs: number): Occurrence | null {
  const candidates = occurrences(spec, now - maxDurationMs, now + 1).filter((o) => o.start <= now && now < o.end);
  return candidates.reduce<Occurrence | null>((best, o) => (best === null || o.end > best.end ? o : best), null);
}

/** The next occurrence starting after `now`, within `horizonMs` (for views: "next: Sun 02:00"). */
export function nextOccurrence(spec: MaintenanceSpec, now: Instant, horizonMs: number): Occurrence | null {
  return occurrences(spec, now, now + horizonMs).find((o) => o.start > now) ?? null;
}

// ---- applying suppression to a decision

/**
 * Marks a decision suppressed, or lifts an earlier maintenance/silence suppression once the event
 * arrives outside it. Only new (or reopened) alerts are marked: an alert that was open and announced
 * before the suppression began is left as it is, with this event notifying nobody. Suppressed: the alert carries `suppressedBy` and nobody is notified. Lifted: an
 * alert still triggered that was never announced notifies now ("Suppression ended"), so a problem that
 * outlives its maintenance window still pages. Storm suppression is not lifted here: the storm's
 * summary alert speaks for the collapsed alerts.
 */
export function applySuppression(decision: Decision, suppressedBy: SuppressedBy | null): Decision {
  const alert = decision.alert;
  if (!alert) return decision;
  const before = alert.suppressedBy ?? null;
  if (suppressedBy) {
    // An open alert announced before the suppression began keeps its state (people already know of
    // it, and lifting would announce it twice); only what this event could notify is held back.
    const announced = !decision.created && before === null && !decision.timeline.some((e) => e.action === 'reopen');
    if (announced) return { ...decision, notify: false };
    const timeline: TimelineEntry[] = [...decision.timeline];
    if (before?.kind !== suppressedBy.kind || before.id !== suppressedBy.id) timeline.push({ kind: 'event', action: 'suppress', actor: null, summary: `Suppressed: ${describeSuppression(suppressedBy)}`, data: suppressedBy });
    return { ...decision, alert: { ...alert, suppressedBy }, timeline, notify: false };
  }
  if (before && before.kind !== 'storm' && (decision.outcome === 'updated' || decision.outcome === 'created')) {
    const lifted: AlertState = { ...alert, suppressedBy: null };
    const timeline: TimelineEntry[] = [...decision.timeline, { kind: 'event', action: 'unsuppress', actor: null, summary: `Suppression ended (${describeSuppression(before)}): notifying`, data: before }];
    return { ...decision, alert: lifted, timeline, notify: decision.notify || lifted.status === 'triggered' };
  }
  return decision;
}

/** "maintenance window ‘DB upgrade’", "silence ‘flaky disk check’", "alert storm (see #12)". */
export function describeSuppression(s: SuppressedBy): string {
  if (s.kind === 'maintenance') return `maintenance window ‘${s.name}’`;
  if (s.kind === 'silence') return `silence ‘${s.name}’`;
  if (s.kind === 'rule') return `routing rule ‘${s.name}’`;
  return `collapsed into ‘${s.name}’`;
}

// ---- storm guard

/** The dedup key of a service's storm summary alert (one open per service, by the open-key constraint). */
export const STORM_DEDUP_KEY = 'firebreak:alert-storm';

/**
 * Whether a new alert is collapsed into the storm summary. `count` is the number of new alerts in this
 * minute including this one, `previousCount` that of the minute before. A storm starts past the
 * threshold and lasts until a full minute stays at or under it ("a quiet minute"). 0 turns it off.
 */
export function inStorm(threshold: number, count: number, previousCount: number): boolean {
  if (threshold <= 0) return false;
  return count > threshold || previousCount > threshold;
}

export function stormTitle(serviceName: string, collapsed: number): string {
  return `Alert storm on ${serviceName}: ${collapsed} alert${collapsed === 1 ? '' : 's'}`;
}

/** The trigger that opens or updates the storm summary for one collapsed alert. */
export function stormEvent(serviceName: string, collapsed: { title: string; dedupKey: string; severity: AlertState['severity'] }): AlertEvent {
  return {
    action: 'trigger',
    dedupKey: STORM_DEDUP_KEY,
    title: stormTitle(serviceName, 1),
    description: `More new alerts than the storm threshold arrived within a minute. They are stored and listed, but only this alert notifies; new alerts keep joining it until a quiet minute.`,
    source: 'firebreak',
    severity: collapsed.severity,
    labels: {},
    details: { title: collapsed.title, dedupKey: collapsed.dedupKey },
    links: [],
    images: [],
  };
}
