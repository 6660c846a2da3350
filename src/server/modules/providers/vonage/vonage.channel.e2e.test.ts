import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVonage, type FakeVonage } from '../../../../../test/support/fakes/vonage.js';
import { adapterDeps } from '../../../../../test/support/channel-harness.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract, type Delivered } from '../../notify/channels/channel.contract.js';
import { vonageAdapter } from './vonage.adapter.js';

// The real adapter against a local fake of Vonage's SMS API.
let vonage: FakeVonage;
beforeAll(async () => {
  vonage = await startFakeVonage();
});
afterAll(async () => vonage.close());

const channel = (settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}) =>
  vonageAdapter.create(
    { id: 'prv_vonage', name: 'vonage-backup', settings: vonageAdapter.settings.parse({ from: '+14155550101', apiUrl: vonage.url, ...settings }), secrets: vonageAdapter.secrets.parse({ apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, ...secrets }) },
    adapterDeps(),
  ).sms as Channel;

channelContract('SMS over Vonage (SMS API → fake Vonage)', async () => {
  vonage.clear();
  vonage.refuse.set('14155550199', '7');
  return {
    channel: channel(),
    deliverable: { type: 'sms', phone: '+14155550123' },
    refused: { type: 'sms', phone: '+14155550199' },
    delivered: async () =>
      vonage.messages.map((m): Delivered => {
        const cut = m.text.indexOf('\n');
        return { recipient: `+${m.to}`, subject: m.text.slice(0, cut), text: m.text.slice(cut + 1) };
      }),
    close: async () => {},
  };
});

const page: ChannelMessage = {
  to: { type: 'sms', phone: '+14155550123' },
  subject: '#42 Checkout 5xx above 2%',
  text: 'The long email text.\n'.repeat(50),
  kind: 'page',
  idempotencyKey: 'page:alt_42:1:usr_ana:cm_1',
  page: { alertId: 'alt_42', alertNumber: 42, title: 'Checkout 5xx above 2%', serviceName: 'Checkout API', severity: 'critical', status: 'triggered', url: 'https://firebreak.example.com/alerts/42', actions: { acknowledge: 'https://firebreak.example.com/a/ack-token', resolve: 'https://firebreak.example.com/a/res-token' } },
};

describe('Vonage SMS specifics', () => {
  it('sends from our number without +, GSM text as text, and a page with its one-click acknowledge link (replies are not read)', async () => {
    vonage.clear();
    const sent = await channel().send(page);
    const [m] = vonage.messages;
    expect(sent.providerMessageId).toBe(m?.messageId);
    expect(m).toMatchObject({ to: '14155550123', from: '14155550101', type: 'text', clientRef: 'page:alt_42:1:usr_ana:cm_1' });
    expect(m?.text).toBe('#42 Checkout 5xx above 2%\nCheckout API (critical)\nAcknowledge: https://firebreak.example.com/a/ack-token\nhttps://firebreak.example.com/alerts/42');
  });

  it('accepts an alphanumeric sender ID', async () => {
    vonage.clear();
    await channel({ from: 'Firebreak' }).send(page);
    expect(vonage.messages[0]?.from).toBe('Firebreak');
  });

  it.each([
    [{ status: '1', errorText: 'Throttled' }, false],
    [{ status: '5', errorText: 'Internal Error' }, false],
    [{ status: '9', errorText: 'Partner quota exceeded' }, false],
    [{ status: '6', errorText: 'Unroutable message - rejected' }, true],
    [{ httpStatus: 500 }, false],
    [{ httpStatus: 429 }, false],
  ] as const)('maps the failure %j to permanent = %s', async (failure, permanent) => {
    vonage.clear();
    vonage.failNext(failure);
    const error = await channel().send(page).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(permanent);
    expect(vonage.messages).toEqual([]);
  });

  it('reports wrong credentials as a failure that may pass, without the secret', async () => {
    vonage.clear();
    const error = await channel({}, { apiSecret: 'wrong-secret-value' }).send(page).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
    expect((error as ChannelError).message).toContain('Vonage status 4');
    expect((error as ChannelError).message).not.toContain('wrong-secret-value');
  });

  it('refuses a sender that is neither a number nor a short alphanumeric ID, naming the field rule', () => {
    const result = vonageAdapter.settings.safeParse({ from: 'Firebreak Alerts!' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('alphanumeric sender ID');
  });
});
