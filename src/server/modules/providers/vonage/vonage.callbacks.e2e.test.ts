import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { ContactMethod } from '../../../../contracts/notify.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeVonage, type FakeVonage, type VonageCallbackTransport } from '../../../../../test/support/fakes/vonage.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { buildProviderTestApp } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';

// The whole path on the real app: a Vonage provider with a signature secret, created through the API
// and pointing at a local fake; ana verifies her phone with the code the fake received, is paged by
// SMS, and the fake sends Vonage's signed delivery receipts and incoming SMS back into the app.
const PUBLIC_URL = 'https://firebreak.example.com';
const ANA_PHONE = '+14155550123';
const ANA_DIGITS = ANA_PHONE.slice(1);

let sink: SmtpSink;
let vonage: FakeVonage;
let t: TestApp;

const transport: VonageCallbackTransport = async ({ method, url, headers, body }) => {
  const res = await t.app.inject({ method, url: url.slice(PUBLIC_URL.length), headers, ...(method === 'POST' ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.body };
};

beforeAll(async () => {
  sink = await startSmtpSink();
  vonage = await startFakeVonage({ transport, signatureMethod: 'sha256hmac', now: () => t.clock.now() });
});
afterAll(async () => {
  await sink.close();
  await vonage.close();
});

describe('Vonage delivery receipts and SMS replies', () => {
  let admin: Person;
  let ana: Person;
  let providerId: string;
  let alert: Alert;
  const { ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const url = (what: string) => `${PUBLIC_URL}/integrations/providers/vonage/${providerId}/${what}`;
  const alertNow = async () => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin));
  const timeline = async () => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const page = () => {
    const sms = vonage.messages.find((m) => m.to === ANA_DIGITS && m.text.startsWith(`#${alert.number}`));
    expect(sms, 'ana was paged by SMS through Vonage').toBeDefined();
    return sms!;
  };

  beforeEach(async () => {
    sink.clear();
    vonage.clear();
    t = await buildProviderTestApp(sink);
    ({ admin, ana } = await setUpPagingScene(t, sink));
    const provider = json<Provider>(
      await ok('POST', '/api/v1/notification-providers', admin, {
        name: 'vonage-main',
        kind: 'vonage',
        position: 0,
        settings: { from: '+14155550101', apiUrl: vonage.url, signatureMethod: 'sha256hmac' },
        secrets: { apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret },
      }),
    );
    providerId = provider.id;
    expect(provider.callbackUrls).toEqual({ 'delivery-receipt': url('delivery-receipt'), 'inbound-sms': url('inbound-sms') });
    const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: 'sms', address: ANA_PHONE }));
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await run();
    const code = /(\d{6})/.exec(vonage.messages.at(-1)?.text ?? '')?.[1];
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ana, { code });
    const email = json<{ items: ContactMethod[] }>(await ok('GET', '/api/v1/me/contact-methods', ana)).items.find((m) => m.type === 'email')!;
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }, { delayMinutes: 5, contactMethodId: email.id }], low: [] });
    vonage.clear();
    sink.clear();
    alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await run();
  });
  afterEach(async () => t.close());

  it('asks Vonage for a receipt at the provider’s callback URL and invites “ACK <number>” replies', () => {
    const sms = page();
    expect(sms.callback).toBe(url('delivery-receipt'));
    expect(sms.text).toContain(`Reply ACK ${alert.number} to acknowledge, RES ${alert.number} to resolve`);
  });

  it('records a delivery receipt, sent by GET, POST form or POST JSON, and ignores in-between statuses', async () => {
    const sms = page();
    expect((await vonage.deliveryReceipt(sms.messageId, 'accepted')).status).toBe(204);
    expect((await timeline()).some((s) => s.includes('reported by vonage-main'))).toBe(false);
    expect((await vonage.deliveryReceipt(sms.messageId, 'delivered', { via: 'POST-JSON' })).status).toBe(204);
    expect(await timeline()).toEqual(expect.arrayContaining([`SMS page to ${ANA_PHONE} delivered, reported by vonage-main`]));
  });

  it('fails over to ana’s next contact method at once when Vonage reports the SMS expired', async () => {
    const sms = page();
    expect((await vonage.deliveryReceipt(sms.messageId, 'expired', { errCode: '5', via: 'POST' })).status).toBe(204);
    expect(await timeline()).toEqual(expect.arrayContaining([`SMS page to ${ANA_PHONE} undelivered, reported by vonage-main (Vonage expired, error code 5)`]));
    await run();
    expect(sink.messages.some((m) => m.to.includes('ana@example.com') && m.subject.includes(`#${alert.number}`))).toBe(true);
  });

  it('acknowledges on “ACK <number>” from ana’s verified phone, as @ana via SMS, and texts back what happened', async () => {
    page();
    expect((await vonage.inboundSms(url('inbound-sms'), ANA_DIGITS, `ack ${alert.number}`)).status).toBe(204);
    expect((await alertNow()).status).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ana via SMS')]));
    await expect.poll(() => vonage.messages.filter((m) => m.to === ANA_DIGITS).map((m) => m.text)).toContain(`Firebreak: alert #${alert.number} "Checkout 5xx above 2%" acknowledged, recorded as @ana.`);
    expect(vonage.messages.at(-1)!.callback).toBeNull();
  });

  it('changes nothing for a forged, unsigned, replayed or foreign request: 403', async () => {
    page();
    const tampered = await vonage.inboundSms(url('inbound-sms'), ANA_DIGITS, `RES ${alert.number}`, { tamper: `ACK ${alert.number}` });
    expect(tampered.status).toBe(403);
    expect((await vonage.inboundSms(url('inbound-sms'), ANA_DIGITS, `ACK ${alert.number}`, { unsigned: true })).status).toBe(403);
    const stale = await vonage.inboundSms(url('inbound-sms'), ANA_DIGITS, `ACK ${alert.number}`, { timestamp: t.clock.now() - 10 * 60_000 });
    expect(stale.status).toBe(403);
    expect(stale.body).toContain('5 minutes');
    expect((await vonage.inboundSms(`${PUBLIC_URL}/integrations/providers/vonage/prv_unknown/inbound-sms`, ANA_DIGITS, 'ACK')).status).toBe(404);
    expect((await alertNow()).status).toBe('triggered');
  });

  it('reads no callbacks for a provider without a signature secret, and its pages offer the one-click link instead of replies', async () => {
    await ok('PATCH', `/api/v1/notification-providers/${providerId}`, admin, { secrets: { signatureSecret: null } });
    const refused = await vonage.inboundSms(url('inbound-sms'), ANA_DIGITS, `ACK ${alert.number}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('no signature secret');
    expect((await alertNow()).status).toBe('triggered');
    vonage.clear();
    await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Disk 91% full on db-3', severity: 'critical' });
    await run();
    const next = vonage.messages.find((m) => m.to === ANA_DIGITS);
    expect(next, 'the next alert paged ana through Vonage').toBeDefined();
    expect(next!.callback).toBeNull();
    expect(next!.text).not.toContain('Reply ACK');
    expect(next!.text).toContain('Acknowledge: https://firebreak.example.com/a/');
  });
});
