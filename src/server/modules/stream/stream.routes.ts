import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { LiveUpdates } from './live-updates.js';

/** `GET /api/v1/stream`: live updates as server-sent events (docs/alerts.md, “Live updates”; ADR 0020). */
export function streamRoutes(live: LiveUpdates): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/stream',
      operationId: 'streamEvents',
      summary: 'Live updates: a server-sent event stream (text/event-stream) of alert and incident changes',
      description: [
        'Send `Accept: text/event-stream` (EventSource does). The stream starts with `retry: 3000` and an `event: ready`,',
        'then sends `event: alert` with `{id, number, serviceId, status, urgency, outcome}` after each committed alert change,',
        '`event: incident` with `{incidentId, reference, status, action}` after each committed incident change (declared, edited,',
        'status, roles, timeline entries, and the incident’s other parts; a page keeps the events of its incident and fetches its',
        'timeline `after` the last entry it has), and a `: heartbeat` comment every 15 s.',
        'Team-scoped tokens hear only about alerts of their team’s services; incidents are organization-wide reads, so every stream hears every incident event.',
        'Events are not replayed (`Last-Event-ID` is ignored): after a reconnect, or an `event: resync`, re-read what you show.',
        'The server ends a stream after 10 minutes (and at shutdown); clients reconnect and are authenticated again.',
      ].join(' '),
      tag: 'Live updates',
      auth: { role: 'viewer' },
      success: { status: 200, schema: z.string(), description: 'A text/event-stream that stays open' },
      errors: ['VALIDATION_FAILED', 'UNAVAILABLE'],
      handler: async ({ request, reply, principal }) => {
        // `auth` guarantees a principal on this route.
        if (principal) live.open(request, reply, principal);
        return '';
      },
    }),
  ];
}
