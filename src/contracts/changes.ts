import { z } from 'zod';
import { instantSchema, refParam } from './common.js';

/**
 * Changes (deploys, configuration changes, flag flips) on services, and what responders say about
 * them on incidents (issue 6, ADR 0031, docs/incidents.md "Recent changes"). Changes arrive as
 * PagerDuty change events (`POST /v2/change/enqueue`, an Events API v2 integration's key) or from CI
 * pipelines through `POST /api/v1/changes` (an API token). They never open alerts or page anyone.
 */

const webUrl = z
  .string()
  .max(2048)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http:// or https:// URL');

/** A change recorded on a service. */
export const changeSchema = z.object({
  id: z.string(),
  serviceId: z.string(),
  serviceHandle: z.string(),
  integrationId: z.string().nullable().describe('The Events API v2 integration it came through; null when recorded through the API'),
  summary: z.string(),
  source: z.string().nullable().describe('What sent it: a pipeline, a tool (`github-actions`, `argo-cd`)'),
  timestamp: instantSchema.describe('When the change happened (the sender’s timestamp, else when it was received)'),
  version: z.string().nullable(),
  commit: z.string().nullable().describe('Commit SHA or ref'),
  author: z.string().nullable(),
  link: z.string().nullable().describe('The change itself: a pull request, a pipeline run, a release'),
  rollbackLink: z.string().nullable().describe('Where to roll it back (a pipeline, a runbook): shown as a button on incidents'),
  links: z.array(z.object({ href: z.string(), text: z.string().nullable() })).describe('More links (PagerDuty change events’ `links`)'),
  details: z.unknown().nullable(),
  recordedBy: z.string().nullable().describe('Who recorded it through the API (the audit label); null for change events'),
  receivedAt: instantSchema,
});
export type Change = z.infer<typeof changeSchema>;

export const listChangesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(64).optional().describe('Change id for pagination'),
});
export const changePageSchema = z.object({ items: z.array(changeSchema), nextBefore: z.string().nullable() });

/**
 * `POST /api/v1/changes`: record a change from a CI pipeline (`firebreak change record`).
 *
 * @example
 *   { "service": "checkout", "summary": "Deploy checkout v1.42.0", "version": "v1.42.0", "commit": "9fceb02",
 *     "author": "ana", "link": "https://ci.example.com/runs/812", "rollbackLink": "https://ci.example.com/rollback?to=v1.41.3" }
 */
export const recordChangeSchema = z.strictObject({
  service: refParam.describe('Service id or handle'),
  summary: z.string().trim().min(1).max(1024),
  version: z.string().trim().min(1).max(200).optional(),
  commit: z.string().trim().min(1).max(200).optional().describe('Commit SHA or ref'),
  author: z.string().trim().min(1).max(200).optional(),
  link: webUrl.optional().describe('The change itself: a pull request, a pipeline run, a release'),
  rollbackLink: webUrl.optional().describe('Where to roll it back'),
  timestamp: z.iso.datetime({ offset: true }).optional().describe('When it happened (ISO 8601); default now; at most 1 hour ahead of the server'),
  source: z.string().trim().min(1).max(200).optional().describe('What sent it, e.g. `github-actions`'),
  details: z.record(z.string(), z.unknown()).optional().describe('Anything else, shown as is'),
});

/** What a responder says about a change on an incident. `suspect` is a person's judgement; the listing's `suspect` flag is the time rule. */
export const changeMarkSchema = z.enum(['caused', 'suspect', 'dismissed']);
export type ChangeMark = z.infer<typeof changeMarkSchema>;

/** A mark with who set it. */
export const changeMarkViewSchema = z.object({
  mark: changeMarkSchema,
  note: z.string().nullable(),
  markedBy: z.string(),
  markedAt: instantSchema,
});

/** A change as listed on an incident. */
export const incidentChangeSchema = changeSchema.extend({
  suspect: z.boolean().describe('It happened in the hours before impact began (the suspect window): look here first'),
  relation: z.enum(['impacted', 'dependency', 'other']).describe('impacted: on an impacted service; dependency: on a service an impacted service depends on; other: marked on this incident though neither'),
  dependencyOf: z.array(z.string()).describe('For `dependency`: handles of the impacted services that depend on its service'),
  mark: changeMarkViewSchema.nullable(),
});
export type IncidentChange = z.infer<typeof incidentChangeSchema>;

/** `GET /api/v1/incidents/{incident}/changes`: newest first, with the windows used. */
export const incidentChangesSchema = z.object({
  items: z.array(incidentChangeSchema),
  window: z.object({ from: instantSchema, to: instantSchema }).describe('Changes listed happened in this range (marked ones are listed whenever they happened)'),
  suspectWindow: z.object({ from: instantSchema, to: instantSchema }).describe('Changes in this range are flagged `suspect`'),
  services: z.array(z.string()).describe('Handles of the services whose changes are listed: the impacted services, then their dependencies'),
});

export const incidentChangesQuery = z.strictObject({
  lookbackHours: z.coerce.number().int().min(1).max(24 * 14).optional().describe('How far before detection to list changes; default 24'),
});

/**
 * `PUT /api/v1/incidents/{incident}/changes/{change}`: mark a change on an incident; `mark: null`
 * clears it. Recorded on the timeline (kind `change`) and audited.
 *
 * @example
 *   { "mark": "caused", "note": "The new connection pool size starves the payment worker" }
 */
export const markIncidentChangeSchema = z.strictObject({
  mark: changeMarkSchema.nullable(),
  note: z.string().trim().min(1).max(2000).optional(),
});

/** One mark as analytics reads it (change-failure rate: changes marked `caused`, per service). */
export const changeMarkRecordSchema = z.object({
  incidentId: z.string(),
  incidentReference: z.string(),
  changeId: z.string(),
  serviceId: z.string(),
  serviceHandle: z.string(),
  changeTimestamp: instantSchema,
  mark: changeMarkSchema,
  markedBy: z.string(),
  markedAt: instantSchema,
});

export const listChangeMarksQuery = z.strictObject({
  mark: changeMarkSchema.optional(),
  service: refParam.optional().describe('Only changes of this service (id or handle)'),
  since: z.iso.datetime({ offset: true }).optional().describe('Only changes that happened at or after this instant'),
  until: z.iso.datetime({ offset: true }).optional().describe('Only changes that happened before this instant'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export const changeMarkListSchema = z.object({ items: z.array(changeMarkRecordSchema) });
