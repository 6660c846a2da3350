import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAction, applyEvent, isOpen, isWebUrl, type AlertEvent, type AlertState, type Member, type UrgencyRules } from './alert.js';
import { takeToken } from './rate-limit.js';

const T0 = Date.parse('2026-11-21T05:00:00Z');
const MIN = 60_000;
const urgency: UrgencyRules = { critical: 'high', error: 'high', warning: 'low', info: 'low' };
const ctx = (now: number, actor = 'prometheus') => ({ now, urgency, actor });

const trigger = (dedupKey: string, over: Partial<Extract<AlertEvent, { action: 'trigger' }>> = {}): AlertEvent => ({
  action: 'trigger', dedupKey, title: `Problem ${dedupKey}`, description: '', source: 'host-1', severity: 'error', labels: {}, details: null, links: [], images: [], ...over,
});
const member = (fingerprint: string, status: 'firing' | 'resolved', startsAt = T0): Member => ({
  fingerprint, status, labels: { alertname: 'Disk', severity: 'critical' }, annotations: {}, startsAt, endsAt: status === 'resolved' ? startsAt + MIN : null, generatorUrl: null,
});
const group = (dedupKey: string, members: Member[]): AlertEvent => ({
  action: 'group', dedupKey, title: 'Disk', description: '', source: null, severity: 'error', labels: {}, details: null, links: [], images: [], members,
});

/** Applies events in order, keeping at most one open alert per key and every alert ever opened. */
function run(events: AlertEvent[], start = T0) {
  const open = new Map<string, AlertState>();
  const all: AlertState[] = [];
  const outcomes: string[] = [];
  events.forEach((event, i) => {
    const d = applyEvent(open.get(event.dedupKey) ?? null, event, ctx(start + i * 1000));
    outcomes.push(d.outcome);
    if (d.alert) {
      if (d.created) all.push(d.alert);
      else all[all.findLastIndex((a) => a.dedupKey === event.dedupKey)] = d.alert;
      if (isOpen(d.alert)) open.set(event.dedupKey, d.alert);
      else open.delete(event.dedupKey);
    }
  });
  return { open, all, outcomes };
}

describe('Events API v2 dedup semantics', () => {
  it.each([
    { name: 'a first trigger opens an alert and asks for a page', events: [trigger('a')], outcomes: ['created'], alerts: 1, open: 1 },
    { name: 'a second trigger with the same key only counts', events: [trigger('a'), trigger('a')], outcomes: ['created', 'updated'], alerts: 1, open: 1 },
    { name: 'acknowledge of an unknown key is ignored', events: [{ action: 'acknowledge', dedupKey: 'x' } as AlertEvent], outcomes: ['ignored'], alerts: 0, open: 0 },
    { name: 'resolve of a resolved key is ignored', events: [trigger('a'), { action: 'resolve', dedupKey: 'a' } as AlertEvent, { action: 'resolve', dedupKey: 'a' } as AlertEvent], outcomes: ['created', 'resolved', 'ignored'], alerts: 1, open: 0 },
    { name: 'a trigger after resolve opens a new alert', events: [trigger('a'), { action: 'resolve', dedupKey: 'a' } as AlertEvent, trigger('a')], outcomes: ['created', 'resolved', 'created'], alerts: 2, open: 1 },
    { name: 'acknowledge twice: the second is ignored', events: [trigger('a'), { action: 'acknowledge', dedupKey: 'a' } as AlertEvent, { action: 'acknowledge', dedupKey: 'a' } as AlertEvent], outcomes: ['created', 'acknowledged', 'ignored'], alerts: 1, open: 1 },
  ])('$name', ({ events, outcomes, alerts, open }) => {
    const result = run(events);
    expect(result.outcomes).toEqual(outcomes);
    expect(result.all).toHaveLength(alerts);
    expect(result.open.size).toBe(open);
  });

  it('counts events and moves last seen to the exact instant, keeping the first title', () => {
    const first = applyEvent(null, trigger('a'), ctx(T0));
    expect(first).toMatchObject({ outcome: 'created', notify: true, created: true });
    const second = applyEvent(first.alert, trigger('a', { title: 'Other title' }), ctx(T0 + 5 * MIN));
    expect(second.alert).toMatchObject({ eventCount: 2, firstSeenAt: T0, lastSeenAt: T0 + 5 * MIN, title: 'Problem a', status: 'triggered' });
    expect(second.notify).toBe(false);
  });

  it('does not page again for a trigger on an acknowledged alert', () => {
    const first = applyEvent(null, trigger('a', { severity: 'warning' }), ctx(T0));
    const acked = applyEvent(first.alert, { action: 'acknowledge', dedupKey: 'a' }, ctx(T0 + MIN));
    const again = applyEvent(acked.alert, trigger('a', { severity: 'critical' }), ctx(T0 + 2 * MIN));
    expect(again.alert).toMatchObject({ status: 'acknowledged', severity: 'critical', urgency: 'high', acknowledgedAt: T0 + MIN });
    expect(again.notify).toBe(false);
  });

  it('pages when a more severe trigger raises a triggered low-urgency alert to high urgency', () => {
    const first = applyEvent(null, trigger('a', { severity: 'warning' }), ctx(T0));
    expect(first.alert?.urgency).toBe('low');
    const raised = applyEvent(first.alert, trigger('a', { severity: 'critical' }), ctx(T0 + MIN));
    expect(raised).toMatchObject({ notify: true, alert: { urgency: 'high', severity: 'critical' } });
  });

  it('resolve records who and when', () => {
    const first = applyEvent(null, trigger('a'), ctx(T0));
    const resolved = applyEvent(first.alert, { action: 'resolve', dedupKey: 'a' }, ctx(T0 + 3 * MIN, 'nagios'));
    expect(resolved.alert).toMatchObject({ status: 'resolved', resolvedAt: T0 + 3 * MIN, resolvedBy: 'nagios', eventCount: 2 });
  });
});

describe('Alertmanager group semantics', () => {
  it('opens one alert for a group and resolves it when every member has', () => {
    const a = applyEvent(null, group('g', [member('f1', 'firing'), member('f2', 'firing')]), ctx(T0));
    expect(a).toMatchObject({ outcome: 'created', notify: true, alert: { severity: 'critical', urgency: 'high' } });
    const b = applyEvent(a.alert, group('g', [member('f1', 'resolved')]), ctx(T0 + MIN));
    expect(b.outcome).toBe('updated');
    expect(b.alert?.members.map((m) => [m.fingerprint, m.status])).toEqual([['f1', 'resolved'], ['f2', 'firing']]);
    const c = applyEvent(b.alert, group('g', [member('f1', 'resolved'), member('f2', 'resolved')]), ctx(T0 + 2 * MIN));
    expect(c).toMatchObject({ outcome: 'resolved', alert: { status: 'resolved', resolvedAt: T0 + 2 * MIN } });
  });

  it('ignores a resolved-only post for a group with no open alert', () => {
    expect(applyEvent(null, group('g', [member('f1', 'resolved')]), ctx(T0)).outcome).toBe('ignored');
  });

  it('opens a new alert when the group fires again after it resolved', () => {
    const { all, outcomes } = run([group('g', [member('f1', 'firing')]), group('g', [member('f1', 'resolved')]), group('g', [member('f1', 'firing', T0 + 10 * MIN)])]);
    expect(outcomes).toEqual(['created', 'resolved', 'created']);
    expect(all).toHaveLength(2);
  });

  it('ignores a late firing duplicate of a member the last resolved alert saw resolve, but opens for a new start', () => {
    const a = applyEvent(null, group('g', [member('f1', 'firing')]), ctx(T0));
    const resolved = applyEvent(a.alert, group('g', [member('f1', 'resolved')]), ctx(T0 + MIN)).alert;
    const late = applyEvent(null, group('g', [member('f1', 'firing')]), { ...ctx(T0 + 2 * MIN), lastResolved: resolved });
    expect(late.outcome).toBe('ignored');
    const refired = applyEvent(null, group('g', [member('f1', 'firing', T0 + 5 * MIN)]), { ...ctx(T0 + 6 * MIN), lastResolved: resolved });
    expect(refired.outcome).toBe('created');
  });

  it('treats a post that changes no member as a duplicate: only last seen moves', () => {
    const a = applyEvent(null, group('g', [member('f1', 'firing')]), ctx(T0));
    const b = applyEvent(a.alert, group('g', [member('f1', 'firing')]), ctx(T0 + MIN));
    expect(b).toMatchObject({ outcome: 'duplicate', timeline: [], notify: false });
    expect({ ...b.alert, lastSeenAt: 0 }).toEqual({ ...a.alert, lastSeenAt: 0 });
    expect(b.alert?.lastSeenAt).toBe(T0 + MIN);
  });

  it('duplicate posts are idempotent for any sequence of posts (property)', () => {
    const post = fc.array(fc.record({ fp: fc.constantFrom('f1', 'f2', 'f3'), firing: fc.boolean(), start: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 3 }).map((ms) =>
      group('g', ms.map((m) => member(m.fp, m.firing ? 'firing' : 'resolved', T0 + m.start * MIN))),
    );
    fc.assert(
      fc.property(fc.array(post, { minLength: 1, maxLength: 8 }), (posts) => {
        const once = run(posts);
        const twice = run(posts.flatMap((p) => [p, p]));
        const strip = (alerts: AlertState[]) => alerts.map((a) => ({ status: a.status, members: a.members, eventCount: a.eventCount, severity: a.severity }));
        expect(strip(twice.all)).toEqual(strip(once.all));
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('storms', () => {
  it('a storm of N events over K dedup keys ends with at most K open alerts (property)', () => {
    const event = (k: number) =>
      fc.oneof(
        fc.integer({ min: 0, max: k - 1 }).map((i) => trigger(`k${i}`)),
        fc.record({ i: fc.integer({ min: 0, max: k - 1 }), action: fc.constantFrom('acknowledge' as const, 'resolve' as const) }).map(({ i, action }) => ({ action, dedupKey: `k${i}` }) as AlertEvent),
        fc.record({ i: fc.integer({ min: 0, max: k - 1 }), firing: fc.boolean() }).map(({ i, firing }) => group(`k${i}`, [member('f', firing ? 'firing' : 'resolved')])),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((k) => fc.tuple(fc.constant(k), fc.array(event(k), { maxLength: 200 }))),
        ([k, events]) => {
          const { open, all } = run(events);
          expect(open.size).toBeLessThanOrEqual(k);
          // Never two open alerts for one key among every alert ever opened.
          const openKeys = all.filter(isOpen).map((a) => a.dedupKey);
          expect(new Set(openKeys).size).toBe(openKeys.length);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('actions by people', () => {
  const opened = applyEvent(null, trigger('a'), ctx(T0)).alert as AlertState;

  it('acknowledge then resolve, each on the timeline with its author', () => {
    const acked = applyAction(opened, 'acknowledge', { now: T0 + MIN, actor: 'ana' });
    if ('refused' in acked) throw new Error('refused');
    expect(acked.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: T0 + MIN, eventCount: 1 });
    expect(acked.timeline).toEqual([{ kind: 'action', action: 'acknowledge', actor: 'ana', summary: 'Acknowledged by ana', data: null }]);
    const resolved = applyAction(acked.alert as AlertState, 'resolve', { now: T0 + 2 * MIN, actor: 'bo', note: 'fixed disk' });
    if ('refused' in resolved) throw new Error('refused');
    expect(resolved.alert).toMatchObject({ status: 'resolved', resolvedBy: 'bo' });
    expect(resolved.timeline.map((e) => e.kind)).toEqual(['action', 'note']);
  });

  it('refuses to resolve a resolved alert', () => {
    const resolved = applyAction(opened, 'resolve', { now: T0, actor: 'ana' }) as { alert: AlertState };
    expect(applyAction(resolved.alert, 'resolve', { now: T0, actor: 'ana' })).toHaveProperty('refused');
  });
});

describe('token bucket', () => {
  it('allows the capacity at once, then refuses with the seconds until one token is back', () => {
    let bucket;
    for (let i = 0; i < 3; i++) {
      const d = takeToken(bucket, T0, 3, MIN);
      expect(d.allowed).toBe(true);
      bucket = d.bucket;
    }
    const refused = takeToken(bucket, T0, 3, MIN);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    expect(takeToken(refused.bucket, T0 + 20_000, 3, MIN).allowed).toBe(true);
  });

  it('a sender that probes while refused and then waits its Retry-After is let in (no rounding shortfall)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(fc.integer({ min: 1, max: 999 }), { maxLength: 20 }), (capacity, probes) => {
        let bucket;
        for (let i = 0; i < capacity; i++) bucket = takeToken(bucket, T0, capacity, MIN).bucket;
        let now = T0;
        let refused = takeToken(bucket, now, capacity, MIN);
        for (const gap of probes) {
          if (refused.allowed) return;
          now += gap;
          refused = takeToken(refused.bucket, now, capacity, MIN);
        }
        if (refused.allowed) return;
        expect(takeToken(refused.bucket, now + refused.retryAfterSeconds * 1000, capacity, MIN).allowed).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('isWebUrl', () => {
  it.each([
    ['https://grafana.example.com/d/abc?x=1', true],
    ['http://127.0.0.1/incidents/INC-42', true],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>', false],
    ['//evil.example.com', false],
    ['https://a b', false],
  ])('%s → %s', (url, expected) => {
    expect(isWebUrl(url)).toBe(expected);
  });
});
