import type { IncidentTimelineEntry } from './incidents.api.js';

/** How many entries before the last one a live fetch re-reads (see {@link liveFetchAfter}). */
export const REREAD_OVERLAP = 20;

/**
 * The `after` id for fetching what is new. Entry ids are made before their transaction commits, so
 * two entries written at the same moment can commit in the other order: reading strictly after the
 * last id shown could skip the one that committed second. Re-reading a few entries back and merging
 * by id (see {@link mergeNewEntries}) catches it. Undefined: nothing shown yet, read everything.
 */
export function liveFetchAfter(current: readonly IncidentTimelineEntry[], overlap = REREAD_OVERLAP): string | undefined {
  if (current.length === 0) return undefined;
  return current[Math.max(0, current.length - 1 - overlap)]?.id;
}

/**
 * Adds the entries of `fresh` not already in `current`, oldest first by id. Returns `current` itself
 * when nothing is new (so React sees no change), and keeps every existing entry object (so memoized
 * rows do not render again). Sorts only when a late-committed entry lands before the end.
 */
export function mergeNewEntries(current: readonly IncidentTimelineEntry[], fresh: readonly IncidentTimelineEntry[]): readonly IncidentTimelineEntry[] {
  const have = new Set(current.map((e) => e.id));
  const added = fresh.filter((e) => !have.has(e.id));
  if (added.length === 0) return current;
  const merged = [...current, ...added];
  const last = current.at(-1)?.id ?? '';
  if (added.some((e) => e.id < last)) merged.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return merged;
}

/**
 * The whole timeline as re-read, keeping the object of every entry that did not change (same edit
 * time, pin and history length), so a re-read after someone pinned one entry renders one row.
 */
export function reconcileTimeline(current: readonly IncidentTimelineEntry[], all: readonly IncidentTimelineEntry[]): IncidentTimelineEntry[] {
  const known = new Map(current.map((e) => [e.id, e]));
  return all.map((e) => {
    const old = known.get(e.id);
    return old && old.editedAt === e.editedAt && old.pinned === e.pinned && old.history.length === e.history.length && old.summary === e.summary ? old : e;
  });
}
