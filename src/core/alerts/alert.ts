/**
 * The alert lifecycle as pure functions (STYLE.md habit 2): `applyEvent` for what sources send,
 * `applyAction` for what people do. Neither reads the clock, the database or the network; the caller
 * passes `now` and stores what they return, in one transaction with the event log.
 *
 * Rules (docs/alerts.md, "Alert lifecycle"):
 *
 * 1. An alert is open (triggered or acknowledged) until resolved. At most one open alert per service
 *    and dedup key; after it resolves, the next trigger with that key opens a new alert.
 * 2. Events API v2: a trigger on an open alert adds one to its event count and moves last seen; the
 *    alert keeps its first title and description. A more severe trigger raises severity (and urgency);
 *    only a rise to high urgency on a still-triggered alert asks for a page (`notify`). Acknowledge and
 *    resolve with an unknown or resolved key are ignored (the sender still gets 202).
 * 3. Alertmanager: one alert per group key holds its members by fingerprint, each with its own status.
 *    Members missing from a post keep their state. The alert resolves when every member has. A post
 *    that changes no member is a duplicate (HA pairs, repeat intervals): only last seen moves, so
 *    duplicates are idempotent. A group post for a closed key with no firing member is ignored, and
 *    so is one whose firing members the last resolved alert already saw resolve (a late HA duplicate).
 */

import type { Assignee } from './assignment.js';
import type { SuppressedBy } from './suppression.js';

export const severities = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];
/** high: page now; low: deliver within the service's support hours; backlog: notify no one (docs/alerts.md). */
export type Urgency = 'high' | 'low' | 'backlog';
export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';
/** Epoch milliseconds, UTC. */
export type Instant = number;

export type UrgencyRules = Record<Severity, Urgency>;

export interface Link {
  href: string;
  text: string | null;
}
export interface Image {
  src: string;
  href: string | null;
  alt: string | null;
}

/** A member alert of a group (Alertmanager), keyed by fingerprint. */
export interface Member {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Instant | null;
  endsAt: Instant | null;
  generatorUrl: string | null;
  /** Grafana: dashboard, panel and silence links. */
  links?: Link[];
  /** Grafana: the panel screenshot. */
  images?: Image[];
  /**
   * Grafana: `values` and `valueString` of the evaluation. Measurements, not state: a post that changes
   * only these is still a duplicate (they are kept from the post that last changed the member).
   */
  details?: Record<string, unknown>;
}

/** The state of one alert that the rules read and write. */
export interface AlertState {
  dedupKey: string;
  title: string;
  description: string;
  source: string | null;
  severity: Severity;
  urgency: Urgency;
  status: AlertStatus;
  eventCount: number;
  firstSeenAt: Instant;
  lastSeenAt: Instant;
  acknowledgedAt: Instant | null;
  acknowledgedBy: string | null;
  resolvedAt: Instant | null;
  resolvedBy: string | null;
  labels: Record<string, string>;
  details: unknown;
  links: Link[];
  images: Image[];
  members: Member[];
  /** Why the alert notifies nobody (maintenance window, silence, storm); null or absent when it may notify. */
  suppressedBy?: SuppressedBy | null;
  /**
   * When people hear of it (routing, ADR 0018): null now, an instant when deferred to the service's
   * next support window, `never` for the backlog. Absent means now.
   */
  deliverAt?: Instant | 'never' | null;
  /** Who it is assigned to (reassign); null or absent: the service's escalation policy. */
  assignee?: Assignee | null;
  /** Acknowledged until this instant, then triggered again (snooze); null or absent: not snoozed. */
  snoozedUntil?: Instant | null;
}

/** The content of a new alert, as a trigger carries it. */
export interface AlertContent {
  title: string;
  description: string;
  source: string | null;
  severity: Severity;
  labels: Record<string, string>;
  details: unknown;
  links: Link[];
  images: Image[];
}

/** One event after its wire format has been read (`src/server/modules/alerts/formats/*`). */
export type AlertEvent =
  | ({ action: 'trigger'; dedupKey: string } & AlertContent)
  | { action: 'acknowledge' | 'resolve'; dedupKey: string }
  | ({ action: 'group'; dedupKey: string; members: Member[] } & AlertContent);

/** `dropped`: a routing rule dropped the event; only the event log keeps it. */
export type Outcome = 'created' | 'updated' | 'acknowledged' | 'resolved' | 'duplicate' | 'ignored' | 'dropped';

export interface TimelineEntry {
  kind: 'event' | 'action' | 'note';
  action: string;
  actor: string | null;
  summary: string;
  data: unknown;
}

export interface Decision {
  /** The alert after the event; null when there was none and the event opened none. */
  alert: AlertState | null;
  /** True when `alert` is a new alert (the caller inserts rather than updates). */
  created: boolean;
  outcome: Outcome;
  timeline: TimelineEntry[];
  /**
   * The seam for paging (next issue): true when this change should start notifying people — a new
   * alert, or a triggered alert whose urgency just rose to high.
   */
  notify: boolean;
}

export interface EventContext {
  now: Instant;
  urgency: UrgencyRules;
  /** Who sent it, for the timeline: the integration's name, or the person behind an API call. */
  actor: string;
  /**
   * The most recent resolved alert with this key, when none is open. A group post whose firing members
   * this alert already saw resolve (same fingerprint and start) is a late duplicate from an HA replica
   * and must not reopen the group.
   */
  lastResolved?: AlertState | null;
  /**
   * Flap damping (the service's `flapWindowMinutes`, in ms; 0 or absent: off). A trigger or firing group
   * post within this long after `lastResolved` resolved reopens that alert instead of creating a new one.
   */
  flapWindowMs?: number;
}

const rank: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };
const urgencyRank: Record<Urgency, number> = { backlog: 0, low: 1, high: 2 };

/** The more urgent of two urgencies: an alert's urgency only rises while it is open. */
export function moreUrgent(a: Urgency, b: Urgency): Urgency {
  return urgencyRank[a] >= urgencyRank[b] ? a : b;
}

export function moreSevere(a: Severity, b: Severity): Severity {
  return rank[a] >= rank[b] ? a : b;
}

/**
 * True for absolute http(s) URLs. Links, images and generator URLs come from senders and are shown as
 * links in the UI, so anything else (`javascript:`, `data:`) is dropped rather than stored.
 */
export function isWebUrl(value: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(value) && value.length <= 2048;
}

export const isOpen = (alert: AlertState | null): alert is AlertState => alert !== null && alert.status !== 'resolved';

/**
 * Applies one event to the open alert with its dedup key (or `null` when none is open).
 *
 * @example
 *   const d = applyEvent(null, { action: 'trigger', dedupKey: 'disk', title: 'Disk full', … }, ctx);
 *   // d.outcome === 'created', d.notify === true
 */
export function applyEvent(current: AlertState | null, event: AlertEvent, ctx: EventContext): Decision {
  const open = isOpen(current) ? current : null;
  switch (event.action) {
    case 'trigger':
      if (open) return retrigger(open, event, ctx);
      return flapping(ctx) ? reopen(ctx.lastResolved as AlertState, event, event.severity, (ctx.lastResolved as AlertState).members, ctx) : create(event, [], ctx);
    case 'acknowledge':
    case 'resolve':
      return open ? transition(open, event.action, ctx, 'event') : ignored();
    case 'group':
      return applyGroup(open, event, ctx);
  }
}

function ignored(): Decision {
  return { alert: null, created: false, outcome: 'ignored', timeline: [], notify: false };
}

function create(content: AlertContent & { dedupKey: string }, members: Member[], ctx: EventContext): Decision {
  const alert: AlertState = {
    dedupKey: content.dedupKey,
    title: content.title,
    description: content.description,
    source: content.source,
    severity: content.severity,
    urgency: ctx.urgency[content.severity],
    status: 'triggered',
    eventCount: 1,
    firstSeenAt: ctx.now,
    lastSeenAt: ctx.now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    labels: content.labels,
    details: content.details,
    links: content.links,
    images: content.images,
    members,
  };
  const entry: TimelineEntry = { kind: 'event', action: 'trigger', actor: ctx.actor, summary: `Triggered: ${content.title}`, data: { severity: content.severity, urgency: alert.urgency } };
  return { alert, created: true, outcome: 'created', timeline: [entry], notify: true };
}

/** True when the last resolved alert with this key resolved within the flap window (flap damping on). */
function flapping(ctx: EventContext): boolean {
  const last = ctx.lastResolved;
  const window = ctx.flapWindowMs ?? 0;
  return window > 0 && !!last && last.status === 'resolved' && last.resolvedAt !== null && ctx.now - last.resolvedAt <= window;
}

/**
 * Flap damping: the alert that resolved moments ago is reopened (same alert, same number, one timeline)
 * instead of a new alert being created. If someone had acknowledged it before it resolved, it reopens
 * acknowledged and notifies nobody (they are on it); otherwise it is triggered again and notifies, so a
 * problem that comes back is never silently dropped (ADR 0019).
 */
function reopen(last: AlertState, event: AlertContent, severity: Severity, members: Member[], ctx: EventContext): Decision {
  const acknowledged = last.acknowledgedAt !== null;
  const alert: AlertState = {
    ...last,
    severity,
    urgency: ctx.urgency[severity],
    status: acknowledged ? 'acknowledged' : 'triggered',
    eventCount: last.eventCount + 1,
    lastSeenAt: Math.max(last.lastSeenAt, ctx.now),
    resolvedAt: null,
    resolvedBy: null,
    members,
  };
  const minutes = Math.max(0, Math.round((ctx.now - (last.resolvedAt as number)) / 60_000));
  const entry: TimelineEntry = {
    kind: 'event',
    action: 'reopen',
    actor: ctx.actor,
    summary: `Reopened: flapping (resolved ${minutes} min ago, within the ${Math.round((ctx.flapWindowMs ?? 0) / 60_000)}-minute flap window): ${event.title}${acknowledged ? '; still acknowledged' : ''}`,
    data: { severity, resolvedAt: last.resolvedAt, acknowledged },
  };
  return { alert, created: false, outcome: 'updated', timeline: [entry], notify: !acknowledged };
}

function retrigger(open: AlertState, event: AlertContent, ctx: EventContext): Decision {
  const severity = moreSevere(open.severity, event.severity);
  const urgency: Urgency = moreUrgent(open.urgency, ctx.urgency[severity]);
  const alert: AlertState = { ...open, severity, urgency, eventCount: open.eventCount + 1, lastSeenAt: Math.max(open.lastSeenAt, ctx.now) };
  const raised = severity !== open.severity ? ` (severity raised to ${severity})` : '';
  const entry: TimelineEntry = { kind: 'event', action: 'trigger', actor: ctx.actor, summary: `Triggered again: ${event.title}${raised}`, data: { severity: event.severity } };
  const notify = open.status === 'triggered' && open.urgency !== 'high' && urgency === 'high';
  return { alert, created: false, outcome: 'updated', timeline: [entry], notify };
}

function transition(open: AlertState, action: 'acknowledge' | 'resolve', ctx: EventContext, kind: 'event' | 'action'): Decision {
  const noteData = null;
  if (action === 'acknowledge' && open.status === 'acknowledged') {
    const entry: TimelineEntry = { kind, action, actor: ctx.actor, summary: 'Acknowledge ignored: already acknowledged', data: noteData };
    return { alert: { ...open, lastSeenAt: kind === 'event' ? Math.max(open.lastSeenAt, ctx.now) : open.lastSeenAt }, created: false, outcome: 'ignored', timeline: [entry], notify: false };
  }
  const alert: AlertState =
    action === 'acknowledge'
      ? { ...open, status: 'acknowledged', acknowledgedAt: ctx.now, acknowledgedBy: ctx.actor }
      : { ...open, status: 'resolved', resolvedAt: ctx.now, resolvedBy: ctx.actor };
  if (kind === 'event') {
    alert.eventCount = open.eventCount + 1;
    alert.lastSeenAt = Math.max(open.lastSeenAt, ctx.now);
  }
  const entry: TimelineEntry = { kind, action, actor: ctx.actor, summary: `${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'} by ${ctx.actor}`, data: noteData };
  return { alert, created: false, outcome: action === 'acknowledge' ? 'acknowledged' : 'resolved', timeline: [entry], notify: false };
}

const sameMember = (a: Member, b: Member): boolean =>
  a.status === b.status &&
  a.startsAt === b.startsAt &&
  a.endsAt === b.endsAt &&
  a.generatorUrl === b.generatorUrl &&
  sameRecord(a.labels, b.labels) &&
  sameRecord(a.annotations, b.annotations) &&
  JSON.stringify(a.links ?? []) === JSON.stringify(b.links ?? []) &&
  JSON.stringify(a.images ?? []) === JSON.stringify(b.images ?? []);

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Severity of a group: the most severe of its firing members' `severity` labels, else the post's. */
function groupSeverity(members: readonly Member[], fallback: Severity): Severity {
  let found: Severity | null = null;
  for (const m of members) {
    if (m.status !== 'firing') continue;
    const s = severityFromLabel(m.labels.severity);
    if (s) found = found ? moreSevere(found, s) : s;
  }
  return found ?? fallback;
}

/** Reads a Prometheus `severity` label: critical/page → critical, error, warning/warn, info/none → info. */
export function severityFromLabel(value: string | undefined): Severity | null {
  switch (value?.toLowerCase()) {
    case 'critical':
    case 'page':
    case 'emergency':
      return 'critical';
    case 'error':
    case 'high':
      return 'error';
    case 'warning':
    case 'warn':
    case 'medium':
      return 'warning';
    case 'info':
    case 'none':
    case 'low':
      return 'info';
    default:
      return null;
  }
}

function applyGroup(open: AlertState | null, event: AlertContent & { dedupKey: string; members: Member[] }, ctx: EventContext): Decision {
  // Within one post a fingerprint appears once; should it not, the last one wins.
  const incoming = new Map(event.members.map((m) => [m.fingerprint, m]));
  if (!open) {
    const members = [...incoming.values()];
    const seenResolved = new Set((ctx.lastResolved?.members ?? []).filter((m) => m.status === 'resolved').map((m) => `${m.fingerprint}@${m.startsAt}`));
    const firing = members.filter((m) => m.status === 'firing' && !seenResolved.has(`${m.fingerprint}@${m.startsAt}`));
    if (firing.length === 0) return ignored();
    if (flapping(ctx)) {
      const last = ctx.lastResolved as AlertState;
      const merged = new Map(last.members.map((m) => [m.fingerprint, m]));
      for (const m of members) merged.set(m.fingerprint, m);
      const all = [...merged.values()];
      return reopen(last, event, groupSeverity(all, event.severity), all, ctx);
    }
    const decision = create({ ...event, severity: groupSeverity(members, event.severity) }, members, ctx);
    const entry = decision.timeline[0] as TimelineEntry;
    entry.summary = `Triggered: ${event.title} (${firing.length} firing)`;
    return decision;
  }
  const byFingerprint = new Map(open.members.map((m) => [m.fingerprint, m]));
  const changed: Member[] = [];
  for (const m of incoming.values()) {
    const before = byFingerprint.get(m.fingerprint);
    if (before && sameMember(before, m)) continue;
    byFingerprint.set(m.fingerprint, m);
    changed.push(m);
  }
  const lastSeenAt = Math.max(open.lastSeenAt, ctx.now);
  if (changed.length === 0) return { alert: { ...open, lastSeenAt }, created: false, outcome: 'duplicate', timeline: [], notify: false };

  const members = [...byFingerprint.values()];
  const firing = members.filter((m) => m.status === 'firing').length;
  const severity = moreSevere(open.severity, groupSeverity(members, open.severity));
  const urgency: Urgency = moreUrgent(open.urgency, ctx.urgency[severity]);
  let alert: AlertState = { ...open, members, severity, urgency, eventCount: open.eventCount + 1, lastSeenAt };
  const nowFiring = changed.filter((m) => m.status === 'firing').map((m) => m.fingerprint);
  const nowResolved = changed.filter((m) => m.status === 'resolved').map((m) => m.fingerprint);
  const parts = [nowFiring.length ? `${nowFiring.length} firing` : '', nowResolved.length ? `${nowResolved.length} resolved` : ''].filter(Boolean).join(', ');
  const timeline: TimelineEntry[] = [{ kind: 'event', action: 'group', actor: ctx.actor, summary: `Members changed: ${parts || `${changed.length} updated`}`, data: { firing: nowFiring, resolved: nowResolved } }];
  let outcome: Outcome = 'updated';
  if (firing === 0) {
    alert = { ...alert, status: 'resolved', resolvedAt: ctx.now, resolvedBy: ctx.actor };
    timeline.push({ kind: 'event', action: 'resolve', actor: ctx.actor, summary: `Resolved by ${ctx.actor}: every member resolved`, data: null });
    outcome = 'resolved';
  }
  const notify = open.status === 'triggered' && open.urgency !== 'high' && urgency === 'high' && firing > 0;
  return { alert, created: false, outcome, timeline, notify };
}

export type PersonAction = 'acknowledge' | 'resolve' | 'note';

/**
 * What a person does to an alert (API, CLI, web). Acknowledging an acknowledged alert is a no-op
 * (`ignored`); acknowledging or resolving a resolved alert is refused by the caller (`refused`).
 */
export function applyAction(
  alert: AlertState,
  action: PersonAction,
  ctx: { now: Instant; actor: string; note?: string | undefined },
): Decision | { refused: string } {
  if (action === 'note') {
    const note = ctx.note ?? '';
    return { alert, created: false, outcome: 'updated', timeline: [{ kind: 'note', action: 'note', actor: ctx.actor, summary: note, data: null }], notify: false };
  }
  if (alert.status === 'resolved') return { refused: `is already resolved; it cannot be ${action === 'acknowledge' ? 'acknowledged' : 'resolved'} again` };
  const decision = transition(alert, action, { now: ctx.now, actor: ctx.actor, urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' } }, 'action');
  if (ctx.note) decision.timeline.push({ kind: 'note', action: 'note', actor: ctx.actor, summary: ctx.note, data: null });
  return decision;
}
