import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivered } from '../../../src/server/modules/notify/channels/channel.contract.js';
import { FailureQueue, sendJson, startFakeHttp } from './fake-http.js';

/** JSON from the wire, read loosely: the fake checks each field it cares about at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireJson = any;

/**
 * A local stand-in for Slack's Web API (docs.slack.dev), strict about what Slack documents:
 * `POST /api/conversations.open` and `/api/chat.postMessage` with `Authorization: Bearer xoxb-…` and a
 * JSON body sent as `application/json; charset=utf-8`; answers as Slack does, HTTP 200 with
 * `{ok: false, error}` for failures (`not_authed`, `invalid_auth`, `user_not_found`,
 * `channel_not_found`…) and 429 `ratelimited` with Retry-After. It also takes `response_url` posts
 * (`POST /actions/<token>`) and builds interaction requests signed as Slack signs them.
 */

export interface SlackPost {
  channel: string;
  /** The member the direct message channel was opened with. */
  user: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, WireJson>>;
}

export interface SlackResponseUrlPost {
  path: string;
  body: Record<string, WireJson>;
}

export interface FakeSlack {
  /** The API base to configure as the provider's `apiUrl`. */
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  /** Member IDs that exist in the workspace; others get `user_not_found`. */
  members: Set<string>;
  posts: SlackPost[];
  responses: SlackResponseUrlPost[];
  /** Requests that broke Slack's documented rules (wrong content type, missing fields): should stay empty. */
  problems: string[];
  /** The next Web API call answers this error (`ratelimited` answers HTTP 429 with Retry-After). */
  failNext(error: string): void;
  /** Resolves with the next `response_url` post (or at once with one not yet taken). */
  nextResponse(): Promise<SlackResponseUrlPost>;
  delivered(): Delivered[];
  /** A `block_actions` interaction from `userId` pressing `actionId` on `post`, signed with the signing secret. */
  interaction(input: { userId: string; actionId: string; value?: string; post?: SlackPost; /** Seconds since the epoch, from the test's clock. */ timestamp: number; secret?: string }): { headers: Record<string, string>; body: string };
  /** Sends that interaction to Firebreak over HTTP (a server on a real port), as Slack would; answers the status. */
  sendInteraction(url: string, input: Parameters<FakeSlack['interaction']>[0]): Promise<number>;
  close(): Promise<void>;
}

const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export async function startFakeSlack(options: { members?: string[] } = {}): Promise<FakeSlack> {
  const botToken = `xoxb-1111-2222-${randomBytes(8).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  const members = new Set(options.members ?? ['U012AB3CDEF']);
  const channels = new Map<string, string>(); // channel id → member
  const posts: SlackPost[] = [];
  const responses: SlackResponseUrlPost[] = [];
  const waiting: Array<(r: SlackResponseUrlPost) => void> = [];
  const problems: string[] = [];
  const failures = new FailureQueue<string>();
  let seq = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, { 'content-type': 'application/json; charset=utf-8', ...headers });
  const problem = (res: ServerResponse, text: string, error = 'invalid_arguments') => {
    problems.push(text);
    send(res, 200, { ok: false, error });
  };

  const checkBlocks = (blocks: unknown): string | null => {
    if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return 'blocks must be an array of 1–50 blocks';
    const ids = new Set<string>();
    for (const block of blocks as Array<Record<string, WireJson>>) {
      if (typeof block.block_id === 'string') {
        if (ids.has(block.block_id) || block.block_id.length > 255) return `duplicate or long block_id ${block.block_id}`;
        ids.add(block.block_id);
      }
      switch (block.type) {
        case 'header':
          if (block.text?.type !== 'plain_text' || typeof block.text.text !== 'string' || block.text.text.length > 150) return 'a header needs plain_text of at most 150 characters';
          break;
        case 'section':
          if (block.text !== undefined && (typeof block.text.text !== 'string' || block.text.text.length > 3000 || block.text.text.length === 0)) return 'section text must be 1–3000 characters';
          if (block.text === undefined && !Array.isArray(block.fields)) return 'a section needs text or fields';
          if (Array.isArray(block.fields) && (block.fields.length > 10 || block.fields.some((f: WireJson) => typeof f.text !== 'string' || f.text.length > 2000))) return 'section fields: at most 10, 2000 characters each';
          break;
        case 'context':
          if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) return 'context needs 1–10 elements';
          break;
        case 'actions': {
          if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) return 'actions needs 1–25 elements';
          const actionIds = new Set<string>();
          for (const e of block.elements) {
            if (e.type !== 'button' || e.text?.type !== 'plain_text' || typeof e.text.text !== 'string' || e.text.text.length > 75) return 'buttons need plain_text of at most 75 characters';
            if (typeof e.action_id !== 'string' || e.action_id.length > 255 || actionIds.has(e.action_id)) return 'buttons need unique action_ids';
            actionIds.add(e.action_id);
            if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) return 'a button value is a string of at most 2000 characters';
            if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > 3000)) return 'a button url is at most 3000 characters';
            if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') return 'a button style is primary or danger';
          }
          break;
        }
        default:
          return `unknown block type ${String(block.type)}`;
      }
    }
    return null;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && path.startsWith('/actions/')) {
      if (req.headers['content-type']?.split(';')[0] !== 'application/json') return void send(res, 400, { error: 'response_url takes JSON' });
      const entry = { path, body: JSON.parse(raw) as Record<string, WireJson> };
      const next = waiting.shift();
      if (next) next(entry);
      else responses.push(entry);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('ok');
    }
    const method = /^\/api\/([a-zA-Z.]+)$/.exec(path)?.[1];
    if (req.method !== 'POST' || (method !== 'conversations.open' && method !== 'chat.postMessage')) return void send(res, 404, { ok: false, error: 'unknown_method' });
    const auth = req.headers.authorization;
    if (!auth) return void send(res, 200, { ok: false, error: 'not_authed' });
    if (auth !== `Bearer ${botToken}`) return void send(res, 200, { ok: false, error: 'invalid_auth' });
    if (req.headers['content-type'] !== 'application/json; charset=utf-8') return problem(res, `content-type must be application/json; charset=utf-8, got ${String(req.headers['content-type'])}`, 'invalid_form_data');
    let body: Record<string, WireJson>;
    try {
      body = JSON.parse(raw) as Record<string, WireJson>;
    } catch {
      return void send(res, 200, { ok: false, error: 'invalid_json' });
    }
    const error = failures.take();
    if (error !== undefined) {
      return void send(res, error === 'ratelimited' ? 429 : 200, { ok: false, error }, error === 'ratelimited' ? { 'retry-after': '30' } : {});
    }
    if (method === 'conversations.open') {
      if (typeof body.users !== 'string') return void send(res, 200, { ok: false, error: 'users_list_not_supplied' });
      if (!members.has(body.users)) return void send(res, 200, { ok: false, error: 'user_not_found' });
      const id = `D${Buffer.from(body.users).toString('hex').toUpperCase().slice(0, 10)}`;
      channels.set(id, body.users);
      return void send(res, 200, { ok: true, channel: { id } });
    }
    if (typeof body.channel !== 'string' || !channels.has(body.channel)) return void send(res, 200, { ok: false, error: 'channel_not_found' });
    if (typeof body.text !== 'string' || body.text === '') return problem(res, 'chat.postMessage needs `text` as the fallback of blocks', 'no_text');
    const blocksProblem = checkBlocks(body.blocks);
    if (blocksProblem) return problem(res, blocksProblem, 'invalid_blocks');
    const ts = `${1_700_000_000 + seq}.${String(++seq).padStart(6, '0')}`;
    posts.push({ channel: body.channel, user: channels.get(body.channel) as string, ts, text: body.text, blocks: body.blocks });
    send(res, 200, { ok: true, channel: body.channel, ts, message: { type: 'message', text: body.text, ts, blocks: body.blocks } });
  };

  const server = await startFakeHttp(handle);
  const base = server.url;

  const fake: FakeSlack = {
    apiUrl: `${base}/api`,
    botToken,
    signingSecret,
    members,
    posts,
    responses,
    problems,
    failNext: (error) => failures.add(error),
    nextResponse() {
      const ready = responses.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => waiting.push(resolve));
    },
    delivered: () =>
      posts.map((p) => ({
        recipient: p.user,
        subject: p.blocks.find((b) => b.type === 'header')?.text.text ?? '',
        text: unescape(
          p.blocks
            .filter((b) => typeof b.block_id === 'string' && /^text-\d+$/.test(b.block_id))
            .map((b) => b.text.text as string)
            .join(''),
        ),
      })),
    interaction({ userId, actionId, value, post, timestamp, secret }) {
      const payload = {
        type: 'block_actions',
        user: { id: userId, username: 'someone', name: 'someone', team_id: 'T0001' },
        api_app_id: 'A0001',
        token: 'deprecated-verification-token',
        container: { type: 'message', message_ts: post?.ts ?? '1.000001', channel_id: post?.channel ?? 'D0001', is_ephemeral: false },
        trigger_id: '12345.98765.abcd2358fdea',
        team: { id: 'T0001', domain: 'example' },
        channel: { id: post?.channel ?? 'D0001', name: 'directmessage' },
        message: { type: 'message', ts: post?.ts ?? '1.000001', text: post?.text ?? '', blocks: post?.blocks ?? [] },
        response_url: `${base}/actions/T0001/${++seq}/${randomBytes(8).toString('hex')}`,
        actions: [{ type: 'button', action_id: actionId, block_id: 'firebreak-actions', text: { type: 'plain_text', text: 'x' }, ...(value !== undefined ? { value } : {}), action_ts: '1700000000.000001' }],
      };
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const ts = String(timestamp);
      const signature = `v0=${createHmac('sha256', secret ?? signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
      return { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature }, body };
    },
    async sendInteraction(url, input) {
      const request = fake.interaction(input);
      const answer = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
      await answer.arrayBuffer();
      return answer.status;
    },
    close: server.close,
  };
  return fake;
}
