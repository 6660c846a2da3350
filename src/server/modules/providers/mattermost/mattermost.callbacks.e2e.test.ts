import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { Provider } from '../../../../contracts/providers.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeMattermost, type FakeMattermost, type MattermostPost } from '../../../../../test/support/fakes/mattermost.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { addVerifiedContact, buildProviderTestApp, startCallbackPlugin } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import { mattermostCallbacks } from './mattermost.callbacks.js';

// The whole path on the real app and database: a Mattermost provider created through the API, contact
// methods verified through the bot, a page delivered by the real adapter to a local fake server, and
// the fake building the request Mattermost sends to the button's integration URL on a click.
let sink: SmtpSink;
let mm: FakeMattermost;
let ids: { ana: string; ben: string; eve: string };
beforeAll(async () => {
  sink = await startSmtpSink();
  mm = await startFakeMattermost();
  ids = { ana: mm.addUser('ana'), ben: mm.addUser('ben'), eve: mm.addUser('eve') };
});
afterAll(async () => {
  await sink.close();
  await mm.close();
});

const SECRET = 'mattermost-callback-secret-0123456789';

describe('Mattermost button clicks', () => {
  let t: TestApp;
  let callbacks: FastifyInstance;
  let admin: Person;
  let alert: Alert;
  let provider: Provider;
  const { ok } = requestsAs(() => t);
  const status = async () => json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status;
  const timeline = async () => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
  const send = (request: { url: string; body: Record<string, unknown> }) => callbacks.inject({ method: 'POST', url: new URL(request.url).pathname, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(request.body) });

  const addVerifiedMattermost = (who: Person, address: string) => addVerifiedContact(t, who, 'mattermost', address, () => /(\d{6})/.exec(mm.delivered().at(-1)?.subject ?? '')?.[1]);

  beforeEach(async () => {
    mm.posts.length = 0;
    t = await buildProviderTestApp(sink);
    const scene = await setUpPagingScene(t, sink);
    admin = scene.admin;
    provider = json<Provider>(
      await ok('POST', '/api/v1/notification-providers', admin, { name: 'mattermost-main', kind: 'mattermost', settings: { serverUrl: mm.serverUrl }, secrets: { botToken: mm.botToken, callbackSecret: SECRET } }),
    );
    // ana's method holds her username, ben's his user id: clicks carry only the id.
    const method = await addVerifiedMattermost(scene.ana, 'ana');
    await ok('PUT', '/api/v1/me/notification-rules', scene.ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });
    await addVerifiedMattermost(scene.ben, ids.ben);

    // The actions plugin on its own, allowed to reach the fake on 127.0.0.1 to look up usernames.
    callbacks = await startCallbackPlugin(t, mattermostCallbacks);
    alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await t.firebreak.runner.runDueJobs();
  });
  afterEach(async () => {
    await callbacks.close();
    await t.close();
  });

  const pageToAna = (): MattermostPost => {
    const post = mm.posts.find((p) => p.recipient === 'ana' && p.props.attachments?.[0]?.actions);
    expect(post, 'ana was paged in Mattermost').toBeDefined();
    return post!;
  };

  it('acknowledges as the paged person found by username when they click Acknowledge, and replaces the post without buttons', async () => {
    const res = await send(mm.click(pageToAna(), 'acknowledge', ids.ana));
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('acknowledged');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ana via Mattermost')]));
    const answer = res.json() as { update: { message: string; props: Record<string, unknown> } };
    expect(answer.update.message).toContain('Acknowledged by @ana');
    expect(answer.update.props).toEqual({});
  });

  it('resolves as a person whose contact method holds their user id', async () => {
    const res = await send(mm.click(pageToAna(), 'resolve', ids.ben));
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('resolved');
    expect(await timeline()).toEqual(expect.arrayContaining([expect.stringContaining('@ben via Mattermost')]));
  });

  it('refuses a click with a wrong context secret with 403 and changes nothing', async () => {
    const res = await send(mm.click(pageToAna(), 'acknowledge', ids.ana, (context) => ({ ...context, secret: 'guessed-secret-guessed-secret-00' })));
    expect(res.statusCode).toBe(403);
    expect(await status()).toBe('triggered');
    expect(await timeline()).not.toEqual(expect.arrayContaining([expect.stringContaining('via Mattermost')]));
  });

  it('refuses a click without a context secret with 403', async () => {
    const res = await send(mm.click(pageToAna(), 'acknowledge', ids.ana, ({ secret: _secret, ...rest }) => rest));
    expect(res.statusCode).toBe(403);
    expect(await status()).toBe('triggered');
  });

  it('is served by the app itself at the provider’s actions URL, which the buttons carry', async () => {
    const post = pageToAna();
    const request = mm.click(post, 'acknowledge', ids.ben);
    expect(request.url).toBe(provider.callbackUrls.actions);
    const forged = mm.click(post, 'acknowledge', ids.ben, (context) => ({ ...context, secret: 'guessed-secret-guessed-secret-00' }));
    const inject = (r: { body: Record<string, unknown> }) => t.app.inject({ method: 'POST', url: new URL(request.url).pathname, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(r.body) });
    expect((await inject(forged)).statusCode).toBe(403);
    expect(await status()).toBe('triggered');
    const res = await inject(request);
    expect(res.statusCode, res.body).toBe(200);
    expect(await status()).toBe('acknowledged');
  });

  it('changes nothing for a Mattermost user without a verified contact method and tells only them why', async () => {
    const res = await send(mm.click(pageToAna(), 'acknowledge', ids.eve));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ephemeral_text: expect.stringContaining('contact method') });
    expect(await status()).toBe('triggered');
  });

  it('changes nothing and says so when the username cannot be looked up', async () => {
    const post = pageToAna();
    mm.failNext(503);
    const res = await send(mm.click(post, 'acknowledge', ids.ana));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ephemeral_text: expect.stringContaining('could not look up your Mattermost username') });
    expect(await status()).toBe('triggered');
  });
});
