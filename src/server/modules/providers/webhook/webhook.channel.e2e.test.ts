import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterDeps, errorRatePage } from '../../../../../test/support/channel-harness.js';
import { startFakeWebhookReceiver, type FakeWebhookReceiver } from '../../../../../test/support/fakes/webhook.js';
import { ManualClock } from '../../../platform/clock.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { webhookAdapter } from './webhook.adapter.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const clock = new ManualClock('2026-11-02T10:00:00.250Z');
let receiver: FakeWebhookReceiver;
beforeAll(async () => {
  receiver = await startFakeWebhookReceiver({ secret: SECRET });
});
afterAll(async () => receiver.close());

function channel(settings: Record<string, unknown> = {}): Channel {
  return webhookAdapter.create({ id: 'p1', name: 'webhooks', settings, secrets: { signingSecret: SECRET } }, adapterDeps({ clock })).webhook!;
}

channelContract('outgoing webhooks (against a fake receiver)', async () => {
  receiver.clear();
  receiver.gone.add('/retired');
  return {
    channel: channel(),
    deliverable: { type: 'webhook', url: `${receiver.url}/hooks/ana?token=abc` },
    refused: { type: 'webhook', url: `${receiver.url}/retired` },
    delivered: async () => receiver.received.map((r) => ({ recipient: r.url, subject: String(r.body.subject), text: String(r.body.text) })),
    close: async () => {},
  };
});

const page = (over: Partial<NonNullable<ChannelMessage['page']>> = {}): ChannelMessage => ({
  to: { type: 'webhook', url: `${receiver.url}/hooks/ana?token=s3cret-path-token` },
  subject: '#42 Checkout API: error rate above 5%',
  text: 'Alert #42 on Checkout API (critical).',
  kind: 'page',
  idempotencyKey: 'notification-01JD0000000000000000000007',
  page: errorRatePage(over),
});

describe('outgoing webhook specifics', () => {
  it('posts the documented version 1 payload, signed at the clock’s time, with event and idempotency headers', async () => {
    receiver.clear();
    const result = await channel().send(page());
    expect(receiver.rejected).toEqual([]);
    const [delivery] = receiver.received;
    expect(result.providerMessageId).toBe('notification-01JD0000000000000000000007');
    expect(delivery?.body).toEqual({
      version: 1,
      id: 'notification-01JD0000000000000000000007',
      event: 'page',
      sentAt: '2026-11-02T10:00:00.250Z',
      subject: '#42 Checkout API: error rate above 5%',
      text: 'Alert #42 on Checkout API (critical).',
      alert: { id: '01JD0000000000000000000042', number: 42, title: 'error rate above 5%', service: 'Checkout API', severity: 'critical', status: 'triggered', url: 'https://firebreak.example.com/alerts/42', test: false, shadow: false },
      actions: { acknowledge: 'https://firebreak.example.com/a/ack-token', resolve: 'https://firebreak.example.com/a/res-token' },
      recipient: null,
    });
    expect(delivery?.headers['x-firebreak-event']).toBe('page');
    expect(delivery?.headers['idempotency-key']).toBe('notification-01JD0000000000000000000007');
    expect(delivery?.signedAt).toBe(Date.parse('2026-11-02T10:00:00Z') / 1000);
    // The receivers' reference helper accepts what the channel sent.
    expect(verifyWebhookSignature({ rawBody: delivery!.rawBody, header: delivery!.headers['x-firebreak-signature'], secret: SECRET, nowMs: clock.now() }).ok).toBe(true);
  });

  it('names the recipient of a page (added within version 1), so a receiver shared by several people can tell whose page it is', async () => {
    receiver.clear();
    await channel().send({ ...page(), recipient: { id: '01JD00000000000000000000AN', handle: 'ana', name: 'Ana Ruiz' } });
    expect(receiver.received[0]?.body).toMatchObject({ version: 1, event: 'page', recipient: { id: '01JD00000000000000000000AN', handle: 'ana', name: 'Ana Ruiz' } });
    expect(receiver.received[0]?.headers['x-firebreak-webhook-version']).toBe('1');
  });

  it('sends a resolved notice as event `resolved`, without action links', async () => {
    receiver.clear();
    await channel().send({ ...page({ status: 'resolved' }), kind: 'notification' });
    expect(receiver.received[0]?.body).toMatchObject({ event: 'resolved', actions: null, alert: { status: 'resolved' } });
  });

  it('marks a test page so receivers can tell it from a real one', async () => {
    receiver.clear();
    await channel().send(page({ test: true }));
    expect(receiver.received[0]?.body).toMatchObject({ event: 'page', alert: { test: true } });
  });

  it.each([408, 429, 500, 503])('reports HTTP %i as transient', async (status) => {
    receiver.clear();
    receiver.failNext(status, 'try later');
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.permanent).toBe(false);
  });

  it.each([400, 401, 404, 301])('reports HTTP %i as permanent', async (status) => {
    receiver.clear();
    receiver.failNext(status);
    const error = (await channel().send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(true);
  });

  it('reports a receiver that is down as transient, without the URL (it may hold a token)', async () => {
    const closed = await startFakeWebhookReceiver({ secret: SECRET });
    await closed.close();
    const error = (await channel({ timeoutSeconds: 2 }).send({ ...page(), to: { type: 'webhook', url: `${closed.url}/hooks/ana?token=s3cret-path-token` } }).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(false);
    expect(error.message).not.toContain('s3cret-path-token');
  });

  it('refuses a URL on a private address unless FIREBREAK_ALLOW_PRIVATE_WEBHOOKS is set, as permanent, sending nothing', async () => {
    receiver.clear();
    const guarded = webhookAdapter.create({ id: 'p1', name: 'webhooks', settings: {}, secrets: { signingSecret: SECRET } }, { allowPrivate: false, publicUrl: 'https://firebreak.example.com', clock }).webhook!;
    const error = (await guarded.send(page()).catch((e: unknown) => e)) as ChannelError;
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('FIREBREAK_ALLOW_PRIVATE_WEBHOOKS');
    expect(receiver.received).toEqual([]);
  });

  it('refuses a signing secret shorter than 32 characters, naming the rule', () => {
    const parsed = webhookAdapter.secrets.safeParse({ signingSecret: 'short' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('at least 32 characters');
  });
});
