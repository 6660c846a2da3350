import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeSlack, type FakeSlack } from '../../../../../test/support/fakes/slack.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { addVerifiedContact, buildProviderTestApp, startCallbackPlugin } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { callbackPath } from '../callbacks.js';
import { slackCallbacks } from './slack.callbacks.js';

// The whole path on the real app and database: a Slack provider created through the API, ana's and
// ben's Slack member IDs verified as contact methods, a page delivered by the real adapter to a local
// fake of Slack's Web API, and the fake sending the button click back signed as Slack signs it.
let sink: SmtpSink;
let slack: FakeSlack;
beforeAll(async () => {
  sink = await startSmtpSink();
  slack = await startFakeSlack({ members: ['U0ANA00001', 'U0BEN00001', 'U0EVE00001'] });
});
afterAll(async () => {
  await sink.close();
  await slack.close();
});


describe('Slack interactions', () => {
  let t: TestApp;
  let callbacks: FastifyInstance;
  let admin: Person;
  let ana: Person;
  let ben: Person;
  let alert: Alert;
  let provider: Provider;
  let url: string;
  const { ok } = requestsAs(() => t);
  const seconds = () => Math.floor(t.clock.now() / 1000);
  const status = async () => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status;
  const timeline = async () => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const click = (input: Parameters<FakeSlack['interaction']>[0]) => {
    const request = slack.interaction(input);
    return callbacks.inject({ method: 'POST', url, headers: request.headers, payload: request.body });
  };

  /** Adds a Slack contact method for `who` and verifies it with the code the fake received. */
  const addVerifiedSlack = (who: Person, member: string) =>
    addVerifiedContact(t, who, 'slack', member, () => /(\d{6})/.exec(slack.delivered().filter((d) => d.recipient === member).at(-1)?.subject ?? '')?.[1]);

  beforeEach(async () => {
    slack.posts.length = 0;
    slack.responses.length = 0;
    t = await buildProviderTestApp(sink);
    ({ admin, ana, ben } = await setUpPagingScene(t, sink));
    provider = json<Provider>(
      await ok('POST', '/api/v1/notification-providers', admin, { name: 'slack-main', kind: 'slack', settings: { apiUrl: slack.apiUrl }, secrets: { botToken: slack.botToken, signingSecret: slack.signingSecret } }),
    );
    url = new URL(provider.callbackUrls.interactions!).pathname;
    const method = await addVerifiedSlack(ana, 'U0ANA00001');
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });
    await addVerifiedSlack(ben, 'U0BEN00001');

    // The interactions plugin on its own, allowed to reach the fake on 127.0.0.1 for its replies.
    callbacks = await startCallbackPlugin(t, slackCallbacks);
    alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await t.firebreak.runner.runDueJobs();
    slack.responses.length = 0;
  });
  afterEach(async () => {
    await callbacks.close();
    await t.close();
  });

  const pageToAna = () => {
    const post = slack.posts.find((p) => p.user === 'U0ANA00001' && p.blocks.some((b) => b.type === 'actions'));
    expect(post, 'ana was paged in Slack').toBeDefined();
    return post!;
  };

  it('acknowledges the alert when the paged person presses Acknowledge, records it as them via Slack and updates the message', async () => {
    const post = pageToAna();
    const button = post.blocks.find((b) => b.type === 'actions')!.elements[0];
    const res = await click({ userId: 'U0ANA00001', actionId: button.action_id, value: button.value, post, timestamp: seconds() });
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ana via Slack')]));
    const update = await slack.nextResponse();
    expect(update.body).toMatchObject({ replace_original: true, text: expect.stringContaining('Acknowledged by @ana') });
    expect(update.body.blocks.some((b: { type: string }) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(update.body.blocks)).toContain('Acknowledged by @ana');
  });

  it('resolves the alert when another person with a verified Slack method presses Resolve', async () => {
    const post = pageToAna();
    const res = await click({ userId: 'U0BEN00001', actionId: 'firebreak_resolve', value: alert.id, post, timestamp: seconds() });
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('resolved');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ben via Slack')]));
    expect((await slack.nextResponse()).body.text).toContain('Resolved by @ben');
  });

  it('changes nothing for a Slack user without a verified Slack contact method and tells them privately how to link it', async () => {
    const post = pageToAna();
    const res = await click({ userId: 'U0EVE00001', actionId: 'firebreak_acknowledge', value: alert.id, post, timestamp: seconds() });
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('triggered');
    const note = await slack.nextResponse();
    expect(note.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(note.body.text).toContain('U0EVE00001');
    expect(note.body.text).toContain('contact method');
  });

  it('answers privately that nothing changed when the alert was already acknowledged', async () => {
    const post = pageToAna();
    await click({ userId: 'U0ANA00001', actionId: 'firebreak_acknowledge', value: alert.id, post, timestamp: seconds() });
    await slack.nextResponse();
    await click({ userId: 'U0BEN00001', actionId: 'firebreak_acknowledge', value: alert.id, post, timestamp: seconds() });
    expect((await slack.nextResponse()).body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('already acknowledged') });
  });

  it.each([
    ['a wrong signing secret', () => ({ timestamp: seconds(), secret: 'not-the-signing-secret' })],
    ['a timestamp older than five minutes', () => ({ timestamp: seconds() - 301 })],
  ])('refuses a click signed with %s with 401 and changes nothing', async (_name, variant) => {
    const post = pageToAna();
    const res = await click({ userId: 'U0ANA00001', actionId: 'firebreak_acknowledge', value: alert.id, post, ...variant() });
    expect(res.statusCode).toBe(401);
    expect(await status()).toBe('triggered');
    expect(await timeline()).not.toEqual(expect.arrayContaining([expect.stringContaining('via Slack')]));
    expect(slack.responses).toEqual([]);
  });

  it('refuses a body changed after signing', async () => {
    const request = slack.interaction({ userId: 'U0EVE00001', actionId: 'firebreak_acknowledge', value: alert.id, timestamp: seconds() });
    const res = await callbacks.inject({ method: 'POST', url, headers: request.headers, payload: request.body.replace('U0EVE00001', 'U0ANA00001') });
    expect(res.statusCode).toBe(401);
    expect(await status()).toBe('triggered');
  });

  it('is served by the app itself at the provider’s interactions URL, refusing a wrong signature there too', async () => {
    const post = pageToAna();
    const forged = slack.interaction({ userId: 'U0ANA00001', actionId: 'firebreak_acknowledge', value: alert.id, post, timestamp: seconds(), secret: 'not-the-signing-secret' });
    expect((await t.app.inject({ method: 'POST', url, headers: forged.headers, payload: forged.body })).statusCode).toBe(401);
    expect(await status()).toBe('triggered');
    // Over a real port this time, as Slack would send it.
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    expect(await slack.sendInteraction(`${address}${url}`, { userId: 'U0ANA00001', actionId: 'firebreak_acknowledge', value: alert.id, post, timestamp: seconds() })).toBe(200);
    expect(await status()).toBe('acknowledged');
  });

  it('answers 404 for a provider id that does not exist', async () => {
    const request = slack.interaction({ userId: 'U0ANA00001', actionId: 'firebreak_acknowledge', value: alert.id, timestamp: seconds() });
    const res = await callbacks.inject({ method: 'POST', url: callbackPath('slack', 'prv_other', 'interactions'), headers: request.headers, payload: request.body });
    expect(res.statusCode).toBe(404);
    expect(await status()).toBe('triggered');
  });
});
