import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';

export const TELEGRAM_API_URL = 'https://api.telegram.org';

export interface TelegramApiOptions {
  /** `https://api.telegram.org`, a local Bot API server, or a fake's URL in tests. */
  apiUrl: string;
  botToken: string;
  allowPrivate: boolean;
  timeoutMs?: number;
}

/**
 * A refused Bot API call: `{ok: false, error_code, description, parameters?}` (core.telegram.org/bots/api,
 * "Making requests"), or no answer at all (`errorCode` null).
 */
export class TelegramApiError extends Error {
  constructor(
    message: string,
    readonly errorCode: number | null,
    readonly description: string,
    readonly retryAfter: number | null,
    readonly migrateToChatId: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TelegramApiError';
  }
}

/**
 * The few Bot API methods Firebreak calls, as JSON POSTs to `<apiUrl>/bot<token>/<method>`. The token is
 * part of the URL, so it is never put in an error message.
 */
export class TelegramApi {
  constructor(private readonly options: TelegramApiOptions) {}

  async call<T = Record<string, unknown>>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/bot${this.options.botToken}/${method}`;
    let answer;
    try {
      answer = await outboundRequest(
        url,
        { method: 'POST', body: JSON.stringify(params), contentType: 'application/json' },
        { allowPrivate: this.options.allowPrivate, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      const reason = error instanceof OutboundRefused ? `the Telegram API URL is refused: ${error.message}` : `could not reach Telegram: ${(error as Error).message}`;
      throw new TelegramApiError(`${method}: ${reason.replaceAll(this.options.botToken, '<token>')}`, null, reason, null, null, { cause: error });
    }
    const body = parseAnswer(answer.body);
    if (body?.ok === true) return body.result as T;
    const errorCode = typeof body?.error_code === 'number' ? body.error_code : answer.status;
    const description = typeof body?.description === 'string' ? body.description : `HTTP ${answer.status}`;
    const retryAfter = typeof body?.parameters?.retry_after === 'number' ? body.parameters.retry_after : null;
    const migrate = typeof body?.parameters?.migrate_to_chat_id === 'number' ? body.parameters.migrate_to_chat_id : null;
    throw new TelegramApiError(`${method}: Telegram answered ${errorCode} ${description}`, errorCode, description, retryAfter, migrate);
  }
}

type BotApiAnswer = { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown } };

function parseAnswer(text: string): BotApiAnswer | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as BotApiAnswer) : null;
  } catch {
    return null;
  }
}

/** Telegram's HTML parse mode needs `<`, `>` and `&` escaped in text, and `"` too inside attributes. */
export function telegramEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Callback data is at most 64 bytes: `ack:` or `res:` and a 26-character ULID fit with room. */
export const TELEGRAM_CALLBACK = { acknowledge: 'ack', resolve: 'res' } as const;

export type TelegramButton = { text: string; callback_data: string } | { text: string; url: string };

/** The buttons a page shows for an alert in this status: none once it is resolved. */
export function telegramKeyboard(alertId: string, status: string): { inline_keyboard: TelegramButton[][] } {
  if (status === 'resolved') return { inline_keyboard: [] };
  const row: TelegramButton[] = [];
  if (status !== 'acknowledged') row.push({ text: 'Acknowledge', callback_data: `${TELEGRAM_CALLBACK.acknowledge}:${alertId}` });
  row.push({ text: 'Resolve', callback_data: `${TELEGRAM_CALLBACK.resolve}:${alertId}` });
  return { inline_keyboard: [row] };
}
