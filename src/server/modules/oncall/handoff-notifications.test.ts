import { describe, expect, it } from 'vitest';
import { MAX_SUBJECT_LENGTH } from '../notify/channels/channel.js';
import { handoffMessage, type HandoffMessageInput } from '../notify/messages.js';
import { handoffJobKey, handoffsDue, scanWindow, type ShiftSpan } from './handoff-notifications.js';

const at = (text: string) => Date.parse(text);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('which handoffs a scan announces', () => {
  const drawn = { start: at('2026-06-01T00:00:00Z'), end: at('2026-08-01T00:00:00Z') };
  const shifts: ShiftSpan[] = [
    { scheduleId: 'primary', userId: 'ana', start: at('2026-07-06T12:00:00Z'), end: at('2026-07-07T12:00:00Z') },
    { scheduleId: 'primary', userId: 'ben', start: at('2026-07-07T12:00:00Z'), end: at('2026-07-08T12:00:00Z') },
    // Reaches past what was drawn on both sides: those edges are where drawing stopped, not handoffs.
    { scheduleId: 'secondary', userId: 'ana', start: drawn.start, end: drawn.end },
  ];
  const leads = new Map([
    ['ana', 15 * MIN],
    ['ben', 60 * MIN],
  ]);
  const due = (after: string, upTo: string, lead = leads) => handoffsDue(shifts, lead, { after: at(after), upTo: at(upTo) }, drawn).map((h) => [h.userId, h.kind, new Date(h.boundary).toISOString(), new Date(h.notifyAt).toISOString()]);

  it.each([
    ['the start, when its lead time falls in the window', '2026-07-06T11:40:00Z', '2026-07-06T11:45:00Z', [['ana', 'start', '2026-07-06T12:00:00.000Z', '2026-07-06T11:45:00.000Z']]],
    ['nothing, when the lead time is the window’s open start', '2026-07-06T11:45:00Z', '2026-07-06T11:50:00Z', []],
    [
      'each person at their own lead: ana’s end 15 min ahead, ben’s start an hour ahead',
      '2026-07-07T10:00:00Z',
      '2026-07-07T12:00:00Z',
      [
        ['ben', 'start', '2026-07-07T12:00:00.000Z', '2026-07-07T11:00:00.000Z'],
        ['ana', 'end', '2026-07-07T12:00:00.000Z', '2026-07-07T11:45:00.000Z'],
      ],
    ],
  ])('finds %s', (_name, after, upTo, expected) => {
    expect(due(after, upTo)).toEqual(expected);
  });

  it('leaves out people who did not opt in', () => {
    expect(due('2026-07-07T10:00:00Z', '2026-07-07T12:00:00Z', new Map([['ana', 15 * MIN]]))).toEqual([['ana', 'end', '2026-07-07T12:00:00.000Z', '2026-07-07T11:45:00.000Z']]);
  });

  it('announces every handoff exactly once over consecutive windows, whatever their sizes', () => {
    const cuts = ['2026-07-05T00:00:00Z', '2026-07-06T11:44:59Z', '2026-07-06T11:45:00Z', '2026-07-07T11:00:00Z', '2026-07-07T11:03:00Z', '2026-07-09T00:00:00Z'].map(at);
    const all = cuts.slice(1).flatMap((upTo, i) => handoffsDue(shifts, leads, { after: cuts[i]!, upTo }, drawn));
    expect(all.map(handoffJobKey)).toEqual([
      'notify.send-handoff:ana:primary:start:2026-07-06T12:00:00.000Z',
      'notify.send-handoff:ben:primary:start:2026-07-07T12:00:00.000Z',
      'notify.send-handoff:ana:primary:end:2026-07-07T12:00:00.000Z',
      'notify.send-handoff:ben:primary:end:2026-07-08T12:00:00.000Z',
    ]);
  });
});

describe('the window one scan covers', () => {
  const limits = { intervalMs: 5 * MIN, maxCatchUpMs: DAY, countLimitMs: 7 * DAY };
  const now = at('2026-07-09T13:00:00Z');

  it.each([
    ['the first scan looks back one interval', null, { after: now - 5 * MIN, upTo: now, skipped: null }],
    ['a regular scan continues from the cursor', now - 5 * MIN, { after: now - 5 * MIN, upTo: now, skipped: null }],
    ['a scan a whole day late still sends everything', now - DAY, { after: now - DAY, upTo: now, skipped: null }],
    ['after three days down, only the last day is sent and the rest counted', now - 3 * DAY, { after: now - DAY, upTo: now, skipped: { after: now - 3 * DAY, upTo: now - DAY, partial: false } }],
    ['after a month down, only the week before the last day is counted', now - 30 * DAY, { after: now - DAY, upTo: now, skipped: { after: now - 8 * DAY, upTo: now - DAY, partial: true } }],
    ['a node whose clock is behind the cursor scans nothing and never moves it back', now + 2 * MIN, { after: now + 2 * MIN, upTo: now + 2 * MIN, skipped: null }],
  ])('%s', (_name, last, expected) => {
    expect(scanWindow(last, now, limits)).toEqual(expected);
  });
});

describe('handoff message text', () => {
  const base: HandoffMessageInput = {
    kind: 'start',
    personName: 'Ana Lima',
    scheduleName: 'Platform primary',
    boundary: at('2026-07-06T12:00:00Z'),
    shiftStart: at('2026-07-06T12:00:00Z'),
    shiftEnd: at('2026-07-07T12:00:00Z'),
    now: at('2026-07-06T11:45:00Z'),
    timeZone: 'America/New_York',
    otherPerson: 'Ben Silva',
    scheduleUrl: 'https://oncall.example.com/oncall/schedules/platform-primary',
    settingsUrl: 'https://oncall.example.com/settings/contact-methods',
  };

  it('counts down to the start and shows the shift in the person’s zone, with the schedule link', () => {
    const m = handoffMessage(base);
    expect(m.subject).toBe('On call in 15 min: Platform primary');
    expect(m.text).toContain('Ana Lima, your on-call shift in Platform primary starts in 15 minutes, at Mon 6 Jul 2026, 08:00.');
    expect(m.text).toContain('Shift: Mon 6 Jul 2026, 08:00 – Tue 7 Jul 2026, 08:00 (America/New_York)');
    expect(m.text).toContain('Taking over from: Ben Silva');
    expect(m.text).toContain('Schedule: https://oncall.example.com/oncall/schedules/platform-primary');
  });

  it.each([
    ['start', '2026-07-06T10:30:00Z', 'On call in 1 h 30 min: Platform primary'],
    ['start', '2026-07-06T12:20:00Z', 'On call now: Platform primary'],
    ['end', '2026-07-06T11:00:00Z', 'On-call shift ends in 1 h: Platform primary'],
    ['end', '2026-07-06T12:00:00Z', 'On-call shift ended: Platform primary'],
  ] as const)('words a %s notification written at %s as “%s”', (kind, now, subject) => {
    expect(handoffMessage({ ...base, kind, now: at(now) }).subject).toBe(subject);
  });

  it('says when the handoff already passed instead of counting down to it', () => {
    expect(handoffMessage({ ...base, kind: 'end', now: at('2026-07-06T13:00:00Z') }).text).toContain('your on-call shift in Platform primary ended at Mon 6 Jul 2026, 08:00.');
  });

  it('warns when nobody takes over after the shift, and leaves out what is not known', () => {
    const m = handoffMessage({ ...base, kind: 'end', otherPerson: null, shiftStart: null });
    expect(m.text).toContain('After you: nobody is on call in this schedule');
    expect(m.text).toContain('Shift: more than five weeks before – Tue 7 Jul 2026, 08:00');
    expect(handoffMessage({ ...base, otherPerson: undefined }).text).not.toContain('Taking over');
  });

  it('keeps the subject within 50 characters by shortening a long schedule name', () => {
    const m = handoffMessage({ ...base, kind: 'end', now: at('2026-07-06T10:31:00Z'), scheduleName: 'Payments platform — primary rotation (EMEA + Americas)' });
    expect(m.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(m.subject).toMatch(/^On-call shift ends in 1 h 29 min: Pay.*…$/);
  });
});
