import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeNtfy, type FakeNtfy } from '../../../../../test/support/fakes/ntfy.js';
import { adapterDeps, errorRatePage } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { ntfyAdapter } from './ntfy.adapter.js';

const TOKEN = 'tk_firebreak0000000000000000000';
let ntfy: FakeNtfy;
beforeAll(async () => {
  ntfy = await startFakeNtfy({ token: TOKEN });
});
afterAll(async () => ntfy.close());

function channel(secrets: Record<string, string> = { accessToken: TOKEN }): Channel {
  return ntfyAdapter.create({ id: 'p1', name: 'ntfy-main', settings: { serverUrl: ntfy.url }, secrets }, adapterDeps()).ntfy!;
}

channelContract('ntfy (against a fake ntfy server)', async () => {
  ntfy.clear();
  ntfy.forbiddenTopics.add('someone-elses-topic');
  return {
    channel: channel(),
    deliverable: { type: 'ntfy', topic: 'ana-pages-7f3k' },
    refused: { type: 'ntfy', topic: 'someone-elses-topic' },
    delivered: async () => ntfy.messages.map((m) => ({ recipient: m.topic, subject: m.title ?? '', text: m.message })),
    close: async () => {},
  };
});

const page = (over: Partial<NonNullable<ChannelMessage['page']>> = {}, kind: ChannelMessage['kind'] = 'page'): ChannelMessage => ({
  to: { type: 'ntfy', topic: 'ana-pages-7f3k' },
  subject: '#42 Checkout API: error rate above 5%',
  text: 'Alert #42 on Checkout API (critical).',
  kind,
  page: errorRatePage(over),
});

describe('ntfy channel specifics', () => {
  it('publishes a page as urgent with http actions that POST to the signed acknowledge and resolve links', async () => {
    ntfy.clear();
    const result = await channel().send(page());
    const [sent] = ntfy.messages;
    expect(result.providerMessageId).toBe(sent?.id);
    expect(sent).toMatchObject({ priority: 5, click: 'https://firebreak.example.com/alerts/42', tags: ['rotating_light', 'severity-critical'], authorization: `Bearer ${TOKEN}` });
    expect(sent?.actions.map(({ id: _id, ...a }) => a)).toEqual([
      { action: 'http', label: 'Acknowledge', url: 'https://firebreak.example.com/a/ack-token', method: 'POST', clear: true },
      { action: 'http', label: 'Resolve', url: 'https://firebreak.example.com/a/res-token', method: 'POST', clear: true },
      { action: 'view', label: 'Open #42', url: 'https://firebreak.example.com/alerts/42' },
    ]);
  });

  it.each([
    ['a test page', 2, page({ test: true })],
    ['a shadow copy', 2, page({ shadow: true })],
    ['a resolved notice', 3, page({ status: 'resolved' })],
    ['a verification code', 3, { to: { type: 'ntfy', topic: 'ana-pages-7f3k' }, subject: 'Firebreak verification code: 042917', text: '042917', kind: 'verification' } as ChannelMessage],
  ])('never rings %s like a page: priority %i, not 5', async (_name, priority, message) => {
    ntfy.clear();
    await channel().send(message);
    expect(ntfy.messages[0]?.priority).toBe(priority);
  });

  it('gives a shadow copy and a resolved notice no acknowledge or resolve actions', async () => {
    ntfy.clear();
    await channel().send(page({ shadow: true }));
    await channel().send(page({ status: 'resolved' }));
    expect(ntfy.messages.map((m) => m.actions.map((a) => a.label))).toEqual([['Open #42'], ['Open #42']]);
  });

  it('reports a refused access token as the provider’s failure (not permanent), naming the secret', async () => {
    ntfy.clear();
    const error = (await channel({ accessToken: 'tk_wrong' }).send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('accessToken');
  });

  it.each([429, 500, 507])('reports HTTP %i as transient', async (status) => {
    ntfy.clear();
    ntfy.failNext(status);
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(ntfy.messages).toEqual([]);
  });

  it('shortens a message over ntfy’s 4096-byte limit on a character boundary, so it is not turned into an attachment', async () => {
    ntfy.clear();
    await channel().send({ ...page(), text: '☕'.repeat(2000) });
    const message = ntfy.messages[0]?.message ?? '';
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(4000);
    expect(message).toMatch(/^☕+…$/);
  });

  it('keeps the topic, a credential on public servers, out of error messages', async () => {
    ntfy.clear();
    ntfy.forbiddenTopics.add('ana-pages-7f3k');
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.message).not.toContain('ana-pages-7f3k');
  });
});
