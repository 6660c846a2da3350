import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivered } from '../../../src/server/modules/notify/channels/channel.contract.js';
import { FailureQueue, sendJson as send, startFakeHttp } from './fake-http.js';

/** JSON from the wire, read loosely: the fake checks each field it cares about at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireJson = any;

/**
 * A local stand-in for a Mattermost server's REST API v4 (developers.mattermost.com/api-documentation),
 * strict about what it documents: `Authorization: Bearer <token>` on every call (401 otherwise), JSON
 * bodies, `GET /users/me`, `GET /users/username/{username}`, `GET /users/{user_id}`,
 * `POST /channels/direct` with exactly two user ids, and `POST /posts` with `channel_id` and `message`
 * (button actions need an id of letters and digits, a name and an integration URL; an optional
 * `pending_post_id` in the form Mattermost's own clients send, `<user id>:<13 digits>`, de-duplicates:
 * a post repeating one answers with the post already made, as Mattermost does for 30 s; the fake keeps
 * them for its lifetime). Errors come as
 * Mattermost sends them: a status and `{id, message, status_code}`. It can also build the request the
 * Mattermost server sends to a button's integration URL when someone clicks it.
 */

export interface MattermostUser {
  id: string;
  username: string;
}

export interface MattermostPost {
  id: string;
  channel_id: string;
  /** The username of the person the direct channel is with. */
  recipient: string;
  message: string;
  props: Record<string, WireJson>;
}

export interface FakeMattermost {
  serverUrl: string;
  botToken: string;
  bot: MattermostUser;
  /** Add people: `addUser('ana')` returns their 26-character id. */
  addUser(username: string): string;
  posts: MattermostPost[];
  /** Requests that broke the documented rules; should stay empty. */
  problems: string[];
  /** The next API call answers this HTTP status with a Mattermost error body. */
  failNext(status: number): void;
  /** The next post is made, but its answer is lost: the connection closes before a byte of it is sent. */
  loseNextAnswer(): void;
  delivered(): Delivered[];
  /** What Mattermost posts to the button's integration URL when `userId` clicks `actionId` on `post`. */
  click(post: MattermostPost, actionId: string, userId: string, change?: (context: Record<string, unknown>) => Record<string, unknown>): { url: string; body: Record<string, unknown> };
  close(): Promise<void>;
}

const newId = () => randomBytes(16).toString('hex').replace(/[^a-z0-9]/g, '').slice(0, 26).padEnd(26, 'x');
const error = (id: string, message: string, status: number) => ({ id, message, detailed_error: '', request_id: newId(), status_code: status });

export async function startFakeMattermost(): Promise<FakeMattermost> {
  const botToken = randomBytes(13).toString('hex'); // 26 characters, like Mattermost's
  const bot: MattermostUser = { id: newId(), username: 'firebreak' };
  const users = new Map<string, MattermostUser>([[bot.id, bot]]);
  const channels = new Map<string, [string, string]>();
  const posts: MattermostPost[] = [];
  const problems: string[] = [];
  const failures = new FailureQueue<number>();
  const byPendingId = new Map<string, MattermostPost>();
  let loseAnswer = false;

  const bad = (res: ServerResponse, text: string) => {
    problems.push(text);
    send(res, 400, error('api.context.invalid_body_param.app_error', text, 400));
  };
  const byUsername = (name: string) => [...users.values()].find((u) => u.username === name);
  const view = (u: MattermostUser) => ({ id: u.id, username: u.username, is_bot: u.id === bot.id, delete_at: 0 });

  const checkActions = (props: WireJson): string | null => {
    if (props === undefined) return null;
    if (typeof props !== 'object' || props === null) return 'props must be an object';
    for (const attachment of props.attachments ?? []) {
      for (const action of attachment.actions ?? []) {
        if (typeof action.id !== 'string' || !/^[A-Za-z0-9]+$/.test(action.id)) return `action id ${String(action.id)} must be letters and digits only`;
        if (typeof action.name !== 'string' || action.name === '') return 'an action needs a name';
        if (action.type !== undefined && action.type !== 'button' && action.type !== 'select') return 'an action type is button or select';
        if (typeof action.integration?.url !== 'string' || !/^https?:\/\//.test(action.integration.url)) return 'an action needs integration.url';
      }
    }
    return null;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.headers.authorization !== `Bearer ${botToken}`) return void send(res, 401, error('api.context.session_expired.app_error', 'Invalid or expired session, please login again.', 401));
    const status = failures.take();
    if (status !== undefined) {
      return void send(res, status, error('fake.failure', `Failure ${status} as the test asked`, status));
    }
    let body: WireJson;
    if (req.method === 'POST') {
      if (req.headers['content-type']?.split(';')[0] !== 'application/json') return bad(res, `content-type must be application/json, got ${String(req.headers['content-type'])}`);
      try {
        body = JSON.parse(raw);
      } catch {
        return bad(res, 'the body is not JSON');
      }
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/api/v4/users/me') return void send(res, 200, view(bot));
    if (req.method === 'GET' && (m = /^\/api\/v4\/users\/username\/([^/]+)$/.exec(path))) {
      const user = byUsername(decodeURIComponent(m[1] as string));
      return void (user ? send(res, 200, view(user)) : send(res, 404, error('app.user.missing_account.const', 'Unable to find an existing account matching your username for this team.', 404)));
    }
    if (req.method === 'GET' && (m = /^\/api\/v4\/users\/([a-z0-9]{26})$/.exec(path))) {
      const user = users.get(m[1] as string);
      return void (user ? send(res, 200, view(user)) : send(res, 404, error('app.user.missing_account.const', 'Unable to find the user.', 404)));
    }
    if (req.method === 'POST' && path === '/api/v4/channels/direct') {
      if (!Array.isArray(body) || body.length !== 2 || body.some((x: unknown) => typeof x !== 'string')) return bad(res, 'channels/direct takes an array of two user ids');
      if (!users.has(body[0]) || !users.has(body[1])) return void send(res, 400, error('api.context.invalid_url_param.app_error', 'Invalid or missing user_id in request URL.', 400));
      const [a, b] = [...(body as string[])].sort() as [string, string];
      const id = `${a.slice(0, 13)}${b.slice(0, 13)}`;
      channels.set(id, [a, b]);
      return void send(res, 201, { id, type: 'D', name: `${a}__${b}`, create_at: 1 });
    }
    if (req.method === 'POST' && path === '/api/v4/posts') {
      if (typeof body?.channel_id !== 'string' || !channels.has(body.channel_id)) return void send(res, 403, error('api.context.permissions.app_error', 'You do not have the appropriate permissions.', 403));
      if (typeof body.message !== 'string') return bad(res, 'a post needs a message');
      const problem = checkActions(body.props);
      if (problem) return bad(res, problem);
      const pendingId: unknown = body.pending_post_id;
      if (pendingId !== undefined && (typeof pendingId !== 'string' || !new RegExp(`^${bot.id}:\\d{13}$`).test(pendingId))) return bad(res, `pending_post_id must be <user id>:<13 digits>, got ${String(pendingId)}`);
      const earlier = typeof pendingId === 'string' ? byPendingId.get(pendingId) : undefined;
      const other = (channels.get(body.channel_id) as [string, string]).find((id) => id !== bot.id) as string;
      const post: MattermostPost = earlier ?? { id: newId(), channel_id: body.channel_id, recipient: users.get(other)!.username, message: body.message, props: body.props ?? {} };
      if (!earlier) posts.push(post);
      if (typeof pendingId === 'string') byPendingId.set(pendingId, post);
      if (loseAnswer) {
        loseAnswer = false;
        return void res.socket?.destroy();
      }
      return void send(res, 201, { ...post, user_id: bot.id, create_at: 1, ...(typeof pendingId === 'string' ? { pending_post_id: pendingId } : {}) });
    }
    send(res, 404, error('api.context.404.app_error', 'Sorry, we could not find the page.', 404));
  };

  const server = await startFakeHttp(handle);

  return {
    serverUrl: server.url,
    botToken,
    bot,
    addUser(username) {
      const user = { id: newId(), username };
      users.set(user.id, user);
      return user.id;
    },
    posts,
    problems,
    failNext: (status) => failures.add(status),
    loseNextAnswer: () => {
      loseAnswer = true;
    },
    delivered: () =>
      posts.map((p) => {
        const match = /^#### (.*)\n\n([\s\S]*)$/.exec(p.message);
        return { recipient: p.recipient, subject: match?.[1] ?? '', text: match?.[2] ?? p.message };
      }),
    click(post, actionId, userId, change = (c) => c) {
      const action = (post.props.attachments ?? []).flatMap((a: WireJson) => a.actions ?? []).find((a: WireJson) => a.id === actionId);
      if (!action) throw new Error(`post ${post.id} has no button ${actionId}`);
      const user = users.get(userId);
      return {
        url: action.integration.url as string,
        body: {
          user_id: userId,
          user_name: user?.username ?? '',
          channel_id: post.channel_id,
          channel_name: '',
          team_id: '',
          team_domain: '',
          post_id: post.id,
          trigger_id: newId(),
          type: '',
          data_source: '',
          context: change({ ...action.integration.context }),
        },
      };
    },
    close: server.close,
  };
}
