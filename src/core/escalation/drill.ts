import type { EscalationStatus, FiredStep } from './engine.js';

/**
 * A drill of an escalation policy (docs/paging.md, "Drills"): the report of how each step went. Pure:
 * built from the escalation's fired steps, the pages they sent and the alert's acknowledgement.
 */

export type DrillStepOutcome = 'acknowledged' | 'escalated' | 'unanswered' | 'waiting';

export interface DrillPage {
  level: number | null;
  round: number;
  generation: number;
  userId: string;
  channel: string;
  address: string;
  status: string;
  sentAt: number | null;
  deliveredAt: number | null;
}

export interface DrillStepReport {
  level: number | null;
  round: number;
  firedAt: number;
  userIds: string[];
  pages: DrillPage[];
  outcome: DrillStepOutcome;
  /** From the step firing to the acknowledgement, when this step was the one acknowledged. */
  acknowledgedAfterMs: number | null;
  /** How long the step waited before the next one fired (or until now / the end, for the last). */
  waitedMs: number;
}

export type DrillStatus = 'running' | 'acknowledged' | 'unanswered' | 'ended';

export interface DrillReport {
  status: DrillStatus;
  /** From the drill starting to its acknowledgement. */
  timeToAcknowledgeMs: number | null;
  steps: DrillStepReport[];
}

export interface DrillFacts {
  startedAt: number;
  steps: readonly FiredStep[];
  pages: readonly DrillPage[];
  escalationStatus: EscalationStatus | null;
  alert: { status: 'triggered' | 'acknowledged' | 'resolved'; acknowledgedAt: number | null; resolvedAt: number | null };
  now: number;
}

/**
 * Each fired step's outcome: the step in force when the alert was acknowledged is `acknowledged` (with
 * how long it took); a step followed by another `escalated` after waiting out its delay; the last step
 * of an exhausted escalation `unanswered`; the last step of a running one `waiting`.
 */
export function drillReport(facts: DrillFacts): DrillReport {
  const { steps, alert, now } = facts;
  const ack = alert.acknowledgedAt;
  const end = ack ?? alert.resolvedAt ?? now;
  const reports = steps.map((step, i): DrillStepReport => {
    const next = steps[i + 1];
    const pages = facts.pages.filter((p) => p.level === step.level && p.round === step.round && p.generation === step.generation);
    const acknowledgedHere = ack !== null && ack >= step.at && (next === undefined || ack < next.at);
    const outcome: DrillStepOutcome = acknowledgedHere ? 'acknowledged' : next !== undefined ? 'escalated' : facts.escalationStatus === 'exhausted' || alert.status === 'resolved' ? 'unanswered' : 'waiting';
    return {
      level: step.level,
      round: step.round,
      firedAt: step.at,
      userIds: [...step.users],
      pages,
      outcome,
      acknowledgedAfterMs: acknowledgedHere ? (ack as number) - step.at : null,
      waitedMs: Math.max(0, (next?.at ?? end) - step.at),
    };
  });
  const status: DrillStatus = ack !== null ? 'acknowledged' : alert.status === 'resolved' ? 'ended' : facts.escalationStatus === 'exhausted' ? 'unanswered' : 'running';
  return { status, timeToAcknowledgeMs: ack === null ? null : ack - facts.startedAt, steps: reports };
}

/** How long a drill may run before it ends itself: the policy walked once through every repeat, plus 30 minutes, at most a day. */
export function drillLifetimeMs(policy: { levels: ReadonlyArray<{ delayMinutes: number }>; repeat: number }): number {
  const once = policy.levels.reduce((sum, level) => sum + level.delayMinutes, 0);
  return Math.min(24 * 60, once * (policy.repeat + 1) + 30) * 60_000;
}
