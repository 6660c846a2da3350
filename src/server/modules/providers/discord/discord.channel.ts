import { createHash } from 'node:crypto';
import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type PageContext, type SendResult } from '../../notify/channels/channel.js';

export interface DiscordChannelOptions {
  /** `https://discord.com/api/v10`, or a fake's URL in tests. */
  apiUrl: string;
  botToken: string;
  /** Discord requires `User-Agent: DiscordBot ($url, $version)`; the URL is the instance's. */
  userAgentUrl: string;
  /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: lets tests reach a fake on 127.0.0.1. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

/** Discord's limits (developer docs, "Message Resource" and "Embed Limits"). */
const MAX_CONTENT = 2000;
const MAX_FIELD_VALUE = 1024;
const MAX_NONCE = 25;

/**
 * Direct messages from a Discord bot (docs/providers.md). A bot cannot message a user id directly: it
 * opens (or reopens; Discord answers the same channel) the DM channel first, then posts to it.
 * Discord calls back nothing for DMs here, so the Acknowledge and Resolve buttons are link buttons
 * made from the recipient's own signed one-click URLs (`PageContext.actions`).
 */
export class DiscordChannel implements Channel {
  readonly type = 'discord' as const;

  constructor(private readonly options: DiscordChannelOptions) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'discord') throw new ChannelError('unreachable', true);
    const recipient = message.to.handle;
    const dm = await this.call('/users/@me/channels', { recipient_id: recipient }, recipient, options.signal);
    if (typeof dm.id !== 'string') throw new ChannelError(`Discord opened a DM channel for user ${recipient} without an id`, false);
    const posted = await this.call(`/channels/${encodeURIComponent(dm.id)}/messages`, discordMessage(message), recipient, options.signal);
    if (typeof posted.id !== 'string') throw new ChannelError(`Discord accepted the message to user ${recipient} without a message id`, false);
    return { providerMessageId: posted.id };
  }

  private async call(path: string, body: unknown, recipient: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    let answer;
    try {
      answer = await outboundRequest(
        `${this.options.apiUrl.replace(/\/+$/, '')}${path}`,
        { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' },
        { allowPrivate: this.options.allowPrivate, headers: { authorization: `Bot ${this.options.botToken}`, 'user-agent': `DiscordBot (${this.options.userAgentUrl}, 1.0)` }, ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(signal ? { signal } : {}) },
      );
    } catch (error) {
      if (error instanceof OutboundRefused) throw new ChannelError(`Discord API URL refused: ${error.message}`, true, { cause: error });
      throw new ChannelError(`Could not reach Discord: ${(error as Error).message}`, false, { cause: error });
    }
    const parsed = parseJson(answer.body);
    if (answer.status >= 200 && answer.status < 300) return parsed ?? {};
    throw discordError(answer.status, parsed, recipient);
  }
}

/**
 * What Discord's error answer means for sending again (developer docs, "JSON Error Codes" and "Rate
 * Limits"). The recipient's own settings (DMs closed, no shared server, unknown user) and a wrong bot
 * token do not pass by retrying: permanent, so paging moves on to the person's next contact method at
 * once. Rate limits and Discord's own failures are transient.
 */
export function discordError(status: number, body: Record<string, unknown> | null, recipient: string): ChannelError {
  const code = typeof body?.code === 'number' ? body.code : null;
  const text = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  if (status === 429) {
    const after = typeof body?.retry_after === 'number' ? ` (retry after ${body.retry_after} s)` : '';
    return new ChannelError(`Discord rate-limited the bot${after}: ${text}`, false);
  }
  if (status >= 500) return new ChannelError(`Discord failed (HTTP ${status}): ${text}`, false);
  if (code === 50007) return new ChannelError(`Discord cannot send messages to user ${recipient} (50007): they share no server with the bot or have closed direct messages`, true);
  if (code === 10013) return new ChannelError(`Discord has no user ${recipient} (10013 Unknown User): check the user ID on the contact method`, true);
  // The provider's fault, not the recipient's: not permanent, so failover tries the next provider and
  // this one's health records the failure.
  if (status === 401) return new ChannelError(`Discord refused the bot token (401 Unauthorized): check the provider's botToken`, false);
  if (status === 403) return new ChannelError(`Discord forbade the bot to message user ${recipient} (403${code !== null ? `, code ${code}` : ''}): ${text}`, true);
  return new ChannelError(`Discord refused the message to user ${recipient} (HTTP ${status}${code !== null ? `, code ${code}` : ''}): ${text}`, true);
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The embed's colour by severity, so a critical page stands out in a list of DMs. */
function colour(page: PageContext): number {
  if (page.status === 'resolved') return 0x2e7d32;
  if (page.test || page.shadow) return 0x757575;
  return /crit|sev1|p1|high/i.test(page.severity) ? 0xc62828 : 0xef6c00;
}

/**
 * The body of `POST /channels/{id}/messages`: the text as `content` (what notifications preview), an
 * embed titled with the subject and, for pages, link buttons. `allowed_mentions` is empty so an alert
 * title cannot ping `@everyone`. The idempotency key becomes an enforced `nonce`: Discord returns the
 * earlier message instead of posting a second one when a page is retried within a few minutes.
 */
export function discordMessage(message: ChannelMessage): Record<string, unknown> {
  const page = message.page;
  const embed: Record<string, unknown> = { title: message.subject };
  if (page) {
    embed.url = page.url;
    embed.color = colour(page);
    embed.fields = [
      { name: 'Service', value: clip(page.serviceName, MAX_FIELD_VALUE), inline: true },
      { name: 'Severity', value: clip(page.severity, MAX_FIELD_VALUE), inline: true },
      { name: 'Alert', value: `#${page.alertNumber} (${page.status})${page.test ? ' — test' : ''}${page.shadow ? ' — shadow copy, for your information' : ''}`, inline: true },
    ];
  }
  const body: Record<string, unknown> = { content: clip(message.text, MAX_CONTENT), embeds: [embed], allowed_mentions: { parse: [] } };
  if (page) {
    const buttons: Record<string, unknown>[] = [];
    if (page.actions && page.status !== 'resolved' && !page.shadow) {
      buttons.push({ type: 2, style: 5, label: 'Acknowledge', url: page.actions.acknowledge }, { type: 2, style: 5, label: 'Resolve', url: page.actions.resolve });
    }
    buttons.push({ type: 2, style: 5, label: `Open #${page.alertNumber}`, url: page.url });
    body.components = [{ type: 1, components: buttons }];
  }
  if (message.idempotencyKey) {
    body.nonce = createHash('sha256').update(message.idempotencyKey).digest('base64url').slice(0, MAX_NONCE);
    body.enforce_nonce = true;
  }
  return body;
}
