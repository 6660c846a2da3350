import { describe, expect, it } from 'vitest';
import { lintSchedules } from './lint.js';
import type { Layer, ScheduleDefinition } from './schedule.js';
import { instantFromIso, isoFromInstant } from './time.js';

const at = instantFromIso;
const window = (from: string, to: string) => ({ start: at(from), end: at(to) });
const everyone = { hasVerifiedHighUrgencyMethod: () => true };

function daily(id: string, participants: string[], over: Partial<Layer> = {}): Layer {
  return { id, participants, start: at('2026-03-02T05:00Z'), handoffTime: '00:00', turn: { unit: 'days', count: 1 }, restrictions: [], advance: 'calendar', ...over };
}
const schedule = (name: string | undefined, layers: Layer[], over: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({
  ...(name === undefined ? {} : { name }),
  timeZone: 'America/New_York',
  layers,
  overrides: [],
  ...over,
});
const spans = (intervals: ReadonlyArray<{ start: number; end: number }>) => intervals.map((i) => [isoFromInstant(i.start as never), isoFromInstant(i.end as never)]);

describe('SCHEDULE_GAP', () => {
  // On duty all day except 02:00–03:00 local.
  const nightly = schedule('platform-primary', [daily('main', ['ana', 'ben', 'cho'], { restrictions: [{ kind: 'daily', start: '03:00', end: '02:00' }] })]);

  it('names the schedule and the exact local interval in its zone', () => {
    const lints = lintSchedules({ primary: nightly }, window('2027-03-15T04:00Z', '2027-03-16T04:00Z'), everyone);
    expect(lints).toEqual([
      {
        code: 'SCHEDULE_GAP',
        severity: 'warning',
        schedule: 'primary',
        message: 'Schedule `platform-primary` has no one on call 2027-03-15 02:00–03:00 America/New_York',
        intervals: [{ start: at('2027-03-15T06:00Z'), end: at('2027-03-15T07:00Z') }],
        localIntervals: ['2027-03-15 02:00–03:00 America/New_York'],
      },
    ]);
  });

  it('finds no gap on the night the clocks skip 02:00–03:00 (2027-03-14): that hour does not exist', () => {
    expect(lintSchedules({ primary: nightly }, window('2027-03-14T05:00Z', '2027-03-15T04:00Z'), everyone)).toEqual([]);
  });

  it('names a gap in the repeated hour with its offset, on the night the clocks go back', () => {
    // Off duty 01:00–01:30 local: on 2026-11-01 that is the first 01:00–01:30 (EDT) only.
    const shortGap = schedule('platform-primary', [daily('main', ['ana', 'ben', 'cho'], { restrictions: [{ kind: 'daily', start: '01:30', end: '01:00' }] })]);
    const lints = lintSchedules({ primary: shortGap }, window('2026-11-01T04:00Z', '2026-11-02T05:00Z'), everyone);
    expect(lints[0]?.localIntervals).toEqual(['2026-11-01 01:00 (-04:00)–01:30 (-04:00) America/New_York']);
    expect(spans(lints[0]?.intervals ?? [])).toEqual([['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z']]);
  });

  it('lists up to three gaps and counts the rest', () => {
    const two = lintSchedules({ primary: nightly }, window('2027-03-15T04:00Z', '2027-03-17T04:00Z'), everyone);
    expect(two[0]?.message).toBe('Schedule `platform-primary` has no one on call 2027-03-15 02:00–03:00 and 2027-03-16 02:00–03:00 America/New_York');
    const many = lintSchedules({ primary: nightly }, window('2027-03-15T04:00Z', '2027-03-25T04:00Z'), everyone);
    expect(many[0]?.message).toBe(
      'Schedule `platform-primary` has no one on call 2027-03-15 02:00–03:00, 2027-03-16 02:00–03:00, 2027-03-17 02:00–03:00 America/New_York and 7 more times',
    );
    expect(many[0]?.intervals).toHaveLength(10);
  });

  it('calls a schedule without a name by its role', () => {
    const lints = lintSchedules({ primary: { ...nightly, name: undefined } }, window('2027-03-15T04:00Z', '2027-03-16T04:00Z'), everyone);
    expect(lints[0]?.message).toBe('The primary schedule has no one on call 2027-03-15 02:00–03:00 America/New_York');
  });
});

describe('SAME_PERSON_PRIMARY_AND_SECONDARY', () => {
  it('gives the exact intervals where one person is on both, including through an override', () => {
    const primary = schedule('primary', [daily('p', ['ana', 'ben', 'cho'])]);
    const secondary = schedule('secondary', [daily('s', ['ben', 'cho', 'ana'])], {
      // ana covers 3 hours of ben's secondary day, on a day when ana is primary.
      overrides: [{ id: 'o1', userId: 'ana', start: at('2026-03-02T15:00Z'), end: at('2026-03-02T18:00Z'), replaces: 'ben' }],
    });
    const lints = lintSchedules({ primary, secondary }, window('2026-03-02T05:00Z', '2026-03-09T05:00Z'), everyone);
    expect(lints).toEqual([
      {
        code: 'SAME_PERSON_PRIMARY_AND_SECONDARY',
        severity: 'warning',
        schedule: 'primary',
        message: '`ana` is on call in both schedule `primary` and schedule `secondary` 2026-03-02 10:00–13:00 America/New_York, so escalating to the secondary pages the same person',
        intervals: [{ start: at('2026-03-02T15:00Z'), end: at('2026-03-02T18:00Z') }],
        localIntervals: ['2026-03-02 10:00–13:00 America/New_York'],
        userId: 'ana',
      },
    ]);
  });
});

describe('NO_VERIFIED_CONTACT_METHOD', () => {
  it('names each person who may be paged but cannot be reached: participants of active layers and people with overrides in the window', () => {
    const primary = schedule('primary', [daily('old', ['zed', 'ana', 'ben'], { end: at('2026-03-01T00:00Z'), start: at('2026-02-01T05:00Z') }), daily('main', ['ana', 'ben', 'cho'], { shadows: ['intern'] })], {
      overrides: [
        { id: 'o1', userId: 'dev', start: at('2026-03-03T00:00Z'), end: at('2026-03-03T01:00Z') },
        { id: 'o2', userId: 'eli', start: at('2026-04-03T00:00Z'), end: at('2026-04-03T01:00Z') },
      ],
    });
    const reachable = new Set(['ana', 'cho']);
    const lints = lintSchedules({ primary }, window('2026-03-02T05:00Z', '2026-03-09T05:00Z'), { hasVerifiedHighUrgencyMethod: (id) => reachable.has(id) });
    expect(lints.filter((l) => l.code === 'NO_VERIFIED_CONTACT_METHOD').map((l) => [l.userId, l.message])).toEqual([
      ['ben', '`ben` is on schedule `primary` but has no verified high-urgency contact method, so a page to them cannot be delivered'],
      ['dev', '`dev` is on schedule `primary` but has no verified high-urgency contact method, so a page to them cannot be delivered'],
    ]);
  });
});

describe('ROTATION_TOO_SMALL', () => {
  it('reports layers with fewer than three distinct people, counting a repeated person once', () => {
    const primary = schedule('primary', [daily('pair', ['ana', 'ben', 'ana']), daily('trio', ['ana', 'ben', 'cho'])]);
    const lints = lintSchedules({ primary }, window('2026-03-02T05:00Z', '2026-03-03T05:00Z'), everyone);
    expect(lints).toEqual([
      {
        code: 'ROTATION_TOO_SMALL',
        severity: 'warning',
        schedule: 'primary',
        message: 'Layer `pair` of schedule `primary` rotates between only 2 people (ana, ben); with fewer than 3 each is on call at least half the time',
        intervals: [],
        localIntervals: [],
        layerId: 'pair',
      },
    ]);
  });
});

describe('INVALID_SCHEDULE', () => {
  it('turns every validation issue into an error and skips the other lints for that schedule', () => {
    const primary = schedule('primary', [daily('p', ['ana', 'ben', 'cho'])]);
    const secondary = schedule('secondary', [daily('s', [], { turn: { unit: 'days', count: 0 } })]);
    const lints = lintSchedules({ primary, secondary }, window('2026-03-02T05:00Z', '2026-03-03T05:00Z'), everyone);
    expect(lints.map((l) => [l.code, l.severity, l.schedule, l.path, l.message])).toEqual([
      ['INVALID_SCHEDULE', 'error', 'secondary', 'layers.0.participants', 'Schedule `secondary` is invalid: layers.0.participants must name at least one participant'],
      ['INVALID_SCHEDULE', 'error', 'secondary', 'layers.0.turn.count', 'Schedule `secondary` is invalid: layers.0.turn.count must be a whole number from 1 to 10000, got 0'],
    ]);
  });
});
