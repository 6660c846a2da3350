import { describe, expect, it } from 'vitest';
import { daysOverdue, isCalendarDate, localDate, nextOverdueReminderAt } from './overdue.js';

const at = (iso: string) => Date.parse(iso);

describe('overdue action item reminders', () => {
  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2027-03-31')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-02-30')).toBe(false);
    expect(isCalendarDate('2027-13-01')).toBe(false);
    expect(isCalendarDate('2027-3-31')).toBe(false);
    expect(isCalendarDate('31/03/2027')).toBe(false);
  });

  it('reads today in the zone, not in UTC', () => {
    expect(localDate(at('2026-11-26T23:30:00Z'), 'UTC')).toBe('2026-11-26');
    expect(localDate(at('2026-11-26T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-27');
    expect(localDate(at('2026-11-26T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-25');
  });

  it('first reminds at 09:00 local on the day after the due date', () => {
    expect(nextOverdueReminderAt('2026-11-25', 'Europe/Lisbon', at('2026-11-21T10:00:00Z'))).toBe(at('2026-11-26T09:00:00Z'));
    expect(nextOverdueReminderAt('2026-11-25', 'America/New_York', at('2026-11-21T10:00:00Z'))).toBe(at('2026-11-26T14:00:00Z'));
    expect(nextOverdueReminderAt('2026-11-25', 'Asia/Kolkata', at('2026-11-21T10:00:00Z'))).toBe(at('2026-11-26T03:30:00Z'));
    // Exactly at the instant: that one.
    expect(nextOverdueReminderAt('2026-11-25', 'UTC', at('2026-11-26T09:00:00Z'))).toBe(at('2026-11-26T09:00:00Z'));
  });

  it('then at the next 09:00 local that has not passed', () => {
    expect(nextOverdueReminderAt('2026-11-25', 'UTC', at('2026-11-26T09:00:00.001Z'))).toBe(at('2026-11-27T09:00:00Z'));
    expect(nextOverdueReminderAt('2026-11-01', 'UTC', at('2026-11-21T08:00:00Z'))).toBe(at('2026-11-21T09:00:00Z'));
    expect(nextOverdueReminderAt('2026-11-01', 'UTC', at('2026-11-21T10:00:00Z'))).toBe(at('2026-11-22T09:00:00Z'));
  });

  it('keeps 09:00 local across a daylight-saving change', () => {
    // Europe/Lisbon moves to summer time on 29 March 2026: 09:00 is 09:00Z before and 08:00Z after.
    expect(nextOverdueReminderAt('2026-03-27', 'Europe/Lisbon', at('2026-03-28T09:00:00.001Z'))).toBe(at('2026-03-29T08:00:00Z'));
  });

  it('counts whole local days overdue', () => {
    expect(daysOverdue('2026-11-25', 'UTC', at('2026-11-26T09:00:00Z'))).toBe(1);
    expect(daysOverdue('2026-11-25', 'UTC', at('2026-11-30T23:59:00Z'))).toBe(5);
    expect(daysOverdue('2026-11-25', 'Asia/Tokyo', at('2026-11-26T16:00:00Z'))).toBe(2);
  });
});
