import { z } from 'zod';
import { handleSchema, instantSchema, refParam } from './common.js';
import { suppressedBySchema } from './suppression.js';

/**
 * Services, integrations and alerts (the intake issue). Inbound formats (PagerDuty Events API v2,
 * Alertmanager, …) keep their own wire shapes and error bodies; these are Firebreak's own API shapes.
 */

export const severitySchema = z.enum(['critical', 'error', 'warning', 'info']);
/** high: page now; low: deliver within the service's support hours; backlog: notify no one (Backlog view). */
export const urgencySchema = z.enum(['high', 'low', 'backlog']);
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

const jsonPathSchema = z.string().min(1).max(500).describe('A JSON path into the posted body, such as `$.alert.name`, `$.items[0].id` or `$[\'odd key\']` (docs/alerts.md)');
/**
 * Generic webhook only: reads arbitrary payloads through JSON paths instead of the documented fields.
 * `title` is required; unmapped fields take their defaults (status firing, severity error, a generated
 * dedup key, the whole body as details). `statusMap` / `severityMap` translate the sender's values.
 */
export const webhookMappingSchema = z.strictObject({
  title: jsonPathSchema, dedupKey: jsonPathSchema.optional(), status: jsonPathSchema.optional(), severity: jsonPathSchema.optional(),
  description: jsonPathSchema.optional(), source: jsonPathSchema.optional(), links: jsonPathSchema.optional(), labels: jsonPathSchema.optional(), details: jsonPathSchema.optional(),
  statusMap: z.record(z.string().max(200), z.enum(['firing', 'resolved'])).optional().describe('The sender\'s status values → firing | resolved, e.g. {"OK":"resolved","ALERT":"firing"}'),
  severityMap: z.record(z.string().max(200), z.enum(['critical', 'error', 'warning', 'info'])).optional().describe('The sender\'s severity values → critical | error | warning | info'),
});
export type WebhookMapping = z.infer<typeof webhookMappingSchema>;

/**
 * Heartbeat integrations (ADR 0017): when success pings are expected. Either `periodSeconds` or a
 * five-field `cron` expression read in `timeZone` (IANA); the heartbeat is late after the expected
 * time and alerts once `graceSeconds` more have passed. On an update, omitted fields keep their value.
 */
export const heartbeatSettingsInputSchema = z.strictObject({
  periodSeconds: z.number().int().min(60).max(31_536_000).optional().describe('Expected time between success pings (60 s to 365 days); default one day'),
  cron: z.string().trim().min(1).max(120).optional().describe('Five-field cron expression of when the job runs, e.g. `0 3 * * *`'),
  timeZone: z.string().min(1).max(64).optional().describe('IANA time zone the cron expression is read in; default UTC'),
  graceSeconds: z.number().int().min(0).max(31_536_000).optional().describe('How long after the expected time a ping may still arrive before the alert; default one hour'),
  maxRunSeconds: z.number().int().min(1).max(31_536_000).nullable().optional().describe('How long a run may take from `/start` to its success or failure; default the grace'),
  severity: severitySchema.optional().describe('Severity of the heartbeat’s alerts; default error'),
});
export const heartbeatStatusSchema = z.enum(['new', 'up', 'late', 'down']);
export const heartbeatViewSchema = z.object({
  periodSeconds: z.number().nullable(), cron: z.string().nullable(), timeZone: z.string(), graceSeconds: z.number(), maxRunSeconds: z.number().nullable(), severity: severitySchema,
  status: heartbeatStatusSchema.describe('new until the first ping; late after the expected time; down past the grace, after a failure or a run that never finished'),
  downReason: z.enum(['missed', 'failed', 'run-timeout']).nullable(),
  running: z.boolean().describe('A run has started (`/start`) and not yet finished'), startedAt: instantSchema.nullable(),
  lastPingAt: instantSchema.nullable(), lastPingKind: z.enum(['success', 'start', 'fail']).nullable(), lastExitCode: z.number().nullable(), lastSuccessAt: instantSchema.nullable(),
  nextDueAt: instantSchema.nullable().describe('When the next success ping is expected'), nextDeadlineAt: instantSchema.nullable().describe('When a missing ping (or an unfinished run) alerts'),
});

const keywordsSchema = z.array(z.string().trim().min(1).max(100)).max(20);
const keywordPlacesSchema = z.strictObject({ subject: keywordsSchema.optional(), body: keywordsSchema.optional() });
/**
 * Email integrations (ADR 0017): how a message becomes an event. Keywords match case-insensitively
 * (as whole words where they start or end with a letter or digit). On an update, omitted fields keep their value.
 */
export const emailSettingsInputSchema = z.strictObject({
  dedupKeyPattern: z.string().max(500).nullable().optional().describe('Regular expression matched against the subject: its first capture group (or the whole match) is the dedup key; default the normalized subject'),
  resolve: keywordPlacesSchema.optional().describe('Keywords that make a message resolve its alert; default subject `RESOLVED`, `[OK]`, `RECOVERY`, `Recovered`'),
  acknowledge: keywordPlacesSchema.optional().describe('Keywords that make a message acknowledge its alert; default none'),
  severity: z.strictObject({ critical: keywordsSchema.optional(), error: keywordsSchema.optional(), warning: keywordsSchema.optional(), info: keywordsSchema.optional() }).optional().describe('Subject keywords that set the severity, most severe first'),
  defaultSeverity: severitySchema.optional(),
});
const keywordPlacesViewSchema = z.object({ subject: z.array(z.string()), body: z.array(z.string()) });
export const emailViewSchema = z.object({
  address: z.string().describe('Where to send mail: `<key>@<intake domain>`; shown as `<key prefix>…` without the key'),
  intakeEnabled: z.boolean().describe('Whether this server listens for mail (FIREBREAK_INTAKE_SMTP_PORT)'),
  dedupKeyPattern: z.string().nullable(), resolve: keywordPlacesViewSchema, acknowledge: keywordPlacesViewSchema,
  severity: z.object({ critical: z.array(z.string()), error: z.array(z.string()), warning: z.array(z.string()), info: z.array(z.string()) }), defaultSeverity: severitySchema,
});

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
  flapWindowMinutes: z.number().int().min(0).max(24 * 60).default(0).describe('Flap damping: an alert that resolved and re-triggers within this many minutes is reopened, not re-created (0: off)'),
  stormThresholdPerMinute: z.number().int().min(0).max(100_000).default(0).describe('Storm guard: past this many new alerts in a minute, further new alerts collapse into one summary alert until a quiet minute (0: off, the default; 50 suits most services)'),
  dependsOn: z.array(refParam).max(50).optional().describe('Services this one depends on (ids or handles; replaces the list). Incidents show the changes of these too (ADR 0031)'),
});
/**
 * An update: every field optional and WITHOUT the create defaults (zod 4's `.partial()` keeps them, so
 * `PATCH {name}` would reset the description and urgency). Omitted fields keep the service's values,
 * severities omitted from `urgency` too.
 */
export const serviceUpdateSchema = serviceInputSchema
  .omit({ handle: true })
  .partial()
  .strict()
  .extend({
    description: z.string().max(5000).optional(),
    urgency: z.strictObject({ critical: urgencySchema.optional(), error: urgencySchema.optional(), warning: urgencySchema.optional(), info: urgencySchema.optional() }).optional().describe('Urgency of a new alert by its severity; severities left out keep their urgency'),
    flapWindowMinutes: z.number().int().min(0).max(24 * 60).optional(),
    stormThresholdPerMinute: z.number().int().min(0).max(100_000).optional(),
  });

export const integrationSchema = z.object({
  id: z.string(), serviceId: z.string(), type: integrationTypeSchema, name: z.string(), disabled: z.boolean(),
  keyPreview: z.string().describe('The first characters of the key'), previousKeyValidUntil: instantSchema.nullable(),
  createdAt: instantSchema, lastEventAt: instantSchema.nullable(),
  verification: z.array(verificationKindSchema).describe('Checks each post must pass (Grafana, webhook): hmac, bearer, basic; empty when none'),
  mapping: webhookMappingSchema.nullable().optional().describe('Generic webhook: the JSON-path mapping posts are read through; null reads the documented fields'),
  heartbeat: heartbeatViewSchema.optional().describe('Heartbeat integrations: schedule and status'),
  email: emailViewSchema.optional().describe('Email integrations: address and parsing rules'),
});
export const integrationWithKeySchema = integrationSchema.extend({
  key: z.string().describe('The integration key (routing key); admins and the owning team can read it again'),
  url: z.string().describe('Where the sending tool posts'),
  snippet: z.string().describe('Copy-paste configuration for the sending tool (Alertmanager `receivers` YAML, Grafana contact point provisioning YAML, or a curl call for Events API v2)'),
});
export const integrationInputSchema = z.strictObject({
  type: integrationTypeSchema, name: z.string().trim().min(1).max(200),
  auth: integrationAuthSchema.optional().describe('Grafana and webhook only: checks each post must pass'),
  mapping: webhookMappingSchema.optional().describe('Webhook only: read posts through these JSON paths instead of the documented fields'),
  heartbeat: heartbeatSettingsInputSchema.optional().describe('Heartbeat only: when pings are expected'),
  email: emailSettingsInputSchema.optional().describe('Email only: how messages become events'),
});
export const integrationUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(), disabled: z.boolean().optional(),
  auth: integrationAuthSchema.nullable().optional().describe('Grafana and webhook only: replaces the checks; null removes them'),
  mapping: webhookMappingSchema.nullable().optional().describe('Webhook only: replaces the JSON-path mapping; null goes back to the documented fields'),
  heartbeat: heartbeatSettingsInputSchema.optional().describe('Heartbeat only: changes the given settings'),
  email: emailSettingsInputSchema.optional().describe('Email only: changes the given rules'),
});
export const rotateKeyInputSchema = z.strictObject({
  graceMinutes: z.number().int().min(0).max(60 * 24 * 30).default(60).describe('How long the old key keeps working'),
});

export const serviceSchema = z.object({
  id: z.string(), handle: z.string(), name: z.string(), description: z.string(), teamId: z.string().nullable(), escalationPolicyId: z.string().nullable(),
  runbookUrl: z.string().nullable(), dashboardUrl: z.string().nullable(),
  urgency: z.object({ critical: urgencySchema, error: urgencySchema, warning: urgencySchema, info: urgencySchema }),
  integrations: z.array(integrationSchema), openAlerts: z.number(), createdAt: instantSchema, updatedAt: instantSchema,
  flapWindowMinutes: z.number().describe('Flap damping window (0: off)'), stormThresholdPerMinute: z.number().describe('Storm guard threshold of new alerts per minute (0: off)'),
  dependsOn: z.array(z.string()).describe('Handles of the services this one depends on, sorted'),
});
export type Service = z.infer<typeof serviceSchema>;

export const alertAssigneeSchema = z.object({ kind: z.enum(['user', 'escalationPolicy']), id: z.string(), label: z.string() });

/** `POST /api/v1/alerts/{alert}/reassign`: exactly one of `user` and `escalationPolicy`. */
export const reassignAlertSchema = z
  .strictObject({
    user: refParam.optional().describe('User id or handle'),
    escalationPolicy: refParam.optional().describe('Escalation policy id or handle'),
    note: z.string().trim().min(1).max(5000).optional(),
  })
  .refine((v) => (v.user === undefined) !== (v.escalationPolicy === undefined), { message: 'give exactly one of `user` and `escalationPolicy`', path: ['user'] });

/** `POST /api/v1/alerts/{alert}/snooze`: exactly one of `until` and `minutes`. */
export const snoozeAlertSchema = z
  .strictObject({
    until: instantSchema.optional().describe('When the alert triggers again (ISO 8601 instant, at most 7 days ahead)'),
    minutes: z.number().int().min(1).max(7 * 24 * 60).optional().describe('Or: for this many minutes'),
    note: z.string().trim().min(1).max(5000).optional(),
  })
  .refine((v) => (v.until === undefined) !== (v.minutes === undefined), { message: 'give exactly one of `until` and `minutes`', path: ['until'] });

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
  suppressedBy: suppressedBySchema.nullable().describe('Why nobody is notified of this alert (maintenance window, silence, or collapsed into a storm summary); null when not suppressed'),
  deliverAt: z.union([instantSchema, z.literal('never')]).nullable().describe('When people hear of it: null now; an instant when low urgency is deferred to the next support window; `never` for the backlog'),
  assignee: alertAssigneeSchema.nullable().describe('Who the alert was reassigned to (a user or an escalation policy); null: the service’s escalation policy'),
  snoozedUntil: instantSchema.nullable().describe('Snoozed: acknowledged until this instant, then triggered again'),
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
  outcome: z.enum(['created', 'updated', 'acknowledged', 'resolved', 'duplicate', 'ignored', 'dropped']).describe('`dropped`: a routing rule dropped the event; only the event log keeps it'), dedupKey: z.string(), alert: alertSchema.nullable(),
});
/** `POST /api/v1/alerts/bulk`: one result per id, in the order given. */
export const bulkAlertResultSchema = z.object({
  items: z.array(z.object({ id: z.string(), ok: z.boolean(), status: alertStatusSchema.nullable(), error: z.string().nullable() })),
});

/** Changes recorded on a service (change events and `POST /api/v1/changes`): see contracts/changes.ts. */
export { changePageSchema, changeSchema, listChangesQuery, type Change } from './changes.js';
