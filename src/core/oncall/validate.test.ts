import { describe, expect, it } from 'vitest';
import type { Layer, Override, ScheduleDefinition } from './schedule.js';
import { InvalidScheduleError } from './schedule.js';
import { finalSchedule, whoIsOnCall } from './final-schedule.js';
import { instantFromIso } from './time.js';
import { validateSchedule } from './validate.js';

const start = instantFromIso('2026-03-02T14:00Z');
const layer = (over: Partial<Layer> = {}): Layer => ({
  id: 'primary',
  participants: ['ana', 'ben', 'cho'],
  start,
  handoffTime: '09:00',
  turn: { unit: 'weeks', count: 1 },
  restrictions: [],
  advance: 'calendar',
  ...over,
});
const override = (over: Partial<Override> = {}): Override => ({ id: 'o1', userId: 'ana', start, end: (start + 3_600_000) as typeof start, ...over });
const schedule = (over: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({ timeZone: 'America/New_York', layers: [layer()], overrides: [], ...over });

describe('validateSchedule', () => {
  it('accepts a well-formed schedule', () => {
    expect(validateSchedule(schedule({ overrides: [override()] }))).toEqual([]);
  });

  it.each([
    ['unknown time zone', schedule({ timeZone: 'Mars/Olympus_Mons' }), 'timeZone', 'is not a known IANA time zone: Mars/Olympus_Mons'],
    ['unknown layer time zone', schedule({ layers: [layer({ timeZone: 'Europe/Atlantis' })] }), 'layers.0.timeZone', 'is not a known IANA time zone: Europe/Atlantis'],
    ['empty participants', schedule({ layers: [layer({ participants: [] })] }), 'layers.0.participants', 'must name at least one participant'],
    ['blank participant', schedule({ layers: [layer({ participants: ['ana', ''] })] }), 'layers.0.participants.1', 'must be a user id'],
    ['turn count zero', schedule({ layers: [layer({ turn: { unit: 'days', count: 0 } })] }), 'layers.0.turn.count', 'must be a whole number from 1 to 10000, got 0'],
    ['turn count negative', schedule({ layers: [layer({ turn: { unit: 'days', count: -2 } })] }), 'layers.0.turn.count', 'must be a whole number from 1 to 10000, got -2'],
    ['turn count fraction', schedule({ layers: [layer({ turn: { unit: 'days', count: 1.5 } })] }), 'layers.0.turn.count', 'must be a whole number from 1 to 10000, got 1.5'],
    ['turn unit', schedule({ layers: [layer({ turn: { unit: 'months' as 'days', count: 1 } })] }), 'layers.0.turn.unit', 'must be hours, days or weeks, got months'],
    ['handoff time', schedule({ layers: [layer({ handoffTime: '9am' })] }), 'layers.0.handoffTime', 'must be a time of day HH:MM (00:00–23:59), got 9am'],
    ['advance mode', schedule({ layers: [layer({ advance: 'sometimes' as 'calendar' })] }), 'layers.0.advance', 'must be calendar or on-duty, got sometimes'],
    ['layer end before start', schedule({ layers: [layer({ end: start })] }), 'layers.0.end', 'must be after start'],
    ['start not an integer', schedule({ layers: [layer({ start: 1.5 as typeof start })] }), 'layers.0.start', 'must be a whole number of epoch milliseconds between 1900 and 2200'],
    [
      'daily window of zero length',
      schedule({ layers: [layer({ restrictions: [{ kind: 'daily', start: '09:00', end: '09:00' }] })] }),
      'layers.0.restrictions.0',
      'never matches: it starts and ends at 09:00 (zero length); to be on duty all day, remove the restriction',
    ],
    [
      'weekly window of zero length',
      schedule({ layers: [layer({ restrictions: [{ kind: 'weekly', startDay: 1, start: '09:00', endDay: 1, end: '09:00' }] })] }),
      'layers.0.restrictions.0',
      'never matches: it starts and ends at the same moment of the week (zero length); to be on duty all week, remove the restriction',
    ],
    [
      'daily window on no days',
      schedule({ layers: [layer({ restrictions: [{ kind: 'daily', start: '09:00', end: '17:00', days: [] }] })] }),
      'layers.0.restrictions.0.days',
      'is empty, so the window never matches; remove the restriction instead',
    ],
    [
      'weekday out of range',
      schedule({ layers: [layer({ restrictions: [{ kind: 'weekly', startDay: 0 as 1, start: '09:00', endDay: 5, end: '17:00' }] })] }),
      'layers.0.restrictions.0.startDay',
      'must be an ISO weekday 1–7, got 0',
    ],
    [
      'window time',
      schedule({ layers: [layer({ restrictions: [{ kind: 'daily', start: '25:00', end: '17:00' }] })] }),
      'layers.0.restrictions.0.start',
      'must be a time of day HH:MM (00:00–23:59), got 25:00',
    ],
    ['override ending before it starts', schedule({ overrides: [override({ end: start })] }), 'overrides.0.end', 'must be after start'],
    ['override without user', schedule({ overrides: [override({ userId: '' })] }), 'overrides.0.userId', 'must be a user id'],
    ['duplicate override ids', schedule({ overrides: [override(), override()] }), 'overrides.1.id', 'duplicates overrides.0.id (o1)'],
    ['duplicate layer ids', schedule({ layers: [layer(), layer()] }), 'layers.1.id', 'duplicates layers.0.id (primary)'],
  ] as const)('reports %s', (_name, def, path, message) => {
    expect(validateSchedule(def)).toContainEqual({ path, message });
  });

  it('accepts 24:00 as the end of a window that runs to midnight', () => {
    expect(validateSchedule(schedule({ layers: [layer({ restrictions: [{ kind: 'daily', start: '00:00', end: '24:00' }] })] }))).toEqual([]);
  });

  it('lists every problem at once', () => {
    const issues = validateSchedule(schedule({ timeZone: 'Nowhere', layers: [layer({ participants: [], turn: { unit: 'days', count: 0 } })] }));
    expect(issues.map((i) => i.path)).toEqual(['timeZone', 'layers.0.participants', 'layers.0.turn.count']);
  });

  it('makes the engine refuse an invalid definition with every issue listed', () => {
    const bad = schedule({ layers: [layer({ turn: { unit: 'days', count: 0 } })] });
    expect(() => finalSchedule(bad, { start, end: (start + 1000) as typeof start })).toThrow(InvalidScheduleError);
    expect(() => whoIsOnCall(bad, start)).toThrow(/layers\.0\.turn\.count must be a whole number/);
  });
});
