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
        status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
        dueAt: instantSchema,
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        sentAt: instantSchema.nullable(),
      }),
    ),
    users: z.record(z.string(), z.object({ handle: z.string(), name: z.string() })),
  })
  .describe('An alert’s escalation: the snapshotted levels, the steps taken, who was paged and how');
