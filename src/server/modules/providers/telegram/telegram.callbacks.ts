import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { InboundAction, InboundOutcome } from '../../paging/inbound.js';
import { callbackPath, type CallbackDeps } from '../callbacks.js';
import { TELEGRAM_API_URL, TELEGRAM_CALLBACK, TelegramApi, telegramKeyboard } from './telegram.api.js';

/** The header Telegram sends the webhook's `secret_token` in (core.telegram.org/bots/api#setwebhook). */
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Updates are small; a message with a long text and its entities stays far below this. */
const BODY_LIMIT = 128 * 1024;

const userSchema = z.object({ id: z.number().int(), username: z.string().optional(), first_name: z.string().optional() });
const messageSchema = z.object({
  message_id: z.number().int(),
  chat: z.object({ id: z.number().int() }),
  from: userSchema.optional(),
  text: z.string().optional(),
  entities: z.array(z.record(z.string(), z.unknown())).optional(),
});
/** The parts of an Update Firebreak reads; every other kind of update is answered 200 and ignored. */
const updateSchema = z.object({
  update_id: z.number().int(),
  message: messageSchema.optional(),
  callback_query: z.object({ id: z.string().min(1), from: userSchema, message: messageSchema.optional(), data: z.string().max(64).optional() }).optional(),
});
type Update = z.infer<typeof updateSchema>;

const ACTIONS: Record<string, InboundAction> = { [TELEGRAM_CALLBACK.acknowledge]: 'acknowledge', [TELEGRAM_CALLBACK.resolve]: 'resolve' };
const CALLBACK_DATA = /^(ack|res):([0-9A-HJKMNP-TV-Z]{26})$/;

/** Deps plus whether the replies to Telegram (to a fake's 127.0.0.1 in tests) may reach private addresses. */
export type TelegramCallbackDeps = CallbackDeps & { allowPrivate?: boolean };

/** Compares the header with the secret in constant time (digests first, so lengths do not leak either). */
export function telegramSecretMatches(header: string | string[] | undefined, secret: string): boolean {
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined || secret === '') return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/**
 * The Telegram bot's webhook (`/integrations/providers/telegram/<id>/updates`, the URL given to
 * `setWebhook` with `secret_token`). Trusted only when `X-Telegram-Bot-Api-Secret-Token` equals the
 * provider's webhook secret (401 otherwise; nothing read or changed). It handles:
 *
 * - a press on Acknowledge or Resolve (`callback_query`, data `ack:<alert id>` / `res:<alert id>`): the
 *   Telegram user is matched to a Firebreak person by a verified Telegram contact method with their user
 *   id (or, in a group, the chat's id) and acts as them ("@ana via Telegram"); the button press is
 *   answered and the message edited to say "Acknowledged by @ana" with the buttons still useful;
 * - `/start`: the bot answers with the chat id, which the person enters as their contact method.
 *
 * Replies to Telegram are awaited before answering (a few hundred milliseconds; Telegram waits far
 * longer), and their failures are logged, not returned: a non-2xx answer makes Telegram redeliver.
 * Buttons keep working while the provider is disabled, so pages already sent can still be answered.
 */
export function telegramCallbacks(deps: TelegramCallbackDeps): FastifyPluginAsync {
  return async (app) => {
    const config = { rateLimit: { max: deps.ratePerMinute, timeWindow: 60_000 } };

    app.post<{ Params: { id: string } }>(callbackPath('telegram', ':id', 'updates'), { config, bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const provider = await deps.providers.configOf(request.params.id);
      if (!provider || provider.kind !== 'telegram') return reply.status(404).send({ error: 'No Telegram provider has this id' });
      const secret = provider.config.secrets.webhookSecret;
      if (typeof secret !== 'string' || !telegramSecretMatches(request.headers[TELEGRAM_SECRET_HEADER], secret)) {
        deps.logger.warn({ provider: provider.config.name }, 'refused a Telegram update: wrong or missing secret token');
        return reply.status(401).send({ error: 'The X-Telegram-Bot-Api-Secret-Token header does not match the provider’s webhook secret' });
      }
      const parsed = updateSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(200).send();
      const settings = provider.config.settings as { apiUrl?: string };
      const botToken = provider.config.secrets.botToken;
      if (typeof botToken !== 'string' || botToken === '') return reply.status(200).send();
      const api = new TelegramApi({ apiUrl: settings.apiUrl ?? TELEGRAM_API_URL, botToken, allowPrivate: deps.allowPrivate ?? false, timeoutMs: 5_000 });
      const call = async (method: string, params: Record<string, unknown>) => {
        try {
          await api.call(method, params);
        } catch (error) {
          deps.logger.warn({ provider: provider.config.name, err: error }, `Telegram refused ${method} in answer to an update`);
        }
      };
      const update = parsed.data;
      if (update.callback_query) await onButton(deps, update.callback_query, call, { requestId: String(request.id), ip: request.ip ?? null });
      else if (update.message && /^\/start(@\w+)?(\s|$)/.test(update.message.text ?? '')) await onStart(update.message, call);
      return reply.status(200).send();
    });
  };
}

type Call = (method: string, params: Record<string, unknown>) => Promise<void>;
type CallbackQuery = NonNullable<Update['callback_query']>;

async function onStart(message: NonNullable<Update['message']>, call: Call): Promise<void> {
  const chatId = message.chat.id;
  await call('sendMessage', {
    chat_id: chatId,
    parse_mode: 'HTML',
    text: `Your Telegram chat ID is <code>${chatId}</code>.\n\nIn Firebreak, open your profile → Contact methods → Add → Telegram and enter this number. Firebreak sends a verification code to this chat; pages arrive here with Acknowledge and Resolve buttons.`,
  });
}

async function onButton(deps: TelegramCallbackDeps, query: CallbackQuery, call: Call, context: { requestId: string; ip: string | null }): Promise<void> {
  const match = CALLBACK_DATA.exec(query.data ?? '');
  if (!match) return call('answerCallbackQuery', { callback_query_id: query.id });
  const action = ACTIONS[match[1] as string] as InboundAction;
  const alertId = match[2] as string;
  const person =
    (await deps.inbound.userByAddress('telegram', String(query.from.id))) ?? (query.message ? await deps.inbound.userByAddress('telegram', String(query.message.chat.id)) : null);
  if (!person) {
    return call('answerCallbackQuery', {
      callback_query_id: query.id,
      show_alert: true,
      // Telegram shows at most 200 characters here.
      text: 'Firebreak does not know this Telegram account; nothing was changed. Send /start to this bot and add the chat ID it answers with as your Telegram contact method in Firebreak.',
    });
  }
  const outcome = await deps.inbound.act({ userId: person.id, alertRef: alertId, action, via: 'Telegram', requestId: context.requestId, ip: context.ip });
  await call('answerCallbackQuery', { callback_query_id: query.id, text: answerText(outcome, action) });
  if (outcome.kind === 'not-found' || !query.message) return;
  const markup = telegramKeyboard(outcome.alert.id, outcome.alert.status);
  if (outcome.kind === 'done' && query.message.text !== undefined) {
    // Appending keeps the original entities' UTF-16 offsets valid, so the bold subject and the link stay.
    const said = `${action === 'acknowledge' ? '✅ Acknowledged' : '☑️ Resolved'} by @${person.handle}`;
    await call('editMessageText', {
      chat_id: query.message.chat.id,
      message_id: query.message.message_id,
      text: `${query.message.text}\n\n${said}`,
      ...(query.message.entities ? { entities: query.message.entities } : {}),
      link_preview_options: { is_disabled: true },
      reply_markup: markup,
    });
  } else {
    await call('editMessageReplyMarkup', { chat_id: query.message.chat.id, message_id: query.message.message_id, reply_markup: markup });
  }
}

function answerText(outcome: InboundOutcome, action: InboundAction): string {
  if (outcome.kind === 'not-found') return 'Firebreak no longer has this alert; nothing was changed.';
  if (outcome.kind === 'unchanged') return `Alert #${outcome.alert.number} is already ${outcome.alert.status}; nothing was changed.`;
  return `${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'} alert #${outcome.alert.number}`;
}
