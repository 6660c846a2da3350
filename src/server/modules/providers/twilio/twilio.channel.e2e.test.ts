import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { adapterDeps } from '../../../../../test/support/channel-harness.js';
import { startFakeTwilio, type CallbackTransport, type FakeTwilio } from '../../../../../test/support/fakes/twilio.js';
import { ManualClock } from '../../../platform/clock.js';
import { ChannelError, type Channel, type ChannelMessage } from '../../notify/channels/channel.js';
import { channelContract, type Delivered } from '../../notify/channels/channel.contract.js';
import type { Provider } from '../../../../contracts/providers.js';
import { twilioAdapter } from './twilio.adapter.js';

// The real adapter against a local fake of Twilio's REST API. For calls, the fake plays Twilio's part:
// it fetches the call's TwiML from Firebreak's real `voice` callback (signed), and "hears" its <Say>s.
const PUBLIC_URL = 'https://firebreak.example.com';
let t: TestApp;
let twilio: FakeTwilio;
let providerId: string;

/** Twilio's requests go into the app in-process: the URL Twilio signs is the public one. */
const inject: CallbackTransport = async ({ url, headers, body }) => {
  const res = await t.app.inject({ method: 'POST', url: url.slice(PUBLIC_URL.length), headers, payload: body });
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
};

beforeAll(async () => {
  twilio = await startFakeTwilio({ transport: inject });
  t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_PUBLIC_URL: PUBLIC_URL, FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  const admin = await t.userWithToken('admin', 'root-admin');
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/notification-providers',
    headers: { authorization: `Bearer ${admin.token}` },
    payload: { name: 'twilio-main', kind: 'twilio', settings: { from: '+14155550100', apiUrl: twilio.url }, secrets: { accountSid: twilio.accountSid, authToken: twilio.authToken } },
  });
  expect(created.statusCode, created.body).toBe(201);
  providerId = json<Provider>(created).id;
});
afterAll(async () => {
  await t.close();
  await twilio.close();
});

const channels = (settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}) =>
  twilioAdapter.create(
    { id: providerId, name: 'twilio-main', settings: twilioAdapter.settings.parse({ from: '+14155550100', apiUrl: twilio.url, ...settings }), secrets: twilioAdapter.secrets.parse({ accountSid: twilio.accountSid, authToken: twilio.authToken, ...secrets }) },
    adapterDeps(),
  );
const sms = () => channels().sms as Channel;
const voice = () => channels().voice as Channel;

channelContract('SMS over Twilio (Messages API → fake Twilio)', async () => {
  twilio.clear();
  twilio.refuse.set('+14155550199', 21211);
  return {
    channel: sms(),
    deliverable: { type: 'sms', phone: '+14155550123' },
    refused: { type: 'sms', phone: '+14155550199' },
    // An SMS is the subject, a line break, then the text.
    delivered: async () =>
      twilio.messages.map((m): Delivered => {
        const cut = m.body.indexOf('\n');
        return { recipient: m.to, subject: m.body.slice(0, cut), text: m.body.slice(cut + 1) };
      }),
    close: async () => {},
  };
});

channelContract('voice calls over Twilio (Calls API → fake Twilio → Firebreak’s signed TwiML)', async () => {
  twilio.clear();
  twilio.refuse.set('+14155550199', 21217);
  return {
    channel: voice(),
    deliverable: { type: 'voice', phone: '+14155550123' },
    refused: { type: 'voice', phone: '+14155550199' },
    // What the called person hears: the subject, then the text.
    delivered: async () => {
      const out: Delivered[] = [];
      for (const call of twilio.calls) {
        const { said, twiml } = await twilio.answerCall(call.sid);
        expect(twiml.status).toBe(200);
        out.push({ recipient: call.to, subject: said[0] ?? '', text: said[1] ?? '' });
      }
      return out;
    },
    close: async () => {},
  };
});

const pageMessage = (type: 'sms' | 'voice', over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  to: { type, phone: '+14155550123' },
  subject: '#42 Checkout 5xx above 2%',
  text: 'The long email text.\n'.repeat(50),
  kind: 'page',
  page: { alertId: 'alt_42', alertNumber: 42, title: 'Checkout 5xx above 2%', serviceName: 'Checkout API', severity: 'critical', status: 'triggered', url: `${PUBLIC_URL}/alerts/42`, actions: { acknowledge: `${PUBLIC_URL}/a/secret-ack-token`, resolve: `${PUBLIC_URL}/a/secret-res-token` } },
  ...over,
});

describe('Twilio provider settings', () => {
  it('refuses a malformed Account SID or From number through the API, naming the field and the rule', async () => {
    const admin = await t.userWithToken('admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notification-providers',
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { name: 'twilio-bad', kind: 'twilio', settings: { from: '0415 555 0100' }, secrets: { accountSid: 'SK123', authToken: 'x' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('E.164');
    const sid = twilioAdapter.secrets.safeParse({ accountSid: 'SK123', authToken: 'x' });
    expect(JSON.stringify(sid.error?.issues)).toContain('AC and 32 hexadecimal characters');
  });
});

describe('Twilio SMS specifics', () => {
  it('sends a page as a short SMS from our number with the reply words and our status callback, answering the message sid', async () => {
    twilio.clear();
    const sent = await sms().send(pageMessage('sms'));
    const [m] = twilio.messages;
    expect(sent.providerMessageId).toBe(m?.sid);
    expect(m?.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m).toMatchObject({ to: '+14155550123', from: '+14155550100', messagingServiceSid: null, statusCallback: `${PUBLIC_URL}/integrations/providers/twilio/${providerId}/status` });
    expect(m?.body).toBe(`#42 Checkout 5xx above 2%\nCheckout API (critical)\nReply ACK 42 to acknowledge, RES 42 to resolve\n${PUBLIC_URL}/alerts/42`);
    expect(m?.body).not.toContain('secret-ack-token');
  });

  it('sends through a Messaging Service instead of the From number when one is set', async () => {
    twilio.clear();
    await channels({ messagingServiceSid: `MG${'0f'.repeat(16)}` }).sms!.send(pageMessage('sms'));
    expect(twilio.messages[0]).toMatchObject({ from: null, messagingServiceSid: `MG${'0f'.repeat(16)}` });
  });

  it('reports an unsubscribed recipient (21610) as permanent, and Twilio’s 429 and 500 as failures that may pass', async () => {
    twilio.clear();
    twilio.refuse.set('+14155550123', 21610);
    const stop = await sms().send(pageMessage('sms')).catch((e: unknown) => e);
    expect(stop).toBeInstanceOf(ChannelError);
    expect((stop as ChannelError).permanent).toBe(true);
    expect((stop as ChannelError).message).toContain('unsubscribed');
    expect((stop as ChannelError).message).toContain('21610');
    twilio.refuse.clear();
    for (const status of [429, 500, 503]) {
      twilio.failNext({ status, code: status === 429 ? 20429 : 20500 });
      const error = await sms().send(pageMessage('sms')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelError);
      expect((error as ChannelError).permanent).toBe(false);
      expect((error as ChannelError).message).toContain(`HTTP ${status}`);
    }
    expect(twilio.messages).toEqual([]);
  });

  it('reports wrong credentials as a failure that may pass (the next provider can deliver), without the auth token', async () => {
    twilio.clear();
    const error = await channels({}, { authToken: 'wrong-token-value' }).sms!.send(pageMessage('sms')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
    expect((error as ChannelError).message).toContain('20003');
    expect((error as ChannelError).message).not.toContain('wrong-token-value');
  });

  it('reports an unreachable Twilio as a failure that may pass', async () => {
    const closed = await startFakeTwilio();
    await closed.close();
    const channel = channels({ apiUrl: closed.url }).sms!;
    const error = await channel.send(pageMessage('sms')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(false);
  });
});

describe('Twilio voice specifics', () => {
  it('calls with our voice URL (no action-link token in it) and reads only the subject, then asks for 4 or 6', async () => {
    twilio.clear();
    const sent = await voice().send(pageMessage('voice'));
    const [call] = twilio.calls;
    expect(sent.providerMessageId).toBe(call?.sid);
    expect(call?.url.startsWith(`${PUBLIC_URL}/integrations/providers/twilio/${providerId}/voice?`)).toBe(true);
    expect(call?.url).not.toContain('secret');
    expect(call?.statusCallback).toBe(`${PUBLIC_URL}/integrations/providers/twilio/${providerId}/status`);
    const { said, twiml } = await twilio.answerCall(call!.sid);
    expect(twiml.contentType).toContain('text/xml');
    expect(twiml.body).toContain('<Gather input="dtmf" numDigits="1"');
    expect(said[0]).toBe('Firebreak page. alert 42 Checkout 5xx above 2%. Press 4 to acknowledge, 6 to resolve.');
    expect(said.join(' ')).not.toContain('long email text');
  });

  it('reads a verification code once more digit by digit, after the subject and the text', async () => {
    twilio.clear();
    await voice().send({ to: { type: 'voice', phone: '+14155550123' }, subject: 'Firebreak verification code: 042917', text: 'Your Firebreak verification code is 042917.', kind: 'verification' });
    const { said, twiml } = await twilio.answerCall(twilio.calls[0]!.sid);
    expect(said).toEqual(['Firebreak verification code: 042917', 'Your Firebreak verification code is 042917.', 'Once more, the code is 0, 4, 2, 9, 1, 7.']);
    expect(twiml.body).not.toContain('<Gather');
  });

  it('says a test page is a test', async () => {
    twilio.clear();
    await voice().send(pageMessage('voice', { page: { ...pageMessage('voice').page!, test: true } }));
    const { said } = await twilio.answerCall(twilio.calls[0]!.sid);
    expect(said[0]).toMatch(/^This is a test page from Firebreak\. alert 42/);
  });
});
