import { z } from 'zod';
import { OutboundRefused, outboundRequest } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { callbackPath } from '../callbacks.js';
import { defineAdapter } from '../provider-adapter.js';
import { smsBody } from '../twilio/twilio-text.js';
import { VONAGE_SIGNATURE_METHODS } from './vonage-signature.js';

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
  /**
   * Set when the account signs its webhooks (a signature secret is configured): delivery receipts are
   * asked for at this URL, and pages invite "ACK 42" replies, which reach the inbound-SMS webhook.
   */
  deliveryReceiptUrl: string | null;
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
    // Replies are read only from a signed inbound webhook; without one, pages carry the one-click link.
    const text = smsBody(message, { replies: this.account.deliveryReceiptUrl !== null });
    return this.post(phone, text, message.idempotencyKey, options);
  }

  /** Sends `text` as it is (the answer to an SMS reply), without asking for a delivery receipt. */
  async sendText(phone: string, text: string): Promise<SendResult> {
    return this.post(phone, text, undefined, {}, false);
  }

  private async post(phone: string, text: string, idempotencyKey: string | undefined, options?: { signal?: AbortSignal }, receipt = true): Promise<SendResult> {
    const form = new URLSearchParams({ api_key: this.account.apiKey, api_secret: this.account.apiSecret, from: this.account.from, to: phone.replace(/^\+/, ''), text });
    if (!isGsm7(text)) form.set('type', 'unicode');
    if (idempotencyKey) form.set('client-ref', idempotencyKey.slice(0, 100));
    if (receipt && this.account.deliveryReceiptUrl !== null) {
      form.set('status-report-req', 'true');
      form.set('callback', this.account.deliveryReceiptUrl);
    }
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
    { key: 'signatureSecret', label: 'Signature secret', secret: true, required: false, description: 'The account’s signature secret (API settings), once Vonage support has turned on signed webhooks: Firebreak then reads delivery receipts and SMS replies, and refuses every unsigned callback' },
    { key: 'signatureMethod', label: 'Signature method', secret: false, required: false, description: `How the account signs: ${VONAGE_SIGNATURE_METHODS.join(', ')} (Vonage’s default is md5hash)`, example: 'sha256hmac' },
  ],
  settings: z.strictObject({ from: sender, apiUrl: apiUrl.optional(), signatureMethod: z.enum(VONAGE_SIGNATURE_METHODS).optional() }),
  secrets: z.strictObject({ apiKey: z.string().min(1).max(64), apiSecret: z.string().min(1).max(256), signatureSecret: z.string().min(16).max(256).optional() }),
  create(config, deps) {
    const account: VonageAccount = {
      apiUrl: config.settings.apiUrl ?? VONAGE_API_URL,
      apiKey: config.secrets.apiKey,
      apiSecret: config.secrets.apiSecret,
      from: config.settings.from.replace(/^\+/, ''),
      allowPrivate: deps.allowPrivate,
      deliveryReceiptUrl: config.secrets.signatureSecret ? vonageCallbackUrl(deps.publicUrl, config.id, 'delivery-receipt') : null,
    };
    return { sms: new VonageSmsChannel(account) };
  },
  callbackUrls: ({ id }, publicUrl) => ({ 'delivery-receipt': vonageCallbackUrl(publicUrl, id, 'delivery-receipt'), 'inbound-sms': vonageCallbackUrl(publicUrl, id, 'inbound-sms') }),
});

/** Where Vonage sends one provider's delivery receipts (`delivery-receipt`) and incoming SMS (`inbound-sms`). */
export const vonageCallbackUrl = (publicUrl: string, providerId: string, what: 'delivery-receipt' | 'inbound-sms') => `${publicUrl.replace(/\/+$/, '')}${callbackPath('vonage', providerId, what)}`;
