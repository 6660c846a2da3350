import { z } from 'zod';
import { compileRules, conditionOps, isRuleField, MAX_CONDITIONS, MAX_RULES } from '../core/alerts/rules.js';
import { supportHoursIssues, weekdays } from '../core/alerts/support-hours.js';
import { severitySchema, urgencySchema } from './alerts.js';
import { handleSchema, instantSchema, timeZoneSchema } from './common.js';

/**
 * Routing rules, urgency by time of day and the backlog (docs/alerts.md, "Routing rules and
 * urgency"; ADR 0018). One schema source for the API, the web UI and config-as-code (`Service`).
 */

export const ruleConditionSchema = z.strictObject({
  field: z.string().min(1).max(207).refine((v: string): boolean => isRuleField(v), 'must be title, description, source, severity, dedupKey, integrationType or labels.<name>')
    .describe('title, description, source, severity, dedupKey, integrationType, or labels.<name> (for groups: any firing member’s labels)'),
  op: z.enum(conditionOps).describe('equals, not-equals (also true when the field is missing), regex (RE2 subset, searched; `(?i)` ignores case), exists, in'),
  value: z.string().max(1000).optional().describe('For equals, not-equals and regex'),
  values: z.array(z.string().max(1000)).max(100).optional().describe('For in'),
});

export const ruleActionsSchema = z.strictObject({
  severity: severitySchema.optional().describe('Set the event’s severity'),
  urgency: urgencySchema.optional().describe('Set the urgency: high (page now), low (within support hours), backlog (notify no one)'),
  routeTo: handleSchema.optional().describe('Route the event to this service (its urgency and support hours apply; its rules do not run again)'),
  suppress: z.boolean().optional().describe('Record the alert but notify no one; the alert says which rule'),
  drop: z.boolean().optional().describe('Keep the event only in the event log (outcome dropped); no alert'),
});

export const routingRuleSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  conditions: z.array(ruleConditionSchema).max(MAX_CONDITIONS).default([]).describe('All must hold; none: every event matches'),
  actions: ruleActionsSchema,
  continue: z.boolean().default(false).describe('Keep trying later rules after this one matched (later actions override earlier ones)'),
});
export type RoutingRuleInput = z.output<typeof routingRuleSchema>;

/** A rule list, checked as a whole: each problem names its field (`rules.2.conditions.0.value`). */
export const routingRulesSchema = z.array(routingRuleSchema).max(MAX_RULES).superRefine((rules, ctx) => {
  const result = compileRules(rules);
  if (result.ok) return;
  for (const issue of result.issues) {
    const path = issue.path.match(/[^.[\]]+/g)?.map((p) => (/^\d+$/.test(p) ? Number(p) : p)) ?? [];
    ctx.addIssue({ code: 'custom', path, message: issue.message });
  }
});

const localTimeSchema = z.string().max(5).describe('Local time HH:MM (end may be 24:00)');

export const supportHoursSchema = z.strictObject({
  timeZone: timeZoneSchema,
  days: z.array(z.enum(weekdays)).min(1).max(7).describe('Weekdays with support hours: mon … sun'),
  start: localTimeSchema,
  end: localTimeSchema,
}).superRefine((hours, ctx) => {
  for (const issue of supportHoursIssues(hours)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
});
export type SupportHoursInput = z.output<typeof supportHoursSchema>;

/** http(s) only: the URL is fetched by the server (and guarded against private addresses when it is). */
export const webhookUrlSchema = z.string().max(2048).refine((v) => {
  try {
    const url = new URL(v);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL without credentials');

/** How a service delivers by time of day: support hours, raising at their start, the backlog webhook. */
export const supportSettingsSchema = z.strictObject({
  supportHours: supportHoursSchema.nullable().default(null).describe('When low-urgency alerts are delivered; null: at once'),
  raiseAtSupportStart: z.boolean().default(false).describe('Low-urgency alerts still triggered when support hours begin become high urgency'),
  backlogWebhookUrl: webhookUrlSchema.nullable().default(null).describe('POSTed the alert as JSON when it lands in the backlog (for a ticket system)'),
});

/** Everything routing a service has; config-as-code's `Service` kind reuses these fields. */
export const serviceRoutingInputSchema = supportSettingsSchema.extend({ rules: routingRulesSchema.default([]) });

export const putRulesSchema = z.strictObject({ rules: routingRulesSchema });

export const serviceRoutingSchema = z.object({
  serviceId: z.string(),
  rules: z.array(routingRuleSchema),
  supportHours: supportHoursSchema.nullable(),
  raiseAtSupportStart: z.boolean(),
  backlogWebhookUrl: z.string().nullable(),
  nextSupportWindowAt: instantSchema.nullable().describe('When the next support window opens (null without support hours)'),
  withinSupportHours: z.boolean().nullable().describe('Whether support hours are on now (null without support hours)'),
  updatedAt: instantSchema.nullable(),
});
export type ServiceRouting = z.infer<typeof serviceRoutingSchema>;

export const rulesPreviewInputSchema = z.strictObject({
  rules: routingRulesSchema.optional().describe('Rules to try; default the service’s saved rules'),
  limit: z.number().int().min(1).max(500).default(50).describe('How many of the latest events to replay'),
});

export const previewResultSchema = z.enum(['deliver', 'suppress', 'drop', 'route', 'unreadable', 'not-an-event']);
export const rulesPreviewSchema = z.object({
  items: z.array(z.object({
    eventId: z.string(), receivedAt: instantSchema, format: z.string(), action: z.string(), dedupKey: z.string().nullable(), title: z.string().nullable(),
    storedOutcome: z.string().describe('What happened when it arrived'),
    matched: z.array(z.string()).describe('Rules that matched, in order'),
    result: previewResultSchema.describe('What these rules would do: deliver, suppress, drop, route; unreadable when the stored body cannot be read back; not-an-event for refused posts'),
    severity: severitySchema.nullable(), urgency: urgencySchema.nullable(), routeTo: z.string().nullable(),
    summary: z.string().describe('One line for people'),
  })),
});
