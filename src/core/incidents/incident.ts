/**
 * The incident lifecycle as pure functions (STYLE.md habit 2): declaring, status changes with
 * mitigation as its own moment, and field edits with the rule for resolved incidents. Nothing here
 * reads the clock or the database; the caller passes `now` and stores what comes back, timeline
 * entries included, in one transaction (docs/incidents.md).
 *
 * Rules:
 *
 * 1. Status moves freely between investigating, identified and monitoring (a fix that did not hold
 *    sends `monitoring` back to `investigating`); `resolved` is final.
 * 2. Mitigated (customer impact ended) is recorded beside the status, not as one: it can happen in
 *    any open status, can be withdrawn while open (impact came back), and resolving mitigates an
 *    incident that was not yet (the impact has certainly ended by then).
 * 3. Every status change and every mitigation is a timeline milestone.
 * 4. Once resolved, only the summary may be edited (and the timeline annotated: notes, pins).
 */

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export const incidentStatuses: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

/** Epoch milliseconds, UTC. */
export type Instant = number;

export interface Link {
  href: string;
  text: string | null;
}

/** The fields of one incident the rules read and write. */
export interface IncidentState {
  /** `INC-42`, for messages. */
  reference: string;
  title: string;
  /** A severity key (SEV1–SEV4 by default); checked against the known set by the caller. */
  severity: string;
  status: IncidentStatus;
  summary: string;
  customerImpact: string;
  /** Impacted service ids, sorted. */
  serviceIds: string[];
  links: Link[];
  detectedAt: Instant;
  declaredAt: Instant;
  acknowledgedAt: Instant | null;
  mitigatedAt: Instant | null;
  resolvedAt: Instant | null;
}

/** `update`: a stakeholder update; `edit`: a field edit. */
export type TimelineKind = 'milestone' | 'note' | 'role' | 'edit' | 'alert' | 'update' | 'responder' | 'task' | 'thread' | 'reminder' | 'change' | 'status_page';

/** A timeline entry to store, stamped with `now` by the caller. */
export interface TimelineEntry {
  kind: TimelineKind;
  action: string;
  actor: string | null;
  summary: string;
  data: unknown;
}

export interface Decision {
  incident: IncidentState;
  timeline: TimelineEntry[];
  /** False when nothing changed (the caller writes nothing, not even the audit log). */
  changed: boolean;
}

/** A request the rules refuse, with the fields at fault (for a 422 that names them). */
export interface Refusal {
  refused: string;
  fields: string[];
}

export const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'refused' in value;

export interface Context {
  now: Instant;
  /** Who is acting, as the timeline shows it. */
  actor: string;
}

/** An alert linked when declaring: what the incident's times are read from. */
export interface LinkedAlert {
  /** `#12`, for the timeline. */
  label: string;
  firstSeenAt: Instant;
  acknowledgedAt: Instant | null;
}

export interface Declaration {
  reference: string;
  title: string;
  severity: string;
  summary: string;
  customerImpact: string;
  serviceIds: string[];
  links: Link[];
  alerts: LinkedAlert[];
  /** When the problem was detected, if the declarer knows it began before the linked alerts. */
  detectedAt?: Instant | undefined;
}

const min = (values: ReadonlyArray<number | null | undefined>): number | null => {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length === 0 ? null : Math.min(...present);
};

/**
 * A new incident. Detection is the earliest of the linked alerts' first events and the declared
 * `detectedAt` (never later than now); acknowledgement is the first acknowledgement of a linked alert,
 * else the declaration itself (someone is on it).
 *
 * @example
 *   declare({ reference: 'INC-1', title: 'Checkout errors', severity: 'SEV2', …, alerts: [] }, { now, actor: 'ana' });
 *   // → { incident: { status: 'investigating', declaredAt: now, … }, timeline: [{ action: 'declare', … }] }
 */
export function declare(input: Declaration, ctx: Context): Decision {
  const detectedAt = Math.min(ctx.now, min([input.detectedAt, ...input.alerts.map((a) => a.firstSeenAt)]) ?? ctx.now);
  const acknowledgedAt = Math.min(ctx.now, min(input.alerts.map((a) => a.acknowledgedAt)) ?? ctx.now);
  const incident: IncidentState = {
    reference: input.reference,
    title: input.title,
    severity: input.severity,
    status: 'investigating',
    summary: input.summary,
    customerImpact: input.customerImpact,
    serviceIds: [...new Set(input.serviceIds)].sort(),
    links: input.links,
    detectedAt,
    declaredAt: ctx.now,
    acknowledgedAt,
    mitigatedAt: null,
    resolvedAt: null,
  };
  const timeline: TimelineEntry[] = [
    { kind: 'milestone', action: 'declare', actor: ctx.actor, summary: `${input.reference} declared (${input.severity}) by ${ctx.actor}: ${input.title}`, data: { severity: input.severity, status: 'investigating' } },
  ];
  if (input.alerts.length > 0) {
    timeline.push({ kind: 'alert', action: 'link-alerts', actor: ctx.actor, summary: `Declared from alert${input.alerts.length === 1 ? '' : 's'} ${input.alerts.map((a) => a.label).join(', ')}`, data: { alerts: input.alerts.map((a) => a.label) } });
  }
  return { incident, timeline, changed: true };
}

export interface StatusChange {
  status: IncidentStatus;
  /** true: customer impact ended now; false: it came back; absent: unchanged. */
  mitigated?: boolean | undefined;
  note?: string | undefined;
}

/**
 * Moves an incident's status and/or records mitigation. Returns `changed: false` (no entries) when the
 * request changes nothing and carries no note.
 *
 * @example
 *   changeStatus(open, { status: 'monitoring', mitigated: true }, ctx);
 *   // timeline: "Status: identified → monitoring", "Mitigated: customer impact ended"
 */
export function changeStatus(state: IncidentState, change: StatusChange, ctx: Context): Decision | Refusal {
  if (state.status === 'resolved') return { refused: `${state.reference} is resolved; its status can no longer change`, fields: ['status'] };
  if (change.status === 'resolved' && change.mitigated === false) return { refused: `${state.reference} cannot be resolved while customer impact continues (mitigated: false)`, fields: ['mitigated'] };
  const incident: IncidentState = { ...state };
  const timeline: TimelineEntry[] = [];
  const resolving = change.status === 'resolved';
  if (change.status !== state.status && !resolving) {
    incident.status = change.status;
    const back = incidentStatuses.indexOf(change.status) < incidentStatuses.indexOf(state.status) ? ' (back to an earlier stage)' : '';
    timeline.push({ kind: 'milestone', action: 'status', actor: ctx.actor, summary: `Status: ${state.status} → ${change.status}${back}`, data: { from: state.status, to: change.status } });
  }
  if ((change.mitigated === true || resolving) && state.mitigatedAt === null) {
    incident.mitigatedAt = ctx.now;
    const how = change.mitigated === true ? 'Mitigated: customer impact ended' : 'Mitigated (recorded at resolution)';
    timeline.push({ kind: 'milestone', action: 'mitigate', actor: ctx.actor, summary: how, data: null });
  } else if (change.mitigated === false && state.mitigatedAt !== null) {
    incident.mitigatedAt = null;
    timeline.push({ kind: 'milestone', action: 'unmitigate', actor: ctx.actor, summary: 'Customer impact resumed: no longer mitigated', data: { previousMitigatedAt: state.mitigatedAt } });
  }
  if (resolving) {
    // Last, after the mitigation it implies: resolution closes the incident.
    incident.status = 'resolved';
    incident.resolvedAt = ctx.now;
    timeline.push({ kind: 'milestone', action: 'resolve', actor: ctx.actor, summary: `Resolved by ${ctx.actor} (was ${state.status})`, data: { from: state.status, to: 'resolved' } });
  }
  if (change.note) timeline.push({ kind: 'note', action: 'note', actor: ctx.actor, summary: change.note, data: null });
  return { incident, timeline, changed: timeline.length > 0 };
}

/** A field edit, with services already resolved to ids and severities checked by the caller. */
export interface Edit {
  title?: string | undefined;
  severity?: string | undefined;
  summary?: string | undefined;
  customerImpact?: string | undefined;
  serviceIds?: string[] | undefined;
  /** How each service id is shown on the timeline (handles). */
  serviceLabels?: ReadonlyMap<string, string> | undefined;
  links?: Link[] | undefined;
}

/** The fields that may still change once an incident is resolved. */
export const editableWhenResolved: ReadonlySet<keyof Edit> = new Set(['summary']);

const sameList = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies an edit. Fields given with their current value are not changes. On a resolved incident any
 * real change to a field other than the summary is refused, naming every such field.
 *
 * @example
 *   edit(resolved, { title: 'New title' }, ctx); // { refused: 'INC-3 is resolved: only `summary` …', fields: ['title'] }
 */
export function edit(state: IncidentState, patch: Edit, ctx: Context): Decision | Refusal {
  const incident: IncidentState = { ...state };
  const timeline: TimelineEntry[] = [];
  const changedFields: Array<keyof Edit> = [];
  const entry = (action: string, summary: string, data: unknown) => timeline.push({ kind: 'edit', action, actor: ctx.actor, summary, data });
  if (patch.title !== undefined && patch.title !== state.title) {
    changedFields.push('title');
    incident.title = patch.title;
    entry('title', `Title: ${patch.title}`, { from: state.title, to: patch.title });
  }
  if (patch.severity !== undefined && patch.severity !== state.severity) {
    changedFields.push('severity');
    incident.severity = patch.severity;
    entry('severity', `Severity: ${state.severity} → ${patch.severity}`, { from: state.severity, to: patch.severity });
  }
  if (patch.summary !== undefined && patch.summary !== state.summary) {
    changedFields.push('summary');
    incident.summary = patch.summary;
    entry('summary', 'Summary updated', null);
  }
  if (patch.customerImpact !== undefined && patch.customerImpact !== state.customerImpact) {
    changedFields.push('customerImpact');
    incident.customerImpact = patch.customerImpact;
    entry('customer-impact', `Customer impact: ${patch.customerImpact || '(none)'}`, null);
  }
  if (patch.serviceIds !== undefined) {
    const ids = [...new Set(patch.serviceIds)].sort();
    if (!sameList(ids, state.serviceIds)) {
      changedFields.push('serviceIds');
      incident.serviceIds = ids;
      const label = (id: string) => patch.serviceLabels?.get(id) ?? id;
      entry('services', `Impacted services: ${ids.length ? ids.map(label).join(', ') : '(none)'}`, { from: state.serviceIds, to: ids });
    }
  }
  if (patch.links !== undefined && !sameList(patch.links, state.links)) {
    changedFields.push('links');
    incident.links = patch.links;
    entry('links', `Links updated (${patch.links.length})`, null);
  }
  if (state.status === 'resolved') {
    const refused = changedFields.filter((f) => !editableWhenResolved.has(f));
    if (refused.length > 0) {
      const names = refused.map((f) => (f === 'serviceIds' ? 'impactedServices' : f));
      return { refused: `${state.reference} is resolved: only \`summary\` and timeline annotations may change, not ${names.map((n) => `\`${n}\``).join(', ')}`, fields: names };
    }
  }
  return { incident, timeline, changed: timeline.length > 0 };
}

/**
 * Links more alerts to an open incident. An alert that fired before the incident's detection time moves
 * detection earlier (it is a fact about when the problem began); acknowledgement stays as it was.
 * Refused once resolved (linking is not an annotation).
 *
 * @example
 *   linkAlerts(open, [{ label: '#14', firstSeenAt, acknowledgedAt: null }], ctx); // timeline: "Linked alert #14"
 */
export function linkAlerts(state: IncidentState, alerts: readonly LinkedAlert[], ctx: Context): Decision | Refusal {
  if (state.status === 'resolved') return { refused: `${state.reference} is resolved: alerts can no longer be linked`, fields: ['alertIds'] };
  if (alerts.length === 0) return { incident: state, timeline: [], changed: false };
  const detectedAt = Math.min(state.detectedAt, ...alerts.map((a) => a.firstSeenAt));
  const moved = detectedAt < state.detectedAt ? ' (detection moved earlier)' : '';
  return {
    incident: { ...state, detectedAt },
    timeline: [{ kind: 'alert', action: 'link-alerts', actor: ctx.actor, summary: `Linked alert${alerts.length === 1 ? '' : 's'} ${alerts.map((a) => a.label).join(', ')}${moved}`, data: { alerts: alerts.map((a) => a.label) } }],
    changed: true,
  };
}
