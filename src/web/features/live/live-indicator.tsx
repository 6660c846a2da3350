import type { LiveState } from './live-connection.js';

const labels: Record<LiveState, { text: string; title: string }> = {
  connecting: { text: 'Connecting…', title: 'Connecting to live updates; the page re-reads every 10 seconds meanwhile' },
  live: { text: 'Live', title: 'Changes appear as they happen' },
  reconnecting: { text: 'Reconnecting…', title: 'Live updates were interrupted; the page re-reads every 10 seconds until they are back' },
};

/** A small badge saying whether the page is receiving live updates. */
export function LiveIndicator({ state }: { state: LiveState }) {
  const { text, title } = labels[state];
  return (
    <span className={`badge live-indicator live-indicator-${state}`} role="status" aria-live="polite" title={title} data-live-state={state}>
      {text}
    </span>
  );
}
