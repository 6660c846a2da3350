import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMattermost, type FakeMattermost, type WireJson } from '../../../../../test/support/fakes/mattermost.js';
import { adapterDeps, checkoutPage } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage, type PageContext } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { mattermostAdapter } from './mattermost.adapter.js';

// The real adapter, built as the provider registry builds it, against a local fake Mattermost server.
let mm: FakeMattermost;
let anaId: string;
beforeAll(async () => {
  mm = await startFakeMattermost();
  anaId = mm.addUser('ana');
  mm.addUser('ben.silva');
});
afterAll(async () => mm.close());

const SECRET = 'mattermost-callback-secret-0123456789';
const deps = adapterDeps({ publicUrl: 'https://firebreak.example.com/' });
const open = (secrets: Record<string, string> = {}): Channel =>
  mattermostAdapter.create({ id: 'prv_mm1', name: 'mattermost-main', settings: { serverUrl: mm.serverUrl }, secrets: { botToken: mm.botToken, callbackSecret: SECRET, ...secrets } }, deps).mattermost as Channel;
const reset = () => {
  mm.posts.length = 0;
  mm.problems.length = 0;
};

channelContract('Mattermost (REST API v4 → local fake)', async () => {
  reset();
  return {
    channel: open(),
    deliverable: { type: 'mattermost', handle: 'ben.silva' },
    refused: { type: 'mattermost', handle: 'nobody' },
    delivered: async () => mm.delivered(),
    close: async () => {},
  };
});

const page = (overrides: Partial<PageContext> = {}): PageContext => checkoutPage({ actions: null, ...overrides });
const pageTo = (handle: string, context: PageContext): ChannelMessage => ({ to: { type: 'mattermost', handle }, subject: '#42 Checkout 5xx above 2%', text: 'Service: Checkout API', kind: 'page', page: context });
const actionsOf = (index = 0) => (mm.posts[index]?.props.attachments?.[0]?.actions ?? []) as Array<Record<string, WireJson>>;

describe('Mattermost channel specifics', () => {
  beforeEach(reset);

  it('posts a page with details and Acknowledge and Resolve buttons that call back with the alert id and the callback secret', async () => {
    const result = await open().send(pageTo('ana', page()));
    const [post] = mm.posts;
    expect(result.providerMessageId).toBe(post!.id);
    expect(post!.recipient).toBe('ana');
    expect(post!.props.attachments[0]).toMatchObject({ title: 'Alert #42: Checkout 5xx above 2%', title_link: 'https://firebreak.example.com/alerts/42', fields: [{ title: 'Service', value: 'Checkout API' }, { title: 'Severity', value: 'critical' }] });
    expect(actionsOf().map((a) => [a.id, a.name, a.integration.url, a.integration.context])).toEqual([
      ['acknowledge', 'Acknowledge', 'https://firebreak.example.com/integrations/providers/mattermost/prv_mm1/actions', { action: 'acknowledge', alertId: 'alr_01HZX', secret: SECRET }],
      ['resolve', 'Resolve', 'https://firebreak.example.com/integrations/providers/mattermost/prv_mm1/actions', { action: 'resolve', alertId: 'alr_01HZX', secret: SECRET }],
    ]);
    expect(mm.problems).toEqual([]);
  });

  it('sends to a 26-character user id without looking up a username', async () => {
    await open().send(pageTo(anaId, page()));
    expect(mm.posts[0]!.recipient).toBe('ana');
  });

  it('gives a shadow copy and a resolved notice no buttons', async () => {
    await open().send(pageTo('ana', page({ shadow: true })));
    await open().send(pageTo('ana', page({ status: 'resolved' })));
    expect(actionsOf(0)).toEqual([]);
    expect(actionsOf(1)).toEqual([]);
    expect(mm.posts[0]!.props.attachments[0].footer).toContain('shadowing');
  });

  it.each([
    [401, true, /botToken/],
    [403, true, /permission/],
    [429, false, /retried later/],
    [503, false, /retried later/],
  ])('reports HTTP %s from Mattermost as permanent=%s', async (status, permanent, message) => {
    mm.failNext(status);
    const failure = await open()
      .send(pageTo('ana', page()))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelError);
    expect(failure).toMatchObject({ permanent, message: expect.stringMatching(message) });
  });

  it('posts once when an answer is lost and the page is sent again: every attempt carries the same pending post id', async () => {
    const message = { ...pageTo('ana', page()), idempotencyKey: 'page:alr_01HZX:1:usr_ana:cm_1' };
    mm.loseNextAnswer();
    const lost = await open()
      .send(message)
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ChannelError);
    expect(lost).toMatchObject({ permanent: false });
    expect(mm.posts).toHaveLength(1);
    // The retry (a new channel object, as after a restart) gets the post already made.
    const retried = await open().send(message);
    expect(retried.providerMessageId).toBe(mm.posts[0]!.id);
    expect(mm.posts).toHaveLength(1);
    // Another notification is another post.
    await open().send({ ...message, idempotencyKey: 'page:alr_01HZX:1:usr_ana:cm_2' });
    expect(mm.posts).toHaveLength(2);
    expect(mm.problems).toEqual([]);
  });

  it('reports a wrong bot token as a permanent failure that names the setting, not the token', async () => {
    const failure = await open({ botToken: 'wrongtoken0000000000000000' })
      .send(pageTo('ana', page()))
      .catch((e: unknown) => e as ChannelError);
    expect(failure).toMatchObject({ permanent: true, message: expect.stringContaining('HTTP 401') });
    expect((failure as Error).message).not.toContain('wrongtoken');
  });

  it('refuses a callback secret too short to be a secret', () => {
    const parsed = mattermostAdapter.secrets.safeParse({ botToken: mm.botToken, callbackSecret: 'short' });
    expect(parsed.error?.issues[0]?.message).toMatch(/at least 24 characters/);
  });
});
