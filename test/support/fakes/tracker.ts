import { createHmac, timingSafeEqual } from 'node:crypto';
import { FailureQueue, sendJson, startFakeHttp } from './fake-http.js';

/** One issue the fake tracker created, with the request that created it. */
export interface TrackerIssue {
  url: string;
  deliveryId: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  body: { event: string; sentAt: string; actionItem: Record<string, unknown>; postmortem: Record<string, unknown> };
}

export interface FakeTracker {
  /** The webhook URL to configure: `<base>/hooks/firebreak`. */
  hookUrl: string;
  issues: TrackerIssue[];
  /** Every request that reached the fake, accepted or not (retries included). */
  requests: number;
  /** Requests refused for a bad signature, header or body, with the reason. */
  rejected: string[];
  /** The next request(s) are answered with this status and body (a tracker that is down). */
  fail(status: number, body?: string, times?: number): void;
  clear(): void;
  close(): Promise<void>;
}

const ISSUE_BASE = 'https://tracker.example.com/browse/OPS-';

/**
 * An issue tracker behind the tracker webhook, written from the documented wire format (docs/postmortems.md,
 * "Tracker webhook"), not from Firebreak's code: `POST /hooks/firebreak`, `content-type:
 * application/json`, `X-Firebreak-Event: action_item.created`, `X-Firebreak-Delivery` equal to the
 * action item's id, and, when the fake has a secret, `X-Firebreak-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">` compared in constant time, with `t` the body's `sentAt` (the fake
 * has no clock of its own; a real receiver compares `t` with its clock, 5 minutes either way). The body must carry `event`, an ISO `sentAt`, the action
 * item (id, `AI-n` reference, title, url) and the postmortem (id, `PM-n` reference, title, url). A good
 * request creates an issue and is answered `201 {"url": "<issue URL>"}`; the same delivery id again
 * answers the issue already created (as a tracker de-duplicating retries would). Anything else is
 * answered 400 and recorded in `rejected`.
 */
export async function startFakeTracker(options: { secret: string | null }): Promise<FakeTracker> {
  const issues: TrackerIssue[] = [];
  const rejected: string[] = [];
  const failures = new FailureQueue<{ status: number; body: string }>();
  let requests = 0;

  const server = await startFakeHttp((req, res, rawBody) => {
    requests += 1;
    const refuse = (reason: string) => {
      rejected.push(reason);
      sendJson(res, 400, { error: reason });
    };
    const failure = failures.take();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'text/plain' });
      return res.end(failure.body);
    }
    if (req.method !== 'POST') return refuse(`method ${req.method}`);
    if (req.url !== '/hooks/firebreak') return refuse(`path ${req.url}`);
    if (req.headers['content-type'] !== 'application/json') return refuse(`content-type ${String(req.headers['content-type'])}`);
    if (req.headers['x-firebreak-event'] !== 'action_item.created') return refuse(`X-Firebreak-Event ${String(req.headers['x-firebreak-event'])}`);
    const signature = req.headers['x-firebreak-signature'];
    if (options.secret !== null) {
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(signature ?? ''));
      if (!match) return refuse('X-Firebreak-Signature missing or malformed');
      const expected = createHmac('sha256', options.secret).update(`${match[1] as string}.${rawBody}`, 'utf8').digest();
      const given = Buffer.from(match[2] as string, 'hex');
      if (!timingSafeEqual(expected, given)) return refuse('X-Firebreak-Signature does not match the body');
      const sentAt = Date.parse(String((JSON.parse(rawBody) as { sentAt?: unknown }).sentAt));
      if (Number(match[1]) !== Math.floor(sentAt / 1000)) return refuse('X-Firebreak-Signature t is not the body sentAt');
    } else if (signature !== undefined) {
      return refuse('X-Firebreak-Signature sent although no secret is configured');
    }
    let body: TrackerIssue['body'];
    try {
      body = JSON.parse(rawBody) as TrackerIssue['body'];
    } catch {
      return refuse('body is not JSON');
    }
    if (body.event !== 'action_item.created') return refuse(`body.event ${String(body.event)}`);
    if (typeof body.sentAt !== 'string' || Number.isNaN(Date.parse(body.sentAt))) return refuse('body.sentAt is not an instant');
    const item = body.actionItem ?? {};
    const postmortem = body.postmortem ?? {};
    if (typeof item.id !== 'string' || !/^AI-\d+$/.test(String(item.reference)) || typeof item.title !== 'string' || !/^https?:\/\//.test(String(item.url))) return refuse('body.actionItem needs id, reference AI-n, title and url');
    if (typeof postmortem.id !== 'string' || !/^PM-\d+$/.test(String(postmortem.reference)) || typeof postmortem.title !== 'string' || !/^https?:\/\//.test(String(postmortem.url))) return refuse('body.postmortem needs id, reference PM-n, title and url');
    const deliveryId = String(req.headers['x-firebreak-delivery'] ?? '');
    if (deliveryId !== item.id) return refuse('X-Firebreak-Delivery must be the action item id');
    const existing = issues.find((i) => i.deliveryId === deliveryId);
    if (existing) return sendJson(res, 200, { url: existing.url });
    const issue: TrackerIssue = { url: `${ISSUE_BASE}${issues.length + 1}`, deliveryId, headers: req.headers, rawBody, body };
    issues.push(issue);
    sendJson(res, 201, { url: issue.url, key: `OPS-${issues.length}` });
  });

  return {
    hookUrl: `${server.url}/hooks/firebreak`,
    issues,
    get requests() {
      return requests;
    },
    rejected,
    fail(status, body = 'unavailable', times = 1) {
      failures.add({ status, body }, times);
    },
    clear() {
      issues.length = 0;
      rejected.length = 0;
      requests = 0;
      failures.clear();
    },
    close: () => server.close(),
  };
}
