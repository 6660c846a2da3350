import type { LiveAlertEvent, LiveIncidentEvent } from '../../contracts/live.js';

/**
 * In-process publish/subscribe for live updates (server-sent events). Publishers call `publish` only
 * after the change committed (`Tx.afterCommit`), so a subscriber never hears of a change that rolled
 * back. With several nodes on PostgreSQL, `events.pg.ts` forwards local events to the other nodes and
 * publishes theirs here with `origin: 'remote'`.
 */
export type LiveEvent = { type: 'alert'; alert: LiveAlertEvent } | { type: 'incident'; incident: LiveIncidentEvent } | { type: 'resync' };

/** Where an event came from: this process, or another node (through PostgreSQL NOTIFY). */
export type EventOrigin = 'local' | 'remote';

export type EventListener = (event: LiveEvent, origin: EventOrigin) => void;

export interface EventBus {
  publish(event: LiveEvent, origin?: EventOrigin): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
  /** How many listeners there are (for tests and metrics). */
  readonly listenerCount: number;
}

/**
 * Creates an event bus. Publishing is synchronous and never throws: a listener that fails is
 * reported to `onListenerError` and the others still hear the event (the publisher is an
 * after-commit callback, where an exception would turn a committed change into an error answer).
 */
export function createEventBus(options: { onListenerError?: (error: unknown) => void } = {}): EventBus {
  const listeners = new Set<EventListener>();
  return {
    publish(event, origin = 'local') {
      for (const listener of [...listeners]) {
        try {
          listener(event, origin);
        } catch (error) {
          options.onListenerError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
