import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContactMethod, NotificationRules, NotificationSettings } from '../../../contracts/notify.js';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../../../test/support/smtp-sink.js';

// A real SMTP server in this process receives every email Firebreak sends; jobs run synchronously
// with `runner.runDueJobs()` under the test's ManualClock.
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const PUSH = {
  endpoint: 'https://fcm.googleapis.com/fcm/send/dGhpcy1pcy1hLXNlY3JldC10b2tlbg',
  expirationTime: null,
  keys: { p256dh: `B${'Kq3'.repeat(28)}wA`, auth: 'c2VjcmV0LWF1dGgta2V5MQ' },
};
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/s3cr3t-webhook-token';

type ErrorJson = { code: string; message: string; details: { issues?: Array<{ path: string; message: string }>; reason?: string } | null };
const issuePaths = (res: LightMyRequestResponse) => (json<ErrorJson>(res).details?.issues ?? []).map((i) => i.path);
const codeIn = (mail: ReceivedMail) => /(\d{6})/.exec(mail.subject)?.[1] ?? '';

for (const dialect of dialectCases()) describe(`contact methods and notification rules over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let me: { userId: string; handle: string; token: string };

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await dialect.open(), env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_PUBLIC_URL: 'https://oncall.example.com' } });
    me = await t.userWithToken('responder', 'ana');
  });
  afterEach(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, token = me.token) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const add = async (payload: Record<string, unknown>, token = me.token) => {
    const res = await call('POST', '/api/v1/me/contact-methods', payload, token);
    expect(res.statusCode, res.body).toBe(201);
    return json<ContactMethod>(res);
  };
  /** Asks for a code, runs the delivery job, and returns the mail that arrived. */
  const sendCode = async (id: string, token = me.token) => {
    const before = sink.messages.length;
    const res = await call('POST', `/api/v1/me/contact-methods/${id}/verification`, undefined, token);
    expect(res.statusCode, res.body).toBe(202);
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages.length).toBe(before + 1);
    return sink.messages[sink.messages.length - 1]!;
  };
  const verify = (id: string, code: string, token = me.token) => call('POST', `/api/v1/me/contact-methods/${id}/verify`, { code }, token);
  const auditRows = () => t.firebreak.services.database.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
  /** What the audit log says about changes (not ids or epoch numbers, where six digits can occur by chance). */
  const auditText = async () => JSON.stringify((await auditRows()).map((r) => [r.action, r.actor_label, r.before_json, r.after_json]));

  it('adds a method of every type, normalizing what people type and never echoing push or webhook credentials', async () => {
    const created = [
      await add({ type: 'email', address: ' Ana.Lima@Example.com ', label: 'Work' }),
      await add({ type: 'sms', address: '+1 (415) 555-0100' }),
      await add({ type: 'voice', address: '+351 912 345 678', label: 'Mobile' }),
      await add({ type: 'push', address: PUSH, label: 'Phone app' }),
      await add({ type: 'slack', address: 'U012AB3CDEF' }),
      await add({ type: 'teams', address: '6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F' }),
      await add({ type: 'mattermost', address: '@ana.lima' }),
      await add({ type: 'webhook', address: WEBHOOK }),
    ];
    expect(created.map((m) => [m.type, m.address])).toEqual([
      ['email', 'ana.lima@example.com'],
      ['sms', '+14155550100'],
      ['voice', '+351912345678'],
      ['push', 'https://fcm.googleapis.com/…'],
      ['slack', 'U012AB3CDEF'],
      ['teams', '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f'],
      ['mattermost', 'ana.lima'],
      ['webhook', 'https://hooks.example.com/…'],
    ]);
    expect(created.every((m) => !m.verified && m.verification === null)).toBe(true);
    expect(created.map((m) => m.channelAvailable)).toEqual([true, false, false, false, false, false, false, false]);

    const list = await call('GET', '/api/v1/me/contact-methods');
    expect(json<{ items: ContactMethod[] }>(list).items.map((m) => m.id)).toEqual(created.map((m) => m.id));
    // Credentials embedded in the push endpoint and the webhook URL stay sealed: not in answers, not in the audit log, not in clear text at rest.
    const stored = await t.firebreak.services.database.db.selectFrom('contact_methods').select(['address', 'secret']).execute();
    for (const text of [list.body, JSON.stringify(await auditRows()), JSON.stringify(stored)]) {
      expect(text).not.toContain('s3cr3t-webhook-token');
      expect(text).not.toContain('dGhpcy1pcy1hLXNlY3JldC10b2tlbg');
      expect(text).not.toContain(PUSH.keys.auth);
    }
  });

  it('refuses the same address twice for one person with 409 naming the field', async () => {
    await add({ type: 'webhook', address: WEBHOOK });
    const again = await call('POST', '/api/v1/me/contact-methods', { type: 'webhook', address: WEBHOOK });
    expect(again.statusCode).toBe(409);
    expect(json(again)).toMatchObject({ code: 'CONFLICT', details: { field: 'address' } });
  });

  it('verifies an email address end to end: the code goes out over SMTP and entering it marks the method verified', async () => {
    const method = await add({ type: 'email', address: 'ana.pager@example.com', label: 'Pager inbox' });
    const asked = await call('POST', `/api/v1/me/contact-methods/${method.id}/verification`);
    expect(asked.statusCode).toBe(202);
    expect(json(asked)).toMatchObject({ expiresAt: '2026-11-02T10:15:00.000Z', contactMethod: { verification: { sentAt: '2026-11-02T10:00:00.000Z', attemptsLeft: 5, error: null } } });
    const queued = await t.firebreak.services.database.db.selectFrom('jobs').select(['task', 'job_key', 'payload']).execute();
    expect(queued).toEqual([{ task: 'notify.send-verification', job_key: `notify.send-verification:${method.id}`, payload: expect.any(String) }]);

    const outcomes = await t.firebreak.runner.runDueJobs();
    expect(outcomes.map((o) => [o.task, o.outcome])).toEqual([['notify.send-verification', 'success']]);
    const [mail] = sink.messages;
    expect(mail?.envelope).toEqual({ from: 'firebreak@localhost', to: ['ana.pager@example.com'] });
    expect(mail?.from).toBe('Firebreak <firebreak@localhost>');
    expect(mail?.to).toBe('Test ana <ana.pager@example.com>');
    expect(mail?.subject).toMatch(/^Firebreak verification code: \d{6}$/);
    const code = codeIn(mail!);
    expect(mail?.text).toContain(`Your Firebreak verification code is ${code}.`);
    expect(mail?.text).toContain('https://oncall.example.com/settings/contact-methods');
    // The job table held the code sealed, never in clear text.
    const payload = JSON.parse(queued[0]!.payload) as { contactMethodId: string; sealedCode: string };
    expect(payload).toEqual({ contactMethodId: method.id, sealedCode: expect.stringMatching(/^v1\./) });
    expect(t.firebreak.services.secrets.open(payload.sealedCode)).toBe(code);

    const verified = await verify(method.id, code);
    expect(verified.statusCode, verified.body).toBe(200);
    expect(json(verified)).toMatchObject({ verified: true, verifiedAt: '2026-11-02T10:00:00.000Z', verification: null });

    const audit = await auditRows();
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['contact_method.create', 'contact_method.verification.send', 'contact_method.verify']));
    expect(await auditText()).not.toContain(code);
    expect(audit.find((r) => r.action === 'contact_method.verify')).toMatchObject({ actor_label: 'ana (API token)', target_type: 'contact_method', target_id: method.id });
  });

  it('refuses a wrong code with 400 naming body.code, and counts the attempt', async () => {
    const method = await add({ type: 'email', address: 'ana.wrong@example.com' });
    const code = codeIn(await sendCode(method.id));
    const wrong = code === '000000' ? '111111' : '000000';
    const res = await verify(method.id, wrong);
    expect(res.statusCode).toBe(400);
    expect(json<ErrorJson>(res).code).toBe('VALIDATION_FAILED');
    expect(issuePaths(res)).toEqual(['body.code']);
    expect(json<ErrorJson>(res).message).toContain('4 attempts left');
    const [listed] = json<{ items: ContactMethod[] }>(await call('GET', '/api/v1/me/contact-methods')).items;
    expect(listed?.verification?.attemptsLeft).toBe(4);
    expect((await auditRows()).filter((r) => r.action === 'contact_method.verification.fail')).toHaveLength(1);
    expect(await auditText()).not.toContain(wrong);
    expect((await verify(method.id, code)).statusCode).toBe(200);
  });

  it('refuses a code after its 15 minutes, and accepts the next one', async () => {
    const method = await add({ type: 'email', address: 'ana.late@example.com' });
    const code = codeIn(await sendCode(method.id));
    t.clock.advance(15 * 60_000);
    const late = await verify(method.id, code);
    expect(late.statusCode).toBe(400);
    expect(issuePaths(late)).toEqual(['body.code']);
    expect(json<ErrorJson>(late).message).toMatch(/expired/);
    const fresh = codeIn(await sendCode(method.id));
    expect((await verify(method.id, fresh)).statusCode).toBe(200);
  });

  it('stops accepting codes after 5 attempts, even the right one, until a new code is sent', async () => {
    const method = await add({ type: 'email', address: 'ana.guess@example.com' });
    const code = codeIn(await sendCode(method.id));
    const wrong = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) expect((await verify(method.id, wrong)).statusCode).toBe(400);
    const blocked = await verify(method.id, code);
    expect(blocked.statusCode).toBe(422);
    expect(json<ErrorJson>(blocked)).toMatchObject({ code: 'RULE_VIOLATION', details: { reason: 'TOO_MANY_ATTEMPTS' } });
    t.clock.advance(60_000);
    const next = codeIn(await sendCode(method.id));
    expect((await verify(method.id, next)).statusCode).toBe(200);
  });

  it('replaces a pending code when asked again (at most once a minute), so only the newest is sent and works', async () => {
    const method = await add({ type: 'email', address: 'ana.twice@example.com' });
    expect((await call('POST', `/api/v1/me/contact-methods/${method.id}/verification`)).statusCode).toBe(202);
    const tooSoon = await call('POST', `/api/v1/me/contact-methods/${method.id}/verification`);
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.headers['retry-after']).toBe('60');
    t.clock.advance(60_000);
    expect((await call('POST', `/api/v1/me/contact-methods/${method.id}/verification`)).statusCode).toBe(202);
    expect(await t.firebreak.services.database.db.selectFrom('jobs').select('job_key').execute()).toHaveLength(1);
    await t.firebreak.runner.runDueJobs();
    expect(sink.messages).toHaveLength(1);
    expect((await verify(method.id, codeIn(sink.messages[0]!))).statusCode).toBe(200);
  });

  it('starts verification over when the address changes, and cancels the pending code', async () => {
    const method = await add({ type: 'email', address: 'ana.old@example.com' });
    const oldCode = codeIn(await sendCode(method.id));
    expect((await verify(method.id, oldCode)).statusCode).toBe(200);

    const relabel = await call('PATCH', `/api/v1/me/contact-methods/${method.id}`, { label: 'Old inbox' });
    expect(json(relabel)).toMatchObject({ label: 'Old inbox', verified: true });

    const moved = await call('PATCH', `/api/v1/me/contact-methods/${method.id}`, { address: 'Ana.New@example.com' });
    expect(moved.statusCode).toBe(200);
    expect(json(moved)).toMatchObject({ address: 'ana.new@example.com', verified: false, verifiedAt: null, verification: null });

    t.clock.advance(60_000);
    expect((await call('POST', `/api/v1/me/contact-methods/${method.id}/verification`)).statusCode).toBe(202);
    expect((await call('PATCH', `/api/v1/me/contact-methods/${method.id}`, { address: 'ana.newer@example.com' })).statusCode).toBe(200);
    expect(await t.firebreak.services.database.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
    expect((await verify(method.id, '123456')).statusCode).toBe(422);

    const badAddress = await call('PATCH', `/api/v1/me/contact-methods/${method.id}`, { address: '+14155550100' });
    expect(badAddress.statusCode).toBe(400);
    expect(issuePaths(badAddress)).toEqual(['body.address']);
  });

  it('keeps rules in order of delay, flags unverified methods and warns when nothing verified would page', async () => {
    const email = await add({ type: 'email', address: 'ana.rules@example.com' });
    const sms = await add({ type: 'sms', address: '+14155550100' });
    const put = await call('PUT', '/api/v1/me/notification-rules', {
      high: [
        { delayMinutes: 3, contactMethodId: sms.id },
        { delayMinutes: 0, contactMethodId: email.id },
        { delayMinutes: 0, contactMethodId: sms.id },
      ],
      low: [],
    });
    expect(put.statusCode, put.body).toBe(200);
    const rules = json<NotificationRules>(put);
    expect(rules.high.map((r) => [r.delayMinutes, r.contactMethod.type, r.verified])).toEqual([
      [0, 'email', false],
      [0, 'sms', false],
      [3, 'sms', false],
    ]);
    expect(rules.warnings).toEqual(['No high-urgency rule uses a verified contact method: you will not be paged until one is verified.']);

    expect((await verify(email.id, codeIn(await sendCode(email.id)))).statusCode).toBe(200);
    const after = json<NotificationRules>(await call('GET', '/api/v1/me/notification-rules'));
    expect(after.high.map((r) => r.verified)).toEqual([true, false, false]);
    expect(after.warnings).toEqual([]);
    expect((await auditRows()).filter((r) => r.action === 'notification_rules.replace')).toHaveLength(1);
  });

  it('refuses rules that use another person’s contact method, naming the field', async () => {
    const bo = await t.userWithToken('responder', 'bo');
    const theirs = await add({ type: 'email', address: 'bo@example.com' }, bo.token);
    const mine = await add({ type: 'email', address: 'ana.mine@example.com' });
    const res = await call('PUT', '/api/v1/me/notification-rules', { high: [{ delayMinutes: 0, contactMethodId: mine.id }], low: [{ delayMinutes: 5, contactMethodId: theirs.id }] });
    expect(res.statusCode).toBe(400);
    expect(issuePaths(res)).toEqual(['body.low.0.contactMethodId']);
    const range = await call('PUT', '/api/v1/me/notification-rules', { high: [{ delayMinutes: 1441, contactMethodId: mine.id }], low: [] });
    expect(issuePaths(range)).toEqual(['body.high.0.delayMinutes']);
  });

  it('removes the rules that use a method when the method is removed', async () => {
    const email = await add({ type: 'email', address: 'ana.gone@example.com' });
    const slack = await add({ type: 'slack', address: 'U012AB3CDEF' });
    await call('PUT', '/api/v1/me/notification-rules', { high: [{ delayMinutes: 0, contactMethodId: email.id }, { delayMinutes: 1, contactMethodId: slack.id }], low: [{ delayMinutes: 0, contactMethodId: slack.id }] });
    expect((await call('DELETE', `/api/v1/me/contact-methods/${slack.id}`)).statusCode).toBe(204);
    const rules = json<NotificationRules>(await call('GET', '/api/v1/me/notification-rules'));
    expect(rules.high.map((r) => r.contactMethodId)).toEqual([email.id]);
    expect(rules.low).toEqual([]);
    expect((await auditRows()).find((r) => r.action === 'contact_method.delete')?.after_json).toBe('{"rulesRemoved":2}');
    expect((await call('DELETE', `/api/v1/me/contact-methods/${slack.id}`)).statusCode).toBe(404);
  });

  it('sends a test notification only to a verified method', async () => {
    const method = await add({ type: 'email', address: 'ana.test@example.com' });
    const early = await call('POST', `/api/v1/me/contact-methods/${method.id}/test`);
    expect(early.statusCode).toBe(422);
    expect(json<ErrorJson>(early).message).toMatch(/Verify ana\.test@example\.com first/);
    await verify(method.id, codeIn(await sendCode(method.id)));
    const res = await call('POST', `/api/v1/me/contact-methods/${method.id}/test`);
    expect(res.statusCode).toBe(202);
    expect(json(res)).toEqual({ contactMethodId: method.id, status: 'queued', requestedAt: '2026-11-02T10:00:00.000Z' });
    await t.firebreak.runner.runDueJobs();
    const mail = sink.messages[sink.messages.length - 1];
    expect(mail?.subject).toBe('Firebreak test notification');
    expect(mail?.text).toContain('asked for by ana (API token) at 2026-11-02 10:00 UTC');
  });

  it('answers honestly for a type no provider delivers to here, naming what to configure, storing nothing', async () => {
    const sms = await add({ type: 'sms', address: '+14155550100' });
    const res = await call('POST', `/api/v1/me/contact-methods/${sms.id}/verification`);
    expect(res.statusCode).toBe(422);
    expect(json<ErrorJson>(res)).toMatchObject({ code: 'RULE_VIOLATION', details: { reason: 'CHANNEL_NOT_CONFIGURED', type: 'sms' } });
    expect(json<ErrorJson>(res).message).toBe('SMS delivery is not configured on this instance: an admin must add a notification provider for SMS (Settings → Notification providers, or a NotificationProvider document; see docs/providers.md)');
    expect(await t.firebreak.services.database.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('keeps each person to their own setup; admins manage anyone’s, but only owners change an owner’s', async () => {
    const bo = await t.userWithToken('viewer', 'bo');
    const admin = await t.userWithToken('admin', 'ada');
    await t.userWithToken('owner', 'olu');
    const own = await add({ type: 'email', address: 'bo.own@example.com' }, bo.token);
    expect(own.userId).toBe(bo.userId);

    for (const [method, url] of [['GET', '/api/v1/users/ana/contact-methods'], ['POST', '/api/v1/users/ana/contact-methods'], ['PUT', '/api/v1/users/ana/notification-rules']] as const) {
      const res = await call(method, url, method === 'GET' ? undefined : {}, bo.token);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await call('DELETE', `/api/v1/me/contact-methods/${own.id}`, undefined, me.token)).statusCode).toBe(404);

    const byAdmin = await call('POST', '/api/v1/users/ana/contact-methods', { type: 'email', address: 'ana.by-admin@example.com' }, admin.token);
    expect(byAdmin.statusCode).toBe(201);
    expect(json<ContactMethod>(byAdmin).userId).toBe(me.userId);
    expect(json<{ items: ContactMethod[] }>(await call('GET', '/api/v1/users/ana/contact-methods', undefined, admin.token)).items).toHaveLength(1);
    expect((await call('DELETE', `/api/v1/users/bo/contact-methods/${json<ContactMethod>(byAdmin).id}`, undefined, admin.token)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/users/olu/contact-methods', undefined, admin.token)).statusCode).toBe(200);
    const ownerChange = await call('POST', '/api/v1/users/olu/contact-methods', { type: 'email', address: 'olu@example.com' }, admin.token);
    expect(ownerChange.statusCode).toBe(403);
    expect(json<ErrorJson>(ownerChange).message).toMatch(/Only an owner/);
  });

  it('lets a team-scoped API token manage its own user’s methods, and nobody else’s', async () => {
    const admin = await t.userWithToken('admin', 'ada');
    await call('POST', '/api/v1/teams', { handle: 'platform', name: 'Platform' }, admin.token);
    const scoped = json<{ secret: string }>(await call('POST', '/api/v1/tokens', { name: 'scoped', role: 'admin', team: 'platform' }, admin.token)).secret;
    expect((await call('POST', '/api/v1/me/contact-methods', { type: 'email', address: 'ada.scoped@example.com' }, scoped)).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/users/ana/contact-methods', { type: 'email', address: 'ana.scoped@example.com' }, scoped)).statusCode).toBe(403);
  });

  it('gives a person their account email and default rules in one step, keeping rules already set', async () => {
    const res = await call('POST', '/api/v1/me/contact-methods/defaults');
    expect(res.statusCode, res.body).toBe(200);
    const applied = json<{ contactMethods: ContactMethod[]; rules: NotificationRules }>(res);
    expect(applied.contactMethods.map((m) => [m.type, m.address, m.label, m.verified])).toEqual([['email', 'ana@example.test', 'Account email', false]]);
    const emailId = applied.contactMethods[0]!.id;
    expect(applied.rules.high.map((r) => [r.delayMinutes, r.contactMethodId])).toEqual([[0, emailId]]);
    expect(applied.rules.low.map((r) => [r.delayMinutes, r.contactMethodId])).toEqual([[0, emailId]]);

    await call('PUT', '/api/v1/me/notification-rules', { high: [{ delayMinutes: 5, contactMethodId: emailId }], low: [] });
    const again = json<{ contactMethods: ContactMethod[]; rules: NotificationRules }>(await call('POST', '/api/v1/me/contact-methods/defaults'));
    expect(again.contactMethods).toHaveLength(1);
    expect(again.rules.high.map((r) => r.delayMinutes)).toEqual([5]);
    expect(again.rules.low.map((r) => r.delayMinutes)).toEqual([0]);
  });

  it('stores quiet hours for low urgency and the handoff notification preference', async () => {
    const initial = json<NotificationSettings>(await call('GET', '/api/v1/me/notification-settings'));
    expect(initial).toEqual({ userId: me.userId, lowUrgencyQuietHours: null, handoffNotifications: { enabled: false, leadMinutes: 60 }, updatedAt: null });
    const put = await call('PUT', '/api/v1/me/notification-settings', { lowUrgencyQuietHours: { start: '22:00', end: '07:30' }, handoffNotifications: { enabled: true, leadMinutes: 30 } });
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put)).toEqual({ userId: me.userId, lowUrgencyQuietHours: { start: '22:00', end: '07:30', timeZone: null }, handoffNotifications: { enabled: true, leadMinutes: 30 }, updatedAt: '2026-11-02T10:00:00.000Z' });
    const bad = await call('PUT', '/api/v1/me/notification-settings', { lowUrgencyQuietHours: { start: '22:00', end: '22:00', timeZone: 'Mars/Olympus' }, handoffNotifications: { enabled: true, leadMinutes: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(issuePaths(bad).sort()).toEqual(['body.handoffNotifications.leadMinutes', 'body.lowUrgencyQuietHours.end', 'body.lowUrgencyQuietHours.timeZone']);
    const same = await call('PUT', '/api/v1/me/notification-settings', { lowUrgencyQuietHours: { start: '22:00', end: '22:00' }, handoffNotifications: { enabled: false, leadMinutes: 0 } });
    expect(issuePaths(same)).toEqual(['body.lowUrgencyQuietHours.end']);
    expect((await auditRows()).filter((r) => r.action === 'notification_settings.update')).toHaveLength(1);
  });
});

describe('contact method input is checked per type', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await buildTestApp();
    token = (await t.userWithToken('viewer')).token;
  });
  afterAll(async () => t.close());

  const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/me/contact-methods', headers: bearer(token), payload: payload as Record<string, unknown> });

  it.each([
    ['email', 'ana at example.com', 'body.address'],
    ['sms', '555-0100', 'body.address'],
    ['sms', '+0123456789', 'body.address'],
    ['voice', '+1234', 'body.address'],
    ['slack', 'ana.lima', 'body.address'],
    ['teams', 'not-an-object-id', 'body.address'],
    ['mattermost', 'A!', 'body.address'],
    ['webhook', 'http://hooks.example.com/firebreak', 'body.address'],
    ['webhook', 'https://169.254.169.254/latest/meta-data/', 'body.address'],
    ['webhook', 'http://0xA9FEA9FE/', 'body.address'],
    ['webhook', 'https://metadata.google.internal/computeMetadata/v1/', 'body.address'],
    ['webhook', 'https://[fe80::1]/hook', 'body.address'],
    ['webhook', 'ftp://files.example.com/', 'body.address'],
    ['push', { ...PUSH, endpoint: 'http://push.example.com/x' }, 'body.address.endpoint'],
    ['push', { ...PUSH, keys: { p256dh: 'short', auth: PUSH.keys.auth } }, 'body.address.keys.p256dh'],
    ['push', 'https://fcm.googleapis.com/fcm/send/abc', 'body.address'],
  ] as const)('refuses %s address %j with 400 naming %s', async (type, address, path) => {
    const res = await post({ type, address });
    expect(res.statusCode).toBe(400);
    expect(json<ErrorJson>(res).code).toBe('VALIDATION_FAILED');
    expect(issuePaths(res)).toEqual([path]);
  });

  it('allows plain http webhooks only to this machine', async () => {
    for (const address of ['http://localhost:9000/hook', 'http://127.0.0.1:9000/hook', 'http://[::1]:9000/hook']) {
      expect((await post({ type: 'webhook', address })).statusCode, address).toBe(201);
    }
  });

  it('names an unknown type, a missing address and unknown fields', async () => {
    expect(issuePaths(await post({ type: 'fax', address: '+14155550100' }))).toEqual(['body.type']);
    expect(issuePaths(await post({ type: 'email' }))).toEqual(['body.address']);
    const extra = await post({ type: 'email', address: 'a@example.com', colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect(json<ErrorJson>(extra).details?.issues?.[0]?.message).toMatch(/colour/);
    expect(issuePaths(await post({ type: 'email', address: 'b@example.com', label: 'two\nlines' }))).toEqual(['body.label']);
  });

  it('answers 404 for a contact method id that cannot exist, and 400 for one with a NUL character', async () => {
    const verify = (id: string) => t.app.inject({ method: 'POST', url: `/api/v1/me/contact-methods/${id}/verify`, headers: bearer(token), payload: { code: '123456' } });
    for (const id of ['nope', '01ARZ3NDEKTSV4RRFFQ69G5FAV']) expect((await verify(id)).statusCode, id).toBe(404);
    const nul = await verify('%00');
    expect(nul.statusCode).toBe(400);
    expect(issuePaths(nul)[0]).toMatch(/^params\./);
  });
});

describe('email delivery failures and missing configuration', () => {
  it('says email is not configured when FIREBREAK_SMTP_URL is unset, and /readyz stays ready', async () => {
    const t = await buildTestApp();
    try {
      const { token } = await t.userWithToken('viewer');
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/me/contact-methods', headers: bearer(token), payload: { type: 'email', address: 'ana@example.com' } });
      expect(json<ContactMethod>(created).channelAvailable).toBe(false);
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/me/contact-methods/${json<ContactMethod>(created).id}/verification`, headers: bearer(token) });
      expect(res.statusCode).toBe(422);
      expect(json<ErrorJson>(res).message).toMatch(/^Email delivery is not configured on this instance: an operator must set FIREBREAK_SMTP_URL/);
      await t.firebreak.runner.runDueJobs();
      const ready = await t.app.inject({ url: '/readyz' });
      expect(ready.statusCode, ready.body).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('shows a mailbox the mail server refuses on the method, without retrying', async () => {
    sink.clear();
    sink.refuse.add('nobody@example.com');
    const t = await buildTestApp({ env: { FIREBREAK_SMTP_URL: sink.url, FIREBREAK_EMAIL_FROM: 'pager@example.com' } });
    try {
      const { token } = await t.userWithToken('viewer');
      const created = json<ContactMethod>(await t.app.inject({ method: 'POST', url: '/api/v1/me/contact-methods', headers: bearer(token), payload: { type: 'email', address: 'nobody@example.com' } }));
      await t.app.inject({ method: 'POST', url: `/api/v1/me/contact-methods/${created.id}/verification`, headers: bearer(token) });
      const outcomes = await t.firebreak.runner.runDueJobs();
      expect(outcomes.map((o) => o.outcome)).toEqual(['success']);
      expect(await t.firebreak.services.database.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
      const [listed] = json<{ items: ContactMethod[] }>(await t.app.inject({ url: '/api/v1/me/contact-methods', headers: bearer(token) })).items;
      expect(listed?.verification?.error).toMatch(/SMTP 550/);
    } finally {
      await t.close();
    }
  });
});
