import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { LiveIncidentEvent } from '../../../contracts/live.js';
import { liveConnection, type LiveState } from './live-connection.js';

/** Lists re-read at most this often: a busy incident becomes a few refetches, not one per entry. */
const COALESCE_MS = 300;

/**
 * Hears incident events on the tab's shared event stream. `listener` gets each event, or `null` when
 * everything must be re-read (the stream connected again, or the server said `resync`). The listener
 * may change between renders without resubscribing. Returns the connection state.
 *
 * @example
 *   const live = useIncidentSignals((event) => { if (!event || event.incidentId === id) refresh(); });
 */
export function useIncidentSignals(listener: (event: LiveIncidentEvent | null) => void): LiveState {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(
    () =>
      liveConnection.subscribe((signal) => {
        if (signal.type === 'incident') latest.current(signal.incident);
        else if (signal.type === 'resync') latest.current(null);
      }),
    [],
  );
  return useSyncExternalStore(liveConnection.subscribeState, liveConnection.getState);
}

/** Keeps incident lists current: re-reads the `['incidents', 'list']` queries after incident events, coalesced. */
export function useLiveIncidentList(): LiveState {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return useIncidentSignals(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries({ queryKey: ['incidents', 'list'] });
    }, COALESCE_MS);
  });
}
