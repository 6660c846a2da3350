import { z } from 'zod';
import { instantSchema, listOf } from '../../../contracts/common.js';
import {
  assistantRequestSchema,
  assistantResponseSchema,
  attachmentQuery,
  attachmentSchema,
  createPostmortemSchema,
  createPostmortemTemplateSchema,
  postmortemListQuery,
  postmortemListSchema,
  postmortemParams,
  postmortemRevisionSchema,
  postmortemSchema,
  postmortemSectionSchema,
  postmortemSummarySchema,
  postmortemTemplateSchema,
  reviewNotesSchema,
  templateParams,
  updatePostmortemSchema,
  updatePostmortemTemplateSchema,
} from '../../../contracts/postmortems.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import { ATTACHMENT_CSP, inlineDisposition } from './postmortem.attachments.js';
import { postmortemMarkdown, postmortemPrintHtml, PRINT_CSP } from './postmortem.export.js';
import type { PostmortemService } from './postmortem.service.js';

/** Anyone signed in reads postmortems; responders write them; admins edit templates (docs/postmortems.md). */
const read = { role: 'viewer' } as const;
const write = { role: 'responder' } as const;
const admin = { role: 'admin' } as const;

/**
 * References in paths never hold a NUL character (PostgreSQL text cannot, so a lookup would fail as a
 * server error rather than a 404); the contract's shapes, refused with 400 when they do.
 */
const noNul = (schema: z.ZodString) => schema.refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const pmParams = z.strictObject({ postmortem: noNul(postmortemParams.shape.postmortem) });
const tplParams = z.strictObject({ template: noNul(templateParams.shape.template) });
const revisionParams = pmParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000).describe('A version from the revisions list') });
const attachmentParams = pmParams.extend({ attachment: noNul(z.string().min(1).max(64)).describe('Attachment id') });
const incidentParams = z.strictObject({ incident: noNul(z.string().min(1).max(64)).describe('Incident id, `INC-42`, `#42` or `42`') });

/** `GET …/revisions/{version}`: one saved version with the document as it was. */
export const postmortemRevisionDetailSchema = postmortemRevisionSchema.extend({
  snapshot: z.object({
    title: z.string(),
    status: z.string(),
    sections: z.array(postmortemSectionSchema),
    tags: z.array(z.string()),
    services: z.array(z.string()).describe('Service handles'),
    owner: z.string().nullable().describe('Owner handle'),
    severity: z.string().nullable(),
    occurredAt: instantSchema.nullable(),
    endedAt: instantSchema.nullable(),
    dueAt: instantSchema.nullable(),
    noActionItemsReason: z.string().nullable(),
    reviewNotes: reviewNotesSchema.nullable(),
  }),
});

/** Postmortem documents, templates, search, revisions, attachments and exports (ADR 0038). */
export function postmortemRoutes(postmortems: PostmortemService): AnyRoute[] {
  const templates = postmortems.templates;
  const attachments = postmortems.attachments;
  return [
    // ---- templates
    defineRoute({
      method: 'GET', path: '/api/v1/postmortem-templates', operationId: 'listPostmortemTemplates', summary: 'Postmortem templates: the built-ins (edited or not), then stored ones', tag: 'Postmortems',
      auth: read, success: { status: 200, schema: listOf(postmortemTemplateSchema) },
      handler: async () => ({ items: await templates.list() }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortem-templates/{template}', operationId: 'getPostmortemTemplate', summary: 'A postmortem template by handle or id', tag: 'Postmortems',
      auth: read, params: tplParams, success: { status: 200, schema: postmortemTemplateSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => templates.get(params.template),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortem-templates', operationId: 'createPostmortemTemplate', summary: 'Add a postmortem template (a built-in’s handle stores a replacement of it)', tag: 'Postmortems',
      auth: admin, body: createPostmortemTemplateSchema, success: { status: 201, schema: postmortemTemplateSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => templates.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/postmortem-templates/{template}', operationId: 'updatePostmortemTemplate', summary: 'Change a postmortem template (editing a built-in stores an edited copy)', tag: 'Postmortems',
      auth: admin, params: tplParams, body: updatePostmortemTemplateSchema, success: { status: 200, schema: postmortemTemplateSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => templates.update({ actor, principal }, params.template, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/postmortem-templates/{template}', operationId: 'deletePostmortemTemplate', summary: 'Delete a stored template (an edited built-in goes back to the shipped one)', tag: 'Postmortems',
      auth: admin, params: tplParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => templates.remove({ actor, principal }, params.template),
    }),

    // ---- documents
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems', operationId: 'listPostmortems', summary: 'List and search postmortems (full text `q`, status, tag, service, owner, dates)', tag: 'Postmortems',
      auth: read, query: postmortemListQuery, success: { status: 200, schema: postmortemListSchema },
      handler: async ({ query, actor, principal }) => postmortems.list({ actor, principal }, query),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems', operationId: 'createPostmortem', summary: 'Start a postmortem: drafted from an incident, or standalone (a launch, an event)', tag: 'Postmortems',
      auth: write, body: createPostmortemSchema, success: { status: 201, schema: postmortemSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => postmortems.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/assistant', operationId: 'reviewPostmortemText', summary: 'The blameless review assistant’s findings on text being written (nothing is stored)', tag: 'Postmortems',
      auth: { role: 'viewer', scope: 'team' }, body: assistantRequestSchema, success: { status: 200, schema: assistantResponseSchema }, errors: ['NOT_FOUND'],
      handler: async ({ body }) => postmortems.assistant(body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}', operationId: 'getPostmortem', summary: 'A postmortem by id, PM-12 or number, with the blameless assistant’s findings', tag: 'Postmortems',
      auth: read, params: pmParams, success: { status: 200, schema: postmortemSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => postmortems.get(params.postmortem),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/postmortems/{postmortem}', operationId: 'updatePostmortem', summary: 'Change a postmortem from `baseVersion`; 409 with the other author’s change when it moved on', tag: 'Postmortems',
      auth: write, params: pmParams, body: updatePostmortemSchema, success: { status: 200, schema: postmortemSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => postmortems.update({ actor, principal }, params.postmortem, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/postmortems/{postmortem}', operationId: 'deletePostmortem', summary: 'Delete a draft postmortem that was never published (its owner or an admin)', tag: 'Postmortems',
      description: 'Removes the draft with its sections, revisions, reviewers, attachments and search entry. Refused (422) once it was published, and while it has action items; only its owner or an admin may delete it (403), and a required postmortem only an admin.',
      auth: write, params: pmParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'FORBIDDEN', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => postmortems.remove({ actor, principal }, params.postmortem),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/revisions', operationId: 'listPostmortemRevisions', summary: 'Every saved version of a postmortem, newest first', tag: 'Postmortems',
      auth: read, params: pmParams, success: { status: 200, schema: listOf(postmortemRevisionSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await postmortems.revisions(params.postmortem) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/revisions/{version}', operationId: 'getPostmortemRevision', summary: 'A postmortem as it was saved at one version', tag: 'Postmortems',
      auth: read, params: revisionParams, success: { status: 200, schema: postmortemRevisionDetailSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => postmortems.revision(params.postmortem, params.version),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/export.md', operationId: 'exportPostmortemMarkdown', summary: 'The postmortem as one Markdown file (text/markdown)', tag: 'Postmortems',
      auth: read, params: pmParams, success: { status: 200, schema: z.string(), description: 'text/markdown' }, errors: ['NOT_FOUND'],
      handler: async ({ params, reply }) => {
        const { postmortem, actionItems } = await postmortems.exportData(params.postmortem);
        return reply
          .type('text/markdown; charset=utf-8')
          .header('content-disposition', `attachment; filename="${postmortem.reference}.md"`)
          .header('cache-control', 'private, no-cache')
          .send(postmortemMarkdown(postmortem, actionItems));
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/print', operationId: 'printPostmortem', summary: 'A print-ready HTML page of the postmortem (no script; save as PDF from the browser)', tag: 'Postmortems',
      auth: read, params: pmParams, success: { status: 200, schema: z.string(), description: 'text/html' }, errors: ['NOT_FOUND'],
      handler: async ({ params, reply }) => {
        const { postmortem, actionItems } = await postmortems.exportData(params.postmortem);
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', PRINT_CSP)
          .header('cache-control', 'private, no-cache')
          .send(postmortemPrintHtml(postmortem, actionItems, postmortems.now()));
      },
    }),

    // ---- attachments
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/{postmortem}/attachments', operationId: 'uploadPostmortemAttachment', summary: 'Attach an image (PNG, JPEG, GIF, WebP; at most 5 MB): the raw bytes as the body with the image’s Content-Type', tag: 'Postmortems',
      auth: write, params: pmParams, query: attachmentQuery, success: { status: 201, schema: attachmentSchema }, errors: ['NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
      handler: async ({ params, query, request, actor, principal }) => attachments.upload({ actor, principal }, params.postmortem, query.name, request.headers['content-type'], request.body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/attachments', operationId: 'listPostmortemAttachments', summary: 'A postmortem’s attachments, oldest first', tag: 'Postmortems',
      auth: read, params: pmParams, success: { status: 200, schema: listOf(attachmentSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await attachments.list(params.postmortem) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/attachments/{attachment}', operationId: 'getPostmortemAttachment', summary: 'An attachment’s bytes (served with nosniff and a CSP that runs nothing)', tag: 'Postmortems',
      auth: read, params: attachmentParams, success: { status: 200, schema: z.string(), description: 'The image' }, errors: ['NOT_FOUND'],
      handler: async ({ params, reply }) => {
        const file = await attachments.read(params.postmortem, params.attachment);
        return reply
          .type(file.contentType)
          .header('content-security-policy', ATTACHMENT_CSP)
          .header('content-disposition', inlineDisposition(file.name))
          .header('cross-origin-resource-policy', 'same-origin')
          .header('cache-control', 'private, max-age=86400')
          .header('etag', `"${file.sha256}"`)
          .send(file.bytes);
      },
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/postmortems/{postmortem}/attachments/{attachment}', operationId: 'deletePostmortemAttachment', summary: 'Delete an attachment', tag: 'Postmortems',
      auth: write, params: attachmentParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => attachments.remove({ actor, principal }, params.postmortem, params.attachment),
    }),

    // ---- incidents
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/related-postmortems', operationId: 'listRelatedPostmortems', summary: 'Postmortems of the incident’s services (other incidents), newest first', tag: 'Postmortems',
      auth: read, params: incidentParams, success: { status: 200, schema: listOf(postmortemSummarySchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await postmortems.related(params.incident) }),
    }),
  ];
}
