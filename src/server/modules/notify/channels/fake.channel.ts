import type { ContactMethodType } from '../../../../contracts/notify.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from './channel.js';

/**
 * An in-memory channel for tests: records what it was asked to send. Passes the same contract suite
 * as the real adapters (`channel.contract.ts`).
 */
export class FakeChannel implements Channel {
  readonly sent: ChannelMessage[] = [];
  /** Recipients (email, phone, handle or URL) the "provider" refuses for good, like an unknown mailbox. */
  readonly refused = new Set<string>();
  private counter = 0;

  constructor(readonly type: ContactMethodType) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (options.signal?.aborted) throw new ChannelError('Sending was cancelled', false, { cause: options.signal.reason });
    const recipient = recipientOf(message);
    if (this.refused.has(recipient)) throw new ChannelError(`The provider refused ${recipient}`, true);
    this.sent.push(structuredClone(message));
    return { providerMessageId: `fake-${this.type}-${++this.counter}` };
  }
}

/** The one string that names a message's recipient, whatever the channel. */
export function recipientOf(message: ChannelMessage): string {
  const to = message.to;
  switch (to.type) {
    case 'email':
      return to.email;
    case 'sms':
    case 'voice':
      return to.phone;
    case 'push':
      return to.subscription.endpoint;
    case 'slack':
    case 'teams':
    case 'mattermost':
    case 'discord':
    case 'telegram':
      return to.handle;
    case 'ntfy':
      return to.topic;
    case 'webhook':
      return to.url;
  }
}
