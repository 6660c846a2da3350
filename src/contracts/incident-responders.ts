import { z } from 'zod';
import { instantSchema, refParam } from './common.js';

/**
 * Incident responders (issue 6, ADR 0034, docs/incidents.md "Responders"): page people or whole teams
 * into an incident through their escalation policies, and see who acknowledged and who joined.
 *
 * A request opens a high-urgency paging alert assigned to the target, so the escalation engine pages,
 * escalates, fails over and is audited as for any alert; acknowledging that alert acknowledges the
 * request, and joining the war room (`…/responders/join`) is the person saying "I am here".
 */

/** Who to page: a person, an escalation policy, or a team (paged through its escalation policy). */
export const responderTargetTypeSchema = z.enum(['user', 'policy', 'team']);

/**
 * `POST /api/v1/incidents/{incident}/responders`: page someone into the incident.
 *
 * @example
 *   { "target": { "type": "policy", "ref": "databases" }, "message": "Replication lag on the primary; need DB eyes" }
 */
export const requestResponderSchema = z.strictObject({
  target: z.strictObject({
    type: responderTargetTypeSchema,
    ref: refParam.describe('User, escalation policy or team: id or handle'),
  }),
  message: z.string().trim().min(1).max(1000).optional().describe('Why they are needed; in the page and on the timeline'),
});

/**
 * Where a request stands. `requested`: paging (its escalation moves on until someone acknowledges);
 * `acknowledged`: someone acknowledged the page; `joined`: someone it paged joined the incident;
 * `cancelled`: closed before anyone acknowledged (the incident resolved, or the page was resolved);
 * `declined`: the person paged said "not me" and nobody was left to page.
 */
export const responderRequestStateSchema = z.enum(['requested', 'acknowledged', 'joined', 'cancelled', 'declined']);
export type ResponderRequestState = z.infer<typeof responderRequestStateSchema>;

const named = z.object({ id: z.string(), handle: z.string(), name: z.string() });

/** One request to page a responder into an incident. */
export const responderRequestSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  target: z.object({ type: responderTargetTypeSchema, id: z.string(), handle: z.string(), name: z.string() }),
  policy: named.nullable().describe('The escalation policy that pages (a policy target, or the team’s); null for a person'),
  message: z.string().nullable(),
  requestedBy: z.string().describe('Who asked (the audit log label)'),
  requestedAt: instantSchema,
  state: responderRequestStateSchema,
  alert: z.object({ id: z.string(), number: z.number().int(), status: z.enum(['triggered', 'acknowledged', 'resolved']) }).describe('The paging alert that carries the request'),
  escalation: z.enum(['active', 'exhausted', 'stopped', 'none']).describe('`exhausted`: every level was paged and nobody acknowledged'),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: instantSchema.nullable(),
  joinedBy: named.nullable(),
  joinedAt: instantSchema.nullable(),
  closedAt: instantSchema.nullable(),
  paged: z.array(z.object({ userId: z.string(), handle: z.string(), name: z.string(), firstPagedAt: instantSchema, state: z.enum(['paged', 'acknowledged', 'joined']) })).describe('Everyone the request’s escalation paged so far'),
});
export type ResponderRequest = z.infer<typeof responderRequestSchema>;

/** Someone who joined the incident (pressed Join in the war room, or `…/responders/join`). */
export const incidentParticipantSchema = z.object({
  userId: z.string(),
  handle: z.string(),
  name: z.string(),
  joinedAt: instantSchema,
  leftAt: instantSchema.nullable().describe('Set when they left; null while they are in'),
});
export type IncidentParticipant = z.infer<typeof incidentParticipantSchema>;

/** `GET /api/v1/incidents/{incident}/responders`: requests (oldest first) and who joined. */
export const incidentRespondersSchema = z.object({
  requests: z.array(responderRequestSchema),
  participants: z.array(incidentParticipantSchema),
});
export type IncidentRespondersView = z.infer<typeof incidentRespondersSchema>;

/** `POST …/responders/join` and `…/leave`: the caller joins or leaves; an optional note for the timeline. */
export const joinIncidentSchema = z.strictObject({ note: z.string().trim().min(1).max(1000).optional() });
