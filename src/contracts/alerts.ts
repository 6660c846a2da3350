import { z } from 'zod';
import { handleSchema, instantSchema, refParam } from './common.js';

/**
 * Services, integrations and alerts (the intake issue). Inbound formats (PagerDuty Events API v2,
 * Alertmanager, …) keep their own wire shapes and error bodies; these are Firebreak's own API shapes.
 */

export const severitySchema = z.enum(['critical', 'error', 'warning', 'info']);
export const urgencySchema = z.enum(['high', 'low']);
export const alertStatusSchema = z.enum(['triggered', 'acknowledged', 'resolved']);
export const integrationTypeSchema = z.enum(['events-v2', 'alertmanager', 'grafana', 'webhook', 'opsgenie', 'victorops', 'email', 'heartbeat']);

/**
 * Optional verification of a Grafana or generic webhook integration's posts: an HMAC-SHA256 signature
 * header (Grafana only), and/or an `Authorization` header (bearer or basic). Write-only:
 * views say which checks are on (`verification`), never the secrets.
 */
export const integrationAuthSchema = z.strictObject({
  hmacSecret: z.string().min(16).max(256).optional().describe('Grafana “HMAC signature” secret; posts must carry a valid X-Grafana-Alerting-Signature'),
  bearerToken: z.string().min(16).max(256).refine((v) => /^[\x21-\x7e]+$/.test(v), 'must be printable ASCII without spaces').optional().describe('Posts must carry `Authorization: Bearer <token>`'),
  basicAuth: z.strictObject({ username: z.string().min(1).max(200).regex(/^[^:]+$/, 'must not contain a colon'), password: z.string().min(8).max(256) }).optional().describe('Posts must carry HTTP basic auth with these credentials'),
});
export const verificationKindSchema = z.enum(['hmac', 'bearer', 'basic']);

const linkSchema = z.strictObject({ href: z.string().url().max(2048), text: z.string().max(500).optional() });

export const serviceInputSchema = z.strictObject({
  handle: handleSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  team: refParam.optional().describe('Owning team id or handle'),
  escalationPolicy: refParam.optional().describe('Escalation policy id or handle (paging arrives with the paging release)'),
  runbookUrl: z.string().url().max(2048).optional(),
  dashboardUrl: z.string().url().max(2048).optional(),
  urgency: z.strictObject({
    critical: urgencySchema.default('high'), error: urgencySchema.default('high'), warning: urgencySchema.default('low'), info: urgencySchema.default('low'),
  }).default({ critical: 'high', error: 'high', warning: 'low', info: 'low' }).describe('Urgency of a new alert by its severity'),
});
export const serviceUpdateSchema = serviceInputSchema.omit({ handle: true }).partial().strict();

export const integrationSchema = z.object({
  id: z.string(), serviceId: z.string(), type: integrationTypeSchema, name: z.string(), disabled: z.boolean(),
  keyPreview: z.string().describe('The first characters of the key'), previousKeyValidUntil: instantSchema.nullable(),
  createdAt: instantSchema, lastEventAt: instantSchema.nullable(),
  verification: z.array(verificationKindSchema).describe('Checks each post must pass (Grafana, webhook): hmac, bearer, basic; empty when none'),
});
export const integrationWithKeySchema = integrationSchema.extend({
  key: z.string().describe('The integration key (routing key); admins and the owning team can read it again'),
  url: z.string().describe('Where the sending tool posts'),
  snippet: z.string().describe('Copy-paste configuration for the sending tool (Alertmanager `receivers` YAML, Grafana contact point provisioning YAML, or a curl call for Events API v2)'),
});
export const integrationInputSchema = z.strictObject({
  type: integrationTypeSchema, name: z.string().trim().min(1).max(200),
  auth: integrationAuthSchema.optional().describe('Grafana and webhook only: checks each post must pass'),
});
export const integrationUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(), disabled: z.boolean().optional(),
  auth: integrationAuthSchema.nullable().optional().describe('Grafana and webhook only: replaces the checks; null removes them'),
});
export const rotateKeyInputSchema = z.strictObject({
  graceMinutes: z.number().int().min(0).max(60 * 24 * 30).default(60).describe('How long the old key keeps working'),
});

export const serviceSchema = z.object({
  id: z.string(), handle: z.string(), name: z.string(), description: z.string(), teamId: z.string().nullable(), escalationPolicyId: z.string().nullable(),
  runbookUrl: z.string().nullable(), dashboardUrl: z.string().nullable(),
  urgency: z.object({ critical: urgencySchema, error: urgencySchema, warning: urgencySchema, info: urgencySchema }),
  integrations: z.array(integrationSchema), openAlerts: z.number(), createdAt: instantSchema, updatedAt: instantSchema,
});
export type Service = z.infer<typeof serviceSchema>;

export const alertSchema = z.object({
  id: z.string(), number: z.number().describe('Short human number, shown as #123'), serviceId: z.string(), serviceHandle: z.string(),
  integrationId: z.string().nullable(), dedupKey: z.string(), title: z.string(), description: z.string(), source: z.string().nullable(),
  severity: severitySchema, urgency: urgencySchema, status: alertStatusSchema, eventCount: z.number(),
  firstSeenAt: instantSchema, lastSeenAt: instantSchema, acknowledgedAt: instantSchema.nullable(), acknowledgedBy: z.string().nullable(),
  resolvedAt: instantSchema.nullable(), resolvedBy: z.string().nullable(),
  labels: z.record(z.string(), z.string()), details: z.unknown().nullable(),
  links: z.array(z.object({ href: z.string(), text: z.string().nullable() })), images: z.array(z.object({ src: z.string(), href: z.string().nullable(), alt: z.string().nullable() })),
  members: z.array(z.object({ fingerprint: z.string(), status: z.enum(['firing', 'resolved']), labels: z.record(z.string(), z.string()), annotations: z.record(z.string(), z.string()), startsAt: instantSchema.nullable(), endsAt: instantSchema.nullable(), generatorUrl: z.string().nullable(),
    links: z.array(z.object({ href: z.string(), text: z.string().nullable() })).optional().describe('Grafana: dashboard, panel and silence links'),
    images: z.array(z.object({ src: z.string(), href: z.string().nullable(), alt: z.string().nullable() })).optional().describe('Grafana: the panel screenshot'),
    details: z.record(z.string(), z.unknown()).optional().describe('Grafana: values and valueString of the evaluation that last changed the member'),
  })).describe('Member alerts of a group (Alertmanager, Grafana)'),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertTimelineEntrySchema = z.object({
  id: z.string(), at: instantSchema, kind: z.enum(['event', 'action', 'note']),
  action: z.string().describe('trigger, acknowledge, resolve, note, …'), actor: z.string().nullable(), summary: z.string(), data: z.unknown().nullable(),
});

export const listAlertsQuery = z.strictObject({
  service: refParam.optional(), team: refParam.optional(), status: z.string().regex(/^(triggered|acknowledged|resolved)(,(triggered|acknowledged|resolved))*$/).optional().describe('Comma-separated statuses; default triggered,acknowledged'),
  urgency: urgencySchema.optional(), q: z.string().max(200).optional().describe('Search in title and dedup key'),
  since: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(100), before: z.string().optional().describe('Alert id for pagination'),
});
export const alertPageSchema = z.object({ items: z.array(alertSchema), nextBefore: z.string().nullable() });

export const alertActionSchema = z.strictObject({ note: z.string().max(5000).optional() });
export const alertNoteSchema = z.strictObject({ note: z.string().trim().min(1).max(5000) });
export const bulkAlertActionSchema = z.strictObject({ ids: z.array(z.string()).min(1).max(500), action: z.enum(['acknowledge', 'resolve']) });

/** `POST /api/v1/alerts` (CLI `firebreak alert trigger`, tests): an event sent with an API token instead of an integration key. */
export const triggerAlertSchema = z.strictObject({
  service: refParam, title: z.string().trim().min(1).max(1024), severity: severitySchema.default('error'), dedupKey: z.string().min(1).max(255).optional(),
  description: z.string().max(20000).optional(), labels: z.record(z.string(), z.string()).optional(), links: z.array(linkSchema).max(20).optional(),
});

/** `POST /api/v1/alerts`: what the event did and the alert it opened or updated (null when ignored). */
export const triggerAlertResultSchema = z.object({
  outcome: z.enum(['created', 'updated', 'acknowledged', 'resolved', 'duplicate', 'ignored']), dedupKey: z.string(), alert: alertSchema.nullable(),
});
/** `POST /api/v1/alerts/bulk`: one result per id, in the order given. */
export const bulkAlertResultSchema = z.object({
  items: z.array(z.object({ id: z.string(), ok: z.boolean(), status: alertStatusSchema.nullable(), error: z.string().nullable() })),
});
