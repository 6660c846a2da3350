import { Temporal } from 'temporal-polyfill';
import type { AlertState, Decision, Instant, TimelineEntry } from './alert.js';

/**
 * Reassigning and snoozing an alert (docs/alerts.md, "Actions"), as PagerDuty responders know them:
 *
 * - **Reassign** hands the alert to a person or an escalation policy. It goes back to `triggered`
 *   (an acknowledgement belonged to the previous assignee) and asks to notify, so the new assignee is
 *   paged once paging exists.
 * - **Snooze** acknowledges the alert until a time. When the time comes and the alert is still
 *   acknowledged under that same snooze, it triggers again and asks to notify. A resolve, another
 *   snooze or a reassign in between makes the pending wake-up a no-op: `wake` checks the instant it was
 *   scheduled for (a fencing value).
 */

/** Who an alert is assigned to. `label` is what the timeline shows (`@alice`, `Payments primary`). */
export interface Assignee {
  kind: 'user' | 'escalationPolicy';
  id: string;
  label: string;
}

/** The longest snooze: a week. Longer means "not a problem": resolve it or route it to the backlog. */
export const MAX_SNOOZE_MS = 7 * 24 * 3_600_000;

const iso = (ms: Instant): string => Temporal.Instant.fromEpochMilliseconds(ms).toString();

export function reassign(alert: AlertState, to: Assignee, ctx: { now: Instant; actor: string; note?: string | undefined }): Decision | { refused: string } {
  if (alert.status === 'resolved') return { refused: 'is resolved; it cannot be reassigned' };
  const next: AlertState = { ...alert, status: 'triggered', acknowledgedAt: null, acknowledgedBy: null, assignee: to, snoozedUntil: null };
  const timeline: TimelineEntry[] = [{ kind: 'action', action: 'reassign', actor: ctx.actor, summary: `Reassigned to ${to.label} by ${ctx.actor}`, data: { assignee: to, previous: alert.assignee ?? null } }];
  if (ctx.note) timeline.push({ kind: 'note', action: 'note', actor: ctx.actor, summary: ctx.note, data: null });
  return { alert: next, created: false, outcome: 'updated', timeline, notify: true };
}

export function snooze(alert: AlertState, until: Instant, ctx: { now: Instant; actor: string; note?: string | undefined }): Decision | { refused: string } {
  if (alert.status === 'resolved') return { refused: 'is resolved; it cannot be snoozed' };
  if (until <= ctx.now) return { refused: 'cannot be snoozed until a time that has passed' };
  if (until - ctx.now > MAX_SNOOZE_MS) return { refused: 'cannot be snoozed for more than 7 days' };
  const acknowledged = alert.status === 'acknowledged';
  const next: AlertState = {
    ...alert,
    status: 'acknowledged',
    acknowledgedAt: acknowledged ? alert.acknowledgedAt : ctx.now,
    acknowledgedBy: acknowledged ? alert.acknowledgedBy : ctx.actor,
    snoozedUntil: until,
  };
  const timeline: TimelineEntry[] = [{ kind: 'action', action: 'snooze', actor: ctx.actor, summary: `Snoozed until ${iso(until)} by ${ctx.actor}`, data: { until: iso(until) } }];
  if (ctx.note) timeline.push({ kind: 'note', action: 'note', actor: ctx.actor, summary: ctx.note, data: null });
  return { alert: next, created: false, outcome: 'acknowledged', timeline, notify: false };
}

/**
 * The snooze that ends at `until` is over: the alert triggers again. Null when the alert moved on since
 * (resolved, reassigned, acknowledged afresh or snoozed again): the timer is stale and changes nothing.
 */
export function wake(alert: AlertState, until: Instant, ctx: { now: Instant; actor: string }): Decision | null {
  if (alert.status !== 'acknowledged' || alert.snoozedUntil !== until) return null;
  const next: AlertState = { ...alert, status: 'triggered', acknowledgedAt: null, acknowledgedBy: null, snoozedUntil: null };
  const entry: TimelineEntry = { kind: 'action', action: 'unsnooze', actor: ctx.actor, summary: 'Snooze ended: triggered again', data: { until: iso(until) } };
  return { alert: next, created: false, outcome: 'updated', timeline: [entry], notify: true };
}

/**
 * An acknowledgement left unresolved past its policy's timeout (docs/paging.md): the alert triggers
 * again and asks to notify, so escalation restarts. Null unless it is still acknowledged and not
 * snoozed (a snooze has its own wake-up); the caller fences staleness (a later acknowledgement).
 */
export function expireAcknowledgement(alert: AlertState, ctx: { now: Instant; actor: string; minutes: number }): Decision | null {
  if (alert.status !== 'acknowledged' || alert.snoozedUntil !== null) return null;
  const next: AlertState = { ...alert, status: 'triggered', acknowledgedAt: null, acknowledgedBy: null };
  const entry: TimelineEntry = { kind: 'action', action: 'ack-timeout', actor: ctx.actor, summary: `Acknowledgement timed out after ${ctx.minutes} min; re-triggered`, data: { minutes: ctx.minutes, acknowledgedBy: alert.acknowledgedBy } };
  return { alert: next, created: false, outcome: 'updated', timeline: [entry], notify: true };
}
