import { useCallback, useEffect, useRef, useState } from 'react';
import { incidentsApi, type IncidentTimelineEntry } from './incidents.api.js';
import { liveFetchAfter, mergeNewEntries, reconcileTimeline } from './timeline-merge.js';

export interface TimelineState {
  entries: readonly IncidentTimelineEntry[];
  status: 'loading' | 'ready' | 'error';
  error: unknown;
}

export interface IncidentTimeline extends TimelineState {
  /** Re-reads the whole timeline (first load, after a reconnect, after someone edited an entry). */
  reload(): void;
  /** Fetches only what came after the last entry shown: what a live event usually needs. */
  fetchNew(): void;
  /** Puts an entry the server just answered with in place (own edits) or at the end (own notes). */
  accept(entry: IncidentTimelineEntry): void;
}

/**
 * An incident's timeline, kept in memory and grown at its end. The war room fetches it once (up to
 * 5,000 entries a request) and then, on each live event, only the entries `after` the last id it has,
 * so a 2,000-entry timeline costs one request at load and a few bytes per new note.
 *
 * Fetches run one at a time in order, and a `fetchNew` asked for while one is waiting to run is not
 * queued twice, so a burst of events costs at most two requests. Entries are deduplicated by id;
 * unchanged entries keep their object identity, so memoized rows do not re-render.
 */
export function useIncidentTimeline(incident: string): IncidentTimeline {
  const [state, setState] = useState<TimelineState>({ entries: [], status: 'loading', error: null });
  const entries = useRef<IncidentTimelineEntry[]>([]);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const waiting = useRef<'new' | 'all' | null>(null);
  const alive = useRef(true);

  const publish = useCallback((next: IncidentTimelineEntry[]) => {
    entries.current = next;
    if (alive.current) setState({ entries: next, status: 'ready', error: null });
  }, []);

  const loadAll = useCallback(async () => {
    const all: IncidentTimelineEntry[] = [];
    let after: string | undefined;
    do {
      const page = await incidentsApi.timeline(incident, after);
      all.push(...page.items);
      after = page.nextAfter ?? undefined;
    } while (after);
    // Keep the objects of entries that did not change, so their rows are not rendered again.
    publish(reconcileTimeline(entries.current, all));
  }, [incident, publish]);

  const loadNew = useCallback(async () => {
    const current = entries.current;
    if (current.length === 0) return loadAll();
    let after = liveFetchAfter(current);
    const fresh: IncidentTimelineEntry[] = [];
    do {
      const page = await incidentsApi.timeline(incident, after);
      fresh.push(...page.items);
      after = page.nextAfter ?? undefined;
    } while (after);
    const merged = mergeNewEntries(entries.current, fresh);
    if (merged !== entries.current) publish([...merged]);
  }, [incident, loadAll, publish]);

  const enqueue = useCallback(
    (kind: 'new' | 'all') => {
      // A full reload waiting to run covers a fetch of what is new; the same kind waiting covers itself.
      if (waiting.current === 'all' || waiting.current === kind) return;
      waiting.current = kind;
      chain.current = chain.current.then(async () => {
        const what = waiting.current;
        waiting.current = null;
        // An earlier link already ran what this one was queued for (a reload asked for while a fetch waited).
        if (what === null) return;
        try {
          await (what === 'all' ? loadAll() : loadNew());
        } catch (error) {
          if (alive.current) setState((s) => (s.status === 'ready' ? s : { entries: s.entries, status: 'error', error }));
        }
      });
    },
    [loadAll, loadNew],
  );

  useEffect(() => {
    alive.current = true;
    entries.current = [];
    setState({ entries: [], status: 'loading', error: null });
    enqueue('all');
    return () => {
      alive.current = false;
    };
  }, [enqueue]);

  const accept = useCallback(
    (entry: IncidentTimelineEntry) => {
      const current = entries.current;
      const at = current.findIndex((e) => e.id === entry.id);
      if (at >= 0) publish([...current.slice(0, at), entry, ...current.slice(at + 1)]);
      // A new entry (own note): fetch what is new, which brings it and anything committed meanwhile in order.
      else enqueue('new');
    },
    [publish, enqueue],
  );

  return {
    ...state,
    reload: useCallback(() => enqueue('all'), [enqueue]),
    fetchNew: useCallback(() => enqueue('new'), [enqueue]),
    accept,
  };
}
