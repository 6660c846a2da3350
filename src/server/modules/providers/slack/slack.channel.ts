import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { slackCall } from './slack.api.js';
import { slackMessage } from './slack.message.js';

export interface SlackChannelOptions {
  apiUrl: string;
  botToken: string;
  allowPrivate: boolean;
  /** The clock a `Retry-After` date is read against. */
  now: () => number;
}

/**
 * Direct messages from a Slack app's bot (`chat:write`, `im:write`): `conversations.open` with the
 * member ID gives the direct message channel (the same one every time), then `chat.postMessage` posts
 * to it. The provider message id is `<channel>:<ts>`, what `chat.update` needs to change the message.
 * Slack has no idempotency key for posting, so a retry after a lost answer can post twice.
 */
export class SlackChannel implements Channel {
  readonly type = 'slack' as const;

  constructor(private readonly options: SlackChannelOptions) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'slack') throw new ChannelError('unreachable', true);
    const call = (method: string, body: Record<string, unknown>) => slackCall(method, body, { ...this.options, ...(options.signal ? { signal: options.signal } : {}) });
    const opened = await call('conversations.open', { users: message.to.handle });
    const channel = (opened.channel as { id?: unknown } | undefined)?.id;
    if (typeof channel !== 'string') throw new ChannelError('Slack conversations.open answered without a channel id', false);
    const posted = await call('chat.postMessage', slackMessage(channel, message));
    if (typeof posted.ts !== 'string') throw new ChannelError('Slack chat.postMessage answered without the message ts', false);
    return { providerMessageId: `${typeof posted.channel === 'string' ? posted.channel : channel}:${posted.ts}` };
  }
}
