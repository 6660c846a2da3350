import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageDays, dateIn, dueAt, isActionItemOverdue, isOverdue, nextReminderAt, reminderInstants } from './due.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('dueAt', () => {
  it('is dueDays calendar days after resolution', () => {
    expect(iso(dueAt(at('2027-03-01T14:00:00Z'), 5))).toBe('2027-03-06T14:00:00.000Z');
    expect(iso(dueAt(at('2027-02-26T09:30:00Z'), 3))).toBe('2027-03-01T09:30:00.000Z');
  });

  it('keeps the wall-clock time across a DST change in the zone', () => {
    // Berlin goes to summer time on 2027-03-28: 10:00 CET is 09:00Z, 10:00 CEST is 08:00Z.
    expect(iso(dueAt(at('2027-03-26T09:00:00Z'), 5, 'Europe/Berlin'))).toBe('2027-03-31T08:00:00.000Z');
  });

  it('names the bad input', () => {
    expect(() => dueAt(0, 1.5)).toThrow('dueDays must be a whole number of days, 0 or more, got 1.5');
    expect(() => dueAt(0, 5, 'Nowhere/Land')).toThrow('timeZone "Nowhere/Land" is not an IANA time zone');
  });
});

describe('isOverdue', () => {
  const due = at('2027-03-06T14:00:00Z');
  it.each([
    [{ status: 'draft', dueAt: due, required: true }, at('2027-03-06T13:59:59Z'), false],
    [{ status: 'draft', dueAt: due, required: true }, due, true],
    [{ status: 'in_review', dueAt: due, required: true }, at('2027-03-09T00:00:00Z'), true],
    [{ status: 'published', dueAt: due, required: true }, at('2027-03-09T00:00:00Z'), false],
    [{ status: 'draft', dueAt: due, required: false }, at('2027-03-09T00:00:00Z'), false],
    [{ status: 'draft', dueAt: due }, at('2027-03-09T00:00:00Z'), true],
    [{ status: 'draft', dueAt: null, required: true }, at('2027-03-09T00:00:00Z'), false],
  ])('%j at %i → %s', (doc, now, expected) => {
    expect(isOverdue(doc, now)).toBe(expected);
  });
});

describe('reminders', () => {
  const due = at('2027-03-06T14:00:00Z');

  it('starts one day before the due time and repeats daily, overdue included', () => {
    expect(reminderInstants(due, at('2027-03-01T00:00:00Z'), at('2027-03-09T00:00:00Z')).map(iso)).toEqual([
      '2027-03-05T14:00:00.000Z',
      '2027-03-06T14:00:00.000Z',
      '2027-03-07T14:00:00.000Z',
      '2027-03-08T14:00:00.000Z',
    ]);
  });

  it('gives the next one strictly after the last sent, and none once published', () => {
    expect(iso(nextReminderAt(due, at('2027-03-01T00:00:00Z')))).toBe('2027-03-05T14:00:00.000Z');
    expect(iso(nextReminderAt(due, at('2027-03-05T14:00:00Z')))).toBe('2027-03-06T14:00:00.000Z');
    expect(iso(nextReminderAt(due, at('2027-03-05T14:00:00Z') - 1))).toBe('2027-03-05T14:00:00.000Z');
    expect(iso(nextReminderAt(due, at('2027-04-20T15:00:00Z')))).toBe('2027-04-21T14:00:00.000Z');
    expect(nextReminderAt(due, at('2027-03-01T00:00:00Z'), 'published')).toBeNull();
  });

  it('keeps the wall-clock time of day across DST in the zone', () => {
    // Due 2027-03-29 10:00 Berlin (summer time): reminders 03-28 10:00 CEST, 03-29, … and before the change 03-27 10:00 CET.
    const dueBerlin = at('2027-03-29T08:00:00Z');
    expect(reminderInstants(dueBerlin, at('2027-03-27T00:00:00Z'), at('2027-03-31T00:00:00Z'), 'Europe/Berlin').map(iso)).toEqual([
      '2027-03-28T08:00:00.000Z',
      '2027-03-29T08:00:00.000Z',
      '2027-03-30T08:00:00.000Z',
    ]);
    const dueBefore = at('2027-03-28T08:00:00Z'); // 10:00 CEST on the day of the change
    expect(iso(nextReminderAt(dueBefore, at('2027-03-26T00:00:00Z'), null, 'Europe/Berlin'))).toBe('2027-03-27T09:00:00.000Z');
  });

  it('starts about a day before the due time, then always moves forward by about a day', () => {
    const HOUR = 3_600_000;
    fc.assert(
      fc.property(fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') }), fc.integer({ min: -10 * 86_400_000, max: 40 * 86_400_000 }), fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'), (dueMs, offset, zone) => {
        const first = nextReminderAt(dueMs, dueMs - 3 * 86_400_000, 'draft', zone)!;
        expect(Math.abs(dueMs - first - 86_400_000)).toBeLessThanOrEqual(HOUR);
        const after = dueMs + offset;
        const next = nextReminderAt(dueMs, after, 'draft', zone)!;
        expect(next).toBeGreaterThan(after);
        if (after < first) expect(next).toBe(first);
        else expect(next - after).toBeLessThanOrEqual(86_400_000 + HOUR);
        const following = nextReminderAt(dueMs, next, 'draft', zone)!;
        expect(Math.abs(following - next - 86_400_000)).toBeLessThanOrEqual(HOUR);
      }),
      { numRuns: 200 },
    );
  });
});

describe('action items', () => {
  it('are overdue once their due date has ended in the zone, unless done or won’t do', () => {
    const item = { status: 'open', dueDate: '2027-03-31' };
    expect(isActionItemOverdue(item, at('2027-03-31T23:59:59Z'))).toBe(false);
    expect(isActionItemOverdue(item, at('2027-04-01T00:00:00Z'))).toBe(true);
    expect(isActionItemOverdue(item, at('2027-04-01T03:00:00Z'), 'America/New_York')).toBe(false);
    expect(isActionItemOverdue({ status: 'done', dueDate: '2027-03-31' }, at('2027-05-01T00:00:00Z'))).toBe(false);
    expect(isActionItemOverdue({ status: 'wont_do', dueDate: '2027-03-31' }, at('2027-05-01T00:00:00Z'))).toBe(false);
    expect(isActionItemOverdue({ status: 'in_progress', dueDate: null }, at('2027-05-01T00:00:00Z'))).toBe(false);
  });

  it('count their age in whole days', () => {
    expect(ageDays(at('2027-03-01T12:00:00Z'), at('2027-03-02T11:59:59Z'))).toBe(0);
    expect(ageDays(at('2027-03-01T12:00:00Z'), at('2027-03-11T12:00:00Z'))).toBe(10);
    expect(dateIn(at('2027-03-01T23:30:00Z'), 'Asia/Tokyo')).toBe('2027-03-02');
  });
});
