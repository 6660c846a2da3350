/**
 * The escalation engine: one alert's escalation as a pure step function (STYLE.md habit 2,
 * ADR 0022). The server stores the snapshot and the state, calls {@link step} when the alert triggers,
 * when its one keyed timer fires and when it is acknowledged or resolved, and applies the result in one
 * transaction: the new state, an outbox row per person and contact method, and the next timer.
 *
 * RULES (the same as the preview, `core/oncall/escalation-preview.ts`, so the preview is what pages)
 *
 * 1. The policy is snapshotted when the alert triggers; later edits do not change an escalation in
 *    flight. Levels run in order, `1 + repeat` rounds, then the fallback, if any.
 * 2. A level's targets are resolved to people at the instant the level fires (a handoff during the
 *    escalation is respected), with the resolver the caller passes (schedules: `whoIsOnCall`).
 * 3. A level that resolves to nobody is skipped at once when `skipEmptyLevels`; otherwise it waits its
 *    delay notifying nobody. A level with delay 0 is followed by the next at the same instant.
 * 4. Acknowledge and resolve stop the escalation; nothing is notified after them.
 * 5. Fencing: every change of state bumps `generation`. A timer carries the generation it was set for;
 *    a timer whose generation is not the current one (stale, replaced or replayed) changes nothing.
 * 6. "Escalate now" (a person's `escalate` input) fires the next level at once, exactly as its timer
 *    would have, and sets the timer from that level's delay. It bumps the generation like every step, so
 *    the timer that was pending becomes stale. It is refused (changes nothing) unless the escalation is
 *    active: an acknowledged, resolved or exhausted escalation has no next level to go to.
 */
import { resolveTargets, type EscalationPolicyDefinition, type EscalationTarget, type TargetResolver } from '../oncall/escalation-preview.js';
import type { UserId } from '../oncall/schedule.js';
import { MINUTE_MS, type Instant } from '../oncall/time.js';

/** The policy as it was when the alert triggered, plus where it came from (for people to read). */
export interface EscalationSnapshot extends EscalationPolicyDefinition {
  source: { kind: 'policy' | 'user'; id: string; name: string };
  /**
   * The policy's acknowledgement timeout: an acknowledged alert not resolved within it triggers again
   * and escalates from level 1. Absent or null: an acknowledgement holds until resolved. Snapshotted
   * with the levels, so a later edit changes only new alerts.
   */
  ackTimeoutMinutes?: number | null;
  /** A drill of the policy: every page is marked as a test (subject `[TEST]`), nothing else changes. */
  test?: boolean;
}

export type EscalationStatus = 'active' | 'acknowledged' | 'resolved' | 'exhausted';

/** One level (or the fallback) that fired. */
export interface FiredStep {
  /** 1-based level; null for the fallback. */
  level: number | null;
  round: number;
  at: Instant;
  /** The generation of the timer that fired it: with the alert, it names the step (idempotency keys). */
  generation: number;
  users: UserId[];
  skipped: boolean;
}

export interface EscalationState {
  status: EscalationStatus;
  /** The fencing token (rule 5). */
  generation: number;
  /** 0-based index of the next level to fire, in `round`; `levels.length` once the last round ran. */
  nextLevel: number;
  round: number;
  /** When the next step is due; null once stopped or exhausted. */
  nextAt: Instant | null;
  fallbackDone: boolean;
  /** Every level that fired, oldest first. Bounded by levels × rounds + 1. */
  fired: FiredStep[];
}

export type EscalationInput =
  /** The timer set for `generation` fired (the first step is the timer of generation 0). */
  | { type: 'timer'; generation: number }
  /** A person asked to move on to the next level now, without waiting for the timer (rule 6). */
  | { type: 'escalate' }
  | { type: 'acknowledge' }
  | { type: 'resolve' };

export type EscalationEffect =
  | { type: 'notify'; userId: UserId; level: number | null; round: number; via: EscalationTarget; generation: number }
  /** Every level of every round and the fallback went unanswered. */
  | { type: 'exhausted' };

export interface StepResult {
  state: EscalationState;
  effects: EscalationEffect[];
  /** When to call `step` again with `{ type: 'timer', generation: state.generation }`; null: never. */
  wakeAt: Instant | null;
}

/** A new escalation, due at once: run `step(snapshot, state, now, { type: 'timer', generation }, resolve)`. */
export function initialState(now: Instant, generation = 0): EscalationState {
  return { status: 'active', generation, nextLevel: 0, round: 0, nextAt: now, fallbackDone: false, fired: [] };
}

const rounds = (snapshot: EscalationSnapshot) => 1 + Math.max(0, Math.floor(snapshot.repeat));

/**
 * Advances one escalation. Pure: the same snapshot, state, instant, input and resolver give the same
 * result.
 *
 * @example
 *   const first = step(snapshot, initialState(now), now, { type: 'timer', generation: 0 }, resolve);
 *   // first.effects: notify level 1's people; first.wakeAt: now + level 1's delay
 *   step(snapshot, first.state, first.wakeAt!, { type: 'timer', generation: first.state.generation }, resolve);
 */
export function step(snapshot: EscalationSnapshot, state: EscalationState, now: Instant, input: EscalationInput, resolve: TargetResolver): StepResult {
  if (input.type === 'acknowledge' || input.type === 'resolve') {
    if (state.status !== 'active') return { state, effects: [], wakeAt: null };
    return { state: { ...state, status: input.type === 'acknowledge' ? 'acknowledged' : 'resolved', generation: state.generation + 1, nextAt: null }, effects: [], wakeAt: null };
  }
  if (input.type === 'escalate') {
    // Rule 6: only a running escalation has a next level; otherwise nothing changes.
    if (state.status !== 'active') return { state, effects: [], wakeAt: null };
    return fire(snapshot, state, now, resolve);
  }
  // Rule 5: a stale or replayed timer, or one for a stopped escalation, changes nothing.
  if (input.generation !== state.generation || state.status !== 'active' || state.nextAt === null) return { state, effects: [], wakeAt: null };
  // A timer that fired early (clock skew between nodes) waits for its instant.
  if (now < state.nextAt) return { state, effects: [], wakeAt: state.nextAt };
  return fire(snapshot, state, now, resolve);
}

/** Fires the state's next level at `now` (and the levels with delay 0 after it); bumps the generation. */
function fire(snapshot: EscalationSnapshot, state: EscalationState, now: Instant, resolve: TargetResolver): StepResult {
  const effects: EscalationEffect[] = [];
  const fired: FiredStep[] = [...state.fired];
  let { nextLevel, round, fallbackDone } = state;
  const generation = state.generation;
  const total = rounds(snapshot);
  let wakeAt: Instant | null = null;
  let exhausted = false;

  // Each pass fires one level; the loop only continues at the same instant (rule 3), so it runs at
  // most levels × rounds + 1 times.
  for (;;) {
    if (round >= total || snapshot.levels.length === 0) {
      if (snapshot.fallback !== null && !fallbackDone) {
        const users = resolveTargets([snapshot.fallback], now, resolve);
        fallbackDone = true;
        fired.push({ level: null, round: Math.max(0, total - 1), at: now, generation, users: users.map((u) => u.userId), skipped: users.length === 0 });
        for (const u of users) effects.push({ type: 'notify', userId: u.userId, level: null, round: Math.max(0, total - 1), via: u.via, generation });
      }
      exhausted = true;
      break;
    }
    const level = snapshot.levels[nextLevel]!;
    const users = resolveTargets(level.targets, now, resolve);
    const skipped = users.length === 0 && snapshot.skipEmptyLevels;
    fired.push({ level: nextLevel + 1, round, at: now, generation, users: users.map((u) => u.userId), skipped });
    for (const u of users) effects.push({ type: 'notify', userId: u.userId, level: nextLevel + 1, round, via: u.via, generation });
    nextLevel += 1;
    if (nextLevel >= snapshot.levels.length) {
      nextLevel = 0;
      round += 1;
    }
    const delay = skipped ? 0 : Math.max(0, level.delayMinutes) * MINUTE_MS;
    if (delay > 0) {
      wakeAt = (now + delay) as Instant;
      break;
    }
  }

  if (exhausted) {
    effects.push({ type: 'exhausted' });
    return {
      state: { status: 'exhausted', generation: generation + 1, nextLevel: snapshot.levels.length, round: total, nextAt: null, fallbackDone, fired },
      effects,
      wakeAt: null,
    };
  }
  return { state: { status: 'active', generation: generation + 1, nextLevel, round, nextAt: wakeAt, fallbackDone, fired }, effects, wakeAt };
}
