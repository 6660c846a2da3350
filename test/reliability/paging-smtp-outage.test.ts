import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import type { ContactMethod } from '../../src/contracts/notify.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { buildTestApp, json, type TestApp } from '../support/app.js';
import { startFakeTwilio, type FakeTwilio } from '../support/fakes/twilio.js';
import { startFakeVonage, type FakeVonage } from '../support/fakes/vonage.js';
import { requestsAs, setUpPagingScene, type Person } from '../support/people.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { startTcpForwarder, type TcpForwarder } from '../support/tcp-forwarder.js';

/**
 * The SMTP relay goes down for two minutes while an alert pages ana, whose notification rules are an
 * email at once and an SMS after 3 minutes. The relay is really down: nothing listens on its port
 * (connection refused), through a forwarder the test switches off and on. Expected (docs/paging.md,
 * "Never lost, never twice"; page-delivery.ts, failover):
 *
 * - the email is retried with backoff while the relay is down, each failure on the timeline;
 * - ana's next contact method, the SMS (through a fake Twilio), is tried at once after the first
 *   failure instead of 3 minutes later;
 * - once the relay is back, the next retry delivers the email: exactly one, with its Message-ID.
 *
 * A second case stacks a second failure on the first: Twilio answers HTTP 500 too, so the SMS goes
 * out through the second SMS provider (Vonage) while the relay is still down.
 *
 * Time is Firebreak's clock (ManualClock, stepped 5 s at a time with the due jobs run at each step),
 * so "two minutes" are two minutes of the clock the job runner and backoff use, not two minutes of
 * waiting; the relay's outage and recovery are real network events at those instants.
 */

const PUBLIC_URL = 'https://firebreak.example.com';
const ANA_PHONE = '+14155550123';
const OUTAGE_MS = 2 * 60_000;
const STEP_MS = 5_000;

let sink: SmtpSink;
let relay: TcpForwarder;
let twilio: FakeTwilio;
let vonage: FakeVonage;

beforeAll(async () => {
  sink = await startSmtpSink();
  relay = await startTcpForwarder(sink.port);
  twilio = await startFakeTwilio();
  vonage = await startFakeVonage();
});
afterAll(async () => {
  await relay.close();
  await sink.close();
  await twilio.close();
  await vonage.close();
});

describe('paging through a two-minute SMTP relay outage', () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  const { ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const db = () => t.firebreak.services.database.db;
  const pagesToAna = () => sink.messages.filter((m) => m.headers['x-firebreak-kind'] === 'page' && m.envelope.to.includes('ana@example.com'));

  beforeEach(async () => {
    sink.clear();
    twilio.clear();
    await relay.up();
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: `smtp://127.0.0.1:${relay.port}`, FIREBREAK_PUBLIC_URL: PUBLIC_URL, FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    ({ admin, ana } = await setUpPagingScene(t, sink));
    await ok('POST', '/api/v1/notification-providers', admin, { name: 'twilio-main', kind: 'twilio', settings: { from: twilio.ourNumber, apiUrl: twilio.url }, secrets: { accountSid: twilio.accountSid, authToken: twilio.authToken } });
    const sms = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: 'sms', address: ANA_PHONE }));
    await ok('POST', `/api/v1/me/contact-methods/${sms.id}/verification`, ana);
    await run();
    const code = /(\d{6})/.exec(twilio.messages.filter((m) => m.to === ANA_PHONE).at(-1)?.body ?? '')?.[1];
    expect(code, 'the SMS verification code reached the fake Twilio').toBeDefined();
    await ok('POST', `/api/v1/me/contact-methods/${sms.id}/verify`, ana, { code });
    const email = json<{ items: ContactMethod[] }>(await ok('GET', '/api/v1/me/contact-methods', ana)).items.find((m) => m.type === 'email')!;
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: email.id }, { delayMinutes: 3, contactMethodId: sms.id }], low: [] });
    twilio.clear();
    sink.clear();
  });
  afterEach(async () => {
    await t.close();
    await relay.up();
  });

  it('retries the email until the relay is back, delivers it once, and texts ana at once meanwhile', { timeout: 120_000 }, async () => {
    await relay.down();
    const t0 = t.clock.now();
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await run();
    await run();

    // The first email attempt failed; the SMS, due in 3 minutes, went out at once instead.
    expect(twilio.messages.map((m) => [m.to, m.body.split('\n')[0]])).toEqual([[ANA_PHONE, `#${alert.number} Checkout 5xx above 2%`]]);
    const rows = () => db().selectFrom('page_notifications').select(['channel', 'status', 'attempts', 'sent_at', 'due_at', 'last_error']).where('alert_id', '=', alert.id).where('user_id', '=', ana.userId).orderBy('channel').execute();
    const [emailRow, smsRow] = await rows();
    expect(emailRow).toMatchObject({ channel: 'email', status: 'pending', attempts: 1, sent_at: null, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(smsRow).toMatchObject({ channel: 'sms', status: 'sent', sent_at: t0, due_at: t0 });

    // The relay stays down for two minutes of the clock: every email attempt in that time fails and is retried.
    while (t.clock.now() < t0 + OUTAGE_MS) {
      t.clock.advance(STEP_MS);
      await run();
    }
    expect(pagesToAna()).toEqual([]);
    const duringOutage = (await rows())[0]!;
    expect(duringOutage).toMatchObject({ status: 'pending', sent_at: null });
    // Backoff from 5 s, doubling: attempts near 0, 5, 15, 35 and 75 s (with jitter) fall in the outage.
    expect(duringOutage.attempts).toBeGreaterThanOrEqual(3);
    expect(duringOutage.attempts).toBeLessThan(8);

    // The relay is back: the next retry delivers, within one backoff interval (at most 5 minutes).
    await relay.up();
    const back = t.clock.now();
    while (pagesToAna().length === 0 && t.clock.now() < back + 5 * 60_000) {
      t.clock.advance(STEP_MS);
      await run();
    }
    const arrivedAt = t.clock.now();
    expect(pagesToAna(), 'the page email arrived after the relay came back').toHaveLength(1);
    expect(arrivedAt - back).toBeLessThanOrEqual(5 * 60_000);
    const [mail] = pagesToAna();
    expect(mail!.subject).toBe(`#${alert.number} Checkout 5xx above 2%`);
    expect(mail!.headers['message-id']).toMatch(/^<page\..+@firebreak>$/);
    const [delivered] = await rows();
    expect(delivered).toMatchObject({ channel: 'email', status: 'sent', attempts: duringOutage.attempts + 1, last_error: null });
    expect(delivered!.sent_at).toBeGreaterThanOrEqual(back);

    // Nothing more goes out for that step: later passes send neither the email nor the SMS again.
    for (let i = 0; i < 12; i++) {
      t.clock.advance(STEP_MS);
      await run();
    }
    expect(pagesToAna()).toHaveLength(1);
    expect(twilio.messages).toHaveLength(1);

    const timeline = json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
    expect(timeline).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Email to ana@example\.com failed \(attempt 1 of 8\), retrying: .*(ECONNREFUSED|connect)/i),
        expect.stringMatching(new RegExp(`^Failover: Email to ana@example\\.com failed, so @ana's sms \\(\\${ANA_PHONE}\\) is tried now instead of in 3 min$`, 'i')),
        expect.stringMatching(new RegExp(`^Email to ana@example\\.com delivered .*\\(attempt ${duringOutage.attempts + 1}, `)),
      ]),
    );
    expect(timeline.filter((s) => /^Email to ana@example\.com failed \(attempt \d+ of 8\), retrying/.test(s))).toHaveLength(duringOutage.attempts);
  });

  it('with Twilio also failing (HTTP 500) the SMS goes out through the second SMS provider, Vonage', { timeout: 120_000 }, async () => {
    await ok('POST', '/api/v1/notification-providers', admin, { name: 'vonage-backup', kind: 'vonage', position: 1, settings: { from: '+14155550101', apiUrl: vonage.url }, secrets: { apiKey: vonage.apiKey, apiSecret: vonage.apiSecret } });
    vonage.clear();
    await relay.down();
    twilio.failAll({ status: 500, code: 20500, message: 'Internal Server Error' });
    try {
      const t0 = t.clock.now();
      const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
      await run();
      await run();
      // Twilio was asked and answered 500; Vonage delivered the SMS at once, still during the outage.
      expect(twilio.messages).toEqual([]);
      expect(twilio.requests).toBeGreaterThan(0);
      expect(vonage.messages.map((m) => [m.to, m.text.split('\n')[0]])).toEqual([[ANA_PHONE.slice(1), `#${alert.number} Checkout 5xx above 2%`]]);
      const sms = await db().selectFrom('page_notifications').select(['status', 'provider', 'sent_at']).where('alert_id', '=', alert.id).where('channel', '=', 'sms').executeTakeFirstOrThrow();
      expect(sms).toEqual({ status: 'sent', provider: 'vonage-backup', sent_at: t0 });
      const timeline = json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
      expect(timeline).toEqual(expect.arrayContaining([expect.stringMatching(/^SMS to \+14155550123 delivered via vonage-backup after twilio-main failed \(.*500.*\) \(attempt 1, /i)]));

      // The relay comes back after two minutes of the clock; the email still arrives, once.
      while (t.clock.now() < t0 + OUTAGE_MS) {
        t.clock.advance(STEP_MS);
        await run();
      }
      expect(pagesToAna()).toEqual([]);
      await relay.up();
      const back = t.clock.now();
      while (pagesToAna().length === 0 && t.clock.now() < back + 5 * 60_000) {
        t.clock.advance(STEP_MS);
        await run();
      }
      expect(pagesToAna()).toHaveLength(1);
      expect(vonage.messages).toHaveLength(1);
    } finally {
      twilio.recover();
    }
  });
});
