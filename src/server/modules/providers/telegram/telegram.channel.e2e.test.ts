import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHtml, startFakeTelegram, type FakeTelegram } from '../../../../../test/support/fakes/telegram.js';
import { adapterDeps } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { telegramAdapter } from './telegram.adapter.js';

const ANA = 123456789;
const GONE = 555000111;
let telegram: FakeTelegram;
beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => telegram.close());

function channel(botToken = telegram.token): Channel {
  return telegramAdapter.create(
    { id: 'p1', name: 'telegram-main', settings: { apiUrl: telegram.url }, secrets: { botToken, webhookSecret: 'secret-0123456789abcdef' } },
    adapterDeps(),
  ).telegram!;
}

channelContract('Telegram bot messages (against a fake Bot API)', async () => {
  telegram.clear();
  telegram.chats.add(ANA);
  telegram.chats.add(GONE);
  telegram.blocked.add(GONE);
  return {
    channel: channel(),
    deliverable: { type: 'telegram', handle: String(ANA) },
    refused: { type: 'telegram', handle: String(GONE) },
    // The subject is the bold first line; the text follows a blank line.
    delivered: async () =>
      telegram.messages.map((m) => {
        const bold = m.entities.find((e) => e.type === 'bold' && e.offset === 0);
        return { recipient: String(m.chatId), subject: m.text.slice(0, bold?.length ?? 0), text: m.text.slice((bold?.length ?? 0) + 2) };
      }),
    close: async () => {},
  };
});

const page = (over: Partial<NonNullable<ChannelMessage['page']>> = {}): ChannelMessage => ({
  to: { type: 'telegram', handle: String(ANA) },
  subject: '#42 <Checkout> & "API": errors > 5%',
  text: 'Alert #42 on Checkout API (critical): 5xx > 5% & rising <fast>.',
  kind: 'page',
  page: {
    alertId: '01JD0000000000000000000042',
    alertNumber: 42,
    title: 'errors > 5%',
    serviceName: 'Checkout API',
    severity: 'critical',
    status: 'triggered',
    url: 'https://firebreak.example.com/alerts/42?tab=timeline&x="y"',
    actions: null,
    ...over,
  },
});

describe('Telegram channel specifics', () => {
  it('escapes HTML so <, > , & and quotes arrive as written, with the alert link intact', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    await channel().send(page());
    const [sent] = telegram.messages;
    expect(sent?.text).toBe('#42 <Checkout> & "API": errors > 5%\n\nAlert #42 on Checkout API (critical): 5xx > 5% & rising <fast>.\n\nOpen #42 in Firebreak');
    expect(sent?.entities).toContainEqual({ type: 'text_link', offset: sent!.text.indexOf('Open #42'), length: 'Open #42 in Firebreak'.length, url: 'https://firebreak.example.com/alerts/42?tab=timeline&x="y"' });
  });

  it('shortens a text that would pass Telegram’s 4096 characters, counting characters after escaping', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    await channel().send({ ...page(), text: '<&>'.repeat(2000) });
    expect(telegram.messages[0]?.text.length).toBeLessThanOrEqual(4096);
    expect(telegram.messages[0]?.text).toContain('<&><&><…\n\nOpen #42 in Firebreak');
  });

  it('answers with <chat id>:<message id> as the provider message id', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    const result = await channel().send(page());
    expect(result.providerMessageId).toBe(`${ANA}:${telegram.messages[0]?.messageId}`);
  });

  it('puts Acknowledge and Resolve buttons carrying ack:/res: and the alert id (within 64 bytes) on a page', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    await channel().send(page());
    expect(telegram.messages[0]?.keyboard).toEqual([
      [
        { text: 'Acknowledge', callback_data: 'ack:01JD0000000000000000000042' },
        { text: 'Resolve', callback_data: 'res:01JD0000000000000000000042' },
      ],
    ]);
    expect(telegram.messages[0]?.silent).toBe(false);
  });

  it('sends a resolved notice without buttons, and test pages and shadow copies silently', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    await channel().send(page({ status: 'resolved' }));
    await channel().send(page({ test: true }));
    await channel().send(page({ shadow: true }));
    expect(telegram.messages.map((m) => [m.keyboard.length, m.silent])).toEqual([
      [0, false],
      [1, true],
      [0, true],
    ]);
  });

  it('reports a chat the bot does not know as permanent, telling the person to send /start', async () => {
    telegram.clear();
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('/start');
  });

  it('reports flood control as transient with Telegram’s retry_after', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    telegram.failNext(429, 'Too Many Requests: retry after 7', { retry_after: 7 });
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('retry after 7 s');
  });

  it('reports a Telegram server error as transient', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    telegram.failNext(502, 'Bad Gateway');
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
  });

  it('reports a refused bot token as the provider’s failure without repeating the token', async () => {
    telegram.clear();
    telegram.chats.add(ANA);
    const wrong = '987654321:AAEwrong-token-wrong-token-0000';
    const error = (await channel(wrong).send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('botToken');
    expect(error.message).not.toContain(wrong);
  });

  it('checks the bot token and webhook secret formats when the provider is configured', () => {
    expect(telegramAdapter.secrets.safeParse({ botToken: 'nope', webhookSecret: 'secret-0123456789abcdef' }).success).toBe(false);
    expect(telegramAdapter.secrets.safeParse({ botToken: telegram.token, webhookSecret: 'has spaces in it, not allowed' }).success).toBe(false);
    expect(telegramAdapter.secrets.safeParse({ botToken: telegram.token, webhookSecret: 'secret-0123456789abcdef' }).success).toBe(true);
  });
});

describe('the fake Bot API’s HTML parser', () => {
  it('refuses what Telegram refuses: an unescaped <, an unknown tag, a tag left open', () => {
    expect(() => parseHtml('a < b')).toThrow(/can't parse entities/);
    expect(() => parseHtml('<div>x</div>')).toThrow(/Unsupported start tag "div"/);
    expect(() => parseHtml('<b>x')).toThrow(/end tag/);
    expect(parseHtml('<b>é ☕</b> &lt;ok&gt;')).toEqual({ text: 'é ☕ <ok>', entities: [{ type: 'bold', offset: 0, length: 3 }] });
  });
});
