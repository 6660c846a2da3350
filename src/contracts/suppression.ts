import { z } from 'zod';
import { instantSchema, refParam, timeZoneSchema } from './common.js';

/**
 * Suppression (docs/alerts.md, "Maintenance windows, silences, flapping and storms"; ADR 0019):
 * maintenance windows and silences. The input schemas are the API bodies and, later, the
 * config-as-code kinds `MaintenanceWindow` and `Silence`.
 */

/** Instants in bodies: ISO 8601 with a zone or offset (`2027-03-28T01:00:00Z`, `…+02:00`). */
const isoInstantSchema = z
  .string()
  .max(40)
  .refine((v) => /[zZ]|[+-]\d\d:?\d\d$/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 instant with a time zone offset, such as 2027-03-28T01:00:00Z');

/** Why an alert notifies nobody: the maintenance window, silence or storm summary that holds it. */
export const suppressedBySchema = z.object({
  kind: z.enum(['maintenance', 'silence', 'storm', 'rule']).describe('`rule`: a routing rule’s suppress action'),
  id: z.string().describe('The maintenance window or silence id; for a storm, the summary alert’s id; for a rule, its name'),
  name: z.string().describe('The window’s name, the silence’s comment, or the summary alert’s title'),
  until: instantSchema.nullable().describe('When the suppression ends, when known'),
});
export type SuppressedByView = z.infer<typeof suppressedBySchema>;

export const recurrenceSchema = z.strictObject({
  rrule: z.string().trim().min(1).max(500).describe('RFC 5545 RRULE, for example `FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0` (HOURLY or coarser)'),
  durationMinutes: z.number().int().min(1).max(7 * 24 * 60).describe('How long each occurrence lasts (elapsed time)'),
  timeZone: timeZoneSchema.describe('IANA time zone the rule is read in, for example Europe/Berlin'),
});

export const maintenanceWindowInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  services: z.array(refParam).min(1).max(100).describe('Service ids or handles the window covers'),
  startsAt: isoInstantSchema.optional().describe('One-off: when it starts. Recurring: when the series starts (its local time gives the occurrences’ minutes unless the rule sets BYMINUTE). Default now'),
  endsAt: isoInstantSchema.optional().describe('One-off: when it ends (or give durationMinutes). Recurring: no occurrence starts at or after it (optional)'),
  durationMinutes: z.number().int().min(1).max(366 * 24 * 60).optional().describe('One-off: ends this long after it starts, instead of endsAt'),
  recurrence: recurrenceSchema.optional().describe('Makes the window recurring'),
});
export const maintenanceWindowUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).optional(),
  services: z.array(refParam).min(1).max(100).optional(),
  startsAt: isoInstantSchema.optional(),
  endsAt: isoInstantSchema.nullable().optional(),
  recurrence: recurrenceSchema.nullable().optional().describe('null makes the window one-off'),
});
export type MaintenanceWindowInput = z.output<typeof maintenanceWindowInputSchema>;
export type MaintenanceWindowUpdate = z.output<typeof maintenanceWindowUpdateSchema>;

export const maintenanceWindowSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  services: z.array(z.object({ id: z.string(), handle: z.string() })),
  startsAt: instantSchema,
  endsAt: instantSchema.nullable(),
  endedAt: instantSchema.nullable().describe('Set when someone ended the window early'),
  recurrence: z.object({ rrule: z.string(), durationMinutes: z.number(), timeZone: z.string() }).nullable(),
  active: z.boolean().describe('Suppressing notifications now'),
  activeUntil: instantSchema.nullable().describe('While active: when the current occurrence ends'),
  nextStartsAt: instantSchema.nullable().describe('The next occurrence’s start within 400 days, if any'),
  createdBy: z.string(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const listMaintenanceWindowsQuery = z.strictObject({
  service: refParam.optional().describe('Only windows covering this service'),
  active: z.enum(['true', 'false']).optional().describe('Only windows active now (true) or not (false)'),
});

export const matcherSchema = z.strictObject({
  name: z.string().min(1).max(100).describe('Label name; `__service__`, `__severity__`, `__dedup_key__` and `__title__` are provided by Firebreak'),
  op: z.enum(['=', '!=', '=~', '!~']).describe('Alertmanager matcher operators; regexes are anchored (RE2 syntax)'),
  value: z.string().max(1000),
});
export type MatcherView = z.infer<typeof matcherSchema>;

export const silenceInputSchema = z.strictObject({
  matchers: z.array(matcherSchema).min(1).max(20).describe('All must match the event’s labels; a group is silenced when every firing member is matched'),
  comment: z.string().trim().min(1).max(1000).describe('Why, shown on suppressed alerts'),
  service: refParam.optional().describe('Only events of this service (default: every service; admins only)'),
  startsAt: isoInstantSchema.optional().describe('Default now'),
  endsAt: isoInstantSchema.optional().describe('When it expires; or give durationMinutes'),
  durationMinutes: z.number().int().min(1).max(366 * 24 * 60).optional().describe('Expires this long after it starts'),
});
export type SilenceInput = z.output<typeof silenceInputSchema>;

export const silenceStateSchema = z.enum(['pending', 'active', 'expired']);
export const silenceSchema = z.object({
  id: z.string(),
  service: z.object({ id: z.string(), handle: z.string() }).nullable(),
  matchers: z.array(matcherSchema),
  comment: z.string(),
  createdBy: z.string(),
  startsAt: instantSchema,
  endsAt: instantSchema,
  state: silenceStateSchema,
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type Silence = z.infer<typeof silenceSchema>;

export const listSilencesQuery = z.strictObject({
  service: refParam.optional().describe('Only silences scoped to this service'),
  state: z
    .string()
    .max(40)
    .refine((v) => v.split(',').every((s) => s === 'pending' || s === 'active' || s === 'expired'), 'must be a comma-separated list of pending, active, expired')
    .optional()
    .describe('Comma-separated states; default pending,active'),
});
