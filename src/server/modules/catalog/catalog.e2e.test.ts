import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';

// The same suite on SQLite and PostgreSQL: the repositories' contract is checked through the API.
for (const dialect of dialectCases()) describe(`teams, users and the audit log over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let admin: { token: string; handle: string };

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open() });
    admin = await t.userWithToken('admin', 'root-admin');
  });
  afterEach(async () => t.close());

  const as = (token: string) => bearer(token);

  it('creates a team, adds a member as team admin, and lists it with its members', async () => {
    const member = await t.userWithToken('responder', 'bo');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle: 'platform', name: 'Platform' } });
    expect(created.statusCode).toBe(201);
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/teams/platform/members/bo', headers: as(admin.token), payload: { role: 'admin' } });
    expect(put.statusCode).toBe(200);
    expect(json<{ members: unknown[] }>(put).members).toEqual([{ userId: member.userId, handle: 'bo', name: 'Test bo', role: 'admin' }]);
    const user = json<{ teams: Array<{ handle: string; role: string }> }>(await t.app.inject({ url: '/api/v1/users/bo', headers: as(member.token) }));
    expect(user.teams).toEqual([expect.objectContaining({ handle: 'platform', role: 'admin' })]);
  });

  it('lets a team admin manage their own team but not another one', async () => {
    const lead = await t.userWithToken('responder', 'lead');
    for (const handle of ['platform', 'payments']) await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle, name: handle } });
    await t.app.inject({ method: 'PUT', url: '/api/v1/teams/platform/members/lead', headers: as(admin.token), payload: { role: 'admin' } });
    const own = await t.app.inject({ method: 'PATCH', url: '/api/v1/teams/platform', headers: as(lead.token), payload: { description: 'Runs the platform' } });
    expect(own.statusCode).toBe(200);
    const other = await t.app.inject({ method: 'PATCH', url: '/api/v1/teams/payments', headers: as(lead.token), payload: { description: 'x' } });
    expect(other.statusCode).toBe(403);
    const create = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(lead.token), payload: { handle: 'x', name: 'x' } });
    expect(create.statusCode).toBe(403);
  });

  it('rejects a duplicate handle with CONFLICT naming the field', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle: 'platform', name: 'Platform' } });
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle: 'platform', name: 'Again' } });
    expect(dup.statusCode).toBe(409);
    expect(json(dup)).toMatchObject({ code: 'CONFLICT', details: { field: 'handle' } });
  });

  it('keeps a deactivated user’s history and hides them from the default list', async () => {
    await t.userWithToken('responder', 'cy');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users/cy/deactivate', headers: as(admin.token) });
    expect(json<{ deactivatedAt: string | null }>(res).deactivatedAt).not.toBeNull();
    const active = json<{ items: Array<{ handle: string }> }>(await t.app.inject({ url: '/api/v1/users', headers: as(admin.token) }));
    expect(active.items.map((u) => u.handle)).not.toContain('cy');
    const all = json<{ items: Array<{ handle: string }> }>(await t.app.inject({ url: '/api/v1/users?includeDeactivated=true', headers: as(admin.token) }));
    expect(all.items.map((u) => u.handle)).toContain('cy');
    expect((await t.app.inject({ url: '/api/v1/users/cy', headers: as(admin.token) })).statusCode).toBe(200);
  });

  it('refuses to demote or deactivate the last owner', async () => {
    const owner = await t.userWithToken('owner', 'solo');
    const demote = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/solo', headers: as(owner.token), payload: { role: 'admin' } });
    expect(demote.statusCode).toBe(422);
    expect(json(demote).code).toBe('RULE_VIOLATION');
    const deactivate = await t.app.inject({ method: 'POST', url: '/api/v1/users/solo/deactivate', headers: as(owner.token) });
    expect(deactivate.statusCode).toBe(422);
  });

  it('does not let an admin create or change an owner', async () => {
    await t.userWithToken('owner', 'boss');
    const create = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: as(admin.token), payload: { handle: 'o2', name: 'O', email: 'o2@example.test', timeZone: 'UTC', role: 'owner' } });
    expect(create.statusCode).toBe(403);
    const change = await t.app.inject({ method: 'PATCH', url: '/api/v1/users/boss', headers: as(admin.token), payload: { name: 'Renamed' } });
    expect(change.statusCode).toBe(403);
  });

  it('records every change in the audit log with actor, before and after', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle: 'platform', name: 'Platform' } });
    await t.app.inject({ method: 'PATCH', url: '/api/v1/teams/platform', headers: as(admin.token), payload: { name: 'Platform Eng' } });
    const page = json<{ items: Array<{ action: string; actor: { label: string }; before: { name: string } | null; after: { name: string } | null; requestId: string | null }> }>(
      await t.app.inject({ url: '/api/v1/audit?targetType=team', headers: as(admin.token) }),
    );
    expect(page.items.map((e) => e.action)).toEqual(['team.update', 'team.create']);
    expect(page.items[0]).toMatchObject({ actor: { label: 'root-admin (API token)' }, before: { name: 'Platform' }, after: { name: 'Platform Eng' } });
    expect(page.items[0]?.requestId).toBeTruthy();
  });

  it('pages through the audit log with nextBefore', async () => {
    for (let i = 0; i < 5; i++) await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: as(admin.token), payload: { handle: `t${i}`, name: `T${i}` } });
    const first = json<{ items: Array<{ id: string }>; nextBefore: string }>(await t.app.inject({ url: '/api/v1/audit?limit=3&action=team.create', headers: as(admin.token) }));
    expect(first.items).toHaveLength(3);
    const second = json<{ items: Array<{ id: string }>; nextBefore: string | null }>(await t.app.inject({ url: `/api/v1/audit?limit=3&action=team.create&before=${first.nextBefore}`, headers: as(admin.token) }));
    expect(second.items).toHaveLength(2);
    expect(second.nextBefore).toBeNull();
  });
});

describe('bad input gets a clear answer', () => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await buildTestApp({ env: { FIREBREAK_BODY_LIMIT_BYTES: '4096' } });
    token = (await t.userWithToken('owner')).token;
  });
  afterEach(async () => t.close());

  it('names the missing field and every other problem', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(token), payload: { handle: 'Bad Handle', email: 'nope', timeZone: 'Mars/Olympus' } });
    expect(res.statusCode).toBe(400);
    const body = json<{ code: string; message: string; details: { issues: Array<{ path: string }> }; errorId: string }>(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.issues.map((i) => i.path).sort()).toEqual(['body.email', 'body.handle', 'body.name', 'body.timeZone']);
    expect(body.errorId).toBeTruthy();
  });

  it('rejects unknown fields rather than ignoring them', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: bearer(token), payload: { handle: 'a', name: 'A', colour: 'red' } });
    expect(res.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues[0]?.message).toMatch(/colour/);
  });

  it('answers malformed JSON with 400 MALFORMED_REQUEST', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"handle":' });
    expect(res.statusCode).toBe(400);
    expect(json(res).code).toBe('MALFORMED_REQUEST');
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/teams', headers: bearer(token), payload: { handle: 'a', name: 'x'.repeat(10_000) } });
    expect(res.statusCode).toBe(413);
    expect(json(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown ids and routes with 404', async () => {
    expect(json(await t.app.inject({ url: '/api/v1/teams/nope', headers: bearer(token) })).code).toBe('NOT_FOUND');
    expect(json(await t.app.inject({ url: '/api/v1/nothing-here', headers: bearer(token) })).code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers a missing or wrong token with 401 and no hint which', async () => {
    const none = await t.app.inject({ url: '/api/v1/teams' });
    const wrong = await t.app.inject({ url: '/api/v1/teams', headers: bearer('fbk_wrong') });
    expect(none.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
  });
});
