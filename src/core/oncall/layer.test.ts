/**
 * One layer on its own, with exact instants, in America/New_York and Europe/London across both 2026
 * DST changes (US: 2026-03-08 and 2026-11-01; UK: 2026-03-29 and 2026-10-25).
 */
import { describe, expect, it } from 'vitest';
import { finalSchedule, whoIsOnCall } from './final-schedule.js';
import type { Layer, ScheduleDefinition } from './schedule.js';
import { instantFromIso, isoFromInstant, type Instant } from './time.js';

const at = instantFromIso;
const people = ['ana', 'ben', 'cho'];

function layer(over: Partial<Layer> & Pick<Layer, 'start' | 'handoffTime' | 'turn'>): Layer {
  return { id: 'l', participants: people, restrictions: [], advance: 'calendar', ...over };
}

/** The layer drawn alone over [from, to) as [start, end, user] rows of ISO text. */
function rows(timeZone: string, l: Layer, from: string, to: string): Array<[string, string, string]> {
  const def: ScheduleDefinition = { timeZone, layers: [l], overrides: [] };
  const drawn = finalSchedule(def, { start: at(from), end: at(to) });
  // Every row must agree with the one-instant question at its start and just before its end.
  for (const e of drawn.entries) {
    expect(whoIsOnCall(def, e.start)?.userId).toBe(e.userId);
    expect(whoIsOnCall(def, (e.end - 1) as Instant)?.userId).toBe(e.userId);
  }
  return drawn.entries.map((e) => [isoFromInstant(e.start), isoFromInstant(e.end), e.userId]);
}

const hours = (a: string, b: string) => (at(b) - at(a)) / 3_600_000;

describe('daily handoffs stay at the local wall time across DST (rules 3 and 6)', () => {
  it.each([
    [
      'New York, spring forward: the Saturday turn lasts 23 hours',
      'America/New_York',
      '2026-03-06T14:00Z', // Fri 09:00 EST
      [
        ['2026-03-06T14:00:00Z', '2026-03-07T14:00:00Z', 'ana'],
        ['2026-03-07T14:00:00Z', '2026-03-08T13:00:00Z', 'ben'], // Sun 09:00 EDT
        ['2026-03-08T13:00:00Z', '2026-03-09T13:00:00Z', 'cho'],
      ],
    ],
    [
      'New York, fall back: the Saturday turn lasts 25 hours',
      'America/New_York',
      '2026-10-30T13:00Z', // Fri 09:00 EDT
      [
        ['2026-10-30T13:00:00Z', '2026-10-31T13:00:00Z', 'ana'],
        ['2026-10-31T13:00:00Z', '2026-11-01T14:00:00Z', 'ben'], // Sun 09:00 EST
        ['2026-11-01T14:00:00Z', '2026-11-02T14:00:00Z', 'cho'],
      ],
    ],
    [
      'London, spring forward: the Saturday turn lasts 23 hours',
      'Europe/London',
      '2026-03-27T09:00Z', // Fri 09:00 GMT
      [
        ['2026-03-27T09:00:00Z', '2026-03-28T09:00:00Z', 'ana'],
        ['2026-03-28T09:00:00Z', '2026-03-29T08:00:00Z', 'ben'], // Sun 09:00 BST
        ['2026-03-29T08:00:00Z', '2026-03-30T08:00:00Z', 'cho'],
      ],
    ],
    [
      'London, fall back: the Saturday turn lasts 25 hours',
      'Europe/London',
      '2026-10-23T08:00Z', // Fri 09:00 BST
      [
        ['2026-10-23T08:00:00Z', '2026-10-24T08:00:00Z', 'ana'],
        ['2026-10-24T08:00:00Z', '2026-10-25T09:00:00Z', 'ben'], // Sun 09:00 GMT
        ['2026-10-25T09:00:00Z', '2026-10-26T09:00:00Z', 'cho'],
      ],
    ],
  ] as const)('%s', (_name, zone, start, expected) => {
    const got = rows(zone, layer({ start: at(start), handoffTime: '09:00', turn: { unit: 'days', count: 1 } }), start, expected[2][1]);
    expect(got).toEqual(expected);
  });
});

describe('handoff times that do not exist or exist twice (rule 6)', () => {
  it.each([
    [
      'New York 02:30 on 2026-03-08 does not exist: the handoff is at 03:30 EDT',
      'America/New_York',
      '02:30',
      '2026-03-06T07:30Z',
      [
        ['2026-03-06T07:30:00Z', '2026-03-07T07:30:00Z', 'ana'],
        ['2026-03-07T07:30:00Z', '2026-03-08T07:30:00Z', 'ben'], // 03:30 EDT: still 24 hours
        ['2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z', 'cho'], // back to 02:30 EDT: 23 hours
      ],
    ],
    [
      'New York 01:30 on 2026-11-01 happens twice: the handoff is at the first, 01:30 EDT',
      'America/New_York',
      '01:30',
      '2026-10-30T05:30Z',
      [
        ['2026-10-30T05:30:00Z', '2026-10-31T05:30:00Z', 'ana'],
        ['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', 'ben'],
        ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z', 'cho'], // 25 hours
      ],
    ],
    [
      'London 01:30 on 2026-03-29 does not exist: the handoff is at 02:30 BST',
      'Europe/London',
      '01:30',
      '2026-03-27T01:30Z',
      [
        ['2026-03-27T01:30:00Z', '2026-03-28T01:30:00Z', 'ana'],
        ['2026-03-28T01:30:00Z', '2026-03-29T01:30:00Z', 'ben'],
        ['2026-03-29T01:30:00Z', '2026-03-30T00:30:00Z', 'cho'],
      ],
    ],
    [
      'London 01:30 on 2026-10-25 happens twice: the handoff is at the first, 01:30 BST',
      'Europe/London',
      '01:30',
      '2026-10-23T00:30Z',
      [
        ['2026-10-23T00:30:00Z', '2026-10-24T00:30:00Z', 'ana'],
        ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', 'ben'],
        ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', 'cho'],
      ],
    ],
  ] as const)('%s', (_name, zone, handoffTime, start, expected) => {
    const got = rows(zone, layer({ start: at(start), handoffTime, turn: { unit: 'days', count: 1 } }), start, expected[2][1]);
    expect(got).toEqual(expected);
  });
});

describe('weekly handoffs', () => {
  it.each([
    ['New York, spring forward: a 167-hour week', 'America/New_York', '2026-03-02T14:00Z', '2026-03-09T13:00:00Z', 167],
    ['New York, fall back: a 169-hour week', 'America/New_York', '2026-10-26T13:00Z', '2026-11-02T14:00:00Z', 169],
    ['London, spring forward: a 167-hour week', 'Europe/London', '2026-03-23T09:00Z', '2026-03-30T08:00:00Z', 167],
    ['London, fall back: a 169-hour week', 'Europe/London', '2026-10-19T08:00Z', '2026-10-26T09:00:00Z', 169],
  ] as const)('hand off on Monday 09:00 local; %s', (_name, zone, start, handoff, length) => {
    const got = rows(zone, layer({ start: at(start), handoffTime: '09:00', turn: { unit: 'weeks', count: 1 } }), start, '2026-12-31T00:00Z');
    expect(got[0]).toEqual([isoFromInstant(at(start)), handoff, 'ana']);
    expect(got[1]?.[0]).toBe(handoff);
    expect(got[1]?.[2]).toBe('ben');
    expect(hours(start, handoff)).toBe(length);
  });

  it('hands off on the weekday of the start date, every `count` weeks', () => {
    // Wednesday 2026-03-04 09:00 EST, two-week turns.
    const got = rows('America/New_York', layer({ start: at('2026-03-04T14:00Z'), handoffTime: '09:00', turn: { unit: 'weeks', count: 2 } }), '2026-03-04T14:00Z', '2026-04-15T13:00Z');
    expect(got).toEqual([
      ['2026-03-04T14:00:00Z', '2026-03-18T13:00:00Z', 'ana'],
      ['2026-03-18T13:00:00Z', '2026-04-01T13:00:00Z', 'ben'],
      ['2026-04-01T13:00:00Z', '2026-04-15T13:00:00Z', 'cho'],
    ]);
  });
});

describe('hour turns follow the wall clock too (rule 3)', () => {
  it.each([
    [
      'New York spring forward: 12-hour turns stay at 08:00 and 20:00; the night turn lasts 11 hours',
      'America/New_York',
      '2026-03-07T13:00Z',
      [
        ['2026-03-07T13:00:00Z', '2026-03-08T01:00:00Z', 'ana'], // Sat 08:00–20:00 EST
        ['2026-03-08T01:00:00Z', '2026-03-08T12:00:00Z', 'ben'], // → Sun 08:00 EDT: 11 hours
        ['2026-03-08T12:00:00Z', '2026-03-09T00:00:00Z', 'cho'],
      ],
    ],
    [
      'New York fall back: the night turn lasts 13 hours',
      'America/New_York',
      '2026-10-31T12:00Z',
      [
        ['2026-10-31T12:00:00Z', '2026-11-01T00:00:00Z', 'ana'],
        ['2026-11-01T00:00:00Z', '2026-11-01T13:00:00Z', 'ben'], // 13 hours
        ['2026-11-01T13:00:00Z', '2026-11-02T01:00:00Z', 'cho'],
      ],
    ],
    [
      'London spring forward: the night turn lasts 11 hours',
      'Europe/London',
      '2026-03-28T08:00Z',
      [
        ['2026-03-28T08:00:00Z', '2026-03-28T20:00:00Z', 'ana'],
        ['2026-03-28T20:00:00Z', '2026-03-29T07:00:00Z', 'ben'],
        ['2026-03-29T07:00:00Z', '2026-03-29T19:00:00Z', 'cho'],
      ],
    ],
    [
      'London fall back: the night turn lasts 13 hours',
      'Europe/London',
      '2026-10-24T07:00Z',
      [
        ['2026-10-24T07:00:00Z', '2026-10-24T19:00:00Z', 'ana'],
        ['2026-10-24T19:00:00Z', '2026-10-25T08:00:00Z', 'ben'],
        ['2026-10-25T08:00:00Z', '2026-10-25T20:00:00Z', 'cho'],
      ],
    ],
  ] as const)('%s', (_name, zone, start, expected) => {
    const got = rows(zone, layer({ start: at(start), handoffTime: '08:00', turn: { unit: 'hours', count: 12 } }), start, expected[2][1]);
    expect(got).toEqual(expected);
  });

  it('gives an empty turn to the hour the clocks skip (New York 02:00–03:00 on 2026-03-08)', () => {
    const l = layer({ participants: ['ana', 'ben', 'cho', 'dev'], start: at('2026-03-08T05:00Z'), handoffTime: '00:00', turn: { unit: 'hours', count: 1 } });
    expect(rows('America/New_York', l, '2026-03-08T05:00Z', '2026-03-08T09:00Z')).toEqual([
      ['2026-03-08T05:00:00Z', '2026-03-08T06:00:00Z', 'ana'], // 00:00 EST
      ['2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z', 'ben'], // 01:00 EST
      // cho's 02:00 turn does not exist
      ['2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z', 'dev'], // 03:00 EDT
      ['2026-03-08T08:00:00Z', '2026-03-08T09:00:00Z', 'ana'],
    ]);
  });

  it('gives two real hours to the hour the clocks repeat (London 01:00–02:00 on 2026-10-25)', () => {
    const l = layer({ start: at('2026-10-24T23:00Z'), handoffTime: '00:00', turn: { unit: 'hours', count: 1 } });
    expect(rows('Europe/London', l, '2026-10-24T23:00Z', '2026-10-25T03:00Z')).toEqual([
      ['2026-10-24T23:00:00Z', '2026-10-25T00:00:00Z', 'ana'], // 00:00 BST
      ['2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', 'ben'], // 01:00 BST until 02:00 GMT
      ['2026-10-25T02:00:00Z', '2026-10-25T03:00:00Z', 'cho'],
    ]);
  });

  it('never moves a handoff backwards when the clocks skip more than a turn (Antarctica/Troll jumps two hours)', () => {
    // Troll goes from +00 to +02 at 2026-03-29T01:00Z: wall 01:00 and 02:00 never happen.
    const l = layer({ participants: ['ana', 'ben', 'cho', 'dev', 'eli'], start: at('2026-03-28T22:00Z'), handoffTime: '22:00', turn: { unit: 'hours', count: 1 } });
    expect(rows('Antarctica/Troll', l, '2026-03-28T22:00Z', '2026-03-29T03:00Z')).toEqual([
      ['2026-03-28T22:00:00Z', '2026-03-28T23:00:00Z', 'ana'],
      ['2026-03-28T23:00:00Z', '2026-03-29T00:00:00Z', 'ben'],
      ['2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z', 'cho'],
      // dev (01:00) and eli (02:00) have empty turns; 03:00 local is 01:00Z
      ['2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z', 'ana'],
      ['2026-03-29T02:00:00Z', '2026-03-29T03:00:00Z', 'ben'],
    ]);
  });
});

describe('restriction windows keep their wall times across DST (rule 5)', () => {
  const single = (zone: string, restriction: Layer['restrictions'][number], from: string, to: string) =>
    rows(zone, layer({ participants: ['ana'], start: at('2026-01-05T00:00Z'), handoffTime: '00:00', turn: { unit: 'weeks', count: 1 }, restrictions: [restriction] }), from, to).map(
      ([s, e]) => [s, e],
    );

  it('London 09:00–17:00 is 09:00Z–17:00Z in GMT and 08:00Z–16:00Z in BST', () => {
    expect(single('Europe/London', { kind: 'daily', start: '09:00', end: '17:00' }, '2026-03-28T00:00Z', '2026-03-31T00:00Z')).toEqual([
      ['2026-03-28T09:00:00Z', '2026-03-28T17:00:00Z'],
      ['2026-03-29T08:00:00Z', '2026-03-29T16:00:00Z'],
      ['2026-03-30T08:00:00Z', '2026-03-30T16:00:00Z'],
    ]);
  });

  it('New York 01:00–03:00 lasts one hour on 2026-03-08 and three on 2026-11-01', () => {
    const window = { kind: 'daily', start: '01:00', end: '03:00' } as const;
    expect(single('America/New_York', window, '2026-03-08T00:00Z', '2026-03-09T00:00Z')).toEqual([['2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z']]);
    expect(single('America/New_York', window, '2026-11-01T00:00Z', '2026-11-02T00:00Z')).toEqual([['2026-11-01T05:00:00Z', '2026-11-01T08:00:00Z']]);
  });

  it('moves a window inside the skipped hour forward by the jump, and drops one that resolves backwards', () => {
    expect(single('America/New_York', { kind: 'daily', start: '02:00', end: '02:30' }, '2026-03-08T00:00Z', '2026-03-09T00:00Z')).toEqual([
      ['2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z'], // 03:00–03:30 EDT
    ]);
    // 02:30 → 03:30 EDT but 03:00 → 03:00 EDT: nothing that day; the day before and after are normal.
    expect(single('America/New_York', { kind: 'daily', start: '02:30', end: '03:00' }, '2026-03-07T00:00Z', '2026-03-10T00:00Z')).toEqual([
      ['2026-03-07T07:30:00Z', '2026-03-07T08:00:00Z'],
      ['2026-03-09T06:30:00Z', '2026-03-09T07:00:00Z'],
    ]);
  });

  it('wraps windows past midnight and past the end of the week', () => {
    expect(single('UTC', { kind: 'daily', start: '22:00', end: '06:00', days: [7] }, '2026-03-01T00:00Z', '2026-03-10T00:00Z')).toEqual([
      ['2026-03-01T22:00:00Z', '2026-03-02T06:00:00Z'],
      ['2026-03-08T22:00:00Z', '2026-03-09T06:00:00Z'],
    ]);
    expect(single('UTC', { kind: 'weekly', startDay: 5, start: '17:00', endDay: 1, end: '09:00' }, '2026-03-01T00:00Z', '2026-03-10T00:00Z')).toEqual([
      ['2026-03-01T00:00:00Z', '2026-03-02T09:00:00Z'],
      ['2026-03-06T17:00:00Z', '2026-03-09T09:00:00Z'],
    ]);
  });

  it('joins windows that meet on the wall clock into one', () => {
    const l = layer({
      participants: ['ana'],
      start: at('2026-01-05T00:00Z'),
      handoffTime: '00:00',
      turn: { unit: 'weeks', count: 1 },
      restrictions: [
        { kind: 'daily', start: '09:00', end: '17:00' },
        { kind: 'daily', start: '17:00', end: '20:00' },
      ],
    });
    expect(rows('UTC', l, '2026-03-02T00:00Z', '2026-03-03T00:00Z')).toEqual([['2026-03-02T09:00:00Z', '2026-03-02T20:00:00Z', 'ana']]);
  });
});

describe('calendar and on-duty advancing (rule 4)', () => {
  // Weekday business hours in New York, one-day turns handed off at 09:00, from Monday 2026-03-02.
  const businessDays = (advance: Layer['advance'], count = 1) =>
    layer({ start: at('2026-03-02T14:00Z'), handoffTime: '09:00', turn: { unit: 'days', count }, restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }], advance });
  const who = (l: Layer) => rows('America/New_York', l, '2026-03-02T00:00Z', '2026-03-17T00:00Z');

  it('calendar: turns keep advancing through the weekend, so the people whose days fall on it have no duty that time', () => {
    expect(who(businessDays('calendar'))).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-02T22:00:00Z', 'ana'], // Mon
      ['2026-03-03T14:00:00Z', '2026-03-03T22:00:00Z', 'ben'],
      ['2026-03-04T14:00:00Z', '2026-03-04T22:00:00Z', 'cho'],
      ['2026-03-05T14:00:00Z', '2026-03-05T22:00:00Z', 'ana'],
      ['2026-03-06T14:00:00Z', '2026-03-06T22:00:00Z', 'ben'], // Fri; Sat is cho's, Sun is ana's
      ['2026-03-09T13:00:00Z', '2026-03-09T21:00:00Z', 'ben'], // Mon, now EDT
      ['2026-03-10T13:00:00Z', '2026-03-10T21:00:00Z', 'cho'],
      ['2026-03-11T13:00:00Z', '2026-03-11T21:00:00Z', 'ana'],
      ['2026-03-12T13:00:00Z', '2026-03-12T21:00:00Z', 'ben'],
      ['2026-03-13T13:00:00Z', '2026-03-13T21:00:00Z', 'cho'],
      ['2026-03-16T13:00:00Z', '2026-03-16T21:00:00Z', 'cho'],
    ]);
  });

  it('on-duty: only days with duty count, so Friday’s person is followed by the next one on Monday', () => {
    expect(who(businessDays('on-duty'))).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-02T22:00:00Z', 'ana'],
      ['2026-03-03T14:00:00Z', '2026-03-03T22:00:00Z', 'ben'],
      ['2026-03-04T14:00:00Z', '2026-03-04T22:00:00Z', 'cho'],
      ['2026-03-05T14:00:00Z', '2026-03-05T22:00:00Z', 'ana'],
      ['2026-03-06T14:00:00Z', '2026-03-06T22:00:00Z', 'ben'],
      ['2026-03-09T13:00:00Z', '2026-03-09T21:00:00Z', 'cho'],
      ['2026-03-10T13:00:00Z', '2026-03-10T21:00:00Z', 'ana'],
      ['2026-03-11T13:00:00Z', '2026-03-11T21:00:00Z', 'ben'],
      ['2026-03-12T13:00:00Z', '2026-03-12T21:00:00Z', 'cho'],
      ['2026-03-13T13:00:00Z', '2026-03-13T21:00:00Z', 'ana'],
      ['2026-03-16T13:00:00Z', '2026-03-16T21:00:00Z', 'ben'],
    ]);
  });

  it('on-duty: two-day turns carry over the weekend (cho has Friday and Monday)', () => {
    expect(who(businessDays('on-duty', 2)).map(([s, , u]) => [s.slice(0, 10), u])).toEqual([
      ['2026-03-02', 'ana'],
      ['2026-03-03', 'ana'],
      ['2026-03-04', 'ben'],
      ['2026-03-05', 'ben'],
      ['2026-03-06', 'cho'],
      ['2026-03-09', 'cho'],
      ['2026-03-10', 'ana'],
      ['2026-03-11', 'ana'],
      ['2026-03-12', 'ben'],
      ['2026-03-13', 'ben'],
      ['2026-03-16', 'cho'],
    ]);
  });

  it('on-duty: a weekly turn counts the five business days of its week, from a Wednesday handoff too', () => {
    const weekly = layer({
      start: at('2026-03-04T14:00Z'),
      handoffTime: '09:00',
      turn: { unit: 'weeks', count: 1 },
      restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }],
      advance: 'on-duty',
    });
    const days = rows('America/New_York', weekly, '2026-03-04T00:00Z', '2026-03-25T00:00Z').map(([s, , u]) => [s.slice(0, 10), u]);
    expect(days.filter(([, u]) => u === 'ana').map(([d]) => d)).toEqual(['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10']);
    expect(days.filter(([, u]) => u === 'ben').map(([d]) => d)).toEqual(['2026-03-11', '2026-03-12', '2026-03-13', '2026-03-16', '2026-03-17']);
  });

  it('on-duty with hour turns counts only hours with duty', () => {
    // Four-hour turns of duty inside 09:00–17:00 UTC: each day splits into two turns, never a night one.
    const l = layer({ start: at('2026-03-02T09:00Z'), handoffTime: '09:00', turn: { unit: 'hours', count: 4 }, restrictions: [{ kind: 'daily', start: '09:00', end: '17:00' }], advance: 'on-duty' });
    expect(rows('UTC', l, '2026-03-02T00:00Z', '2026-03-04T00:00Z')).toEqual([
      ['2026-03-02T09:00:00Z', '2026-03-02T13:00:00Z', 'ana'],
      ['2026-03-02T13:00:00Z', '2026-03-02T17:00:00Z', 'ben'],
      ['2026-03-03T09:00:00Z', '2026-03-03T13:00:00Z', 'cho'],
      ['2026-03-03T13:00:00Z', '2026-03-03T17:00:00Z', 'ana'],
    ]);
  });

  it('is the same in both modes for a layer without restrictions', () => {
    const base = { start: at('2026-03-02T14:00Z'), handoffTime: '09:00', turn: { unit: 'days', count: 1 } } as const;
    expect(rows('America/New_York', layer({ ...base, advance: 'on-duty' }), '2026-03-02T00:00Z', '2026-03-20T00:00Z')).toEqual(
      rows('America/New_York', layer({ ...base, advance: 'calendar' }), '2026-03-02T00:00Z', '2026-03-20T00:00Z'),
    );
  });
});

describe('layer start and end (rule 3)', () => {
  it('starts the first turn at `start` when it is after the handoff time that day', () => {
    // Monday 10:00 EST, handoff 09:00: ana until Tuesday 09:00.
    expect(rows('America/New_York', layer({ start: at('2026-03-02T15:00Z'), handoffTime: '09:00', turn: { unit: 'days', count: 1 } }), '2026-03-02T00:00Z', '2026-03-03T15:00Z')).toEqual([
      ['2026-03-02T15:00:00Z', '2026-03-03T14:00:00Z', 'ana'],
      ['2026-03-03T14:00:00Z', '2026-03-03T15:00:00Z', 'ben'],
    ]);
  });

  it('has no duty before the first handoff when `start` is earlier that day', () => {
    expect(rows('America/New_York', layer({ start: at('2026-03-02T13:00Z'), handoffTime: '09:00', turn: { unit: 'days', count: 1 } }), '2026-03-02T00:00Z', '2026-03-02T16:00Z')).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-02T16:00:00Z', 'ana'],
    ]);
  });

  it('has no duty from `end` on', () => {
    const l = layer({ start: at('2026-03-02T14:00Z'), end: at('2026-03-04T02:00Z'), handoffTime: '09:00', turn: { unit: 'days', count: 1 } });
    expect(rows('America/New_York', l, '2026-03-01T00:00Z', '2026-03-10T00:00Z')).toEqual([
      ['2026-03-02T14:00:00Z', '2026-03-03T14:00:00Z', 'ana'],
      ['2026-03-03T14:00:00Z', '2026-03-04T02:00:00Z', 'ben'],
    ]);
  });

  it('merges consecutive turns of the same person, and allows a person more than once in the order', () => {
    const l = layer({ participants: ['ana', 'ana', 'ben'], start: at('2026-03-02T00:00Z'), handoffTime: '00:00', turn: { unit: 'days', count: 1 } });
    expect(rows('UTC', l, '2026-03-02T00:00Z', '2026-03-08T00:00Z')).toEqual([
      ['2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z', 'ana'],
      ['2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z', 'ben'],
      ['2026-03-05T00:00:00Z', '2026-03-07T00:00:00Z', 'ana'],
      ['2026-03-07T00:00:00Z', '2026-03-08T00:00:00Z', 'ben'],
    ]);
  });

  it('uses the layer’s own zone when it names one', () => {
    const l = layer({ timeZone: 'Asia/Kolkata', start: at('2026-03-02T03:30Z'), handoffTime: '09:00', turn: { unit: 'days', count: 1 } });
    expect(rows('America/New_York', l, '2026-03-02T03:30Z', '2026-03-04T03:30Z')).toEqual([
      ['2026-03-02T03:30:00Z', '2026-03-03T03:30:00Z', 'ana'], // 09:00 IST
      ['2026-03-03T03:30:00Z', '2026-03-04T03:30:00Z', 'ben'],
    ]);
  });
});
