import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../platform/http/errors.js';
import { actionLinkPath, type LinkOutcome, type PageAction, type PageActionLinks } from './action-links.js';

/** No script at all, no external resources; only the page's own style block and a form posting back here. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const verb = (action: PageAction) => (action === 'acknowledge' ? 'Acknowledge' : 'Resolve');
const done = (action: PageAction) => (action === 'acknowledge' ? 'acknowledged' : 'resolved');
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)} · Firebreak</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return reply.status(status).header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

/** The pages every outcome but a confirmation shares: unknown, used, expired, inactive, resolved, done. */
function outcomePage(reply: FastifyReply, outcome: LinkOutcome): FastifyReply {
  switch (outcome.kind) {
    case 'unknown':
      return page(reply, 404, 'Link not found', p('This link is not valid. Check that it was copied whole, or open the alert in Firebreak.'));
    case 'used':
      return page(reply, 410, 'Link already used', p(`This link was already used (${iso(outcome.usedAt)}); each link works once. Nothing was changed. Open the alert in Firebreak to act on it.`));
    case 'expired':
      return page(reply, 410, 'Link expired', p(`This link expired at ${iso(outcome.expiresAt)}. Nothing was changed. Open the alert in Firebreak to act on it.`));
    case 'inactive':
      return page(reply, 403, 'Link no longer valid', p('The person this link was sent to is no longer active in Firebreak. Nothing was changed.'));
    case 'resolved':
      return page(reply, 409, 'Already resolved', p(`Alert #${outcome.alert.number} “${outcome.alert.title}” is already resolved. Nothing was changed.`));
    case 'done': {
      const what = `Alert #${outcome.alert.number} “${outcome.alert.title}”`;
      const text = outcome.changed ? `${what} is now ${done(outcome.action)}, recorded as @${outcome.handle}.` : `${what} was already ${outcome.alert.status}; nothing more was changed.`;
      return page(reply, 200, outcome.changed ? `${verb(outcome.action)}d` : `Already ${outcome.alert.status}`, p(text));
    }
  }
}

/**
 * Acknowledge and resolve links from page emails (ADR 0023), outside `/api`: public (the token is the
 * credential), rate-limited, HTML without script. GET only shows a confirmation with a POST button, so
 * a mail scanner fetching the link changes nothing; POST acts as the person the link was sent to.
 */
export function pageActionRoutes(deps: { links: PageActionLinks; ratePerMinute: number }) {
  return async function register(app: FastifyInstance): Promise<void> {
    // The form posts `application/x-www-form-urlencoded` with no fields that matter: read none.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 4096 }, (_request, _body, next) => next(null, null));
    app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };
    type Req = FastifyRequest<{ Params: { token: string } }>;

    app.get('/a/:token', { config }, async (request: Req, reply) => {
      const found = await deps.links.inspect(request.params.token);
      if (found.kind !== 'ready') return outcomePage(reply, found);
      const action = `${verb(found.action)} alert #${found.alert.number}`;
      const body = [
        p(`Alert #${found.alert.number} “${found.alert.title}” is ${found.alert.status}.`),
        `<form method="post" action="${escapeHtml(actionLinkPath(request.params.token))}"><button type="submit">${escapeHtml(action)}</button></form>`,
        p(`This is recorded as @${found.handle}. The link works once, until ${iso(found.expiresAt)}.`),
      ].join('');
      return page(reply, 200, `${action}?`, body);
    });

    app.post('/a/:token', { config }, async (request: Req, reply) => {
      const outcome = await deps.links.use(request.params.token, { ip: request.ip ?? null, requestId: String(request.id) });
      return outcomePage(reply, outcome);
    });
  };
}
