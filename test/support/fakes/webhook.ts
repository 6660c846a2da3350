import { createHmac, timingSafeEqual } from 'node:crypto';
import { FailureQueue, startFakeHttp } from './fake-http.js';

/** One delivery a receiver accepted, with what it checked. */
export interface ReceivedWebhook {
  /** The full URL it was posted to. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: Record<string, unknown>;
  /** The `t` of the signature, Unix seconds. */
  signedAt: number;
}

export interface FakeWebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Paths that answer 410 Gone (a receiver that was retired). */
  gone: Set<string>;
  /** The next delivery is answered with this status (and body). */
  failNext(status: number, body?: string): void;
  /** Deliveries refused for a bad signature or shape, with the reason. */
  rejected: Array<{ url: string; reason: string }>;
  clear(): void;
  close(): Promise<void>;
}

/**
 * A receiver of Firebreak's outgoing webhooks, written from the documented contract alone (not from
 * Firebreak's own helpers, so a mistake in both cannot cancel out): POST, `application/json`, a
 * `t=…,v1=…` signature over `"<t>.<raw body>"` with the signing secret, `X-Firebreak-Event` and
 * `Idempotency-Key` matching the body. A wrong delivery is answered 400 and recorded in `rejected`.
 */
export async function startFakeWebhookReceiver(options: { secret: string }): Promise<FakeWebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const rejected: Array<{ url: string; reason: string }> = [];
  const gone = new Set<string>();
  const failures = new FailureQueue<{ status: number; body: string }>();
  let base = '';

  const server = await startFakeHttp((req, res, rawBody) => {
    const url = `${base}${req.url ?? ''}`;
    const refuse = (reason: string) => {
      rejected.push({ url, reason });
      res.statusCode = 400;
      res.end(reason);
    };
    const failure = failures.take();
    if (failure) {
      res.statusCode = failure.status;
      return res.end(failure.body);
    }
    if (gone.has(req.url ?? '')) {
      res.statusCode = 410;
      return res.end('gone');
    }
    if (req.method !== 'POST') return refuse(`method ${req.method}`);
    if (req.headers['content-type'] !== 'application/json') return refuse(`content-type ${req.headers['content-type']}`);
    const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-firebreak-signature'] ?? ''));
    if (!signature) return refuse('X-Firebreak-Signature missing or malformed');
    const expected = createHmac('sha256', options.secret).update(`${signature[1]}.${rawBody}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature[2] as string, 'hex'))) return refuse('signature mismatch');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      return refuse('body is not JSON');
    }
    if (body.version !== 1) return refuse(`version ${String(body.version)}`);
    if (req.headers['x-firebreak-event'] !== body.event) return refuse('X-Firebreak-Event differs from body.event');
    if (!req.headers['idempotency-key'] || req.headers['idempotency-key'] !== body.id) return refuse('Idempotency-Key differs from body.id');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(String(body.sentAt))) return refuse('sentAt is not an ISO 8601 UTC instant');
    if (Math.floor(Date.parse(String(body.sentAt)) / 1000) !== Number(signature[1])) return refuse('sentAt and the signature timestamp differ');
    received.push({ url, headers: req.headers, rawBody, body, signedAt: Number(signature[1]) });
    res.statusCode = 204;
    res.end();
  });
  base = server.url;
  return {
    url: base,
    received,
    rejected,
    gone,
    failNext: (status, body = '') => failures.add({ status, body }),
    clear() {
      received.length = 0;
      rejected.length = 0;
      failures.clear();
      gone.clear();
    },
    close: server.close,
  };
}
