import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import type { ContactMethod } from '../../../contracts/notify.js';
import type { Provider } from '../../../contracts/providers.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { addVerifiedEmail, requestsAs, setUpPagingScene, type Person } from '../../../../test/support/people.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import { ManualClock } from '../../platform/clock.js';

// Providers over HTTP with real SMTP relays: a live sink, and a port where nothing listens (a relay that
// is down), so failover between providers and to a person's next contact method is exercised for real.
let live: SmtpSink;
let deadUrl: string;
beforeAll(async () => {
  live = await startSmtpSink();
  const dead = await startSmtpSink();
  deadUrl = dead.url;
  await dead.close();
});
afterAll(async () => live.close());

for (const dialect of dialectCases()) describe(`notification providers (${dialect.name})`, () => {
  let t: TestApp;
  let admin: Person;
  const { call, ok } = requestsAs(() => t);
  const run = () => t.firebreak.runner.runDueJobs();
  const create = async (body: Record<string, unknown>) => json<Provider>(await ok('POST', '/api/v1/notification-providers', admin, body));
  const timeline = async (alert: Alert) => json<{ items: Array<{ summary: string }> }>(await ok('GET', `/api/v1/alerts/${alert.id}/timeline`, admin)).items.map((e) => e.summary);

  beforeEach(async () => {
    live.clear();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z'), env: { FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true', RELAY_PASSWORD: 's3cret-from-env' } });
    admin = await t.userWithToken('admin', 'providers-admin');
  });
  afterEach(async () => t.close());

  it('adds, lists, changes and removes a provider; secrets are never returned and the audit log keeps only which are set', async () => {
    const created = await create({ name: 'relay-main', kind: 'smtp', settings: { url: live.url, from: 'Firebreak <fb@example.com>', username: 'firebreak' }, secrets: { password: 'inline-secret' } });
    expect(created).toMatchObject({ name: 'relay-main', kind: 'smtp', channels: ['email'], enabled: true, position: 0, managedBy: 'api', problems: [], health: { status: 'unknown', consecutiveFailures: 0 } });
    expect(created.secrets).toEqual({ password: { set: true, fromEnv: null } });
    expect(JSON.stringify(created)).not.toContain('inline-secret');

    const viewer = await t.userWithToken('viewer', 'vic');
    const listed = json<{ items: Provider[] }>(await ok('GET', '/api/v1/notification-providers', viewer));
    expect(listed.items.map((p) => p.name)).toEqual(['relay-main']);
    expect((await call('POST', '/api/v1/notification-providers', viewer, { name: 'x', kind: 'smtp', settings: { url: live.url, from: 'a@b.c' } })).statusCode).toBe(403);
    expect((await call('DELETE', '/api/v1/notification-providers/relay-main', viewer)).statusCode).toBe(403);

    const changed = json<Provider>(await ok('PATCH', '/api/v1/notification-providers/relay-main', admin, { position: 5, secrets: { password: { fromEnv: 'RELAY_PASSWORD' } } }));
    expect(changed).toMatchObject({ position: 5, secrets: { password: { set: true, fromEnv: 'RELAY_PASSWORD' } } });

    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').selectAll().where('target_type', '=', 'notification_provider').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['notification_provider.create', 'notification_provider.update']);
    expect(JSON.stringify(audit)).not.toContain('inline-secret');
    expect(JSON.stringify(audit)).not.toContain('s3cret-from-env');

    expect((await ok('DELETE', '/api/v1/notification-providers/relay-main', admin)).statusCode).toBe(204);
    expect(json<{ items: Provider[] }>(await ok('GET', '/api/v1/notification-providers', admin)).items).toEqual([]);
    expect((await call('GET', '/api/v1/notification-providers/relay-main', admin)).statusCode).toBe(404);
  });

  it('refuses bad input naming the field: unknown kind, unknown or misplaced settings, unknown secrets, duplicate names', async () => {
    const problems = async (body: Record<string, unknown>) => {
      const res = await call('POST', '/api/v1/notification-providers', admin, body);
      expect(res.statusCode, res.body).toBe(400);
      return json<{ code: string; details: { issues: Array<{ path: string; message: string }> } }>(res);
    };
    const base = { name: 'relay', kind: 'smtp', settings: { url: live.url, from: 'fb@example.com' } };
    expect((await problems({ ...base, kind: 'pigeon' })).details.issues[0]!.path).toBe('body.kind');
    expect((await problems({ ...base, settings: { ...base.settings, port: 25 } })).details.issues[0]).toMatchObject({ path: 'body.settings.port', message: expect.stringContaining('is not a setting of smtp providers') });
    expect((await problems({ ...base, settings: { ...base.settings, password: 'x' } })).details.issues[0]).toMatchObject({ path: 'body.settings.password', message: expect.stringContaining('is a secret') });
    expect((await problems({ ...base, settings: { url: 'http://relay.example.com', from: 'fb@example.com' } })).details.issues[0]!.path).toBe('body.settings.url');
    expect((await problems({ ...base, secrets: { token: 'x' } })).details.issues[0]).toMatchObject({ path: 'body.secrets.token' });
    expect((await problems({ ...base, secrets: { password: { fromEnv: 'lower-case' } } })).details.issues[0]!.path).toMatch(/^body\.secrets\.password/);
    await create(base);
    const twin = await call('POST', '/api/v1/notification-providers', admin, base);
    expect(twin.statusCode).toBe(409);
    expect(json<{ code: string }>(twin).code).toBe('CONFLICT');
  });

  it('names a provider whose secret’s environment variable is unset, in the provider and as a /readyz warning, without failing readiness', async () => {
    const provider = await create({ name: 'relay-env', kind: 'smtp', settings: { url: live.url, from: 'fb@example.com', username: 'fb' }, secrets: { password: { fromEnv: 'NOT_SET_ANYWHERE' } } });
    expect(provider.problems).toEqual(['secret `password` comes from environment variable NOT_SET_ANYWHERE, which is not set']);
    expect(provider.secrets.password).toEqual({ set: false, fromEnv: 'NOT_SET_ANYWHERE' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    const body = json<{ warnings: string[] }>(ready);
    expect(body.warnings).toContain('provider relay-env (smtp) cannot deliver: secret `password` comes from environment variable NOT_SET_ANYWHERE, which is not set');
    // A channel people rely on with nothing to deliver it is named too.
    const ana = await t.userWithToken('responder', 'ana');
    const sms = json<ContactMethod>(await ok('POST', '/api/v1/me/contact-methods', ana, { type: 'sms', address: '+14155550100' }));
    await t.firebreak.services.database.db.updateTable('contact_methods').set({ verified_at: t.clock.now() }).where('id', '=', sms.id).execute();
    const again = json<{ warnings: string[] }>(await t.app.inject({ method: 'GET', url: '/readyz' }));
    expect(again.warnings).toContain('sms: people have verified sms contact methods but no provider can deliver to them');
  });

  it('sends a test through one provider alone and reports what the relay answered', async () => {
    await create({ name: 'relay-live', kind: 'smtp', settings: { url: live.url, from: 'fb@example.com' } });
    await create({ name: 'relay-down', kind: 'smtp', settings: { url: deadUrl, from: 'fb@example.com' } });
    const good = json<{ ok: boolean; error: string | null }>(await ok('POST', '/api/v1/notification-providers/relay-live/test', admin, { to: 'ops@example.com' }));
    expect(good).toMatchObject({ ok: true, error: null });
    expect(live.messages.map((m) => [m.envelope.to, m.subject])).toEqual([[['ops@example.com'], 'Firebreak test notification']]);
    const bad = json<{ ok: boolean; error: string | null }>(await ok('POST', '/api/v1/notification-providers/relay-down/test', admin, { to: 'ops@example.com' }));
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/ECONNREFUSED|connect/i);
    const wrongAddress = await call('POST', '/api/v1/notification-providers/relay-live/test', admin, { to: 'not-an-email' });
    expect(wrongAddress.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(wrongAddress).details.issues[0]!.path).toBe('body.to');
  });

  it('fails over to the next provider when the first relay is down, says so on the timeline, and moves an unhealthy relay behind the healthy one', async () => {
    await create({ name: 'relay-down', kind: 'smtp', position: 0, settings: { url: deadUrl, from: 'fb@example.com' } });
    await create({ name: 'relay-live', kind: 'smtp', position: 1, settings: { url: live.url, from: 'fb@example.com' } });
    // Verification codes (two) and the page below all reach the live relay through failover.
    const scene = await setUpPagingScene(t, live);
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', scene.admin, { service: 'checkout', title: 'Checkout down', severity: 'critical' })).alert;
    await run();
    expect(live.messages.filter((m) => m.headers['x-firebreak-kind'] === 'page').map((m) => m.envelope.to)).toEqual([['ana@example.com']]);
    const entries = await timeline(alert);
    const delivered = entries.find((e) => e.startsWith('Email to ana@example.com delivered'));
    expect(delivered ?? entries.join('\n')).toMatch(/^Email to ana@example\.com delivered via relay-live after relay-down failed \(.*(ECONNREFUSED|connect).*\) \(attempt 1/);
    const row = await t.firebreak.services.database.db.selectFrom('page_notifications').select(['provider', 'status']).where('alert_id', '=', alert.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ provider: 'relay-live', status: 'sent' });

    // Three failures in a row (two verification codes and the page): relay-down is unhealthy and tried last.
    const down = json<Provider>(await ok('GET', '/api/v1/notification-providers/relay-down', admin));
    expect(down.health).toMatchObject({ status: 'unhealthy', consecutiveFailures: 3, lastError: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(json<Provider>(await ok('GET', '/api/v1/notification-providers/relay-live', admin)).health).toMatchObject({ status: 'healthy', consecutiveFailures: 0 });
    const result = await t.firebreak.services.channels.email!.send({ to: { type: 'email', email: 'ops@example.com' }, subject: 'Firebreak test notification', text: 'x', kind: 'test' });
    expect(result.attempts?.map((a) => [a.provider, a.ok])).toEqual([['relay-live', true]]);
  });

  it('pages a person’s next contact method at once when a page to them fails, instead of after its delay', async () => {
    await create({ name: 'relay-live', kind: 'smtp', settings: { url: live.url, from: 'fb@example.com' } });
    const scene = await setUpPagingScene(t, live);
    await addVerifiedEmail(t, live, scene.ana, 'ana.backup@example.com');
    const methods = json<{ items: ContactMethod[] }>(await ok('GET', '/api/v1/me/contact-methods', scene.ana)).items;
    const primary = methods.find((m) => m.address === 'ana@example.com')!;
    const backup = methods.find((m) => m.address === 'ana.backup@example.com')!;
    await ok('PUT', '/api/v1/me/notification-rules', scene.ana, { high: [{ delayMinutes: 0, contactMethodId: primary.id }, { delayMinutes: 5, contactMethodId: backup.id }], low: [] });
    // The relay now refuses ana's primary mailbox for good (550), as after a mailbox is deleted.
    live.clear();
    live.refuse.add('ana@example.com');
    const alert = json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', scene.admin, { service: 'checkout', title: 'Checkout down', severity: 'critical' })).alert;
    await run();
    await run();
    expect(live.messages.filter((m) => m.headers['x-firebreak-kind'] === 'page').map((m) => m.envelope.to)).toEqual([['ana.backup@example.com']]);
    const entries = await timeline(alert);
    expect(entries).toEqual(expect.arrayContaining([expect.stringMatching(/^Email to ana@example\.com failed: /), "Failover: Email to ana@example.com failed, so @ana's email (ana.backup@example.com) is tried now instead of in 5 min", expect.stringMatching(/^Email to ana\.backup@example\.com delivered/)]));
  });
});
