import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { TelegramApi, TelegramApiError, telegramEscape, telegramKeyboard, type TelegramApiOptions } from './telegram.api.js';

/** Telegram allows 4096 characters after entities are parsed; leave room for the subject and the link. */
const MAX_TEXT = 3800;

/**
 * Pages by Telegram bot message (docs/providers.md): the chat is the one the person opened with the bot
 * (`/start` answers with its id). Pages carry Acknowledge and Resolve buttons whose presses come back
 * to Firebreak's verified webhook (`telegram.callbacks.ts`). Telegram has no idempotency key, so a
 * retried send after a lost answer can show twice; the chat shows both, which is harmless.
 */
export class TelegramChannel implements Channel {
  readonly type = 'telegram' as const;
  private readonly api: TelegramApi;

  constructor(options: TelegramApiOptions) {
    this.api = new TelegramApi(options);
  }

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'telegram') throw new ChannelError('unreachable', true);
    const chatId = message.to.handle;
    try {
      const sent = await this.api.call<{ message_id: number; chat: { id: number } }>('sendMessage', telegramMessage(chatId, message), options.signal);
      return { providerMessageId: `${sent.chat.id}:${sent.message_id}` };
    } catch (error) {
      if (error instanceof TelegramApiError) throw telegramError(error, chatId);
      throw error;
    }
  }
}

/**
 * What a refused `sendMessage` means (core.telegram.org/bots/api, "Making requests"; descriptions as the
 * Bot API words them). A chat that does not exist, a bot the person blocked or that was removed from the
 * group: permanent. Flood control (429 with `retry_after`), Telegram's own failures and no answer:
 * transient. A refused bot token (401) or one that is gone (404): the provider's trouble, transient so
 * failover moves on and this provider's health shows it.
 */
export function telegramError(error: TelegramApiError, chatId: string): ChannelError {
  const { errorCode: code, description } = error;
  if (code === null) return new ChannelError(error.message, false, { cause: error });
  if (code === 429) return new ChannelError(`Telegram flood control${error.retryAfter !== null ? ` (retry after ${error.retryAfter} s)` : ''}: ${description}`, false, { cause: error });
  if (code >= 500) return new ChannelError(`Telegram failed (${code}): ${description}`, false, { cause: error });
  if (code === 401 || code === 404) return new ChannelError(`Telegram refused the bot token (${code} ${description}): check the provider's botToken`, false, { cause: error });
  if (error.migrateToChatId !== null) return new ChannelError(`Telegram chat ${chatId} became a supergroup: its new chat ID is ${error.migrateToChatId}; update the contact method`, true, { cause: error });
  if (code === 403) return new ChannelError(`Telegram will not deliver to chat ${chatId} (403 ${description}): the person must open the bot and press Start again`, true, { cause: error });
  if (/chat not found/i.test(description)) return new ChannelError(`Telegram has no chat ${chatId} for this bot (400 ${description}): the person must send /start to the bot and use the chat ID it answers with`, true, { cause: error });
  return new ChannelError(`Telegram refused the message to chat ${chatId} (${code} ${description})`, true, { cause: error });
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * The `sendMessage` parameters: the subject in bold, a blank line, the text, in HTML parse mode (every
 * part escaped). A page adds a link to the alert and, unless resolved or a shadow copy, its buttons. Test
 * pages and shadow copies are sent silently (`disable_notification`): they must never ring like a page.
 */
export function telegramMessage(chatId: string, message: ChannelMessage): Record<string, unknown> {
  const page = message.page;
  let html = `<b>${telegramEscape(message.subject)}</b>\n\n${telegramEscape(clip(message.text, MAX_TEXT))}`;
  if (page) html += `\n\n<a href="${telegramEscape(page.url)}">Open #${page.alertNumber} in Firebreak</a>`;
  const params: Record<string, unknown> = { chat_id: chatId, text: html, parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
  if (page?.test || page?.shadow) params.disable_notification = true;
  if (page && !page.shadow && page.status !== 'resolved') params.reply_markup = telegramKeyboard(page.alertId, page.status);
  return params;
}
