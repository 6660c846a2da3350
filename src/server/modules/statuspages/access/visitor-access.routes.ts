import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { escapeHtml } from '../statuspage.render.js';
import { ACCESS_COOKIE, type PrivatePageVisitors } from './visitor-access.js';

/**
 * The public routes of private-page sign-in (ADR 0041), under `/status/<slug>/` and at `/` of the page's
 * custom domain: `POST …/access` asks for a link (the private page's form), `GET …/access/open?token=`
 * shows a button, and its `POST` uses the link once, sets the page's access cookie and redirects to
 * the page. Using the link takes a POST because mail scanners fetch links: a GET would spend it before
 * the person clicks. HTML without script; the answer to an address is the same whatever it is.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2.5rem auto;padding:0 1rem;color:#1b1f24}input[type=email]{font-size:1rem;padding:.4rem;width:100%;max-width:22rem}button{font-size:1rem;padding:.5rem 1.1rem;cursor:pointer}.hp{position:absolute;left:-10000px}.muted{color:#57606a;font-size:.875rem}';

/** Link requests per IP per minute (the route's own bucket). */
export const ACCESS_REQUESTS_PER_MINUTE = 10;
const OPEN_PER_MINUTE = 30;

export const ACCESS_NEUTRAL = 'Thanks. If this address may view this status page, we have sent it a sign-in link. The link works once, for 30 minutes.';

const requestSchema = z.object({
  email: z.string({ error: 'is required' }).trim().toLowerCase().max(254).email('must be an email address'),
  website: z.string().optional(),
});
const tokenQuery = z.object({ token: z.string().min(1).max(200) });

function html(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const doc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return reply.status(status).header('content-security-policy', CSP).header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(doc);
}
const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

/**
 * What a visitor who may not (yet) see a private page with allowed email domains gets instead of the
 * page: an email form (no script) asking for a sign-in link. It names no page: the page is private.
 */
export function privatePageSignIn(reply: FastifyReply, base: string, notice = '', status = 403): FastifyReply {
  return html(
    reply,
    status,
    'This status page is private',
    notice +
      p('Enter your work email address. If it may view this page, we will mail you a sign-in link.') +
      `<form method="post" action="${escapeHtml(`${base}/access`)}"><p><label for="access-email">Email address</label><br><input id="access-email" name="email" type="email" autocomplete="email" required maxlength="254"></p>` +
      '<p class="hp" aria-hidden="true"><label for="access-website">Leave this empty</label><input id="access-website" name="website" type="text" tabindex="-1" autocomplete="off"></p>' +
      '<p><button type="submit">Email me a sign-in link</button></p></form>' +
      '<p class="muted">Signed in to Firebreak? Sign in there first, then open this page again.</p>',
  );
}

export interface VisitorRouteDeps {
  visitors: PrivatePageVisitors;
  /** The page a request is for: its id, whether private with allowed domains, and its base path. */
  pageOf: (request: FastifyRequest) => Promise<{ id: string; privateWithDomains: boolean; base: string; cookiePath: string; https: boolean } | null>;
  notFound: (reply: FastifyReply) => FastifyReply;
}

/** Registers the sign-in routes (inside the plugin that parses the HTML forms' urlencoded bodies). */
export function registerVisitorAccessRoutes(app: FastifyInstance, deps: VisitorRouteDeps): void {
  const { visitors } = deps;
  const tokenOf = (request: FastifyRequest) => tokenQuery.safeParse(request.query).data?.token ?? null;

  const ask = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await deps.pageOf(request);
    if (!page?.privateWithDomains) return deps.notFound(reply);
    const parsed = requestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return privatePageSignIn(reply, page.base, p(`body.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'is not valid'}`), 400);
    }
    // The hidden field is filled by bots: answered as usual, nothing done.
    if (parsed.data.website === undefined || parsed.data.website === '') await visitors.requestLink(page.id, parsed.data.email);
    return html(reply, 200, 'Check your inbox', p(ACCESS_NEUTRAL) + `<p><a href="${escapeHtml(`${page.base}/`)}">Back</a></p>`);
  };

  const failed = (reply: FastifyReply, base: string, outcome: 'unknown' | 'expired' | 'used') => {
    const why = outcome === 'expired' ? 'This sign-in link has expired (links work for 30 minutes).' : outcome === 'used' ? 'This sign-in link has already been used (each link works once).' : 'This sign-in link is not valid. Check that it was copied whole.';
    return html(reply, outcome === 'unknown' ? 404 : 410, 'Link not valid', p(why) + `<p><a href="${escapeHtml(`${base}/`)}">Ask for a new link</a></p>`);
  };

  // GET only shows a button: mail scanners open links, and must not spend a one-time link.
  const show = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await deps.pageOf(request);
    const token = tokenOf(request);
    if (!page?.privateWithDomains || token === null) return deps.notFound(reply);
    const state = await visitors.peek(page.id, token);
    if (state !== 'ok') return failed(reply, page.base, state);
    const action = `${page.base}/access/open?token=${encodeURIComponent(token)}`;
    return html(reply, 200, 'Open the status page', `<form method="post" action="${escapeHtml(action)}"><p><button type="submit">Open the status page</button></p></form><p class="muted">This signs you in on this browser for 30 days.</p>`);
  };

  const open = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = await deps.pageOf(request);
    const token = tokenOf(request);
    if (!page?.privateWithDomains || token === null) return deps.notFound(reply);
    const outcome = await visitors.consume(page.id, token);
    if (outcome.kind !== 'ok') return failed(reply, page.base, outcome.kind);
    const cookie = [`${ACCESS_COOKIE}=${outcome.cookie}`, `Path=${page.cookiePath}`, `Max-Age=${outcome.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(page.https ? ['Secure'] : [])].join('; ');
    return reply.status(303).header('set-cookie', cookie).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').header('location', page.base === '' ? '/' : page.base).send();
  };

  const domain = { constraints: { statusPageHost: 'custom' } } as never;
  const askLimit = { rateLimit: { max: ACCESS_REQUESTS_PER_MINUTE, timeWindow: 60_000 } };
  const openLimit = { rateLimit: { max: OPEN_PER_MINUTE, timeWindow: 60_000 } };
  for (const prefix of ['/status/:slug', '']) {
    const extra = prefix === '' ? (domain as object) : {};
    app.route({ method: 'POST', url: `${prefix}/access`, config: askLimit, ...extra, handler: ask });
    app.route({ method: 'GET', url: `${prefix}/access/open`, config: openLimit, ...extra, handler: show });
    app.route({ method: 'POST', url: `${prefix}/access/open`, config: openLimit, ...extra, handler: open });
  }
}
