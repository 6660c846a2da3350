import { randomBytes } from 'node:crypto';
import { FailureQueue, sendJson as send, startFakeHttp, type FakeHttp } from './fake-http.js';

export interface TelegramEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

export interface TelegramUser {
  id: number;
  first_name: string;
  username?: string;
}

type Button = { text: string; callback_data?: string; url?: string };

/** One message in a chat, as Telegram keeps it (plain text plus entities), with its edits applied. */
export interface TelegramMessage {
  chatId: number;
  messageId: number;
  text: string;
  entities: TelegramEntity[];
  keyboard: Button[][];
  silent: boolean;
  /** How many times the bot edited it. */
  edits: number;
}

export interface FakeTelegram {
  url: string;
  token: string;
  /** Every message the bot sent, by chat, in order. */
  messages: TelegramMessage[];
  /** Every answerCallbackQuery, in order. */
  answers: Array<{ callbackQueryId: string; text?: string; showAlert: boolean }>;
  /** Chats that exist for this bot (a person pressed Start). Others answer 400 "chat not found". */
  chats: Set<number>;
  /** Chats whose person blocked the bot: 403 "bot was blocked by the user". */
  blocked: Set<number>;
  /** What setWebhook registered. */
  webhook: { url: string; secretToken: string | undefined } | null;
  /** How updates reach the webhook; default a real HTTP POST (tests of an in-process app use inject). */
  transport: (url: string, headers: Record<string, string>, body: string) => Promise<number>;
  /** The next Bot API call fails with this error code and description. */
  failNext(errorCode: number, description: string, parameters?: Record<string, unknown>): void;
  /** A person sends /start to the bot: the chat opens and the update goes to the webhook. Returns the HTTP status. */
  sendStart(user: TelegramUser): Promise<number>;
  /**
   * A person presses the button labelled `label` under a bot message: posts a `callback_query` update to
   * the webhook with the registered secret (or `secret` when given). Returns the webhook's HTTP status.
   */
  pressButton(input: { message: TelegramMessage; label: string; from: TelegramUser; secret?: string | null }): Promise<number>;
  clear(): void;
  close(): Promise<void>;
}

const BOT: TelegramUser & { is_bot: true } = { id: 7_000_000_001, is_bot: true, first_name: 'Firebreak', username: 'firebreak_test_bot' };
const SEND_PARAMS = new Set(['chat_id', 'text', 'parse_mode', 'entities', 'reply_markup', 'disable_notification', 'link_preview_options', 'protect_content', 'message_thread_id', 'reply_parameters']);

class BadRequest extends Error {
  constructor(
    readonly code: number,
    description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

/**
 * A local Telegram Bot API (core.telegram.org/bots/api) for tests: `POST /bot<token>/<method>` with a
 * JSON body, answering `{ok: true, result}` or `{ok: false, error_code, description, parameters?}`.
 * It parses HTML parse mode as Telegram does (supported tags only, `<`, `>`, `&` escaped, entities with
 * UTF-16 offsets; anything else is "can't parse entities"), checks inline keyboards (1–64-byte
 * `callback_data`), keeps messages so they can be edited, refuses an unchanged edit ("message is not
 * modified") and an unknown callback query id. It also plays the Telegram side of the webhook: after
 * `setWebhook` (HTTPS URL, `secret_token` 1–256 of `A-Za-z0-9_-`) it posts updates with the
 * `X-Telegram-Bot-Api-Secret-Token` header.
 */
export async function startFakeTelegram(options: { token?: string } = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456789:AAEfirebreak-test-token_0123456789';
  const messages: TelegramMessage[] = [];
  const answers: FakeTelegram['answers'] = [];
  const chats = new Set<number>();
  const blocked = new Set<number>();
  const pendingQueries = new Set<string>();
  const failures = new FailureQueue<BadRequest>();
  let updateId = 500_000;
  let date = 1_793_613_600;

  const fake: FakeTelegram = {
    url: '',
    token,
    messages,
    answers,
    chats,
    blocked,
    webhook: null,
    transport: async (url, headers, body) => (await fetch(url, { method: 'POST', headers, body })).status,
    failNext: (code, description, parameters) => failures.add(new BadRequest(code, description, parameters)),
    async sendStart(user) {
      chats.add(user.id);
      return deliver({ update_id: ++updateId, message: { message_id: nextMessageId(user.id), from: { ...user, is_bot: false }, chat: { id: user.id, type: 'private', first_name: user.first_name }, date: ++date, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] } });
    },
    async pressButton({ message, label, from, secret }) {
      const button = message.keyboard.flat().find((b) => b.text === label);
      if (!button?.callback_data) throw new Error(`The message has no callback button labelled ${label}: ${JSON.stringify(message.keyboard)}`);
      const id = randomBytes(8).readBigUInt64BE().toString();
      pendingQueries.add(id);
      const update = {
        update_id: ++updateId,
        callback_query: { id, from: { ...from, is_bot: false }, message: messageJson(message), chat_instance: '-4242', data: button.callback_data },
      };
      return deliver(update, secret);
    },
    clear() {
      messages.length = 0;
      answers.length = 0;
      failures.clear();
      chats.clear();
      blocked.clear();
      pendingQueries.clear();
    },
    close: () => server.close(),
  };

  const counters = new Map<number, number>();
  /** Message ids count up per chat, shared by the person's messages and the bot's, as in Telegram. */
  function nextMessageId(chatId: number): number {
    const next = (counters.get(chatId) ?? 1000) + 1;
    counters.set(chatId, next);
    return next;
  }

  async function deliver(update: unknown, secret?: string | null): Promise<number> {
    if (!fake.webhook) throw new Error('setWebhook was not called');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = secret === undefined ? fake.webhook.secretToken : secret;
    if (token !== undefined && token !== null) headers['x-telegram-bot-api-secret-token'] = token;
    return fake.transport(fake.webhook.url, headers, JSON.stringify(update));
  }

  function messageJson(m: TelegramMessage): Record<string, unknown> {
    return {
      message_id: m.messageId,
      from: BOT,
      chat: { id: m.chatId, type: m.chatId < 0 ? 'group' : 'private' },
      date,
      text: m.text,
      ...(m.entities.length > 0 ? { entities: m.entities } : {}),
      ...(m.keyboard.length > 0 ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
    };
  }

  const methods: Record<string, (p: Record<string, unknown>) => unknown> = {
    getMe: () => BOT,
    setWebhook(p) {
      if (typeof p.url !== 'string' || !/^https:\/\/[^/\s]+(:(443|80|88|8443))?\//.test(p.url)) throw new BadRequest(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      if (p.secret_token !== undefined && (typeof p.secret_token !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(p.secret_token))) throw new BadRequest(400, 'Bad Request: secret token contains unallowed characters');
      fake.webhook = { url: p.url, secretToken: p.secret_token as string | undefined };
      return true;
    },
    sendMessage(p) {
      const unknown = Object.keys(p).find((k) => !SEND_PARAMS.has(k));
      if (unknown) throw new BadRequest(400, `Bad Request: unexpected parameter ${unknown} (this fake refuses parameters Telegram does not document)`);
      const chatId = chatOf(p.chat_id);
      const { text, entities } = formatted(p);
      const keyboard = keyboardOf(p.reply_markup);
      if (blocked.has(chatId)) throw new BadRequest(403, 'Forbidden: bot was blocked by the user');
      if (!chats.has(chatId)) throw new BadRequest(400, 'Bad Request: chat not found');
      const message: TelegramMessage = { chatId, messageId: nextMessageId(chatId), text, entities, keyboard, silent: p.disable_notification === true, edits: 0 };
      messages.push(message);
      return messageJson(message);
    },
    answerCallbackQuery(p) {
      const id = String(p.callback_query_id ?? '');
      if (!pendingQueries.delete(id)) throw new BadRequest(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      if (p.text !== undefined && (typeof p.text !== 'string' || p.text.length > 200)) throw new BadRequest(400, 'Bad Request: MESSAGE_TOO_LONG');
      answers.push({ callbackQueryId: id, ...(typeof p.text === 'string' ? { text: p.text } : {}), showAlert: p.show_alert === true });
      return true;
    },
    editMessageText(p) {
      const message = existing(p);
      const { text, entities } = formatted(p);
      const keyboard = p.reply_markup === undefined ? [] : keyboardOf(p.reply_markup);
      if (text === message.text && JSON.stringify(entities) === JSON.stringify(message.entities) && JSON.stringify(keyboard) === JSON.stringify(message.keyboard)) {
        throw new BadRequest(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
      }
      Object.assign(message, { text, entities, keyboard, edits: message.edits + 1 });
      return messageJson(message);
    },
    editMessageReplyMarkup(p) {
      const message = existing(p);
      const keyboard = p.reply_markup === undefined ? [] : keyboardOf(p.reply_markup);
      if (JSON.stringify(keyboard) === JSON.stringify(message.keyboard)) throw new BadRequest(400, 'Bad Request: message is not modified');
      Object.assign(message, { keyboard, edits: message.edits + 1 });
      return messageJson(message);
    },
  };

  function existing(p: Record<string, unknown>): TelegramMessage {
    const chatId = chatOf(p.chat_id);
    const message = messages.find((m) => m.chatId === chatId && m.messageId === p.message_id);
    if (!message) throw new BadRequest(400, 'Bad Request: message to edit not found');
    return message;
  }

  const server: FakeHttp = await startFakeHttp((req, res, raw) => {
    try {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      if (!match) throw new BadRequest(404, 'Not Found');
      if (match[1] !== token) throw new BadRequest(401, 'Unauthorized');
      const failure = failures.take();
      if (failure) throw failure;
      const method = methods[match[2] as string];
      if (!method) throw new BadRequest(404, 'Not Found: method not found');
      if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json')) throw new BadRequest(400, 'Bad Request: this fake takes JSON bodies only, as Firebreak sends them');
      let params: Record<string, unknown>;
      try {
        params = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new BadRequest(400, 'Bad Request: invalid JSON');
      }
      send(res, 200, { ok: true, result: method(params) });
    } catch (error) {
      if (!(error instanceof BadRequest)) return send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      send(res, error.code, { ok: false, error_code: error.code, description: error.message, ...(error.parameters ? { parameters: error.parameters } : {}) });
    }
  });
  fake.url = server.url;
  return fake;
}

function chatOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
  throw new BadRequest(400, 'Bad Request: chat_id is empty or not a chat identifier');
}

function formatted(p: Record<string, unknown>): { text: string; entities: TelegramEntity[] } {
  if (typeof p.text !== 'string' || p.text.length === 0) throw new BadRequest(400, 'Bad Request: message text is empty');
  let result: { text: string; entities: TelegramEntity[] };
  if (p.parse_mode === 'HTML') {
    if (p.entities !== undefined) throw new BadRequest(400, 'Bad Request: give parse_mode or entities, not both');
    result = parseHtml(p.text);
  } else if (p.parse_mode === undefined) {
    result = { text: p.text, entities: (p.entities as TelegramEntity[] | undefined) ?? [] };
    for (const e of result.entities) {
      if (!Number.isInteger(e.offset) || !Number.isInteger(e.length) || e.offset < 0 || e.offset + e.length > result.text.length) throw new BadRequest(400, "Bad Request: can't parse entities: entity out of the text");
    }
  } else throw new BadRequest(400, `Bad Request: unsupported parse_mode ${String(p.parse_mode)} (this fake knows HTML)`);
  if (result.text.trim().length === 0) throw new BadRequest(400, 'Bad Request: message text is empty');
  if (result.text.length > 4096) throw new BadRequest(400, 'Bad Request: message is too long');
  return result;
}

function keyboardOf(markup: unknown): Button[][] {
  if (markup === undefined) return [];
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(rows)) throw new BadRequest(400, "Bad Request: can't parse reply keyboard markup JSON object");
  for (const row of rows) {
    if (!Array.isArray(row)) throw new BadRequest(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays');
    for (const b of row as Button[]) {
      if (typeof b.text !== 'string' || b.text.length === 0) throw new BadRequest(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
      const kinds = ['callback_data', 'url'].filter((k) => (b as Record<string, unknown>)[k] !== undefined);
      if (kinds.length !== 1) throw new BadRequest(400, 'Bad Request: an inline keyboard button needs exactly one of callback_data, url, …');
      if (b.callback_data !== undefined && (typeof b.callback_data !== 'string' || Buffer.byteLength(b.callback_data) < 1 || Buffer.byteLength(b.callback_data) > 64)) throw new BadRequest(400, 'Bad Request: BUTTON_DATA_INVALID');
      if (b.url !== undefined && !/^(https?|tg):\/\/\S+$/.test(b.url)) throw new BadRequest(400, 'Bad Request: BUTTON_URL_INVALID');
    }
  }
  return rows as Button[][];
}

const TAGS: Record<string, string> = { b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline', s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', code: 'code', pre: 'pre', a: 'text_link', blockquote: 'blockquote', 'tg-spoiler': 'spoiler' };
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Telegram's HTML parse mode: text and entities, offsets in UTF-16 code units as the Bot API counts them. */
export function parseHtml(html: string): { text: string; entities: TelegramEntity[] } {
  let text = '';
  const entities: TelegramEntity[] = [];
  const open: Array<{ tag: string; offset: number; url?: string }> = [];
  let i = 0;
  const fail = (why: string) => {
    throw new BadRequest(400, `Bad Request: can't parse entities: ${why} at byte offset ${Buffer.byteLength(html.slice(0, i))}`);
  };
  const decode = (raw: string) =>
    raw.replace(/&([a-z]+|#\d+|#x[0-9a-f]+);|&/gi, (all, name: string | undefined) => {
      if (name === undefined) fail('Unescaped &');
      if (name!.startsWith('#x') || name!.startsWith('#X')) return String.fromCodePoint(parseInt(name!.slice(2), 16));
      if (name!.startsWith('#')) return String.fromCodePoint(Number(name!.slice(1)));
      const named = NAMED[name!.toLowerCase()];
      if (named === undefined) fail(`Unsupported HTML entity ${all}`);
      return named!;
    });
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (html.indexOf('>', i) !== -1 && (lt === -1 || html.indexOf('>', i) < lt)) fail('Unescaped >');
    if (lt === -1) {
      text += decode(html.slice(i));
      break;
    }
    text += decode(html.slice(i, lt));
    i = lt;
    const end = html.indexOf('>', lt);
    if (end === -1) fail('Unclosed start tag');
    const inner = html.slice(lt + 1, end);
    const closing = /^\/([a-z-]+)$/i.exec(inner);
    if (closing) {
      const top = open.pop();
      if (!top || top.tag !== closing[1]!.toLowerCase()) fail(`Can't find end tag corresponding to start tag ${top?.tag ?? closing[1]}`);
      const length = text.length - top!.offset;
      if (length > 0) entities.push({ type: TAGS[top!.tag] as string, offset: top!.offset, length, ...(top!.url ? { url: top!.url } : {}) });
    } else {
      const start = /^([a-z-]+)(?:\s+href="([^"]*)")?$/i.exec(inner);
      const tag = start?.[1]?.toLowerCase();
      if (!start || !tag || TAGS[tag] === undefined) fail(`Unsupported start tag "${inner.split(/\s/)[0]}"`);
      if (tag === 'a' && !start![2]) fail('Tag "a" must have an href');
      open.push({ tag: tag!, offset: text.length, ...(start![2] ? { url: decode(start![2]) } : {}) });
    }
    i = end + 1;
  }
  if (open.length > 0) fail(`Can't find end tag corresponding to start tag ${open[open.length - 1]!.tag}`);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset) };
}
