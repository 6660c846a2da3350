import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { liveConnection, type LiveState } from './live-connection.js';

/** Re-reads at most this often: an alert storm becomes a few refetches, not one per event. */
const COALESCE_MS = 300;

/**
 * Keeps alert views current without reloading: listens to the server's event stream and re-reads the
 * alerts queries (lists, details, timelines) and services (their open-alert counts) when alerts
 * change. Returns the connection state for {@link LiveIndicator}; views keep polling while it is not
 * `live`.
 *
 * @example
 *   const live = useLiveAlerts();
 *   const alerts = useQuery({ ...alertsQuery(filters), refetchInterval: live === 'live' ? false : ALERT_REFRESH_MS });
 */
export function useLiveAlerts(): LiveState {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = liveConnection.subscribe((signal) => {
      // Incident events are for war-room pages (use-live-incident.ts); alert views need not re-read.
      if (signal.type === 'incident' || timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ['alerts'] });
        void queryClient.invalidateQueries({ queryKey: ['services'] });
      }, COALESCE_MS);
    });
    return () => {
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
    };
  }, [queryClient]);
  return useSyncExternalStore(liveConnection.subscribeState, liveConnection.getState);
}
