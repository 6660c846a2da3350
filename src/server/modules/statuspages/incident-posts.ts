import type { Kysely } from 'kysely';
import { z } from 'zod';
import { refParam } from '../../../contracts/common.js';
import { AppError } from '../../../contracts/errors.js';
import {
  incidentPostParams,
  incidentStatusPostsSchema,
  postFromIncidentSchema,
  postUpdateFromIncidentSchema,
  statusIncidentSchema,
  type IncidentStatusPostsView,
} from '../../../contracts/status-pages.js';
import type { ComponentStatus } from '../../../core/statuspages/status.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { Acting } from '../catalog/catalog.service.js';
import { reference } from '../incidents/incident.repo.js';
import type { IncidentService } from '../incidents/incident.service.js';
import type { StatusPageService } from './statuspage.service.js';

/**
 * Publishing from an internal incident (issue 7; docs/status-pages.md): the incident page's public
 * composer. The public text is written here for customers and nothing of the internal incident is
 * copied; the link (status_incidents.incident_id) and a timeline entry on the internal incident are
 * written in the same transaction as the public post.
 */
export class IncidentStatusPosts {
  constructor(private readonly deps: { database: FirebreakDatabase; pages: StatusPageService; incidents: IncidentService }) {}

  /** What the composer shows: posts so far, and per page the components to preselect. */
  async overview(incidentRef: string): Promise<IncidentStatusPostsView> {
    const db = this.deps.database.db;
    const incident = await this.deps.incidents.require(db, incidentRef);
    const impacted = new Set((await db.selectFrom('incident_services').select('service_id').where('incident_id', '=', incident.id).execute()).map((r) => r.service_id));
    const suggested = suggestedStatus(incident.severity, await this.deps.incidents.currentSeverities(db));
    const pages = await db.selectFrom('status_pages').select(['id', 'slug', 'name', 'visibility']).orderBy('name').execute();
    const components = await db.selectFrom('status_components').selectAll().orderBy('position').orderBy('name').execute();
    const posted = await db.selectFrom('status_incidents').select(['id', 'page_id']).where('incident_id', '=', incident.id).where('kind', '=', 'incident').orderBy('created_at').execute();
    const pageById = new Map(pages.map((p) => [p.id, p]));
    const posts = [];
    for (const row of posted) {
      const page = pageById.get(row.page_id);
      if (page) posts.push({ page: { id: page.id, slug: page.slug, name: page.name }, incident: await this.deps.pages.getIncident(page.id, 'incident', row.id) });
    }
    return {
      posts,
      pages: pages.map((page) => {
        const own = components.filter((c) => c.page_id === page.id);
        const groups = new Map(own.filter((c) => c.is_group === 1).map((c) => [c.id, c.name]));
        return {
          id: page.id,
          slug: page.slug,
          name: page.name,
          visibility: page.visibility,
          components: own
            .filter((c) => c.is_group !== 1)
            .map((c) => ({
              id: c.id,
              name: c.name,
              groupName: c.group_id ? (groups.get(c.group_id) ?? null) : null,
              status: c.status as ComponentStatus,
              preselected: c.service_id !== null && impacted.has(c.service_id),
              suggestedStatus: suggested,
            })),
        };
      }),
    };
  }

  /** Posts a public incident about the internal one. */
  async post(acting: Acting, incidentRef: string, input: z.output<typeof postFromIncidentSchema>) {
    return this.deps.database.transaction(async (tx) => {
      const incident = await this.deps.incidents.require(tx.db, incidentRef);
      const { page, ...rest } = input;
      const created = await this.deps.pages.createIncidentIn(tx, acting, page, { ...rest, postmortemUrl: null }, incident.id);
      const pageRow = await pageOf(tx.db, created.pageId);
      await this.deps.incidents.appendTimeline(
        tx,
        incident,
        [{ kind: 'status_page', action: 'status-page-post', actor: acting.actor.label, summary: `Posted to the status page ${pageRow.name} (${input.status}): ${input.name}: ${input.body}`, data: { pageId: pageRow.id, statusIncidentId: created.id, status: input.status } }],
        'status-page-post',
      );
      return created;
    });
  }

  /** Posts the next public update on a public incident posted from this incident. */
  async update(acting: Acting, incidentRef: string, postId: string, input: z.output<typeof postUpdateFromIncidentSchema>) {
    return this.deps.database.transaction(async (tx) => {
      const incident = await this.deps.incidents.require(tx.db, incidentRef);
      const post = await tx.db.selectFrom('status_incidents').select(['id', 'page_id']).where('id', '=', postId).where('incident_id', '=', incident.id).where('kind', '=', 'incident').executeTakeFirst();
      if (!post) throw new AppError('NOT_FOUND', `${reference(incident.number)} has no public incident \`${postId}\``);
      const updated = await this.deps.pages.addIncidentUpdateIn(tx, acting, post.page_id, post.id, input);
      const pageRow = await pageOf(tx.db, post.page_id);
      await this.deps.incidents.appendTimeline(
        tx,
        incident,
        [{ kind: 'status_page', action: 'status-page-update', actor: acting.actor.label, summary: `Updated the status page ${pageRow.name} (${input.status}): ${input.body}`, data: { pageId: pageRow.id, statusIncidentId: post.id, status: input.status } }],
        'status-page-update',
      );
      return updated;
    });
  }
}

async function pageOf(db: Kysely<Database>, id: string): Promise<{ id: string; name: string }> {
  return db.selectFrom('status_pages').select(['id', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * The component status to suggest for an incident's severity: the most severe level is a major
 * outage, the next a partial outage, the rest degraded performance. Only a suggestion: the composer
 * shows it preselected and the responder chooses.
 */
export function suggestedStatus(severity: string, severities: readonly { key: string }[]): ComponentStatus {
  const rank = severities.findIndex((s) => s.key.toUpperCase() === severity.toUpperCase());
  if (rank === 0) return 'major_outage';
  if (rank === 1) return 'partial_outage';
  return 'degraded_performance';
}

const tag = 'Status pages';
const incidentParams = z.strictObject({ incident: refParam.describe('Incident id or reference (INC-42)') });

/** Responders publish (as they post public incidents on the page itself); anyone signed in reads. */
export function incidentStatusPostRoutes(posts: IncidentStatusPosts): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/status-page-posts', operationId: 'listIncidentStatusPagePosts', summary: 'Public incidents posted from this incident, and the components to preselect on each status page', tag, auth: { role: 'viewer' },
      params: incidentParams, success: { status: 200, schema: incidentStatusPostsSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => posts.overview(params.incident),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/status-page-posts', operationId: 'postIncidentToStatusPage', summary: 'Post a public incident about this incident, with its own public text', tag, auth: { role: 'responder' },
      description: 'Nothing of the internal incident is copied: write the title and text for customers. The internal timeline records the post.',
      params: incidentParams, body: postFromIncidentSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => posts.post({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/status-page-posts/{post}/updates', operationId: 'postIncidentStatusPageUpdate', summary: 'Post the next public update on a public incident posted from this incident', tag, auth: { role: 'responder' },
      params: incidentPostParams, body: postUpdateFromIncidentSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => posts.update({ actor, principal }, params.incident, params.post, body),
    }),
  ];
}
