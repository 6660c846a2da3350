import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type WireJson } from '../../../../../test/support/fakes/slack.js';
import { adapterDeps, checkoutPage } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage, type PageContext } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { slackAdapter } from './slack.adapter.js';

// The real adapter, built as the provider registry builds it, against a local fake of Slack's Web API.
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack({ members: ['U012AB3CDEF', 'U0ANA00001'] });
});
afterAll(async () => slack.close());

const deps = adapterDeps();
const open = (secrets: Record<string, string> = {}): Channel => {
  const channels = slackAdapter.create({ id: 'prv_1', name: 'slack-main', settings: { apiUrl: slack.apiUrl }, secrets: { botToken: slack.botToken, signingSecret: slack.signingSecret, ...secrets } }, deps);
  return channels.slack as Channel;
};
const reset = () => {
  slack.posts.length = 0;
  slack.problems.length = 0;
};

channelContract('Slack (Web API → local fake)', async () => {
  reset();
  return {
    channel: open(),
    deliverable: { type: 'slack', handle: 'U012AB3CDEF' },
    refused: { type: 'slack', handle: 'U0NOBODY00' },
    delivered: async () => slack.delivered(),
    close: async () => {},
  };
});

const page = checkoutPage;
const pageMessage = (context: PageContext): ChannelMessage => ({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: '#42 Checkout 5xx above 2%', text: 'Checkout 5xx above 2%\n\nService: Checkout API <prod>', kind: 'page', page: context });
const buttons = (index = 0) => (slack.posts[index]?.blocks.find((b) => b.type === 'actions')?.elements ?? []) as Array<Record<string, WireJson>>;

describe('Slack channel specifics', () => {
  beforeEach(reset);

  it('posts a page as a direct message with the subject as fallback text, details, and Acknowledge and Resolve buttons naming the alert', async () => {
    const result = await open().send(pageMessage(page()));
    const [post] = slack.posts;
    expect(post).toMatchObject({ user: 'U0ANA00001', text: '#42 Checkout 5xx above 2%' });
    expect(result.providerMessageId).toBe(`${post!.channel}:${post!.ts}`);
    expect(post!.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '#42 Checkout 5xx above 2%', emoji: true } });
    expect(post!.blocks[1]!.fields.map((f: { text: string }) => f.text)).toEqual(['*Service*\nCheckout API', '*Severity*\ncritical']);
    expect(slack.delivered()[0]!.text).toBe('Checkout 5xx above 2%\n\nService: Checkout API <prod>');
    expect(post!.blocks.find((b) => b.block_id === 'text-0')!.text.text).toContain('&lt;prod&gt;');
    expect(buttons().map((b) => [b.action_id, b.text.text, b.value ?? b.url])).toEqual([
      ['firebreak_acknowledge', 'Acknowledge', 'alr_01HZX'],
      ['firebreak_resolve', 'Resolve', 'alr_01HZX'],
      ['firebreak_open', 'Open alert #42', 'https://firebreak.example.com/alerts/42'],
    ]);
    // The buttons carry the alert id, never the recipient's signed one-click links.
    expect(JSON.stringify(post!.blocks)).not.toContain('tok-ack');
    expect(slack.problems).toEqual([]);
  });

  it('gives a shadow copy and a resolved notice only the link to the alert, and says a shadow copy is not theirs to answer', async () => {
    await open().send(pageMessage(page({ shadow: true })));
    await open().send({ ...pageMessage(page({ status: 'resolved' })), subject: 'Resolved: #42 Checkout 5xx above 2%' });
    expect(buttons(0).map((b) => b.action_id)).toEqual(['firebreak_open']);
    expect(buttons(1).map((b) => b.action_id)).toEqual(['firebreak_open']);
    expect(JSON.stringify(slack.posts[0]!.blocks)).toContain('You are shadowing');
  });

  it('splits a text longer than a section allows over several sections and Slack gets it whole', async () => {
    const text = `${'a&b '.repeat(1500)}end`;
    await open().send({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: 'Firebreak test notification', text, kind: 'test' });
    expect(slack.problems).toEqual([]);
    expect(slack.posts[0]!.blocks.filter((b) => /^text-/.test(b.block_id)).length).toBeGreaterThan(1);
    expect(slack.delivered()[0]!.text).toBe(text);
  });

  it.each([
    ['invalid_auth', true, /check the provider’s botToken/],
    ['account_inactive', true, /deactivated workspace/],
    ['missing_scope', true, /chat:write/],
    ['ratelimited', false, /ratelimited/],
    ['internal_error', false, /internal_error/],
    ['fatal_error', false, /fatal_error/],
  ])('reports Slack’s %s as a %s failure naming it', async (error, permanent, message) => {
    slack.failNext(error);
    const failure = await open()
      .send({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelError);
    expect((failure as ChannelError).permanent).toBe(permanent);
    expect((failure as ChannelError).message).toMatch(message);
    expect(slack.posts).toEqual([]);
  });

  it('keeps Slack’s Retry-After on a rate-limit failure, so the retry waits as long as Slack asks', async () => {
    slack.failNext('ratelimited');
    const failure = (await open()
      .send({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' })
      .catch((e: unknown) => e)) as ChannelError;
    expect(failure.retryAfterMs).toBe(30_000);
    expect(failure.message).toMatch(/no less than 30 s/);
  });

  it('reports a wrong bot token as a permanent failure without the token', async () => {
    const failure = await open({ botToken: 'xoxb-wrong-token-999' })
      .send({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' })
      .catch((e: unknown) => e as ChannelError);
    expect(failure).toMatchObject({ permanent: true, message: expect.stringContaining('invalid_auth') });
    expect((failure as Error).message).not.toContain('xoxb-wrong');
  });

  it('reports an unreachable Slack as a failure that may pass', async () => {
    const gone = await startFakeSlack();
    await gone.close();
    const channel = slackAdapter.create({ id: 'prv_2', name: 'slack-gone', settings: { apiUrl: gone.apiUrl }, secrets: { botToken: gone.botToken, signingSecret: gone.signingSecret } }, deps).slack as Channel;
    const failure = await channel.send({ to: { type: 'slack', handle: 'U0ANA00001' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ permanent: false, message: expect.stringContaining('could not be reached') });
  });

  it('refuses a provider configuration without a bot token that looks like one', () => {
    const parsed = slackAdapter.secrets.safeParse({ botToken: 'xoxp-user-token', signingSecret: 'x'.repeat(32) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/xoxb-/);
  });
});
