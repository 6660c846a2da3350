import { z } from 'zod';
import { instantSchema } from './common.js';
import { contactMethodTypes } from './notify.js';

/** A level's target as the escalation snapshot holds it, with its name when it still exists. */
const snapshotTargetSchema = z.object({ type: z.enum(['user', 'schedule', 'team']), id: z.string(), handle: z.string(), name: z.string() });

/** `GET /api/v1/alerts/{alert}/escalation`: the alert's escalation (docs/paging.md). */
export const escalationViewSchema = z
  .object({
    alertId: z.string(),
    /** `none`: the alert never paged (low urgency, suppressed, deferred, or no policy). */
    status: z.enum(['none', 'active', 'acknowledged', 'resolved', 'exhausted']),
    source: z.object({ kind: z.enum(['policy', 'user']), id: z.string(), name: z.string() }).nullable().describe('The policy (or the person assigned) snapshotted when the alert triggered'),
    ackTimeoutMinutes: z.number().int().nullable().describe('The snapshotted policy’s acknowledgement timeout; null when an acknowledgement holds until resolved'),
    startedAt: instantSchema.nullable(),
    nextStepAt: instantSchema.nullable().describe('When the next level is paged unless someone acknowledges; null when nothing is pending'),
    repeat: z.number().int(),
    levels: z.array(z.object({ level: z.number().int(), delayMinutes: z.number().int(), targets: z.array(snapshotTargetSchema) })),
    fallback: snapshotTargetSchema.nullable(),
    steps: z.array(z.object({ level: z.number().int().nullable(), round: z.number().int(), at: instantSchema, skipped: z.boolean(), userIds: z.array(z.string()) })).describe('Every level that fired, oldest first'),
    notifications: z.array(
      z.object({
        id: z.string(),
        /** `page`, or `resolved` for the notice sent once the alert resolved. */
        kind: z.enum(['page', 'resolved']),
        userId: z.string(),
        channel: z.enum(contactMethodTypes),
        address: z.string(),
        level: z.number().int().nullable(),
        round: z.number().int(),
        status: z.enum(['pending', 'sent', 'failed', 'cancelled', 'digest']).describe('`digest`: held to be sent with other pages in one message (a burst to one person)'),
        dueAt: instantSchema,
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        sentAt: instantSchema.nullable(),
        /** Sent to a person added as a responder, outside the escalation's levels. */
        responder: z.boolean(),
        /** A test page (its alert is on the internal Firebreak self-test service): says so; never an incident. */
        test: z.boolean(),
        /** A copy for a shadow participant of the schedule: for their information. */
        shadow: z.boolean(),
      }),
    ),
    responders: z
      .array(
        z.object({
          userId: z.string(),
          via: z.object({ type: z.enum(['user', 'escalationPolicy']), id: z.string(), name: z.string() }),
          requestedBy: z.string(),
          message: z.string().nullable(),
          at: instantSchema,
        }),
      )
      .describe('People added as responders, oldest first'),
    users: z.record(z.string(), z.object({ handle: z.string(), name: z.string() })),
  })
  .describe('An alert’s escalation: the snapshotted levels, the steps taken, who was paged and how');

export type EscalationViewData = z.infer<typeof escalationViewSchema>;

/** `POST /api/v1/alerts/{alert}/responders`: page more people into an alert (docs/paging.md). */
export const addRespondersSchema = z.strictObject({
  targets: z
    .array(z.strictObject({ type: z.enum(['user', 'escalationPolicy']), id: z.string().min(1).max(64).describe('The user’s or policy’s id or handle') }))
    .min(1)
    .max(20)
    .describe('People to page at once, and escalation policies whose level 1 is paged at once'),
  message: z.string().max(1000).optional().describe('Why they are needed; shown on the timeline and the alert page'),
});

/** `PUT /api/v1/escalation-policies/{policy}/paging-settings`: paging's own settings of a policy. */
export const policyPagingSettingsSchema = z.strictObject({
  ackTimeoutMinutes: z.number().int().min(1).max(10_080).nullable().describe('An acknowledged alert not resolved within this many minutes triggers again and escalates from level 1; null: an acknowledgement holds until resolved'),
});

/** `POST /api/v1/users/{user}/test-page`: what was sent (docs/paging.md, "Test pages"). */
export const testPageResultSchema = z.object({
  alertId: z.string(),
  alertNumber: z.number().int(),
  pages: z.array(z.object({ channel: z.enum(contactMethodTypes), address: z.string(), dueAt: instantSchema })),
});

/**
 * A drill of an escalation policy (`POST /api/v1/escalation-policies/{policy}/drills`): a test alert
 * that walks the policy's real escalation — real schedules, real notification rules and delays, real
 * providers — with every page marked as a test, and a report of how long each step took to be
 * acknowledged (docs/paging.md, "Drills").
 *
 * @example
 *   { "alertNumber": 311, "status": "acknowledged", "timeToAcknowledgeSeconds": 754,
 *     "steps": [{ "level": 1, "outcome": "escalated", "waitedSeconds": 600, … }, { "level": 2, "outcome": "acknowledged", "acknowledgedAfterSeconds": 154, … }] }
 */
export const policyDrillSchema = z.object({
  alertId: z.string(),
  alertNumber: z.number().int(),
  policy: z.object({ id: z.string(), handle: z.string(), name: z.string() }),
  startedAt: instantSchema,
  startedBy: z.string(),
  status: z.enum(['running', 'acknowledged', 'unanswered', 'ended']).describe('running: waiting for an answer; acknowledged; unanswered: every step paged, nobody answered; ended: ran out of time unanswered'),
  acknowledgedAt: instantSchema.nullable(),
  acknowledgedBy: z.string().nullable(),
  timeToAcknowledgeSeconds: z.number().nullable(),
  endsAt: instantSchema.describe('When the drill resolves itself if nobody answers'),
  steps: z.array(
    z.object({
      level: z.number().int().nullable().describe('1-based level; null for the fallback'),
      round: z.number().int(),
      firedAt: instantSchema,
      people: z.array(z.object({ id: z.string(), handle: z.string() })),
      pages: z.array(z.object({ userHandle: z.string(), channel: z.enum(contactMethodTypes), address: z.string(), status: z.string().describe('pending, sent, failed, cancelled'), sentAt: instantSchema.nullable(), deliveredAt: instantSchema.nullable() })),
      outcome: z.enum(['acknowledged', 'escalated', 'unanswered', 'waiting']),
      acknowledgedAfterSeconds: z.number().nullable().describe('From this step firing to the acknowledgement, when this step was answered'),
      waitedSeconds: z.number().describe('How long this step waited for an answer'),
    }),
  ),
});
export type PolicyDrill = z.infer<typeof policyDrillSchema>;
