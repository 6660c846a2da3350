import { z } from 'zod';
import { alertStatusSchema, urgencySchema } from './alerts.js';

/**
 * Live updates: what `GET /api/v1/stream` (server-sent events) sends. Events are hints that something
 * changed, not a replicated log: clients re-read what they show (and re-read everything after a
 * reconnect, since events sent while they were away are not replayed).
 */

/** `event: alert`: an alert was created or changed (updated, acknowledged, resolved, a note added). */
export const liveAlertEventSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  serviceId: z.string(),
  status: alertStatusSchema,
  urgency: urgencySchema,
  outcome: z.string().describe('What the change was: created, updated (an event or a note), acknowledged, resolved, …'),
});
export type LiveAlertEvent = z.infer<typeof liveAlertEventSchema>;

/** Event names the stream uses. `resync`: events may have been missed (this node lost its database listener); re-read everything. */
export const liveEventNames = ['ready', 'alert', 'resync'] as const;
export type LiveEventName = (typeof liveEventNames)[number];

/** How long (ms) a client waits before reconnecting; sent as the stream's `retry:` field. */
export const LIVE_RETRY_MS = 3000;
/** A comment line every 15 s keeps proxies from closing an idle stream and lets clients notice a dead one. */
export const LIVE_HEARTBEAT_MS = 15_000;
