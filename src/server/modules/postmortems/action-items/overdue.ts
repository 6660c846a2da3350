import { Temporal } from 'temporal-polyfill';

/**
 * When overdue action items remind people. Pure (no clock reads, no I/O); day boundaries and the
 * reminder hour come from Temporal in the person's time zone, never from hand-rolled offsets.
 *
 * An item due on 2027-03-31 is overdue from the start of 1 April in its zone (core `isActionItemOverdue`);
 * its owner and the postmortem's owner are reminded at 09:00 local time on each day from then on, until
 * it is done or won't be done, or its due date moves.
 */

/** The local hour reminders are sent at: the start of a working day, not the middle of the night. */
export const REMINDER_HOUR = 9;

/** True when `date` is a real calendar date written YYYY-MM-DD (2027-02-30 is not). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  try {
    Temporal.PlainDate.from(date, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

/** Today's date (YYYY-MM-DD) in the zone at `nowMs`. */
export function localDate(nowMs: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

const reminderInstant = (date: Temporal.PlainDate, timeZone: string): number => date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from({ hour: REMINDER_HOUR }) }).epochMilliseconds;

/**
 * The next reminder for an item due on `dueDate`, at or after `nowMs`: 09:00 local on the day after the
 * due date, or, once that has passed, the next 09:00 local that has not.
 */
export function nextOverdueReminderAt(dueDate: string, timeZone: string, nowMs: number): number {
  const first = reminderInstant(Temporal.PlainDate.from(dueDate).add({ days: 1 }), timeZone);
  if (first >= nowMs) return first;
  const today = Temporal.PlainDate.from(localDate(nowMs, timeZone));
  const todays = reminderInstant(today, timeZone);
  return todays >= nowMs ? todays : reminderInstant(today.add({ days: 1 }), timeZone);
}

/** Whole days from `dueDate` to the local date at `nowMs` (1 on the first overdue day). */
export function daysOverdue(dueDate: string, timeZone: string, nowMs: number): number {
  return Temporal.PlainDate.from(dueDate).until(Temporal.PlainDate.from(localDate(nowMs, timeZone)), { largestUnit: 'days' }).days;
}
