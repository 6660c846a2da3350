import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls, type ErrorBody } from '../../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startFakeNtfy, type FakeNtfy } from '../../../../../test/support/fakes/ntfy.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { IncidentComms, IncidentSubscription, UpdateTemplate } from '../../../../contracts/incident-comms.js';
import type { Incident, IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import { ManualClock } from '../../../platform/clock.js';
import { reminderJobKey } from './comms.service.js';

let sink: SmtpSink;
let ntfy: FakeNtfy;
beforeAll(async () => {
  [sink, ntfy] = await Promise.all([startSmtpSink(), startFakeNtfy()]);
});
afterAll(async () => {
  await Promise.all([sink.close(), ntfy.close()]);
});

const MINUTE = 60_000;

for (const dialect of dialectCases()) describe(`stakeholder updates (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let ana: string;
  let ben: string;
  let viewer: { token: string; userId: string };

  const { call, ok } = apiCalls(() => t);
  const comms = (ref = 'INC-1') => ok<IncidentComms>(ana, 'GET', `/api/v1/incidents/${ref}/comms`);
  const timeline = async (ref = 'INC-1') => (await ok<{ items: IncidentTimelineEntry[] }>(ana, 'GET', `/api/v1/incidents/${ref}/timeline`)).items;
  const mailTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const pendingJobs = (task: string) => t.firebreak.services.database.db.selectFrom('jobs').select(['job_key', 'run_at']).where('task', '=', task).execute();

  beforeEach(async () => {
    sink.clear();
    sink.refuse.clear();
    ntfy.clear();
    t = await buildTestApp({
      database: await dialect.open(),
      clock: new ManualClock('2026-11-21T09:00:00Z'),
      env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com', FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    });
    admin = (await t.userWithToken('admin', 'root')).token;
    ana = (await t.userWithToken('responder', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    viewer = await t.userWithToken('viewer', 'vic');
    await ok(admin, 'POST', '/api/v1/teams', { handle: 'payments-team', name: 'Payments' });
    await ok(admin, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API', team: 'payments-team' });
    await ok(admin, 'POST', '/api/v1/services', { handle: 'search', name: 'Search' });
  });
  afterEach(async () => t.close());

  const declare = (payload: Record<string, unknown> = {}) => ok<Incident>(ana, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV2', impactedServices: ['checkout'], customerImpact: 'Card payments fail for 20%', ...payload });

  it('sends each update once to every subscriber of the incident, its services and their team, through email and ntfy', async () => {
    await ok(admin, 'POST', '/api/v1/notification-providers', { name: 'ntfy-main', kind: 'ntfy', settings: { serverUrl: ntfy.url }, secrets: {} });
    await declare();
    const mine = await ok<IncidentSubscription>(viewer.token, 'PUT', '/api/v1/incidents/INC-1/subscriptions/me', {});
    expect(mine).toMatchObject({ scope: 'incident', scopeLabel: 'INC-1', type: 'user', channel: 'email', address: 'vic@example.test', user: { handle: 'vic' } });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'Support-Leads@Example.com', label: 'Support leads' });
    const topic = await ok<IncidentSubscription>(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'ntfy', address: 'acme-status-updates-7f3k' });
    expect(topic.address).toBe('acme-status-…');
    // ben follows the team and the service too: one message, not three.
    await ok(ana, 'POST', '/api/v1/teams/payments-team/incident-subscriptions', { type: 'user', user: 'ben' });
    await ok(ana, 'POST', '/api/v1/services/checkout/incident-subscriptions', { type: 'user', user: 'ben' });
    await ok(ana, 'POST', '/api/v1/services/search/incident-subscriptions', { type: 'email', address: 'search-watchers@example.com' });
    // Subscribing again changes nothing.
    const again = await ok<IncidentSubscription>(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'support-leads@example.com' });
    expect((await ok<{ items: IncidentSubscription[] }>(viewer.token, 'GET', '/api/v1/incidents/INC-1/subscriptions')).items.map((s) => s.address)).toEqual(['vic@example.test', 'support-leads@example.com', 'acme-status-…']);
    expect(again.label).toBe('Support leads');

    t.clock.advance(5 * MINUTE);
    const entry = await ok<IncidentTimelineEntry>(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'We are rolling back v1.42; next update 09:35 UTC.' });
    // Queued in the update's transaction, one delivery job per recipient; nothing sent before the jobs run.
    expect(await pendingJobs('incidents.deliver-update')).toHaveLength(4);
    expect(sink.messages).toHaveLength(0);
    expect((await comms()).updates[0]).toMatchObject({ entryId: entry.id, deliveries: { total: 4, sent: 0, failed: 0, pending: 4 } });

    await t.firebreak.runner.runDueJobs();
    for (const address of ['vic@example.test', 'support-leads@example.com', 'ben@example.test']) expect(mailTo(address), address).toHaveLength(1);
    expect(mailTo('search-watchers@example.com')).toHaveLength(0);
    const mail = mailTo('ben@example.test')[0]!;
    expect(mail.subject).toBe('[INC-1] SEV2 investigating: Checkout errors');
    expect(mail.text).toContain('INC-1: Checkout errors\nSeverity: SEV2 · Status: investigating\nServices: checkout\n\nWe are rolling back v1.42; next update 09:35 UTC.');
    expect(mail.text).toContain('Follow the incident: https://firebreak.example.com/incidents/INC-1');
    // Reached through the service and its team: named once, by the narrower subscription.
    expect(mail.text).toContain('You receive this because you follow the incidents of service checkout.');
    expect(mailTo('vic@example.test')[0]!.text).toContain('You receive this because you follow INC-1.');
    expect(ntfy.messages).toHaveLength(1);
    expect(ntfy.messages[0]).toMatchObject({ topic: 'acme-status-updates-7f3k', title: '[INC-1] SEV2 investigating: Checkout errors' });
    expect(ntfy.messages[0]!.message).toContain('We are rolling back v1.42');

    const view = await comms();
    expect(view.updates).toEqual([expect.objectContaining({ entryId: entry.id, message: 'We are rolling back v1.42; next update 09:35 UTC.', allClear: false, deliveries: { total: 4, sent: 4, failed: 0, pending: 0 }, failures: [] })]);
    expect(view.lastUpdateAt).toBe('2026-11-21T09:05:00.000Z');

    // A replayed delivery (at least once) sends nothing again once the provider answered.
    const ids = await t.firebreak.services.database.db.selectFrom('incident_comms_deliveries').select('id').execute();
    for (const { id } of ids) expect(await t.firebreak.services.comms.deliver({ deliveryId: id }, { attempts: 1, maxAttempts: 8 })).toBe('skipped');
    expect(sink.messages).toHaveLength(3);
    expect(ntfy.messages).toHaveLength(1);

    // Unsubscribing: viewers themselves, responders anyone.
    await ok(viewer.token, 'DELETE', '/api/v1/incidents/INC-1/subscriptions/me');
    await ok(ana, 'DELETE', `/api/v1/incidents/INC-1/subscriptions/${topic.id}`);
    expect((await ok<{ items: IncidentSubscription[] }>(ana, 'GET', '/api/v1/incidents/INC-1/subscriptions')).items.map((s) => s.type)).toEqual(['email']);
    const audit = await ok<{ items: Array<{ action: string }> }>(admin, 'GET', '/api/v1/audit?limit=100');
    expect(audit.items.filter((a) => a.action === 'incident.subscribe')).toHaveLength(6);
    expect(audit.items.filter((a) => a.action === 'incident.unsubscribe')).toHaveLength(2);
  });

  it('sends to the verified contact method a person chose, and refuses one not yet verified', async () => {
    await ok(admin, 'POST', '/api/v1/notification-providers', { name: 'ntfy-main', kind: 'ntfy', settings: { serverUrl: ntfy.url }, secrets: {} });
    await declare();
    const method = await ok<{ id: string }>(viewer.token, 'POST', '/api/v1/me/contact-methods', { type: 'ntfy', address: 'vic-private-topic-42' });
    const unverified = await call(viewer.token, 'PUT', '/api/v1/incidents/INC-1/subscriptions/me', { contactMethodId: method.id });
    expect(unverified.statusCode).toBe(400);
    expect(json<ErrorBody>(unverified).details?.issues).toEqual([{ path: 'body.contactMethodId', message: 'the contact method is not verified yet' }]);
    await ok(viewer.token, 'POST', `/api/v1/me/contact-methods/${method.id}/verification`);
    await t.firebreak.runner.runDueJobs();
    const code = /(\d{6})/.exec(ntfy.messages.map((m) => `${m.title ?? ''} ${m.message}`).join(' '))?.[1];
    await ok(viewer.token, 'POST', `/api/v1/me/contact-methods/${method.id}/verify`, { code: code ?? '' });
    ntfy.clear();
    expect(await ok<IncidentSubscription>(viewer.token, 'PUT', '/api/v1/incidents/INC-1/subscriptions/me', { contactMethodId: method.id })).toMatchObject({ channel: 'ntfy', contactMethodId: method.id });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Identified: a bad deploy.' });
    await t.firebreak.runner.runDueJobs();
    expect(ntfy.messages.map((m) => [m.topic, m.title])).toEqual([['vic-private-topic-42', '[INC-1] SEV2 investigating: Checkout errors']]);
    expect(mailTo('vic@example.test')).toHaveLength(0);
  });

  it('retries a failed delivery with backoff, records a refused address as failed: “sent to 2, 1 failed”', async () => {
    await ok(admin, 'POST', '/api/v1/notification-providers', { name: 'ntfy-main', kind: 'ntfy', settings: { serverUrl: ntfy.url }, secrets: {} });
    await declare();
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'gone@example.com' });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'here@example.com' });
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'ntfy', address: 'status-topic-1' });
    sink.refuse.add('gone@example.com');
    ntfy.failNext(503);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Investigating.' });
    await t.firebreak.runner.runDueJobs();
    expect((await comms()).updates[0]!.deliveries).toEqual({ total: 3, sent: 1, failed: 1, pending: 1 });
    expect((await comms()).updates[0]!.failures).toEqual([{ channel: 'email', address: 'gone@example.com', error: expect.stringContaining('550') }]);
    expect(ntfy.messages).toHaveLength(0);

    t.clock.advance(10_000);
    await t.firebreak.runner.runDueJobs();
    expect(ntfy.messages).toHaveLength(1);
    expect((await comms()).updates[0]!.deliveries).toEqual({ total: 3, sent: 2, failed: 1, pending: 0 });
    t.clock.advance(10 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(ntfy.messages).toHaveLength(1);
    expect(mailTo('here@example.com')).toHaveLength(1);
  });

  it('reminds the communications lead after 30 minutes without an update, then the commander when that role is vacant', async () => {
    const incident = await declare();
    await ok(ana, 'PUT', '/api/v1/incidents/INC-1/roles/communications_lead', { user: 'ben', expectedHolder: null });
    expect((await comms()).nextReminderAt).toBe('2026-11-21T09:30:00.000Z');
    expect(await pendingJobs('incidents.update-reminder')).toEqual([{ job_key: reminderJobKey(incident.id), run_at: expect.anything() }]);

    t.clock.advance(29 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ben@example.test')).toHaveLength(0);

    t.clock.advance(1 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    const reminder = mailTo('ben@example.test');
    expect(reminder).toHaveLength(1);
    expect(reminder[0]!.subject).toBe('[INC-1] Stakeholder update due');
    expect(reminder[0]!.text).toContain('No stakeholder update for 30 minutes: if nothing has changed, say so.');
    expect(reminder[0]!.text).toContain('https://firebreak.example.com/incidents/INC-1');
    expect((await timeline()).filter((e) => e.kind === 'reminder').map((e) => e.summary)).toEqual(['No stakeholder update for 30 minutes: if nothing has changed, say so. Reminded @ben (communications lead).']);
    expect((await comms()).nextReminderAt).toBe('2026-11-21T10:00:00.000Z');

    // An update moves the reminder a whole cadence on.
    t.clock.advance(10 * MINUTE);
    await ok(ben, 'POST', '/api/v1/incidents/INC-1/updates', { message: 'Nothing has changed; still rolling back.' });
    expect((await comms()).nextReminderAt).toBe('2026-11-21T10:10:00.000Z');
    t.clock.advance(25 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ben@example.test')).toHaveLength(1);

    // Nobody holds the communications lead role: the commander (ana) is reminded.
    await ok(ana, 'DELETE', '/api/v1/incidents/INC-1/roles/communications_lead?holder=ben');
    t.clock.advance(5 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test')).toHaveLength(1);
    expect(mailTo('ana@example.test')[0]!.text).toContain('the communications lead role is vacant');
    expect((await timeline()).filter((e) => e.kind === 'reminder').at(-1)!.summary).toBe('No stakeholder update for 30 minutes: if nothing has changed, say so. Reminded @ana (incident commander; the communications lead role is vacant).');
  });

  it('a cadence set on the incident moves the reminder; null goes back to the default', async () => {
    await declare();
    t.clock.advance(5 * MINUTE);
    const set = await ok<IncidentComms>(ana, 'PUT', '/api/v1/incidents/INC-1/update-cadence', { minutes: 15 });
    expect(set).toMatchObject({ cadenceMinutes: 15, cadenceSource: 'incident', nextReminderAt: '2026-11-21T09:15:00.000Z' });
    expect(set.drafts.find((d) => d.kind === 'first')!.text).toBe('We are investigating Checkout errors (INC-1, SEV2). Impact: Card payments fail for 20%. Status: investigating. Next update by 09:20 UTC.');
    expect((await timeline()).at(-1)).toMatchObject({ kind: 'edit', summary: 'Stakeholder update cadence set to 15 minutes by ana (API token); it was 30 minutes' });
    t.clock.advance(10 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(mailTo('ana@example.test')).toHaveLength(1);
    expect(mailTo('ana@example.test')[0]!.text).toContain('No stakeholder update for 15 minutes');
    expect(await ok<IncidentComms>(ana, 'PUT', '/api/v1/incidents/INC-1/update-cadence', { minutes: null })).toMatchObject({ cadenceMinutes: 30, cadenceSource: expect.stringMatching(/^(severity|default)$/) });
  });

  it('resolving posts the all clear with the resolution summary to the subscribers and stops the reminder', async () => {
    const incident = await declare();
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'support-leads@example.com' });
    t.clock.advance(20 * MINUTE);
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'Bad deploy of v1.42, rolled back.' });
    const updates = (await timeline()).filter((e) => e.kind === 'update');
    expect(updates.map((e) => [e.action, e.summary])).toEqual([['all-clear', 'All clear: INC-1 (Checkout errors) is resolved. Bad deploy of v1.42, rolled back.']]);
    expect(await pendingJobs('incidents.update-reminder')).toEqual([]);
    await t.firebreak.runner.runDueJobs();
    const mail = mailTo('support-leads@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('[INC-1] All clear: Checkout errors');
    expect(mail[0]!.text).toContain('All clear: INC-1 (Checkout errors) is resolved. Bad deploy of v1.42, rolled back.');
    const view = await comms();
    expect(view).toMatchObject({ nextReminderAt: null, lastUpdateAt: '2026-11-21T09:20:00.000Z' });
    expect(view.updates[0]).toMatchObject({ allClear: true, deliveries: { total: 1, sent: 1 } });
    expect(json<Incident>(await call(ana, 'GET', `/api/v1/incidents/${incident.id}`)).lastUpdateAt).toBe('2026-11-21T09:20:00.000Z');
    // Hours later, nothing reminds anyone.
    t.clock.advance(3 * 60 * MINUTE);
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(1);
    const refused = await call(ana, 'PUT', '/api/v1/incidents/INC-1/update-cadence', { minutes: 10 });
    expect(refused.statusCode).toBe(422);
    expect(json<ErrorBody>(refused).details?.issues?.[0]?.path).toBe('body.minutes');
  });

  it('lists the templates and lets an admin replace one, refusing unknown placeholders', async () => {
    const list = await ok<{ items: UpdateTemplate[] }>(viewer.token, 'GET', '/api/v1/incident-update-templates');
    expect(list.items.map((i) => [i.kind, i.name, i.builtIn])).toEqual([['first', 'First update', true], ['update', 'Regular update', true], ['all_clear', 'All clear', true]]);
    expect((await call(ana, 'PUT', '/api/v1/incident-update-templates/all_clear', { text: 'x' })).statusCode).toBe(403);
    const bad = await call(admin, 'PUT', '/api/v1/incident-update-templates/all_clear', { text: 'Resolved {{eta}}' });
    expect(bad.statusCode).toBe(400);
    expect(json<ErrorBody>(bad).details?.issues).toEqual([{ path: 'body.text', message: expect.stringContaining('unknown placeholder {{eta}}') }]);
    expect(await ok<UpdateTemplate>(admin, 'PUT', '/api/v1/incident-update-templates/all_clear', { text: '{{reference}} is over. {{summary}}' })).toMatchObject({ builtIn: false, text: '{{reference}} is over. {{summary}}' });
    await declare();
    await ok(ana, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'Rolled back.' });
    expect((await timeline()).filter((e) => e.kind === 'update').map((e) => e.summary)).toEqual(['INC-1 is over. Rolled back.']);
    expect(await ok<UpdateTemplate>(admin, 'PUT', '/api/v1/incident-update-templates/all_clear', { text: null })).toMatchObject({ builtIn: true });
  });

  it('refuses bad input with 400 naming the field, and lets viewers subscribe only themselves', async () => {
    await declare();
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'not-an-email' }, 'body.address'],
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'user', user: 'nobody' }, 'body.user'],
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'user', user: 'ben', contactMethodId: '01J00000000000000000000000' }, 'body.contactMethodId'],
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'slack', address: 'not-a-member' }, 'body.address'],
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'ntfy', address: 'status-topic' }, 'body.type'],
      ['POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'pager' }, 'body.type'],
      ['PUT', '/api/v1/incidents/INC-1/update-cadence', { minutes: 2 }, 'body.minutes'],
      ['PUT', '/api/v1/incidents/INC-1/update-cadence', {}, 'body.minutes'],
    ];
    for (const [method, url, payload, path] of cases) {
      const res = await call(ana, method as 'POST', url, payload);
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(400);
      expect(json<ErrorBody>(res).details?.issues?.map((i) => i.path), JSON.stringify(payload)).toContain(path);
    }
    expect((await call(ana, 'POST', '/api/v1/teams/nope/incident-subscriptions', { type: 'email', address: 'a@example.com' })).statusCode).toBe(404);
    expect((await call(ana, 'GET', '/api/v1/incidents/INC-9/comms')).statusCode).toBe(404);
    expect((await call(viewer.token, 'POST', '/api/v1/incidents/INC-1/subscriptions', { type: 'email', address: 'a@example.com' })).statusCode).toBe(403);
    expect((await call(viewer.token, 'PUT', '/api/v1/services/checkout/incident-subscriptions/me', {})).statusCode).toBe(200);
    expect((await call(ana, 'DELETE', '/api/v1/incidents/INC-1/subscriptions/01J00000000000000000000000')).statusCode).toBe(404);
  });
});
