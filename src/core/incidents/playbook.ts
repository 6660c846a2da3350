/**
 * The work on an incident: playbooks (reusable checklists), the tasks they become, and threads (lines
 * of investigation). Pure rules; the server stores, audits and serializes them (ADR 0030,
 * docs/incidents.md "Threads and checklists").
 *
 * 1. A playbook applies to a declared incident when its `appliesTo` holds: the incident's severity is
 *    one of its severities (none listed: any) AND one of its services is impacted (none listed: any).
 *    A playbook without `appliesTo` is only ever added by hand.
 * 2. A built-in "first five minutes" checklist applies to every incident unless a stored playbook
 *    takes its name (`first-five-minutes`): that one replaces it, so it can be reworded, narrowed to
 *    some severities, or made manual-only (switched off) the same way as any playbook.
 * 3. Each playbook is instantiated at most once per incident; its items become tasks in order, after
 *    the tasks already there.
 * 4. A task is owned by a person or by an incident role; a role-owned task follows whoever holds the
 *    role, so a handover moves the work with it.
 * 5. Checking a task off (or undoing it) and every change to a thread is a timeline entry: the
 *    timeline is the one place that says who did what when.
 * 6. Once the incident is resolved, tasks and threads no longer change (only the summary and
 *    timeline annotations do): refused, naming the incident.
 */

import type { Context, Refusal, TimelineEntry } from './incident.js';
import { roleName } from './roles.js';

/** The name of the built-in checklist; a stored playbook with this name replaces it. */
export const FIRST_FIVE_MINUTES_NAME = 'first-five-minutes';

export interface PlaybookItem {
  title: string;
  description: string | null;
  link: string | null;
  /** An incident role key (operations_lead, custom:db-liaison…). */
  ownerRole: string | null;
}

/** A playbook as the rules see it: services by id (stable across renames). */
export interface PlaybookDefinition {
  name: string;
  title: string;
  description: string;
  /** null: only added by hand. Empty lists mean "any". */
  appliesTo: { severities: readonly string[]; serviceIds: readonly string[] } | null;
  items: readonly PlaybookItem[];
}

/**
 * The built-in checklist for the first minutes of any incident, in the rhythm SRE teams practise:
 * review what is known, mitigate first (roll back before hunting the root cause), pull in the people
 * needed, then pause to check the response itself.
 */
export const firstFiveMinutes: PlaybookDefinition = {
  name: FIRST_FIVE_MINUTES_NAME,
  title: 'First five minutes',
  description: 'The rhythm of the first minutes of any incident: review status, look for mitigations, pull in others, pause.',
  appliesTo: { severities: [], serviceIds: [] },
  items: [
    {
      title: 'Review status: what is broken, for whom, since when?',
      description: 'Read the linked alerts and dashboards; confirm the severity and write the customer impact on the incident.',
      link: null,
      ownerRole: 'incident_commander',
    },
    {
      title: 'Look for mitigations: roll back first',
      description: 'A recent deploy, config change or flag flip? Roll it back before looking for the root cause. Resource pressure? Restart or scale. Primary unhealthy? Fail over.',
      link: null,
      ownerRole: 'operations_lead',
    },
    {
      title: 'Pull in others',
      description: 'Page the people and teams you need, and hand out the communications lead and scribe roles.',
      link: null,
      ownerRole: 'incident_commander',
    },
    {
      title: 'Pause: is the response on track?',
      description: 'Is the severity still right, is someone updating stakeholders, when is the next update, who is digging where (threads)?',
      link: null,
      ownerRole: 'incident_commander',
    },
  ],
};

/** What matching needs to know of an incident. */
export interface IncidentFacts {
  severity: string;
  serviceIds: readonly string[];
}

/** Rule 1: whether a playbook is instantiated into a declared incident with these facts. */
export function appliesTo(playbook: PlaybookDefinition, incident: IncidentFacts): boolean {
  const rule = playbook.appliesTo;
  if (!rule) return false;
  if (rule.severities.length > 0 && !rule.severities.includes(incident.severity)) return false;
  if (rule.serviceIds.length > 0 && !rule.serviceIds.some((id) => incident.serviceIds.includes(id))) return false;
  return true;
}

/**
 * Rule 2: the stored playbooks plus the built-in checklist unless one of them replaces it. The
 * first-five-minutes checklist comes first (it is what to do first), then the others by name.
 */
export function effectivePlaybooks(stored: readonly PlaybookDefinition[], builtIn: PlaybookDefinition = firstFiveMinutes): PlaybookDefinition[] {
  const all = stored.some((p) => p.name === builtIn.name) ? [...stored] : [builtIn, ...stored];
  return all.sort((a, b) => (a.name === builtIn.name ? -1 : b.name === builtIn.name ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Rules 1–3: the playbooks a declared incident gets, in order, skipping any it already has. */
export function matchingPlaybooks(stored: readonly PlaybookDefinition[], incident: IncidentFacts, already: readonly string[] = []): PlaybookDefinition[] {
  return effectivePlaybooks(stored).filter((p) => appliesTo(p, incident) && !already.includes(p.name));
}

/** A task to store. */
export interface TaskDraft {
  position: number;
  title: string;
  description: string | null;
  link: string | null;
  ownerRole: string | null;
  playbook: { name: string; title: string } | null;
}

/** Rule 3: a playbook's items as tasks, numbered on from `nextPosition`. */
export function instantiate(playbook: PlaybookDefinition, nextPosition: number): TaskDraft[] {
  return playbook.items.map((item, i) => ({
    position: nextPosition + i,
    title: item.title,
    description: item.description,
    link: item.link,
    ownerRole: item.ownerRole,
    playbook: { name: playbook.name, title: playbook.title },
  }));
}

/**
 * The timeline entry saying a playbook's tasks were added to an incident later, by hand. Playbooks
 * instantiated when the incident is declared are part of the declaration and add no entry: every
 * incident gets the first five minutes, and an entry for it would only be noise on the timeline.
 */
export function playbookAddedEntry(playbook: PlaybookDefinition, taskCount: number, ctx: { actor: string }): TimelineEntry {
  return {
    kind: 'task',
    action: 'playbook-added',
    actor: ctx.actor,
    summary: `Checklist: added playbook “${playbook.title}”, ${taskCount} ${taskCount === 1 ? 'task' : 'tasks'}`,
    data: { playbook: playbook.name, tasks: taskCount },
  };
}

// ---- tasks

/** Who owns a task, as the rules see it. */
export interface TaskOwner {
  /** A person named as owner. */
  user: { userId: string; label: string } | null;
  role: string | null;
}

/** Rule 4: the person a task's owner resolves to now; null when unowned or the role is vacant. */
export function taskOwnerNow(owner: TaskOwner, holders: ReadonlyMap<string, { userId: string; label: string }>): { userId: string; label: string } | null {
  if (owner.user) return owner.user;
  if (owner.role) return holders.get(owner.role) ?? null;
  return null;
}

/** How an owner is said on the timeline. */
export function ownerLabel(owner: TaskOwner): string {
  if (owner.user) return owner.user.label;
  if (owner.role) return `the ${roleName(owner.role)}`;
  return 'nobody';
}

export interface TaskState {
  title: string;
  done: boolean;
  owner: TaskOwner;
}

export interface TaskPatch {
  done?: boolean | undefined;
  title?: string | undefined;
  /** undefined: unchanged. Setting a user clears the role and the other way round. */
  owner?: TaskOwner | undefined;
}

export interface WorkDecision<S> {
  state: S;
  timeline: TimelineEntry[];
  changed: boolean;
}

/** Rule 6. */
export function resolvedRefusal(reference: string, what: string, field: string): Refusal {
  return { refused: `${reference} is resolved: its ${what} no longer change (only the summary and timeline notes do)`, fields: [field] };
}

const sameOwner = (a: TaskOwner, b: TaskOwner): boolean => (a.user?.userId ?? null) === (b.user?.userId ?? null) && a.role === b.role;

/** Rules 5–6: check off, undo, rename or reassign a task; each change is a timeline entry. */
export function changeTask(task: TaskState, patch: TaskPatch, ctx: Context & { reference: string; incidentResolved: boolean }): WorkDecision<TaskState> | Refusal {
  if (ctx.incidentResolved) return resolvedRefusal(ctx.reference, 'tasks', patch.done !== undefined ? 'done' : patch.title !== undefined ? 'title' : 'owner');
  const timeline: TimelineEntry[] = [];
  let state = task;
  if (patch.title !== undefined && patch.title !== state.title) {
    timeline.push({ kind: 'task', action: 'task-renamed', actor: ctx.actor, summary: `Task “${state.title}” renamed to “${patch.title}”`, data: { from: state.title, to: patch.title } });
    state = { ...state, title: patch.title };
  }
  if (patch.owner !== undefined && !sameOwner(patch.owner, state.owner)) {
    timeline.push({ kind: 'task', action: 'task-owner', actor: ctx.actor, summary: `Task “${state.title}” is now owned by ${ownerLabel(patch.owner)}`, data: { role: patch.owner.role, userId: patch.owner.user?.userId ?? null } });
    state = { ...state, owner: patch.owner };
  }
  if (patch.done !== undefined && patch.done !== state.done) {
    timeline.push(
      patch.done
        ? { kind: 'task', action: 'task-done', actor: ctx.actor, summary: `${ctx.actor} checked off “${state.title}”`, data: null }
        : { kind: 'task', action: 'task-undone', actor: ctx.actor, summary: `${ctx.actor} marked “${state.title}” as not done`, data: null },
    );
    state = { ...state, done: patch.done };
  }
  return { state, timeline, changed: timeline.length > 0 };
}

/** The timeline entry for a task added by hand. */
export function taskAddedEntry(title: string, owner: TaskOwner, ctx: { actor: string }): TimelineEntry {
  const by = owner.user || owner.role ? `, owned by ${ownerLabel(owner)}` : '';
  return { kind: 'task', action: 'task-added', actor: ctx.actor, summary: `Task added: “${title}”${by}`, data: null };
}

// ---- threads

export type ThreadStatus = 'open' | 'concluded' | 'abandoned';

export interface ThreadState {
  title: string;
  description: string;
  owner: { userId: string; label: string } | null;
  status: ThreadStatus;
  conclusion: string | null;
}

export interface ThreadPatch {
  title?: string | undefined;
  description?: string | undefined;
  /** null: nobody. */
  owner?: { userId: string; label: string } | null | undefined;
  status?: ThreadStatus | undefined;
  conclusion?: string | undefined;
}

/** The timeline entry for a new thread. */
export function threadOpenedEntry(thread: ThreadState, ctx: { actor: string }): TimelineEntry {
  const owner = thread.owner ? `, owned by ${thread.owner.label}` : '';
  return { kind: 'thread', action: 'thread-opened', actor: ctx.actor, summary: `Thread opened: “${thread.title}”${owner}`, data: null };
}

/**
 * Rules 5–6 for threads. Concluding needs a conclusion (what came of it: the postmortem reads it);
 * reopening clears it (the timeline keeps what it said). A conclusion is refused on an open thread.
 */
export function changeThread(thread: ThreadState, patch: ThreadPatch, ctx: Context & { reference: string; incidentResolved: boolean }): WorkDecision<ThreadState> | Refusal {
  if (ctx.incidentResolved) return resolvedRefusal(ctx.reference, 'threads', patch.status !== undefined ? 'status' : patch.owner !== undefined ? 'owner' : patch.title !== undefined ? 'title' : 'conclusion');
  const timeline: TimelineEntry[] = [];
  let state = thread;
  const entry = (action: string, summary: string, data: unknown = null) => timeline.push({ kind: 'thread', action, actor: ctx.actor, summary, data });
  if (patch.title !== undefined && patch.title !== state.title) {
    entry('thread-renamed', `Thread “${state.title}” renamed to “${patch.title}”`, { from: state.title, to: patch.title });
    state = { ...state, title: patch.title };
  }
  if (patch.description !== undefined && patch.description !== state.description) {
    entry('thread-described', `Thread “${state.title}”: description changed`);
    state = { ...state, description: patch.description };
  }
  if (patch.owner !== undefined && (patch.owner?.userId ?? null) !== (state.owner?.userId ?? null)) {
    entry('thread-owner', patch.owner ? `${patch.owner.label} now owns thread “${state.title}”` : `Thread “${state.title}” has no owner now`, { userId: patch.owner?.userId ?? null });
    state = { ...state, owner: patch.owner };
  }
  const status = patch.status ?? state.status;
  if (status === 'concluded' && patch.conclusion === undefined && (state.status !== 'concluded' || state.conclusion === null)) {
    return { refused: `Concluding thread “${state.title}” needs a conclusion: what came of it`, fields: ['conclusion'] };
  }
  if (patch.conclusion !== undefined && status === 'open') {
    return { refused: `Thread “${state.title}” is open: a conclusion goes with status concluded or abandoned`, fields: ['conclusion'] };
  }
  if (status !== state.status || (patch.conclusion !== undefined && patch.conclusion !== state.conclusion)) {
    const conclusion = patch.conclusion ?? state.conclusion;
    const said = conclusion !== null && status !== 'open' ? `: ${conclusion}` : '';
    const verb = status === 'concluded' ? (state.status === 'concluded' ? 'conclusion changed' : 'concluded') : status === 'abandoned' ? 'abandoned' : 'reopened';
    entry(`thread-${status === 'open' ? 'reopened' : status}`, `Thread “${state.title}” ${verb}${said}`, { from: state.status, to: status, conclusion: status === 'open' ? null : conclusion });
    state = { ...state, status, conclusion: status === 'open' ? null : conclusion };
  }
  return { state, timeline, changed: timeline.length > 0 };
}
