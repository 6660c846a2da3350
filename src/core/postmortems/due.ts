/**
 * Due dates and reminders of required postmortems, and overdue action items (issue 8). Pure: the
 * current time is passed in. Calendar arithmetic goes through Temporal in the given zone (default
 * UTC), so "5 days after resolution" keeps the wall-clock time across a DST change in that zone.
 */
import { Temporal } from 'temporal-polyfill';

const DAY_MS = 86_400_000;

function zoned(ms: number, timeZone: string): Temporal.ZonedDateTime {
  try {
    return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
  } catch (error) {
    if (error instanceof RangeError && !Number.isFinite(ms)) throw new RangeError(`instant must be a finite number of milliseconds, got ${ms}`);
    throw new RangeError(`timeZone "${timeZone}" is not an IANA time zone`);
  }
}

/**
 * When a required postmortem is due: `dueDays` calendar days after the incident was resolved, at the
 * same wall-clock time in `timeZone`.
 *
 * @example dueAt(Date.parse('2027-03-01T14:00:00Z'), 5) // → Date.parse('2027-03-06T14:00:00Z')
 */
export function dueAt(resolvedAtMs: number, dueDays: number, timeZone = 'UTC'): number {
  if (!Number.isInteger(dueDays) || dueDays < 0) throw new RangeError(`dueDays must be a whole number of days, 0 or more, got ${dueDays}`);
  return zoned(resolvedAtMs, timeZone).add({ days: dueDays }).epochMilliseconds;
}

/**
 * Overdue: required (`required` absent counts as required: it has a due date), not published, and
 * the due instant has come (`now >= dueAt`: due at 17:00 means done by 17:00).
 */
export function isOverdue(doc: { status: string; dueAt: number | null; required?: boolean }, nowMs: number): boolean {
  return doc.required !== false && doc.status !== 'published' && doc.dueAt !== null && nowMs >= doc.dueAt;
}

/** The `n`th reminder (0 = the first): one calendar day before the due time, then daily. */
function reminder(dueAtMs: number, n: number, timeZone: string): number {
  return zoned(dueAtMs, timeZone).add({ days: n - 1 }).epochMilliseconds;
}

/**
 * The first reminder strictly after `afterMs` (pass the last reminder sent, or now minus 1 ms), or
 * null once the postmortem is published. Reminders start one day before the due time and repeat
 * daily at that wall-clock time while it is not published, overdue ones included.
 */
export function nextReminderAt(dueAtMs: number, afterMs: number, status?: string | null, timeZone = 'UTC'): number | null {
  if (status === 'published') return null;
  // Estimate with 24-hour days, then correct by whole days (a DST day is off by an hour at most).
  let n = Math.max(0, Math.floor((afterMs - dueAtMs) / DAY_MS) + 1);
  while (n > 0 && reminder(dueAtMs, n - 1, timeZone) > afterMs) n--;
  while (reminder(dueAtMs, n, timeZone) <= afterMs) n++;
  return reminder(dueAtMs, n, timeZone);
}

/** Every reminder instant in [fromMs, untilMs), oldest first. */
export function reminderInstants(dueAtMs: number, fromMs: number, untilMs: number, timeZone = 'UTC'): number[] {
  const out: number[] = [];
  for (let t = nextReminderAt(dueAtMs, fromMs - 1, null, timeZone); t !== null && t < untilMs; t = nextReminderAt(dueAtMs, t, null, timeZone)) out.push(t);
  return out;
}

/** Today's date (`2027-03-01`) in the zone. */
export function dateIn(nowMs: number, timeZone = 'UTC'): string {
  return zoned(nowMs, timeZone).toPlainDate().toString();
}

/**
 * An action item is overdue once its due date (a calendar date) has ended in the zone, until it is
 * done or won't be done: an item due 2027-03-31 is on time all of that day.
 */
export function isActionItemOverdue(item: { status: string; dueDate: string | null }, nowMs: number, timeZone = 'UTC'): boolean {
  if (item.dueDate === null || item.status === 'done' || item.status === 'wont_do') return false;
  return Temporal.PlainDate.compare(Temporal.PlainDate.from(dateIn(nowMs, timeZone)), Temporal.PlainDate.from(item.dueDate)) > 0;
}

/** Whole days since `createdAtMs` (0 on the first day): the age shown beside open action items. */
export function ageDays(createdAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - createdAtMs) / DAY_MS));
}
