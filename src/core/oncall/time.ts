/**
 * Instants, wall-clock times and the conversions between them, for the schedule engine.
 *
 * Two kinds of time number are used, and they are branded so they cannot be mixed up:
 *
 * - {@link Instant}: milliseconds since 1970-01-01T00:00Z. A moment, the same everywhere.
 * - {@link WallTime}: a reading of a wall clock in some zone (a Temporal `PlainDateTime`), counted as
 *   milliseconds from the wall reading 1970-01-01T00:00. It has no zone and no offset: adding
 *   `DAY_MS` to a `WallTime` is exactly `PlainDateTime.add({ days: 1 })`, 23- and 25-hour days
 *   included. Calendar arithmetic (next day, next Monday, next 09:00) is done on these numbers.
 *
 * Every conversion between the two goes through Temporal (`toZonedDateTimeISO`,
 * `PlainDateTime.toZonedDateTime` with an explicit `disambiguation`); this file never applies a UTC
 * offset itself. The temporal-polyfill conversions cost 3–9 µs each, so results are memoized per zone
 * in bounded maps. The memo is invisible: the same inputs always give the same outputs, whatever the
 * process's own `TZ`, and nothing here reads the clock.
 */
import { Temporal } from 'temporal-polyfill';

declare const instantBrand: unique symbol;
declare const durationBrand: unique symbol;
declare const wallBrand: unique symbol;

/** Milliseconds since the Unix epoch (UTC). */
export type Instant = number & { readonly [instantBrand]: true };
/** A length of elapsed time in milliseconds. */
export type DurationMs = number & { readonly [durationBrand]: true };
/** A zone-less wall-clock reading as milliseconds from the reading 1970-01-01T00:00 (see file header). */
export type WallTime = number & { readonly [wallBrand]: true };

export const MINUTE_MS = 60_000 as DurationMs;
export const HOUR_MS = 3_600_000 as DurationMs;
export const DAY_MS = 86_400_000 as DurationMs;
export const WEEK_MS = 604_800_000 as DurationMs;

/** The earliest and latest instants the engine accepts (1900-01-01 and 2200-01-01, UTC). */
export const MIN_INSTANT = -2_208_988_800_000 as Instant;
export const MAX_INSTANT = 7_258_118_400_000 as Instant;

/** Brands a number of epoch milliseconds as an {@link Instant}. Throws on fractions, NaN and infinities. */
export function instant(ms: number): Instant {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`An instant must be a whole number of milliseconds, got ${ms}`);
  return ms as Instant;
}

/** Brands a number of milliseconds as a {@link DurationMs}. */
export function durationMs(ms: number): DurationMs {
  return ms as DurationMs;
}

/**
 * Parses an ISO 8601 instant with an offset or `Z`, e.g. `instantFromIso('2026-03-08T07:00Z')`.
 */
export function instantFromIso(iso: string): Instant {
  return Temporal.Instant.from(iso).epochMilliseconds as Instant;
}

/** `2026-03-08T07:00:00Z`-style text for an instant; for messages and test output. */
export function isoFromInstant(t: Instant): string {
  return Temporal.Instant.fromEpochMilliseconds(t).toString();
}

export function isInstantInRange(ms: unknown): ms is Instant {
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms >= MIN_INSTANT && ms <= MAX_INSTANT;
}

// ---------------------------------------------------------------------------------------------
// Proleptic Gregorian day numbers (Howard Hinnant's days_from_civil / civil_from_days). This is
// calendar arithmetic on dates, not zone arithmetic: it is what `PlainDate` does internally, done on
// plain numbers because the engine needs it millions of times. Tested against Temporal.

/** Days from 1970-01-01 to the given ISO date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The ISO date `days` days after 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Wall fields of a {@link WallTime}. */
export interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

export function wallFromFields(f: WallFields): WallTime {
  return (daysFromCivil(f.year, f.month, f.day) * DAY_MS + f.hour * HOUR_MS + f.minute * MINUTE_MS + f.second * 1000 + f.millisecond) as WallTime;
}

export function fieldsFromWall(w: WallTime): WallFields {
  const days = Math.floor(w / DAY_MS);
  let rest = w - days * DAY_MS;
  const hour = Math.floor(rest / HOUR_MS);
  rest -= hour * HOUR_MS;
  const minute = Math.floor(rest / MINUTE_MS);
  rest -= minute * MINUTE_MS;
  const second = Math.floor(rest / 1000);
  const date = civilFromDays(days);
  return { year: date.year, month: date.month, day: date.day, hour, minute, second, millisecond: rest - second * 1000 };
}

/** The start (00:00) of the wall date containing `w`. */
export function startOfWallDay(w: WallTime): WallTime {
  return (Math.floor(w / DAY_MS) * DAY_MS) as WallTime;
}

/** The Monday 00:00 that starts the ISO week containing `w` (1970-01-01, day 0, was a Thursday). */
export function startOfWallWeek(w: WallTime): WallTime {
  const day = Math.floor(w / DAY_MS);
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return ((day - sinceMonday) * DAY_MS) as WallTime;
}

/** ISO weekday of a wall time: Monday 1 … Sunday 7. */
export function isoWeekday(w: WallTime): number {
  const day = Math.floor(w / DAY_MS);
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

// ---------------------------------------------------------------------------------------------
// Zone conversions (Temporal), memoized.

/** How a wall time that does not exist or exists twice in a zone becomes one instant (Temporal's names). */
export type Disambiguation = 'compatible' | 'earlier' | 'later';

interface ZoneMemo {
  wallOf: Map<number, number>;
  compatible: Map<number, number>;
  /** Wall times known to be skipped by a spring-forward jump (true) or not (false). */
  skipped: Map<number, boolean>;
  earlier: Map<number, number>;
  later: Map<number, number>;
  /** Start of each local date (by day number). */
  dayStart: Map<number, number>;
  /** Transition at or before an instant (NaN: none). */
  transition: Map<number, number>;
}

/** Above this many entries a memo map is emptied and refilled: bounded memory in a long-lived server. */
const MEMO_LIMIT = 100_000;
const memos = new Map<string, ZoneMemo>();
const validZones = new Map<string, boolean>();

function memoFor(zone: string): ZoneMemo {
  let memo = memos.get(zone);
  if (memo === undefined) {
    memo = { wallOf: new Map(), compatible: new Map(), skipped: new Map(), earlier: new Map(), later: new Map(), dayStart: new Map(), transition: new Map() };
    memos.set(zone, memo);
  }
  return memo;
}

function remember<V>(map: Map<number, V>, key: number, value: V): V {
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** Forgets every memoized conversion (see `clearScheduleMemo`). */
export function clearZoneMemo(): void {
  memos.clear();
  validZones.clear();
}

/** True when Temporal knows the IANA zone name (or an offset name such as `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  const known = validZones.get(zone);
  if (known !== undefined) return known;
  let ok = typeof zone === 'string' && zone.length > 0;
  if (ok) {
    try {
      Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    } catch {
      ok = false;
    }
  }
  if (validZones.size >= MEMO_LIMIT) validZones.clear();
  validZones.set(zone, ok);
  return ok;
}

/** The wall-clock reading in `zone` at instant `t`. */
export function wallAt(zone: string, t: Instant): WallTime {
  const memo = memoFor(zone);
  const hit = memo.wallOf.get(t);
  if (hit !== undefined) return hit as WallTime;
  const p = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone).toPlainDateTime();
  return remember(memo.wallOf, t, wallFromFields(p)) as WallTime;
}

function plainDateTime(w: WallTime): Temporal.PlainDateTime {
  const f = fieldsFromWall(w);
  return new Temporal.PlainDateTime(f.year, f.month, f.day, f.hour, f.minute, f.second, f.millisecond);
}

/** Resolves `w` 'compatible' and records whether it was skipped; one Temporal call when it exists once. */
function resolveCompatible(zone: string, memo: ZoneMemo, w: WallTime): number {
  const pdt = plainDateTime(w);
  let t: number;
  let skipped = false;
  try {
    // 'reject' succeeds exactly when the wall time exists once, where every disambiguation agrees.
    t = pdt.toZonedDateTime(zone, { disambiguation: 'reject' }).epochMilliseconds;
  } catch {
    t = pdt.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
    // 'compatible' is 'earlier' for a repeated time and 'later' for a skipped one.
    skipped = t !== pdt.toZonedDateTime(zone, { disambiguation: 'earlier' }).epochMilliseconds;
  }
  remember(memo.skipped, w, skipped);
  return remember(memo.compatible, w, t);
}

/**
 * The instant at which the wall clock in `zone` reads `w`.
 *
 * `'compatible'` (the engine's rule, and RFC 5545's): a reading skipped by a spring-forward jump
 * moves forward by the jump (New York 2026-03-08 02:30 → 03:30 EDT); a reading that happens twice at
 * fall-back means the first one (2026-11-01 01:30 → 01:30 EDT, not EST).
 */
export function instantAtWall(zone: string, w: WallTime, disambiguation: Disambiguation = 'compatible'): Instant {
  const memo = memoFor(zone);
  if (disambiguation === 'compatible') {
    const hit = memo.compatible.get(w);
    return (hit !== undefined ? hit : resolveCompatible(zone, memo, w)) as Instant;
  }
  const map = memo[disambiguation];
  const hit = map.get(w);
  if (hit !== undefined) return hit as Instant;
  return remember(map, w, plainDateTime(w).toZonedDateTime(zone, { disambiguation }).epochMilliseconds) as Instant;
}

/** True when the wall clock in `zone` never reads `w` (it is inside a spring-forward jump). */
export function isSkippedWall(zone: string, w: WallTime): boolean {
  const memo = memoFor(zone);
  let skipped = memo.skipped.get(w);
  if (skipped === undefined) {
    resolveCompatible(zone, memo, w);
    skipped = memo.skipped.get(w) ?? false;
  }
  return skipped;
}

/** The first instant of local date `day` (days since 1970-01-01) in `zone`: Temporal's start of day. */
export function startOfLocalDay(zone: string, day: number): Instant {
  const memo = memoFor(zone);
  const hit = memo.dayStart.get(day);
  if (hit !== undefined) return hit as Instant;
  const d = civilFromDays(day);
  const start = new Temporal.PlainDate(d.year, d.month, d.day).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  return remember(memo.dayStart, day, start) as Instant;
}

/**
 * The local date (days since 1970-01-01) in `zone` at instant `t`: the day whose start of day is at
 * or before t and whose successor's is after t, exactly as Temporal would say. UTC offsets are within
 * a day, so it is t's UTC date or a neighbour; found with two memoized start-of-day conversions that
 * everything in the zone on that date shares, which is much cheaper than a full instant → wall
 * conversion.
 */
export function localDayAt(zone: string, t: Instant): number {
  let day = Math.floor(t / DAY_MS);
  if (startOfLocalDay(zone, day) > t) day--;
  else if (startOfLocalDay(zone, day + 1) <= t) day++;
  return day;
}

/** The zone transition (clock change) at or before `t`, or null if the zone has none before it. */
export function transitionAtOrBefore(zone: string, t: Instant): Instant | null {
  const memo = memoFor(zone);
  let found = memo.transition.get(t);
  if (found === undefined) {
    const previous = Temporal.Instant.fromEpochMilliseconds(t + 1).toZonedDateTimeISO(zone).getTimeZoneTransition('previous');
    found = remember(memo.transition, t, previous === null ? NaN : previous.epochMilliseconds);
  }
  return Number.isNaN(found) ? null : (found as Instant);
}

// ---------------------------------------------------------------------------------------------
// Clock-of-day text.

/**
 * Minutes after midnight for `'HH:MM'` (24-hour clock, `00:00`–`23:59`; `24:00` only when
 * `allowEndOfDay`). Returns null for anything else. Parsed by hand: it runs for every layer of every
 * schedule asked about.
 */
export function parseClock(text: unknown, allowEndOfDay = false): number | null {
  if (typeof text !== 'string' || text.length !== 5 || text.charCodeAt(2) !== 58 /* : */) return null;
  const h1 = text.charCodeAt(0) - 48;
  const h2 = text.charCodeAt(1) - 48;
  const m1 = text.charCodeAt(3) - 48;
  const m2 = text.charCodeAt(4) - 48;
  if (h1 < 0 || h1 > 2 || h2 < 0 || h2 > 9 || m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9) return null;
  const minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
  if (minutes > 24 * 60 || (minutes === 24 * 60 && !allowEndOfDay)) return null;
  return minutes;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `2026-03-08 03:30` for an instant in a zone. Seconds appear only when not zero. When the wall reading
 * happens twice (the fall-back hour) the offset is added, `2026-11-01 01:30 (-05:00)`, so the text
 * names exactly one instant.
 */
export function formatLocal(zone: string, t: Instant): { date: string; time: string } {
  const w = wallAt(zone, t);
  const f = fieldsFromWall(w);
  let time = `${pad(f.hour)}:${pad(f.minute)}`;
  if (f.second !== 0 || f.millisecond !== 0) time += `:${pad(f.second)}${f.millisecond !== 0 ? `.${pad(f.millisecond, 3)}` : ''}`;
  if (instantAtWall(zone, w, 'earlier') !== instantAtWall(zone, w, 'later')) {
    time += ` (${Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone).offset})`;
  }
  return { date: `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`, time };
}

/**
 * An interval as local text in a zone: `2027-03-14 02:00–03:00 America/New_York`, or with both
 * dates when it spans midnight: `2027-03-14 22:00 – 2027-03-15 06:00 America/New_York`.
 */
export function formatLocalRange(zone: string, start: Instant, end: Instant, withZone = true): string {
  const a = formatLocal(zone, start);
  const b = formatLocal(zone, end);
  const text = a.date === b.date ? `${a.date} ${a.time}–${b.time}` : `${a.date} ${a.time} – ${b.date} ${b.time}`;
  return withZone ? `${text} ${zone}` : text;
}
