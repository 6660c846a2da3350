import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contracts/alerts.js';
import type { ContactMethod } from '../../src/contracts/notify.js';
import type { Provider } from '../../src/contracts/providers.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { buildTestApp, json, type TestApp } from '../support/app.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fakes/discord.js';
import { startFakeNtfy, type FakeNtfy } from '../support/fakes/ntfy.js';
import { startFakeWebhookReceiver, type FakeWebhookReceiver } from '../support/fakes/webhook.js';
import { requestsAs, setUpPagingScene } from '../support/people.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

// End to end on the real app: a provider created through the API, ana's contact method verified with
// the code that arrived at the fake provider, a page delivered there with ana's signed one-click
// links, and a press on its Acknowledge action (a Discord link button, an ntfy http action, a webhook
// receiver's POST) acknowledging the alert as her.
const SIGNING_SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const NTFY_TOKEN = 'tk_firebreakpaging000000000000';

let sink: SmtpSink;
let discord: FakeDiscord;
let ntfy: FakeNtfy;
let receiver: FakeWebhookReceiver;
beforeAll(async () => {
  [sink, discord, ntfy, receiver] = await Promise.all([startSmtpSink(), startFakeDiscord(), startFakeNtfy({ token: NTFY_TOKEN }), startFakeWebhookReceiver({ secret: SIGNING_SECRET })]);
});
afterAll(async () => {
  await Promise.all([sink.close(), discord.close(), ntfy.close(), receiver.close()]);
});

/** What the fake provider received for ana, read back as subject, text and the Acknowledge URL if any. */
interface Received {
  subject: string;
  text: string;
  acknowledge: string | undefined;
}

interface Case {
  kind: 'discord' | 'ntfy' | 'webhook';
  settings: () => Record<string, unknown>;
  secrets: () => Record<string, string>;
  address: () => string;
  received: () => Received[];
}

const cases: Case[] = [
  {
    kind: 'discord',
    settings: () => ({ apiUrl: discord.url }),
    secrets: () => ({ botToken: discord.token }),
    address: () => '80351110224678912',
    received: () =>
      discord.messages.map((m) => ({
        subject: String(m.embeds[0]?.title),
        text: m.content,
        acknowledge: m.components.flatMap((row) => row.components).find((b) => b.label === 'Acknowledge')?.url as string | undefined,
      })),
  },
  {
    kind: 'ntfy',
    settings: () => ({ serverUrl: ntfy.url }),
    secrets: () => ({ accessToken: NTFY_TOKEN }),
    address: () => 'ana-pages-7f3k2m',
    received: () =>
      ntfy.messages.map((m) => {
        const ack = m.actions.find((a) => a.label === 'Acknowledge');
        // ntfy's app performs an http action as written: only a POST with the link acts.
        return { subject: m.title ?? '', text: m.message, acknowledge: ack?.action === 'http' && ack.method === 'POST' ? ack.url : undefined };
      }),
  },
  {
    kind: 'webhook',
    settings: () => ({}),
    secrets: () => ({ signingSecret: SIGNING_SECRET }),
    address: () => `${receiver.url}/hooks/ana`,
    received: () =>
      receiver.received.map((r) => ({ subject: String(r.body.subject), text: String(r.body.text), acknowledge: (r.body.actions as { acknowledge?: string } | null)?.acknowledge })),
  },
];

describe.each(cases)('paging through $kind', (c) => {
  let t: TestApp;
  const { ok } = requestsAs(() => t);
  afterEach(async () => t.close());

  it('verifies the contact method with the code that arrived, pages with one-click links, and the Acknowledge link acknowledges as the person', async () => {
    discord.clear();
    ntfy.clear();
    receiver.clear();
    t = await buildTestApp({
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    });
    const { admin, ana } = await setUpPagingScene(t, sink);
    const provider = json<Provider>(await ok('POST', '/api/v1/notification-providers', admin, { name: `${c.kind}-main`, kind: c.kind, settings: c.settings(), secrets: c.secrets() }));
    expect(provider.channels).toEqual([c.kind]);
    expect(provider.problems).toEqual([]);

    const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: c.kind, address: c.address() }));
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await t.firebreak.runner.runDueJobs();
    const verification = c.received().at(-1);
    const code = /(\d{6})/.exec(verification?.subject ?? '')?.[1];
    expect(code, 'the verification code arrived at the provider').toBeDefined();
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ana, { code });
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });

    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await t.firebreak.runner.runDueJobs();
    const page = c.received().find((r) => r.acknowledge !== undefined);
    expect(page, `ana was paged through ${c.kind} with an Acknowledge link`).toBeDefined();
    expect(page!.text).toContain('Checkout 5xx above 2%');
    // The webhook payload names whose page it is (a receiver URL may be shared).
    if (c.kind === 'webhook') expect(receiver.received.find((r) => r.body.event === 'page')?.body.recipient).toEqual({ id: ana.userId, handle: 'ana', name: expect.any(String) });
    const link = new URL(page!.acknowledge!);
    expect(link.origin).toBe('https://firebreak.example.com');

    const pressed = await t.app.inject({ method: 'POST', url: link.pathname });
    expect(pressed.statusCode, pressed.body).toBe(200);
    expect(json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status).toBe('acknowledged');
  });

  it('answers "send test" with the provider’s message id, delivering a test message', async () => {
    discord.clear();
    ntfy.clear();
    receiver.clear();
    t = await buildTestApp({ env: { FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    const admin = await t.userWithToken('admin', 'root-admin');
    const provider = json<Provider>(await ok('POST', '/api/v1/notification-providers', admin, { name: `${c.kind}-main`, kind: c.kind, settings: c.settings(), secrets: c.secrets() }));
    const result = json<{ ok: boolean; providerMessageId: string | null; error: string | null }>(await ok('POST', `/api/v1/notification-providers/${provider.id}/test`, admin, { to: c.address() }));
    expect(result).toMatchObject({ ok: true, error: null, providerMessageId: expect.any(String) });
    expect(c.received()).toHaveLength(1);
  });
});
