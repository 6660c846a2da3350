import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type Channel, type ContactAddress } from './channel.js';

/** What the provider (a real local server, or the fake's memory) received, read back in one shape. */
export interface Delivered {
  recipient: string;
  subject: string;
  text: string;
}

/** One channel under test, with the means to look at the provider's side. */
export interface ChannelHarness {
  channel: Channel;
  /** An address the provider accepts. */
  deliverable: ContactAddress;
  /** An address the provider refuses for good (an unknown mailbox, an invalid number). */
  refused: ContactAddress;
  /** Every message the provider accepted so far, in order. */
  delivered(): Promise<Delivered[]>;
  close(): Promise<void>;
}

const otherType = (channel: Channel): ContactAddress =>
  channel.type === 'sms' ? { type: 'email', email: 'someone@example.com' } : { type: 'sms', phone: '+14155550100' };

/**
 * The behaviour every channel adapter and its fake share (STYLE.md habit 4). Run once per
 * implementation: `channelContract('email over SMTP', openEmailHarness)`.
 */
export function channelContract(name: string, open: () => Promise<ChannelHarness>): void {
  describe(`channel contract: ${name}`, () => {
    let h: ChannelHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => h.close());

    it('delivers the subject and the text to the address unchanged, accents, symbols and long lines included', async () => {
      const text = `Your Firebreak verification code is 042917.\n\nCódigo para Zoë — café ☕, 東京.\n${'A long line that a mail relay would otherwise wrap. '.repeat(4).trim()}`;
      await h.channel.send({ to: h.deliverable, subject: 'Firebreak verification code: 042917', text, kind: 'verification' });
      const delivered = await h.delivered();
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toEqual({ recipient: recipientText(h.deliverable), subject: 'Firebreak verification code: 042917', text });
    });

    it('answers with the provider’s message id, different for each message', async () => {
      const first = await h.channel.send({ to: h.deliverable, subject: 'Firebreak test notification', text: 'one', kind: 'test' });
      const second = await h.channel.send({ to: h.deliverable, subject: 'Firebreak test notification', text: 'two', kind: 'test' });
      expect(first.providerMessageId).toEqual(expect.any(String));
      expect(second.providerMessageId).not.toBe(first.providerMessageId);
      expect((await h.delivered()).map((d) => d.text)).toEqual(['one', 'two']);
    });

    it('refuses an address of another channel type as a permanent failure, sending nothing', async () => {
      const attempt = h.channel.send({ to: otherType(h.channel), subject: 'Firebreak test notification', text: 'x', kind: 'test' });
      await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof ChannelError && e.permanent);
      expect(await h.delivered()).toEqual([]);
    });

    it('refuses a subject longer than 50 characters as a permanent failure, sending nothing', async () => {
      const attempt = h.channel.send({ to: h.deliverable, subject: 'x'.repeat(51), text: 'x', kind: 'test' });
      await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof ChannelError && e.permanent);
      expect(await h.delivered()).toEqual([]);
    });

    it('reports a recipient the provider refuses as a permanent failure naming the reason', async () => {
      const attempt = h.channel.send({ to: h.refused, subject: 'Firebreak test notification', text: 'x', kind: 'test' });
      await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof ChannelError && e.permanent && e.message.length > 10);
      expect(await h.delivered()).toEqual([]);
    });
  });
}

function recipientText(to: ContactAddress): string {
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
