import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderMarkdown } from '../../../../core/postmortems/markdown.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { Authenticator } from '../../../platform/http/app.js';
import { escapeHtml, formatter } from '../../statuspages/statuspage.render.js';

/**
 * The public version of a postmortem (issue 8, ADR 0038): `/status-postmortems/<publication id>`,
 * linked from its status-page incident. Server-rendered HTML without any script, like the status pages
 * it belongs to (ADR 0036). It shows only what was published: the stored public text (the sections
 * chosen when publishing, rendered through the one sanitizing markdown renderer), never the live
 * document, so internal sections and later edits cannot reach it. A private status page's postmortems
 * need a login, as the page does; one whose status-page incident is gone is withdrawn; anything
 * else answers the same 404.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const STYLE = `*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa}
header,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}header{padding-top:1.5rem}h1{font-size:1.6rem;margin:.25rem 0}a{color:var(--brand)}
article{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1rem 1.5rem;margin:1rem 0}article h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
img{max-width:100%}pre{overflow:auto;background:#f6f8fa;padding:.75rem}.muted{color:#57606a;font-size:.9rem}footer{padding:2rem 1rem;color:#57606a;font-size:.875rem}`;
const NOT_FOUND = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title></head><body><main><h1>Not found</h1><p>There is no published postmortem here.</p></main></body></html>`;

export interface PublicPostmortem {
  title: string;
  markdown: string;
  publishedAt: number;
  page: { name: string; slug: string; timeZone: string; brandColor: string } | null;
  incident: { id: string; name: string } | null;
}

/** The HTML of a public postmortem; every piece of text escaped, the body through `renderMarkdown`. */
export function renderPublicPostmortem(p: PublicPostmortem): string {
  const zone = p.page?.timeZone ?? 'UTC';
  const f = formatter(zone);
  const brand = p.page && /^#[0-9a-fA-F]{6}$/.test(p.page.brandColor) ? p.page.brandColor : '#1f6feb';
  const base = p.page ? `/status/${encodeURIComponent(p.page.slug)}` : null;
  const about = p.incident && base ? `<p class="muted">Postmortem of <a href="${escapeHtml(`${base}/incidents/${encodeURIComponent(p.incident.id)}`)}">${escapeHtml(p.incident.name)}</a></p>` : '';
  const site = p.page && base ? `<p class="muted"><a href="${escapeHtml(`${base}/`)}">${escapeHtml(p.page.name)} status</a></p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noarchive">
<title>${escapeHtml(p.title)}${p.page ? ` — ${escapeHtml(p.page.name)}` : ''}</title><style>:root{--brand:${brand}}${STYLE}</style></head>
<body><header>${site}<h1>${escapeHtml(p.title)}</h1>${about}<p class="muted">Published <time datetime="${new Date(p.publishedAt).toISOString()}">${escapeHtml(f.at(p.publishedAt))}</time></p></header>
<main><article>${renderMarkdown(p.markdown)}</article></main>
<footer><p>Times are in ${escapeHtml(zone)}. Powered by Firebreak.</p></footer></body></html>`;
}

/** Registers `GET /status-postmortems/:publication`. Call before `app.ready()`. */
export function publicPostmortemRoutes(deps: { database: FirebreakDatabase; authenticator: Authenticator; ratePerMinute: number }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const notFound = (reply: FastifyReply) => reply.status(404).header('cache-control', 'no-store').header('content-security-policy', CSP).type('text/html; charset=utf-8').send(NOT_FOUND);
    app.get('/status-postmortems/:publication', { config: { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } } }, async (request: FastifyRequest<{ Params: { publication: string } }>, reply) => {
      const id = request.params.publication;
      if (!/^[0-9A-Za-z]{1,64}$/.test(id)) return notFound(reply);
      const db = deps.database.db;
      const publication = await db.selectFrom('postmortem_publications').select(['title', 'markdown', 'published_at', 'status_page_incident_id']).where('id', '=', id).executeTakeFirst();
      if (!publication) return notFound(reply);
      const incident = publication.status_page_incident_id
        ? await db
            .selectFrom('status_incidents')
            .innerJoin('status_pages', 'status_pages.id', 'status_incidents.page_id')
            .select(['status_incidents.id', 'status_incidents.name', 'status_pages.name as pageName', 'status_pages.slug', 'status_pages.time_zone', 'status_pages.brand_color', 'status_pages.visibility'])
            .where('status_incidents.id', '=', publication.status_page_incident_id)
            .executeTakeFirst()
        : undefined;
      // Its status-page incident gone (deleted, or the link cleared): withdrawn with it. Its page's
      // visibility is not known any more, so it must not become public by accident.
      if (!incident) return notFound(reply);
      const isPrivate = incident.visibility !== 'public';
      if (isPrivate && !(await loggedIn(deps.authenticator, request))) return notFound(reply);
      const html = renderPublicPostmortem({
        title: publication.title,
        markdown: publication.markdown,
        publishedAt: Number(publication.published_at),
        page: { name: incident.pageName, slug: incident.slug, timeZone: incident.time_zone, brandColor: incident.brand_color },
        incident: { id: incident.id, name: incident.name },
      });
      return reply
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', isPrivate ? 'private, no-store' : 'public, max-age=60')
        .header('vary', isPrivate ? 'Cookie, Authorization' : 'Accept-Encoding')
        .type('text/html; charset=utf-8')
        .send(html);
    });
  };
}

async function loggedIn(authenticator: Authenticator, request: FastifyRequest): Promise<boolean> {
  if (request.headers.cookie === undefined && request.headers.authorization === undefined) return false;
  const auth = await authenticator.authenticate(request).catch(() => null);
  return auth !== null;
}
