import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, randomUUID, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PushSubscriptionJson } from '../../../src/contracts/notify.js';
import { FailureQueue, sendJson, startFakeHttp } from './fake-http.js';

/**
 * A browser vendor's push service (FCM, Mozilla autopush, Apple), as the Web Push protocol documents
 * it, on 127.0.0.1:
 *
 * - RFC 8030: `POST <endpoint>` with a `TTL` header (400 without one), optional `Urgency`
 *   (very-low|low|normal|high) and `Topic` (≤ 32 base64url characters); 201 Created with a `Location`
 *   naming the message; 404/410 for a subscription that is gone; 413 over 4096 bytes.
 * - RFC 8292 (VAPID): `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256, signed by the
 *   key `k`, `aud` the endpoint's origin, `exp` in the future and at most 24 hours ahead, `sub` a
 *   mailto: or https: URL. Missing or bad: 401. A `k` other than the key the subscription was made
 *   with (`applicationServerKey`): 403, as FCM answers.
 * - RFC 8291/8188: `Content-Encoding: aes128gcm` (415 otherwise). The fake holds each subscription's
 *   private key and auth secret, as the browser would, and DECRYPTS the payload, so tests read what
 *   the device would show.
 */

/** One message the push service accepted, decrypted. */
export interface PushedMessage {
  subscriptionId: string;
  endpoint: string;
  /** The decrypted payload, as the service worker's `event.data.text()` gives it. */
  text: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  /** The VAPID JWT's claims, signature already checked. */
  claims: { aud: string; exp: number; sub: string };
  /** The VAPID public key (`k=`). */
  vapidKey: string;
  /** The Location the service answered with. */
  location: string;
}

/** A request the push service refused, and why: for test failure messages. */
export interface RefusedPush {
  path: string;
  status: number;
  reason: string;
}

export interface FakePushService {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /**
   * A new subscription, as `PushSubscription.toJSON()` gives it to the page. `applicationServerKey`:
   * the VAPID public key the page subscribed with; pushes signed with another key are refused (403).
   */
  subscribe(options?: { applicationServerKey?: string }): PushSubscriptionJson;
  /** The subscription was removed (the person revoked permission, the browser was reinstalled): 410 Gone. */
  expire(endpoint: string): void;
  /** The next `count` pushes (to any subscription) are answered with `status`, before any checks. */
  failNext(status: 429 | 500 | 503 | 413 | 404 | 410, count?: number): void;
  messages: PushedMessage[];
  refused: RefusedPush[];
  clear(): void;
  close(): Promise<void>;
}

interface Subscription {
  id: string;
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  applicationServerKey: string | null;
  gone: boolean;
}

const MAX_BODY = 4096;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);

/** An HTTP error the push service answers with. */
class PushRefusal extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Starts the fake. `now` is the push service's own clock (milliseconds), which a real service reads
 * from the wall; tests may pin it.
 */
export async function startFakePushService(options: { now?: () => number } = {}): Promise<FakePushService> {
  const now = options.now ?? (() => Date.now());
  const subscriptions = new Map<string, Subscription>();
  const messages: PushedMessage[] = [];
  const refused: RefusedPush[] = [];
  const failures = new FailureQueue<number>();
  let url = '';

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const path = req.url ?? '/';
    try {
      const forced = failures.take();
      if (forced !== undefined) throw new PushRefusal(forced, `answering ${forced} as the test asked`);
      if (req.method !== 'POST') throw new PushRefusal(405, `${req.method} is not allowed; push messages are POSTed`);
      const match = /^\/push\/([A-Za-z0-9-]+)$/.exec(path);
      const subscription = match ? subscriptions.get(match[1] as string) : undefined;
      if (!subscription) throw new PushRefusal(404, 'no such subscription');
      if (subscription.gone) throw new PushRefusal(410, 'push subscription has unsubscribed or expired');
      const endpoint = `${url}/push/${subscription.id}`;

      const { claims, key } = checkVapid(req.headers.authorization, new URL(endpoint).origin, now());
      if (subscription.applicationServerKey !== null && key !== subscription.applicationServerKey) {
        throw new PushRefusal(403, 'the VAPID key does not match the applicationServerKey the subscription was made with');
      }

      const ttlHeader = req.headers.ttl;
      if (typeof ttlHeader !== 'string' || !/^\d+$/.test(ttlHeader)) throw new PushRefusal(400, 'a TTL header (seconds, a non-negative integer) is required');
      const urgency = header(req, 'urgency');
      if (urgency !== null && !URGENCIES.has(urgency)) throw new PushRefusal(400, `Urgency must be very-low, low, normal or high, not ${urgency}`);
      const topic = header(req, 'topic');
      if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) throw new PushRefusal(400, 'Topic must be at most 32 characters of the base64url alphabet');

      if (body.length > MAX_BODY) throw new PushRefusal(413, `the payload is ${body.length} bytes; at most ${MAX_BODY} are accepted`);
      if (body.length === 0) throw new PushRefusal(400, 'expected an encrypted payload');
      if (header(req, 'content-encoding') !== 'aes128gcm') throw new PushRefusal(415, 'Content-Encoding must be aes128gcm');
      const text = decrypt(body, subscription).toString('utf8');

      const location = `${url}/m/${randomUUID()}`;
      messages.push({ subscriptionId: subscription.id, endpoint, text, ttl: Number(ttlHeader), urgency, topic, claims, vapidKey: key, location });
      res.writeHead(201, { location, ttl: ttlHeader }).end();
    } catch (error) {
      const status = error instanceof PushRefusal ? error.status : 500;
      const reason = error instanceof Error ? error.message : String(error);
      refused.push({ path, status, reason });
      sendJson(res, status, { code: status, errno: status, error: reason });
    }
  };

  const server = await startFakeHttp((req, res, _raw, bytes) => handle(req, res, bytes));
  url = server.url;

  return {
    url,
    subscribe(subscribeOptions = {}) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const sub: Subscription = { id: randomUUID(), ecdh, auth: randomBytes(16), applicationServerKey: subscribeOptions.applicationServerKey ?? null, gone: false };
      subscriptions.set(sub.id, sub);
      return { endpoint: `${url}/push/${sub.id}`, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: sub.auth.toString('base64url') } };
    },
    expire(endpoint) {
      const id = endpoint.split('/').pop() ?? '';
      const sub = subscriptions.get(id);
      if (!sub) throw new Error(`The fake push service has no subscription ${endpoint}`);
      sub.gone = true;
    },
    failNext: (status, count) => failures.add(status, count),
    messages,
    refused,
    clear() {
      messages.length = 0;
      refused.length = 0;
      failures.clear();
    },
    close: server.close,
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** RFC 8292 §3: `vapid t=<JWT>, k=<key>`; checks the ES256 signature with `k` and the claims. */
function checkVapid(authorization: string | undefined, origin: string, nowMs: number): { claims: PushedMessage['claims']; key: string } {
  if (!authorization) throw new PushRefusal(401, 'missing Authorization: vapid t=…, k=…');
  const match = /^vapid\s+(.+)$/i.exec(authorization);
  if (!match) throw new PushRefusal(401, 'the Authorization scheme must be vapid');
  const params = new Map<string, string>();
  for (const part of (match[1] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const token = params.get('t');
  const key = params.get('k');
  if (!token || !key) throw new PushRefusal(401, 'the vapid Authorization needs both t= and k=');
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length !== 65 || keyBytes[0] !== 0x04) throw new PushRefusal(401, 'k= must be a 65-byte uncompressed P-256 public key, base64url');
  const parts = token.split('.');
  if (parts.length !== 3) throw new PushRefusal(401, 't= must be a JWS compact serialization (three parts)');
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown; typ?: unknown };
  let claims: { aud?: unknown; exp?: unknown; sub?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw new PushRefusal(401, 'the JWT header or claims are not base64url JSON');
  }
  if (header.alg !== 'ES256') throw new PushRefusal(401, `the JWT must be signed with ES256, not ${String(header.alg)}`);
  const publicKey: KeyObject = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: keyBytes.subarray(1, 33).toString('base64url'), y: keyBytes.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  });
  const signed = verify('sha256', Buffer.from(`${head}.${body}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!signed) throw new PushRefusal(401, 'the JWT signature does not verify with k=');
  if (claims.aud !== origin) throw new PushRefusal(401, `the JWT aud must be the push service origin ${origin}, not ${String(claims.aud)}`);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw new PushRefusal(401, 'the JWT has expired (or has no exp)');
  if (claims.exp > nowSeconds + 24 * 3600) throw new PushRefusal(401, 'the JWT exp is more than 24 hours ahead');
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:\/\/)/.test(claims.sub)) throw new PushRefusal(401, 'the JWT sub must be a mailto: or https: URL');
  return { claims: { aud: claims.aud, exp: claims.exp, sub: claims.sub }, key };
}

/**
 * RFC 8291 §3.4 and RFC 8188 §2: the header (salt, record size, the sender's ephemeral public key as
 * key id), keys derived from ECDH with the subscription's private key and its auth secret, one record
 * of AES-128-GCM whose plaintext ends with the last-record delimiter 0x02 and zero padding.
 */
function decrypt(body: Buffer, subscription: Subscription): Buffer {
  if (body.length < 21) throw new PushRefusal(400, 'the aes128gcm header is truncated');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20] as number;
  if (idLength !== 65) throw new PushRefusal(400, `the aes128gcm key id must be the sender's 65-byte public key, not ${idLength} bytes`);
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize || record.length < 17) throw new PushRefusal(400, 'the payload must be exactly one aes128gcm record');

  const receiverKey = subscription.ecdh.getPublicKey();
  const shared = subscription.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiverKey, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, subscription.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  } catch {
    throw new PushRefusal(400, 'the payload does not decrypt with the subscription keys (wrong p256dh or auth?)');
  }
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  if (end === 0 || plain[end - 1] !== 0x02) throw new PushRefusal(400, 'the last record must end with the 0x02 padding delimiter');
  return plain.subarray(0, end - 1);
}
