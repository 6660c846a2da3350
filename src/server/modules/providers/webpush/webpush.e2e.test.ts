import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { ContactMethod } from '../../../../contracts/notify.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakePushService, type FakePushService } from '../../../../../test/support/fakes/push-service.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { buildProviderTestApp } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { systemActor } from '../../audit/audit.repo.js';
import { generateVapidKeys } from './vapid-keys.js';
import type { PushPayload } from './webpush.channel.js';

// Web push end to end: a web push provider added through the API, a person's push contact method
// verified with the code that arrives as a push, a page pushed with the person's action links, and
// the Acknowledge button's request (what public/sw.js sends) acknowledging the alert.
let sink: SmtpSink;
let push: FakePushService;
beforeAll(async () => {
  sink = await startSmtpSink();
  push = await startFakePushService();
});
afterAll(async () => {
  await sink.close();
  await push.close();
});

const PUBLIC_URL = 'https://firebreak.example.com';
const keys = generateVapidKeys();

describe('web push end to end', () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  const { call, ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const payloads = () => push.messages.map((m) => JSON.parse(m.text) as PushPayload);

  beforeEach(async () => {
    sink.clear();
    push.clear();
    t = await buildProviderTestApp(sink);
    ({ admin, ana } = await setUpPagingScene(t, sink));
  });
  afterEach(async () => t.close());

  /**
   * Adds a push method for ana. The fake push service listens on http://127.0.0.1, which the contact
   * method API rightly refuses (push endpoints must be https), so the subscription is stored through
   * the service behind that API; everything after goes through the API.
   */
  const addPushMethod = async (subscription: ReturnType<FakePushService['subscribe']>) =>
    t.firebreak.services.notify.create({ actor: systemActor('test'), principal: null }, ana.handle, { type: 'push', address: subscription, label: 'Phone' });

  it('verifies a device with the code pushed to it, then pages it with working Acknowledge and Resolve links', async () => {
    const provider = json<Provider>(await ok('POST', '/api/v1/notification-providers', admin, { name: 'webpush-main', kind: 'webpush', settings: { subject: 'mailto:oncall-admins@example.com' }, secrets: keys }));
    expect(provider).toMatchObject({ kind: 'webpush', channels: ['push'], problems: [] });
    expect(JSON.stringify(provider)).not.toContain(keys.privateKey);

    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const method = await addPushMethod(subscription);
    expect(method.channelAvailable).toBe(true);
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await run();
    expect(push.refused).toEqual([]);
    const [verification] = payloads();
    expect(verification).toMatchObject({ kind: 'verification', url: `${PUBLIC_URL}/settings/contact-methods` });
    const code = /(\d{6})/.exec(verification!.body)?.[1];
    expect(code, verification!.body).toBeDefined();
    expect(json<ContactMethod>(await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ana, { code })).verified).toBe(true);

    const rules = json<{ high: Array<{ contactMethodId: string; delayMinutes: number }> }>(await ok('GET', '/api/v1/me/notification-rules', ana));
    await ok('PUT', '/api/v1/me/notification-rules', ana, {
      high: [...rules.high.map((r) => ({ contactMethodId: r.contactMethodId, delayMinutes: r.delayMinutes })), { contactMethodId: method.id, delayMinutes: 0 }],
      low: [],
    });

    push.clear();
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx', severity: 'critical' })).alert;
    await run();
    expect(push.messages).toHaveLength(1);
    const [pushed] = push.messages;
    expect(pushed).toMatchObject({ endpoint: subscription.endpoint, urgency: 'high', ttl: 3600, claims: { sub: 'mailto:oncall-admins@example.com', aud: push.url } });
    const page = payloads()[0]!;
    expect(page).toMatchObject({ kind: 'page', alertNumber: alert.number, url: `${PUBLIC_URL}/alerts/${alert.number}`, test: false, shadow: false });
    expect(page.subject.length).toBeLessThanOrEqual(50);
    expect(page.actions?.acknowledge).toMatch(new RegExp(`^${PUBLIC_URL.replace(/\./g, '\\.')}/a/[A-Za-z0-9_-]{43}$`));
    expect(page.actions?.resolve).toMatch(/\/a\/[A-Za-z0-9_-]{43}$/);

    // The notification's Acknowledge button (public/sw.js): a bodiless POST with no cookie and no CSRF
    // token, only what browsers add to a worker's fetch. The worker shows the answer's first <p>.
    const serviceWorkerPost = (link: string) =>
      t.app.inject({ method: 'POST', url: new URL(link).pathname, headers: { origin: PUBLIC_URL, 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'empty', accept: '*/*' } });
    const firstParagraph = (html: string) => /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
    const acknowledged = await serviceWorkerPost(page.actions!.acknowledge);
    expect(acknowledged.statusCode).toBe(200);
    expect(firstParagraph(acknowledged.body)).toMatch(new RegExp(`^Alert #${alert.number} .* is now acknowledged, recorded as @ana\\.$`));
    expect(json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status).toBe('acknowledged');
    const again = await serviceWorkerPost(page.actions!.acknowledge);
    expect(again.statusCode).toBe(410);
    expect(firstParagraph(again.body)).toMatch(/already used/);
  });

  it('records a subscription the push service says is gone as a permanent failure telling the person to re-enable push', async () => {
    await ok('POST', '/api/v1/notification-providers', admin, { name: 'webpush-main', kind: 'webpush', settings: { subject: 'mailto:oncall-admins@example.com' }, secrets: keys });
    const subscription = push.subscribe({ applicationServerKey: keys.publicKey });
    const method = await addPushMethod(subscription);
    push.expire(subscription.endpoint);
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await run();
    const after = json<{ items: ContactMethod[] }>(await ok('GET', '/api/v1/me/contact-methods', ana)).items.find((m) => m.id === method.id);
    expect(after?.verification?.error).toMatch(/expired or was removed .*re-enable push on that device/);
    expect(after?.verification?.error).not.toContain(new URL(subscription.endpoint).pathname);
  });

  it('refuses a private key that does not belong to its public key, and shows such a pair from the environment as unable to deliver', async () => {
    const mixed = { publicKey: keys.publicKey, privateKey: generateVapidKeys().privateKey };
    const res = await call('POST', '/api/v1/notification-providers', admin, { name: 'webpush-mixed', kind: 'webpush', settings: { subject: 'mailto:oncall-admins@example.com' }, secrets: mixed });
    // Given as values, the pair is checked as a whole before anything is saved.
    expect(res.statusCode, res.body).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues).toEqual([{ path: 'body.secrets.privateKey', message: expect.stringContaining('is not the private key of this public key') as unknown }]);
    // From the environment, the pair is only known when the provider is built: saved, shown as a
    // problem, and it delivers nothing rather than signing tokens push services refuse.
    await t.close();
    t = await buildProviderTestApp(sink, { VAPID_PUBLIC: mixed.publicKey, VAPID_PRIVATE: mixed.privateKey });
    admin = await t.userWithToken('admin', 'push-admin-2');
    const saved = json<Provider>(await call('POST', '/api/v1/notification-providers', admin, { name: 'webpush-mixed', kind: 'webpush', settings: { subject: 'mailto:oncall-admins@example.com' }, secrets: { publicKey: { fromEnv: 'VAPID_PUBLIC' }, privateKey: { fromEnv: 'VAPID_PRIVATE' } } }));
    expect(saved.problems).toEqual([expect.stringContaining('is not the private key of this public key') as unknown]);
  });

  it('refuses a provider whose keys are not VAPID keys, naming the secret', async () => {
    const res = await call('POST', '/api/v1/notification-providers', admin, { name: 'webpush-bad', kind: 'webpush', settings: { subject: 'mailto:oncall-admins@example.com' }, secrets: { publicKey: keys.publicKey, privateKey: 'c2hvcnQ' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues).toEqual([{ path: 'body.secrets.privateKey', message: expect.stringContaining('32-byte') as unknown }]);
  });
});
