import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { outboundRequest } from '../../../platform/http/outbound.js';
import type { InboundAction, InboundOutcome } from '../../paging/inbound.js';
import { callbackPath, type CallbackDeps } from '../callbacks.js';
import { SLACK_ACTIONS, SLACK_ACTIONS_BLOCK, slackEscape } from './slack.message.js';
import { verifySlackSignature } from './slack.signature.js';

/** Interaction payloads are small; Slack's include the whole message, so leave room for it. */
const BODY_LIMIT = 256 * 1024;

/** The parts of a `block_actions` payload Firebreak reads (docs.slack.dev, "block_actions payloads"). */
const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1).max(32) }),
  response_url: z.string().max(2048).optional(),
  message: z.object({ blocks: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().max(2000).optional() })).min(1),
});

const ACTIONS: Record<string, InboundAction> = { [SLACK_ACTIONS.acknowledge]: 'acknowledge', [SLACK_ACTIONS.resolve]: 'resolve' };

/** Deps plus whether outbound requests (to the payload's `response_url`) may reach private addresses. */
export type SlackCallbackDeps = CallbackDeps & { allowPrivate?: boolean };

/**
 * Slack's interactivity Request URL (`/integrations/providers/slack/<id>/interactions`): a person
 * pressed Acknowledge or Resolve on a page. The request is trusted only after its `X-Slack-Signature`
 * matches the raw body under the provider's signing secret and its timestamp is within five minutes
 * (401 otherwise, nothing read or changed). The Slack user is then matched to a Firebreak person by a
 * verified Slack contact method with that member ID, and acts as them ("@ana via Slack"); anyone else
 * gets an ephemeral note on how to link their Slack account. Slack wants a 200 within 3 seconds, so
 * the message is updated afterwards through the payload's `response_url`.
 */
export function slackCallbacks(deps: SlackCallbackDeps): FastifyPluginAsync {
  return async (app) => {
    // The signature covers the raw bytes: keep them, parse nothing before checking.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };

    app.post<{ Params: { id: string } }>(callbackPath('slack', ':id', 'interactions'), { config, bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const provider = await deps.providers.configOf(request.params.id);
      if (!provider || provider.kind !== 'slack' || !provider.enabled) return reply.status(404).send({ error: 'No enabled Slack provider has this id' });
      const signingSecret = provider.config.secrets.signingSecret;
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const verified =
        typeof signingSecret === 'string' && signingSecret !== ''
          ? verifySlackSignature({ signingSecret, timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'), rawBody, nowMs: deps.clock.now() })
          : ({ ok: false, reason: 'the provider has no signing secret' } as const);
      if (!verified.ok) {
        deps.logger.warn({ provider: provider.config.name, reason: verified.reason }, 'refused a Slack interaction');
        return reply.status(401).send({ error: `Slack signature refused: ${verified.reason}` });
      }

      let payload: z.infer<typeof blockActionsSchema>;
      try {
        const raw = new URLSearchParams(rawBody.toString('utf8')).get('payload');
        const parsed = blockActionsSchema.safeParse(raw === null ? null : JSON.parse(raw));
        if (!parsed.success) return reply.status(200).send(); // other interaction types: nothing to do
        payload = parsed.data;
      } catch {
        return reply.status(400).send({ error: 'The body must be form-encoded with a JSON `payload` field' });
      }
      const pressed = payload.actions.find((a) => ACTIONS[a.action_id] !== undefined);
      if (!pressed || !pressed.value) return reply.status(200).send(); // the "Open alert" link button

      const action = ACTIONS[pressed.action_id] as InboundAction;
      const respond = (body: Record<string, unknown>) => {
        if (!payload.response_url) return;
        outboundRequest(payload.response_url, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' }, { allowPrivate: deps.allowPrivate ?? false }).then(
          (answer) => {
            if (answer.status >= 300) deps.logger.warn({ status: answer.status, body: answer.body.slice(0, 200) }, 'Slack refused the reply to an interaction');
          },
          (error: unknown) => deps.logger.warn({ err: error }, 'could not reply to a Slack interaction'),
        );
      };

      const person = await deps.inbound.userByAddress('slack', payload.user.id);
      if (!person) {
        respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: `Firebreak does not know who you are in Slack, so nothing was changed. Add your Slack member ID (${payload.user.id}) as a contact method in Firebreak (your profile → Contact methods → Slack) and verify it; then these buttons act as you.`,
        });
        return reply.status(200).send();
      }
      const outcome = await deps.inbound.act({ userId: person.id, alertRef: pressed.value, action, via: 'Slack', requestId: String(request.id), ip: request.ip ?? null });
      respond(replyFor(outcome, action, person.handle, payload.message?.blocks));
      return reply.status(200).send();
    });
  };
}

/** What the message becomes: the page without its buttons and a line saying who did what, or an ephemeral note. */
function replyFor(outcome: InboundOutcome, action: InboundAction, handle: string, blocks: Array<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (outcome.kind === 'not-found') return { response_type: 'ephemeral', replace_original: false, text: 'Firebreak no longer has this alert; nothing was changed.' };
  const alert = `alert #${outcome.alert.number} “${outcome.alert.title}”`;
  if (outcome.kind === 'unchanged') return { response_type: 'ephemeral', replace_original: false, text: `${capitalize(alert)} is already ${outcome.alert.status}; nothing was changed.` };
  const said = `${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'} by @${handle}`;
  const kept = (blocks ?? []).filter((b) => b.block_id !== SLACK_ACTIONS_BLOCK);
  return {
    replace_original: true,
    text: `${said}: ${alert}`,
    blocks: [...kept, { type: 'context', block_id: 'firebreak-outcome', elements: [{ type: 'mrkdwn', text: `*${slackEscape(said)}*` }] }],
  };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
