import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { decideDelivery, isWithinSupportHours, nextSupportWindowStart, supportHoursIssues, weekdays, type SupportHours } from './support-hours.js';

const t = (iso: string) => Date.parse(iso);
const weekdaysNy: SupportHours = { timeZone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };
const lisbon: SupportHours = { timeZone: 'Europe/Lisbon', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' };

describe('support hours', () => {
  it.each([
    // Friday 2026-11-20 in Lisbon (WET, UTC+0).
    ['2026-11-20T08:59:59Z', false, '2026-11-20T09:00:00Z'],
    ['2026-11-20T09:00:00Z', true, '2026-11-23T09:00:00Z'],
    ['2026-11-20T17:59:59Z', true, '2026-11-23T09:00:00Z'],
    ['2026-11-20T18:00:00Z', false, '2026-11-23T09:00:00Z'],
    ['2026-11-21T12:00:00Z', false, '2026-11-23T09:00:00Z'],
    // Summer time (WEST, UTC+1): 09:00 local is 08:00Z.
    ['2026-07-01T07:30:00Z', false, '2026-07-01T08:00:00Z'],
  ])('Lisbon weekdays 09–18 at %s: within %s, next window %s', (now, within, next) => {
    expect(isWithinSupportHours(lisbon, t(now))).toBe(within);
    expect(nextSupportWindowStart(lisbon, t(now))).toBe(t(next));
  });

  it('keeps 09:00 local across the spring-forward weekend in New York', () => {
    // Friday 2026-03-06 18:00 EST; clocks go forward Sunday 2026-03-08; Monday 09:00 EDT is 13:00Z.
    expect(nextSupportWindowStart(weekdaysNy, t('2026-03-06T23:00:00Z'))).toBe(t('2026-03-09T13:00:00Z'));
    // And back in November: Monday 2026-11-02 09:00 EST is 14:00Z.
    expect(nextSupportWindowStart(weekdaysNy, t('2026-10-30T22:00:00Z'))).toBe(t('2026-11-02T14:00:00Z'));
    expect(isWithinSupportHours(weekdaysNy, t('2026-11-02T13:59:59Z'))).toBe(false);
    expect(isWithinSupportHours(weekdaysNy, t('2026-11-02T14:00:00Z'))).toBe(true);
  });

  it('opens a window that starts in a spring-forward gap at the first valid time after it', () => {
    const night: SupportHours = { timeZone: 'America/New_York', days: ['sun'], start: '02:30', end: '05:00' };
    // 2026-03-08 02:30 does not exist in New York: the window opens at 03:30 EDT = 07:30Z.
    expect(nextSupportWindowStart(night, t('2026-03-08T05:00:00Z'))).toBe(t('2026-03-08T07:30:00Z'));
    const squeezed: SupportHours = { timeZone: 'America/New_York', days: ['sun'], start: '02:00', end: '03:00' };
    // That Sunday's window is squeezed to nothing; the next one is a week later (02:00 EDT = 06:00Z).
    expect(nextSupportWindowStart(squeezed, t('2026-03-08T05:00:00Z'))).toBe(t('2026-03-15T06:00:00Z'));
  });

  it('reads 24:00 as the end of the day', () => {
    const allDay: SupportHours = { timeZone: 'UTC', days: ['sat'], start: '00:00', end: '24:00' };
    expect(isWithinSupportHours(allDay, t('2026-11-21T23:59:59Z'))).toBe(true);
    expect(isWithinSupportHours(allDay, t('2026-11-22T00:00:00Z'))).toBe(false);
  });

  it('names what is wrong with a definition', () => {
    expect(supportHoursIssues({ timeZone: 'UTC', days: ['mon', 'mon'], start: '18:00', end: '09:00' })).toEqual([
      { path: 'end', message: 'must be after start (18:00); windows do not cross midnight' },
      { path: 'days', message: 'lists a day twice' },
    ]);
    expect(supportHoursIssues({ timeZone: 'UTC', days: ['mon'], start: '9:00', end: '25:00' }).map((i) => i.path)).toEqual(['start', 'end']);
    expect(supportHoursIssues(lisbon)).toEqual([]);
  });

  it('decides delivery by urgency, support hours and what was decided before', () => {
    const friEvening = t('2026-11-20T19:00:00Z');
    const monMorning = t('2026-11-23T09:00:00Z');
    expect(decideDelivery({ urgency: 'high', previous: null, hours: lisbon, now: friEvening })).toBeNull();
    expect(decideDelivery({ urgency: 'backlog', previous: null, hours: lisbon, now: friEvening })).toBe('never');
    expect(decideDelivery({ urgency: 'low', previous: null, hours: lisbon, now: friEvening })).toBe(monMorning);
    expect(decideDelivery({ urgency: 'low', previous: null, hours: lisbon, now: t('2026-11-20T10:00:00Z') })).toBeNull();
    expect(decideDelivery({ urgency: 'low', previous: null, hours: null, now: friEvening })).toBeNull();
    // A repeat keeps the earlier decision rather than moving it.
    expect(decideDelivery({ urgency: 'low', previous: { urgency: 'low', deliverAt: monMorning }, hours: lisbon, now: t('2026-11-21T10:00:00Z') })).toBe(monMorning);
    // A backlog alert raised to low is deferred like a new one.
    expect(decideDelivery({ urgency: 'low', previous: { urgency: 'backlog', deliverAt: 'never' }, hours: lisbon, now: friEvening })).toBe(monMorning);
    expect(decideDelivery({ urgency: 'high', previous: { urgency: 'low', deliverAt: monMorning }, hours: lisbon, now: friEvening })).toBeNull();
  });

  describe('properties, in zones with and without daylight saving', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/Lisbon', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
    const hoursArb = fc
      .record({
        timeZone: fc.constantFrom(...zones),
        days: fc.uniqueArray(fc.constantFrom(...weekdays), { minLength: 1, maxLength: 7 }),
        startMin: fc.integer({ min: 0, max: 23 * 60 }),
        length: fc.integer({ min: 1, max: 12 * 60 }),
      })
      .map(({ timeZone, days, startMin, length }): SupportHours => {
        const endMin = Math.min(24 * 60, startMin + length);
        const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        return { timeZone, days, start: hhmm(startMin), end: hhmm(endMin) };
      });
    // 2026–2028, to the minute, so DST transitions are crossed often.
    const instantArb = fc.integer({ min: t('2026-01-01T00:00:00Z') / 60_000, max: t('2028-12-31T00:00:00Z') / 60_000 }).map((m) => m * 60_000);

    it('the next window opens after now, on a listed day, and is within support hours when it opens', () => {
      fc.assert(
        fc.property(hoursArb, instantArb, (hours, now) => {
          const next = nextSupportWindowStart(hours, now);
          expect(next).not.toBeNull();
          expect(next as number).toBeGreaterThan(now);
          expect(next as number).toBeLessThanOrEqual(now + 8 * 86_400_000);
          expect(isWithinSupportHours(hours, next as number)).toBe(true);
          const local = Temporal.Instant.fromEpochMilliseconds(next as number).toZonedDateTimeISO(hours.timeZone);
          expect(hours.days).toContain(weekdays[local.dayOfWeek - 1]);
        }),
        { numRuns: 400 },
      );
    });

    it('outside support hours, nothing is within them until the next window opens', () => {
      fc.assert(
        fc.property(hoursArb, instantArb, fc.double({ min: 0, max: 1, noNaN: true }), (hours, now, fraction) => {
          if (isWithinSupportHours(hours, now)) return;
          const next = nextSupportWindowStart(hours, now) as number;
          const between = now + Math.floor((next - now) * fraction);
          if (between < next) expect(isWithinSupportHours(hours, between)).toBe(false);
        }),
        { numRuns: 400 },
      );
    });

    it('deferred low-urgency alerts are delivered at a window start, never in the past', () => {
      fc.assert(
        fc.property(hoursArb, instantArb, (hours, now) => {
          const at = decideDelivery({ urgency: 'low', previous: null, hours, now });
          if (at === null) expect(isWithinSupportHours(hours, now)).toBe(true);
          else expect(at).toBe(nextSupportWindowStart(hours, now));
        }),
        { numRuns: 300 },
      );
    });
  });
});
