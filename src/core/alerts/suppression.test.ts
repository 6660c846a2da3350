import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent, AlertState, Decision, Member } from './alert.js';
import {
  activeOccurrence,
  applySuppression,
  compileMatchers,
  inStorm,
  matcherIssues,
  matchesAll,
  matchingSilence,
  nextOccurrence,
  occurrences,
  rruleIssue,
  silenceState,
  stormTitle,
  type Matcher,
  type MaintenanceSpec,
  type SilenceSpec,
  type SuppressedBy,
} from './suppression.js';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const trigger = (labels: Record<string, string>, extra: Partial<AlertEvent> = {}): AlertEvent =>
  ({ action: 'trigger', dedupKey: 'k', title: 'Disk full', description: '', source: null, severity: 'error', labels, details: null, links: [], images: [], ...extra }) as AlertEvent;

const member = (fingerprint: string, status: Member['status'], labels: Record<string, string>): Member => ({ fingerprint, status, labels, annotations: {}, startsAt: null, endsAt: null, generatorUrl: null });

describe('label matchers (Alertmanager semantics)', () => {
  const cases: Array<[string, Matcher, Record<string, string>, boolean]> = [
    ['= matches an equal value', { name: 'env', op: '=', value: 'prod' }, { env: 'prod' }, true],
    ['= refuses another value', { name: 'env', op: '=', value: 'prod' }, { env: 'production' }, false],
    ['= with an empty value matches a missing label', { name: 'env', op: '=', value: '' }, {}, true],
    ['!= matches another value', { name: 'env', op: '!=', value: 'prod' }, { env: 'dev' }, true],
    ['!= matches a missing label', { name: 'env', op: '!=', value: 'prod' }, {}, true],
    ['!= refuses the value', { name: 'env', op: '!=', value: 'prod' }, { env: 'prod' }, false],
    ['=~ is anchored at both ends', { name: 'host', op: '=~', value: 'db.*' }, { host: 'prod-db-1' }, false],
    ['=~ matches the whole value', { name: 'host', op: '=~', value: 'db-\\d+' }, { host: 'db-12' }, true],
    ['=~ alternation is anchored as a whole', { name: 'env', op: '=~', value: 'prod|staging' }, { env: 'preprod' }, false],
    ['=~ alternation matches either', { name: 'env', op: '=~', value: 'prod|staging' }, { env: 'staging' }, true],
    ['=~ (?i) ignores case', { name: 'env', op: '=~', value: '(?i)PROD' }, { env: 'prod' }, true],
    ['!~ matches what the regex does not', { name: 'env', op: '!~', value: 'dev.*' }, { env: 'prod' }, true],
    ['!~ refuses what it matches', { name: 'env', op: '!~', value: 'dev.*' }, { env: 'dev-1' }, false],
    ['!~ on a missing label tests the empty string', { name: 'env', op: '!~', value: '.+' }, {}, true],
  ];
  it.each(cases)('%s', (_name, matcher, labels, expected) => {
    expect(matchesAll(compileMatchers([matcher]), labels)).toBe(expected);
  });

  it('needs every matcher to match', () => {
    const ms = compileMatchers([{ name: 'env', op: '=', value: 'prod' }, { name: 'alertname', op: '=~', value: 'Disk.*' }]);
    expect(matchesAll(ms, { env: 'prod', alertname: 'DiskFull' })).toBe(true);
    expect(matchesAll(ms, { env: 'prod', alertname: 'CPUHigh' })).toBe(false);
  });

  it('names the field of an invalid regex, a bad label name, and refuses match-everything silences', () => {
    expect(matcherIssues([{ name: 'env', op: '=~', value: '(unclosed' }], 'body.matchers')).toEqual([{ path: 'body.matchers.0.value', message: expect.stringMatching(/not a valid regular expression/) }]);
    expect(matcherIssues([{ name: 'env', op: '=', value: 'x' }, { name: '1bad', op: '=', value: 'x' }], 'body.matchers')[0]?.path).toBe('body.matchers.1.name');
    expect(matcherIssues([{ name: 'env', op: '=~', value: 'a'.repeat(300) }], 'm')[0]).toEqual({ path: 'm.0.value', message: 'must be at most 256 characters' });
    expect(matcherIssues([{ name: 'env', op: '=~', value: '(a)\\1' }], 'm')[0]?.path).toBe('m.0.value');
    expect(matcherIssues([{ name: 'env', op: '=~', value: '.*' }], 'm')).toEqual([{ path: 'm', message: expect.stringMatching(/would match every alert/) }]);
    expect(matcherIssues([], 'm')).toEqual([{ path: 'm', message: 'needs at least one matcher' }]);
    expect(matcherIssues([{ name: 'env', op: '=', value: 'prod' }], 'm')).toEqual([]);
  });

  it('runs a pattern that backtracking engines take exponential time on, in linear time', () => {
    const [m] = compileMatchers([{ name: 'x', op: '=~', value: '(a+)+b' }]);
    const started = performance.now();
    expect(matchesAll([m as NonNullable<typeof m>], { x: `${'a'.repeat(5000)}c` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('silences', () => {
  const silence = (over: Partial<Omit<SilenceSpec, 'matchers'>> & { matchers: Matcher[] }): SilenceSpec => ({ id: 's1', comment: 'noisy', serviceId: null, startsAt: at('2027-01-01T00:00:00Z'), endsAt: at('2027-01-02T00:00:00Z'), ...over, matchers: compileMatchers(over.matchers) });
  const service = { id: 'svc', handle: 'checkout' };
  const noon = at('2027-01-01T12:00:00Z');

  it('matches a trigger by its labels and Firebreak’s __service__, __severity__, __dedup_key__ and __title__', () => {
    const s = silence({ matchers: [{ name: '__service__', op: '=', value: 'checkout' }, { name: '__title__', op: '=~', value: 'Disk.*' }] });
    expect(matchingSilence([s], trigger({}), service, noon)?.id).toBe('s1');
    expect(matchingSilence([s], trigger({}, { title: 'CPU' }), service, noon)).toBeNull();
  });

  it('silences a group only when every firing member is matched (Alertmanager notifies while any alert is not silenced)', () => {
    const db = silence({ id: 'db', matchers: [{ name: 'instance', op: '=~', value: 'db-\\d+' }] });
    const web = silence({ id: 'web', matchers: [{ name: 'instance', op: '=', value: 'web-1' }] });
    const group = (members: Member[]): AlertEvent => ({ action: 'group', dedupKey: 'g', title: 'Group', description: '', source: null, severity: 'error', labels: { alertname: 'Down' }, details: null, links: [], images: [], members });
    const both = group([member('a', 'firing', { instance: 'db-1' }), member('b', 'firing', { instance: 'db-2' })]);
    expect(matchingSilence([db], both, service, noon)?.id).toBe('db');
    const mixed = group([member('a', 'firing', { instance: 'db-1' }), member('b', 'firing', { instance: 'web-1' })]);
    expect(matchingSilence([db], mixed, service, noon)).toBeNull();
    // Two silences together may cover every member; the first member's silence is named.
    expect(matchingSilence([web, db], mixed, service, noon)?.id).toBe('db');
    // A resolved member never counts, either way.
    expect(matchingSilence([db], group([member('a', 'firing', { instance: 'db-1' }), member('b', 'resolved', { instance: 'web-1' })]), service, noon)?.id).toBe('db');
    expect(matchingSilence([db], group([member('a', 'resolved', { instance: 'db-1' })]), service, noon)).toBeNull();
  });

  it('is pending before its start, active until its end, expired from then; a scoped one covers only its service', () => {
    const s = silence({ serviceId: 'svc', matchers: [{ name: 'env', op: '=', value: 'prod' }] });
    expect(silenceState(s, at('2026-12-31T23:59:59Z'))).toBe('pending');
    expect(silenceState(s, noon)).toBe('active');
    expect(silenceState(s, at('2027-01-02T00:00:00Z'))).toBe('expired');
    expect(matchingSilence([s], trigger({ env: 'prod' }), service, at('2027-01-02T00:00:00Z'))).toBeNull();
    expect(matchingSilence([s], trigger({ env: 'prod' }), { id: 'other', handle: 'other' }, noon)).toBeNull();
    expect(matchingSilence([s], { action: 'resolve', dedupKey: 'k' }, service, noon)).toBeNull();
  });
});

describe('maintenance windows', () => {
  const oneOff: MaintenanceSpec = { startsAt: at('2027-03-28T01:00:00Z'), endsAt: at('2027-03-28T03:00:00Z'), endedAt: null, recurrence: null };

  it('a one-off window is active from its start (inclusive) to its end (exclusive), and stops when ended early', () => {
    expect(activeOccurrence(oneOff, at('2027-03-28T00:59:59Z'), DAY)).toBeNull();
    expect(activeOccurrence(oneOff, at('2027-03-28T01:00:00Z'), DAY)).toEqual({ start: at('2027-03-28T01:00:00Z'), end: at('2027-03-28T03:00:00Z') });
    expect(activeOccurrence(oneOff, at('2027-03-28T03:00:00Z'), DAY)).toBeNull();
    const ended = { ...oneOff, endedAt: at('2027-03-28T02:00:00Z') };
    expect(activeOccurrence(ended, at('2027-03-28T01:59:00Z'), DAY)?.end).toBe(at('2027-03-28T02:00:00Z'));
    expect(activeOccurrence(ended, at('2027-03-28T02:00:00Z'), DAY)).toBeNull();
  });

  const berlinSundays: MaintenanceSpec = {
    startsAt: at('2027-03-01T00:00:00Z'),
    endsAt: null,
    endedAt: null,
    recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0;BYSECOND=0', durationMinutes: 120, timeZone: 'Europe/Berlin' },
  };

  it('expands a weekly RRULE at 02:00 Europe/Berlin across the spring-forward gap and the fall-back repeat', () => {
    const starts = occurrences(berlinSundays, at('2027-03-20T00:00:00Z'), at('2027-04-05T00:00:00Z')).map((o) => new Date(o.start).toISOString());
    // 21 March: CET (UTC+1). 28 March: 02:00 does not exist; it moves forward to 03:00 CEST (01:00Z). 4 April: CEST.
    expect(starts).toEqual(['2027-03-21T01:00:00.000Z', '2027-03-28T01:00:00.000Z', '2027-04-04T00:00:00.000Z']);
    const autumn = occurrences(berlinSundays, at('2027-10-24T00:00:00Z'), at('2027-11-01T00:00:00Z')).map((o) => new Date(o.start).toISOString());
    // 31 October: 02:00 happens twice; the first (CEST, 00:00Z) is taken.
    expect(autumn).toEqual(['2027-10-24T00:00:00.000Z', '2027-10-31T00:00:00.000Z']);
  });

  it('keeps each occurrence its elapsed duration across a DST change', () => {
    const fallBack = occurrences(berlinSundays, at('2027-10-30T00:00:00Z'), at('2027-11-01T00:00:00Z'))[0];
    expect(fallBack).toEqual({ start: at('2027-10-31T00:00:00Z'), end: at('2027-10-31T02:00:00Z') });
    expect(activeOccurrence(berlinSundays, at('2027-10-31T01:59:59Z'), DAY)).toEqual(fallBack);
    expect(activeOccurrence(berlinSundays, at('2027-10-31T02:00:00Z'), DAY)).toBeNull();
  });

  it('expands a daily 01:30 America/New_York rule on the day 01:30 happens twice', () => {
    const daily: MaintenanceSpec = { startsAt: at('2027-11-01T05:30:00Z'), endsAt: null, endedAt: null, recurrence: { rrule: 'FREQ=DAILY', durationMinutes: 30, timeZone: 'America/New_York' } };
    const starts = occurrences(daily, at('2027-11-06T00:00:00Z'), at('2027-11-09T00:00:00Z')).map((o) => new Date(o.start).toISOString());
    expect(starts).toEqual(['2027-11-06T05:30:00.000Z', '2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
  });

  it('takes the minutes of its start in the zone when the rule gives none, and stops at endsAt and when ended', () => {
    const spec: MaintenanceSpec = { ...berlinSundays, startsAt: at('2027-05-01T10:15:00Z'), recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2', durationMinutes: 60, timeZone: 'Europe/Berlin' } };
    expect(nextOccurrence(spec, at('2027-05-01T10:15:00Z'), 30 * DAY)?.start).toBe(at('2027-05-02T00:15:00Z'));
    const until = { ...spec, endsAt: at('2027-05-10T00:00:00Z') };
    expect(occurrences(until, at('2027-05-01T00:00:00Z'), at('2027-06-01T00:00:00Z')).map((o) => o.start)).toEqual([at('2027-05-02T00:15:00Z'), at('2027-05-09T00:15:00Z')]);
    const ended = { ...spec, endedAt: at('2027-05-02T00:45:00Z') };
    expect(occurrences(ended, at('2027-05-01T00:00:00Z'), at('2027-06-01T00:00:00Z'))).toEqual([{ start: at('2027-05-02T00:15:00Z'), end: at('2027-05-02T00:45:00Z') }]);
  });

  it('refuses RRULEs with unknown parts, no FREQ or a frequency finer than hourly', () => {
    expect(rruleIssue('FREQ=WEEKLY;BYDAY=SU;BYHOUR=2')).toBeNull();
    expect(rruleIssue('RRULE:FREQ=MONTHLY;BYDAY=1SA')).toBeNull();
    expect(rruleIssue('FREQ=MINUTELY')).toMatch(/HOURLY, DAILY/);
    expect(rruleIssue('BYDAY=SU')).toMatch(/must have FREQ/);
    expect(rruleIssue('FREQ=WEEKLY;FOO=1')).toMatch(/unknown part `FOO=1`/);
    expect(rruleIssue('garbage')).toMatch(/unknown part/);
  });

  it('property: a window is active at an instant exactly when one of its occurrences covers it, in any zone', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    const rules = ['FREQ=DAILY;BYHOUR=2', 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2,3', 'FREQ=HOURLY;INTERVAL=5', 'FREQ=MONTHLY;BYDAY=-1SU;BYHOUR=1;BYMINUTE=30'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.constantFrom(...rules), fc.integer({ min: 15, max: 600 }), fc.integer({ min: 0, max: 400 * 24 * 60 }), (zone, rrule, duration, offsetMinutes) => {
        const spec: MaintenanceSpec = { startsAt: at('2027-01-01T00:00:00Z'), endsAt: null, endedAt: null, recurrence: { rrule, durationMinutes: duration, timeZone: zone } };
        const now = at('2027-01-01T00:00:00Z') + offsetMinutes * MIN;
        const around = occurrences(spec, now - 40 * DAY, now + 40 * DAY);
        const covering = around.filter((o) => o.start <= now && now < o.end);
        expect(activeOccurrence(spec, now, 7 * DAY) !== null).toBe(covering.length > 0);
        for (const o of around) expect(o.end - o.start).toBe(duration * MIN);
        for (let i = 1; i < around.length; i++) expect((around[i] as { start: number }).start).toBeGreaterThan((around[i - 1] as { start: number }).start);
      }),
      { numRuns: 150 },
    );
  });
});

describe('applying suppression to a decision', () => {
  const state = (over: Partial<AlertState> = {}): AlertState => ({
    dedupKey: 'k', title: 't', description: '', source: null, severity: 'error', urgency: 'high', status: 'triggered', eventCount: 1, firstSeenAt: 0, lastSeenAt: 0,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, labels: {}, details: null, links: [], images: [], members: [], ...over,
  });
  const window: SuppressedBy = { kind: 'maintenance', id: 'w1', name: 'DB upgrade', until: at('2027-03-28T03:00:00Z') };
  const created: Decision = { alert: state(), created: true, outcome: 'created', timeline: [], notify: true };

  it('marks a new alert suppressed, notifies nobody and says why on the timeline', () => {
    const d = applySuppression(created, window);
    expect(d.notify).toBe(false);
    expect(d.alert?.suppressedBy).toEqual(window);
    expect(d.timeline.map((e) => e.summary)).toEqual(['Suppressed: maintenance window ‘DB upgrade’']);
    // The same suppression again adds nothing to the timeline.
    expect(applySuppression({ ...created, alert: d.alert, created: false, outcome: 'updated', notify: false }, window).timeline).toEqual([]);
  });

  it('leaves an alert announced before the window unmarked, but lets this event notify nobody', () => {
    const raised: Decision = { alert: state({ eventCount: 2, urgency: 'high' }), created: false, outcome: 'updated', timeline: [], notify: true };
    const d = applySuppression(raised, window);
    expect(d.notify).toBe(false);
    expect(d.alert?.suppressedBy).toBeUndefined();
    expect(d.timeline).toEqual([]);
    // A flapping alert reopened during the window is marked, like a new one.
    const reopened: Decision = { ...raised, timeline: [{ kind: 'event', action: 'reopen', actor: null, summary: 'Reopened: flapping', data: null }] };
    expect(applySuppression(reopened, window).alert?.suppressedBy).toEqual(window);
  });

  it('lifts a maintenance suppression when an event arrives after it, and notifies if the alert is still triggered', () => {
    const d = applySuppression({ alert: state({ suppressedBy: window, eventCount: 2 }), created: false, outcome: 'updated', timeline: [], notify: false }, null);
    expect(d.alert?.suppressedBy).toBeNull();
    expect(d.notify).toBe(true);
    const acked = applySuppression({ alert: state({ suppressedBy: window, status: 'acknowledged' }), created: false, outcome: 'updated', timeline: [], notify: false }, null);
    expect(acked.notify).toBe(false);
  });

  it('never lifts a storm collapse, and leaves decisions without an alert alone', () => {
    const storm: SuppressedBy = { kind: 'storm', id: 'a1', name: 'Alert storm', until: null };
    const d = applySuppression({ alert: state({ suppressedBy: storm }), created: false, outcome: 'updated', timeline: [], notify: false }, null);
    expect(d.alert?.suppressedBy).toEqual(storm);
    const none: Decision = { alert: null, created: false, outcome: 'ignored', timeline: [], notify: false };
    expect(applySuppression(none, window)).toBe(none);
  });
});

describe('storm guard', () => {
  it('collapses past the threshold, through the next minute, and stops after a quiet minute; 0 turns it off', () => {
    expect(inStorm(50, 50, 0)).toBe(false);
    expect(inStorm(50, 51, 0)).toBe(true);
    expect(inStorm(50, 1, 51)).toBe(true);
    expect(inStorm(50, 1, 50)).toBe(false);
    expect(inStorm(0, 10_000, 10_000)).toBe(false);
    expect(stormTitle('Checkout', 1)).toBe('Alert storm on Checkout: 1 alert');
    expect(stormTitle('Checkout', 12)).toBe('Alert storm on Checkout: 12 alerts');
  });
});
