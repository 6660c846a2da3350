import { z } from 'zod';
import { componentStatuses, impacts, incidentStatuses, maintenanceStatuses } from '../core/statuspages/status.js';
import { instantSchema, refParam, timeZoneSchema } from './common.js';

/**
 * Status pages (issue 7, ADR 0036, docs/status-pages.md): the admin API's bodies and answers. The
 * public side speaks Atlassian Statuspage's v2 JSON instead (src/core/statuspages/statuspage-json.ts).
 */

/** Only http(s): a `javascript:` or `data:` URL on a public page would run in visitors' browsers. */
const webUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(v), 'must be an http:// or https:// URL');

const slugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit')
  .describe('The page’s address: `/status/<slug>`');
const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a host name such as status.example.com (no scheme, port or path)');
const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const componentStatusSchema = z.enum(componentStatuses);
export const impactSchema = z.enum(impacts);
export const incidentStatusSchema = z.enum(incidentStatuses);
export const maintenanceStatusSchema = z.enum(maintenanceStatuses);

export const footerLinkSchema = z.strictObject({ label: text(80), url: webUrl });

const pageFields = {
  name: text(120),
  visibility: z.enum(['public', 'private']).describe('Private pages answer 404 to visitors who are not logged in'),
  timeZone: timeZoneSchema.describe('Times on the page are shown in this zone'),
  brandColor: colorSchema,
  logoUrl: webUrl.nullable(),
  customDomain: domainSchema.nullable().describe('Also serve the page at `/` of this host (the request’s Host header)'),
  footerLinks: z.array(footerLinkSchema).max(10),
  allowedEmailDomains: z.array(domainSchema).max(50).describe('Private pages: only signed-in people with an email address in one of these domains (or a subdomain) see the page; admins always; empty: every signed-in person'),
};

export const createStatusPageSchema = z.strictObject({
  slug: slugSchema,
  name: pageFields.name,
  visibility: pageFields.visibility.default('public'),
  timeZone: pageFields.timeZone.default('UTC'),
  brandColor: pageFields.brandColor.default('#1f6feb'),
  logoUrl: pageFields.logoUrl.default(null),
  customDomain: pageFields.customDomain.default(null),
  footerLinks: pageFields.footerLinks.default([]),
  allowedEmailDomains: pageFields.allowedEmailDomains.default([]),
});
export const updateStatusPageSchema = z.strictObject({
  slug: slugSchema.optional(),
  name: pageFields.name.optional(),
  visibility: pageFields.visibility.optional(),
  timeZone: pageFields.timeZone.optional(),
  brandColor: pageFields.brandColor.optional(),
  logoUrl: pageFields.logoUrl.optional(),
  customDomain: pageFields.customDomain.optional(),
  footerLinks: pageFields.footerLinks.optional(),
  allowedEmailDomains: pageFields.allowedEmailDomains.optional(),
});

export const statusPageSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  visibility: z.enum(['public', 'private']),
  timeZone: z.string(),
  brandColor: z.string(),
  logoUrl: z.string().nullable(),
  customDomain: z.string().nullable(),
  footerLinks: z.array(z.object({ label: z.string(), url: z.string() })),
  allowedEmailDomains: z.array(z.string()),
  publicUrl: z.string().describe('Where the public sees it'),
  version: z.number().int().describe('Bumped on every change; public caches re-render when it moves'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type StatusPage = z.infer<typeof statusPageSchema>;

export const createComponentSchema = z.strictObject({
  name: text(120),
  description: z.string().trim().max(1000).nullable().default(null),
  group: z.boolean().default(false).describe('A group holds components (two levels: groups do not nest)'),
  groupId: z.string().max(64).nullable().default(null).describe('The group this component belongs to'),
  position: z.number().int().min(0).max(10_000).optional().describe('Display order; default last'),
  status: componentStatusSchema.default('operational'),
  showcase: z.boolean().default(true).describe('Show uptime bars for it'),
  onlyShowIfDegraded: z.boolean().default(false),
  public: z.boolean().default(true).describe('false: kept for internal bookkeeping, never shown publicly'),
  service: z.string().max(128).nullable().default(null).describe('A catalog service (id or handle) this component stands for'),
  startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD').nullable().default(null),
});
export const updateComponentSchema = z.strictObject({
  name: text(120).optional(),
  description: z.string().trim().max(1000).nullable().optional(),
  groupId: z.string().max(64).nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  status: componentStatusSchema.optional(),
  showcase: z.boolean().optional(),
  onlyShowIfDegraded: z.boolean().optional(),
  public: z.boolean().optional(),
  service: z.string().max(128).nullable().optional(),
  startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD').nullable().optional(),
});

export const statusComponentSchema = z.object({
  id: z.string(),
  pageId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  group: z.boolean(),
  groupId: z.string().nullable(),
  position: z.number().int(),
  status: componentStatusSchema,
  showcase: z.boolean(),
  onlyShowIfDegraded: z.boolean(),
  public: z.boolean(),
  serviceId: z.string().nullable(),
  startDate: z.string().nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type StatusComponent = z.infer<typeof statusComponentSchema>;

const affectedSchema = z.strictObject({ component: z.string().max(64).describe('Component id'), status: componentStatusSchema.describe('Its status from this update on') });

export const createIncidentSchema = z.strictObject({
  name: text(200),
  status: incidentStatusSchema.default('investigating'),
  impact: impactSchema.default('minor'),
  body: text(10_000).describe('The first update’s text (plain text; line breaks kept)'),
  components: z.array(affectedSchema).max(200).default([]),
  startedAt: z.iso.datetime({ offset: true }).optional().describe('Backfill: when it started (in the past); default now'),
  resolvedAt: z.iso.datetime({ offset: true }).optional().describe('Backfill: when it was resolved; needs status `resolved`'),
  postmortemUrl: webUrl.nullable().default(null),
});
export const updateIncidentSchema = z.strictObject({
  name: text(200).optional(),
  impact: impactSchema.optional(),
  postmortemUrl: webUrl.nullable().optional(),
});
export const createIncidentUpdateSchema = z.strictObject({
  status: incidentStatusSchema,
  body: text(10_000),
  components: z.array(affectedSchema).max(200).default([]),
  displayAt: z.iso.datetime({ offset: true }).optional().describe('Backfill: when the update was posted'),
});

/** A reminder to subscribers this many minutes before a maintenance starts (null: none; at most a week). */
const remindSchema = z
  .number()
  .int('must be a whole number of minutes')
  .min(5, 'must be at least 5 minutes')
  .max(10_080, 'must be at most 10080 minutes (a week)')
  .nullable()
  .describe('Remind subscribers this many minutes before `scheduledFor` (for example 60, 1440 or 4320); null or absent: no reminder');
export const createMaintenanceSchema = z.strictObject({
  name: text(200),
  body: text(10_000),
  scheduledFor: z.iso.datetime({ offset: true }),
  scheduledUntil: z.iso.datetime({ offset: true }),
  autoTransition: z.boolean().default(true).describe('Move to in progress at `scheduledFor` and to completed at `scheduledUntil`, affected components to under maintenance and back'),
  components: z.array(z.string().max(64)).max(200).default([]).describe('Component ids'),
  remindSubscribersMinutesBefore: remindSchema.optional(),
});
export const updateMaintenanceSchema = z.strictObject({
  name: text(200).optional(),
  scheduledFor: z.iso.datetime({ offset: true }).optional(),
  scheduledUntil: z.iso.datetime({ offset: true }).optional(),
  autoTransition: z.boolean().optional(),
  remindSubscribersMinutesBefore: remindSchema.optional(),
});
export const createMaintenanceUpdateSchema = z.strictObject({
  status: maintenanceStatusSchema,
  body: text(10_000),
});

export const statusIncidentUpdateSchema = z.object({
  id: z.string(),
  status: z.string(),
  body: z.string(),
  displayAt: instantSchema,
  createdAt: instantSchema,
  affectedComponents: z.array(z.object({ componentId: z.string(), name: z.string(), oldStatus: componentStatusSchema, newStatus: componentStatusSchema })),
});

export const statusIncidentSchema = z.object({
  id: z.string(),
  pageId: z.string(),
  kind: z.enum(['incident', 'maintenance']),
  name: z.string(),
  status: z.string(),
  impact: impactSchema,
  startedAt: instantSchema,
  monitoringAt: instantSchema.nullable(),
  resolvedAt: instantSchema.nullable(),
  scheduledFor: instantSchema.nullable(),
  scheduledUntil: instantSchema.nullable(),
  autoTransition: z.boolean(),
  backfilled: z.boolean(),
  postmortemUrl: z.string().nullable(),
  remindSubscribersMinutesBefore: z.number().int().nullable().describe('Maintenance: subscribers are reminded this many minutes before it starts; null: no reminder'),
  componentIds: z.array(z.string()),
  updates: z.array(statusIncidentUpdateSchema).describe('Newest first'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type StatusIncident = z.infer<typeof statusIncidentSchema>;

export const statusPageDetailSchema = statusPageSchema.extend({ components: z.array(statusComponentSchema) });
export type StatusPageDetail = z.infer<typeof statusPageDetailSchema>;

export const pageParams = z.strictObject({ page: refParam.describe('Status page id or slug') });
export const componentParams = z.strictObject({ page: refParam, component: z.string().min(1).max(64) });
export const incidentParams = z.strictObject({ page: refParam, incident: z.string().min(1).max(64) });
export const listIncidentsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

// ---- publishing from an internal incident (docs/status-pages.md, "Publishing from an incident")

/**
 * `GET /api/v1/incidents/{incident}/status-page-posts`: the public incidents already posted from this
 * incident, and for each status page the components to preselect (those linked to an impacted
 * service) with a suggested status from the incident's severity.
 */
export const incidentStatusPostsSchema = z.object({
  posts: z.array(z.object({ page: z.object({ id: z.string(), slug: z.string(), name: z.string() }), incident: statusIncidentSchema })),
  pages: z.array(
    z.object({
      id: z.string(),
      slug: z.string(),
      name: z.string(),
      visibility: z.string(),
      components: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          groupName: z.string().nullable(),
          status: componentStatusSchema,
          preselected: z.boolean().describe('Linked to a service the incident impacts'),
          suggestedStatus: componentStatusSchema,
        }),
      ),
    }),
  ),
});
export type IncidentStatusPostsView = z.infer<typeof incidentStatusPostsSchema>;

/**
 * `POST /api/v1/incidents/{incident}/status-page-posts`: post a public incident about this incident.
 * Its text is written here, for the public: nothing of the internal incident (title, notes, timeline)
 * is copied. The internal timeline records the post.
 *
 * @example
 *   { "page": "acme", "name": "Card payments failing", "status": "investigating", "impact": "major",
 *     "body": "Some card payments fail. We are investigating.", "components": [{ "component": "01J…", "status": "partial_outage" }] }
 */
export const postFromIncidentSchema = z.strictObject({
  page: refParam.describe('Status page id or slug'),
  name: text(200).describe('The public title'),
  status: incidentStatusSchema.default('investigating'),
  impact: impactSchema.default('minor'),
  body: text(10_000).describe('The first public update (plain text)'),
  components: z.array(affectedSchema).max(200).default([]),
});

/** `POST /api/v1/incidents/{incident}/status-page-posts/{post}/updates`: the next public update. */
export const postUpdateFromIncidentSchema = z.strictObject({
  status: incidentStatusSchema,
  body: text(10_000),
  components: z.array(affectedSchema).max(200).default([]),
});
export const incidentPostParams = z.strictObject({ incident: refParam, post: z.string().min(1).max(64).describe('The public incident’s id') });
