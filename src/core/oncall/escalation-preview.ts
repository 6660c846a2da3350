/**
 * Escalation policies as the engine sees them, and the preview: "if an alert fired at T, who would be
 * notified at each level, and when". Pure: who a target means at an instant (the person on call in a
 * schedule, the members of a team) is asked of the `resolve` function the caller passes, which for
 * schedules is `whoIsOnCall` on the same definitions that page.
 *
 * RULES
 *
 * 1. Levels run in order; level i is notified when level i−1's delay has passed without an
 *    acknowledgement. The whole list runs `1 + repeat` times (rounds), then the fallback, if any, is
 *    notified when the last level's delay has passed.
 * 2. Each level is resolved at the instant it would be notified, not when the alert fired, so a
 *    handoff during the escalation is respected.
 * 3. A level whose targets resolve to nobody is skipped at once when `skipEmptyLevels` (the default):
 *    its delay is not waited and the next level is notified at the same instant. Without it the level
 *    still waits its delay, notifying nobody.
 * 4. A person reached through several targets of one level is listed once, under the first target.
 */
import type { UserId } from './schedule.js';
import type { Instant } from './time.js';
import { MINUTE_MS } from './time.js';

export type EscalationTargetType = 'user' | 'schedule' | 'team';

/** A user, a schedule (whoever is on call in it) or a team (all its members), by id. */
export interface EscalationTarget {
  type: EscalationTargetType;
  id: string;
}

export interface EscalationLevel {
  /** Minutes without acknowledgement before the next level. */
  delayMinutes: number;
  targets: readonly EscalationTarget[];
}

export interface EscalationPolicyDefinition {
  levels: readonly EscalationLevel[];
  /** How many more times to run through all levels after the first pass. */
  repeat: number;
  /** Notified when every level of every round went unanswered. */
  fallback: EscalationTarget | null;
  /** Rule 3. */
  skipEmptyLevels: boolean;
}

/** Who a target means at an instant: its people, in a stable order. */
export type TargetResolver = (target: EscalationTarget, at: Instant) => readonly UserId[];

export interface PreviewStep {
  /** 1-based level; null for the fallback. */
  level: number | null;
  /** 0 for the first pass, then each repeat; the fallback carries the last round. */
  round: number;
  notifyAt: Instant;
  /** True when the level resolved to nobody and was skipped at once (rule 3). */
  skipped: boolean;
  users: Array<{ userId: UserId; via: EscalationTarget }>;
}

/** The people a level's targets mean at `at`, each once, under the first target that reached them (rule 4). */
export function resolveTargets(targets: readonly EscalationTarget[], at: Instant, resolve: TargetResolver): PreviewStep['users'] {
  const seen = new Set<UserId>();
  const users: PreviewStep['users'] = [];
  for (const target of targets) {
    for (const userId of resolve(target, at)) {
      if (seen.has(userId)) continue;
      seen.add(userId);
      users.push({ userId, via: target });
    }
  }
  return users;
}

/**
 * Every notification step of `policy` for an alert firing at `at`, in time order.
 *
 * @example
 * previewEscalation({ levels: [{ delayMinutes: 10, targets: [{ type: 'schedule', id: 'primary' }] }], repeat: 0, fallback: null, skipEmptyLevels: true }, at, resolve)
 * // → [{ level: 1, round: 0, notifyAt: at, skipped: false, users: [{ userId: 'ana', via: { type: 'schedule', id: 'primary' } }] }]
 */
export function previewEscalation(policy: EscalationPolicyDefinition, at: Instant, resolve: TargetResolver): PreviewStep[] {
  const steps: PreviewStep[] = [];
  let t = at as number;
  const rounds = 1 + Math.max(0, Math.floor(policy.repeat));
  for (let round = 0; round < rounds; round++) {
    policy.levels.forEach((level, index) => {
      const users = resolveTargets(level.targets, t as Instant, resolve);
      const skipped = users.length === 0 && policy.skipEmptyLevels;
      steps.push({ level: index + 1, round, notifyAt: t as Instant, skipped, users });
      if (!skipped) t += level.delayMinutes * MINUTE_MS;
    });
  }
  if (policy.fallback !== null) {
    const users = resolveTargets([policy.fallback], t as Instant, resolve);
    steps.push({ level: null, round: rounds - 1, notifyAt: t as Instant, skipped: users.length === 0, users });
  }
  return steps;
}
