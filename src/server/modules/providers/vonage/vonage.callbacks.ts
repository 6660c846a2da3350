import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../../platform/http/errors.js';
import type { DeliveryReport } from '../../paging/inbound.js';
import { callbackPath, type CallbackDeps } from '../callbacks.js';
import { answerSmsReply } from '../twilio/sms-reply.js';
import { vonageAdapter, type VonageSmsChannel } from './vonage.adapter.js';
import { verifyVonageSignature, VONAGE_SIGNATURE_METHODS, type VonageSignatureMethod } from './vonage-signature.js';

/** Vonage sends small forms or JSON objects; anything larger is not Vonage. */
const MAX_BODY_BYTES = 64 * 1024;

type Req = FastifyRequest<{ Params: { id: string }; Body: unknown }>;

/**
 * Vonage delivery-receipt statuses (SMS API, "Delivery receipts"): `delivered` arrived; `expired`
 * (the phone stayed unreachable), `failed` and `rejected` did not. `accepted`, `buffered` and `unknown`
 * are in-between and change nothing.
 */
const RECEIPT_STATUSES: Record<string, DeliveryReport> = { delivered: 'delivered', expired: 'undelivered', failed: 'failed', rejected: 'failed' };

/** The parameters of a Vonage webhook, whichever way the account sends them (GET query, POST form or POST JSON). */
function paramsOf(request: Req): Record<string, string> {
  const params: Record<string, string> = {};
  const query = request.url.includes('?') ? new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)) : new URLSearchParams();
  for (const [name, value] of query) params[name] = value;
  const body = request.body;
  if (typeof body === 'string') for (const [name, value] of new URLSearchParams(body)) params[name] = value;
  else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[name] = String(value);
  }
  return params;
}

/**
 * Vonage's SMS API callbacks for one Vonage provider, under `/integrations/providers/vonage/<id>/`:
 *
 * - `delivery-receipt`: a delivery receipt (the `callback` URL each page asks for) → the page's
 *   delivery report; a page reported expired or failed fails over to the person's next contact method;
 * - `inbound-sms`: an SMS to the Vonage number (its "Inbound Webhook URL"): `ACK 42`, `RES 42`… act as
 *   the person whose verified phone sent it, as with Twilio, and Firebreak texts back what happened.
 *
 * Vonage signs webhooks only when its support turns signing on for the account, so Firebreak reads
 * these callbacks only from a provider with a signature secret: every request must carry a `sig` over
 * its parameters by that secret and method, with a `timestamp` within five minutes (no replays), and
 * our API key when it names one. Anything else answers 403 and changes nothing; an unknown provider 404.
 */
export function vonageCallbacks(deps: CallbackDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, next) => next(null, body));
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, next) => {
      try {
        next(null, JSON.parse(String(body)) as unknown);
      } catch {
        next(null, null);
      }
    });
    app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };

    const refuse = (reply: FastifyReply, status: number, text: string) => reply.status(status).type('text/plain; charset=utf-8').send(text);

    /** Checks the provider and the signature; answers 404/403 itself and returns null when they fail. */
    const verify = async (request: Req, reply: FastifyReply) => {
      const found = await deps.providers.configOf(request.params.id);
      if (!found || found.kind !== 'vonage') {
        await refuse(reply, 404, 'No such Vonage provider');
        return null;
      }
      const { secrets, settings, name } = found.config;
      const secret = typeof secrets.signatureSecret === 'string' ? secrets.signatureSecret : '';
      if (secret === '') {
        deps.logger.warn({ provider: name, ip: request.ip }, 'Vonage callback refused: the provider has no signature secret, so its callbacks cannot be verified');
        await refuse(reply, 403, 'This Vonage provider has no signature secret: Firebreak reads only signed Vonage webhooks');
        return null;
      }
      const method = (VONAGE_SIGNATURE_METHODS as readonly string[]).includes(String(settings.signatureMethod)) ? (settings.signatureMethod as VonageSignatureMethod) : 'md5hash';
      const params = paramsOf(request);
      const verdict = verifyVonageSignature(params, secret, method, deps.clock.now());
      const apiKey = params['api-key'];
      if (!verdict.ok || (apiKey !== undefined && apiKey !== secrets.apiKey)) {
        const reason = verdict.ok ? 'the api-key is not this provider’s' : verdict.reason;
        deps.logger.warn({ provider: name, url: request.url.split('?')[0], ip: request.ip }, `Vonage callback refused: ${reason}`);
        await refuse(reply, 403, `Refused: ${reason}`);
        return null;
      }
      return { name, params, config: found.config };
    };

    const receipt = async (request: Req, reply: FastifyReply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const status = RECEIPT_STATUSES[v.params.status ?? ''];
      const messageId = v.params.messageId;
      if (status !== undefined && messageId) {
        const code = v.params['err-code'];
        await deps.inbound.deliveryReport({ providerMessageId: messageId, status, provider: v.name, ...(code && code !== '0' ? { detail: `Vonage ${v.params.status}, error code ${code}` } : {}) });
      }
      return reply.status(204).send();
    };

    const inbound = async (request: Req, reply: FastifyReply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const msisdn = v.params.msisdn ?? '';
      if (!/^[1-9]\d{6,14}$/.test(msisdn)) return reply.status(204).send();
      const answer = await answerSmsReply(deps.inbound, { from: `+${msisdn}`, body: v.params.text ?? '', ip: request.ip ?? null, requestId: String(request.id) });
      if (answer !== null) {
        // Vonage has no reply in the webhook's answer: the confirmation is an SMS of its own, sent after
        // answering Vonage (which retries slow webhooks). Best effort: the action above is already stored.
        const channel = vonageAdapter.create(v.config, { allowPrivate: deps.allowPrivate ?? false, publicUrl: deps.publicUrl, clock: deps.clock }).sms as VonageSmsChannel;
        void channel.sendText(`+${msisdn}`, answer).catch((error: unknown) => deps.logger.warn({ provider: v.name, error: (error as Error).message }, 'Vonage: the answer to an SMS reply was not sent'));
      }
      return reply.status(204).send();
    };

    for (const method of ['GET', 'POST'] as const) {
      app.route({ method, url: callbackPath('vonage', ':id', 'delivery-receipt'), config, handler: receipt });
      app.route({ method, url: callbackPath('vonage', ':id', 'inbound-sms'), config, handler: inbound });
    }
  };
}
