import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../../../../test/support/fakes/discord.js';
import { adapterDeps, errorRatePage } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { discordAdapter } from './discord.adapter.js';

const ANA = '80351110224678912';
const CLOSED = '80351110224678913';
const GHOST = '80351110224678914';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => discord.close());

function channel(token = discord.token): Channel {
  const built = discordAdapter.create(
    { id: 'p1', name: 'discord-main', settings: { apiUrl: discord.url }, secrets: { botToken: token } },
    adapterDeps(),
  );
  return built.discord!;
}

channelContract('Discord bot direct messages (against a fake Discord API)', async () => {
  discord.clear();
  discord.closedDms.add(CLOSED);
  return {
    channel: channel(),
    deliverable: { type: 'discord', handle: ANA },
    refused: { type: 'discord', handle: CLOSED },
    delivered: async () => discord.messages.map((m) => ({ recipient: m.recipient, subject: String(m.embeds[0]?.title), text: m.content })),
    close: async () => {},
  };
});

const page = (over: Partial<NonNullable<ChannelMessage['page']>> = {}): ChannelMessage => ({
  to: { type: 'discord', handle: ANA },
  subject: '#42 Checkout API: error rate above 5%',
  text: 'Alert #42 on Checkout API (critical): error rate above 5%.',
  kind: 'page',
  idempotencyKey: 'page-notification-01JD000000000000000000000',
  page: errorRatePage(over),
});

describe('Discord channel specifics', () => {
  it('sends a page with an embed naming the service and severity and link buttons to the signed one-click URLs', async () => {
    discord.clear();
    const result = await channel().send(page());
    const [sent] = discord.messages;
    expect(result.providerMessageId).toBe(sent?.id);
    expect(sent?.embeds[0]).toMatchObject({
      title: '#42 Checkout API: error rate above 5%',
      url: 'https://firebreak.example.com/alerts/42',
      fields: [
        { name: 'Service', value: 'Checkout API', inline: true },
        { name: 'Severity', value: 'critical', inline: true },
        { name: 'Alert', value: '#42 (triggered)', inline: true },
      ],
    });
    expect(sent?.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 5, label: 'Acknowledge', url: 'https://firebreak.example.com/a/ack-token' },
          { type: 2, style: 5, label: 'Resolve', url: 'https://firebreak.example.com/a/res-token' },
          { type: 2, style: 5, label: 'Open #42', url: 'https://firebreak.example.com/alerts/42' },
        ],
      },
    ]);
  });

  it('offers no Acknowledge or Resolve buttons on a resolved notice', async () => {
    discord.clear();
    await channel().send(page({ status: 'resolved' }));
    expect(discord.messages[0]?.components[0]?.components.map((b) => b.label)).toEqual(['Open #42']);
  });

  it('posts a retried page once: the idempotency key becomes an enforced nonce', async () => {
    discord.clear();
    const first = await channel().send(page());
    const second = await channel().send(page());
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(discord.messages).toHaveLength(1);
  });

  it('reports an unknown Discord user as permanent, naming the user', async () => {
    discord.clear();
    discord.unknownUsers.add(GHOST);
    const error = await channel().send({ ...page(), to: { type: 'discord', handle: GHOST } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(true);
    expect((error as ChannelError).message).toContain(`no user ${GHOST} (10013`);
  });

  it('reports a wrong bot token as the provider’s failure (not permanent, so failover moves on) and says which secret to check', async () => {
    discord.clear();
    const error = (await channel('wrong-token').send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('botToken');
    expect(discord.messages).toEqual([]);
  });

  it('reports a rate limit as transient with Discord’s retry_after', async () => {
    discord.clear();
    discord.failNext(429);
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('retry after 1.5 s');
  });

  it('reports a Discord server error as transient', async () => {
    discord.clear();
    discord.failNext(502, { message: 'Bad Gateway', code: 0 });
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(discord.messages).toEqual([]);
  });

  it('shortens a text longer than Discord’s 2000 characters instead of having the message refused', async () => {
    discord.clear();
    await channel().send({ ...page(), text: 'é'.repeat(2500) });
    expect(discord.messages[0]?.content).toBe(`${'é'.repeat(1999)}…`);
  });

  it('refuses to be configured with an API URL that is not http(s)', () => {
    expect(discordAdapter.settings.safeParse({ apiUrl: 'ftp://discord.com' }).success).toBe(false);
    expect(discordAdapter.secrets.safeParse({}).success).toBe(false);
  });
});
