import { createHmac, timingSafeEqual } from 'node:crypto';
import { FailureQueue, startFakeHttp } from './fake-http.js';

/**
 * A receiver of status-page subscriber webhooks, written from the documented contract alone
 * (docs/status-pages.md "Subscribers", ADR 0039), not from Firebreak's code: `POST`, `application/json`,
 * `Firebreak-Event-Id`, `Firebreak-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 * and a Statuspage-shaped body: `meta {unsubscribe, documentation}`, `page {id, status_indicator,
 * status_description}`, and `incident {…}` or `component_update {…}` with `component {…}`. A wrong
 * delivery is answered 400 and recorded in `rejected`.
 */

export interface StatusWebhook {
  eventId: string;
  signedAt: number;
  rawBody: string;
  body: Record<string, unknown>;
}

export interface FakeStatusWebhookReceiver {
  url: string;
  /** The signing secret the receiver checks with (from the subscriber's create answer). */
  secret: string;
  received: StatusWebhook[];
  rejected: string[];
  /** Every request, answered or not (retries included). */
  attempts: number;
  failNext(status: number, body?: string): void;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startStatusWebhookReceiver(): Promise<FakeStatusWebhookReceiver> {
  const failures = new FailureQueue<{ status: number; body: string }>();
  const state: FakeStatusWebhookReceiver = {
    url: '',
    secret: '',
    received: [],
    rejected: [],
    attempts: 0,
    failNext: (status, body = 'failure') => failures.add({ status, body }),
    close: async () => undefined,
  };
  const server = await startFakeHttp((req, res, raw) => {
    state.attempts++;
    const refuse = (reason: string) => {
      state.rejected.push(reason);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(reason);
    };
    const failure = failures.take();
    if (failure) return void res.writeHead(failure.status, { 'content-type': 'text/plain' }).end(failure.body);
    if (req.method !== 'POST') return refuse(`method ${req.method}`);
    if (req.headers['content-type'] !== 'application/json') return refuse(`content-type ${String(req.headers['content-type'])}`);
    const eventId = req.headers['firebreak-event-id'];
    if (typeof eventId !== 'string' || eventId === '') return refuse('Firebreak-Event-Id missing');
    const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['firebreak-signature'] ?? ''));
    if (!signature) return refuse('Firebreak-Signature missing or malformed');
    const expected = createHmac('sha256', state.secret).update(`${signature[1]}.${raw}`).digest();
    const given = Buffer.from(signature[2] as string, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('signature does not verify');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return refuse('body is not JSON');
    }
    if (!isObject(body)) return refuse('body is not an object');
    const meta = body.meta;
    if (!isObject(meta) || typeof meta.unsubscribe !== 'string' || !/^https?:\/\//.test(meta.unsubscribe) || typeof meta.documentation !== 'string') return refuse('meta {unsubscribe, documentation} missing');
    const page = body.page;
    if (!isObject(page) || typeof page.id !== 'string' || typeof page.status_indicator !== 'string' || typeof page.status_description !== 'string') return refuse('page {id, status_indicator, status_description} missing');
    if (isObject(body.incident)) {
      const i = body.incident;
      if (typeof i.id !== 'string' || typeof i.name !== 'string' || typeof i.status !== 'string' || !Array.isArray(i.incident_updates)) return refuse('incident {id, name, status, incident_updates} missing');
    } else if (isObject(body.component_update)) {
      const u = body.component_update;
      if (typeof u.new_status !== 'string' || typeof u.old_status !== 'string' || typeof u.component_id !== 'string' || typeof u.created_at !== 'string') return refuse('component_update {created_at, new_status, old_status, component_id} missing');
      if (!isObject(body.component) || body.component.id !== u.component_id) return refuse('component missing or not the updated one');
    } else return refuse('neither incident nor component_update');
    state.received.push({ eventId, signedAt: Number(signature[1]), rawBody: raw, body });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  state.url = server.url;
  state.close = () => server.close();
  return state;
}
