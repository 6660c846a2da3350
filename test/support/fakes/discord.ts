import type { IncomingMessage, ServerResponse } from 'node:http';
import { FailureQueue, sendJson as send, startFakeHttp } from './fake-http.js';

/** One message the fake Discord accepted, as the bot posted it. */
export interface DiscordMessage {
  id: string;
  channelId: string;
  /** The user the DM channel belongs to. */
  recipient: string;
  content: string;
  embeds: Array<Record<string, unknown>>;
  components: Array<{ type: number; components: Array<Record<string, unknown>> }>;
  nonce: string | null;
}

export interface FakeDiscord {
  /** The API base, like https://discord.com/api/v10. */
  url: string;
  token: string;
  messages: DiscordMessage[];
  /** Users who exist but cannot be messaged (no shared server, DMs closed): 403 code 50007. */
  closedDms: Set<string>;
  /** Users that do not exist: 404 code 10013 when the bot opens a DM. */
  unknownUsers: Set<string>;
  /** The next request fails with this status (429 answers like Discord's rate limiter). */
  failNext(status: number, body?: Record<string, unknown>): void;
  clear(): void;
  close(): Promise<void>;
}

const API_PREFIX = '/api/v10';

/**
 * A local stand-in for Discord's REST API (developer docs: "Create DM", "Create Message", "JSON Error
 * Codes", "Rate Limits"). It checks what Discord checks: the `Bot` authorization scheme, the
 * `DiscordBot (url, version)` user agent, JSON bodies, message and embed limits, link buttons carrying a
 * `url` and no `custom_id`; and answers in Discord's shapes (snowflake ids as strings, `{code, message}`
 * errors, enforced nonces returning the earlier message).
 */
export async function startFakeDiscord(options: { token?: string } = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'discord-bot-token-123';
  const messages: DiscordMessage[] = [];
  const channels = new Map<string, string>(); // channel id → user id
  const failures = new FailureQueue<{ status: number; body?: Record<string, unknown> }>();
  const closedDms = new Set<string>();
  const unknownUsers = new Set<string>();
  let snowflake = 1_180_000_000_000_000_000n;
  const nextId = () => String(++snowflake);

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const failure = failures.take();
    if (failure) {
      if (failure.status === 429) {
        res.setHeader('retry-after', '2');
        return send(res, 429, failure.body ?? { message: 'You are being rate limited.', retry_after: 1.5, global: false });
      }
      return send(res, failure.status, failure.body ?? { message: 'Internal Server Error', code: 0 });
    }
    if (req.headers.authorization !== `Bot ${token}`) return send(res, 401, { message: '401: Unauthorized', code: 0 });
    if (!/^DiscordBot \(\S+, \S+\)$/.test(req.headers['user-agent'] ?? '')) return send(res, 400, { message: 'User-Agent must be DiscordBot ($url, $versionNumber)', code: 0 });
    if (req.method !== 'POST') return send(res, 405, { message: '405: Method Not Allowed', code: 0 });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 400, { message: 'Content-Type must be application/json', code: 50035 });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === `${API_PREFIX}/users/@me/channels`) return createDm(res, body);
    const match = new RegExp(`^${API_PREFIX}/channels/(\\d+)/messages$`).exec(path);
    if (match) return createMessage(res, match[1] as string, body);
    return send(res, 404, { message: '404: Not Found', code: 0 });
  }

  function createDm(res: ServerResponse, body: Record<string, unknown>): void {
    const recipient = body.recipient_id;
    if (typeof recipient !== 'string' || !/^\d{17,20}$/.test(recipient)) return invalid(res, { recipient_id: 'Value "' + String(recipient) + '" is not snowflake.' });
    if (unknownUsers.has(recipient)) return send(res, 404, { message: 'Unknown User', code: 10013 });
    let channelId = [...channels].find(([, user]) => user === recipient)?.[0];
    if (!channelId) {
      channelId = nextId();
      channels.set(channelId, recipient);
    }
    send(res, 200, { id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user${recipient.slice(-4)}`, discriminator: '0', global_name: null }] });
  }

  function createMessage(res: ServerResponse, channelId: string, body: Record<string, unknown>): void {
    const recipient = channels.get(channelId);
    if (!recipient) return send(res, 404, { message: 'Unknown Channel', code: 10003 });
    const problem = messageProblem(body);
    if (problem) return invalid(res, problem);
    if (closedDms.has(recipient)) return send(res, 403, { message: 'Cannot send messages to this user', code: 50007 });
    const nonce = typeof body.nonce === 'string' ? body.nonce : null;
    const existing = nonce !== null && body.enforce_nonce === true ? messages.find((m) => m.channelId === channelId && m.nonce === nonce) : undefined;
    const message: DiscordMessage = existing ?? {
      id: nextId(),
      channelId,
      recipient,
      content: (body.content as string | undefined) ?? '',
      embeds: (body.embeds as DiscordMessage['embeds'] | undefined) ?? [],
      components: (body.components as DiscordMessage['components'] | undefined) ?? [],
      nonce,
    };
    if (!existing) messages.push(message);
    send(res, 200, { id: message.id, channel_id: channelId, type: 0, content: message.content, embeds: message.embeds, components: message.components, nonce: message.nonce, author: { id: '1180000000000000000', username: 'firebreak', bot: true }, timestamp: new Date(0).toISOString() });
  }

  const server = await startFakeHttp((req, res, raw) => {
    try {
      handle(req, res, raw);
    } catch (error) {
      send(res, 500, { message: String(error), code: 0 });
    }
  });
  return {
    url: `${server.url}${API_PREFIX}`,
    token,
    messages,
    closedDms,
    unknownUsers,
    failNext: (status, body) => failures.add({ status, ...(body ? { body } : {}) }),
    clear() {
      messages.length = 0;
      failures.clear();
      closedDms.clear();
      unknownUsers.clear();
    },
    close: server.close,
  };
}

const isHttpUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v);
const ALLOWED_KEYS = new Set(['content', 'nonce', 'tts', 'embeds', 'allowed_mentions', 'message_reference', 'components', 'sticker_ids', 'flags', 'enforce_nonce', 'poll', 'attachments']);

/** Discord's checks on a Create Message body, as `errors` paths. */
function messageProblem(body: Record<string, unknown>): Record<string, string> | null {
  const unknown = Object.keys(body).filter((k) => !ALLOWED_KEYS.has(k));
  if (unknown.length > 0) return { [unknown[0] as string]: 'unknown field' };
  const content = body.content;
  const embeds = body.embeds;
  if (content !== undefined && (typeof content !== 'string' || content.length > 2000)) return { content: 'Must be 2000 or fewer in length.' };
  if (!content && (!Array.isArray(embeds) || embeds.length === 0)) return { _errors: 'Cannot send an empty message' };
  if (embeds !== undefined) {
    if (!Array.isArray(embeds) || embeds.length > 10) return { embeds: 'Must be 10 or fewer in length.' };
    for (const embed of embeds as Array<Record<string, unknown>>) {
      if (embed.title !== undefined && (typeof embed.title !== 'string' || embed.title.length > 256)) return { 'embeds.0.title': 'Must be 256 or fewer in length.' };
      if (embed.url !== undefined && !isHttpUrl(embed.url)) return { 'embeds.0.url': 'Not a well formed URL.' };
      const fields = (embed.fields ?? []) as Array<Record<string, unknown>>;
      if (fields.length > 25) return { 'embeds.0.fields': 'Must be 25 or fewer in length.' };
      for (const field of fields) {
        if (typeof field.name !== 'string' || field.name.length === 0 || field.name.length > 256) return { 'embeds.0.fields.name': 'Must be between 1 and 256 in length.' };
        if (typeof field.value !== 'string' || field.value.length === 0 || field.value.length > 1024) return { 'embeds.0.fields.value': 'Must be between 1 and 1024 in length.' };
      }
    }
  }
  if (body.nonce !== undefined && (typeof body.nonce !== 'string' || body.nonce.length > 25)) return { nonce: 'Must be 25 or fewer in length.' };
  if (body.components !== undefined) {
    const rows = body.components as Array<Record<string, unknown>>;
    if (!Array.isArray(rows) || rows.length > 5) return { components: 'Must be 5 or fewer in length.' };
    for (const row of rows) {
      if (row.type !== 1 || !Array.isArray(row.components) || row.components.length === 0 || row.components.length > 5) return { 'components.0': 'An action row (type 1) holds 1–5 components' };
      for (const button of row.components as Array<Record<string, unknown>>) {
        if (button.type !== 2) return { 'components.0.components.0.type': 'Only buttons are checked by this fake' };
        if (typeof button.label !== 'string' || button.label.length === 0 || button.label.length > 80) return { 'components.0.components.0.label': 'Must be between 1 and 80 in length.' };
        if (button.style === 5) {
          if (!isHttpUrl(button.url) || button.custom_id !== undefined) return { 'components.0.components.0.url': 'A link button (style 5) has a url and no custom_id' };
        } else if (typeof button.custom_id !== 'string' || button.url !== undefined) return { 'components.0.components.0.custom_id': 'A non-link button has a custom_id and no url' };
      }
    }
  }
  return null;
}

function invalid(res: ServerResponse, errors: Record<string, string>): void {
  send(res, 400, { message: 'Invalid Form Body', code: 50035, errors });
}
