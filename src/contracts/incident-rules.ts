import { z } from 'zod';
import { severitySchema } from './alerts.js';
import { handleSchema, instantSchema, refParam } from './common.js';
import { incidentSeverityDefinitionSchema } from './incidents.js';

/**
 * Configurable incident severities, auto-declare rules and the postmortem policy (issue 6, issue 8
 * "When a postmortem is required"; ADR 0033). The rules live in `src/core/incidents/rules.ts` and
 * `postmortem-policy.ts`; these are the API shapes.
 */

// ---- severities

/**
 * A configurable severity key: letters, digits and hyphens (so its lowercase form is the config name
 * of its `Severity` document). Keys are unique whatever their case.
 */
export const configurableSeverityKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, 'must be 1–32 letters, digits or hyphens, such as SEV1');

/** Minutes between stakeholder-update reminders for incidents of a severity. */
export const updateCadenceMinutesSchema = z.number().int().min(1).max(24 * 60);

/** A severity as the admin API shows it: the definition, its place in the order, and whether it is stored. */
export const incidentSeverityViewSchema = incidentSeverityDefinitionSchema.extend({
  position: z.number().int().describe('0 is the most severe'),
  stored: z.boolean().describe('false: no severity is configured yet and these are the built-in defaults (the first change stores them)'),
});
export type IncidentSeverityView = z.infer<typeof incidentSeverityViewSchema>;

/**
 * `POST /api/v1/incident-severities`: add a severity. `position` places it (0 = most severe; default
 * last). While none is stored the built-in SEV1–SEV4 are in use: the first change stores them first,
 * so adding SEV0 keeps SEV1–SEV4.
 *
 * @example
 *   { "key": "SEV0", "name": "Catastrophic", "description": "Everything is down", "response": "All hands", "updateCadenceMinutes": 15, "position": 0 }
 */
export const createIncidentSeveritySchema = z.strictObject({
  key: configurableSeverityKeySchema,
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).default(''),
  response: z.string().trim().max(2000).default('').describe('What responders are expected to do'),
  updateCadenceMinutes: updateCadenceMinutesSchema.nullable().optional().describe('Stakeholder-update reminder cadence; null or left out: the default (30 minutes)'),
  position: z.number().int().min(0).max(1000).optional().describe('Where it goes in the order, 0 = most severe; default last'),
});

/** `PATCH /api/v1/incident-severities/{severity}`: change fields or move it (the key cannot change). */
export const updateIncidentSeveritySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(2000).optional(),
  response: z.string().trim().max(2000).optional(),
  updateCadenceMinutes: updateCadenceMinutesSchema.nullable().optional(),
  position: z.number().int().min(0).max(1000).optional().describe('Moves it: 0 = most severe'),
});

export const severityParams = z.strictObject({ severity: z.string().min(1).max(32).describe('A severity key, any case') });

// ---- incident rules

/**
 * When a new alert declares an incident. Every condition given must hold; a condition left out (or
 * an empty list) holds for every alert.
 */
export const incidentRuleConditionsSchema = z.strictObject({
  services: z.array(refParam).max(100).default([]).describe('Service ids or handles; empty: any service'),
  alertSeverities: z.array(severitySchema).max(4).default([]).describe('critical, error, warning, info; empty: any'),
  urgency: z.enum(['high', 'low']).nullable().default(null).describe('The alert’s urgency; null: any'),
  titleContains: z.string().trim().min(1).max(200).nullable().default(null).describe('Case-insensitive text the alert title must contain; null: any'),
  labels: z.record(z.string().min(1).max(100), z.string().max(500)).default({}).describe('Labels the alert must carry with exactly these values'),
});

/** What a matching rule does. */
export const incidentRuleActionSchema = z.strictObject({
  severity: z.string().trim().min(1).max(32).describe('The incident’s severity key'),
  title: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .default('{alert.title}')
    .describe('Incident title template: {alert.title}, {alert.number}, {alert.severity}, {service} are replaced'),
  commander: refParam.nullable().default(null).describe('User id or handle to take command; null: the first person to acknowledge the alert'),
});

/**
 * `POST /api/v1/incident-rules`: an auto-declare rule. Rules are tried in `position` order and the
 * first enabled match declares (or links, see docs/incidents.md).
 *
 * @example
 *   { "name": "checkout-critical", "conditions": { "services": ["checkout"], "alertSeverities": ["critical"] }, "action": { "severity": "SEV2", "title": "Checkout: {alert.title}" } }
 */
export const createIncidentRuleSchema = z.strictObject({
  name: handleSchema.describe('A handle (also its config name)'),
  description: z.string().trim().max(2000).default(''),
  enabled: z.boolean().default(true),
  position: z.number().int().min(0).max(10_000).default(0).describe('Rules are tried lowest first, then by name'),
  conditions: incidentRuleConditionsSchema.default({ services: [], alertSeverities: [], urgency: null, titleContains: null, labels: {} }),
  action: incidentRuleActionSchema,
});

/** `PATCH /api/v1/incident-rules/{rule}`: change fields; `conditions` and `action` are replaced whole. */
export const updateIncidentRuleSchema = z.strictObject({
  description: z.string().trim().max(2000).optional(),
  enabled: z.boolean().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  conditions: incidentRuleConditionsSchema.optional(),
  action: incidentRuleActionSchema.optional(),
});

export const incidentRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  position: z.number().int(),
  conditions: z.object({
    services: z.array(z.object({ id: z.string(), handle: z.string() })),
    alertSeverities: z.array(severitySchema),
    urgency: z.enum(['high', 'low']).nullable(),
    titleContains: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
  }),
  action: z.object({ severity: z.string(), title: z.string(), commander: z.object({ id: z.string(), handle: z.string() }).nullable() }),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type IncidentRule = z.infer<typeof incidentRuleSchema>;

export const ruleParams = z.strictObject({ rule: z.string().min(1).max(64).describe('Rule id or name') });

// ---- postmortem policy

/**
 * When resolving an incident requires a postmortem (issue 8). Any one reason is enough; a field set
 * to null turns that reason off.
 *
 * @example
 *   { "severities": ["SEV1", "SEV2"], "customerImpactMinutes": 30, "repeatWithinDays": 3, "dueDays": 5 }
 */
export const postmortemPolicySchema = z.strictObject({
  severities: z.array(z.string().trim().min(1).max(32)).max(50).describe('Severity keys that always require one'),
  customerImpactMinutes: z.number().int().min(0).max(100_000).nullable().describe('Customer impact (detected → mitigated, else → resolved) longer than this requires one; null: off'),
  repeatWithinDays: z.number().int().min(1).max(365).nullable().describe('An impacted service with another incident detected within this many days requires one; null: off'),
  dueDays: z.number().int().min(1).max(365).optional().describe('A required postmortem is due this many days after the incident resolved (default 5; omitted: unchanged)'),
});
export type PostmortemPolicy = z.infer<typeof postmortemPolicySchema>;

export const postmortemPolicyViewSchema = postmortemPolicySchema.extend({
  dueDays: z.number().int().describe('Days from resolution until a required postmortem is due'),
  updatedAt: instantSchema.nullable().describe('null: the defaults, never changed'),
  updatedBy: z.string().nullable(),
});

/** `POST /api/v1/incidents/{incident}/postmortem-request`: anyone may ask for a postmortem. */
export const postmortemRequestSchema = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
