import { z } from 'zod';
import { OutboundRefused, outboundRequest } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { defineAdapter } from '../provider-adapter.js';
import { smsBody } from '../twilio/twilio-text.js';

export const VONAGE_API_URL = 'https://rest.nexmo.com';

/**
 * Vonage SMS API status codes that refuse the *message or recipient* for good (docs: "SMS API error
 * codes"): 3 invalid parameters (the numbers are checked before sending, so it is the destination),
 * 6 invalid message (an unroutable number prefix), 7 number barred. Everything else is reported as a
 * failure that may pass, so a retry or the next provider can deliver: 1 throttled, 5 internal error,
 * 10 too many binds, and the account's own problems (4 invalid credentials, 8 account barred, 9 out of
 * credit, 15 sender not allowed, 29 destination not whitelisted…), which another provider does not share.
 */
const PERMANENT = new Map<string, string>([
  ['3', 'invalid parameters'],
  ['6', 'invalid message (unroutable number)'],
  ['7', 'the number is barred'],
]);

/** The GSM 03.38 alphabet (basic set and extension table): other text must be sent as `type=unicode`. */
const GSM7 = new Set([..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f"]);
export const isGsm7 = (text: string) => [...text].every((c) => GSM7.has(c));

interface VonageAccount {
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Digits without `+`, or an alphanumeric sender ID. */
  from: string;
  allowPrivate: boolean;
}

interface VonageAnswer {
  'message-count'?: string;
  messages?: Array<{ status?: string; 'message-id'?: string; 'error-text'?: string }>;
}

/**
 * SMS through Vonage's SMS API: `POST {apiUrl}/sms/json`, form-encoded `api_key`, `api_secret`,
 * `from`, `to` (E.164 digits without `+`) and `text`, with `type=unicode` when the text is not GSM-7
 * (otherwise accents and emoji arrive as question marks). Vonage answers 200 even for errors; each
 * part's `status` "0" means accepted. The provider message id is the first part's `message-id`.
 */
export class VonageSmsChannel implements Channel {
  readonly type = 'sms' as const;
  constructor(private readonly account: VonageAccount) {}

  async send(message: ChannelMessage, options?: { signal?: AbortSignal }): Promise<SendResult> {
    assertSendable(this, message);
    const phone = (message.to as { phone: string }).phone;
    // Firebreak does not read replies to Vonage messages: pages carry the one-click link instead.
    const text = smsBody(message, { replies: false });
    const form = new URLSearchParams({ api_key: this.account.apiKey, api_secret: this.account.apiSecret, from: this.account.from, to: phone.replace(/^\+/, ''), text });
    if (!isGsm7(text)) form.set('type', 'unicode');
    if (message.idempotencyKey) form.set('client-ref', message.idempotencyKey.slice(0, 100));
    let answer;
    try {
      answer = await outboundRequest(`${this.account.apiUrl}/sms/json`, { method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded' }, { allowPrivate: this.account.allowPrivate, headers: { accept: 'application/json' }, ...(options?.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      const reason = error instanceof OutboundRefused ? `the API URL is refused: ${error.message}` : `could not reach ${this.account.apiUrl}: ${(error as Error).message}`;
      throw new ChannelError(`Vonage SMS to ${phone} not sent: ${reason}`, false, { cause: error });
    }
    if (answer.status !== 200) throw new ChannelError(`Vonage is unavailable (HTTP ${answer.status}); the SMS to ${phone} may be retried: ${answer.body.slice(0, 200)}`, false);
    let parsed: VonageAnswer;
    try {
      parsed = JSON.parse(answer.body) as VonageAnswer;
    } catch {
      throw new ChannelError(`Vonage answered the SMS to ${phone} with something other than JSON: ${answer.body.slice(0, 200)}`, false);
    }
    const parts = parsed.messages ?? [];
    const failed = parts.find((p) => p.status !== '0');
    if (parts.length === 0 || failed) {
      const status = failed?.status ?? 'none';
      const detail = `${failed?.['error-text'] ?? 'no message status in the answer'} (Vonage status ${status})`;
      const permanent = PERMANENT.get(status);
      if (permanent !== undefined) throw new ChannelError(`Vonage refused the SMS to ${phone} for good, ${permanent}: ${detail}`, true);
      throw new ChannelError(`Vonage did not accept the SMS to ${phone}: ${detail}`, false);
    }
    const id = parts[0]?.['message-id'];
    return id ? { providerMessageId: id } : {};
  }
}

const sender = z
  .string()
  .max(40)
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^(\+[1-9]\d{6,14}|[A-Za-z0-9]{1,11})$/, 'must be your Vonage number in E.164 form (+14155550100) or an alphanumeric sender ID of at most 11 letters and digits where the destination country allows one'));
const apiUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^/\s]+\/?$/.test(v), 'must be the API base URL alone, such as https://rest.nexmo.com')
  .transform((v) => v.replace(/\/$/, ''));

/** Vonage (formerly Nexmo): SMS only, typically a second SMS provider to fail over to. */
export const vonageAdapter = defineAdapter({
  kind: 'vonage',
  channels: ['sms'],
  fields: [
    { key: 'from', label: 'From', secret: false, required: true, description: 'Your Vonage virtual number in E.164 form, or an alphanumeric sender ID where allowed', example: '+14155550101' },
    { key: 'apiUrl', label: 'API URL', secret: false, required: false, description: 'Vonage’s SMS API base URL; change it only for a test server', example: VONAGE_API_URL },
    { key: 'apiKey', label: 'API key', secret: true, required: true, description: 'From the Vonage API dashboard' },
    { key: 'apiSecret', label: 'API secret', secret: true, required: true, description: 'From the Vonage API dashboard' },
  ],
  settings: z.strictObject({ from: sender, apiUrl: apiUrl.optional() }),
  secrets: z.strictObject({ apiKey: z.string().min(1).max(64), apiSecret: z.string().min(1).max(256) }),
  create(config, deps) {
    const account: VonageAccount = {
      apiUrl: config.settings.apiUrl ?? VONAGE_API_URL,
      apiKey: config.secrets.apiKey,
      apiSecret: config.secrets.apiSecret,
      from: config.settings.from.replace(/^\+/, ''),
      allowPrivate: deps.allowPrivate,
    };
    return { sms: new VonageSmsChannel(account) };
  },
});
