/**
 * Calendar questions in a chosen IANA zone for the on-call pages: where a day, week or month starts,
 * what instant a wall time typed into a form means. They go through Temporal (temporal-polyfill, the
 * library the schedule engine uses); nothing here applies a UTC offset itself, so 23- and 25-hour
 * days, half-hour zones and skipped wall times come out right. Formatting is in zoned-format.ts
 * (re-exported here).
 */
import { Temporal } from 'temporal-polyfill';

export * from './zoned-format.js';

export type Zoom = 'day' | 'week' | 'month';

function zoned(instant: string | number, zone: string): Temporal.ZonedDateTime {
  // Temporal takes whole milliseconds; positions on the timeline give fractions.
  const epoch = Math.round(typeof instant === 'number' ? instant : Date.parse(instant));
  return Temporal.Instant.fromEpochMilliseconds(epoch).toZonedDateTimeISO(zone);
}

/** The local calendar date `YYYY-MM-DD` of an instant in `zone`. */
export function localDate(instant: string | number, zone: string): string {
  return zoned(instant, zone).toPlainDate().toString();
}

/** The value for an `<input type="datetime-local">` showing `instant` on the wall clock of `zone`. */
export function toLocalInput(instant: string | number, zone: string): string {
  return zoned(instant, zone).toPlainDateTime().toString({ smallestUnit: 'minute' });
}

/**
 * The instant a wall time typed in `zone` means, as the API's ISO string. A time skipped by a DST
 * jump moves forward by the jump and a repeated one means the first, as the schedule engine does.
 * Returns null for an empty or unreadable value.
 */
export function fromLocalInput(value: string, zone: string): string | null {
  if (!value) return null;
  try {
    return Temporal.PlainDateTime.from(value).toZonedDateTime(zone, { disambiguation: 'compatible' }).toInstant().toString();
  } catch {
    return null;
  }
}

/** The instant `date` (`YYYY-MM-DD`) at `time` (`HH:MM`) on the wall clock of `zone`. */
export function wallToInstant(date: string, time: string, zone: string): string | null {
  return fromLocalInput(`${date}T${time}`, zone);
}

/** The start of the day that local date `date` begins in `zone`, as epoch milliseconds. */
export function startOfLocalDate(date: string, zone: string): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

/** Midnight (or the day's first instant, where midnight is skipped) of the local day after `zdt`. */
function nextDay(zdt: Temporal.ZonedDateTime): Temporal.ZonedDateTime {
  return zdt.toPlainDate().add({ days: 1 }).toZonedDateTime({ timeZone: zdt.timeZoneId });
}

/** The timeline window of `zoom` that contains `instant`, on the calendar of `zone`. */
export function windowAround(instant: number, zone: string, zoom: Zoom): { from: number; to: number } {
  const date = zoned(instant, zone).toPlainDate();
  const first = zoom === 'day' ? date : zoom === 'week' ? date.subtract({ days: date.dayOfWeek - 1 }) : date.with({ day: 1 });
  return windowFrom(first, zone, zoom);
}

/** The window after (`step` 1) or before (`step` -1) the one starting at `from`. */
export function shiftWindow(from: number, zone: string, zoom: Zoom, step: 1 | -1): { from: number; to: number } {
  const date = zoned(from, zone).toPlainDate();
  const unit = zoom === 'day' ? { days: step } : zoom === 'week' ? { weeks: step } : { months: step };
  return windowFrom(date.add(unit), zone, zoom);
}

function windowFrom(first: Temporal.PlainDate, zone: string, zoom: Zoom): { from: number; to: number } {
  const last = zoom === 'day' ? first.add({ days: 1 }) : zoom === 'week' ? first.add({ weeks: 1 }) : first.add({ months: 1 });
  return { from: first.toZonedDateTime({ timeZone: zone }).epochMilliseconds, to: last.toZonedDateTime({ timeZone: zone }).epochMilliseconds };
}

/** The first instant of every local day that begins inside [from, to), in `zone`: the axis ticks. */
export function dayStarts(from: number, to: number, zone: string): number[] {
  const result: number[] = [];
  let day = zoned(from, zone).toPlainDate().toZonedDateTime({ timeZone: zone });
  if (day.epochMilliseconds < from) day = nextDay(day);
  while (day.epochMilliseconds < to && result.length < 400) {
    result.push(day.epochMilliseconds);
    day = nextDay(day);
  }
  return result;
}

/** Every `everyHours`-th local hour (00:00, 03:00, …) inside [from, to) in `zone`. */
export function hourStarts(from: number, to: number, zone: string, everyHours: number): number[] {
  const result: number[] = [];
  for (const day of [zoned(from, zone).toPlainDate().subtract({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds, ...dayStarts(from, to, zone)]) {
    const date = zoned(day, zone).toPlainDate();
    for (let hour = 0; hour < 24; hour += everyHours) {
      const at = date.toPlainDateTime({ hour }).toZonedDateTime(zone, { disambiguation: 'later' }).epochMilliseconds;
      if (at >= from && at < to && !result.includes(at)) result.push(at);
    }
  }
  return result.sort((a, b) => a - b);
}

/** Rounds an instant to the nearest `minutes` on the wall clock of `zone` (so half-hour zones snap to their own :00). */
export function snapToWall(instant: number, zone: string, minutes: number): number {
  // Temporal takes increments below the unit above: 15 or 30 minutes, or 1, 2, 3 … hours.
  const options = minutes >= 60 ? ({ smallestUnit: 'hour', roundingIncrement: minutes / 60 } as const) : ({ smallestUnit: 'minute', roundingIncrement: minutes } as const);
  return zoned(instant, zone).round({ ...options, roundingMode: 'halfExpand' }).epochMilliseconds;
}

/** ISO week key of a local date, for grouping: the Monday that starts the week, `YYYY-MM-DD`. */
export function weekStartDate(instant: string | number, zone: string): string {
  const date = zoned(instant, zone).toPlainDate();
  return date.subtract({ days: date.dayOfWeek - 1 }).toString();
}

/** `YYYY-MM-DD` of `instant` shifted by whole local days in `zone`. */
export function addLocalDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** `YYYY-MM-DD` of the first of `date`'s month, moved by `months`. */
export function monthStart(date: string, months = 0): string {
  return Temporal.PlainDate.from(date).with({ day: 1 }).add({ months }).toString();
}

/** ISO weekday (1 Monday … 7 Sunday) of an instant on the calendar of `zone`. */
export function localWeekday(instant: number, zone: string): number {
  return zoned(instant, zone).dayOfWeek;
}
