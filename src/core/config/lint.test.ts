import { describe, expect, it } from 'vitest';
import type { ConfigDocument, EscalationPolicyDocument, ScheduleDocument } from '../../contracts/config.js';
import { lintDocuments, type ConfigLint } from './lint.js';

type Layer = ScheduleDocument['spec']['layers'][number];

const weekly = (participants: string[], extra: Partial<Layer> = {}): Layer => ({
  id: 'weekly',
  name: 'Weekly',
  participants,
  // Monday 2026-03-02 09:00 in New York (EST); clocks go forward on Sunday 2026-03-08.
  start: '2026-03-02T14:00:00Z',
  handoffTime: '09:00',
  turn: { unit: 'weeks', count: 1 },
  advance: 'calendar',
  ...extra,
});
const schedule = (name: string, layers: Layer[]): ScheduleDocument => ({ apiVersion: 'firebreak/v1', kind: 'Schedule', metadata: { name }, spec: { name, timeZone: 'America/New_York', layers } });
const policy = (name: string, levels: EscalationPolicyDocument['spec']['levels']): EscalationPolicyDocument => ({
  apiVersion: 'firebreak/v1',
  kind: 'EscalationPolicy',
  metadata: { name },
  spec: { name, levels, repeat: 0, skipEmptyLevels: true },
});

const MARCH_1 = Date.parse('2026-03-01T00:00:00Z');
const MARCH_2_9AM = Date.parse('2026-03-02T14:00:00Z');
const show = (lints: ConfigLint[]) => lints.map((l) => ({ at: `${l.index} ${l.path.join('.')}`, code: l.code, message: l.message, intervals: l.intervals.map((i) => `${new Date(i.start).toISOString()}/${new Date(i.end).toISOString()}`), localIntervals: l.localIntervals }));

describe('lintDocuments', () => {
  it('reports a rotation of two at its participants and the gaps before and after the layer, exactly, in the schedule’s zone', () => {
    const primary = schedule('primary', [weekly(['ana', 'bob'], { end: '2026-03-16T13:00:00Z' })]);
    expect(show(lintDocuments([primary], { now: MARCH_1, days: 30 }))).toEqual([
      {
        at: '0 spec.layers.0.participants',
        code: 'ROTATION_TOO_SMALL',
        message: 'Layer `Weekly` of schedule `primary` rotates between only 2 people (ana, bob); with fewer than 3 each is on call at least half the time',
        intervals: [],
        localIntervals: [],
      },
      {
        at: '0 spec.layers',
        code: 'SCHEDULE_GAP',
        message: 'Schedule `primary` has no one on call 2026-02-28 19:00 – 2026-03-02 09:00 and 2026-03-16 09:00 – 2026-03-30 20:00 America/New_York',
        intervals: ['2026-03-01T00:00:00.000Z/2026-03-02T14:00:00.000Z', '2026-03-16T13:00:00.000Z/2026-03-31T00:00:00.000Z'],
        localIntervals: ['2026-02-28 19:00 – 2026-03-02 09:00 America/New_York', '2026-03-16 09:00 – 2026-03-30 20:00 America/New_York'],
      },
    ]);
  });

  it('reports the same person on call in two schedules a policy escalates between, at the secondary’s target, to the window’s exact end', () => {
    const primary = schedule('primary', [weekly(['ana', 'bob', 'carol'])]);
    const secondary = schedule('secondary', [weekly(['carol', 'bob', 'ana'])]);
    const platform = policy('platform', [
      { delayMinutes: 10, targets: [{ schedule: 'primary' }] },
      { delayMinutes: 10, targets: [{ user: 'dave' }, { schedule: 'secondary' }] },
    ]);
    expect(show(lintDocuments([primary, secondary, platform], { now: MARCH_2_9AM, days: 28 }))).toEqual([
      {
        at: '2 spec.levels.1.targets.1.schedule',
        code: 'SAME_PERSON_PRIMARY_AND_SECONDARY',
        message: '`bob` is on call in both schedule `primary` and schedule `secondary` 2026-03-09 09:00 – 2026-03-16 09:00 and 2026-03-30 09:00–10:00 America/New_York, so escalating to the secondary pages the same person',
        // The window is 28 × 24 hours from 09:00 EST; after the change to EDT it ends at 10:00 local,
        // one hour into bob's next week on both schedules.
        intervals: ['2026-03-09T13:00:00.000Z/2026-03-16T13:00:00.000Z', '2026-03-30T13:00:00.000Z/2026-03-30T14:00:00.000Z'],
        localIntervals: ['2026-03-09 09:00 – 2026-03-16 09:00 America/New_York', '2026-03-30 09:00–10:00 America/New_York'],
      },
    ]);
  });

  it('does not pair schedules merely by name, nor a schedule with itself, nor levels that are not consecutive', () => {
    const primary = schedule('platform-primary', [weekly(['ana', 'bob', 'carol'])]);
    const secondary = schedule('platform-secondary', [weekly(['ana', 'bob', 'carol'])]);
    const again = policy('again', [
      { delayMinutes: 10, targets: [{ schedule: 'platform-primary' }] },
      { delayMinutes: 10, targets: [{ schedule: 'platform-primary' }] },
      { delayMinutes: 10, targets: [{ user: 'ana' }] },
      { delayMinutes: 10, targets: [{ schedule: 'platform-secondary' }] },
    ]);
    expect(lintDocuments([primary, secondary, again], { now: MARCH_2_9AM, days: 28 })).toEqual([]);
  });

  it('pairs through a policy that is only on the server, reporting on the schedule in the documents', () => {
    const primary = schedule('primary', [weekly(['ana', 'bob', 'carol'])]);
    const secondary = schedule('secondary', [weekly(['ana', 'bob', 'carol'])]);
    const platform = policy('platform', [
      { delayMinutes: 10, targets: [{ schedule: 'primary' }] },
      { delayMinutes: 10, targets: [{ schedule: 'secondary' }] },
    ]);
    const lints = lintDocuments([secondary], { now: MARCH_2_9AM, days: 7, context: [primary, platform] });
    expect(lints.map((l) => `${l.index} ${l.path.join('.')} ${l.code} ${l.localIntervals.join(', ')}`)).toEqual([
      '0 metadata.name SAME_PERSON_PRIMARY_AND_SECONDARY 2026-03-02 09:00 – 2026-03-09 09:00 America/New_York',
      '0 metadata.name SAME_PERSON_PRIMARY_AND_SECONDARY 2026-03-09 09:00–10:00 America/New_York',
    ]);
  });

  it('checks contact methods only when told who has a verified one, at the person’s first place in the layers', () => {
    const primary = schedule('primary', [weekly(['ana', 'bob', 'carol']), weekly(['dave', 'bob', 'erin'], { id: 'nights', handoffTime: '21:00' })]);
    expect(lintDocuments([primary], { now: MARCH_2_9AM, days: 7 })).toEqual([]);
    const lints = lintDocuments([primary], { now: MARCH_2_9AM, days: 7, hasVerifiedHighUrgencyMethod: (handle) => !['bob', 'erin'].includes(handle) });
    expect(lints.map((l) => `${l.path.join('.')}: ${l.message}`)).toEqual([
      'spec.layers.0.participants.1: `bob` is on schedule `primary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'spec.layers.1.participants.2: `erin` is on schedule `primary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
    ]);
  });

  it('counts live overrides as cover, so the gap they fill is not reported', () => {
    const primary = schedule('primary', [weekly(['ana', 'bob', 'carol'], { start: '2026-03-03T14:00:00Z' })]);
    const lints = lintDocuments([primary], {
      now: MARCH_2_9AM,
      days: 7,
      overrides: () => [{ id: 'o1', userId: 'dave', start: MARCH_2_9AM as never, end: Date.parse('2026-03-03T02:00:00Z') as never }],
    });
    expect(lints.map((l) => l.localIntervals)).toEqual([['2026-03-02 21:00 – 2026-03-03 09:00 America/New_York']]);
  });

  it('lints only the documents given, not the context', () => {
    const context: ConfigDocument[] = [schedule('other', [weekly(['ana'])])];
    expect(lintDocuments([], { now: MARCH_1, context })).toEqual([]);
  });
});
