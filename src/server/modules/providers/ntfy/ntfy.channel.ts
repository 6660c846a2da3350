import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';

export interface NtfyChannelOptions {
  /** `https://ntfy.sh` or a self-hosted server. */
  serverUrl: string;
  /** An access token (`tk_…`) for servers that restrict topics. */
  accessToken?: string;
  allowPrivate: boolean;
  timeoutMs?: number;
}

/** ntfy turns a longer message into an attachment (server default `message-size-limit` 4096 bytes). */
const MAX_MESSAGE_BYTES = 4000;

/**
 * Pages through an ntfy server (docs/providers.md), published as JSON to the server's root URL, the
 * form of ntfy's publishing API that carries actions and non-ASCII titles without header encoding.
 * ntfy has no callback: the Acknowledge and Resolve buttons are `http` actions that POST to the
 * recipient's signed one-click URLs, which act on POST and need no body.
 */
export class NtfyChannel implements Channel {
  readonly type = 'ntfy' as const;

  constructor(private readonly options: NtfyChannelOptions) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'ntfy') throw new ChannelError('unreachable', true);
    const headers: Record<string, string> = this.options.accessToken ? { authorization: `Bearer ${this.options.accessToken}` } : {};
    let answer;
    try {
      answer = await outboundRequest(
        `${this.options.serverUrl.replace(/\/+$/, '')}/`,
        { method: 'POST', body: JSON.stringify(ntfyMessage(message.to.topic, message)), contentType: 'application/json' },
        { allowPrivate: this.options.allowPrivate, headers, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) },
      );
    } catch (error) {
      if (error instanceof OutboundRefused) throw new ChannelError(`ntfy server URL refused: ${error.message}`, true, { cause: error });
      throw new ChannelError(`Could not reach the ntfy server: ${(error as Error).message}`, false, { cause: error });
    }
    const body = parseJson(answer.body);
    if (answer.status >= 200 && answer.status < 300) {
      if (typeof body?.id !== 'string') throw new ChannelError(`The ntfy server accepted the message but answered without an id (HTTP ${answer.status})`, false);
      return { providerMessageId: body.id };
    }
    throw ntfyError(answer.status, body);
  }
}

/**
 * ntfy's errors are `{code, http, error, link}` (code 40301 forbidden, 42901 too many requests…).
 * A refused topic does not pass by retrying (permanent); rate limits (429), server trouble (5xx, 507
 * out of storage) and a refused token are the provider's (transient). The topic is a credential on public servers, so it is not repeated in the message.
 */
export function ntfyError(status: number, body: Record<string, unknown> | null): ChannelError {
  const detail = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  const code = typeof body?.code === 'number' ? ` ${body.code}` : '';
  if (status === 429) return new ChannelError(`The ntfy server rate-limited Firebreak (429${code}): ${detail}`, false);
  if (status >= 500) return new ChannelError(`The ntfy server failed (HTTP ${status}${code}): ${detail}`, false);
  // A refused token is the provider's fault: not permanent, so failover moves on and health records it.
  if (status === 401) return new ChannelError(`The ntfy server refused the access token (401${code}): check the provider's accessToken`, false);
  if (status === 403) return new ChannelError(`The ntfy server forbids publishing to this topic (403${code}): the access token may not write to it`, true);
  return new ChannelError(`The ntfy server refused the message (HTTP ${status}${code}): ${detail}`, true);
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let cut = text.slice(0, max);
  while (Buffer.byteLength(cut) > max - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * ntfy's priority (1 min … 5 max/urgent): a real page is urgent (it breaks through Do Not Disturb on
 * Android when the person allows it); a test or shadow copy must never ring like a page, so it is low.
 */
export function ntfyPriority(message: ChannelMessage): number {
  const page = message.page;
  if (message.kind === 'test' || page?.test || page?.shadow) return 2;
  if (message.kind === 'page' && page && page.status !== 'resolved') return 5;
  return 3;
}

/** The JSON body for `POST /` (ntfy docs, "Publish as JSON"). */
export function ntfyMessage(topic: string, message: ChannelMessage): Record<string, unknown> {
  const page = message.page;
  const body: Record<string, unknown> = { topic, title: message.subject, message: clipBytes(message.text, MAX_MESSAGE_BYTES), priority: ntfyPriority(message) };
  const tags: string[] = [];
  if (page) {
    tags.push(page.status === 'resolved' ? 'white_check_mark' : page.test ? 'test_tube' : 'rotating_light', `severity-${page.severity}`.slice(0, 64));
    body.click = page.url;
    const actions: Record<string, unknown>[] = [];
    if (page.actions && page.status !== 'resolved' && !page.shadow) {
      actions.push({ action: 'http', label: 'Acknowledge', url: page.actions.acknowledge, method: 'POST', clear: true });
      actions.push({ action: 'http', label: 'Resolve', url: page.actions.resolve, method: 'POST', clear: true });
    }
    actions.push({ action: 'view', label: `Open #${page.alertNumber}`, url: page.url });
    body.actions = actions;
  } else if (message.kind === 'test') {
    tags.push('test_tube');
  }
  if (tags.length > 0) body.tags = tags;
  return body;
}
