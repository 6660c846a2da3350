import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakePushService, type FakePushService } from '../../../../../test/support/fakes/push-service.js';
import { systemClock } from '../../../platform/clock.js';
import { ChannelError, type ChannelMessage, type PageContext } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { generateVapidKeys } from './vapid-keys.js';
import { webPushAdapter } from './webpush.adapter.js';
import type { PushPayload } from './webpush.channel.js';

// The real adapter (web-push + outboundRequest) against a fake push service in this process that
// checks the VAPID token and decrypts every payload with the subscription's private key.
const keys = generateVapidKeys();
const SUBJECT = 'mailto:oncall-admins@example.com';
const PUBLIC_URL = 'https://firebreak.example.com';

let push: FakePushService;
beforeAll(async () => {
  push = await startFakePushService();
});
afterAll(async () => push.close());

function openChannel(options: { allowPrivate?: boolean; publicKey?: string; privateKey?: string } = {}) {
  const config = { id: 'p1', name: 'webpush-main', settings: { subject: SUBJECT }, secrets: { publicKey: options.publicKey ?? keys.publicKey, privateKey: options.privateKey ?? keys.privateKey } };
  const channel = webPushAdapter.create(config, { allowPrivate: options.allowPrivate ?? true, publicUrl: PUBLIC_URL, clock: systemClock }).push;
  if (!channel) throw new Error('the webpush adapter built no push channel');
  return channel;
}

const payloads = () => push.messages.map((m) => JSON.parse(m.text) as PushPayload);

channelContract('web push (web-push + outboundRequest → fake push service)', async () => {
  push.clear();
  const deliverable = push.subscribe({ applicationServerKey: keys.publicKey });
  const refused = push.subscribe({ applicationServerKey: keys.publicKey });
  push.expire(refused.endpoint);
  return {
    channel: openChannel(),
    deliverable: { type: 'push', subscription: deliverable },
    refused: { type: 'push', subscription: refused },
    delivered: async () =>
      push.messages.map((m) => {
        const payload = JSON.parse(m.text) as PushPayload;
        return { recipient: m.endpoint, subject: payload.subject, text: payload.body };
      }),
    close: async () => {},
  };
});

const page = (overrides: Partial<PageContext> = {}): PageContext => ({
  alertId: 'alert-0001',
  alertNumber: 42,
  title: 'Checkout latency above 2 s',
  serviceName: 'checkout',
  severity: 'critical',
  status: 'triggered',
  url: `${PUBLIC_URL}/alerts/alert-0001`,
  actions: { acknowledge: `${PUBLIC_URL}/a/ack-token-1`, resolve: `${PUBLIC_URL}/a/resolve-token-1` },
  ...overrides,
});

const pageMessage = (to: ChannelMessage['to'], overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  to,
  subject: '#42 Checkout latency above 2 s',
  text: 'Alert #42 on checkout (critical): Checkout latency above 2 s',
  kind: 'page',
  page: page(),
  ...overrides,
});

describe('web push specifics', () => {
  beforeEach(() => push.clear());

  it('sends a page as an urgent push signed for the push service, carrying the alert link and the person’s action links', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    await openChannel().send(pageMessage({ type: 'push', subscription }));
    expect(push.refused).toEqual([]);
    const [message] = push.messages;
    expect(message).toMatchObject({ urgency: 'high', ttl: 3600, vapidKey: keys.publicKey, claims: { aud: push.url, sub: SUBJECT } });
    expect(message?.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(payloads()[0]).toEqual({
      subject: '#42 Checkout latency above 2 s',
      body: 'Alert #42 on checkout (critical): Checkout latency above 2 s',
      url: `${PUBLIC_URL}/alerts/alert-0001`,
      kind: 'page',
      alertNumber: 42,
      tag: 'firebreak-alert-alert-0001',
      actions: { acknowledge: `${PUBLIC_URL}/a/ack-token-1`, resolve: `${PUBLIC_URL}/a/resolve-token-1` },
      test: false,
      shadow: false,
    });
  });

  it('gives every message about one alert the same topic, so the push service keeps only the newest for an offline device', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const channel = openChannel();
    await channel.send(pageMessage({ type: 'push', subscription }));
    await channel.send(pageMessage({ type: 'push', subscription }, { kind: 'notification', subject: '#42 resolved', page: page({ status: 'resolved' }) }));
    await channel.send(pageMessage({ type: 'push', subscription }, { page: page({ alertId: 'alert-0002', alertNumber: 43 }) }));
    const [first, resolved, other] = push.messages;
    expect(resolved?.topic).toBe(first?.topic);
    expect(other?.topic).not.toBe(first?.topic);
    // A resolved notice has nothing left to acknowledge: no buttons, and it does not ring.
    expect(payloads()[1]).toMatchObject({ actions: null, tag: 'firebreak-alert-alert-0001' });
    expect(resolved?.urgency).toBe('normal');
  });

  it('sends a drill page and a shadow copy at normal urgency, marked so the device does not ring as for a real page', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const channel = openChannel();
    await channel.send(pageMessage({ type: 'push', subscription }, { page: page({ test: true }) }));
    await channel.send(pageMessage({ type: 'push', subscription }, { page: page({ shadow: true }) }));
    expect(push.messages.map((m) => m.urgency)).toEqual(['normal', 'normal']);
    expect(payloads().map((p) => [p.test, p.shadow])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('sends a verification code with a short TTL and a click target on the contact methods page', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    await openChannel().send({ to: { type: 'push', subscription }, subject: 'Firebreak verification code: 042917', text: 'Your code is 042917', kind: 'verification' });
    expect(push.messages[0]).toMatchObject({ ttl: 900, urgency: 'normal', topic: 'firebreak-verification' });
    expect(payloads()[0]).toMatchObject({ body: 'Your code is 042917', url: `${PUBLIC_URL}/settings/contact-methods`, actions: null, alertNumber: null });
  });

  it('shortens a text too long for one push message so the push service still accepts it', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const text = 'Zoë’s runbook step — ☕ '.repeat(400);
    await openChannel().send(pageMessage({ type: 'push', subscription }, { text }));
    expect(push.refused).toEqual([]);
    const body = payloads()[0]?.body ?? '';
    expect(body.endsWith('…')).toBe(true);
    expect(text.startsWith(body.slice(0, -1))).toBe(true);
    expect(body.length).toBeGreaterThan(500);
  });

  it.each([
    [410, 'expired'],
    [404, 'expired'],
    [413, 'too large'],
  ] as const)('reports a %i from the push service as a permanent failure (%s)', async (status, words) => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    push.failNext(status);
    const error = await openChannel().send(pageMessage({ type: 'push', subscription })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(true);
    expect((error as ChannelError).message).toContain(words);
  });

  it('tells the person to re-enable push on the device when the subscription is gone, without the endpoint’s secret path', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    push.expire(subscription.endpoint);
    const error = (await openChannel()
      .send(pageMessage({ type: 'push', subscription }))
      .catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/re-enable push on that device/);
    expect(error.message).not.toContain(new URL(subscription.endpoint).pathname);
  });

  it.each([429, 500, 503] as const)('reports a %i from the push service as a failure that may pass', async (status) => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    push.failNext(status);
    const error = await openChannel().send(pageMessage({ type: 'push', subscription })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
    expect(push.messages).toEqual([]);
  });

  it('reports a subscription made with other VAPID keys (the push service answers 403) as permanent, naming the keys', async () => {
    const subscription = push.subscribe({ applicationServerKey: generateVapidKeys().publicKey });
    const error = (await openChannel()
      .send(pageMessage({ type: 'push', subscription }))
      .catch((e: unknown) => e)) as ChannelError;
    expect(push.refused.map((r) => r.status)).toEqual([403]);
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/VAPID/);
  });

  it('is refused by the push service (401) when the private key does not sign for the public key sent as k=', async () => {
    const subscription = push.subscribe();
    const error = (await openChannel({ privateKey: generateVapidKeys().privateKey })
      .send(pageMessage({ type: 'push', subscription }))
      .catch((e: unknown) => e)) as ChannelError;
    expect(push.refused).toEqual([expect.objectContaining({ status: 401, reason: expect.stringMatching(/signature/) as unknown })]);
    expect(error.permanent).toBe(true);
  });

  it('refuses an endpoint on a private address unless private targets are allowed, sending nothing', async () => {
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const error = (await openChannel({ allowPrivate: false })
      .send(pageMessage({ type: 'push', subscription }))
      .catch((e: unknown) => e)) as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/private/);
    expect(push.messages).toEqual([]);
    expect(push.refused).toEqual([]);
  });

  it('reports an unreachable push service as a failure that may pass', async () => {
    const gone = await startFakePushService();
    const subscription = gone.subscribe();
    await gone.close();
    const error = (await openChannel()
      .send(pageMessage({ type: 'push', subscription }))
      .catch((e: unknown) => e)) as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.permanent).toBe(false);
  });
});
