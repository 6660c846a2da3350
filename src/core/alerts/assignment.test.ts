import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertState } from './alert.js';
import { expireAcknowledgement, MAX_SNOOZE_MS, reassign, snooze, wake } from './assignment.js';

const T0 = Date.UTC(2026, 10, 21, 9, 0);
const alert = (over: Partial<AlertState> = {}): AlertState => ({
  dedupKey: 'disk', title: 'Disk full', description: '', source: null, severity: 'critical', urgency: 'high', status: 'triggered', eventCount: 1,
  firstSeenAt: T0, lastSeenAt: T0, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null,
  labels: {}, details: null, links: [], images: [], members: [], ...over,
});
const alice = { kind: 'user' as const, id: 'U1', label: '@alice' };

describe('reassign', () => {
  it('hands an acknowledged alert to someone else: triggered again, asks to notify, on the timeline', () => {
    const d = reassign(alert({ status: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'bob', snoozedUntil: T0 + 60_000 }), alice, { now: T0 + 1000, actor: 'bob', note: 'Alice knows the disk layout' });
    if ('refused' in d) throw new Error(d.refused);
    expect(d.alert).toMatchObject({ status: 'triggered', acknowledgedAt: null, acknowledgedBy: null, assignee: alice, snoozedUntil: null });
    expect(d.notify).toBe(true);
    expect(d.timeline.map((e) => e.summary)).toEqual(['Reassigned to @alice by bob', 'Alice knows the disk layout']);
  });

  it('refuses a resolved alert', () => {
    expect(reassign(alert({ status: 'resolved', resolvedAt: T0 }), alice, { now: T0, actor: 'bob' })).toEqual({ refused: 'is resolved; it cannot be reassigned' });
  });
});

describe('snooze and wake', () => {
  it('acknowledges until a time, then the matching wake-up triggers it again and asks to notify', () => {
    const until = T0 + 30 * 60_000;
    const snoozed = snooze(alert(), until, { now: T0, actor: 'bob' });
    if ('refused' in snoozed) throw new Error(snoozed.refused);
    expect(snoozed.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'bob', acknowledgedAt: T0, snoozedUntil: until });
    expect(snoozed.notify).toBe(false);
    expect(snoozed.timeline[0]?.summary).toBe('Snoozed until 2026-11-21T09:30:00Z by bob');
    const woken = wake(snoozed.alert as AlertState, until, { now: until, actor: 'Firebreak' });
    expect(woken?.alert).toMatchObject({ status: 'triggered', acknowledgedAt: null, snoozedUntil: null });
    expect(woken?.notify).toBe(true);
  });

  it('keeps the first acknowledgement when snoozing an acknowledged alert', () => {
    const d = snooze(alert({ status: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'carol' }), T0 + 60_000, { now: T0 + 10, actor: 'bob' });
    expect('refused' in d ? null : d.alert).toMatchObject({ acknowledgedAt: T0, acknowledgedBy: 'carol' });
  });

  it('refuses the past, more than a week and resolved alerts', () => {
    expect(snooze(alert(), T0, { now: T0, actor: 'bob' })).toEqual({ refused: 'cannot be snoozed until a time that has passed' });
    expect(snooze(alert(), T0 + MAX_SNOOZE_MS + 1, { now: T0, actor: 'bob' })).toEqual({ refused: 'cannot be snoozed for more than 7 days' });
    expect(snooze(alert({ status: 'resolved' }), T0 + 1000, { now: T0, actor: 'bob' })).toEqual({ refused: 'is resolved; it cannot be snoozed' });
  });

  it('a stale wake-up changes nothing: resolved, re-snoozed, reassigned or acknowledged afresh since', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_SNOOZE_MS }), fc.integer({ min: 1, max: MAX_SNOOZE_MS }), fc.constantFrom('resolved', 'resnoozed', 'reassigned'), (first, second, change) => {
        const snoozed = snooze(alert(), T0 + first, { now: T0, actor: 'bob' });
        if ('refused' in snoozed) return;
        let state = snoozed.alert as AlertState;
        if (change === 'resolved') state = { ...state, status: 'resolved', resolvedAt: T0 + 1, snoozedUntil: null };
        if (change === 'reassigned') state = (reassign(state, alice, { now: T0 + 1, actor: 'bob' }) as { alert: AlertState }).alert;
        if (change === 'resnoozed') {
          if (second === first) return;
          state = (snooze(state, T0 + second, { now: T0, actor: 'bob' }) as { alert: AlertState }).alert;
        }
        expect(wake(state, T0 + first, { now: T0 + first, actor: 'Firebreak' })).toBeNull();
      }),
    );
  });
});

describe('expireAcknowledgement', () => {
  it('triggers an acknowledged alert again and asks to notify, naming the timeout and who had acknowledged', () => {
    const d = expireAcknowledgement(alert({ status: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'bob', snoozedUntil: null }), { now: T0 + 30 * 60_000, actor: 'Firebreak', minutes: 30 });
    expect(d?.alert).toMatchObject({ status: 'triggered', acknowledgedAt: null, acknowledgedBy: null });
    expect(d?.notify).toBe(true);
    expect(d?.timeline).toEqual([{ kind: 'action', action: 'ack-timeout', actor: 'Firebreak', summary: 'Acknowledgement timed out after 30 min; re-triggered', data: { minutes: 30, acknowledgedBy: 'bob' } }]);
  });

  it('leaves alone an alert that is triggered, resolved, or snoozed (a snooze has its own wake-up)', () => {
    const ctx = { now: T0, actor: 'Firebreak', minutes: 30 };
    expect(expireAcknowledgement(alert(), ctx)).toBeNull();
    expect(expireAcknowledgement(alert({ status: 'resolved', resolvedAt: T0 }), ctx)).toBeNull();
    expect(expireAcknowledgement(alert({ status: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'bob', snoozedUntil: T0 + 60_000 }), ctx)).toBeNull();
  });
});
