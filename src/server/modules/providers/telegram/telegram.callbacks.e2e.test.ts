import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { ContactMethod } from '../../../../contracts/notify.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeTelegram, type FakeTelegram, type TelegramMessage, type TelegramUser } from '../../../../../test/support/fakes/telegram.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { addVerifiedContact, buildProviderTestApp, startCallbackPlugin } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { telegramCallbacks } from './telegram.callbacks.js';

// The whole path on the real app and database: a Telegram provider created through the API, ana's chat
// opened with /start and verified as a contact method, a page delivered by the real adapter to a local
// fake of the Bot API, and the fake posting the button press back to the webhook with the secret token
// the admin registered through setWebhook.
const SECRET = 'tg-webhook-secret-0123456789abcdef';
const ANA: TelegramUser = { id: 123456789, first_name: 'Ana', username: 'ana_l' };
const BEN: TelegramUser = { id: 223456789, first_name: 'Ben' };
const EVE: TelegramUser = { id: 323456789, first_name: 'Eve' };

let sink: SmtpSink;
let telegram: FakeTelegram;
beforeAll(async () => {
  sink = await startSmtpSink();
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await sink.close();
  await telegram.close();
});

describe('Telegram button presses and /start', () => {
  let t: TestApp;
  /** The webhook plugin on its own, allowed to reach the fake on 127.0.0.1 for its replies. */
  let callbacks: FastifyInstance;
  let admin: Person;
  let ana: Person;
  let ben: Person;
  let alert: Alert;
  let provider: Provider;
  const { ok } = requestsAs(() => t);
  const status = async () => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status;
  const timeline = async () => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const via = (app: () => FastifyInstance) => async (url: string, headers: Record<string, string>, body: string) => (await app().inject({ method: 'POST', url: new URL(url).pathname, headers, payload: body })).statusCode;

  const addVerifiedTelegram = async (who: Person, user: TelegramUser) => {
    expect(await telegram.sendStart(user)).toBe(200);
    return addVerifiedContact(t, who, 'telegram', String(user.id), () => {
      const sent = telegram.messages.filter((m) => m.chatId === user.id).at(-1);
      return /code: (\d{6})/.exec(sent?.text.split('\n')[0] ?? '')?.[1];
    });
  };

  beforeEach(async () => {
    telegram.clear();
    t = await buildProviderTestApp(sink);
    ({ admin, ana, ben } = await setUpPagingScene(t, sink));
    provider = json<Provider>(
      await ok('POST', '/api/v1/notification-providers', admin, { name: 'telegram-main', kind: 'telegram', settings: { apiUrl: telegram.url }, secrets: { botToken: telegram.token, webhookSecret: SECRET } }),
    );
    // The admin's one-time setup step, as docs/providers.md describes it.
    const registered = await fetch(`${telegram.url}/bot${telegram.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: provider.callbackUrls.updates, secret_token: SECRET, allowed_updates: ['message', 'callback_query'] }),
    });
    expect(await registered.json()).toEqual({ ok: true, result: true });

    callbacks = await startCallbackPlugin(t, telegramCallbacks);
    telegram.transport = via(() => callbacks);

    const method = await addVerifiedTelegram(ana, ANA);
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });
    await addVerifiedTelegram(ben, BEN);
    alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await t.firebreak.runner.runDueJobs();
  });
  afterEach(async () => {
    await callbacks.close();
    await t.close();
  });

  const pageToAna = (): TelegramMessage => {
    const page = telegram.messages.find((m) => m.chatId === ANA.id && m.keyboard.length > 0);
    expect(page, 'ana was paged in Telegram').toBeDefined();
    return page!;
  };

  it('gives the callback URL to enter in setWebhook', () => {
    expect(provider.callbackUrls).toEqual({ updates: `https://firebreak.example.com/integrations/providers/telegram/${provider.id}/updates` });
  });

  it('answers /start with the chat id to add as a contact method', async () => {
    telegram.clear();
    expect(await telegram.sendStart(EVE)).toBe(200);
    const [reply] = telegram.messages;
    expect(reply?.chatId).toBe(EVE.id);
    expect(reply?.text).toContain(`Your Telegram chat ID is ${EVE.id}.`);
    expect(reply?.entities).toContainEqual({ type: 'code', offset: reply!.text.indexOf(String(EVE.id)), length: String(EVE.id).length });
  });

  it('pages with Acknowledge and Resolve buttons carrying the alert id', () => {
    expect(pageToAna().keyboard).toEqual([
      [
        { text: 'Acknowledge', callback_data: `ack:${alert.id}` },
        { text: 'Resolve', callback_data: `res:${alert.id}` },
      ],
    ]);
  });

  it('acknowledges when the paged person presses Acknowledge, records it as them via Telegram and edits the message', async () => {
    const page = pageToAna();
    const before = page.text;
    expect(await telegram.pressButton({ message: page, label: 'Acknowledge', from: ANA })).toBe(200);
    expect(await status()).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ana via Telegram')]));
    expect(telegram.answers.at(-1)).toMatchObject({ text: `Acknowledged alert #${alert.number}`, showAlert: false });
    expect(page.text).toBe(`${before}\n\n✅ Acknowledged by @ana`);
    expect(page.entities.find((e) => e.type === 'bold')).toEqual({ type: 'bold', offset: 0, length: before.split('\n')[0]!.length });
    expect(page.keyboard).toEqual([[{ text: 'Resolve', callback_data: `res:${alert.id}` }]]);
  });

  it('resolves when another person with a verified Telegram chat presses Resolve, and removes the buttons', async () => {
    const page = pageToAna();
    expect(await telegram.pressButton({ message: page, label: 'Resolve', from: BEN })).toBe(200);
    expect(await status()).toBe('resolved');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ben via Telegram')]));
    expect(page.text).toMatch(/Resolved by @ben$/);
    expect(page.keyboard).toEqual([]);
  });

  it('says nothing changed when the alert was already acknowledged', async () => {
    const page = pageToAna();
    const stale = structuredClone(page);
    await telegram.pressButton({ message: page, label: 'Acknowledge', from: ANA });
    expect(await telegram.pressButton({ message: stale, label: 'Acknowledge', from: BEN })).toBe(200);
    expect(telegram.answers.at(-1)?.text).toBe(`Alert #${alert.number} is already acknowledged; nothing was changed.`);
    expect(await timeline()).not.toEqual(expect.arrayContaining([expect.stringContaining('@ben via Telegram')]));
  });

  it('changes nothing for a Telegram user Firebreak does not know and tells them how to link their chat', async () => {
    // A page left in eve's own chat from before her contact method was removed.
    const stale = { ...structuredClone(pageToAna()), chatId: EVE.id };
    expect(await telegram.pressButton({ message: stale, label: 'Acknowledge', from: EVE })).toBe(200);
    expect(await status()).toBe('triggered');
    expect(telegram.answers.at(-1)).toMatchObject({ showAlert: true, text: expect.stringContaining('/start') });
  });

  it('in a group chat a person added as their contact method, acts as that person when a member Firebreak does not know presses', async () => {
    const GROUP = -1001234567890;
    telegram.chats.add(GROUP);
    const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ben, { type: 'telegram', address: String(GROUP) }));
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ben);
    await t.firebreak.runner.runDueJobs();
    const code = /code: (\d{6})/.exec(telegram.messages.filter((m) => m.chatId === GROUP).at(-1)?.text ?? '')?.[1];
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ben, { code });
    const inGroup = { ...structuredClone(pageToAna()), chatId: GROUP };
    expect(await telegram.pressButton({ message: inGroup, label: 'Acknowledge', from: EVE })).toBe(200);
    expect(await status()).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ben via Telegram')]));
  });

  it.each([
    ['a wrong secret token', 'not-the-webhook-secret-0000'],
    ['no secret token', null],
  ])('refuses an update with %s with 401 and changes nothing', async (_name, secret) => {
    const page = pageToAna();
    const before = page.text;
    expect(await telegram.pressButton({ message: page, label: 'Acknowledge', from: ANA, secret })).toBe(401);
    expect(await status()).toBe('triggered');
    expect(telegram.answers).toEqual([]);
    expect(page.text).toBe(before);
  });

  it('answers 404 for a provider id that is not a Telegram provider', async () => {
    const res = await callbacks.inject({ method: 'POST', url: `/integrations/providers/telegram/prv_unknown/updates`, headers: { 'x-telegram-bot-api-secret-token': SECRET }, payload: { update_id: 1 } });
    expect(res.statusCode).toBe(404);
  });

  it('is served by the real app at the URL the provider lists, with the same secret check', async () => {
    telegram.transport = via(() => t.app);
    const page = pageToAna();
    expect(await telegram.pressButton({ message: page, label: 'Acknowledge', from: ANA, secret: 'wrong-secret-wrong-secret' })).toBe(401);
    expect(await status()).toBe('triggered');
    expect(await telegram.pressButton({ message: page, label: 'Acknowledge', from: ANA })).toBe(200);
    expect(await status()).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ana via Telegram')]));
  });
});
