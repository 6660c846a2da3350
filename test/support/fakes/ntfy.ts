import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FailureQueue, startFakeHttp } from './fake-http.js';

export interface NtfyAction {
  id: string;
  action: 'view' | 'http' | 'broadcast' | 'copy';
  label: string;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  clear?: boolean;
}

/** One message the fake ntfy server accepted, as subscribers would receive it. */
export interface NtfyMessage {
  id: string;
  topic: string;
  title: string | undefined;
  message: string;
  priority: number;
  tags: string[];
  click: string | undefined;
  actions: NtfyAction[];
  /** The Authorization header the publisher sent, if any. */
  authorization: string | undefined;
}

export interface FakeNtfy {
  url: string;
  messages: NtfyMessage[];
  /** Topics the access token may not write to: 403 forbidden. */
  forbiddenTopics: Set<string>;
  /** The next publish fails with this status, in ntfy's error shape. */
  failNext(status: number): void;
  clear(): void;
  close(): Promise<void>;
}

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const KEYS = new Set(['topic', 'message', 'title', 'tags', 'priority', 'actions', 'click', 'attach', 'markdown', 'icon', 'filename', 'delay', 'email', 'call']);
const ERRORS: Record<number, [number, string]> = {
  400: [40000, 'invalid request'],
  401: [40101, 'unauthorized'],
  403: [40301, 'forbidden'],
  413: [41301, 'message too large'],
  429: [42901, 'limit reached: too many requests'],
  500: [50001, 'internal server error'],
  507: [50701, 'insufficient storage'],
};

/**
 * A local ntfy server for tests (ntfy docs, "Publishing": "Publish as JSON" and "Action buttons"). It
 * takes JSON published to the root URL only, checks the topic name, priority range, tags, at most three
 * actions each with its required fields, the `Bearer` token when one is configured, and answers with
 * the message as ntfy does (`{id, time, event: "message", topic, …}`); errors as `{code, http, error}`.
 */
export async function startFakeNtfy(options: { token?: string } = {}): Promise<FakeNtfy> {
  const messages: NtfyMessage[] = [];
  const forbiddenTopics = new Set<string>();
  const failures = new FailureQueue<number>();
  let time = 1_790_000_000;

  const fail = (res: ServerResponse, status: number, detail?: string) => {
    const [code, error] = ERRORS[status] ?? [status * 100, 'error'];
    send(res, status, { code, http: status, error: detail ? `${error}: ${detail}` : error, link: 'https://ntfy.sh/docs/publish/' });
  };

  const server = await startFakeHttp((req, res, raw) => {
    try {
      const failure = failures.take();
      if (failure !== undefined) return fail(res, failure);
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) return fail(res, 401);
      if (req.method !== 'POST' && req.method !== 'PUT') return fail(res, 400, 'publish with PUT or POST');
      if ((req.url ?? '') !== '/') return fail(res, 400, 'this fake only takes JSON published to the root URL');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'invalid JSON');
      }
      const problem = publishProblem(body);
      if (problem) return fail(res, 400, problem);
      const topic = body.topic as string;
      if (forbiddenTopics.has(topic)) return fail(res, 403);
      const message = (body.message as string | undefined) ?? 'triggered';
      if (Buffer.byteLength(message) > 4096) return fail(res, 413);
      const stored: NtfyMessage = {
        id: randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12),
        topic,
        title: body.title as string | undefined,
        message,
        priority: (body.priority as number | undefined) ?? 3,
        tags: (body.tags as string[] | undefined) ?? [],
        click: body.click as string | undefined,
        actions: ((body.actions as Array<Record<string, unknown>> | undefined) ?? []).map((a) => ({ id: randomBytes(6).toString('hex'), ...a }) as NtfyAction),
        authorization: req.headers.authorization,
      };
      messages.push(stored);
      time += 1;
      const { authorization: _authorization, ...visible } = stored;
      send(res, 200, { ...visible, time, expires: time + 43_200, event: 'message' });
    } catch (error) {
      fail(res, 500, String(error));
    }
  });

  return {
    url: server.url,
    messages,
    forbiddenTopics,
    failNext: (status) => failures.add(status),
    clear() {
      messages.length = 0;
      failures.clear();
      forbiddenTopics.clear();
    },
    close: server.close,
  };
}

const isUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);

function publishProblem(body: Record<string, unknown>): string | null {
  const unknown = Object.keys(body).find((k) => !KEYS.has(k));
  if (unknown) return `unknown field ${unknown}`;
  if (typeof body.topic !== 'string' || !TOPIC.test(body.topic)) return 'topic invalid';
  if (body.message !== undefined && typeof body.message !== 'string') return 'message must be a string';
  if (body.title !== undefined && typeof body.title !== 'string') return 'title must be a string';
  if (body.priority !== undefined && (!Number.isInteger(body.priority) || (body.priority as number) < 1 || (body.priority as number) > 5)) return 'priority invalid';
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string'))) return 'tags must be a list of strings';
  if (body.click !== undefined && !isUrl(body.click)) return 'click must be a URL';
  if (body.actions !== undefined) {
    if (!Array.isArray(body.actions) || body.actions.length > 3) return 'actions invalid: at most 3 actions';
    for (const action of body.actions as Array<Record<string, unknown>>) {
      if (typeof action.label !== 'string' || action.label.length === 0) return 'actions invalid: label required';
      if (action.clear !== undefined && typeof action.clear !== 'boolean') return 'actions invalid: clear must be a boolean';
      if (action.action === 'view' || action.action === 'http') {
        if (!isUrl(action.url)) return `actions invalid: ${action.action} action needs a url`;
        if (action.action === 'http' && action.method !== undefined && !['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(action.method as string)) return 'actions invalid: method';
      } else if (action.action !== 'broadcast' && action.action !== 'copy') return `actions invalid: unknown action ${String(action.action)}`;
    }
  }
  return null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(`${JSON.stringify(body)}\n`);
}
