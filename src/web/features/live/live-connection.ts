import { LIVE_RETRY_MS, type LiveAlertEvent, type LiveIncidentEvent } from '../../../contracts/live.js';
import { apiPath } from '../../api/client.js';

/**
 * One EventSource for the whole tab, shared by every component that wants live updates, opened when
 * the first one mounts and closed a little after the last one unmounts (so moving from the alerts list
 * to an alert does not reconnect).
 *
 * - `connecting`: not connected yet; `live`: the stream is open; `reconnecting`: it dropped and the
 *   browser (or, after a refusal such as an expired session, this module) is trying again.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** What listeners hear: an alert or an incident changed, or "re-read everything" (connected again, or told to resync). */
export type LiveSignal = { type: 'alert'; alert: LiveAlertEvent } | { type: 'incident'; incident: LiveIncidentEvent } | { type: 'resync' };

type Listener = (signal: LiveSignal) => void;

const CLOSE_DELAY_MS = 5000;

let source: EventSource | null = null;
let state: LiveState = 'connecting';
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let closeTimer: ReturnType<typeof setTimeout> | null = null;
const stateListeners = new Set<() => void>();
const signalListeners = new Set<Listener>();

function setState(next: LiveState): void {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener();
}

function emit(signal: LiveSignal): void {
  for (const listener of signalListeners) listener(signal);
}

function open(): void {
  if (source || typeof EventSource === 'undefined') return;
  const es = new EventSource(apiPath('/stream'), { withCredentials: true });
  source = es;
  // `ready` is the server's first event: the stream is open. Anything may have changed while we were
  // away (events are not replayed), so listeners re-read everything.
  es.addEventListener('ready', () => {
    setState('live');
    emit({ type: 'resync' });
  });
  es.addEventListener('alert', (event) => {
    try {
      emit({ type: 'alert', alert: JSON.parse((event as MessageEvent<string>).data) as LiveAlertEvent });
    } catch {
      emit({ type: 'resync' });
    }
  });
  es.addEventListener('incident', (event) => {
    try {
      emit({ type: 'incident', incident: JSON.parse((event as MessageEvent<string>).data) as LiveIncidentEvent });
    } catch {
      emit({ type: 'resync' });
    }
  });
  es.addEventListener('resync', () => emit({ type: 'resync' }));
  es.addEventListener('error', () => {
    setState('reconnecting');
    // The browser retries by itself after a dropped stream, but gives up for good after an error
    // answer (401 once the session expired, 503 while a node stops): then retry here.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      if (source === es) source = null;
      if (retryTimer === null && signalListeners.size + stateListeners.size > 0) {
        retryTimer = setTimeout(() => {
          retryTimer = null;
          open();
        }, LIVE_RETRY_MS * 2);
      }
    }
  });
}

function release(): void {
  if (signalListeners.size + stateListeners.size > 0 || closeTimer !== null) return;
  closeTimer = setTimeout(() => {
    closeTimer = null;
    if (signalListeners.size + stateListeners.size > 0) return;
    source?.close();
    source = null;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    setState('connecting');
  }, CLOSE_DELAY_MS);
}

function acquire(): void {
  if (closeTimer !== null) {
    clearTimeout(closeTimer);
    closeTimer = null;
  }
  open();
}

export const liveConnection = {
  getState: (): LiveState => state,
  /** For `useSyncExternalStore`. */
  subscribeState(listener: () => void): () => void {
    stateListeners.add(listener);
    acquire();
    return () => {
      stateListeners.delete(listener);
      release();
    };
  },
  subscribe(listener: Listener): () => void {
    signalListeners.add(listener);
    acquire();
    return () => {
      signalListeners.delete(listener);
      release();
    };
  },
};
