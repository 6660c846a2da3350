/**
 * The rotation patterns the on-call issue names, each as its own test with exact instants.
 */
import { describe, expect, it } from 'vitest';
import { finalSchedule, shadowsAt, whoIsOnCall } from './final-schedule.js';
import { lintSchedules } from './lint.js';
import type { Layer, ScheduleDefinition } from './schedule.js';
import { DAY_MS, instantFromIso, isoFromInstant, type Instant } from './time.js';

const at = instantFromIso;
const verified = { hasVerifiedHighUrgencyMethod: () => true };
const rows = (def: ScheduleDefinition, from: string, to: string) =>
  finalSchedule(def, { start: at(from), end: at(to) }).entries.map((e) => [isoFromInstant(e.start), isoFromInstant(e.end), e.userId]);
const days = (from: string, n: number) => ({ start: at(from), end: (at(from) + n * DAY_MS) as Instant });

function weekly(id: string, participants: string[], start: string, over: Partial<Layer> = {}): Layer {
  return { id, participants, start: at(start), handoffTime: '09:00', turn: { unit: 'weeks', count: 1 }, restrictions: [], advance: 'calendar', ...over };
}

describe('weekly rotation with a secondary offset by one person', () => {
  // Monday 09:00 New York handoffs from 2026-03-02, across the 2026-03-08 DST change.
  const primary: ScheduleDefinition = { name: 'platform-primary', timeZone: 'America/New_York', layers: [weekly('primary', ['ana', 'ben', 'cho'], '2026-03-02T14:00Z')], overrides: [] };
  const secondary: ScheduleDefinition = { name: 'platform-secondary', timeZone: 'America/New_York', layers: [weekly('secondary', ['ben', 'cho', 'ana'], '2026-03-02T14:00Z')], overrides: [] };

  it('puts next week’s primary on secondary, handing off together on Mondays at 09:00 local', () => {
    expect(rows(primary, '2026-03-02T14:00Z', '2026-03-23T13:00Z')).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-09T13:00:00Z', 'ana'],
      ['2026-03-09T13:00:00Z', '2026-03-16T13:00:00Z', 'ben'],
      ['2026-03-16T13:00:00Z', '2026-03-23T13:00:00Z', 'cho'],
    ]);
    expect(rows(secondary, '2026-03-02T14:00Z', '2026-03-23T13:00Z')).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-09T13:00:00Z', 'ben'],
      ['2026-03-09T13:00:00Z', '2026-03-16T13:00:00Z', 'cho'],
      ['2026-03-16T13:00:00Z', '2026-03-23T13:00:00Z', 'ana'],
    ]);
  });

  it('never has the same person on both over the next 90 days, and nobody missing', () => {
    expect(lintSchedules({ primary, secondary }, days('2026-03-02T14:00Z', 90), verified)).toEqual([]);
  });
});

describe('three-four split', () => {
  // Four people in two pairs. Each week one pair is on: one person primary Mon–Thu and secondary
  // Fri–Sun, the other the reverse. Both change on Monday at 09:00 London time, when the next pair
  // takes over. One layer per part of the week in each schedule; weekly turns anchored on a Monday.
  const monThu = { kind: 'weekly', startDay: 1, start: '09:00', endDay: 5, end: '09:00' } as const;
  const friSun = { kind: 'weekly', startDay: 5, start: '09:00', endDay: 1, end: '09:00' } as const;
  const split = (name: string, monThuPeople: string[], friSunPeople: string[]): ScheduleDefinition => ({
    name,
    timeZone: 'Europe/London',
    layers: [
      weekly('mon-thu', monThuPeople, '2026-03-23T09:00Z', { restrictions: [monThu] }),
      weekly('fri-sun', friSunPeople, '2026-03-23T09:00Z', { restrictions: [friSun] }),
    ],
    overrides: [],
  });
  const primary = split('primary', ['ana', 'cho'], ['ben', 'dev']);
  const secondary = split('secondary', ['ben', 'dev'], ['ana', 'cho']);

  it('swaps primary and secondary on Friday and changes both on Monday, across the UK DST change', () => {
    expect(rows(primary, '2026-03-23T09:00Z', '2026-04-06T08:00Z')).toEqual([
      ['2026-03-23T09:00:00Z', '2026-03-27T09:00:00Z', 'ana'], // Mon–Thu
      ['2026-03-27T09:00:00Z', '2026-03-30T08:00:00Z', 'ben'], // Fri–Sun (clocks change on Sunday)
      ['2026-03-30T08:00:00Z', '2026-04-03T08:00:00Z', 'cho'],
      ['2026-04-03T08:00:00Z', '2026-04-06T08:00:00Z', 'dev'],
    ]);
    expect(rows(secondary, '2026-03-23T09:00Z', '2026-04-06T08:00Z')).toEqual([
      ['2026-03-23T09:00:00Z', '2026-03-27T09:00:00Z', 'ben'],
      ['2026-03-27T09:00:00Z', '2026-03-30T08:00:00Z', 'ana'],
      ['2026-03-30T08:00:00Z', '2026-04-03T08:00:00Z', 'dev'],
      ['2026-04-03T08:00:00Z', '2026-04-06T08:00:00Z', 'cho'],
    ]);
  });

  it('has no gaps and never the same person on both over the next 90 days (only its small rotations are reported)', () => {
    const lints = lintSchedules({ primary, secondary }, days('2026-03-23T09:00Z', 90), verified);
    expect(lints.map((l) => [l.code, l.schedule, l.layerId])).toEqual([
      ['ROTATION_TOO_SMALL', 'primary', 'mon-thu'],
      ['ROTATION_TOO_SMALL', 'primary', 'fri-sun'],
      ['ROTATION_TOO_SMALL', 'secondary', 'mon-thu'],
      ['ROTATION_TOO_SMALL', 'secondary', 'fri-sun'],
    ]);
  });
});

describe('follow-the-sun across two sites, each in its own zone', () => {
  // London covers 07:00–19:00 London time, Los Angeles 11:00–23:00 Los Angeles time. That tiles the
  // day in winter (07–19Z, 19–07Z) and in summer (06–18Z, 18–06Z), but not in the weeks when only
  // one of the two countries is on summer time.
  const site = (id: string, zone: string, participants: string[], from: string, to: string, start: string): Layer =>
    weekly(id, participants, start, { timeZone: zone, handoffTime: from, restrictions: [{ kind: 'daily', start: from, end: to }] });
  const def: ScheduleDefinition = {
    name: 'follow-the-sun',
    timeZone: 'Europe/London',
    layers: [site('london', 'Europe/London', ['ana', 'ben', 'cho'], '07:00', '19:00', '2026-01-05T07:00Z'), site('los-angeles', 'America/Los_Angeles', ['dev', 'eli', 'fay'], '11:00', '23:00', '2026-01-05T19:00Z')],
    overrides: [],
  };

  it.each([
    ['winter', '2026-02-10', [['2026-02-10T00:00:00Z', '2026-02-10T07:00:00Z', 'fay'], ['2026-02-10T07:00:00Z', '2026-02-10T19:00:00Z', 'cho'], ['2026-02-10T19:00:00Z', '2026-02-11T00:00:00Z', 'fay']]],
    ['summer', '2026-07-14', [['2026-07-14T00:00:00Z', '2026-07-14T06:00:00Z', 'dev'], ['2026-07-14T06:00:00Z', '2026-07-14T18:00:00Z', 'ana'], ['2026-07-14T18:00:00Z', '2026-07-15T00:00:00Z', 'dev']]],
  ] as const)('hands over between the sites with no gap in %s', (_season, date, expected) => {
    expect(rows(def, `${date}T00:00Z`, `${nextDay(date)}T00:00Z`)).toEqual(expected);
  });

  it('reports the exact hour left uncovered each morning while only the US is on summer time', () => {
    const lints = lintSchedules({ primary: def }, { start: at('2026-03-01T00:00Z'), end: at('2026-04-01T00:00Z') }, verified).filter((l) => l.code === 'SCHEDULE_GAP');
    expect(lints).toHaveLength(1);
    const gap = lints[0];
    expect(gap?.intervals).toHaveLength(20);
    expect(gap?.localIntervals[0]).toBe('2026-03-09 06:00–07:00 Europe/London');
    expect(gap?.localIntervals[19]).toBe('2026-03-28 06:00–07:00 Europe/London');
    expect(gap?.message).toBe(
      'Schedule `follow-the-sun` has no one on call 2026-03-09 06:00–07:00, 2026-03-10 06:00–07:00, 2026-03-11 06:00–07:00 Europe/London and 17 more times',
    );
  });

  it('gives the overlapping hour in those weeks to the later layer (Los Angeles)', () => {
    expect(whoIsOnCall(def, at('2026-03-10T18:30Z'))?.source).toEqual({ kind: 'layer', layerId: 'los-angeles' });
  });

  it('reports the same hour in the autumn, from the UK change to the US change', () => {
    const gap = lintSchedules({ primary: def }, { start: at('2026-10-01T00:00Z'), end: at('2026-11-15T00:00Z') }, verified).find((l) => l.code === 'SCHEDULE_GAP');
    expect(gap?.localIntervals).toEqual([
      '2026-10-25 06:00–07:00 Europe/London',
      '2026-10-26 06:00–07:00 Europe/London',
      '2026-10-27 06:00–07:00 Europe/London',
      '2026-10-28 06:00–07:00 Europe/London',
      '2026-10-29 06:00–07:00 Europe/London',
      '2026-10-30 06:00–07:00 Europe/London',
      '2026-10-31 06:00–07:00 Europe/London',
      '2026-11-01 06:00–07:00 Europe/London',
    ]);
  });
});

describe('follow-the-sun across three sites, in UTC', () => {
  // Bengaluru 08:00–16:00 IST, London and Los Angeles after it, each eight hours, defined in UTC so
  // the handoffs never move (London and Los Angeles see them an hour later on the wall in summer).
  const site = (id: string, participants: string[], from: string, to: string): Layer =>
    weekly(id, participants, '2026-01-05T00:00Z', { handoffTime: from, restrictions: [{ kind: 'daily', start: from, end: to }] });
  const def: ScheduleDefinition = {
    name: 'global',
    timeZone: 'UTC',
    layers: [site('bengaluru', ['ana', 'ben', 'cho'], '02:30', '10:30'), site('london', ['dev', 'eli', 'fay'], '10:30', '18:30'), site('los-angeles', ['gus', 'hal', 'ivy'], '18:30', '02:30')],
    overrides: [],
  };

  it('covers every day in three eight-hour shifts, each site handing over to its next person weekly', () => {
    // Monday 2026-03-09 is week 9 (ana, dev, gus); until 02:30 Los Angeles is still in week 8 (ivy).
    expect(rows(def, '2026-03-09T00:00Z', '2026-03-10T00:00Z')).toEqual([
      ['2026-03-09T00:00:00Z', '2026-03-09T02:30:00Z', 'ivy'],
      ['2026-03-09T02:30:00Z', '2026-03-09T10:30:00Z', 'ana'],
      ['2026-03-09T10:30:00Z', '2026-03-09T18:30:00Z', 'dev'],
      ['2026-03-09T18:30:00Z', '2026-03-10T00:00:00Z', 'gus'],
    ]);
  });

  it('has no gap and no overlap between sites through both DST seasons', () => {
    for (const from of ['2026-03-01T00:00Z', '2026-09-20T00:00Z']) {
      const drawn = finalSchedule(def, days(from, 90));
      expect(drawn.gaps).toEqual([]);
      const sites = drawn.layers.map((l) => l.entries.reduce((sum, e) => sum + e.end - e.start, 0));
      expect(sites.reduce((a, b) => a + b, 0)).toBe(90 * DAY_MS); // the sites' own shifts add up exactly
    }
  });
});

describe('a new person added to the secondary rotation only', () => {
  // dev joins the secondary from Monday 2026-04-06: the old secondary layer ends there and a new one
  // starts, so the past is untouched and the primary is not changed at all.
  const primary: ScheduleDefinition = { name: 'platform-primary', timeZone: 'America/New_York', layers: [weekly('primary', ['ana', 'ben', 'cho'], '2026-03-02T14:00Z')], overrides: [] };
  const before: ScheduleDefinition = { name: 'platform-secondary', timeZone: 'America/New_York', layers: [weekly('secondary', ['ben', 'cho', 'ana'], '2026-03-02T14:00Z')], overrides: [] };
  const after: ScheduleDefinition = {
    ...before,
    layers: [
      weekly('secondary', ['ben', 'cho', 'ana'], '2026-03-02T14:00Z', { end: at('2026-04-06T13:00Z') }),
      weekly('secondary-with-dev', ['ana', 'dev', 'ben', 'cho'], '2026-04-06T13:00Z'),
    ],
  };

  it('keeps the secondary’s history and adds dev from the change on', () => {
    expect(rows(after, '2026-03-02T14:00Z', '2026-04-06T13:00Z')).toEqual(rows(before, '2026-03-02T14:00Z', '2026-04-06T13:00Z'));
    expect(rows(after, '2026-04-06T13:00Z', '2026-04-27T13:00Z')).toEqual([
      ['2026-04-06T13:00:00Z', '2026-04-13T13:00:00Z', 'ana'],
      ['2026-04-13T13:00:00Z', '2026-04-20T13:00:00Z', 'dev'],
      ['2026-04-20T13:00:00Z', '2026-04-27T13:00:00Z', 'ben'],
    ]);
  });

  it('never puts dev on the primary', () => {
    expect(rows(primary, '2026-03-02T14:00Z', '2026-12-28T14:00Z').some(([, , user]) => user === 'dev')).toBe(false);
  });

  it('shows, with exact intervals, the weeks where the three- and four-person cycles now put one person on both', () => {
    const clashes = lintSchedules({ primary, secondary: after }, days('2026-04-06T13:00Z', 90), verified).filter((l) => l.code === 'SAME_PERSON_PRIMARY_AND_SECONDARY');
    expect(clashes.map((l) => [l.userId, l.intervals.map((i) => [isoFromInstant(i.start), isoFromInstant(i.end)])])).toEqual([
      ['ben', [['2026-04-20T13:00:00Z', '2026-04-27T13:00:00Z']]],
      ['cho', [['2026-04-27T13:00:00Z', '2026-05-04T13:00:00Z']]],
      ['ana', [['2026-05-04T13:00:00Z', '2026-05-11T13:00:00Z']]],
    ]);
    expect(clashes[0]?.message).toBe(
      '`ben` is on call in both schedule `platform-primary` and schedule `platform-secondary` 2026-04-20 09:00 – 2026-04-27 09:00 America/New_York, so escalating to the secondary pages the same person',
    );
  });
});

describe('shadow participants', () => {
  // A new hire shadows the primary rotation: copies of every page, never responsible.
  const def: ScheduleDefinition = {
    timeZone: 'America/New_York',
    layers: [weekly('primary', ['ana', 'ben', 'cho'], '2026-03-02T14:00Z', { shadows: ['new-hire'] })],
    overrides: [{ id: 'cover', userId: 'dev', start: at('2026-03-04T00:00Z'), end: at('2026-03-05T00:00Z'), replaces: 'ana' }],
  };

  it('receive copies of pages while the layer is on duty, even during an override, but are never on call', () => {
    for (const t of ['2026-03-03T12:00Z', '2026-03-04T12:00Z', '2026-03-10T12:00Z']) {
      expect(shadowsAt(def, at(t))).toEqual(['new-hire']);
      expect(whoIsOnCall(def, at(t))?.userId).not.toBe('new-hire');
    }
    const drawn = finalSchedule(def, days('2026-03-02T14:00Z', 21));
    expect(drawn.entries.map((e) => e.userId)).not.toContain('new-hire');
    expect(drawn.shadows.map((s) => [isoFromInstant(s.start), isoFromInstant(s.end), s.userId])).toEqual([['2026-03-02T14:00:00Z', '2026-03-23T14:00:00Z', 'new-hire']]);
  });

  it('receive nothing before the rotation starts', () => {
    expect(shadowsAt(def, at('2026-03-01T12:00Z'))).toEqual([]);
  });
});

function nextDay(date: string): string {
  return isoFromInstant((at(`${date}T00:00Z`) + DAY_MS) as Instant).slice(0, 10);
}
