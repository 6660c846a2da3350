import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../../contracts/errors.js';
import { sendError } from '../../../platform/http/errors.js';
import { registerVisitorAccessRoutes } from '../access/visitor-access.routes.js';
import { escapeHtml } from '../statuspage.render.js';
import type { ConfirmOutcome, ManageView, StatusSubscribers } from './subscriber.service.js';

/**
 * The public side of subscriptions (ADR 0039), under `/status/<slug>/` and at `/` of a page's custom
 * domain: sign-up (`POST …/subscribe`, the page's HTML form or JSON), confirmation, the management page
 * and the unsubscribe link. No account: the links' tokens are the credentials. HTML without script;
 * GET never changes anything (mail scanners fetch links), one-click unsubscribe is a POST (RFC 8058).
 *
 * Sign-ups have their own tight per-IP limit and answer the same whatever the address (no enumeration);
 * a hidden `website` field catches form-filling bots (filled: answered as usual, nothing done).
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2.5rem auto;padding:0 1rem;color:#1b1f24}button{font-size:1rem;padding:.5rem 1.1rem;cursor:pointer}ul{list-style:none;padding:0}li{margin:.3rem 0}.muted{color:#57606a;font-size:.875rem}code{word-break:break-all;background:#f6f8fa;padding:.1rem .3rem}';

/** Sign-ups per IP per minute (each route's own bucket, apart from the pages' generous one). */
export const SIGNUP_PER_MINUTE = 10;
/** Confirmation, management and unsubscribe requests per IP per minute. */
const MANAGE_PER_MINUTE = 30;

const NEUTRAL = 'Thanks. If this address can receive updates from this page, we have sent it a link: open it to confirm (or manage) the subscription. The link works for 48 hours.';

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter((s) => s !== ''))
  .pipe(z.array(z.string().max(64)).max(200));

const subscribeSchema = z.object({
  email: z.string({ error: 'is required' }).trim().toLowerCase().max(254).email('must be an email address'),
  components: list,
  webhook: z
    .string()
    .trim()
    .max(2048)
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v)),
  website: z.string().optional(),
});
const manageSchema = z.object({ components: list });
const tokenQuery = z.object({ token: z.string().min(1).max(200) });

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return reply.status(status).header('content-security-policy', CSP).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(html);
}

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
const back = (url: string, name: string) => `<p><a href="${escapeHtml(url)}">${escapeHtml(`Back to ${name} status`)}</a></p>`;

const unknownLink = (reply: FastifyReply) => page(reply, 404, 'Link not valid', p('This link is not valid, or the subscription it was for has ended. Check that it was copied whole.'));

/** First zod issue as the API's validation error: the field and the reason. */
function invalid(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const path = `body.${issue?.path.join('.') ?? ''}`.replace(/\.$/, '');
  const message = issue?.message ?? 'is not valid';
  return new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })) });
}

function managePage(reply: FastifyReply, view: ManageView, token: string, base: string, notice: string): FastifyReply {
  const chosen = new Set(view.subscriber.components);
  const t = encodeURIComponent(token);
  const items = view.components
    .map((c) => `<li${c.groupId ? ' style="margin-left:1.5rem"' : ''}><label><input type="checkbox" name="components" value="${escapeHtml(c.id)}"${chosen.has(c.id) ? ' checked' : ''}> ${escapeHtml(c.name)}${c.group ? ' (all of the group)' : ''}</label></li>`)
    .join('');
  const body = [
    notice,
    p(`Updates from ${view.page.name} status go to ${view.subscriber.target}.`),
    `<form method="post" action="${escapeHtml(`${base}/subscription?token=${t}`)}"><fieldset><legend>Components you hear about</legend>`,
    view.components.length > 0 ? `<ul>${items}</ul><p class="muted">Choose none to hear about everything.</p>` : p('This page has no components: you hear about everything.'),
    '</fieldset><p><button type="submit">Save</button></p></form>',
    `<form method="post" action="${escapeHtml(`${base}/subscription/unsubscribe?token=${t}`)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><p><button type="submit">Unsubscribe</button></p></form>`,
    back(view.page.url, view.page.name),
  ].join('');
  return page(reply, 200, `Your ${view.page.name} status subscription`, body);
}

function confirmedPage(reply: FastifyReply, outcome: Extract<ConfirmOutcome, { kind: 'confirmed' }>, base: string): FastifyReply {
  const secrets = outcome.activatedWebhooks
    .map((w) => `<p>${escapeHtml(`Your webhook at ${w.host} is active. Its signing secret (shown this once; each delivery carries Firebreak-Signature: t=…,v1=HMAC-SHA256 of "t.body"):`)} <code>${escapeHtml(w.signingSecret)}</code></p>`)
    .join('');
  return managePage(reply, outcome.view, outcome.manageToken, base, `<p role="status"><strong>Your subscription is confirmed.</strong></p>${secrets}`);
}

export interface SubscriberPublicDeps {
  subscribers: StatusSubscribers;
  /** The slug of the page served at a custom domain (the public cache's map). */
  slugForHost: (host: string | undefined) => string | undefined;
}

const NOT_FOUND_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title></head><body><main><h1>Not found</h1><p>There is no status page here.</p></main></body></html>';

/** The public subscription routes; registered inside the status pages' public plugin. */
export function subscriberPublicRoutes(deps: SubscriberPublicDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const { subscribers } = deps;
    // The HTML forms post urlencoded; repeated fields (checkboxes) become arrays.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
      const out: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(body as string)) {
        const had = out[key];
        out[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      }
      done(null, out);
    });
    // RFC 8058 lets a mail client send its one-click POST as multipart/form-data; nothing in it is read.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16_384 }, (_request, _body, done) => done(null, {}));
    app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
    const signup = { rateLimit: { max: SIGNUP_PER_MINUTE, timeWindow: 60_000 } };
    const manage = { rateLimit: { max: MANAGE_PER_MINUTE, timeWindow: 60_000 } };

    type Where = { slug: string; base: string } | null;
    const bySlug = (request: FastifyRequest): Where => {
      const slug = (request.params as { slug?: string }).slug;
      return slug ? { slug, base: `/status/${slug}` } : null;
    };
    const byHost = (request: FastifyRequest): Where => {
      const slug = deps.slugForHost(request.headers.host);
      return slug ? { slug, base: '' } : null;
    };
    const wantsJson = (request: FastifyRequest) => (request.headers['content-type'] ?? '').startsWith('application/json');
    const tokenOf = (request: FastifyRequest) => tokenQuery.safeParse(request.query).data?.token ?? null;

    const subscribe = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const json = wantsJson(request);
      const fail = (error: AppError) => {
        if (json) return sendError(error, request, reply);
        const status = error.code === 'NOT_FOUND' ? 404 : error.code === 'RATE_LIMITED' ? 429 : 400;
        return page(reply, status, status === 404 ? 'Not found' : status === 429 ? 'Too many sign-ups' : 'Please check the form', p(error.message) + (at ? `<p><a href="${escapeHtml(`${at.base}/`)}">Back</a></p>` : ''));
      };
      if (!at) return fail(new AppError('NOT_FOUND', 'There is no status page here'));
      const parsed = subscribeSchema.safeParse(request.body ?? {});
      if (!parsed.success) return fail(invalid(parsed.error));
      const input = parsed.data;
      if (input.website === undefined || input.website === '') {
        try {
          await subscribers.subscribe(at.slug, { email: input.email, components: input.components, webhook: input.webhook });
        } catch (error) {
          if (error instanceof AppError) return fail(error);
          throw error;
        }
      }
      if (json) return reply.status(202).header('cache-control', 'no-store').send({ status: 'pending', message: NEUTRAL });
      return page(reply, 200, 'Check your inbox', p(NEUTRAL) + `<p><a href="${escapeHtml(`${at.base}/`)}">Back to the status page</a></p>`);
    };

    const confirm = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const token = tokenOf(request);
      if (!at || token === null) return unknownLink(reply);
      const outcome = await subscribers.confirm(at.slug, token);
      if (outcome.kind === 'unknown') return unknownLink(reply);
      if (outcome.kind === 'expired') return page(reply, 410, 'Link expired', p('This confirmation link has expired (links work for 48 hours), so nothing was subscribed. Sign up again on the status page to get a new link.') + back(outcome.page.url, outcome.page.name));
      return confirmedPage(reply, outcome, at.base);
    };

    const show = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const token = tokenOf(request);
      if (!at || token === null) return unknownLink(reply);
      const view = await subscribers.manageView(at.slug, token);
      return view ? managePage(reply, view, token, at.base, '') : unknownLink(reply);
    };

    const save = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const token = tokenOf(request);
      if (!at || token === null) return unknownLink(reply);
      const parsed = manageSchema.safeParse(request.body ?? {});
      if (!parsed.success) return page(reply, 400, 'Please check the form', p(invalid(parsed.error).message));
      try {
        const view = await subscribers.saveComponents(at.slug, token, parsed.data.components);
        return view ? managePage(reply, view, token, at.base, '<p role="status"><strong>Saved.</strong></p>') : unknownLink(reply);
      } catch (error) {
        if (error instanceof AppError) return page(reply, 400, 'Please check the form', p(error.message));
        throw error;
      }
    };

    // GET only asks (mail scanners prefetch links); the button POSTs, as a mail client's one-click does.
    const askUnsubscribe = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const token = tokenOf(request);
      if (!at || token === null) return unknownLink(reply);
      const view = await subscribers.manageView(at.slug, token);
      if (!view) return unknownLink(reply);
      const action = `${at.base}/subscription/unsubscribe?token=${encodeURIComponent(token)}`;
      return page(reply, 200, `Unsubscribe from ${view.page.name} status?`, p(`${view.subscriber.target} will no longer receive updates from ${view.page.name} status.`) + `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>` + back(view.page.url, view.page.name));
    };

    const unsubscribe = (where: (r: FastifyRequest) => Where) => async (request: FastifyRequest, reply: FastifyReply) => {
      const at = where(request);
      const token = tokenOf(request);
      if (!at || token === null) return unknownLink(reply);
      const done = await subscribers.unsubscribe(at.slug, token);
      // RFC 8058: the one-click POST is answered 200; a second click finds nothing and says so, also 200.
      if (!done) return page(reply, 200, 'Not subscribed', p('There is no subscription for this link any more: you will not receive updates.'));
      return page(reply, 200, 'You are unsubscribed', p(`You will no longer receive updates from ${done.pageName} status.`) + back(done.pageUrl, done.pageName));
    };

    // Private pages' sign-in by email (ADR 0041): same form parsing, answered like the page when it is no private page with domains.
    registerVisitorAccessRoutes(app, {
      visitors: subscribers.visitors,
      pageOf: async (request) => {
        const at = (request.params as { slug?: string }).slug !== undefined ? bySlug(request) : byHost(request);
        if (!at) return null;
        const page = await subscribers.visitors.page(at.slug);
        if (!page) return null;
        const onDomain = at.base === '';
        return { id: page.id, privateWithDomains: page.privateWithDomains, base: at.base, cookiePath: onDomain ? '/' : at.base, https: onDomain || request.protocol === 'https' || subscribers.visitors.httpsPublicUrl };
      },
      notFound: (reply) => reply.status(404).header('cache-control', 'no-store').header('content-security-policy', CSP).type('text/html; charset=utf-8').send(NOT_FOUND_HTML),
    });

    const domain = { constraints: { statusPageHost: 'custom' } } as never;
    const routes: [string, 'GET' | 'POST', (w: (r: FastifyRequest) => Where) => (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>, object][] = [
      ['subscribe', 'POST', subscribe, signup],
      ['subscription/confirm', 'GET', confirm, manage],
      ['subscription', 'GET', show, manage],
      ['subscription', 'POST', save, manage],
      ['subscription/unsubscribe', 'GET', askUnsubscribe, manage],
      ['subscription/unsubscribe', 'POST', unsubscribe, manage],
    ];
    for (const [path, method, handler, config] of routes) {
      app.route({ method, url: `/status/:slug/${path}`, config, handler: handler(bySlug) });
      app.route({ method, url: `/${path}`, config, ...(domain as object), handler: handler(byHost) });
    }
  };
}
