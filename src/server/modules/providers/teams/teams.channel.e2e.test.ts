import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterDeps, checkoutPage } from '../../../../../test/support/channel-harness.js';
import { startFakeTeams, type FakeTeams } from '../../../../../test/support/fakes/teams.js';
import { ManualClock } from '../../../platform/clock.js';
import { ChannelError, type Channel, type ChannelMessage, type PageContext } from '../../notify/channels/channel.js';
import { channelContract } from '../../notify/channels/channel.contract.js';
import { teamsAdapter } from './teams.adapter.js';

// The real adapter, built as the provider registry builds it, against local fakes of Entra's token
// endpoint, Microsoft Graph and the Bot Connector service.
let teams: FakeTeams;
let ana: string;
let ben: string;
let notInstalled: string;
beforeAll(async () => {
  teams = await startFakeTeams();
  ana = teams.addMember('ana@contoso.com');
  ben = teams.addMember('ben@contoso.com');
  notInstalled = teams.addMember('eve@contoso.com', { installed: false });
});
afterAll(async () => teams.close());

let clock: ManualClock;
const open = (overrides: { appPassword?: string } = {}): Channel =>
  teamsAdapter.create(
    {
      id: 'prv_teams1',
      name: 'teams-main',
      settings: { appId: teams.appId, tenantId: teams.tenantId, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl, graphUrl: teams.graphUrl },
      secrets: { appPassword: overrides.appPassword ?? teams.appPassword },
    },
    adapterDeps({ clock }),
  ).teams as Channel;
const reset = () => {
  clock = new ManualClock('2026-11-21T09:00:00Z');
  teams.activities.length = 0;
  teams.tokensIssued.length = 0;
  teams.problems.length = 0;
};

channelContract('Microsoft Teams (Bot Framework → local fake)', async () => {
  reset();
  return {
    channel: open(),
    deliverable: { type: 'teams', handle: ben },
    refused: { type: 'teams', handle: notInstalled },
    delivered: async () => teams.delivered(),
    close: async () => {},
  };
});

const page = checkoutPage;
const pageTo = (handle: string, context: PageContext): ChannelMessage => ({ to: { type: 'teams', handle }, subject: '#42 Checkout 5xx above 2%', text: 'Service: Checkout API', kind: 'page', page: context });
const cardActions = (index = 0) => (teams.activities[index]?.activity.attachments[0].content.actions ?? []) as Array<Record<string, string>>;

describe('Teams channel specifics', () => {
  beforeEach(reset);

  it('sends a page as an Adaptive Card whose Acknowledge and Resolve buttons open the person’s signed one-click links', async () => {
    const result = await open().send(pageTo(ana, page()));
    const [sent] = teams.activities;
    expect(sent!.recipient).toBe(ana);
    expect(result.providerMessageId).toBe(`${sent!.conversationId}|1700000000001`);
    expect(sent!.activity.summary).toBe('#42 Checkout 5xx above 2%');
    expect(sent!.activity.attachments[0].content.body[1]).toEqual({ type: 'FactSet', facts: [{ title: 'Service', value: 'Checkout API' }, { title: 'Severity', value: 'critical' }] });
    expect(cardActions().map((a) => [a.type, a.title, a.url])).toEqual([
      ['Action.OpenUrl', 'Acknowledge', 'https://firebreak.example.com/a/tok-ack'],
      ['Action.OpenUrl', 'Resolve', 'https://firebreak.example.com/a/tok-res'],
      ['Action.OpenUrl', 'Open alert #42', 'https://firebreak.example.com/alerts/42'],
    ]);
    expect(teams.problems).toEqual([]);
  });

  it('gives a shadow copy and a resolved notice only the link to the alert', async () => {
    await open().send(pageTo(ana, page({ shadow: true })));
    await open().send(pageTo(ana, page({ status: 'resolved' })));
    expect(cardActions(0).map((a) => a.title)).toEqual(['Open alert #42']);
    expect(cardActions(1).map((a) => a.title)).toEqual(['Open alert #42']);
  });

  it('finds the object id of a user principal name through Microsoft Graph', async () => {
    await open().send(pageTo('ana@contoso.com', page()));
    expect(teams.activities[0]!.recipient).toBe(ana);
    expect(teams.tokensIssued).toEqual(['https://graph.microsoft.com/.default', 'https://api.botframework.com/.default']);
  });

  it('reports a user principal name unknown to the tenant as a permanent failure', async () => {
    const failure = await open().send(pageTo('nobody@contoso.com', page())).catch((e: unknown) => e);
    expect(failure).toMatchObject({ permanent: true, message: expect.stringContaining('no user nobody@contoso.com') });
  });

  it('keeps a token until five minutes before it expires, then asks for a new one', async () => {
    const channel = open();
    await channel.send(pageTo(ana, page()));
    clock.advance(54 * 60_000);
    await channel.send(pageTo(ana, page()));
    expect(teams.tokensIssued).toHaveLength(1);
    clock.advance(1 * 60_000);
    await channel.send(pageTo(ana, page()));
    expect(teams.tokensIssued).toHaveLength(2);
    expect(teams.activities).toHaveLength(3);
  });

  it('says to install the app when Teams refuses a person who does not have it', async () => {
    const failure = await open().send(pageTo(notInstalled, page())).catch((e: unknown) => e);
    expect(failure).toMatchObject({ permanent: true, message: expect.stringContaining('install the Firebreak app') });
  });

  it('reports a wrong client secret as a permanent failure naming the settings, not the secret', async () => {
    const failure = await open({ appPassword: 'not-the-password' })
      .send(pageTo(ana, page()))
      .catch((e: unknown) => e as ChannelError);
    expect(failure).toBeInstanceOf(ChannelError);
    expect(failure).toMatchObject({ permanent: true, message: expect.stringContaining('AADSTS7000215') });
    expect((failure as Error).message).toContain('appPassword');
    expect((failure as Error).message).not.toContain('not-the-password');
  });

  it.each([
    [429, false],
    [502, false],
  ])('reports HTTP %s from the Bot Connector as a failure that may pass', async (status, permanent) => {
    teams.failNext(status);
    const failure = await open().send(pageTo(ana, page())).catch((e: unknown) => e);
    expect(failure).toMatchObject({ permanent, message: expect.stringContaining(`HTTP ${status}`) });
  });
});
