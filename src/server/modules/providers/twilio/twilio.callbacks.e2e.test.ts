import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { ContactMethod } from '../../../../contracts/notify.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeTwilio, twimlMessages, type CallbackTransport, type FakeTwilio } from '../../../../../test/support/fakes/twilio.js';
import { startFakeVonage, type FakeVonage } from '../../../../../test/support/fakes/vonage.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { buildProviderTestApp } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';

// The whole path on the real app: Twilio (and Vonage) providers created through the API, pointing at
// local fakes; ana verifies her phone with the code the fake received, is paged by SMS or call, and the
// fake sends Twilio's signed callbacks (status, incoming SMS, key presses) back into the app.
const PUBLIC_URL = 'https://firebreak.example.com';
const ANA_PHONE = '+14155550123';

let sink: SmtpSink;
let twilio: FakeTwilio;
let vonage: FakeVonage;
let t: TestApp;

const inject: CallbackTransport = async ({ url, headers, body }) => {
  const res = await t.app.inject({ method: 'POST', url: url.slice(PUBLIC_URL.length), headers, payload: body });
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.body };
};

beforeAll(async () => {
  sink = await startSmtpSink();
  twilio = await startFakeTwilio({ transport: inject });
  vonage = await startFakeVonage();
});
afterAll(async () => {
  await sink.close();
  await twilio.close();
  await vonage.close();
});

describe('Twilio paging callbacks', () => {
  let admin: Person;
  let ana: Person;
  let providerId: string;
  const { call, ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const url = (what: string) => `${PUBLIC_URL}/integrations/providers/twilio/${providerId}/${what}`;
  const alertNow = async (alert: Alert) => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin));
  const timeline = async (alert: Alert) => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const trigger = async (title = 'Checkout 5xx above 2%') => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title, severity: 'critical' })).alert;

  /** Adds an sms or voice method for ana, verifies it with the code that reached the fake, and pages her on it first. */
  const addVerifiedPhone = async (type: 'sms' | 'voice') => {
    const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type, address: ANA_PHONE }));
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await run();
    let heard: string;
    if (type === 'sms') heard = twilio.messages.filter((m) => m.to === ANA_PHONE).at(-1)?.body ?? '';
    else heard = (await twilio.answerCall(twilio.calls.filter((c) => c.to === ANA_PHONE).at(-1)!.sid)).said.join(' ');
    const code = /(\d{6})/.exec(heard)?.[1];
    expect(code, `a verification code reached ana by ${type}: ${heard}`).toBeDefined();
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ana, { code });
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });
    twilio.clear();
    return method;
  };

  beforeEach(async () => {
    sink.clear();
    twilio.clear();
    vonage.clear();
    t = await buildProviderTestApp(sink);
    ({ admin, ana } = await setUpPagingScene(t, sink));
    const created = await ok('POST', '/api/v1/notification-providers', admin, {
      name: 'twilio-main',
      kind: 'twilio',
      position: 0,
      settings: { from: twilio.ourNumber, apiUrl: twilio.url },
      secrets: { accountSid: twilio.accountSid, authToken: twilio.authToken },
    });
    const provider = json<Provider>(created);
    providerId = provider.id;
    expect(provider.channels).toEqual(['sms', 'voice']);
    expect(provider.callbackUrls).toEqual({ incomingSms: url('sms'), status: url('status') });
  });
  afterEach(async () => t.close());

  describe('by SMS', () => {
    let alert: Alert;
    beforeEach(async () => {
      await addVerifiedPhone('sms');
      alert = await trigger();
      await run();
    });

    const page = () => {
      const sms = twilio.messages.find((m) => m.to === ANA_PHONE);
      expect(sms, 'ana was paged by SMS').toBeDefined();
      return sms!;
    };

    it('pages by a short SMS that names the alert and how to answer', () => {
      const sms = page();
      expect(sms.body.split('\n')[0]).toBe(`#${alert.number} Checkout 5xx above 2%`);
      expect(sms.body).toContain(`Reply ACK ${alert.number} to acknowledge, RES ${alert.number} to resolve`);
      expect([...sms.body].length).toBeLessThanOrEqual(320);
      expect(sms.from).toBe(twilio.ourNumber);
    });

    it('acknowledges on “ACK <number>” from ana’s verified phone, on the timeline as @ana via SMS, and says so in the reply', async () => {
      page();
      const answer = await twilio.incomingSms(url('sms'), ANA_PHONE, `ack ${alert.number}`);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toContain('text/xml');
      expect(twimlMessages(answer.body)).toEqual([`Firebreak: alert #${alert.number} "Checkout 5xx above 2%" acknowledged, recorded as @ana.`]);
      expect((await alertNow(alert)).status).toBe('acknowledged');
      expect(await timeline(alert)).toEqual(expect.arrayContaining([expect.stringContaining('@ana via SMS')]));
    });

    it('resolves on a bare “RES” (the latest page to that phone), and answers “already resolved” the second time', async () => {
      page();
      await twilio.incomingSms(url('sms'), ANA_PHONE, 'RES');
      expect((await alertNow(alert)).status).toBe('resolved');
      const again = await twilio.incomingSms(url('sms'), ANA_PHONE, 'RES');
      expect(again.body).toContain('is already resolved; nothing was changed');
    });

    it('changes nothing for a forged request: a wrong or missing signature answers 403', async () => {
      page();
      const params = { AccountSid: twilio.accountSid, From: ANA_PHONE, To: twilio.ourNumber, Body: `ACK ${alert.number}`, MessageSid: `SM${'0'.repeat(32)}` };
      const wrong = await twilio.callback(url('sms'), params, { signature: twilio.sign(url('sms'), { ...params, Body: 'RES' }) });
      expect(wrong.status).toBe(403);
      const missing = await twilio.callback(url('sms'), params, { signature: null });
      expect(missing.status).toBe(403);
      // Signed for another URL (a different provider id): refused too.
      const elsewhere = await twilio.callback(url('sms'), params, { signature: twilio.sign(`${PUBLIC_URL}/integrations/providers/twilio/other/sms`, params) });
      expect(elsewhere.status).toBe(403);
      expect((await alertNow(alert)).status).toBe('triggered');
      expect((await timeline(alert)).some((s) => s.includes('via SMS'))).toBe(false);
    });

    it('answers an unknown phone number with how to link it, and changes nothing', async () => {
      page();
      const answer = await twilio.incomingSms(url('sms'), '+14155550987', `ACK ${alert.number}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('not a verified contact method of any active Firebreak user');
      expect((await alertNow(alert)).status).toBe('triggered');
    });

    it('answers a reply it cannot read, or an alert number not paged to that phone, with the instructions, and changes nothing', async () => {
      page();
      const bare = await twilio.incomingSms(url('sms'), ANA_PHONE, String(alert.number));
      expect(bare.body).toContain('reply ACK 42 to acknowledge alert #42 or RES 42 to resolve it');
      const other = await twilio.incomingSms(url('sms'), ANA_PHONE, `ACK ${alert.number + 100}`);
      expect(other.body).toContain(`no page for alert #${alert.number + 100} was sent to this phone`);
      expect((await alertNow(alert)).status).toBe('triggered');
      const stop = await twilio.incomingSms(url('sms'), ANA_PHONE, 'STOP');
      expect(stop.body).toMatch(/<Response><\/Response>$/);
    });

    it('records Twilio’s delivery report on the timeline, ignores in-between statuses, and answers 404 for an unknown provider', async () => {
      const sms = page();
      expect((await twilio.messageStatus(sms.sid, 'sent')).status).toBe(204);
      expect((await twilio.messageStatus(sms.sid, 'delivered')).status).toBe(204);
      const summaries = await timeline(alert);
      expect(summaries).toEqual(expect.arrayContaining([`SMS page to ${ANA_PHONE} delivered, reported by twilio-main`]));
      expect(summaries.some((s) => s.includes(' sent, reported by'))).toBe(false);
      const unknown = await twilio.callback(`${PUBLIC_URL}/integrations/providers/twilio/prv_nope/status`, { MessageSid: sms.sid, MessageStatus: 'failed' });
      expect(unknown.status).toBe(404);
    });

    it('records an undelivered report with Twilio’s error code', async () => {
      const sms = page();
      await twilio.messageStatus(sms.sid, 'undelivered', '30003');
      expect(await timeline(alert)).toEqual(expect.arrayContaining([`SMS page to ${ANA_PHONE} undelivered, reported by twilio-main (Twilio error 30003)`]));
    });
  });

  describe('by voice call', () => {
    it('reads the subject and acknowledges when ana presses 4, on the timeline as @ana via voice call', async () => {
      await addVerifiedPhone('voice');
      const alert = await trigger();
      await run();
      const placed = twilio.calls.find((c) => c.to === ANA_PHONE);
      expect(placed, 'ana was called').toBeDefined();
      const { said, gatherSaid } = await twilio.answerCall(placed!.sid, '4');
      expect(said[0]).toBe(`Firebreak page. alert ${alert.number} Checkout 5xx above 2%. Press 4 to acknowledge, 6 to resolve.`);
      expect(gatherSaid[0]).toBe(`Alert ${alert.number} is now acknowledged. Goodbye.`);
      expect((await alertNow(alert)).status).toBe('acknowledged');
      expect(await timeline(alert)).toEqual(expect.arrayContaining([expect.stringContaining('@ana via voice call')]));
      await twilio.callStatus(placed!.sid, 'completed');
      expect(await timeline(alert)).toEqual(expect.arrayContaining([`Voice call page to ${ANA_PHONE} delivered, reported by twilio-main`]));
    });

    it('resolves on 6, and asks again on any other key without changing anything', async () => {
      await addVerifiedPhone('voice');
      const alert = await trigger();
      await run();
      const placed = twilio.calls.find((c) => c.to === ANA_PHONE)!;
      const wrong = await twilio.answerCall(placed.sid, '9');
      expect(wrong.gatherSaid[0]).toBe('Sorry, that key does nothing.');
      expect(wrong.gather?.body).toContain('<Gather');
      expect((await alertNow(alert)).status).toBe('triggered');
      await twilio.answerCall(placed.sid, '6');
      expect((await alertNow(alert)).status).toBe('resolved');
    });

    it('matches a key press to the page by the called number when Twilio asks before the call’s sid was stored', async () => {
      await addVerifiedPhone('voice');
      const alert = await trigger();
      await run();
      const early = `CA${'e'.repeat(32)}`;
      const press = (n: number) => {
        const gatherUrl = `${url('gather')}?s=x&alert=${alert.id}&n=${n}`;
        return twilio.callback(gatherUrl, { AccountSid: twilio.accountSid, CallSid: early, To: ANA_PHONE, From: twilio.ourNumber, Digits: '4' });
      };
      const wrongNumber = await press(alert.number + 1);
      expect(wrongNumber.body).toContain('could not match this call to a page');
      expect((await alertNow(alert)).status).toBe('triggered');
      const right = await press(alert.number);
      expect(right.status).toBe(200);
      expect((await alertNow(alert)).status).toBe('acknowledged');
    });

    it('refuses a key press with a forged signature', async () => {
      await addVerifiedPhone('voice');
      const alert = await trigger();
      await run();
      const placed = twilio.calls.find((c) => c.to === ANA_PHONE)!;
      const gatherUrl = `${url('gather')}?alert=${alert.id}&n=${alert.number}`;
      const params = { AccountSid: twilio.accountSid, CallSid: placed.sid, To: ANA_PHONE, From: twilio.ourNumber, Digits: '6' };
      const res = await twilio.callback(gatherUrl, params, { signature: twilio.sign(gatherUrl, { ...params, Digits: '4' }) });
      expect(res.status).toBe(403);
      expect((await alertNow(alert)).status).toBe('triggered');
    });
  });

  it('fails over to Vonage when Twilio is down, and the page still arrives by SMS', async () => {
    await ok('POST', '/api/v1/notification-providers', admin, {
      name: 'vonage-backup',
      kind: 'vonage',
      position: 1,
      settings: { from: '+14155550101', apiUrl: vonage.url },
      secrets: { apiKey: vonage.apiKey, apiSecret: vonage.apiSecret },
    });
    await addVerifiedPhone('sms');
    twilio.failAll({ status: 503, code: 20503, message: 'Service Unavailable' });
    const alert = await trigger();
    await run();
    expect(twilio.messages).toEqual([]);
    expect(twilio.requests).toBeGreaterThan(0);
    const [sms] = vonage.messages;
    expect(sms?.to).toBe(ANA_PHONE.slice(1));
    expect(sms?.text.split('\n')[0]).toBe(`#${alert.number} Checkout 5xx above 2%`);
    expect(sms?.text).toContain(`${PUBLIC_URL}/a/`);
    const delivered = (await timeline(alert)).find((s) => s.includes('delivered'));
    expect(delivered).toContain('vonage-backup');
    const res = await call('GET', '/api/v1/notification-providers', admin);
    const twilioHealth = json<{ items: Provider[] } | Provider[]>(res);
    const list = Array.isArray(twilioHealth) ? twilioHealth : twilioHealth.items;
    expect(list.find((p) => p.name === 'twilio-main')?.health.lastError).toContain('503');
    twilio.recover();
  });
});
