import { z } from 'zod';
import { instantSchema, refParam } from './common.js';

/**
 * Incidents (issue 6): a coordinated human response with a severity, explicit roles and one timeline.
 * These are the API shapes; the rules live in `src/core/incidents` and docs/incidents.md.
 */

/**
 * Where an incident stands. `mitigated` is not a status: it is its own moment (customer impact ended),
 * recorded beside the status, because an incident is often mitigated long before it is resolved.
 */
export const incidentStatusSchema = z.enum(['investigating', 'identified', 'monitoring', 'resolved']);
export type IncidentStatus = z.infer<typeof incidentStatusSchema>;

/**
 * A severity level. Stored on the incident as its `key` string, so configurable severities (the
 * `Severity` config-as-code kind, later) can replace the default set without a migration.
 */
export const incidentSeverityDefinitionSchema = z.object({
  key: z.string().describe('The value stored on incidents, e.g. `SEV1`'),
  name: z.string(),
  description: z.string().describe('When to use it'),
  response: z.string().describe('What responders are expected to do'),
  updateCadenceMinutes: z.number().int().nullable().optional().describe('Minutes between stakeholder-update reminders; null or absent: the default (30)'),
});
export type IncidentSeverityDefinition = z.infer<typeof incidentSeverityDefinitionSchema>;

/** The default severities, most severe first. */
export const defaultIncidentSeverities: readonly IncidentSeverityDefinition[] = [
  { key: 'SEV1', name: 'Critical', description: 'A core service is down or data is at risk for many customers', response: 'Page the on-call at once, all hands, stakeholder updates every 30 minutes', updateCadenceMinutes: 30 },
  { key: 'SEV2', name: 'Major', description: 'A core feature is badly degraded or down for some customers', response: 'Page the on-call at once, stakeholder updates every 30 minutes', updateCadenceMinutes: 30 },
  { key: 'SEV3', name: 'Minor', description: 'A non-core feature is degraded, or a workaround exists', response: 'Work it in business hours, updates as things change', updateCadenceMinutes: 60 },
  { key: 'SEV4', name: 'Low', description: 'Little or no customer impact; worth tracking as an incident', response: 'Work it in business hours', updateCadenceMinutes: 120 },
];

/** A severity key as given in requests; whether it is a known severity is checked by the service (400 naming the field). */
export const incidentSeverityKeySchema = z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/, 'must be a severity key such as SEV1');

/** The built-in roles of the Incident Command System as SRE teams practise it. */
export const builtInIncidentRoles = ['incident_commander', 'communications_lead', 'operations_lead', 'scribe'] as const;
/**
 * A role key: a built-in role, or a custom role written `custom:<name>` (`custom:db-liaison`). The
 * prefix keeps a typo of a built-in role from silently becoming a custom role.
 */
export const incidentRoleKeySchema = z
  .string()
  .max(64)
  .refine((v) => (builtInIncidentRoles as readonly string[]).includes(v) || /^custom:[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$/.test(v), {
    message: `must be one of ${builtInIncidentRoles.join(', ')} or a custom role written custom:<name> (lowercase letters, digits, - and _)`,
  });

const linkInputSchema = z.strictObject({ href: z.string().url().max(2048).refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL'), text: z.string().trim().max(500).optional() });
const linkSchema = z.object({ href: z.string(), text: z.string().nullable() });

/** Who holds a role. */
export const incidentRoleSchema = z.object({
  role: z.string().describe('incident_commander, communications_lead, operations_lead, scribe or custom:<name>'),
  userId: z.string(),
  userHandle: z.string(),
  userName: z.string(),
  assignedAt: instantSchema,
  assignedBy: z.string().describe('Who handed the role over (the audit log label)'),
});

/** The moments analytics reads (MTTA, MTTM, MTTR). */
export const incidentTimesSchema = z.object({
  detectedAt: instantSchema.describe('The first linked alert’s first event; else as declared'),
  declaredAt: instantSchema,
  acknowledgedAt: instantSchema.nullable().describe('The first acknowledgement of a linked alert, else the declaration (declaring acknowledges)'),
  mitigatedAt: instantSchema.nullable().describe('Customer impact ended'),
  resolvedAt: instantSchema.nullable().describe('Follow-up done; the incident is closed'),
});

/**
 * An incident.
 *
 * @example
 *   { "id": "01J…", "number": 42, "reference": "INC-42", "title": "Checkout errors", "severity": "SEV2",
 *     "status": "identified", "mitigated": true, "roles": [{ "role": "incident_commander", "userHandle": "ana", … }], … }
 */
export const incidentSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  reference: z.string().describe('Short human id: `INC-42`'),
  title: z.string(),
  severity: z.string().describe('A severity key (SEV1–SEV4 by default)'),
  status: incidentStatusSchema,
  mitigated: z.boolean().describe('Customer impact has ended (`times.mitigatedAt`)'),
  summary: z.string(),
  customerImpact: z.string(),
  impactedServices: z.array(z.object({ id: z.string(), handle: z.string(), name: z.string() })),
  links: z.array(linkSchema),
  alertIds: z.array(z.string()),
  roles: z.array(incidentRoleSchema).describe('Roles held now; a role not listed is vacant'),
  declaredBy: z.string(),
  times: incidentTimesSchema,
  lastUpdateAt: instantSchema.nullable().describe('When the last stakeholder update was posted; null: none yet'),
  postmortem: z
    .object({ required: z.boolean(), reasons: z.array(z.string()), requested: z.boolean() })
    .nullable()
    .describe('The postmortem policy’s verdict, evaluated when the incident resolves (ADR 0033); before that null unless someone asked for one'),
  updatedAt: instantSchema,
});
export type Incident = z.infer<typeof incidentSchema>;

/**
 * `POST /api/v1/incidents`: declare an incident, from scratch or from alerts. The declarer becomes
 * incident commander unless `commander` names someone else.
 *
 * @example
 *   { "title": "Checkout errors", "severity": "SEV2", "alertIds": ["#12"], "impactedServices": ["checkout"] }
 */
export const declareIncidentSchema = z.strictObject({
  title: z.string().trim().min(1).max(500),
  severity: incidentSeverityKeySchema,
  summary: z.string().max(20_000).optional(),
  customerImpact: z.string().max(5000).optional(),
  impactedServices: z.array(refParam).max(50).optional().describe('Service ids or handles; default the linked alerts’ services'),
  links: z.array(linkInputSchema).max(20).optional(),
  alertIds: z.array(z.string().min(1).max(64)).max(100).optional().describe('Alerts to link: ids or numbers (`#12`, `12`)'),
  commander: refParam.optional().describe('User id or handle; default the declarer'),
  detectedAt: instantSchema.optional().describe('When the problem was detected, if earlier than the linked alerts say'),
});

/**
 * `PATCH /api/v1/incidents/{incident}`: change fields. Once resolved only `summary` may change.
 *
 * @example
 *   { "severity": "SEV1", "customerImpact": "All card payments fail" }
 */
export const updateIncidentSchema = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  severity: incidentSeverityKeySchema.optional(),
  summary: z.string().max(20_000).optional(),
  customerImpact: z.string().max(5000).optional(),
  impactedServices: z.array(refParam).max(50).optional().describe('Replaces the impacted services'),
  links: z.array(linkInputSchema).max(20).optional().describe('Replaces the links'),
});

/**
 * `POST /api/v1/incidents/{incident}/status`: move the status and/or record mitigation.
 *
 * @example
 *   { "status": "monitoring", "mitigated": true, "note": "Rolled back to v1.41" }
 */
export const incidentStatusChangeSchema = z.strictObject({
  status: incidentStatusSchema,
  mitigated: z.boolean().optional().describe('true: customer impact has ended now; false: it came back'),
  summary: z.string().max(20_000).optional().describe('Replaces the summary in the same change (the resolution summary when resolving)'),
  note: z.string().trim().min(1).max(5000).optional(),
});

/**
 * `POST /api/v1/incidents/{incident}/alerts`: link more alerts (already linked ones are skipped).
 *
 * @example
 *   { "alertIds": ["#14"] }
 */
export const linkIncidentAlertsSchema = z.strictObject({
  alertIds: z.array(z.string().min(1).max(64)).min(1).max(100).describe('Alert ids or numbers (`#12`, `12`)'),
});

/**
 * `PUT /api/v1/incidents/{incident}/roles/{role}`: give a role to a person. Taking a role someone
 * holds is a handover and must say whom it takes it from (`expectedHolder`): a compare-and-set, so of
 * two people taking command at once one wins and the other gets 409 naming who holds it.
 *
 * @example
 *   { "user": "chris", "expectedHolder": "ana" }
 */
export const assignIncidentRoleSchema = z.strictObject({
  user: refParam.describe('User id or handle'),
  expectedHolder: refParam.nullable().optional().describe('Who holds the role now (id or handle), or null when it should be vacant; required to take over a held role'),
  note: z.string().trim().min(1).max(5000).optional(),
});

/** `DELETE /api/v1/incidents/{incident}/roles/{role}?holder=dev`: leave a role vacant; `holder` names who holds it (compare-and-set). */
export const releaseIncidentRoleQuery = z.strictObject({ holder: refParam.describe('Who holds the role now (id or handle)') });

export const incidentTimelineKindSchema = z.enum(['milestone', 'note', 'role', 'edit', 'alert', 'update', 'responder', 'task', 'thread', 'reminder', 'change', 'status_page']);

/** One timeline entry. Notes can be edited (earlier texts kept in `history`); any entry can be pinned. */
export const incidentTimelineEntrySchema = z.object({
  id: z.string(),
  at: instantSchema,
  kind: incidentTimelineKindSchema.describe('milestone: declared, status, mitigated, resolved; role: handovers; edit: field changes; alert: linked alerts; update: stakeholder updates; note: written by a person'),
  action: z.string(),
  actor: z.string().nullable(),
  summary: z.string(),
  data: z.unknown().nullable(),
  pinned: z.boolean().describe('A key event'),
  editedAt: instantSchema.nullable(),
  history: z.array(z.object({ at: instantSchema, by: z.string(), change: z.enum(['text', 'pin', 'unpin']), previousSummary: z.string().nullable() })),
});
export type IncidentTimelineEntry = z.infer<typeof incidentTimelineEntrySchema>;

/** `GET /api/v1/incidents/{incident}/timeline`: oldest first; `after` fetches only newer entries (a live page). */
export const incidentTimelineQuery = z.strictObject({
  after: z.string().max(64).optional().describe('Only entries after this entry id'),
  limit: z.coerce.number().int().min(1).max(5000).default(5000),
});
export const incidentTimelinePageSchema = z.object({ items: z.array(incidentTimelineEntrySchema), nextAfter: z.string().nullable().describe('Set when more entries follow: pass it as `after`') });

/**
 * `POST /api/v1/incidents/{incident}/updates`: a stakeholder update ("if nothing has changed, say so").
 * Recorded on the timeline as kind `update`; sending it to subscribers comes with subscriptions.
 *
 * @example
 *   { "message": "Card payments fail for about 20% of customers. We are rolling back; next update 10:30 UTC." }
 */
export const incidentUpdateSchema = z.strictObject({ message: z.string().trim().min(1).max(5000) });

/** `POST /api/v1/incidents/{incident}/timeline`: a manual note. */
export const incidentNoteSchema = z.strictObject({ note: z.string().trim().min(1).max(5000), pinned: z.boolean().optional() });

/** `PATCH /api/v1/incidents/{incident}/timeline/{entry}`: pin, unpin, or correct a note's text. */
export const editIncidentTimelineEntrySchema = z
  .strictObject({ pinned: z.boolean().optional(), summary: z.string().trim().min(1).max(5000).optional().describe('Notes only: the corrected text') })
  .refine((v) => v.pinned !== undefined || v.summary !== undefined, { message: 'give `pinned` or `summary`', path: ['pinned'] });

export const listIncidentsQuery = z.strictObject({
  status: z.string().regex(/^(investigating|identified|monitoring|resolved|open)(,(investigating|identified|monitoring|resolved|open))*$/, 'comma-separated statuses: investigating, identified, monitoring, resolved, or open').optional().describe('Comma-separated statuses; `open` means every status but resolved. Default: all'),
  severity: incidentSeverityKeySchema.optional(),
  service: refParam.optional().describe('Only incidents impacting this service (id or handle)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().max(64).optional().describe('Incident id for pagination'),
});
export const incidentPageSchema = z.object({ items: z.array(incidentSchema), nextBefore: z.string().nullable() });
