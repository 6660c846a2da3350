import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../../platform/http/errors.js';
import type { DeliveryReport, InboundAction, InboundOutcome } from '../../paging/inbound.js';
import { callbackPath, type CallbackDeps } from '../callbacks.js';
import { answerSmsReply } from './sms-reply.js';
import { twilioCallbackUrl } from './twilio.adapter.js';
import { verifyTwilioSignature } from './twilio-signature.js';
import { say, spoken, twiml, voicePrompt, VOICE_KEYS, xmlEscape } from './twilio-text.js';

/** Twilio posts small forms; anything larger is not Twilio. */
const MAX_BODY_BYTES = 64 * 1024;

type Req = FastifyRequest<{ Params: { id: string }; Body: string | null | undefined }>;

interface Verified {
  providerName: string;
  params: URLSearchParams;
  query: URLSearchParams;
}

const MESSAGE_STATUSES: Record<string, DeliveryReport> = { delivered: 'delivered', undelivered: 'undelivered', failed: 'failed', read: 'read' };
/** A call that ended: answered (`completed`) counts as delivered; busy, unanswered or cancelled did not arrive. */
const CALL_STATUSES: Record<string, DeliveryReport> = { completed: 'delivered', busy: 'undelivered', 'no-answer': 'undelivered', canceled: 'undelivered', failed: 'failed' };

const sendTwiml = (reply: FastifyReply, xml: string) => reply.status(200).header('cache-control', 'no-store').type('text/xml; charset=utf-8').send(xml);
const smsAnswer = (reply: FastifyReply, text: string | null) => sendTwiml(reply, text === null ? twiml() : twiml(`<Message>${xmlEscape(text)}</Message>`));
const done = (action: InboundAction) => (action === 'acknowledge' ? 'acknowledged' : 'resolved');

/**
 * Twilio's callbacks for one Twilio provider, under `/integrations/providers/twilio/<provider id>/`:
 *
 * - `status`: message and call status callbacks → the page's delivery report (queued, sent, ringing
 *   and other in-between statuses are ignored);
 * - `sms`: an incoming SMS (the number's "A message comes in" webhook): `ACK 42`, `RES 42`, `ACK`…
 *   (see `sms-reply.ts`) acts as the person whose verified phone sent it, on a page sent to that phone,
 *   and answers in TwiML what happened;
 * - `voice`: the TwiML a call plays (the subject, then 4 to acknowledge, 6 to resolve);
 * - `gather`: the key pressed during a page call.
 *
 * Every request must carry Twilio's `X-Twilio-Signature` over our public URL (publicUrl + path +
 * query, as Twilio requested it) and the form parameters, keyed by the provider's auth token; a wrong
 * or missing signature answers 403 and changes nothing. An unknown provider answers 404.
 */
export function twilioCallbacks(deps: CallbackDeps): FastifyPluginAsync {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  return async (app: FastifyInstance) => {
    // Twilio posts `application/x-www-form-urlencoded`; keep the raw text, the signature covers its values.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, next) => next(null, body));
    app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };

    /** Checks the provider and the signature; answers 404/403 itself and returns null when they fail. */
    const verify = async (request: Req, reply: FastifyReply): Promise<Verified | null> => {
      const found = await deps.providers.configOf(request.params.id);
      if (!found || found.kind !== 'twilio') {
        await reply.status(404).type('text/plain; charset=utf-8').send('No such Twilio provider');
        return null;
      }
      const { secrets, name } = found.config;
      const authToken = typeof secrets.authToken === 'string' ? secrets.authToken : '';
      const params = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      const url = `${publicUrl}${request.url}`;
      const signature = request.headers['x-twilio-signature'];
      const accountSid = params.get('AccountSid');
      const ok = verifyTwilioSignature(authToken, typeof signature === 'string' ? signature : undefined, url, [...params]) && (accountSid === null || accountSid === secrets.accountSid);
      if (!ok) {
        deps.logger.warn({ provider: name, url: request.url.split('?')[0], ip: request.ip }, 'Twilio callback refused: the X-Twilio-Signature does not match (check FIREBREAK_PUBLIC_URL and the auth token)');
        await reply.status(403).type('text/plain; charset=utf-8').send('The X-Twilio-Signature does not match this request');
        return null;
      }
      const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
      return { providerName: name, params, query };
    };

    app.post(callbackPath('twilio', ':id', 'status'), { config }, async (request: Req, reply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const messageSid = v.params.get('MessageSid');
      const callSid = v.params.get('CallSid');
      const report = messageSid !== null ? MESSAGE_STATUSES[v.params.get('MessageStatus') ?? ''] : callSid !== null ? CALL_STATUSES[v.params.get('CallStatus') ?? ''] : undefined;
      const sid = messageSid ?? callSid;
      if (report !== undefined && sid !== null) {
        const errorCode = v.params.get('ErrorCode');
        const callStatus = messageSid === null ? v.params.get('CallStatus') : null;
        const detail = errorCode ? `Twilio error ${errorCode}` : callStatus && callStatus !== 'completed' ? callStatus : undefined;
        await deps.inbound.deliveryReport({ providerMessageId: sid, status: report, provider: v.providerName, ...(detail ? { detail } : {}) });
      }
      return reply.status(204).send();
    });

    app.post(callbackPath('twilio', ':id', 'sms'), { config }, async (request: Req, reply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const answer = await answerSmsReply(deps.inbound, { from: v.params.get('From') ?? '', body: v.params.get('Body') ?? '', ip: request.ip ?? null, requestId: String(request.id) });
      return smsAnswer(reply, answer);
    });

    app.post(callbackPath('twilio', ':id', 'voice'), { config }, async (request: Req, reply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const subject = v.query.get('s') ?? '';
      const alertId = v.query.get('alert');
      if (alertId === null) {
        // Not a page (a verification code, a test): read the subject and the text, then hang up.
        const text = v.query.get('t') ?? '';
        // Speech reads "042917" as a number: repeat a verification code digit by digit.
        const code = v.query.get('k') === 'verification' ? /\b(\d{4,10})\b/.exec(`${subject} ${text}`)?.[1] : undefined;
        return sendTwiml(reply, twiml(say(subject), ...(text.trim() !== '' ? ['<Pause length="1"/>', say(text)] : []), ...(code ? ['<Pause length="1"/>', say(`Once more, the code is ${[...code].join(', ')}.`)] : [])));
      }
      return sendTwiml(reply, twiml(...gatherVerbs(request.params.id, v.query)));
    });

    app.post(callbackPath('twilio', ':id', 'gather'), { config }, async (request: Req, reply) => {
      const v = await verify(request, reply);
      if (!v) return reply;
      const alertId = v.query.get('alert');
      const digits = v.params.get('Digits') ?? '';
      const action: InboundAction | null = digits === VOICE_KEYS.acknowledge ? 'acknowledge' : digits === VOICE_KEYS.resolve ? 'resolve' : null;
      if (alertId === null) return sendTwiml(reply, twiml(say('Goodbye.'), '<Hangup/>'));
      if (action === null) return sendTwiml(reply, twiml(say('Sorry, that key does nothing.'), ...gatherVerbs(request.params.id, v.query)));
      const userId = await calledPerson(v, alertId);
      if (userId === null) return sendTwiml(reply, twiml(say('Firebreak could not match this call to a page for your phone number. Nothing was changed. Goodbye.'), '<Hangup/>'));
      const outcome = await deps.inbound.act({ userId, alertRef: alertId, action, via: 'voice call', ip: request.ip ?? null, requestId: String(request.id) });
      return sendTwiml(reply, twiml(say(voiceOutcome(outcome, action)), '<Hangup/>'));
    });

    /**
     * The person a page call was for: the page row of this call's sid, or (if Twilio asks before the
     * delivery job stored the sid) the verified owner of the called number who was paged for the alert.
     */
    const calledPerson = async (v: Verified, alertId: string): Promise<string | null> => {
      const callSid = v.params.get('CallSid');
      const byCall = callSid ? await deps.inbound.pageByProviderMessage(callSid) : null;
      if (byCall) return byCall.alertId === alertId ? byCall.userId : null;
      const to = v.params.get('To') ?? '';
      const number = Number(v.query.get('n'));
      const user = (await deps.inbound.userByAddress('voice', to)) ?? (await deps.inbound.userByAddress('sms', to));
      if (!user || !Number.isInteger(number) || number < 1) return null;
      const page = await deps.inbound.latestPage(['voice', 'sms'], to, number);
      return page && page.alertId === alertId && page.userId === user.id ? user.id : null;
    };

    /** Asks for a key (twice), then says goodbye when none is pressed. */
    const gatherVerbs = (providerId: string, query: URLSearchParams): string[] => {
      const forward = new URLSearchParams();
      for (const key of ['s', 'alert', 'n', 'test']) {
        const value = query.get(key);
        if (value !== null) forward.set(key, value);
      }
      const action = `${twilioCallbackUrl(publicUrl, providerId, 'gather')}?${forward.toString()}`;
      const prompt = say(voicePrompt({ subject: query.get('s') ?? '', test: query.get('test') === '1' }));
      return [
        `<Gather input="dtmf" numDigits="1" timeout="8" method="POST" action="${xmlEscape(action)}">${prompt}<Pause length="1"/>${prompt}</Gather>`,
        say(`No key was pressed, so ${spoken(`#${query.get('n') ?? ''}`).trim()} is not acknowledged. Goodbye.`),
      ];
    };
  };
}

function voiceOutcome(outcome: InboundOutcome, action: InboundAction): string {
  switch (outcome.kind) {
    case 'done':
      return `Alert ${outcome.alert.number} is now ${done(action)}. Goodbye.`;
    case 'unchanged':
      return `Alert ${outcome.alert.number} is already ${outcome.alert.status}. Nothing was changed. Goodbye.`;
    case 'not-found':
      return 'That alert could not be found. Nothing was changed. Goodbye.';
  }
}
