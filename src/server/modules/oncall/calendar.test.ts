import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { eventUid, renderCalendar } from './calendar.js';

const at = (iso: string) => Date.parse(iso);

describe('iCalendar rendering', () => {
  const text = renderCalendar({
    name: 'On call: Ana; the, primary',
    description: 'Ana’s shifts',
    now: at('2026-03-02T12:00:00.123Z'),
    events: [
      { uid: eventUid('sched-1', 'ana', at('2026-03-02T14:00:00Z')), start: at('2026-03-02T14:00:00Z'), end: at('2026-03-03T14:00:00Z'), summary: 'On call: Platform, primary; EU', description: 'x'.repeat(120) },
    ],
  });

  it('writes CRLF lines folded at 75 octets, with the refresh hints calendar clients read', () => {
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(text).toContain('\r\nX-PUBLISHED-TTL:PT1H\r\n');
    expect(text).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');
    expect(text).toContain('\r\nX-WR-CALNAME:On call: Ana\\; the\\, primary\r\n');
  });

  it('round-trips through a real iCalendar parser with UTC times and escaped text', () => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    const [event] = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(event?.summary).toBe('On call: Platform, primary; EU');
    expect(event?.description).toBe('x'.repeat(120));
    expect(event?.startDate.toString()).toBe('2026-03-02T14:00:00Z');
    expect(event?.endDate.toJSDate().toISOString()).toBe('2026-03-03T14:00:00.000Z');
    expect(event?.component.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-03-02T12:00:00Z');
  });

  it('derives the same UID from the same schedule, person and start, and a different one otherwise', () => {
    const uid = eventUid('sched-1', 'ana', 1);
    expect(uid).toMatch(/^[0-9a-f]{32}@firebreak$/);
    expect(eventUid('sched-1', 'ana', 1)).toBe(uid);
    expect(new Set([uid, eventUid('sched-2', 'ana', 1), eventUid('sched-1', 'ben', 1), eventUid('sched-1', 'ana', 2)]).size).toBe(4);
  });
});
