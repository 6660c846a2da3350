/**
 * On-call hours split into the categories the hours report shows, in one person's own time zone.
 *
 * RULES
 *
 * 1. Every instant counts once, in exactly one category; the categories add up to the total.
 * 2. Days are local dates in `zone` (23- and 25-hour days at DST changes count as they are).
 * 3. A configured holiday (a local date `YYYY-MM-DD`) counts entirely as `holiday`, whatever weekday it
 *    falls on.
 * 4. Saturday and Sunday count as `weekend`.
 * 5. Monday to Friday, `[09:00, 17:00)` local counts as `weekdayBusiness` and the rest of the day as
 *    `weekdayOff`. The business edges are wall times resolved with the engine's 'compatible' rule.
 */
import { Temporal } from 'temporal-polyfill';
import { mergeIntervals, type Interval } from './ranges.js';
import type { DurationMs } from './time.js';

export interface HoursSplit {
  total: DurationMs;
  weekdayBusiness: DurationMs;
  weekdayOff: DurationMs;
  weekend: DurationMs;
  holiday: DurationMs;
}

/** Business hours of a weekday, local wall time. */
export const BUSINESS_HOURS = Object.freeze({ start: { hour: 9, minute: 0 }, end: { hour: 17, minute: 0 } });

const overlap = (a: number, b: number, c: number, d: number) => Math.max(0, Math.min(b, d) - Math.max(a, c));

/**
 * Splits the time covered by `intervals` (merged first, so overlaps count once) by local day in `zone`.
 *
 * @example
 * splitOnCallHours([interval(friday18h, monday10h)], 'Europe/Lisbon', new Set())
 * // → { weekdayOff: 6 h + 9 h, weekend: 48 h, weekdayBusiness: 1 h, holiday: 0, total: 64 h } (in ms)
 */
export function splitOnCallHours(intervals: readonly Interval[], zone: string, holidays: ReadonlySet<string>): HoursSplit {
  let weekdayBusiness = 0;
  let weekdayOff = 0;
  let weekend = 0;
  let holiday = 0;
  for (const { start, end } of mergeIntervals(intervals)) {
    let date = Temporal.Instant.fromEpochMilliseconds(start).toZonedDateTimeISO(zone).toPlainDate();
    let dayStart = date.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
    while (dayStart < end) {
      const next = date.add({ days: 1 });
      const nextStart = next.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
      const pieceStart = Math.max(start, dayStart);
      const pieceEnd = Math.min(end, nextStart);
      const length = Math.max(0, pieceEnd - pieceStart);
      if (length > 0) {
        if (holidays.has(date.toString())) holiday += length;
        else if (date.dayOfWeek >= 6) weekend += length;
        else {
          const open = date.toPlainDateTime(BUSINESS_HOURS.start).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
          const close = date.toPlainDateTime(BUSINESS_HOURS.end).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
          const business = overlap(pieceStart, pieceEnd, open, close);
          weekdayBusiness += business;
          weekdayOff += length - business;
        }
      }
      date = next;
      dayStart = nextStart;
    }
  }
  return {
    total: (weekdayBusiness + weekdayOff + weekend + holiday) as DurationMs,
    weekdayBusiness: weekdayBusiness as DurationMs,
    weekdayOff: weekdayOff as DurationMs,
    weekend: weekend as DurationMs,
    holiday: holiday as DurationMs,
  };
}
