import * as OTPAuth from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';

const owner = { handle: 'ana', name: 'Ana Lima', email: 'ana@example.test', timeZone: 'Europe/Lisbon', password: 'correct horse battery' };

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const raw = response.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return String(first).split(';')[0] as string;
}

describe('first-run setup, login, sessions and API tokens', () => {
  let t: TestApp;
  let setupToken: string;

  beforeEach(async () => {
    t = await buildTestApp();
    setupToken = (await t.firebreak.services.auth.issueSetupToken()) as string;
  });
  afterEach(async () => t.close());

  async function setUp() {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token: setupToken, ...owner } });
    expect(res.statusCode).toBe(201);
    return { cookie: cookieOf(res), csrf: json<{ csrfToken: string }>(res).csrfToken };
  }

  it('reports that setup is required on an empty database, and not afterwards', async () => {
    expect(json(await t.app.inject({ url: '/api/v1/setup' }))).toEqual({ required: true });
    await setUp();
    expect(json(await t.app.inject({ url: '/api/v1/setup' }))).toEqual({ required: false });
  });

  it('creates the first owner only with the one-time token, and only once', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...owner, token: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    const { cookie } = await setUp();
    const session = json<{ user: { role: string; handle: string } }>(await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } }));
    expect(session.user).toMatchObject({ role: 'owner', handle: 'ana' });
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...owner, token: setupToken, handle: 'bob', email: 'bob@example.test' } });
    expect(again.statusCode).toBe(409);
    expect(json(again).code).toBe('SETUP_COMPLETED');
  });

  it('answers a wrong password and an unknown email identically', async () => {
    await setUp();
    const a = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: owner.email, password: 'wrong password!' } });
    const b = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@example.test', password: 'wrong password!' } });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(json(a).message).toBe(json(b).message);
    expect(json(a).code).toBe('UNAUTHENTICATED');
  });

  it('refuses cookie-authenticated changes without the CSRF token', async () => {
    const { cookie, csrf } = await setUp();
    const body = { handle: 'platform', name: 'Platform' };
    const without = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: { cookie }, payload: body });
    expect(without.statusCode).toBe(403);
    expect(json(without).code).toBe('CSRF_FAILED');
    const withToken = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    expect(withToken.statusCode).toBe(201);
  });

  it('ends the session on logout', async () => {
    const { cookie } = await setUp();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('expires sessions after the configured lifetime', async () => {
    const { cookie } = await setUp();
    t.clock.advance(t.config.sessionHours * 3600_000 + 1);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('requires a TOTP code at login once two-factor is enabled', async () => {
    const { cookie, csrf } = await setUp();
    const headers = { cookie, 'x-csrf-token': csrf };
    const { secret } = json<{ secret: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers }));
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    const code = () => totp.generate({ timestamp: t.clock.now() });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enable', headers, payload: { code: '000000' === code() ? '111111' : '000000' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enable', headers, payload: { code: code() } })).statusCode).toBe(204);

    const noCode = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: owner.email, password: owner.password } });
    expect(noCode.statusCode).toBe(401);
    expect(json(noCode).code).toBe('MFA_REQUIRED');
    const withCode = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: owner.email, password: owner.password, totpCode: code() } });
    expect(withCode.statusCode).toBe(200);
    expect(json<{ user: { totpEnabled: boolean } }>(withCode).user.totpEnabled).toBe(true);
  });

  it('stores the TOTP secret encrypted, never in plain text', async () => {
    const { cookie, csrf } = await setUp();
    const { secret } = json<{ secret: string }>(await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers: { cookie, 'x-csrf-token': csrf } }));
    const row = await t.firebreak.services.database.db.selectFrom('users').select('totp_secret').executeTakeFirstOrThrow();
    expect(row.totp_secret).not.toContain(secret);
    expect(row.totp_secret?.startsWith('v1.')).toBe(true);
  });

  it('shows an API token once, stores only its hash, records last use, and stops it when revoked', async () => {
    const { cookie, csrf } = await setUp();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'ci', role: 'responder' } });
    expect(created.statusCode).toBe(201);
    const { token, secret } = json<{ token: { id: string }; secret: string }>(created);
    expect(secret.startsWith('fbk_')).toBe(true);
    const stored = await t.firebreak.services.database.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret);

    const me = await t.app.inject({ url: '/api/v1/auth/session', headers: bearer(secret) });
    expect(json<{ authenticatedBy: string; tokenScope: { role: string } }>(me)).toMatchObject({ authenticatedBy: 'token', tokenScope: { role: 'responder' } });
    const list = json<{ items: Array<{ lastUsedAt: string | null }> }>(await t.app.inject({ url: '/api/v1/tokens', headers: { cookie } }));
    expect(list.items[0]?.lastUsedAt).not.toBeNull();

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: { cookie, 'x-csrf-token': csrf } })).statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/auth/session', headers: bearer(secret) });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a token carrying more than its creator’s role', async () => {
    const responder = await t.userWithToken('responder');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(responder.token), payload: { name: 'x', role: 'admin' } });
    expect(res.statusCode).toBe(403);
  });

  it('lowers a token’s power when its owner is demoted, and stops it when they are deactivated', async () => {
    const owner1 = await t.userWithToken('owner');
    const admin = await t.userWithToken('admin');
    const asOwner = bearer(owner1.token);
    expect((await t.app.inject({ url: '/api/v1/audit', headers: bearer(admin.token) })).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${admin.handle}`, headers: asOwner, payload: { role: 'viewer' } });
    expect((await t.app.inject({ url: '/api/v1/audit', headers: bearer(admin.token) })).statusCode).toBe(403);
    await t.app.inject({ method: 'POST', url: `/api/v1/users/${admin.handle}/deactivate`, headers: asOwner });
    expect((await t.app.inject({ url: '/api/v1/teams', headers: bearer(admin.token) })).statusCode).toBe(401);
  });

  it('limits login attempts per address and says when to retry', async () => {
    let last;
    for (let i = 0; i <= t.config.loginRateLimitPerMinute; i++) {
      last = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'x@example.test', password: 'whatever-123' } });
    }
    expect(last!.statusCode).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(last!).code).toBe('RATE_LIMITED');
  });
});
