import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls, type ErrorBody } from '../../../../../test/support/api.js';
import { buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { startFakeSlackWebhook, startFakeTeamsWebhook, type FakeChatWebhook } from '../../../../../test/support/fakes/chat-webhooks.js';
import { startStatusWebhookReceiver, type FakeStatusWebhookReceiver } from '../../../../../test/support/fakes/webhook-receiver.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../../../test/support/smtp-sink.js';
import type { StatusComponent, StatusIncident } from '../../../../contracts/status-pages.js';
import type { CreatedSubscriber, SubscriberList } from '../../../../contracts/status-subscribers.js';
import { ManualClock } from '../../../platform/clock.js';

const PUBLIC = 'http://localhost:8080';

let sink: SmtpSink;
let slack: FakeChatWebhook;
let teams: FakeChatWebhook;
let receiver: FakeStatusWebhookReceiver;
beforeAll(async () => {
  sink = await startSmtpSink();
  slack = await startFakeSlackWebhook();
  teams = await startFakeTeamsWebhook();
  receiver = await startStatusWebhookReceiver();
});
afterAll(async () => {
  await sink.close();
  await slack.close();
  await teams.close();
  await receiver.close();
});

for (const dialect of dialectCases()) describe(`status-page subscribers (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let responder: string;
  let viewer: string;
  let ip = 0;

  const { call, ok } = apiCalls(() => t);
  /** A sign-up as the page's HTML form sends it, from its own address unless told. */
  const form = (url: string, fields: Record<string, string | string[]>, remoteAddress = `10.0.0.${++ip}`) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
  };
  const signUpJson = (payload: Record<string, unknown>, remoteAddress = `10.0.1.${++ip}`) => t.app.inject({ method: 'POST', url: '/status/acme/subscribe', remoteAddress, payload });
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const mailsTo = (address: string): ReceivedMail[] => sink.messages.filter((m) => m.envelope.to.includes(address));
  /** A link from a mail's text, as a path of this instance. */
  const link = (mail: ReceivedMail, label: string): string => {
    const found = new RegExp(`${label}: (\\S+)`).exec(mail.text)?.[1];
    expect(found, `no "${label}" link in ${mail.text}`).toBeDefined();
    return (found as string).replace(PUBLIC, '');
  };
  const run = () => t.firebreak.runner.runDueJobs();

  beforeEach(async () => {
    sink.clear();
    slack.received.length = 0;
    slack.rejected.length = 0;
    teams.received.length = 0;
    teams.rejected.length = 0;
    receiver.received.length = 0;
    receiver.rejected.length = 0;
    receiver.attempts = 0;
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true' } });
    admin = (await t.userWithToken('admin', 'ana')).token;
    responder = (await t.userWithToken('responder', 'ben')).token;
    viewer = (await t.userWithToken('viewer', 'vic')).token;
  });
  afterEach(async () => t.close());

  const scene = async () => {
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme', timeZone: 'Europe/Lisbon' });
    const group = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Platform', group: true });
    const api = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'API', groupId: group.id });
    const web = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Website' });
    const secret = await ok<StatusComponent>(admin, 'POST', '/api/v1/status-pages/acme/components', { name: 'Billing DB shard 7', public: false });
    return { group, api, web, secret };
  };
  const postIncident = (payload: Record<string, unknown>) => ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/incidents', payload);

  it('double opt-in: nothing before the confirmation, then updates with working manage and one-click unsubscribe links', async () => {
    const { api } = await scene();
    const page = await get('/status/acme');
    // The form on the public page: no script needed, a labelled email field, the hidden honeypot.
    expect(page.body).toContain('<form class="subscribe card" method="post" action="/status/acme/subscribe">');
    expect(page.body).toContain('<label for="subscribe-email">Email address</label><input id="subscribe-email" name="email" type="email" autocomplete="email"');
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");

    const answer = await form('/status/acme/subscribe', { email: 'Carla@Example.com', website: '' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toContain('Check your inbox');
    const incident = await postIncident({ name: 'Checkout errors', impact: 'major', body: 'We are looking into it.', components: [{ component: api.id, status: 'partial_outage' }] });
    await run();
    // Only the confirmation: the address has not confirmed yet.
    expect(mailsTo('carla@example.com').map((m) => m.subject)).toEqual(['Confirm: Acme status updates']);
    const confirmation = mailsTo('carla@example.com')[0] as ReceivedMail;
    const confirmUrl = link(confirmation, 'Confirm your subscription');
    expect(confirmUrl).toMatch(/^\/status\/acme\/subscription\/confirm\?token=/);

    const confirmed = await get(confirmUrl);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Your subscription is confirmed.');
    expect(confirmed.body).toContain('carla@example.com');
    expect(confirmed.headers['cache-control']).toBe('no-store');
    // Idempotent: the link shows the management page again.
    expect((await get(confirmUrl)).statusCode).toBe(200);
    // The management form (no script): choose API only.
    const action = /<form method="post" action="([^"]+)"><fieldset>/.exec(confirmed.body)?.[1]?.replace(/&amp;/g, '&') as string;
    expect(action).toMatch(/^\/status\/acme\/subscription\?token=/);
    const saved = await form(action, { components: [api.id] });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Saved.');
    expect(saved.body).toContain(`value="${api.id}" checked`);

    await ok(responder, 'POST', `/api/v1/status-pages/acme/incidents/${incident.id}/updates`, { status: 'identified', body: 'A bad deploy; rolling back.', components: [{ component: api.id, status: 'major_outage' }] });
    await run();
    const notice = mailsTo('carla@example.com').find((m) => m.subject === '[Acme Status] Identified: Checkout errors');
    expect(notice, JSON.stringify(sink.messages.map((m) => m.subject))).toBeDefined();
    const mail = notice as ReceivedMail;
    expect(mail.text).toContain('Identified — A bad deploy; rolling back.');
    expect(mail.text).toContain('Affected: API (Partial outage → Major outage)');
    expect(mail.text).toContain(`Details: ${PUBLIC}/status/acme/incidents/${incident.id}`);
    const unsubscribeUrl = link(mail, 'Unsubscribe');
    expect(mail.headers['list-unsubscribe']).toBe(`<${PUBLIC}${unsubscribeUrl}>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    const manage = await get(link(mail, 'Manage your subscription'));
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toContain('<input type="checkbox" name="components"');
    // A GET of the unsubscribe link (a mail scanner) only asks.
    const ask = await get(unsubscribeUrl);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('<button type="submit">Unsubscribe</button>');
    expect((await get(link(mail, 'Manage your subscription'))).statusCode).toBe(200);

    // RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click`, answered 200.
    const oneClick = await t.app.inject({ method: 'POST', url: unsubscribeUrl, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.body).toContain('You are unsubscribed');
    // A second one-click (some clients send multipart/form-data) finds nothing and still answers 200.
    const again = await t.app.inject({ method: 'POST', url: unsubscribeUrl, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Not subscribed');
    sink.clear();
    await ok(responder, 'POST', `/api/v1/status-pages/acme/incidents/${incident.id}/updates`, { status: 'resolved', body: 'Fixed.', components: [{ component: api.id, status: 'operational' }] });
    await run();
    expect(mailsTo('carla@example.com')).toEqual([]);
    expect((await get(link(mail, 'Manage your subscription'))).statusCode).toBe(404);
  });

  it('queues the fan-out in the transaction of the change: the job exists when the incident POST returns', async () => {
    await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'dan@example.com' });
    const incident = await postIncident({ name: 'Slow pages', body: 'Looking.' });
    const jobs = await t.firebreak.services.database.db.selectFrom('jobs').select(['task', 'job_key']).where('task', '=', 'statuspage-subscribers.fan-out').execute();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.job_key).toMatch(/^statuspage-subscribers\.fan-out:/);
    await run();
    expect(mailsTo('dan@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Investigating: Slow pages']);
    expect(mailsTo('dan@example.com')[0]?.text).toContain(`${PUBLIC}/status/acme/incidents/${incident.id}`);
    // Events and delivery records are kept 30 days, then dropped by a later fan-out of the page.
    const db = t.firebreak.services.database.db;
    expect(await db.selectFrom('status_subscriber_deliveries').select('event_id').execute()).toHaveLength(1);
    t.clock.advance(31 * 86_400_000);
    await ok(responder, 'POST', `/api/v1/status-pages/acme/incidents/${incident.id}/updates`, { status: 'resolved', body: 'Fast again.' });
    await run();
    expect(mailsTo('dan@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Investigating: Slow pages', '[Acme Status] Resolved: Slow pages']);
    const events = await db.selectFrom('status_subscriber_events').select('id').execute();
    expect(events).toHaveLength(1);
    expect((await db.selectFrom('status_subscriber_deliveries').select('event_id').execute()).map((d) => d.event_id)).toEqual([events[0]?.id]);
  });

  it('tells each subscriber only of the components they chose, and never of private ones', async () => {
    const { api, web, group, secret } = await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'api@example.com', components: [api.id] });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'platform@example.com', components: [group.id] });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'web@example.com', components: [web.id] });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'all@example.com' });

    await postIncident({ name: 'Website down', body: 'The website is down.', components: [{ component: web.id, status: 'major_outage' }, { component: secret.id, status: 'major_outage' }] });
    await run();
    expect(mailsTo('web@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Investigating: Website down']);
    expect(mailsTo('all@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Investigating: Website down']);
    expect(mailsTo('api@example.com')).toEqual([]);
    expect(mailsTo('platform@example.com')).toEqual([]);
    for (const m of sink.messages) {
      expect(m.raw).not.toContain('Billing DB shard 7');
      expect(m.raw).not.toContain(secret.id);
    }

    sink.clear();
    // A component's own change (not through an incident): its subscribers and its group's hear of it.
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/components/${api.id}`, { status: 'degraded_performance' });
    // A private component's change is nobody's business: no event at all.
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/components/${secret.id}`, { status: 'partial_outage' });
    const fanOuts = await t.firebreak.services.database.db.selectFrom('jobs').select('payload').where('task', '=', 'statuspage-subscribers.fan-out').execute();
    expect(fanOuts).toHaveLength(1);
    await run();
    expect(mailsTo('api@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Degraded performance: API']);
    expect(mailsTo('platform@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Degraded performance: API']);
    expect(mailsTo('all@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Degraded performance: API']);
    expect(mailsTo('web@example.com')).toEqual([]);
  });

  it('signs webhooks so the receiver can verify them, retries after a 500 and delivers each event once', async () => {
    const { api, secret } = await scene();
    const created = await ok<CreatedSubscriber>(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'webhook', url: `${receiver.url}/hooks/status` });
    expect(created.signingSecret).toMatch(/^whsec_/);
    expect(created.target).toBe(new URL(receiver.url).host);
    receiver.secret = created.signingSecret as string;
    const list = await ok<SubscriberList>(admin, 'GET', '/api/v1/status-pages/acme/subscribers');
    expect(JSON.stringify(list)).not.toContain(created.signingSecret as string);
    expect(JSON.stringify(list)).not.toContain('/hooks/status');

    receiver.failNext(500);
    const incident = await postIncident({ name: 'API errors', impact: 'major', body: 'Investigating.', components: [{ component: api.id, status: 'partial_outage' }, { component: secret.id, status: 'major_outage' }] });
    await run();
    // The incident and the component change: the first request got the 500, the other went through.
    expect(receiver.attempts).toBe(2);
    expect(receiver.received).toHaveLength(1);
    t.clock.advance(60 * 60_000);
    await run();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received).toHaveLength(2);
    await run();
    t.clock.advance(2 * 60 * 60_000);
    await run();
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.eventId)).size).toBe(2);

    const incidentHook = receiver.received.find((r) => 'incident' in r.body);
    const componentHook = receiver.received.find((r) => 'component_update' in r.body);
    expect(incidentHook?.body.incident).toMatchObject({ id: incident.id, name: 'API errors', status: 'investigating', impact: 'major' });
    expect((incidentHook?.body.meta as { unsubscribe: string }).unsubscribe).toMatch(new RegExp(`^${PUBLIC}/status/acme/subscription/unsubscribe\\?token=`));
    expect(componentHook?.body.component_update).toMatchObject({ old_status: 'operational', new_status: 'partial_outage', component_id: api.id });
    expect(componentHook?.body.component).toMatchObject({ id: api.id, name: 'API', status: 'partial_outage' });
    expect(incidentHook?.body.page).toEqual({ id: expect.any(String), status_indicator: 'major', status_description: 'Partial System Outage' });
    for (const r of receiver.received) {
      expect(r.rawBody).not.toContain('Billing DB shard 7');
      expect(r.rawBody).not.toContain(secret.id);
    }
    const after = await ok<SubscriberList>(admin, 'GET', '/api/v1/status-pages/acme/subscribers');
    expect(after.items[0]?.lastFailure).toBeNull();
  });

  it('posts Slack and Teams messages in the shapes their incoming webhooks take, escaped; a refused URL is recorded', async () => {
    await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'slack', url: slack.hookUrl });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'teams', url: teams.hookUrl });
    const gone = await ok<CreatedSubscriber>(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'slack', url: `${slack.url}/services/T0001/B0002/retired` });
    await postIncident({ name: 'Errors <b>& timeouts</b>', body: 'Users see <script>alert(1)</script> & 500s.' });
    await run();
    expect(slack.rejected.filter((r) => !r.path.endsWith('/retired'))).toEqual([]);
    expect(teams.rejected).toEqual([]);
    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]?.body as { text: string; blocks: Array<Record<string, unknown>> };
    expect(message.text).toBe('[Acme] Investigating: Errors &lt;b&gt;&amp; timeouts&lt;/b&gt;');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Investigating: Errors <b>& timeouts</b>', emoji: false } });
    expect(JSON.stringify(message.blocks[1])).toContain('Users see &lt;script&gt;alert(1)&lt;/script&gt; &amp; 500s.');
    expect(teams.received).toHaveLength(1);
    const card = (teams.received[0]?.body.attachments as Array<{ content: { body: Array<{ type: string; text?: string }>; actions: Array<{ title: string }> } }>)[0]?.content;
    expect(card?.body.map((b) => b.text ?? b.type)).toEqual(['Acme', 'Errors <b>& timeouts</b>', 'Users see <script>alert(1)</script> & 500s.', 'FactSet']);
    expect(card?.actions.map((a) => a.title)).toEqual(['View on the status page', 'Manage subscription', 'Unsubscribe']);
    // A 404 from Slack (`no_service`) is final: recorded once, not retried.
    const list = await ok<SubscriberList>(admin, 'GET', '/api/v1/status-pages/acme/subscribers?kind=slack');
    const failed = list.items.find((s) => s.id === gone.id);
    expect(failed?.lastFailure?.message).toContain('HTTP 404');
    expect(list.counts).toEqual({ email: 0, webhook: 0, slack: 2, teams: 1 });
    const retries = await t.firebreak.services.database.db.selectFrom('jobs').select('id').where('task', '=', 'statuspage-subscribers.send').execute();
    expect(retries).toEqual([]);
  });

  it('answers a sign-up the same whether or not the address subscribes, and mails it at most once per 10 minutes', async () => {
    await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'known@example.com' });
    const known = await signUpJson({ email: 'known@example.com' });
    const fresh = await signUpJson({ email: 'fresh@example.com' });
    expect(known.statusCode).toBe(202);
    expect(fresh.statusCode).toBe(202);
    expect(known.body).toBe(fresh.body);
    expect(json(fresh)).toMatchObject({ status: 'pending' });
    const knownForm = await form('/status/acme/subscribe', { email: 'known@example.com' });
    const freshForm = await form('/status/acme/subscribe', { email: 'fresh@example.com' });
    expect(knownForm.body).toBe(freshForm.body);
    await run();
    // One mail each: the repeat within 10 minutes sent nothing. The known address gets its manage link.
    expect(mailsTo('fresh@example.com').map((m) => m.subject)).toEqual(['Confirm: Acme status updates']);
    expect(mailsTo('known@example.com').map((m) => m.subject)).toEqual(['Your Acme status subscription']);
    expect(mailsTo('known@example.com')[0]?.text).toContain('Manage your subscription: http://localhost:8080/status/acme/subscription?token=');
    t.clock.advance(11 * 60_000);
    await signUpJson({ email: 'fresh@example.com' });
    await run();
    expect(mailsTo('fresh@example.com')).toHaveLength(2);
  });

  it('limits sign-ups per address to 10 a minute, ignores the honeypot and names the bad field', async () => {
    const { secret } = await scene();
    for (let i = 0; i < 10; i++) expect((await signUpJson({ email: `flood${i}@example.com` }, '192.0.2.9')).statusCode).toBe(202);
    const limited = await signUpJson({ email: 'flood10@example.com' }, '192.0.2.9');
    expect(limited.statusCode).toBe(429);
    expect(json<ErrorBody>(limited).code).toBe('RATE_LIMITED');

    const bot = await form('/status/acme/subscribe', { email: 'bot@example.com', website: 'http://spam.example' });
    expect(bot.statusCode).toBe(200);
    expect(bot.body).toContain('Check your inbox');

    const bad = await signUpJson({ email: 'not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(json<ErrorBody>(bad).details?.issues?.[0]?.path).toBe('body.email');
    const privateComponent = await signUpJson({ email: 'eve@example.com', components: [secret.id] });
    expect(privateComponent.statusCode).toBe(400);
    expect(json<ErrorBody>(privateComponent).message).toBe(`body.components.0: no public component \`${secret.id}\` on this status page`);
    const badForm = await form('/status/acme/subscribe', { email: '' });
    expect(badForm.statusCode).toBe(400);
    expect(badForm.body).toContain('body.email');
    await run();
    expect(mailsTo('bot@example.com')).toEqual([]);
    expect(mailsTo('eve@example.com')).toEqual([]);
    const list = await ok<SubscriberList>(admin, 'GET', '/api/v1/status-pages/acme/subscribers');
    expect(list.items.map((s) => s.target)).not.toContain('bot@example.com');
  });

  it('refuses sign-ups on private pages and expired confirmation links', async () => {
    await scene();
    await ok(admin, 'POST', '/api/v1/status-pages', { slug: 'inside', name: 'Inside', timeZone: 'UTC', visibility: 'private' });
    expect((await t.app.inject({ method: 'POST', url: '/status/inside/subscribe', payload: { email: 'x@example.com' } })).statusCode).toBe(404);
    expect((await get('/status/inside')).body).not.toContain('subscribe');
    await signUpJson({ email: 'late@example.com' });
    await run();
    const confirmUrl = link(mailsTo('late@example.com')[0] as ReceivedMail, 'Confirm your subscription');
    t.clock.advance(49 * 3_600_000);
    const expired = await get(confirmUrl);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This confirmation link has expired');
    expect((await get('/status/acme/subscription/confirm?token=made-up-token-000000')).statusCode).toBe(404);
  });

  it('tells of scheduled maintenance and of its automatic start and completion', async () => {
    const { web } = await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'ops@example.com', components: [web.id] });
    await ok(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Database upgrade', body: 'Short read-only window.', scheduledFor: '2026-11-21T10:00:00Z', scheduledUntil: '2026-11-21T11:00:00Z', components: [web.id] });
    await run();
    const scheduled = mailsTo('ops@example.com')[0] as ReceivedMail;
    expect(scheduled.subject).toBe('[Acme Status] Scheduled: Database upgrade');
    // In the page's zone (Lisbon is on GMT in November).
    expect(scheduled.text).toContain('Scheduled for Nov 21, 2026, 10:00 GMT+0 – Nov 21, 2026, 11:00 GMT+0');
    t.clock.set('2026-11-21T10:00:00Z');
    await run();
    t.clock.set('2026-11-21T11:00:00Z');
    await run();
    expect(mailsTo('ops@example.com').map((m) => m.subject)).toEqual(['[Acme Status] Scheduled: Database upgrade', '[Acme Status] In progress: Database upgrade', '[Acme Status] Completed: Database upgrade']);
    expect(mailsTo('ops@example.com')[1]?.text).toContain('Affected: Website (Operational → Under maintenance)');
  });

  it('reminds subscribers before a maintenance starts: a keyed job moved when rescheduled, dropped when cleared or completed', async () => {
    const { api, web } = await scene();
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'ops@example.com', components: [web.id] });
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'api-only@example.com', components: [api.id] });
    const hook = await ok<CreatedSubscriber>(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'webhook', url: `${receiver.url}/hooks/status` });
    receiver.secret = hook.signingSecret as string;
    await ok(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'slack', url: slack.hookUrl });
    const bad = await call(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'X', body: 'Y', scheduledFor: '2026-11-21T12:00:00Z', scheduledUntil: '2026-11-21T13:00:00Z', remindSubscribersMinutesBefore: 2 });
    expect(bad.statusCode).toBe(400);
    expect(json<ErrorBody>(bad).message).toContain('body.remindSubscribersMinutesBefore');

    const m = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Database upgrade', body: 'Short read-only window.', scheduledFor: '2026-11-21T12:00:00Z', scheduledUntil: '2026-11-21T13:00:00Z', components: [web.id], remindSubscribersMinutesBefore: 60 });
    expect(m.remindSubscribersMinutesBefore).toBe(60);
    const reminderJob = () => t.firebreak.services.database.db.selectFrom('jobs').select(['run_at']).where('job_key', '=', `statuspage-subscribers.reminder:${m.id}`).executeTakeFirst();
    // Queued in the transaction that scheduled it: there when the POST returns.
    expect(Number((await reminderJob())?.run_at)).toBe(Date.parse('2026-11-21T11:00:00Z'));
    await run();
    const subjects = () => mailsTo('ops@example.com').map((m) => m.subject);
    expect(subjects()).toEqual(['[Acme Status] Scheduled: Database upgrade']);

    // Rescheduled two hours later: the reminder moves with it.
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/maintenances/${m.id}`, { scheduledFor: '2026-11-21T14:00:00Z', scheduledUntil: '2026-11-21T15:00:00Z' });
    expect(Number((await reminderJob())?.run_at)).toBe(Date.parse('2026-11-21T13:00:00Z'));
    t.clock.set('2026-11-21T11:00:00Z');
    await run();
    expect(subjects()).toEqual(['[Acme Status] Scheduled: Database upgrade', '[Acme Status] Rescheduled: Database upgrade']);
    slack.received.length = 0;
    receiver.received.length = 0;

    t.clock.set('2026-11-21T13:00:00Z');
    await run();
    await run();
    expect(subjects()).toEqual(['[Acme Status] Scheduled: Database upgrade', '[Acme Status] Rescheduled: Database upgrade', '[Acme Status] Reminder: Database upgrade']);
    const reminder = mailsTo('ops@example.com')[2] as ReceivedMail;
    expect(reminder.text).toContain('Reminder — Scheduled maintenance starts at Nov 21, 2026, 14:00 GMT+0.');
    expect(reminder.text).toContain('Unsubscribe: ');
    // Only subscribers who hear of this maintenance: not the one who chose the API alone.
    expect(mailsTo('api-only@example.com').map((m) => m.subject)).toEqual([]);
    expect(slack.received).toHaveLength(1);
    expect((slack.received[0]?.body as { text: string }).text).toBe('[Acme] Reminder: Database upgrade');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.body.incident).toMatchObject({ id: m.id, status: 'scheduled', scheduled_for: '2026-11-21T14:00:00.000Z' });
    expect(await reminderJob()).toBeUndefined();
    // The start and completion are told as before; no second reminder.
    t.clock.set('2026-11-21T15:00:00Z');
    await run();
    expect(subjects().filter((s) => s.includes('Reminder'))).toHaveLength(1);

    // Cleared: the job goes. Completed by hand: the job goes too.
    const cleared = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Cache flush', body: 'Brief.', scheduledFor: '2026-11-22T12:00:00Z', scheduledUntil: '2026-11-22T13:00:00Z', remindSubscribersMinutesBefore: 600 });
    const done = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Disk swap', body: 'Brief.', scheduledFor: '2026-11-22T12:00:00Z', scheduledUntil: '2026-11-22T13:00:00Z', remindSubscribersMinutesBefore: 60 });
    const gone = await ok<StatusIncident>(responder, 'POST', '/api/v1/status-pages/acme/maintenances', { name: 'Old rack', body: 'Brief.', scheduledFor: '2026-11-22T12:00:00Z', scheduledUntil: '2026-11-22T13:00:00Z', remindSubscribersMinutesBefore: 60 });
    const jobs = async () => (await t.firebreak.services.database.db.selectFrom('jobs').select('job_key').where('task', '=', 'statuspage-subscribers.reminder').execute()).map((j) => j.job_key).sort();
    expect(await jobs()).toEqual([cleared.id, done.id, gone.id].map((id) => `statuspage-subscribers.reminder:${id}`).sort());
    expect((await ok<StatusIncident>(responder, 'GET', `/api/v1/status-pages/acme/maintenances/${cleared.id}`)).remindSubscribersMinutesBefore).toBe(600);
    await ok(responder, 'PATCH', `/api/v1/status-pages/acme/maintenances/${cleared.id}`, { remindSubscribersMinutesBefore: null });
    expect((await ok<StatusIncident>(responder, 'GET', `/api/v1/status-pages/acme/maintenances/${cleared.id}`)).remindSubscribersMinutesBefore).toBeNull();
    await ok(responder, 'POST', `/api/v1/status-pages/acme/maintenances/${done.id}/updates`, { status: 'completed', body: 'Done early.' });
    expect(await jobs()).toEqual([`statuspage-subscribers.reminder:${gone.id}`]);
    // A deleted maintenance's job finds nothing to remind of.
    await ok(admin, 'DELETE', `/api/v1/status-pages/acme/maintenances/${gone.id}`);
    await run();
    sink.clear();
    t.clock.set('2026-11-22T11:30:00Z');
    await run();
    expect(sink.messages.filter((m) => m.subject.includes('Reminder'))).toEqual([]);
  });

  it('takes sign-ups on a custom domain, and starts a public webhook once its address confirms', async () => {
    await scene();
    await ok(admin, 'PATCH', '/api/v1/status-pages/acme', { customDomain: 'status.acme.example' });
    const host = { host: 'status.acme.example' };
    // The host routing reads an in-memory domain map, refreshed right after the change.
    await expect.poll(async () => (await t.app.inject({ url: '/', headers: host })).statusCode, { timeout: 5000, interval: 20 }).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/', headers: host })).body).toContain('action="/subscribe"');
    const answer = await t.app.inject({ method: 'POST', url: '/subscribe', headers: host, remoteAddress: '10.9.9.9', payload: { email: 'gil@example.com', webhook: `${receiver.url}/gil` } });
    expect(answer.statusCode).toBe(202);
    await postIncident({ name: 'Before confirming', body: 'Nobody hears this.' });
    await run();
    expect(receiver.attempts).toBe(0);
    const mail = mailsTo('gil@example.com')[0] as ReceivedMail;
    const confirmUrl = /Confirm your subscription: (\S+)/.exec(mail.text)?.[1] as string;
    expect(confirmUrl).toMatch(/^https:\/\/status\.acme\.example\/subscription\/confirm\?token=/);
    const confirmed = await t.app.inject({ method: 'GET', url: confirmUrl.replace('https://status.acme.example', ''), headers: host });
    expect(confirmed.statusCode).toBe(200);
    const secret = /<code>(whsec_[^<]+)<\/code>/.exec(confirmed.body)?.[1];
    expect(secret).toBeDefined();
    receiver.secret = secret as string;
    await postIncident({ name: 'After confirming', body: 'Both hear this.' });
    await run();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received.map((r) => (r.body.incident as { name: string }).name)).toEqual(['After confirming']);
    expect(mailsTo('gil@example.com').map((m) => m.subject)).toContain('[Acme Status] Investigating: After confirming');
    // An address already subscribed may add a webhook too: it starts when the new link is opened.
    t.clock.advance(11 * 60_000);
    await t.app.inject({ method: 'POST', url: '/subscribe', headers: host, remoteAddress: '10.9.9.9', payload: { email: 'gil@example.com', webhook: `${receiver.url}/gil-2` } });
    await run();
    const second = mailsTo('gil@example.com').filter((m) => m.subject === 'Confirm: Acme status updates');
    expect(second).toHaveLength(2);
    expect(second[1]?.text).toContain(`and at a webhook on ${new URL(receiver.url).host}`);
    const again = /Confirm your subscription: (\S+)/.exec(second[1]?.text ?? '')?.[1] as string;
    expect((await t.app.inject({ method: 'GET', url: again.replace('https://status.acme.example', ''), headers: host })).body).toContain('whsec_');
    // The secret is shown once: confirming again shows the management page without it.
    expect((await t.app.inject({ method: 'GET', url: confirmUrl.replace('https://status.acme.example', ''), headers: host })).body).not.toContain('whsec_');
  });

  it('lets only admins list and change subscribers, and audits every change', async () => {
    const { api } = await scene();
    expect((await call(viewer, 'GET', '/api/v1/status-pages/acme/subscribers')).statusCode).toBe(403);
    expect((await call(responder, 'GET', '/api/v1/status-pages/acme/subscribers')).statusCode).toBe(403);
    expect((await call(responder, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'x@example.com' })).statusCode).toBe(403);
    const created = await ok<CreatedSubscriber>(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'Fay@Example.com' });
    expect(created).toMatchObject({ kind: 'email', target: 'fay@example.com', confirmed: true, components: [], signingSecret: null });
    const dup = await call(admin, 'POST', '/api/v1/status-pages/acme/subscribers', { kind: 'email', email: 'fay@example.com' });
    expect(dup.statusCode).toBe(409);
    const changed = await ok<{ components: { id: string; name: string }[] }>(admin, 'PATCH', `/api/v1/status-pages/acme/subscribers/${created.id}`, { components: [api.id] });
    expect(changed.components).toEqual([{ id: api.id, name: 'API' }]);
    const badComponent = await call(admin, 'PATCH', `/api/v1/status-pages/acme/subscribers/${created.id}`, { components: ['nope'] });
    expect(json<ErrorBody>(badComponent).details?.issues?.[0]?.path).toBe('body.components.0');
    expect((await call(admin, 'DELETE', `/api/v1/status-pages/acme/subscribers/${created.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'DELETE', `/api/v1/status-pages/acme/subscribers/${created.id}`)).statusCode).toBe(404);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'status-subscriber.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['status-subscriber.create', 'status-subscriber.update', 'status-subscriber.delete']);
  });
});
