import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EscalationTarget, TargetResolver } from '../oncall/escalation-preview.js';
import { instantFromIso, isoFromInstant, MINUTE_MS, type Instant } from '../oncall/time.js';
import { initialState, step, type EscalationEffect, type EscalationSnapshot, type EscalationState, type StepResult } from './engine.js';

const T = instantFromIso('2026-03-02T10:00Z');
const schedule = (id: string): EscalationTarget => ({ type: 'schedule', id });
const user = (id: string): EscalationTarget => ({ type: 'user', id });

/** `primary` hands over from ana to ben at 10:15; `empty` never has anyone. */
const resolve: TargetResolver = (target, when: Instant) => {
  if (target.type === 'user') return [target.id];
  if (target.type === 'team') return target.id === 'ops' ? ['cho', 'ana'] : [];
  if (target.id === 'primary') return [when < instantFromIso('2026-03-02T10:15Z') ? 'ana' : 'ben'];
  return [];
};

const snapshot = (over: Partial<EscalationSnapshot> = {}): EscalationSnapshot => ({
  source: { kind: 'policy', id: 'p1', name: 'Platform' },
  levels: [
    { delayMinutes: 10, targets: [schedule('primary')] },
    { delayMinutes: 10, targets: [user('dev')] },
  ],
  repeat: 0,
  fallback: null,
  skipEmptyLevels: true,
  ...over,
});

const timer = (s: EscalationState) => ({ type: 'timer' as const, generation: s.generation });
const notified = (effects: EscalationEffect[]) => effects.flatMap((e) => (e.type === 'notify' ? [`${e.userId}@${e.level}/${e.round}`] : [e.type]));

/** Runs every timer in order until the escalation stops; returns each step's instant and effects. */
function runAll(snap: EscalationSnapshot, start: Instant): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  let r: StepResult = step(snap, initialState(start), start, { type: 'timer', generation: 0 }, resolve);
  out.push([isoFromInstant(start), notified(r.effects)]);
  while (r.wakeAt !== null) {
    const at = r.wakeAt;
    r = step(snap, r.state, at, timer(r.state), resolve);
    out.push([isoFromInstant(at), notified(r.effects)]);
  }
  return out;
}

describe('escalation engine', () => {
  it('notifies level 1 at once, level 2 after level 1’s delay, resolving the schedule when each level fires, then is exhausted', () => {
    expect(runAll(snapshot({ levels: [{ delayMinutes: 10, targets: [schedule('primary')] }, { delayMinutes: 10, targets: [schedule('primary'), user('dev')] }] }), T)).toEqual([
      ['2026-03-02T10:00:00Z', ['ana@1/0']],
      ['2026-03-02T10:10:00Z', ['ana@2/0', 'dev@2/0']],
      ['2026-03-02T10:20:00Z', ['exhausted']],
    ]);
  });

  it('repeats the levels as many rounds as the policy says, then notifies the fallback', () => {
    expect(runAll(snapshot({ repeat: 1, fallback: user('boss') }), T)).toEqual([
      ['2026-03-02T10:00:00Z', ['ana@1/0']],
      ['2026-03-02T10:10:00Z', ['dev@2/0']],
      ['2026-03-02T10:20:00Z', ['ben@1/1']],
      ['2026-03-02T10:30:00Z', ['dev@2/1']],
      ['2026-03-02T10:40:00Z', ['boss@null/1', 'exhausted']],
    ]);
  });

  it('skips a level that resolves to nobody at once, or waits its delay when empty levels are not skipped', () => {
    const levels = [
      { delayMinutes: 5, targets: [schedule('empty')] },
      { delayMinutes: 10, targets: [user('dev')] },
    ];
    expect(runAll(snapshot({ levels }), T)).toEqual([
      ['2026-03-02T10:00:00Z', ['dev@2/0']],
      ['2026-03-02T10:10:00Z', ['exhausted']],
    ]);
    expect(runAll(snapshot({ levels, skipEmptyLevels: false }), T)).toEqual([
      ['2026-03-02T10:00:00Z', []],
      ['2026-03-02T10:05:00Z', ['dev@2/0']],
      ['2026-03-02T10:15:00Z', ['exhausted']],
    ]);
  });

  it('stops on acknowledge: the pending timer is then a no-op', () => {
    const first = step(snapshot(), initialState(T), T, { type: 'timer', generation: 0 }, resolve);
    const acked = step(snapshot(), first.state, (T + MINUTE_MS) as Instant, { type: 'acknowledge' }, resolve);
    expect(acked.state.status).toBe('acknowledged');
    const late = step(snapshot(), acked.state, first.wakeAt!, timer(first.state), resolve);
    expect(late).toEqual({ state: acked.state, effects: [], wakeAt: null });
  });

  it('escalates now: fires the next level at once, makes the pending timer stale and sets the next timer from the new level’s delay', () => {
    const snap = snapshot({ levels: [{ delayMinutes: 10, targets: [schedule('primary')] }, { delayMinutes: 15, targets: [user('dev')] }, { delayMinutes: 5, targets: [user('boss')] }] });
    const first = step(snap, initialState(T), T, { type: 'timer', generation: 0 }, resolve);
    const at = (T + 3 * MINUTE_MS) as Instant;
    const now = step(snap, first.state, at, { type: 'escalate' }, resolve);
    expect(notified(now.effects)).toEqual(['dev@2/0']);
    expect(now.state.generation).toBe(first.state.generation + 1);
    expect(now.wakeAt).toBe(at + 15 * MINUTE_MS);
    expect(now.state.fired.map((f) => [f.level, isoFromInstant(f.at)])).toEqual([
      [1, '2026-03-02T10:00:00Z'],
      [2, '2026-03-02T10:03:00Z'],
    ]);
    // The timer set for level 2 at 10:10 is stale now.
    expect(step(snap, now.state, first.wakeAt!, timer(first.state), resolve)).toEqual({ state: now.state, effects: [], wakeAt: null });
    const third = step(snap, now.state, now.wakeAt!, timer(now.state), resolve);
    expect(notified(third.effects)).toEqual(['boss@3/0']);
  });

  it('escalating past the last level pages the fallback and is exhausted; escalating a stopped escalation changes nothing', () => {
    const snap = snapshot({ fallback: user('boss') });
    let r = step(snap, initialState(T), T, { type: 'timer', generation: 0 }, resolve);
    r = step(snap, r.state, (T + MINUTE_MS) as Instant, { type: 'escalate' }, resolve);
    expect(notified(r.effects)).toEqual(['dev@2/0']);
    r = step(snap, r.state, (T + 2 * MINUTE_MS) as Instant, { type: 'escalate' }, resolve);
    expect(notified(r.effects)).toEqual(['boss@null/0', 'exhausted']);
    expect(r.state.status).toBe('exhausted');
    expect(step(snap, r.state, (T + 3 * MINUTE_MS) as Instant, { type: 'escalate' }, resolve)).toEqual({ state: r.state, effects: [], wakeAt: null });
    const acked = step(snap, step(snap, initialState(T), T, { type: 'timer', generation: 0 }, resolve).state, T, { type: 'acknowledge' }, resolve);
    expect(step(snap, acked.state, T, { type: 'escalate' }, resolve)).toEqual({ state: acked.state, effects: [], wakeAt: null });
  });

  it('waits when a timer fires before its instant', () => {
    const first = step(snapshot(), initialState(T), T, { type: 'timer', generation: 0 }, resolve);
    const early = step(snapshot(), first.state, (T + MINUTE_MS) as Instant, timer(first.state), resolve);
    expect(early).toEqual({ state: first.state, effects: [], wakeAt: first.wakeAt });
  });
});

// ---- properties

const arbTarget = fc.oneof(
  fc.constantFrom('primary', 'empty').map(schedule),
  fc.constantFrom('a', 'b', 'c').map(user),
  fc.constantFrom('ops', 'none').map((id): EscalationTarget => ({ type: 'team', id })),
);
const arbSnapshot: fc.Arbitrary<EscalationSnapshot> = fc.record({
  source: fc.constant({ kind: 'policy' as const, id: 'p', name: 'P' }),
  levels: fc.array(fc.record({ delayMinutes: fc.integer({ min: 0, max: 30 }), targets: fc.array(arbTarget, { maxLength: 3 }) }), { maxLength: 4 }),
  repeat: fc.integer({ min: 0, max: 3 }),
  fallback: fc.option(arbTarget, { nil: null }),
  skipEmptyLevels: fc.boolean(),
});

/** What happens to the escalation: timers (current or stale) at increasing instants, or a person acting. */
type Action = { kind: 'advance'; minutes: number } | { kind: 'staleTimer' } | { kind: 'replay' } | { kind: 'escalate' } | { kind: 'ack' } | { kind: 'resolve' };
const arbActions = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map((minutes): Action => ({ kind: 'advance', minutes })) },
    { weight: 2, arbitrary: fc.constant<Action>({ kind: 'staleTimer' }) },
    { weight: 2, arbitrary: fc.constant<Action>({ kind: 'replay' }) },
    { weight: 2, arbitrary: fc.constant<Action>({ kind: 'escalate' }) },
    { weight: 1, arbitrary: fc.constantFrom<Action>({ kind: 'ack' }, { kind: 'resolve' }) },
  ),
  { maxLength: 40 },
);

interface Trace {
  effects: Array<{ at: number; effect: EscalationEffect }>;
  /** Each escalate while active: the level expected next, and what fired (level of the first new step). */
  escalations: Array<{ expected: number | null; fired: number | null | undefined; at: number; firedAt: number | undefined; staleAfter: boolean }>;
  stoppedAt: number | null;
  replayChanged: boolean;
  final: EscalationState;
}

/** Drives an escalation like the server does: one current timer, plus stale and replayed ones. */
function simulate(snap: EscalationSnapshot, actions: readonly Action[]): Trace {
  let now = T as number;
  let r = step(snap, initialState(T), T, { type: 'timer', generation: 0 }, resolve);
  const effects: Trace['effects'] = r.effects.map((effect) => ({ at: now, effect }));
  let stoppedAt: number | null = null;
  let replayChanged = false;
  let lastTimer = 0;
  const escalations: Trace['escalations'] = [];
  for (const action of actions) {
    if (action.kind === 'advance') {
      now += action.minutes * MINUTE_MS;
      if (r.wakeAt !== null && r.wakeAt <= now) {
        lastTimer = r.state.generation;
        r = step(snap, r.state, now as Instant, timer(r.state), resolve);
        for (const effect of r.effects) effects.push({ at: now, effect });
      }
    } else if (action.kind === 'staleTimer' || action.kind === 'replay') {
      const generation = action.kind === 'replay' ? lastTimer : r.state.generation - 1;
      const again = step(snap, r.state, now as Instant, { type: 'timer', generation }, resolve);
      if (again.effects.length > 0 || again.state !== r.state) replayChanged = true;
    } else if (action.kind === 'escalate') {
      const before = r.state;
      const next = step(snap, before, now as Instant, { type: 'escalate' }, resolve);
      if (before.status === 'active') {
        const done = before.round >= 1 + snap.repeat || snap.levels.length === 0;
        const firstNew = next.state.fired[before.fired.length];
        // The timer pending before the escalate must now be a no-op.
        const stale = step(snap, next.state, now as Instant, { type: 'timer', generation: before.generation }, resolve);
        escalations.push({ expected: done ? null : before.nextLevel + 1, fired: firstNew?.level, at: now, firedAt: firstNew?.at, staleAfter: stale.state === next.state && stale.effects.length === 0 });
      } else if (next.state !== before || next.effects.length > 0) {
        replayChanged = true;
      }
      for (const effect of next.effects) effects.push({ at: now, effect });
      r = next;
    } else {
      const stopped = step(snap, r.state, now as Instant, { type: action.kind === 'ack' ? 'acknowledge' : 'resolve' }, resolve);
      if (stoppedAt === null && r.state.status === 'active') stoppedAt = now;
      r = { ...stopped, wakeAt: null };
    }
  }
  return { effects, escalations, stoppedAt, replayChanged, final: r.state };
}

describe('escalation engine properties (fast-check, fixed seed)', () => {
  const params = { seed: 20261121, numRuns: 300 };

  it('never notifies after an acknowledgement or resolve', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => {
        const trace = simulate(snap, actions);
        if (trace.stoppedAt === null) return true;
        const stoppedAt = trace.stoppedAt;
        // Effects recorded after the stop: none (the same instant counts as after, since the stop came first).
        const stopIndex = trace.effects.findIndex((e) => e.at > stoppedAt);
        return stopIndex === -1;
      }),
      params,
    );
  });

  it('fires levels in order, round by round, then the fallback once', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => {
        const { fired } = simulate(snap, actions).final;
        const order = fired.map((f) => (f.level === null ? Number.MAX_SAFE_INTEGER : f.round * 100 + f.level));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(new Set(order).size).toBe(order.length);
        expect(fired.filter((f) => f.level === null).length).toBeLessThanOrEqual(1);
      }),
      params,
    );
  });

  it('notifies at most levels × rounds + fallback times per person reachable', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => {
        const notifies = simulate(snap, actions).effects.filter((e) => e.effect.type === 'notify').length;
        const perLevel = 3; // a level reaches at most the 3 distinct people its ≤ 3 targets resolve to
        const bound = (snap.levels.length * (1 + snap.repeat) + (snap.fallback ? 1 : 0)) * perLevel;
        expect(notifies).toBeLessThanOrEqual(bound);
      }),
      params,
    );
  });

  it('is deterministic for a given sequence of instants and inputs', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => {
        expect(simulate(snap, actions)).toEqual(simulate(snap, actions));
      }),
      params,
    );
  });

  it('escalate fires the next level (or the fallback) at that instant and leaves the pending timer stale', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => {
        for (const e of simulate(snap, actions).escalations) {
          // With no level left only the fallback (null) can fire, if there is one.
          if (e.expected === null) expect(e.fired ?? null).toBeNull();
          else expect(e.fired).toBe(e.expected);
          if (e.fired !== undefined) expect(e.firedAt).toBe(e.at);
          expect(e.staleAfter).toBe(true);
        }
      }),
      params,
    );
  });

  it('treats a replayed or stale timer as a no-op', () => {
    fc.assert(
      fc.property(arbSnapshot, arbActions, (snap, actions) => !simulate(snap, actions).replayChanged),
      params,
    );
  });
});
