import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { InboundAction, InboundOutcome } from '../../paging/inbound.js';
import { callbackPath, type CallbackDeps } from '../callbacks.js';
import { mattermostCall } from './mattermost.api.js';

const BODY_LIMIT = 64 * 1024;

/** What Mattermost posts to a button's integration URL (developers.mattermost.com, "Interactive messages"). */
const actionRequestSchema = z.object({
  user_id: z.string().regex(/^[a-z0-9]{26}$/),
  post_id: z.string().optional(),
  context: z.object({ action: z.enum(['acknowledge', 'resolve']), alertId: z.string().min(1).max(64), secret: z.string().max(256) }),
});

/** Deps plus whether the callback's API look-ups may reach a Mattermost server on a private address. */
export type MattermostCallbackDeps = CallbackDeps & { allowPrivate?: boolean };

/** Compares secrets in constant time (hashes first, so their lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Mattermost's button callback (`/integrations/providers/mattermost/<id>/actions`). Mattermost does not
 * sign these requests; instead each button's context holds the provider's `callbackSecret`, which the
 * Mattermost server keeps to itself (clients never receive a post's integration context) and sends back
 * on a click. A request without the right secret is answered 403 and changes nothing. The clicker is
 * then matched to a Firebreak person: contact methods hold either the Mattermost user id or the
 * username, and the request carries only the id, so when no method has the id, the username is looked
 * up with the bot's token (`GET /api/v4/users/<id>`) and tried too. A person found acts as themselves
 * ("@ana via Mattermost"); the answer replaces the post (dropping the buttons) or, for anyone else or
 * nothing to do, shows an ephemeral note.
 */
export function mattermostCallbacks(deps: MattermostCallbackDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };

    app.post<{ Params: { id: string } }>(callbackPath('mattermost', ':id', 'actions'), { config, bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const provider = await deps.providers.configOf(request.params.id);
      if (!provider || provider.kind !== 'mattermost' || !provider.enabled) return reply.status(404).send({ error: { message: 'No enabled Mattermost provider has this id' } });
      const { settings, secrets, name } = provider.config;
      let body: unknown;
      try {
        body = JSON.parse((request.body as Buffer).toString('utf8'));
      } catch {
        return reply.status(400).send({ error: { message: 'The body must be JSON' } });
      }
      const secret = (body as { context?: { secret?: unknown } } | null)?.context?.secret;
      if (typeof secrets.callbackSecret !== 'string' || typeof secret !== 'string' || !sameSecret(secret, secrets.callbackSecret)) {
        deps.logger.warn({ provider: name }, 'refused a Mattermost button click without the callback secret');
        return reply.status(403).send({ error: { message: 'This button was not sent by this Firebreak provider' } });
      }
      const parsed = actionRequestSchema.safeParse(body);
      if (!parsed.success) return reply.status(400).send({ error: { message: 'Not a Firebreak button click: user_id or context is missing' } });
      const click = parsed.data;

      const person = await findPerson(deps, click.user_id, { serverUrl: String(settings.serverUrl), botToken: String(secrets.botToken ?? '') });
      if (person === 'lookup-failed') {
        return reply.send({ ephemeral_text: 'Firebreak could not look up your Mattermost username with its bot account, so nothing was changed. Try again, or use the link in the message; an admin can see the reason in Firebreak’s log.' });
      }
      if (!person) {
        return reply.send({
          ephemeral_text: 'Firebreak does not know who you are in Mattermost, so nothing was changed. Add your Mattermost username as a contact method in Firebreak (your profile → Contact methods → Mattermost) and verify it; then these buttons act as you.',
        });
      }
      const action: InboundAction = click.context.action;
      const outcome = await deps.inbound.act({ userId: person.id, alertRef: click.context.alertId, action, via: 'Mattermost', requestId: String(request.id), ip: request.ip ?? null });
      return reply.send(answerFor(outcome, action, person.handle, deps.publicUrl));
    });
  };
}

async function findPerson(deps: MattermostCallbackDeps, userId: string, api: { serverUrl: string; botToken: string }): Promise<{ id: string; handle: string } | null | 'lookup-failed'> {
  const byId = await deps.inbound.userByAddress('mattermost', userId);
  if (byId) return byId;
  try {
    const user = await mattermostCall('GET', `/users/${userId}`, undefined, { ...api, allowPrivate: deps.allowPrivate ?? false });
    return typeof user.username === 'string' ? await deps.inbound.userByAddress('mattermost', user.username.toLowerCase()) : null;
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not look up a Mattermost user’s username');
    return 'lookup-failed';
  }
}

/** Mattermost's answer to a click: `update` replaces the post (props {} drops the buttons), `ephemeral_text` shows only to the clicker. */
function answerFor(outcome: InboundOutcome, action: InboundAction, handle: string, publicUrl: string): Record<string, unknown> {
  if (outcome.kind === 'not-found') return { ephemeral_text: 'Firebreak no longer has this alert; nothing was changed.' };
  const { number, title, status } = outcome.alert;
  if (outcome.kind === 'unchanged') return { ephemeral_text: `Alert #${number} “${title}” is already ${status}; nothing was changed.` };
  const said = `${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'} by @${handle}`;
  return { update: { message: `#### #${number} ${title}\n\n**${said}** · ${publicUrl.replace(/\/+$/, '')}/alerts/${number}`, props: {} } };
}
