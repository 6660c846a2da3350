import { describe, expect, it } from 'vitest';
import { changeWindow, DEFAULT_CHANGE_LOOKBACK_MS, DEFAULT_SUSPECT_WINDOW_MS, inRange, markChange, newestFirst, suspectWindow } from './changes.js';

const at = (iso: string) => Date.parse(iso);
const detectedAt = at('2026-11-21T10:00:00Z');

describe('the change window of an incident', () => {
  it('runs from 24 hours before detection until now while the incident is open', () => {
    expect(changeWindow({ detectedAt, resolvedAt: null }, at('2026-11-21T11:30:00Z'))).toEqual({ from: at('2026-11-20T10:00:00Z'), to: at('2026-11-21T11:30:00Z') });
    expect(DEFAULT_CHANGE_LOOKBACK_MS).toBe(24 * 3_600_000);
  });

  it('ends at resolution once resolved, and takes another lookback', () => {
    expect(changeWindow({ detectedAt, resolvedAt: at('2026-11-21T12:00:00Z') }, at('2026-11-22T08:00:00Z'), 2 * 3_600_000)).toEqual({ from: at('2026-11-21T08:00:00Z'), to: at('2026-11-21T12:00:00Z') });
  });

  it('still reaches detection when detection is ahead of now (a sender’s clock ahead)', () => {
    expect(changeWindow({ detectedAt, resolvedAt: null }, at('2026-11-21T09:59:00Z')).to).toBe(detectedAt);
  });
});

describe('suspects', () => {
  const window = suspectWindow({ detectedAt });

  it.each([
    { name: 'four hours before detection, the edge', change: '2026-11-21T06:00:00Z', suspect: true },
    { name: 'one minute before detection', change: '2026-11-21T09:59:00Z', suspect: true },
    { name: 'at detection', change: '2026-11-21T10:00:00Z', suspect: true },
    { name: 'a millisecond past four hours before', change: '2026-11-21T05:59:59.999Z', suspect: false },
    { name: 'after detection (a fix, or made during the response)', change: '2026-11-21T10:00:00.001Z', suspect: false },
  ])('$name: suspect $suspect', ({ change, suspect }) => {
    expect(inRange(at(change), window)).toBe(suspect);
  });

  it('uses a four hour window by default and another when given', () => {
    expect(DEFAULT_SUSPECT_WINDOW_MS).toBe(4 * 3_600_000);
    expect(suspectWindow({ detectedAt }, 30 * 60_000)).toEqual({ from: at('2026-11-21T09:30:00Z'), to: detectedAt });
  });
});

describe('ordering', () => {
  it('lists the newest change first, ties by id newest first, without changing the input', () => {
    const input = [
      { id: '01A', at: at('2026-11-21T08:00:00Z') },
      { id: '01C', at: at('2026-11-21T09:00:00Z') },
      { id: '01B', at: at('2026-11-21T09:00:00Z') },
      { id: '01D', at: at('2026-11-20T23:00:00Z') },
    ];
    expect(newestFirst(input).map((c) => c.id)).toEqual(['01C', '01B', '01A', '01D']);
    expect(input.map((c) => c.id)).toEqual(['01A', '01C', '01B', '01D']);
  });
});

describe('marking a change', () => {
  const change = { id: 'chg1', summary: 'Deploy checkout v1.42.0', serviceHandle: 'checkout' };

  it.each([
    { previous: null, next: 'caused', action: 'change-caused', summary: 'Marked change checkout: Deploy checkout v1.42.0 as the cause' },
    { previous: 'caused', next: 'dismissed', action: 'change-dismissed', summary: 'Marked change checkout: Deploy checkout v1.42.0 as not related' },
    { previous: null, next: 'suspect', action: 'change-suspect', summary: 'Marked change checkout: Deploy checkout v1.42.0 as a suspect' },
    { previous: 'suspect', next: null, action: 'change-unmark', summary: 'Cleared the mark on change checkout: Deploy checkout v1.42.0' },
  ] as const)('$previous → $next is one timeline entry of kind change', ({ previous, next, action, summary }) => {
    expect(markChange({ previous, next, note: null, change }, { actor: '@ana' })).toEqual({
      changed: true,
      entry: { kind: 'change', action, actor: '@ana', summary, data: { changeId: 'chg1', serviceHandle: 'checkout', mark: next, previous } },
    });
  });

  it('adds the note to the entry', () => {
    const decision = markChange({ previous: null, next: 'caused', note: 'pool size too small', change }, { actor: '@ana' });
    expect(decision.changed && decision.entry.summary).toBe('Marked change checkout: Deploy checkout v1.42.0 as the cause: pool size too small');
  });

  it('changes nothing when the mark is already set, or already clear', () => {
    expect(markChange({ previous: 'caused', next: 'caused', note: 'again', change }, { actor: '@ana' })).toEqual({ changed: false });
    expect(markChange({ previous: null, next: null, note: null, change }, { actor: '@ana' })).toEqual({ changed: false });
  });
});
