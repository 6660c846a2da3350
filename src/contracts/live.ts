import { z } from 'zod';
import { alertStatusSchema, urgencySchema } from './alerts.js';
import { incidentStatusSchema } from './incidents.js';

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

/**
 * `event: incident`: an incident changed (declared, edited, status, a role, a timeline entry or any
 * part such as a thread or checklist item). Incidents are organization-wide reads, so every stream
 * hears them, team-scoped ones included. A war-room page re-reads the incident and fetches its
 * timeline `after` the last entry it has.
 */
export const liveIncidentEventSchema = z.object({
  incidentId: z.string(),
  reference: z.string().describe('`INC-42`'),
  status: incidentStatusSchema,
  action: z.string().describe('What the change was: declare, update, status, resolve, role, note, timeline-edit, stakeholder-update, …'),
});
export type LiveIncidentEvent = z.infer<typeof liveIncidentEventSchema>;

/** Event names the stream uses. `resync`: events may have been missed (this node lost its database listener); re-read everything. */
export const liveEventNames = ['ready', 'alert', 'incident', 'resync'] as const;
export type LiveEventName = (typeof liveEventNames)[number];

/** How long (ms) a client waits before reconnecting; sent as the stream's `retry:` field. */
export const LIVE_RETRY_MS = 3000;
/** A comment line every 15 s keeps proxies from closing an idle stream and lets clients notice a dead one. */
export const LIVE_HEARTBEAT_MS = 15_000;
