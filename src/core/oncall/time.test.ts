import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  civilFromDays,
  daysFromCivil,
  fieldsFromWall,
  formatLocal,
  formatLocalRange,
  instantAtWall,
  instantFromIso,
  isSkippedWall,
  isValidTimeZone,
  isoWeekday,
  localDayAt,
  parseClock,
  startOfWallWeek,
  wallAt,
  wallFromFields,
  type Instant,
  type WallTime,
} from './time.js';

const wall = (text: string): WallTime => {
  const p = Temporal.PlainDateTime.from(text);
  return wallFromFields(p);
};
const iso = (t: Instant) => Temporal.Instant.fromEpochMilliseconds(t).toString();
const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];

describe('calendar arithmetic', () => {
  it('counts days exactly as Temporal.PlainDate does, 1900–2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: daysFromCivil(1900, 1, 1), max: daysFromCivil(2200, 1, 1) }), (days) => {
        const expected = Temporal.PlainDate.from('1970-01-01').add({ days });
        const got = civilFromDays(days);
        expect(got).toEqual({ year: expected.year, month: expected.month, day: expected.day });
        expect(daysFromCivil(got.year, got.month, got.day)).toBe(days);
      }),
      { seed: 20260308, numRuns: 300 },
    );
  });

  it('knows ISO weekdays and week starts (1970-01-01 was a Thursday)', () => {
    expect(isoWeekday(wall('1970-01-01T00:00'))).toBe(4);
    expect(isoWeekday(wall('2026-03-08T12:00'))).toBe(7);
    expect(isoWeekday(wall('2026-03-09T00:00'))).toBe(1);
    expect(startOfWallWeek(wall('2026-03-08T23:59'))).toBe(wall('2026-03-02T00:00'));
    expect(startOfWallWeek(wall('2026-03-09T00:00'))).toBe(wall('2026-03-09T00:00'));
    expect(startOfWallWeek(wall('1969-12-31T10:00'))).toBe(wall('1969-12-29T00:00'));
  });

  it('round-trips wall fields including milliseconds', () => {
    expect(fieldsFromWall(wall('2026-10-25T01:30:15.250'))).toEqual({ year: 2026, month: 10, day: 25, hour: 1, minute: 30, second: 15, millisecond: 250 });
  });
});

describe('parseClock', () => {
  it.each([
    ['00:00', false, 0],
    ['09:30', false, 570],
    ['23:59', false, 1439],
    ['24:00', false, null],
    ['24:00', true, 1440],
    ['24:01', true, null],
    ['9:30', false, null],
    ['09:60', false, null],
    ['09-30', false, null],
    ['ab:cd', false, null],
    [930, false, null],
  ] as const)('%s (end of day allowed: %s) is %s', (text, allowEndOfDay, expected) => {
    expect(parseClock(text, allowEndOfDay)).toBe(expected);
  });
});

describe('wall time to instant (rule 6)', () => {
  it.each([
    // zone, wall time, expected instant, skipped
    ['America/New_York', '2026-03-08T01:59', '2026-03-08T06:59:00Z', false],
    ['America/New_York', '2026-03-08T02:00', '2026-03-08T07:00:00Z', true], // 02:00 does not exist → 03:00 EDT
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:30:00Z', true], // → 03:30 EDT
    ['America/New_York', '2026-03-08T03:00', '2026-03-08T07:00:00Z', false],
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00Z', false], // twice: the first (EDT)
    ['America/New_York', '2026-11-01T02:00', '2026-11-01T07:00:00Z', false],
    ['Europe/London', '2026-03-29T01:30', '2026-03-29T01:30:00Z', true], // → 02:30 BST
    ['Europe/London', '2026-03-29T02:00', '2026-03-29T01:00:00Z', false],
    ['Europe/London', '2026-10-25T01:30', '2026-10-25T00:30:00Z', false], // twice: the first (BST)
    ['Europe/London', '2026-10-25T02:00', '2026-10-25T02:00:00Z', false],
    ['Pacific/Chatham', '2026-09-27T03:00', '2026-09-26T14:15:00Z', true], // 02:45 → 03:45 jump
  ] as const)('%s %s is %s', (zone, text, expected, skipped) => {
    expect(iso(instantAtWall(zone, wall(text)))).toBe(expected);
    expect(isSkippedWall(zone, wall(text))).toBe(skipped);
  });

  it('gives the other reading of a repeated time when asked for the later one', () => {
    expect(iso(instantAtWall('America/New_York', wall('2026-11-01T01:30'), 'later'))).toBe('2026-11-01T06:30:00Z');
    expect(iso(instantAtWall('America/New_York', wall('2026-03-08T02:30'), 'earlier'))).toBe('2026-03-08T06:30:00Z');
  });

  it('reads the wall clock at an instant, in any zone, as Temporal does', () => {
    expect(wallAt('America/New_York', instantFromIso('2026-11-01T06:30Z'))).toBe(wall('2026-11-01T01:30'));
    expect(wallAt('Asia/Kolkata', instantFromIso('2026-11-01T06:30Z'))).toBe(wall('2026-11-01T12:00'));
  });

  it('finds the local date of an instant exactly as Temporal does, around midnight and DST', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones, 'America/Santiago'), fc.integer({ min: instantFromIso('2025-01-01T00:00Z'), max: instantFromIso('2028-01-01T00:00Z') }), (zone, t) => {
        const date = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone).toPlainDate();
        expect(localDayAt(zone, t as Instant)).toBe(daysFromCivil(date.year, date.month, date.day));
      }),
      { seed: 7, numRuns: 400 },
    );
    // America/Santiago starts DST at midnight: 2026-09-06 begins at 01:00.
    expect(localDayAt('America/Santiago', instantFromIso('2026-09-06T04:00Z'))).toBe(daysFromCivil(2026, 9, 6));
    expect(localDayAt('America/Santiago', instantFromIso('2026-09-06T03:59Z'))).toBe(daysFromCivil(2026, 9, 5));
  });

  it('knows real zones from made-up ones', () => {
    expect(isValidTimeZone('Pacific/Chatham')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('has the same length of day as Temporal on DST days', () => {
    const length = (zone: string, date: string) => {
      const d = Temporal.PlainDate.from(date);
      const day = daysFromCivil(d.year, d.month, d.day);
      return (instantAtWall(zone, ((day + 1) * DAY_MS) as WallTime) - instantAtWall(zone, (day * DAY_MS) as WallTime)) / 3_600_000;
    };
    expect(length('America/New_York', '2026-03-08')).toBe(23);
    expect(length('America/New_York', '2026-11-01')).toBe(25);
    expect(length('Europe/London', '2026-03-29')).toBe(23);
    expect(length('Europe/London', '2026-10-25')).toBe(25);
    expect(length('Asia/Kolkata', '2026-03-08')).toBe(24);
  });
});

describe('local text', () => {
  it('formats an interval in the zone, with both dates when it spans midnight', () => {
    expect(formatLocalRange('America/New_York', instantFromIso('2027-03-14T07:00Z'), instantFromIso('2027-03-14T08:00Z'))).toBe(
      '2027-03-14 03:00–04:00 America/New_York',
    );
    expect(formatLocalRange('Europe/London', instantFromIso('2026-03-28T22:00Z'), instantFromIso('2026-03-29T06:00Z'))).toBe(
      '2026-03-28 22:00 – 2026-03-29 07:00 Europe/London',
    );
  });

  it('adds the offset when the wall reading happens twice, so the text names one instant', () => {
    expect(formatLocal('America/New_York', instantFromIso('2026-11-01T05:30Z'))).toEqual({ date: '2026-11-01', time: '01:30 (-04:00)' });
    expect(formatLocal('America/New_York', instantFromIso('2026-11-01T06:30Z'))).toEqual({ date: '2026-11-01', time: '01:30 (-05:00)' });
    expect(formatLocal('America/New_York', instantFromIso('2026-11-01T07:30Z'))).toEqual({ date: '2026-11-01', time: '02:30' });
  });

  it('shows seconds only when they are not zero', () => {
    expect(formatLocal('UTC', instantFromIso('2026-01-01T10:00:05.5Z')).time).toBe('10:00:05.500');
  });
});
