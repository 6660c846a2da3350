import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitOnCallHours } from './hours.js';
import { interval } from './ranges.js';
import { HOUR_MS, instantFromIso } from './time.js';

const at = instantFromIso;
const hours = (split: ReturnType<typeof splitOnCallHours>) => ({
  total: split.total / HOUR_MS,
  weekdayBusiness: split.weekdayBusiness / HOUR_MS,
  weekdayOff: split.weekdayOff / HOUR_MS,
  weekend: split.weekend / HOUR_MS,
  holiday: split.holiday / HOUR_MS,
});

describe('splitting on-call hours by local day (rules 1–5)', () => {
  it('splits a weekday into business hours and off-hours in the person’s own zone', () => {
    // Wed 2026-03-04 in New York (EST, UTC−5): 06:00–20:00 local.
    const split = splitOnCallHours([interval(at('2026-03-04T11:00Z'), at('2026-03-05T01:00Z'))], 'America/New_York', new Set());
    expect(hours(split)).toEqual({ total: 14, weekdayBusiness: 8, weekdayOff: 6, weekend: 0, holiday: 0 });
  });

  it('counts Saturday and Sunday as weekend from local midnight to local midnight', () => {
    // Fri 18:00 → Mon 10:00 in Lisbon (WET = UTC in March before the 29th).
    const split = splitOnCallHours([interval(at('2026-03-06T18:00Z'), at('2026-03-09T10:00Z'))], 'Europe/Lisbon', new Set());
    expect(hours(split)).toEqual({ total: 64, weekdayBusiness: 1, weekdayOff: 6 + 9, weekend: 48, holiday: 0 });
  });

  it('counts a configured holiday whole, even on a weekday, before business hours', () => {
    const split = splitOnCallHours([interval(at('2026-12-24T00:00Z'), at('2026-12-26T00:00Z'))], 'UTC', new Set(['2026-12-25']));
    expect(hours(split)).toEqual({ total: 48, weekdayBusiness: 8, weekdayOff: 16, weekend: 0, holiday: 24 });
  });

  it('takes holidays as local dates: the same instant may be a holiday in one zone and not another', () => {
    const window = [interval(at('2026-12-25T00:00Z'), at('2026-12-25T06:00Z'))];
    expect(hours(splitOnCallHours(window, 'UTC', new Set(['2026-12-25']))).holiday).toBe(6);
    // In Los Angeles those hours are the evening of the 24th.
    expect(hours(splitOnCallHours(window, 'America/Los_Angeles', new Set(['2026-12-25']))).holiday).toBe(0);
  });

  it('counts a 23-hour day at spring-forward as 23 hours', () => {
    // Sunday 2026-03-08 is 23 hours long in New York; Monday business hours follow EDT.
    const split = splitOnCallHours([interval(at('2026-03-08T05:00Z'), at('2026-03-09T04:00Z'))], 'America/New_York', new Set());
    expect(hours(split)).toEqual({ total: 23, weekdayBusiness: 0, weekdayOff: 0, weekend: 23, holiday: 0 });
  });

  it('counts overlapping intervals once', () => {
    const split = splitOnCallHours([interval(at('2026-03-04T09:00Z'), at('2026-03-04T13:00Z')), interval(at('2026-03-04T11:00Z'), at('2026-03-04T15:00Z'))], 'UTC', new Set());
    expect(hours(split)).toEqual({ total: 6, weekdayBusiness: 6, weekdayOff: 0, weekend: 0, holiday: 0 });
  });

  it('always adds the categories up to the merged length of the intervals (property)', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 * 24 * 400 }), fc.integer({ min: 1, max: 60 * 24 * 20 })), { maxLength: 6 }),
        (zone, raw) => {
          const base = at('2026-01-01T00:00Z');
          const list = raw.map(([offset, length]) => interval(base + offset * 60_000, base + (offset + length) * 60_000));
          const split = splitOnCallHours(list, zone, new Set(['2026-03-08', '2026-12-25']));
          const merged = list.length === 0 ? 0 : splitOnCallHours(list, 'UTC', new Set()).total;
          expect(split.weekdayBusiness + split.weekdayOff + split.weekend + split.holiday).toBe(split.total);
          expect(split.total).toBe(merged);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
