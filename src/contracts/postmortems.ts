import { z } from 'zod';
import { handleSchema, instantSchema, refParam } from './common.js';

/**
 * Postmortems (issue 8, docs/postmortems.md, ADR 0038): blameless reports of an incident (or of a
 * launch or other event worth recording), their templates, review and publication, the blameless
 * review assistant's findings, and action items chased to done. Pure rules live in
 * src/core/postmortems/; these are the API shapes.
 */

const httpUrl = z
  .string()
  .trim()
  .url()
  .max(2048)
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

/** `PM-12`, `#12`, `12` or the id. */
export const postmortemParams = z.strictObject({ postmortem: z.string().min(1).max(64).describe('Postmortem id or reference (PM-12, #12, 12)') });

export const postmortemStatusSchema = z.enum(['draft', 'in_review', 'published']);
export type PostmortemStatus = z.infer<typeof postmortemStatusSchema>;

/** Section keys name a section inside a template and a document: `summary`, `root-cause`. */
export const sectionKeySchema = handleSchema;

// ---- templates

/** One section of a template: what a new postmortem starts with. */
export const templateSectionSchema = z.strictObject({
  key: sectionKeySchema,
  title: z.string().trim().min(1, 'is required').max(200),
  guidance: z.string().max(4000).optional().describe('What to write here: shown to the author as a placeholder, never part of the document'),
  internal: z.boolean().optional().describe('Left out of the public version by default'),
});
export type TemplateSection = z.output<typeof templateSectionSchema>;

/**
 * A template as config-as-code writes it (`kind: PostmortemTemplate`, `metadata.name` is the handle)
 * and as the API takes it (plus `handle`). Built-ins: `standard` (Summary, Impact, Timeline, Root
 * cause, Action items, Appendix), `short` (a one-page form) and `google-sre`; a stored template with a
 * built-in's handle replaces it.
 */
export const postmortemTemplateSpecSchema = z.strictObject({
  title: z.string().trim().min(1, 'is required').max(200),
  description: z.string().max(2000).optional(),
  sections: z
    .array(templateSectionSchema)
    .min(1, 'needs at least one section')
    .max(30)
    .refine((s) => new Set(s.map((x) => x.key)).size === s.length, 'section keys must be unique'),
});
export type PostmortemTemplateSpec = z.output<typeof postmortemTemplateSpecSchema>;

export const createPostmortemTemplateSchema = postmortemTemplateSpecSchema.extend({ handle: handleSchema });
export const updatePostmortemTemplateSchema = postmortemTemplateSpecSchema.partial();
export const templateParams = z.strictObject({ template: z.string().min(1).max(64).describe('Template handle or id') });

export const postmortemTemplateSchema = z.object({
  id: z.string().nullable().describe('null for a built-in that was never edited'),
  handle: z.string(),
  title: z.string(),
  description: z.string(),
  sections: z.array(z.object({ key: z.string(), title: z.string(), guidance: z.string(), internal: z.boolean() })),
  builtIn: z.boolean().describe('A built-in template (edited or not)'),
  updatedAt: instantSchema.nullable(),
});
export type PostmortemTemplate = z.infer<typeof postmortemTemplateSchema>;

// ---- the document

export const postmortemSectionSchema = z.object({
  key: z.string(),
  title: z.string(),
  body: z.string().describe('Markdown; rendered sanitized (no raw HTML, no script or data: links)'),
  internal: z.boolean().describe('Left out of the public version'),
});
export type PostmortemSection = z.infer<typeof postmortemSectionSchema>;

export const sectionInputSchema = z.strictObject({
  key: sectionKeySchema,
  title: z.string().trim().min(1, 'is required').max(200),
  body: z.string().max(200_000),
  internal: z.boolean().optional(),
});

const personSchema = z.object({ id: z.string(), handle: z.string(), name: z.string() });

/** A blameless-language finding of the review assistant: advice shown beside the text, never a block. */
export const blamelessFindingSchema = z.object({
  section: z.string().describe('Section key, or `title` / `action-item:AI-3`'),
  start: z.number().int().describe('Offset of the flagged text in that text (UTF-16 code units)'),
  end: z.number().int(),
  text: z.string().describe('The flagged words as written'),
  rule: z.enum(['person-name', 'blame-phrase', 'counterfactual', 'human-error', 'fault']),
  message: z.string().describe('Why this reads as blame'),
  suggestion: z.string().describe('How to say it blamelessly'),
});
export type BlamelessFinding = z.infer<typeof blamelessFindingSchema>;

export const reviewerSchema = personSchema.extend({
  decision: z.enum(['approved', 'changes_requested']).nullable(),
  comment: z.string().nullable(),
  decidedAt: instantSchema.nullable(),
});

export const reviewNotesSchema = z.strictObject({
  worked: z.string().max(20_000).optional().describe('What worked'),
  didnt: z.string().max(20_000).optional().describe('What didn’t'),
  start: z.string().max(20_000).optional().describe('What to start doing'),
  stop: z.string().max(20_000).optional().describe('What to stop doing'),
  improve: z.string().max(20_000).optional().describe('What to improve'),
  notes: z.string().max(50_000).optional().describe('Anything else said in the meeting'),
});
export type ReviewNotes = z.output<typeof reviewNotesSchema>;

/**
 * A postmortem.
 *
 * @example
 *   { "id": "01J…", "number": 12, "reference": "PM-12", "title": "Checkout errors on 3 March", "status": "draft",
 *     "incident": { "id": "01J…", "reference": "INC-42", "title": "Checkout errors" }, "version": 4, … }
 */
export const postmortemSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  reference: z.string().describe('Short human id: `PM-12`'),
  title: z.string(),
  status: postmortemStatusSchema,
  incident: z.object({ id: z.string(), reference: z.string(), title: z.string() }).nullable().describe('null: a standalone postmortem'),
  template: z.string().describe('The handle of the template it started from'),
  severity: z.string().nullable(),
  occurredAt: instantSchema.nullable().describe('When it started (incident detection)'),
  endedAt: instantSchema.nullable().describe('When customer impact ended (mitigated, else resolved)'),
  durationMinutes: z.number().int().nullable(),
  services: z.array(z.object({ id: z.string(), handle: z.string(), name: z.string() })),
  tags: z.array(z.string()),
  owner: personSchema.nullable(),
  authors: z.array(personSchema),
  people: z.array(personSchema).describe('People involved in the response'),
  reviewers: z.array(reviewerSchema),
  sections: z.array(postmortemSectionSchema),
  required: z.boolean().describe('The postmortem policy required it'),
  requiredReasons: z.array(z.string()),
  dueAt: instantSchema.nullable(),
  overdue: z.boolean().describe('Required, not published, and past its due date'),
  noActionItemsReason: z.string().nullable().describe('Why there are no action items (required to submit without any)'),
  reviewNotes: reviewNotesSchema.nullable(),
  actionItemCounts: z.object({ open: z.number().int(), done: z.number().int() }),
  findings: z.array(blamelessFindingSchema).describe('The blameless review assistant’s findings on the current text'),
  version: z.number().int().describe('Send it back as `baseVersion` when changing the postmortem'),
  createdAt: instantSchema,
  createdBy: z.string(),
  updatedAt: instantSchema,
  updatedBy: z.string(),
  submittedAt: instantSchema.nullable(),
  publishedAt: instantSchema.nullable(),
});
export type Postmortem = z.infer<typeof postmortemSchema>;

/** A row of the list and search results. */
export const postmortemSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  status: postmortemStatusSchema,
  incidentReference: z.string().nullable(),
  severity: z.string().nullable(),
  occurredAt: instantSchema.nullable(),
  services: z.array(z.object({ handle: z.string(), name: z.string() })),
  tags: z.array(z.string()),
  owner: personSchema.nullable(),
  dueAt: instantSchema.nullable(),
  overdue: z.boolean(),
  updatedAt: instantSchema,
  snippet: z.string().nullable().describe('With `q`: the matching text, matches wrapped in « »'),
});
export type PostmortemSummary = z.infer<typeof postmortemSummarySchema>;

/**
 * `GET /api/v1/postmortems`: list and search. `q` is full text (words; all must match; a trailing
 * `*` matches a prefix); the rest narrow.
 */
export const postmortemListQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  status: z.string().max(100).optional().describe('Comma-separated statuses'),
  tag: z.string().max(100).optional(),
  service: z.string().max(128).optional().describe('Service id or handle'),
  from: instantSchema.optional().describe('Occurred at or after'),
  to: instantSchema.optional().describe('Occurred before'),
  owner: z.string().max(128).optional().describe('User id or handle, `me`'),
  incident: z.string().max(64).optional().describe('Incident id or reference (INC-42): its postmortem, for the incident page'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
});
export const postmortemListSchema = z.object({ items: z.array(postmortemSummarySchema), nextCursor: z.string().nullable() });

/**
 * `POST /api/v1/postmortems`: start one. With `incident` it is drafted from the incident (header,
 * services, duration, the timeline from milestones and pinned entries, linked alerts, changes marked
 * caused or suspect, stakeholder updates in the appendix); 409 if that incident already has one.
 */
export const createPostmortemSchema = z.strictObject({
  incident: refParam.optional().describe('Incident id or reference (INC-42) to draft from'),
  title: z.string().trim().min(1).max(500).optional().describe('Default: the incident’s title; required without an incident'),
  template: handleSchema.optional().describe('Template handle; default `standard`'),
  owner: refParam.optional().describe('User id or handle; default the incident commander, else the creator'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  services: z.array(refParam).max(50).optional().describe('Default: the incident’s impacted services'),
});

/**
 * `PATCH /api/v1/postmortems/{postmortem}`: change the document. `baseVersion` is the version the
 * writer started from; when another change landed since, 409 `CONFLICT` with `details.current` (the
 * postmortem now) and `details.theirs` (who changed which fields and sections since `baseVersion`), and
 * nothing is written. `sections`, when given, replaces the list (order included).
 */
export const updatePostmortemSchema = z.strictObject({
  baseVersion: z.number().int().min(1),
  title: z.string().trim().min(1).max(500).optional(),
  sections: z.array(sectionInputSchema).min(1).max(40).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  services: z.array(refParam).max(50).optional(),
  owner: refParam.nullable().optional(),
  authors: z.array(refParam).max(20).optional(),
  people: z.array(refParam).max(100).optional(),
  severity: z.string().trim().min(1).max(32).nullable().optional(),
  occurredAt: instantSchema.nullable().optional(),
  endedAt: instantSchema.nullable().optional(),
  dueAt: instantSchema.nullable().optional(),
  noActionItemsReason: z.string().trim().max(5000).nullable().optional(),
  reviewNotes: reviewNotesSchema.nullable().optional(),
});
export type UpdatePostmortem = z.infer<typeof updatePostmortemSchema>;

/** The 409 answer's `details`. */
export const postmortemConflictSchema = z.object({
  current: postmortemSchema,
  theirs: z.object({
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
    by: z.array(z.string()).describe('Who changed it since (audit labels)'),
    fields: z.array(z.string()).describe('Fields changed since `baseVersion`: title, tags, sections.<key>, …'),
  }),
});

/** `GET /api/v1/postmortems/{postmortem}/revisions` */
export const postmortemRevisionSchema = z.object({ version: z.number().int(), at: instantSchema, by: z.string(), fields: z.array(z.string()) });

// ---- review and publication

/** `PUT /api/v1/postmortems/{postmortem}/reviewers`: the named reviewers (replaces the list). */
export const setReviewersSchema = z.strictObject({ baseVersion: z.number().int().min(1), reviewers: z.array(refParam).max(20) });

/**
 * `POST /api/v1/postmortems/{postmortem}/transitions`: draft → in_review (`submit`; needs action items
 * or `noActionItemsReason`), in_review → draft (`withdraw`), in_review → published (`publish`; every
 * named reviewer approved), published → draft (`reopen`, with a reason).
 */
export const postmortemTransitionSchema = z.strictObject({
  baseVersion: z.number().int().min(1),
  action: z.enum(['submit', 'withdraw', 'publish', 'reopen']),
  reason: z.string().trim().max(2000).optional(),
});

/** `POST /api/v1/postmortems/{postmortem}/reviews`: a named reviewer's decision. */
export const reviewDecisionSchema = z.strictObject({
  decision: z.enum(['approved', 'changes_requested']),
  comment: z.string().trim().max(5000).optional(),
});

/** `GET /api/v1/postmortems/{postmortem}/agenda`: the review meeting, generated from the document. */
export const reviewAgendaSchema = z.object({
  title: z.string(),
  items: z.array(z.object({ heading: z.string(), minutes: z.number().int(), points: z.array(z.string()) })),
  informalRound: z.array(z.object({ key: z.enum(['worked', 'didnt', 'start', 'stop', 'improve']), prompt: z.string() })),
  markdown: z.string(),
});
export type ReviewAgenda = z.infer<typeof reviewAgendaSchema>;

/**
 * `POST /api/v1/postmortems/{postmortem}/public-version`: publish the public version (sections not
 * marked internal, or those listed) to a status-page incident, whose page then links to it.
 */
export const publishPublicVersionSchema = z.strictObject({
  statusPageIncident: z.string().min(1).max(64).describe('The status-page incident id'),
  sections: z.array(sectionKeySchema).max(40).optional().describe('Section keys to include; default every section not marked internal'),
  title: z.string().trim().min(1).max(500).optional(),
});
export const publicVersionSchema = z.object({ id: z.string(), url: z.string().describe('Where the public reads it'), publishedAt: instantSchema, sections: z.array(z.string()) });

/** `GET /api/v1/postmortems/{postmortem}/public-version`: where its public versions are published. */
export const publicationSchema = z.object({
  id: z.string(),
  url: z.string().describe('Where the public reads it'),
  title: z.string(),
  publishedAt: instantSchema,
  publishedBy: z.string(),
  statusPageIncident: z
    .object({ id: z.string(), name: z.string(), page: z.object({ id: z.string(), slug: z.string(), name: z.string() }) })
    .nullable()
    .describe('null: its status-page incident is gone (the public version answers 404)'),
});
export type Publication = z.infer<typeof publicationSchema>;

/**
 * `DELETE /api/v1/postmortems/{postmortem}/public-version`: withdraws the public version from one
 * status-page incident (`statusPageIncident`), or from every one when left out. The status page stops
 * linking to it and its address answers 404.
 */
export const withdrawPublicVersionQuery = z.strictObject({
  statusPageIncident: z
    .string()
    .min(1)
    .max(64)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters')
    .optional()
    .describe('The status-page incident id; default every one it is published to'),
});

// ---- attachments

/** Images only (no SVG: it can carry script); `POST …/attachments?name=graph.png` with the bytes as the body. */
export const attachmentContentTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const attachmentQuery = z.strictObject({ name: z.string().trim().min(1).max(200).refine((v) => !/[/\\]/.test(v) && [...v].every((c) => c.charCodeAt(0) >= 0x20), 'must be a file name without slashes or control characters') });
export const attachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string().describe('Relative URL; use it in markdown: `![graph](url)`'),
  createdAt: instantSchema,
  createdBy: z.string(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

// ---- the blameless assistant

/** `POST /api/v1/postmortems/assistant`: findings on text being written (nothing is stored). */
export const assistantRequestSchema = z.strictObject({
  texts: z.array(z.strictObject({ section: z.string().min(1).max(100), text: z.string().max(200_000) })).max(50),
  postmortem: z.string().max(64).optional().describe('Also flag the names of the people involved in this postmortem'),
});
export const assistantResponseSchema = z.object({ findings: z.array(blamelessFindingSchema) });

// ---- action items

export const actionItemPrioritySchema = z.enum(['high', 'medium', 'low']);
export const actionItemStatusSchema = z.enum(['open', 'in_progress', 'done', 'wont_do']);
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2027-03-31');

export const actionItemParams = z.strictObject({ item: z.string().min(1).max(64).describe('Action item id or reference (AI-7)') });

export const actionItemSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  reference: z.string().describe('`AI-7`'),
  postmortem: z.object({ id: z.string(), reference: z.string(), title: z.string() }),
  title: z.string(),
  description: z.string(),
  owner: personSchema.nullable(),
  team: z.object({ id: z.string(), handle: z.string(), name: z.string() }).nullable(),
  priority: actionItemPrioritySchema,
  dueDate: z.string().nullable(),
  status: actionItemStatusSchema,
  trackerUrl: z.string().nullable(),
  overdue: z.boolean(),
  ageDays: z.number().int(),
  similar: z.array(z.object({ id: z.string(), reference: z.string(), title: z.string(), postmortemReference: z.string(), status: actionItemStatusSchema, linked: z.boolean() })).describe('The same item in other postmortems: linked ones, then likely matches'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  completedAt: instantSchema.nullable(),
});
export type ActionItem = z.infer<typeof actionItemSchema>;

/** `POST /api/v1/postmortems/{postmortem}/action-items` */
export const createActionItemSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).optional(),
  owner: refParam.optional(),
  team: refParam.optional(),
  priority: actionItemPrioritySchema.optional().describe('Default medium'),
  dueDate: dateSchema.optional(),
  trackerUrl: httpUrl.optional(),
  createInTracker: z.boolean().optional().describe('Also create an issue through the configured tracker webhook and keep the URL it answers'),
});

/** `PATCH /api/v1/action-items/{item}` */
export const updateActionItemSchema = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(10_000).optional(),
  owner: refParam.nullable().optional(),
  team: refParam.nullable().optional(),
  priority: actionItemPrioritySchema.optional(),
  dueDate: dateSchema.nullable().optional(),
  status: actionItemStatusSchema.optional(),
  trackerUrl: httpUrl.nullable().optional(),
});

/** `POST /api/v1/action-items/{item}/links`: mark another item as the same one (in another postmortem). */
export const linkActionItemSchema = z.strictObject({ item: z.string().min(1).max(64).describe('The other item: id or AI-7') });

/** `GET /api/v1/action-items`: open items across postmortems. */
export const actionItemListQuery = z.strictObject({
  status: z.string().max(100).optional().describe('Comma-separated; default open,in_progress'),
  owner: z.string().max(128).optional().describe('User id or handle, `me`'),
  team: z.string().max(128).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  sort: z.enum(['age', 'due', 'priority']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** Settings → Postmortems: the outgoing webhook that creates tracker issues. */
export const trackerWebhookSchema = z.strictObject({
  url: httpUrl.nullable().describe('POSTed {actionItem, postmortem}; must answer 2xx with JSON {"url": "<issue URL>"}; null: off'),
  secret: z.string().min(16).max(200).optional().describe('Signs each request: X-Firebreak-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">'),
});

/** `GET|PUT /api/v1/postmortem-settings/tracker-webhook` answers: the secret is never shown, only whether one is set. */
export const trackerWebhookSettingsSchema = z.object({
  url: z.string().nullable().describe('null: the webhook is off'),
  secretSet: z.boolean().describe('Requests are signed (X-Firebreak-Signature)'),
  updatedAt: instantSchema.nullable(),
  updatedBy: z.string().nullable(),
});
