import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAction, applyEvent, isOpen, type AlertEvent, type AlertState, type EventContext, type Member, type UrgencyRules } from './alert.js';

/** Flap damping (docs/alerts.md, "Maintenance windows, silences, flapping and storms"; ADR 0019). */

const T0 = Date.parse('2027-02-01T09:00:00Z');
const MIN = 60_000;
const urgency: UrgencyRules = { critical: 'high', error: 'high', warning: 'low', info: 'low' };

const trigger = (dedupKey: string, severity: 'critical' | 'error' | 'warning' | 'info' = 'error'): AlertEvent => ({
  action: 'trigger', dedupKey, title: `Problem ${dedupKey}`, description: '', source: null, severity, labels: {}, details: null, links: [], images: [],
});
const resolve = (dedupKey: string): AlertEvent => ({ action: 'resolve', dedupKey });
const member = (fingerprint: string, status: 'firing' | 'resolved', startsAt: number): Member => ({
  fingerprint, status, labels: { alertname: 'Disk' }, annotations: {}, startsAt, endsAt: null, generatorUrl: null,
});
const group = (dedupKey: string, members: Member[]): AlertEvent => ({
  action: 'group', dedupKey, title: 'Disk', description: '', source: null, severity: 'error', labels: {}, details: null, links: [], images: [], members,
});

const ctx = (now: number, flapMinutes: number, lastResolved: AlertState | null = null): EventContext => ({ now, urgency, actor: 'prometheus', lastResolved, flapWindowMs: flapMinutes * MIN });

/** The intake loop for one key: the open alert, else the last resolved one (as alert.service.ts looks them up). */
function simulate(steps: Array<{ event: AlertEvent; at: number }>, flapMinutes: number) {
  const alerts: AlertState[] = [];
  const outcomes: string[] = [];
  const notifies: boolean[] = [];
  for (const { event, at } of steps) {
    const last = alerts[alerts.length - 1] ?? null;
    const open = last && isOpen(last) ? last : null;
    const d = applyEvent(open, event, ctx(at, flapMinutes, open ? null : last));
    outcomes.push(d.outcome);
    notifies.push(d.notify);
    if (d.alert) {
      if (d.created) alerts.push(d.alert);
      else alerts[alerts.length - 1] = d.alert;
    }
  }
  return { alerts, outcomes, notifies };
}

describe('flap damping', () => {
  it('reopens an alert that resolved and re-triggers within the window, with “Reopened: flapping” on its timeline', () => {
    const opened = applyEvent(null, trigger('disk'), ctx(T0, 10));
    const resolved = applyEvent(opened.alert, resolve('disk'), ctx(T0 + MIN, 10));
    const again = applyEvent(null, trigger('disk', 'critical'), ctx(T0 + 4 * MIN, 10, resolved.alert));
    expect(again).toMatchObject({ created: false, outcome: 'updated', notify: true });
    expect(again.alert).toMatchObject({ status: 'triggered', resolvedAt: null, resolvedBy: null, eventCount: 3, firstSeenAt: T0, lastSeenAt: T0 + 4 * MIN, severity: 'critical' });
    expect(again.timeline).toEqual([expect.objectContaining({ action: 'reopen', summary: expect.stringMatching(/^Reopened: flapping \(resolved 3 min ago, within the 10-minute flap window\)/) })]);
  });

  it('creates a new alert once the window has passed, and always when flap damping is off', () => {
    const opened = applyEvent(null, trigger('disk'), ctx(T0, 10));
    const resolved = applyEvent(opened.alert, resolve('disk'), ctx(T0 + MIN, 10));
    expect(applyEvent(null, trigger('disk'), ctx(T0 + 11 * MIN + 1, 10, resolved.alert))).toMatchObject({ created: true, outcome: 'created' });
    expect(applyEvent(null, trigger('disk'), ctx(T0 + 2 * MIN, 0, resolved.alert))).toMatchObject({ created: true, outcome: 'created' });
  });

  it('reopens an alert someone had acknowledged as acknowledged, notifying nobody', () => {
    const opened = applyEvent(null, trigger('disk'), ctx(T0, 10));
    const acked = applyAction(opened.alert as AlertState, 'acknowledge', { now: T0 + MIN, actor: 'ana' });
    if ('refused' in acked) throw new Error('refused');
    const resolved = applyEvent(acked.alert, resolve('disk'), ctx(T0 + 2 * MIN, 10));
    const again = applyEvent(null, trigger('disk'), ctx(T0 + 3 * MIN, 10, resolved.alert));
    expect(again).toMatchObject({ created: false, notify: false });
    expect(again.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ana' });
    expect(again.timeline[0]?.summary).toMatch(/still acknowledged$/);
  });

  it('reopens an Alertmanager group with its members, but a late HA duplicate still does not reopen it', () => {
    const opened = applyEvent(null, group('g', [member('a', 'firing', T0)]), ctx(T0, 10));
    const resolved = applyEvent(opened.alert, group('g', [member('a', 'resolved', T0)]), ctx(T0 + MIN, 10));
    expect(resolved.alert?.status).toBe('resolved');
    const late = applyEvent(null, group('g', [member('a', 'firing', T0)]), ctx(T0 + 2 * MIN, 10, resolved.alert));
    expect(late.outcome).toBe('ignored');
    const again = applyEvent(null, group('g', [member('a', 'firing', T0 + 2 * MIN), member('b', 'firing', T0 + 2 * MIN)]), ctx(T0 + 2 * MIN, 10, resolved.alert));
    expect(again).toMatchObject({ created: false, outcome: 'updated', notify: true });
    expect(again.alert?.members.map((m) => `${m.fingerprint}:${m.status}`)).toEqual(['a:firing', 'b:firing']);
  });

  it('property: alerts are created exactly when a trigger finds none open and the last resolved more than the window ago', () => {
    const step = fc.record({ kind: fc.constantFrom('trigger', 'resolve'), gapMinutes: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (raw, flap) => {
        let at = T0;
        const steps = raw.map((s) => ({ event: s.kind === 'trigger' ? trigger('k') : resolve('k'), at: (at += s.gapMinutes * MIN) }));
        const { alerts, outcomes } = simulate(steps, flap);
        // Expected, from the definition alone.
        let open = false;
        let resolvedAt: number | null = null;
        let created = 0;
        steps.forEach(({ event, at: now }) => {
          if (event.action === 'trigger' && !open) {
            if (!(flap > 0 && resolvedAt !== null && now - resolvedAt <= flap * MIN)) created++;
            open = true;
          } else if (event.action === 'resolve' && open) {
            open = false;
            resolvedAt = now;
          }
        });
        expect(alerts).toHaveLength(created);
        expect(outcomes.filter((o) => o === 'created')).toHaveLength(created);
        // At most one alert is open, and it is the latest.
        expect(alerts.slice(0, -1).every((a) => a.status === 'resolved')).toBe(true);
        // Every event is counted on some alert (ignored resolves excepted).
        const counted = alerts.reduce((n, a) => n + a.eventCount, 0);
        expect(counted).toBe(outcomes.filter((o) => o !== 'ignored').length);
      }),
      { numRuns: 300 },
    );
  });
});
