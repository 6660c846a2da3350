/**
 * Recent changes on an incident (ADR 0031, docs/incidents.md "Recent changes"), as pure functions:
 * which time range to list, which changes are suspects, the order, and what marking a change writes
 * on the timeline. Nothing here reads the clock or the database.
 *
 * The rules:
 *
 * 1. The listing window runs from `lookback` (default 24 h) before detection until the incident was
 *    resolved, or until now while it is open: a change made while responders work is listed too (it
 *    may be the fix, or make things worse), one made after the all clear is not.
 * 2. A change is a *suspect* when it happened in the hours before impact began: from `suspectWindow`
 *    (default 4 h) before `detectedAt` up to and including `detectedAt`. Most incidents caused by a
 *    change are detected within minutes to a few hours of the deploy; a day-long lookback flagged
 *    wholesale would hide the likely culprit among routine deploys, and a window that ended at
 *    declaration (often much later than detection) would flag changes made during the response.
 * 3. Newest first (by when the change happened; ties by id, newest first), so the changes nearest to
 *    the impact are at the top of the suspects.
 * 4. A mark (caused, suspect, dismissed) is a person's judgement, kept beside the time rule, not
 *    instead of it. Setting the same mark again changes nothing; every other transition, clearing
 *    included, is one timeline entry.
 */

import type { Instant, TimelineEntry } from './incident.js';

/** 24 hours: how far before detection changes are listed by default. */
export const DEFAULT_CHANGE_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** 4 hours: changes this long before detection (up to detection) are flagged suspects. */
export const DEFAULT_SUSPECT_WINDOW_MS = 4 * 60 * 60 * 1000;

export type ChangeMark = 'caused' | 'suspect' | 'dismissed';

/** A half-open or closed range of instants; `from` and `to` are both included. */
export interface TimeRange {
  from: Instant;
  to: Instant;
}

/** The moments of an incident the windows are built from. */
export interface IncidentMoments {
  detectedAt: Instant;
  resolvedAt: Instant | null;
}

/** Rule 1: the range of change times listed on the incident. */
export function changeWindow(incident: IncidentMoments, now: Instant, lookbackMs: number = DEFAULT_CHANGE_LOOKBACK_MS): TimeRange {
  const from = incident.detectedAt - lookbackMs;
  const to = incident.resolvedAt ?? now;
  // A detection in the future of `now` (a clock skew between senders) still lists up to detection.
  return { from, to: Math.max(to, incident.detectedAt) };
}

/** Rule 2: the range whose changes are suspects. */
export function suspectWindow(incident: Pick<IncidentMoments, 'detectedAt'>, windowMs: number = DEFAULT_SUSPECT_WINDOW_MS): TimeRange {
  return { from: incident.detectedAt - windowMs, to: incident.detectedAt };
}

export function inRange(at: Instant, range: TimeRange): boolean {
  return at >= range.from && at <= range.to;
}

/** Rule 3: newest first by `at`, ties by id (ULIDs: newest first). Returns a new array. */
export function newestFirst<T extends { at: Instant; id: string }>(changes: readonly T[]): T[] {
  return [...changes].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

const markWords: Record<ChangeMark, string> = { caused: 'as the cause', suspect: 'as a suspect', dismissed: 'as not related' };

/** What marking a change does: nothing, or one timeline entry (kind `change`). */
export type MarkDecision = { changed: false } | { changed: true; entry: TimelineEntry };

/**
 * Rule 4: marking (or clearing, `next` null) a change. `change` names it for people: its summary and
 * its service's handle.
 */
export function markChange(
  input: { previous: ChangeMark | null; next: ChangeMark | null; note: string | null; change: { id: string; summary: string; serviceHandle: string } },
  ctx: { actor: string },
): MarkDecision {
  const { previous, next, change } = input;
  if (previous === next) return { changed: false };
  const what = `${change.serviceHandle}: ${change.summary}`;
  const summary = next === null ? `Cleared the mark on change ${what}` : `Marked change ${what} ${markWords[next]}`;
  return {
    changed: true,
    entry: {
      kind: 'change',
      action: next === null ? 'change-unmark' : `change-${next}`,
      actor: ctx.actor,
      summary: input.note ? `${summary}: ${input.note}` : summary,
      data: { changeId: change.id, serviceHandle: change.serviceHandle, mark: next, previous },
    },
  };
}
