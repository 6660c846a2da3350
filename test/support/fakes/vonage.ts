import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isGsm7 } from '../../../src/server/modules/providers/vonage/vonage.adapter.js';
import { FailureQueue, failureSwitch, sendJson, startFakeHttp, type FailureSwitch } from './fake-http.js';

/**
 * A local stand-in for Vonage's SMS API (`POST /sms/json`) that checks each request as Vonage documents
 * it — POST, form-encoded (or JSON) `api_key`, `api_secret`, `from`, `to` (digits, no `+`), `text` —
 * and answers as Vonage does: HTTP 200 with `{"message-count", "messages": [{status, …}]}`, where
 * status "0" is accepted and any other code carries an `error-text`. Text outside GSM-7 sent without
 * `type=unicode` is recorded as Vonage would deliver it: with question marks. It can be told to fail
 * (an HTTP status, or a Vonage status code such as "1" throttled).
 */

export interface FakeVonageMessage {
  messageId: string;
  to: string;
  from: string;
  text: string;
  type: string;
  clientRef: string | null;
  /** The per-message delivery-receipt URL (`callback`), when the request asked for receipts. */
  callback: string | null;
}

/** How the fake calls Firebreak back (the test injects into the app). */
export type VonageCallbackTransport = (request: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; body: string }>;

/** How the account sends webhooks (dashboard, "HTTP Method"): GET query, POST form, or POST JSON. */
export type VonageWebhookMethod = 'GET' | 'POST' | 'POST-JSON';

/** How the next requests fail: an HTTP status (500), or a Vonage status code ("1" throttled, "9" out of credit). */
export type FakeVonageFailure = { httpStatus: number } | { status: string; errorText: string };

export interface FakeVonage extends FailureSwitch<FakeVonageFailure> {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The account's webhook signature secret and method (md5hash unless told). */
  signatureSecret: string;
  signatureMethod: string;
  messages: FakeVonageMessage[];
  requests: number;
  /** Destination numbers (digits only) answered with this status code (default "7" number barred). */
  refuse: Map<string, string>;
  /** Sends a signed delivery receipt for a message to the `callback` URL it asked for. */
  deliveryReceipt(messageId: string, status: 'delivered' | 'expired' | 'failed' | 'rejected' | 'accepted' | 'buffered', options?: { errCode?: string; via?: VonageWebhookMethod }): Promise<{ status: number; body: string }>;
  /** Sends a signed inbound-SMS webhook from `msisdn` (digits) to `url`; `tamper` changes the text after signing. */
  inboundSms(url: string, msisdn: string, text: string, options?: { via?: VonageWebhookMethod; tamper?: string; timestamp?: number; unsigned?: boolean }): Promise<{ status: number; body: string }>;
  clear(): void;
  close(): Promise<void>;
}

const ERROR_TEXT: Record<string, string> = { '2': 'Missing Parameters', '3': 'Invalid Parameters', '4': 'Bad Credentials', '6': 'Invalid Message', '7': 'Number barred.' };

/**
 * Signs webhook parameters as Vonage does ("Signing messages"), written here independently of
 * Firebreak's verifier: sorted `&name=value` (with `&` and `=` in values as `_`), then MD5 of that and
 * the secret (md5hash), or an uppercase-hex HMAC keyed by the secret.
 */
function sign(params: Record<string, string>, secret: string, method: string): string {
  let text = '';
  for (const name of Object.keys(params).sort()) text += `&${name}=${params[name]!.split('&').join('_').split('=').join('_')}`;
  if (method === 'md5hash') return createHash('md5').update(`${text}${secret}`).digest('hex');
  const algorithm = method.replace(/hmac$/, '');
  return createHmac(algorithm, secret).update(text).digest('hex').toUpperCase();
}

export async function startFakeVonage(options: { apiKey?: string; apiSecret?: string; signatureSecret?: string; signatureMethod?: string; transport?: VonageCallbackTransport; now?: () => number } = {}): Promise<FakeVonage> {
  const apiKey = options.apiKey ?? 'a1b2c3d4';
  const signatureSecret = options.signatureSecret ?? 'vonage-signature-secret-0123456789';
  const signatureMethod = options.signatureMethod ?? 'md5hash';
  const apiSecret = options.apiSecret ?? randomBytes(8).toString('hex');
  const messages: FakeVonageMessage[] = [];
  const refuse = new Map<string, string>();
  const failures = new FailureQueue<FakeVonageFailure>();
  let requests = 0;

  const answer = (res: ServerResponse, parts: Array<Record<string, string>>) => sendJson(res, 200, { 'message-count': String(parts.length), messages: parts });
  const error = (res: ServerResponse, status: string, errorText?: string) => answer(res, [{ status, 'error-text': errorText ?? ERROR_TEXT[status] ?? 'Error' }]);

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    requests += 1;
    const failure = failures.take();
    if (failure && 'httpStatus' in failure) return res.writeHead(failure.httpStatus, { 'content-type': 'text/html' }).end('<html><body>Service unavailable</body></html>');
    if (failure) return error(res, failure.status, failure.errorText);
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/sms/json') return res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    if (req.method !== 'POST') return res.writeHead(405, { 'content-type': 'text/plain' }).end('Method not allowed');
    const type = req.headers['content-type'] ?? '';
    let params: Record<string, string>;
    if (/^application\/x-www-form-urlencoded(;|$)/.test(type)) params = Object.fromEntries(new URLSearchParams(raw));
    else if (/^application\/json(;|$)/.test(type)) params = JSON.parse(raw) as Record<string, string>;
    else return error(res, '2', `Unsupported content type ${type || 'none'}`);
    for (const name of ['api_key', 'api_secret', 'from', 'to', 'text']) if (!params[name]) return error(res, '2', `Missing ${name} param`);
    if (params.api_key !== apiKey || params.api_secret !== apiSecret) return error(res, '4');
    const to = params.to as string;
    if (!/^[1-9]\d{6,14}$/.test(to)) return error(res, '3', `Invalid to address: ${to} (digits in international format, without + or 00)`);
    const refused = refuse.get(to);
    if (refused !== undefined) return error(res, refused);
    const messageType = params.type ?? 'text';
    const unicode = messageType === 'unicode';
    const text = unicode || isGsm7(params.text as string) ? (params.text as string) : [...(params.text as string)].map((c) => (isGsm7(c) ? c : '?')).join('');
    const length = [...text].length;
    const partCount = unicode ? (length <= 70 ? 1 : Math.ceil(length / 67)) : length <= 160 ? 1 : Math.ceil(length / 153);
    const parts = Array.from({ length: partCount }, () => ({ to, 'message-id': randomBytes(8).toString('hex').toUpperCase(), status: '0', 'remaining-balance': '15.53590000', 'message-price': '0.03330000', network: '23410' }));
    if (params.callback !== undefined && !/^https?:\/\/\S+$/.test(params.callback)) return error(res, '3', `Invalid callback URL: ${params.callback}`);
    messages.push({ messageId: parts[0]!['message-id'], to, from: params.from as string, text, type: messageType, clientRef: params['client-ref'] ?? null, callback: params.callback ?? null });
    return answer(res, parts);
  };

  const now = options.now ?? (() => Date.now());
  /** Posts (or gets) signed webhook parameters to `url` the way the account is set to send them. */
  const call = async (url: string, fields: Record<string, string>, via: VonageWebhookMethod, extra: { tamper?: string | undefined; timestamp?: number | undefined; unsigned?: boolean | undefined } = {}) => {
    if (!options.transport) throw new Error('startFakeVonage: give a transport to send webhooks');
    const params: Record<string, string> = { ...fields, 'api-key': apiKey, 'message-timestamp': new Date(now()).toISOString().replace('T', ' ').slice(0, 19), timestamp: String(Math.floor((extra.timestamp ?? now()) / 1000)), nonce: randomBytes(8).toString('hex') };
    if (!extra.unsigned) params.sig = sign(params, signatureSecret, signatureMethod);
    if (extra.tamper !== undefined) params.text = extra.tamper;
    if (via === 'GET') return options.transport({ method: 'GET', url: `${url}?${new URLSearchParams(params).toString()}`, headers: {}, body: '' });
    if (via === 'POST-JSON') return options.transport({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    return options.transport({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  };

  const server = await startFakeHttp(handle);
  return {
    url: server.url,
    apiKey,
    apiSecret,
    signatureSecret,
    signatureMethod,
    messages,
    get requests() {
      return requests;
    },
    refuse,
    async deliveryReceipt(messageId, status, extra = {}) {
      const message = messages.find((m) => m.messageId === messageId);
      if (!message?.callback) throw new Error(`message ${messageId} asked for no delivery receipt`);
      return call(message.callback, { msisdn: message.to, to: message.from, 'network-code': '23410', messageId, price: '0.03330000', status, scts: '2611210900', 'err-code': extra.errCode ?? (status === 'delivered' ? '0' : '1'), ...(message.clientRef ? { 'client-ref': message.clientRef } : {}) }, extra.via ?? 'GET');
    },
    async inboundSms(url, msisdn, text, extra = {}) {
      return call(url, { msisdn, to: '14155550101', messageId: randomBytes(8).toString('hex').toUpperCase(), text, type: 'text', keyword: text.split(/\s+/)[0]?.toUpperCase() ?? '' }, extra.via ?? 'POST', extra);
    },
    ...failureSwitch(failures),
    clear() {
      messages.length = 0;
      refuse.clear();
      failures.clear();
    },
    close: server.close,
  };
}
