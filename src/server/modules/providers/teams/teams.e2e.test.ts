import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../../contracts/alerts.js';
import type { ContactMethod } from '../../../../contracts/notify.js';
import { json, type TestApp } from '../../../../../test/support/app.js';
import { startFakeTeams, type FakeTeams } from '../../../../../test/support/fakes/teams.js';
import { requestsAs, setUpPagingScene, type Person } from '../../../../../test/support/people.js';
import { buildProviderTestApp } from '../../../../../test/support/provider-app.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';

// The whole path on the real app and database: a Teams provider created through the API, ana's Teams
// account verified with the code the bot sent her, a page delivered as an Adaptive Card to local fakes
// of Entra and the Bot Connector, and its Acknowledge button (a signed one-click link) used.
let sink: SmtpSink;
let teams: FakeTeams;
let anaObjectId: string;
beforeAll(async () => {
  sink = await startSmtpSink();
  teams = await startFakeTeams();
  anaObjectId = teams.addMember('ana@contoso.com');
});
afterAll(async () => {
  await sink.close();
  await teams.close();
});

describe('paging through Microsoft Teams', () => {
  let t: TestApp;
  let admin: Person;
  let ana: Person;
  const { ok } = requestsAs(() => t);

  beforeEach(async () => {
    teams.activities.length = 0;
    t = await buildProviderTestApp(sink);
    ({ admin, ana } = await setUpPagingScene(t, sink));
    await ok('POST', '/api/v1/notification-providers', admin, {
      name: 'teams-main',
      kind: 'teams',
      settings: { appId: teams.appId, tenantId: teams.tenantId, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl, graphUrl: teams.graphUrl },
      secrets: { appPassword: teams.appPassword },
    });
  });
  afterEach(async () => t.close());

  it('verifies a Teams account by its user principal name, pages it, and its Acknowledge button acknowledges as that person', async () => {
    const method = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: 'teams', address: 'Ana@contoso.com' }));
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verification`, ana);
    await t.firebreak.runner.runDueJobs();
    const code = /(\d{6})/.exec(teams.delivered().at(-1)?.subject ?? '')?.[1];
    expect(teams.activities.at(-1)?.recipient).toBe(anaObjectId);
    await ok('POST', `/api/v1/me/contact-methods/${method.id}/verify`, ana, { code });
    await ok('PUT', '/api/v1/me/notification-rules', ana, { high: [{ delayMinutes: 0, contactMethodId: method.id }], low: [] });

    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', admin, { service: 'checkout', title: 'Checkout 5xx above 2%', severity: 'critical' })).alert;
    await t.firebreak.runner.runDueJobs();
    const card = teams.activities.at(-1)!.activity.attachments[0].content as { actions: Array<{ title: string; url: string }> };
    expect(teams.delivered().at(-1)?.subject).toBe(`#${alert.number} Checkout 5xx above 2%`);
    const acknowledge = card.actions.find((a) => a.title === 'Acknowledge')!.url;
    expect(acknowledge).toMatch(/^https:\/\/firebreak\.example\.com\/a\//);

    // The link opens a confirmation page; its button posts back, as a browser would.
    const path = new URL(acknowledge).pathname;
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: path })).statusCode).toBe(200);
    expect(json<Alert>(await ok('GET', `/api/v1/alerts/${alert.id}`, admin)).status).toBe('acknowledged');
    const timeline = json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);
    expect(timeline).toEqual(expect.arrayContaining([expect.stringContaining('@ana')]));
  });
});
