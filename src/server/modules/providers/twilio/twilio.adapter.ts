import { z } from 'zod';
import { phoneNumberSchema } from '../../../../contracts/notify.js';
import { OutboundRefused, outboundRequest } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { callbackPath } from '../callbacks.js';
import { defineAdapter } from '../provider-adapter.js';
import { smsBody } from './twilio-text.js';

export const TWILIO_API_URL = 'https://api.twilio.com';

/**
 * Twilio error codes that refuse the *recipient* for good: no retry, and no other provider, can reach
 * an invalid number or a person who replied STOP. Every other refusal (bad credentials 20003, a From
 * number that cannot send 21606, a trial account 21608, a region not enabled 21408) is the account's
 * problem: it is reported as a failure that may pass, so failover tries the next provider.
 */
const RECIPIENT_REFUSED = new Map<number, string>([
  [21211, 'invalid To number'],
  [21214, 'To number cannot be reached'],
  [21217, 'To number does not appear to be valid'],
  [21610, 'the recipient unsubscribed (replied STOP)'],
  [21612, 'To number is not reachable by SMS from this sender'],
  [21614, 'To number is not a mobile number'],
  [13224, 'Twilio does not support calling this number'],
]);

/** What a Twilio provider needs to call the REST API and to build its callback URLs. */
export interface TwilioAccount {
  providerId: string;
  accountSid: string;
  authToken: string;
  from: string;
  messagingServiceSid?: string;
  apiUrl: string;
  publicUrl: string;
  allowPrivate: boolean;
}

/** The callback URLs of one Twilio provider (see `twilio.callbacks.ts`). */
export const twilioCallbackUrl = (publicUrl: string, providerId: string, what: 'status' | 'sms' | 'voice' | 'gather') => `${publicUrl}${callbackPath('twilio', providerId, what)}`;

interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
}

/**
 * One POST to `/2010-04-01/Accounts/{AccountSid}/{resource}` (form-encoded, HTTP basic auth with the
 * account SID and auth token, as Twilio's REST API documents) answering the created resource's `sid`.
 * Maps Twilio's answers to {@link ChannelError}s: recipient refusals are permanent; 429, 5xx, network
 * errors and account problems may pass.
 */
async function createResource(account: TwilioAccount, resource: 'Messages.json' | 'Calls.json', form: URLSearchParams, to: string, signal?: AbortSignal): Promise<string> {
  const url = `${account.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/${resource}`;
  const authorization = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
  const what = resource === 'Messages.json' ? 'SMS' : 'call';
  let answer;
  try {
    answer = await outboundRequest(
      url,
      { method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded' },
      { allowPrivate: account.allowPrivate, headers: { authorization, accept: 'application/json' }, ...(signal ? { signal } : {}) },
    );
  } catch (error) {
    const reason = error instanceof OutboundRefused ? `the API URL is refused: ${error.message}` : `could not reach ${account.apiUrl}: ${(error as Error).message}`;
    throw new ChannelError(`Twilio ${what} to ${to} not sent: ${reason}`, false, { cause: error });
  }
  let body: unknown = null;
  try {
    body = JSON.parse(answer.body);
  } catch {
    // An HTML error page from a proxy: the status code is all there is.
  }
  if (answer.status >= 200 && answer.status < 300) {
    const sid = (body as { sid?: unknown } | null)?.sid;
    if (typeof sid !== 'string' || sid.length === 0) throw new ChannelError(`Twilio accepted the ${what} to ${to} but its answer has no sid: ${answer.body.slice(0, 200)}`, false);
    return sid;
  }
  const error = (body ?? {}) as TwilioErrorBody;
  const code = typeof error.code === 'number' ? error.code : null;
  const detail = `${error.message ?? answer.body.slice(0, 200)}${code !== null ? ` (Twilio error ${code}${error.more_info ? `, ${error.more_info}` : ''})` : ''}`;
  if (answer.status === 429 || answer.status >= 500) throw new ChannelError(`Twilio is unavailable (HTTP ${answer.status}); the ${what} to ${to} may be retried: ${detail}`, false);
  const refused = code !== null ? RECIPIENT_REFUSED.get(code) : undefined;
  if (refused !== undefined) throw new ChannelError(`Twilio refused the ${what} to ${to} for good, ${refused}: ${detail}`, true);
  if (answer.status === 401 || answer.status === 403) throw new ChannelError(`Twilio refused the account SID or auth token (HTTP ${answer.status}): ${detail}`, false);
  throw new ChannelError(`Twilio refused the ${what} to ${to} (HTTP ${answer.status}): ${detail}`, false);
}

const phoneOf = (message: ChannelMessage) => (message.to as { phone: string }).phone;

/** SMS through Twilio's Messages API; the status callback reports delivery (`twilio.callbacks.ts`). */
export class TwilioSmsChannel implements Channel {
  readonly type = 'sms' as const;
  constructor(private readonly account: TwilioAccount) {}

  async send(message: ChannelMessage, options?: { signal?: AbortSignal }): Promise<SendResult> {
    assertSendable(this, message);
    const to = phoneOf(message);
    const form = new URLSearchParams({ To: to, Body: smsBody(message, { replies: true }), StatusCallback: twilioCallbackUrl(this.account.publicUrl, this.account.providerId, 'status') });
    // A Messaging Service picks the sender from its pool (and handles opt-outs); otherwise our number.
    if (this.account.messagingServiceSid) form.set('MessagingServiceSid', this.account.messagingServiceSid);
    else form.set('From', this.account.from);
    return { providerMessageId: await createResource(this.account, 'Messages.json', form, to, options?.signal) };
  }
}

/** Longest text a non-page call reads (a verification code's message is far shorter). */
const MAX_VOICE_TEXT = 600;

/**
 * Phone calls through Twilio's Calls API. Twilio fetches what to say from our `voice` URL, whose query
 * carries everything the call needs (the subject, the alert id, whether it is a test): Twilio signs the
 * URL with the query, so the TwiML route trusts it without a database lookup, and the call works even
 * if Twilio asks before the delivery job has stored the call's sid. The action-link tokens are never
 * put in it. A page call reads only the subject and asks for a key (4 acknowledge, 6 resolve); other
 * calls (a verification code, a test) read the subject and the text.
 */
export class TwilioVoiceChannel implements Channel {
  readonly type = 'voice' as const;
  constructor(private readonly account: TwilioAccount) {}

  async send(message: ChannelMessage, options?: { signal?: AbortSignal }): Promise<SendResult> {
    assertSendable(this, message);
    const to = phoneOf(message);
    const query = new URLSearchParams({ s: message.subject });
    const page = message.page;
    if (page && page.status !== 'resolved' && !page.shadow) {
      query.set('alert', page.alertId);
      query.set('n', String(page.alertNumber));
    }
    else {
      query.set('t', [...message.text].slice(0, MAX_VOICE_TEXT).join(''));
      query.set('k', message.kind);
    }
    if (page?.test) query.set('test', '1');
    const form = new URLSearchParams({
      To: to,
      From: this.account.from,
      Url: `${twilioCallbackUrl(this.account.publicUrl, this.account.providerId, 'voice')}?${query.toString()}`,
      Method: 'POST',
      StatusCallback: twilioCallbackUrl(this.account.publicUrl, this.account.providerId, 'status'),
      StatusCallbackMethod: 'POST',
    });
    return { providerMessageId: await createResource(this.account, 'Calls.json', form, to, options?.signal) };
  }
}

const accountSid = z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be the Account SID from the Twilio console: AC and 32 hexadecimal characters');
const apiUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^/\s]+\/?$/.test(v), 'must be the API base URL alone, such as https://api.twilio.com')
  .transform((v) => v.replace(/\/$/, ''));

/** Twilio: SMS and voice calls, with signed status callbacks, SMS replies and key presses. */
export const twilioAdapter = defineAdapter({
  kind: 'twilio',
  channels: ['sms', 'voice'],
  fields: [
    { key: 'from', label: 'From number', secret: false, required: true, description: 'Your Twilio phone number in E.164 form; calls come from it, and SMS too unless a Messaging Service is set', example: '+14155550100' },
    { key: 'messagingServiceSid', label: 'Messaging Service SID', secret: false, required: false, description: 'Send SMS through this Messaging Service (MG…) instead of the From number', example: 'MG00000000000000000000000000000000' },
    { key: 'apiUrl', label: 'API URL', secret: false, required: false, description: 'Twilio’s REST API base URL; change it only for a regional edge or a test server', example: TWILIO_API_URL },
    { key: 'accountSid', label: 'Account SID', secret: true, required: true, description: 'From the Twilio console’s Account Info (AC…)' },
    { key: 'authToken', label: 'Auth token', secret: true, required: true, description: 'From the Twilio console’s Account Info; it also verifies Twilio’s signed callbacks' },
  ],
  settings: z.strictObject({
    from: phoneNumberSchema,
    messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: MG and 32 hexadecimal characters').optional(),
    apiUrl: apiUrl.optional(),
  }),
  secrets: z.strictObject({ accountSid, authToken: z.string().min(1).max(256) }),
  create(config, deps) {
    const account: TwilioAccount = {
      providerId: config.id,
      accountSid: config.secrets.accountSid,
      authToken: config.secrets.authToken,
      from: config.settings.from,
      ...(config.settings.messagingServiceSid ? { messagingServiceSid: config.settings.messagingServiceSid } : {}),
      apiUrl: config.settings.apiUrl ?? TWILIO_API_URL,
      publicUrl: deps.publicUrl.replace(/\/+$/, ''),
      allowPrivate: deps.allowPrivate,
    };
    return { sms: new TwilioSmsChannel(account), voice: new TwilioVoiceChannel(account) };
  },
  callbackUrls(config, publicUrl) {
    const base = publicUrl.replace(/\/+$/, '');
    return {
      // Phone number → Messaging → "A message comes in" (HTTP POST).
      incomingSms: twilioCallbackUrl(base, config.id, 'sms'),
      // Sent with every message and call; shown so it can be allowed through a firewall.
      status: twilioCallbackUrl(base, config.id, 'status'),
    };
  },
});
