import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { twilioSignature } from '../../../src/server/modules/providers/twilio/twilio-signature.js';
import { FailureQueue, failureSwitch, sendJson, startFakeHttp, type FailureSwitch } from './fake-http.js';

/**
 * A local stand-in for Twilio's REST API (Messages and Calls, 2010-04-01) that checks every request
 * as Twilio documents it — POST, `/2010-04-01/Accounts/{AccountSid}/Messages.json|Calls.json`, HTTP
 * basic auth with the account SID and auth token, a form-encoded body, E.164 numbers, the required
 * parameters — and answers with Twilio's JSON (201 with the resource, or `{code, message, more_info,
 * status}`). It can be told to fail, and it can play Twilio's side of callbacks: status callbacks,
 * incoming SMS, and a call that fetches its TwiML and presses a key, each signed with
 * `X-Twilio-Signature` as Twilio signs them.
 */

const E164 = /^\+[1-9]\d{6,14}$/;

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
}

export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  url: string;
  method: string;
  statusCallback: string | null;
}

/** How the next requests fail: an HTTP status (500, 429) or a Twilio error code (21610) with its status. */
export interface FakeTwilioFailure {
  status: number;
  code?: number;
  message?: string;
}

/** An answer from Firebreak to a callback the fake sent. */
export interface CallbackAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends a callback to Firebreak: by default a real HTTP POST; tests with `app.inject` pass their own. */
export type CallbackTransport = (request: { url: string; headers: Record<string, string>; body: string }) => Promise<CallbackAnswer>;

const httpTransport: CallbackTransport = async ({ url, headers, body }) => {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
};

export interface FakeTwilio extends FailureSwitch<FakeTwilioFailure> {
  /** The base URL to give as the provider's `apiUrl`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** The number incoming SMS are sent to (the provider's From). */
  ourNumber: string;
  messages: FakeTwilioMessage[];
  calls: FakeTwilioCall[];
  /** Every request that reached the fake, accepted or not. */
  requests: number;
  /** Numbers answered with this Twilio error (default 21211 invalid 'To' number). */
  refuse: Map<string, number>;
  clear(): void;
  /** `X-Twilio-Signature` for a request to `url` with these form parameters. */
  sign(url: string, params: Record<string, string>): string;
  /**
   * POSTs a signed callback as Twilio does (form-encoded, `X-Twilio-Signature` over `signedUrl`);
   * `deliverTo` is where the request really goes (default `signedUrl`), `signature` overrides it.
   */
  callback(signedUrl: string, params: Record<string, string>, options?: { signature?: string | null; deliverTo?: string }): Promise<CallbackAnswer>;
  /** A message status callback (`delivered`, `undelivered`, `failed`…) to the message's StatusCallback. */
  messageStatus(sid: string, status: string, errorCode?: string): Promise<CallbackAnswer>;
  /** A final call status callback (`completed`, `busy`, `no-answer`, `failed`) to the call's StatusCallback. */
  callStatus(sid: string, status: string): Promise<CallbackAnswer>;
  /** An incoming SMS from `from` to our number, posted to `webhookUrl` (the number's "A message comes in"). */
  incomingSms(webhookUrl: string, from: string, body: string, options?: { signature?: string | null }): Promise<CallbackAnswer>;
  /**
   * Answers a call as Twilio does: fetches its TwiML from its Url, returns what it says (the `<Say>`
   * texts) and, when `press` is given and the TwiML has a `<Gather>`, posts the digit to its action and
   * returns that answer too.
   */
  answerCall(sid: string, press?: string): Promise<{ twiml: CallbackAnswer; said: string[]; gather: CallbackAnswer | null; gatherSaid: string[] }>;
  close(): Promise<void>;
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };
const sidOf = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

function twilioError(res: ServerResponse, status: number, code: number | null, message: string): void {
  sendJson(res, status, { code, message, more_info: code === null ? null : `https://www.twilio.com/docs/errors/${code}`, status }, JSON_UTF8);
}

const decodeXml = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string);
/** The texts of a TwiML answer's `<Message>`s (the SMS Twilio sends back), decoded. */
export const twimlMessages = (xml: string) => [...xml.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)].map((m) => decodeXml(m[1] as string));
const saysIn = (xml: string) => [...xml.matchAll(/<Say(?:\s[^>]*)?>([\s\S]*?)<\/Say>/g)].map((m) => decodeXml(m[1] as string));

export async function startFakeTwilio(options: { accountSid?: string; authToken?: string; ourNumber?: string; transport?: CallbackTransport } = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${'a1'.repeat(16)}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const ourNumber = options.ourNumber ?? '+14155550100';
  const transport = options.transport ?? httpTransport;
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const refuse = new Map<string, number>();
  const failures = new FailureQueue<FakeTwilioFailure>();
  let requests = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    requests += 1;
    const failure = failures.take();
    if (failure) return twilioError(res, failure.status, failure.code ?? null, failure.message ?? (failure.status === 429 ? 'Too Many Requests' : 'Internal Server Error'));
    const path = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
    if (!path) return twilioError(res, 404, 20404, `The requested resource ${req.url} was not found`);
    if (req.method !== 'POST') return twilioError(res, 405, 20004, 'Method not allowed');
    // HTTP basic auth: the account SID as the user name, the auth token as the password.
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, password] = auth ? Buffer.from(auth[1] as string, 'base64').toString('utf8').split(':') : [];
    if (user !== accountSid || password !== authToken || path[1] !== accountSid) return twilioError(res, 401, 20003, 'Authenticate');
    if (!/^application\/x-www-form-urlencoded(;|$)/.test(req.headers['content-type'] ?? '')) return twilioError(res, 400, null, `Expected application/x-www-form-urlencoded, got ${req.headers['content-type'] ?? 'no content type'}`);
    const form = new URLSearchParams(raw);
    const to = form.get('To');
    const statusCallback = form.get('StatusCallback');
    if (statusCallback !== null && !/^https?:\/\/[^/\s]+/.test(statusCallback)) return twilioError(res, 400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
    const now = 'Sat, 21 Nov 2026 10:00:00 +0000'; // fixed: nothing reads it, and tests never read the wall clock
    if (path[2] === 'Messages') {
      if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      const from = form.get('From');
      const service = form.get('MessagingServiceSid');
      if (!from && !service) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (from !== null && !E164.test(from)) return twilioError(res, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
      if (service !== null && !/^MG[0-9a-f]{32}$/i.test(service)) return twilioError(res, 400, 21701, `The Messaging Service Sid ${service} is invalid.`);
      const body = form.get('Body');
      if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
      if ([...body].length > 1600) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      if (!E164.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      const refused = refuse.get(to);
      if (refused !== undefined) return twilioError(res, 400, refused, refused === 21610 ? 'Attempt to send to unsubscribed recipient' : `The 'To' number ${to} is not a valid phone number.`);
      const sid = sidOf('SM');
      messages.push({ sid, to, from, messagingServiceSid: service, body, statusCallback });
      const resource = {
        account_sid: accountSid, api_version: '2010-04-01', body, date_created: now, date_sent: null, date_updated: now, direction: 'outbound-api', error_code: null, error_message: null,
        from, messaging_service_sid: service, num_media: '0', num_segments: String(Math.ceil([...body].length / 153) || 1), price: null, price_unit: null, sid, status: service ? 'accepted' : 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` }, to, uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      };
      return sendJson(res, 201, resource, JSON_UTF8);
    }
    if (!to) return twilioError(res, 400, 21201, "No 'To' number is specified");
    const from = form.get('From');
    if (!from) return twilioError(res, 400, 21213, "No 'From' number is specified");
    if (!E164.test(from)) return twilioError(res, 400, 21212, `The 'From' number ${from} is not a valid phone number.`);
    const url = form.get('Url');
    if (!url && !form.get('Twiml')) return twilioError(res, 400, 21205, 'Url parameter is required.');
    if (url !== null && !/^https?:\/\/[^/\s]+/.test(url)) return twilioError(res, 400, 21205, `Url is not a valid URL: ${url}`);
    if (!E164.test(to)) return twilioError(res, 400, 21217, `Phone number ${to} does not appear to be valid.`);
    const refused = refuse.get(to);
    if (refused !== undefined) return twilioError(res, 400, refused, `The 'To' number ${to} cannot be called.`);
    const sid = sidOf('CA');
    calls.push({ sid, to, from, url: url ?? '', method: (form.get('Method') ?? 'POST').toUpperCase(), statusCallback });
    const resource = { account_sid: accountSid, api_version: '2010-04-01', date_created: now, direction: 'outbound-api', from, sid, status: 'queued', to, uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json` };
    return sendJson(res, 201, resource, JSON_UTF8);
  };

  const server = await startFakeHttp(handle);

  const sign = (url: string, params: Record<string, string>) => twilioSignature(authToken, url, Object.entries(params));
  const callback: FakeTwilio['callback'] = async (signedUrl, params, opts = {}) => {
    const signature = opts.signature === undefined ? sign(signedUrl, params) : opts.signature;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'TwilioProxy/1.1', 'i-twilio-idempotency-token': randomBytes(8).toString('hex') };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return transport({ url: opts.deliverTo ?? signedUrl, headers, body: new URLSearchParams(params).toString() });
  };
  const call = (sid: string) => {
    const found = calls.find((c) => c.sid === sid);
    if (!found) throw new Error(`The fake Twilio placed no call ${sid}`);
    return found;
  };
  const callParams = (c: FakeTwilioCall, status: string) => ({ AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: c.sid, CallStatus: status, Called: c.to, Caller: c.from, Direction: 'outbound-api', From: c.from, To: c.to });

  return {
    url: server.url,
    accountSid,
    authToken,
    ourNumber,
    messages,
    calls,
    get requests() {
      return requests;
    },
    refuse,
    ...failureSwitch(failures),
    clear() {
      messages.length = 0;
      calls.length = 0;
      refuse.clear();
      failures.clear();
    },
    sign,
    callback,
    async messageStatus(sid, status, errorCode) {
      const m = messages.find((x) => x.sid === sid);
      if (!m?.statusCallback) throw new Error(`The fake Twilio has no message ${sid} with a StatusCallback`);
      const params: Record<string, string> = { AccountSid: accountSid, ApiVersion: '2010-04-01', From: m.from ?? ourNumber, MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: m.to };
      if (errorCode) params.ErrorCode = errorCode;
      return callback(m.statusCallback, params);
    },
    async callStatus(sid, status) {
      const c = call(sid);
      if (!c.statusCallback) throw new Error(`The call ${sid} has no StatusCallback`);
      return callback(c.statusCallback, { ...callParams(c, status), CallDuration: status === 'completed' ? '14' : '0' });
    },
    async incomingSms(webhookUrl, from, body, opts = {}) {
      const sid = sidOf('SM');
      const params = { AccountSid: accountSid, ApiVersion: '2010-04-01', Body: body, From: from, MessageSid: sid, NumMedia: '0', NumSegments: '1', SmsMessageSid: sid, SmsSid: sid, SmsStatus: 'received', To: ourNumber };
      return callback(webhookUrl, params, opts.signature === undefined ? {} : { signature: opts.signature });
    },
    async answerCall(sid, press) {
      const c = call(sid);
      if (c.method !== 'POST') throw new Error(`The fake only fetches TwiML with POST, not ${c.method}`);
      const twiml = await callback(c.url, callParams(c, 'in-progress'));
      const said = saysIn(twiml.body);
      const gatherTag = /<Gather\s[^>]*action="([^"]+)"[^>]*>/.exec(twiml.body);
      if (press === undefined || !gatherTag) return { twiml, said, gather: null, gatherSaid: [] };
      const action = decodeXml(gatherTag[1] as string);
      const gather = await callback(action, { ...callParams(c, 'in-progress'), Digits: press, FinishedOnKey: '' });
      return { twiml, said, gather, gatherSaid: saysIn(gather.body) };
    },
    close: server.close,
  };
}
