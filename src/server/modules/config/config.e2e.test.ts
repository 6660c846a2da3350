import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { cli, type CliServer, scratchDir, type ScratchDir, serverWithToken } from '../../../../test/support/config-cli.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import { renderConfigYaml } from '../../../core/config/render.js';
import { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../audit/audit.repo.js';

const user = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'User',
  metadata: { name },
  spec: { name: `Person ${name}`, email: `${name}@example.test`, timeZone: 'Europe/Lisbon', role: 'responder', ...spec },
});
const team = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name }, spec: { name: `Team ${name}`, ...spec } });

/** The owner every test acts as; a document for them keeps --prune from deactivating them. */
const root = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'root' }, spec: { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' } };

const summaryOf = (plan: ConfigPlan) => plan.summary;
const actions = (plan: ConfigPlan) => plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`);

// The HTTP API on every dialect (PostgreSQL when the global setup found one): the transaction that
// makes apply all-or-nothing is the database's, so it is checked on both.
for (const dialect of dialectCases()) describe(`config-as-code over HTTP (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open() });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const post = (path: string, payload: unknown, as = token) => t.app.inject({ method: 'POST', url: path, headers: bearer(as), payload: payload as Record<string, unknown> });
  const plan = (documents: unknown[], prune = false) => post('/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => post('/api/v1/config/apply', { documents, prune });
  const auditCount = async () => Number((await t.firebreak.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const getUser = (handle: string) => t.app.inject({ url: `/api/v1/users/${handle}`, headers: bearer(token) });

  it('serves the JSON Schema of a document without credentials', async () => {
    const res = await t.app.inject({ url: '/api/config-schema.json' });
    expect(res.statusCode).toBe(200);
    const schema = json<{ $schema: string; oneOf: Array<{ properties: { kind: { const: string } } }> }>(res);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.oneOf.map((s) => s.properties.kind.const)).toEqual(['NotificationProvider', 'User', 'Team', 'Schedule', 'EscalationPolicy', 'Service', 'MaintenanceWindow', 'Silence', 'Severity', 'Playbook', 'IncidentRule', 'PostmortemTemplate', 'PostmortemPolicy', 'StatusPage', 'Component']);
  });

  it('refuses plan, apply and export to a responder', async () => {
    const responder = (await t.userWithToken('responder', 'resp')).token;
    expect((await post('/api/v1/config/plan', { documents: [] }, responder)).statusCode).toBe(403);
    expect((await post('/api/v1/config/apply', { documents: [] }, responder)).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/config/export', headers: bearer(responder) })).statusCode).toBe(403);
  });

  it('answers invalid documents with VALIDATION_FAILED naming every problem by document path', async () => {
    const res = await plan([user('ana'), team('platform', { colour: 'red' }), user('bob', { email: 'not-an-email' })]);
    expect(res.statusCode).toBe(400);
    const body = json<{ code: string; details: { issues: Array<{ path: string; message: string }> } }>(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.issues).toEqual(
      expect.arrayContaining([
        { path: 'body.documents.1.spec', message: 'Unrecognized key: "colour"' },
        { path: 'body.documents.2.spec.email', message: 'must be an email address' },
      ]),
    );
  });

  it('refuses a member who exists nowhere, and one who is deactivated, before changing anything', async () => {
    await t.userWithToken('responder', 'gone');
    await post('/api/v1/users/gone/deactivate', undefined);
    const before = await auditCount();
    const res = await apply([user('new'), team('platform', { members: [{ user: 'ghost' }, { user: 'gone' }] })]);
    expect(res.statusCode).toBe(400);
    expect(json<{ details: { issues: unknown[] } }>(res).details.issues).toEqual([
      { path: 'body.documents.1.spec.members.0.user', message: 'User `ghost` is not defined in these files and does not exist on the server' },
      { path: 'body.documents.1.spec.members.1.user', message: 'User `gone` is deactivated; add its User document to reactivate it' },
    ]);
    expect((await getUser('new')).statusCode).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('plans, applies, and finds nothing to change the second time, writing no audit entries', async () => {
    const documents = [team('platform', { description: 'Runs the platform', members: [{ user: 'ana', role: 'admin' }, { user: 'bob' }] }), user('ana', { role: 'admin' }), user('bob'), root];
    const planned = json<ConfigPlan>(await plan(documents));
    expect(actions(planned)).toEqual(['create User ana', 'create User bob', 'unchanged User root', 'create Team platform']);
    expect(summaryOf(planned)).toEqual({ create: 3, update: 0, delete: 0, unchanged: 1 });

    const first = await apply(documents);
    expect(first.statusCode).toBe(200);
    expect(json<ConfigApplyResult>(first)).toMatchObject({ applied: true, summary: { create: 3, update: 0, delete: 0, unchanged: 1 } });
    const platform = json<{ description: string; members: Array<{ handle: string; role: string }> }>(await t.app.inject({ url: '/api/v1/teams/platform', headers: bearer(token) }));
    expect(platform.description).toBe('Runs the platform');
    expect(platform.members.map((m) => `${m.handle}:${m.role}`)).toEqual(['ana:admin', 'bob:member']);

    const audited = await auditCount();
    const second = json<ConfigApplyResult>(await apply(documents));
    expect(second.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 4 });
    expect(await auditCount()).toBe(audited);
  });

  it('creates users without a password, so they cannot log in until one is set', async () => {
    await apply([user('ana')]);
    const row = await t.firebreak.services.catalog.requireUser(t.firebreak.services.database.db, 'ana');
    expect(row.password_hash).toBeNull();
  });

  it('applies an update as field changes, each audited as a config apply', async () => {
    await apply([user('ana'), team('platform', { members: [{ user: 'ana' }] })]);
    const planned = json<ConfigPlan>(await plan([user('ana', { timeZone: 'UTC' }), team('platform', { name: 'Platform', members: [{ user: 'ana', role: 'admin' }] })]));
    expect(planned.changes.filter((c) => c.action === 'update')).toEqual([
      { action: 'update', kind: 'User', name: 'ana', diff: [{ field: 'spec.timeZone', before: 'Europe/Lisbon', after: 'UTC' }] },
      {
        action: 'update',
        kind: 'Team',
        name: 'platform',
        diff: [
          { field: 'spec.name', before: 'Team platform', after: 'Platform' },
          { field: 'spec.members[ana].role', before: 'member', after: 'admin' },
        ],
      },
    ]);
    await apply([user('ana', { timeZone: 'UTC' }), team('platform', { name: 'Platform', members: [{ user: 'ana', role: 'admin' }] })]);
    const audit = json<{ items: Array<{ action: string; actor: { label: string } }> }>(await t.app.inject({ url: '/api/v1/audit?limit=3', headers: bearer(token) }));
    expect(audit.items.map((e) => e.action)).toEqual(['team.member.update', 'team.update', 'user.update']);
    expect(audit.items.every((e) => e.actor.label === 'root (API token), config apply')).toBe(true);
  });

  it('applies all or nothing: when the third change fails, the two before it are rolled back', async () => {
    const before = await auditCount();
    // Sorted by name: a-new and b-new are created, then demoting root fails (the last owner).
    const res = await apply([user('a-new'), user('b-new'), { ...root, spec: { ...root.spec, role: 'admin' } }]);
    expect(res.statusCode).toBe(422);
    expect(json(res)).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringMatching(/^Could not update User `root`: .*last active owner.*Nothing was applied\.$/) });
    expect((await getUser('a-new')).statusCode).toBe(404);
    expect((await getUser('b-new')).statusCode).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('leaves things in no document alone without prune, and lists them as not managed', async () => {
    await apply([user('ana'), user('bob')]);
    const planned = json<ConfigPlan>(await plan([user('ana'), root]));
    expect(planned.unmanaged).toEqual([{ kind: 'User', name: 'bob' }]);
    expect(summaryOf(planned).delete).toBe(0);
  });

  it('prunes by deactivating, teams before users, and a restored document reactivates', async () => {
    const all = [root, user('ana'), user('bob'), team('platform', { members: [{ user: 'bob' }] }), team('ops')];
    await apply(all);
    const pruned = json<ConfigApplyResult>(await apply([root, user('ana'), team('ops')], true));
    expect(actions(pruned)).toEqual(['unchanged User ana', 'unchanged User root', 'unchanged Team ops', 'delete Team platform', 'delete User bob']);
    expect(json<{ deactivatedAt: string | null }>(await getUser('bob')).deactivatedAt).not.toBeNull();
    const exported = json<{ documents: Array<{ kind: string; metadata: { name: string } }> }>(await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) }));
    expect(exported.documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['User/ana', 'User/root', 'Team/ops']);

    const restored = json<ConfigApplyResult>(await apply(all));
    expect(restored.changes.filter((c) => c.action === 'update').map((c) => [c.kind, c.name, c.diff[0]])).toEqual([
      ['User', 'bob', { field: 'status', before: 'deactivated', after: 'active' }],
      ['Team', 'platform', { field: 'status', before: 'deactivated', after: 'active' }],
    ]);
    expect(json<{ deactivatedAt: string | null }>(await getUser('bob')).deactivatedAt).toBeNull();
    expect(json<ConfigApplyResult>(await apply(all)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('refuses a prune that would deactivate the caller', async () => {
    const res = await plan([user('ana')], true);
    expect(res.statusCode).toBe(422);
    expect(json(res)).toMatchObject({ code: 'RULE_VIOLATION', message: expect.stringContaining('would deactivate you (`root`)') });
  });

  it('exports active users and teams in a stable order and form', async () => {
    const { catalog } = t.firebreak.services;
    await catalog.createTeam({ actor: systemActor('test'), principal: null }, { handle: 'zeta', name: 'Zeta', description: '' });
    await apply([root, user('bob'), user('ana'), team('alpha', { members: [{ user: 'bob' }, { user: 'ana', role: 'admin' }] })]);
    const exported = json<{ documents: unknown[] }>(await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) }));
    expect(exported.documents).toEqual([
      user('ana'),
      user('bob'),
      root,
      { apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name: 'alpha' }, spec: { name: 'Team alpha', members: [{ user: 'ana', role: 'admin' }, { user: 'bob', role: 'member' }] } },
      { apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name: 'zeta' }, spec: { name: 'Zeta' } },
    ]);
  });
});

// ---- on-call kinds and a person's contact methods, on every dialect

const anaMobile = { type: 'sms', address: '+351 912 345 678', label: 'Mobile' };
const ana = user('ana', {
  role: 'admin',
  contactMethods: [
    anaMobile,
    { type: 'email', address: 'Ana@Example.test', label: 'Work email' },
  ],
  notificationRules: { high: [{ afterMinutes: 5, contactMethod: 'Mobile' }, { afterMinutes: 0, contactMethod: 'Work email' }], low: [{ afterMinutes: 0, contactMethod: 'email:ana@example.test' }] },
});
const weekly = (participants: string[], extra: Record<string, unknown> = {}) => ({
  id: 'weekly',
  name: 'Weekly',
  participants,
  // Written with an offset; the server keeps the instant and exports it in UTC.
  start: '2026-11-02T09:00:00+00:00',
  handoffTime: '09:00',
  turn: { unit: 'weeks', count: 1 },
  ...extra,
});
const schedule = (name: string, layers: unknown[], spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'Schedule',
  metadata: { name },
  spec: { name: `Schedule ${name}`, team: 'platform', timeZone: 'Europe/Lisbon', layers, ...spec },
});
const policy = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'EscalationPolicy',
  metadata: { name },
  spec: {
    name: `Policy ${name}`,
    team: 'platform',
    levels: [
      { delayMinutes: 10, targets: [{ schedule: 'platform-primary' }] },
      { delayMinutes: 15, targets: [{ schedule: 'platform-secondary' }, { user: 'ana' }] },
    ],
    repeat: 1,
    fallback: { team: 'platform' },
    ...spec,
  },
});
const oncallDocuments = () => [
  root,
  ana,
  user('bob'),
  user('carol'),
  team('platform', { members: [{ user: 'ana', role: 'admin' }, { user: 'bob' }, { user: 'carol' }] }),
  schedule('platform-primary', [weekly(['ana', 'bob', 'carol'])]),
  schedule('platform-secondary', [weekly(['bob', 'carol', 'ana'], { restrictions: [{ kind: 'daily', start: '08:00', end: '20:00' }], shadows: ['carol'] })]),
  policy('platform'),
];

for (const dialect of dialectCases()) describe(`config-as-code for schedules, policies and contact methods (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    // The test app's clock: Monday 2026-11-02 10:00 UTC, so lints look at 2026-11-02 – 2027-01-31.
    t = await buildTestApp({ database: await dialect.open() });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const call = (app: TestApp, as: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.app.inject({ method, url, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const plan = (documents: unknown[], prune = false) => call(t, token, 'POST', '/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => call(t, token, 'POST', '/api/v1/config/apply', { documents, prune });
  const exportDocs = async (app = t, as = token) => json<{ documents: ConfigDocument[] }>(await call(app, as, 'GET', '/api/v1/config/export')).documents;
  const auditCount = async () => Number((await t.firebreak.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const issuesOf = async (res: Awaited<ReturnType<typeof plan>>) => {
    expect(res.statusCode, res.body).toBe(400);
    return json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues;
  };
  /** As if the person had entered the code sent to the method: verification is never config. */
  const markVerified = (type: string) =>
    t.firebreak.services.database.db
      .updateTable('contact_methods')
      .set({ verified_at: t.clock.now() })
      .where('type', '=', type)
      .where('user_id', '=', (eb) => eb.selectFrom('users').select('id').where('handle', '=', 'ana'))
      .execute();

  it('applies users with contact methods and rules, a team, schedules and a policy in kind order, and finds nothing to change the second time', async () => {
    const planned = json<ConfigPlan>(await plan(oncallDocuments()));
    expect(actions(planned)).toEqual([
      'create User ana',
      'create User bob',
      'create User carol',
      'unchanged User root',
      'create Team platform',
      'create Schedule platform-primary',
      'create Schedule platform-secondary',
      'create EscalationPolicy platform',
    ]);
    const first = await apply(oncallDocuments());
    expect(first.statusCode, first.body).toBe(200);

    const ids = Object.fromEntries(
      await Promise.all(['ana', 'bob', 'carol'].map(async (h) => [json<{ id: string }>(await call(t, token, 'GET', `/api/v1/users/${h}`)).id, h] as const)),
    );
    const primary = json<{ teamId: string | null; layers: Array<{ participants: string[]; start: string }> }>(await call(t, token, 'GET', '/api/v1/schedules/platform-primary'));
    expect(primary.layers.map((l) => ({ participants: l.participants.map((id) => ids[id]), start: l.start }))).toEqual([{ participants: ['ana', 'bob', 'carol'], start: '2026-11-02T09:00:00.000Z' }]);
    expect(primary.teamId).not.toBeNull();
    const escalation = json<{ levels: Array<{ delayMinutes: number; targets: Array<{ type: string; handle: string }> }>; repeat: number; fallback: { handle: string } }>(
      await call(t, token, 'GET', '/api/v1/escalation-policies/platform'),
    );
    expect(escalation.levels.map((l) => `${l.delayMinutes}: ${l.targets.map((x) => `${x.type} ${x.handle}`).join(', ')}`)).toEqual(['10: schedule platform-primary', '15: schedule platform-secondary, user ana']);
    expect([escalation.repeat, escalation.fallback.handle]).toEqual([1, 'platform']);

    const methods = json<{ items: Array<{ type: string; address: string; label: string; verified: boolean }> }>(await call(t, token, 'GET', '/api/v1/users/ana/contact-methods')).items;
    expect(methods.map((m) => `${m.type} ${m.address} “${m.label}” ${m.verified ? 'verified' : 'unverified'}`).sort()).toEqual([
      'email ana@example.test “Work email” unverified',
      'sms +351912345678 “Mobile” unverified',
    ]);
    const rules = json<{ high: Array<{ delayMinutes: number; contactMethod: { type: string } }>; low: Array<{ delayMinutes: number; contactMethod: { type: string } }> }>(
      await call(t, token, 'GET', '/api/v1/users/ana/notification-rules'),
    );
    expect([...rules.high, ...rules.low].map((r) => `${r.delayMinutes} ${r.contactMethod.type}`)).toEqual(['0 email', '5 sms', '0 email']);

    const audited = await auditCount();
    const second = json<ConfigApplyResult>(await apply(oncallDocuments()));
    expect(second.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 8 });
    expect(await auditCount()).toBe(audited);
    expect(json<{ items: unknown[] }>(await call(t, token, 'GET', '/api/v1/users/ana/contact-methods')).items).toHaveLength(2);
  });

  it('exports the new kinds canonically, and export → apply on an empty instance → export is byte-identical', async () => {
    await apply(oncallDocuments());
    const exported = await exportDocs();
    expect(exported.filter((d) => d.metadata.name === 'ana' || d.kind === 'Schedule' || d.kind === 'EscalationPolicy')).toEqual([
      {
        apiVersion: 'firebreak/v1',
        kind: 'User',
        metadata: { name: 'ana' },
        spec: {
          name: 'Person ana',
          email: 'ana@example.test',
          timeZone: 'Europe/Lisbon',
          role: 'admin',
          contactMethods: [
            { type: 'email', address: 'ana@example.test', label: 'Work email' },
            { type: 'sms', address: '+351912345678', label: 'Mobile' },
          ],
          notificationRules: {
            high: [
              { afterMinutes: 0, contactMethod: 'email:ana@example.test' },
              { afterMinutes: 5, contactMethod: 'sms:+351912345678' },
            ],
            low: [{ afterMinutes: 0, contactMethod: 'email:ana@example.test' }],
          },
        },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'Schedule',
        metadata: { name: 'platform-primary' },
        spec: {
          name: 'Schedule platform-primary',
          team: 'platform',
          timeZone: 'Europe/Lisbon',
          layers: [{ id: 'weekly', name: 'Weekly', participants: ['ana', 'bob', 'carol'], start: '2026-11-02T09:00:00Z', handoffTime: '09:00', turn: { unit: 'weeks', count: 1 }, advance: 'calendar' }],
        },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'Schedule',
        metadata: { name: 'platform-secondary' },
        spec: {
          name: 'Schedule platform-secondary',
          team: 'platform',
          timeZone: 'Europe/Lisbon',
          layers: [
            {
              id: 'weekly',
              name: 'Weekly',
              participants: ['bob', 'carol', 'ana'],
              start: '2026-11-02T09:00:00Z',
              handoffTime: '09:00',
              turn: { unit: 'weeks', count: 1 },
              restrictions: [{ kind: 'daily', start: '08:00', end: '20:00' }],
              advance: 'calendar',
              shadows: ['carol'],
            },
          ],
        },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'EscalationPolicy',
        metadata: { name: 'platform' },
        spec: {
          name: 'Policy platform',
          team: 'platform',
          levels: [
            { delayMinutes: 10, targets: [{ schedule: 'platform-primary' }] },
            { delayMinutes: 15, targets: [{ schedule: 'platform-secondary' }, { user: 'ana' }] },
          ],
          repeat: 1,
          fallback: { team: 'platform' },
          skipEmptyLevels: true,
        },
      },
    ]);

    const yaml = renderConfigYaml(exported);
    const empty = await buildTestApp({ database: await dialect.open() });
    try {
      const other = (await empty.userWithToken('owner', 'root')).token;
      const applied = await call(empty, other, 'POST', '/api/v1/config/apply', { documents: exported });
      expect(applied.statusCode, applied.body).toBe(200);
      expect(renderConfigYaml(await exportDocs(empty, other))).toBe(yaml);
    } finally {
      await empty.close();
    }
  });

  it('warns of unverified methods, people who cannot be paged, small rotations, gaps and the same person primary and secondary, without stopping apply', async () => {
    const documents = [
      ...oncallDocuments().filter((d) => d.kind !== 'Schedule'),
      schedule('platform-primary', [weekly(['ana', 'bob', 'carol'])]),
      // bob is second on both: on call in both from 2026-11-09 09:00 for a week.
      schedule('platform-secondary', [weekly(['carol', 'bob'], { end: '2026-11-23T09:00:00Z' })]),
    ];
    const planned = json<ConfigPlan>(await plan(documents));
    const warnings = planned.warnings.map((w) => `${w.code} ${w.kind}/${w.name} ${w.path}: ${w.message}`);
    expect(warnings).toEqual([
      'NO_VERIFIED_CONTACT_METHOD Schedule/platform-primary spec.layers.0.participants.0: `ana` is on schedule `platform-primary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'NO_VERIFIED_CONTACT_METHOD Schedule/platform-primary spec.layers.0.participants.1: `bob` is on schedule `platform-primary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'NO_VERIFIED_CONTACT_METHOD Schedule/platform-primary spec.layers.0.participants.2: `carol` is on schedule `platform-primary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'ROTATION_TOO_SMALL Schedule/platform-secondary spec.layers.0.participants: Layer `Weekly` of schedule `platform-secondary` rotates between only 2 people (carol, bob); with fewer than 3 each is on call at least half the time',
      'NO_VERIFIED_CONTACT_METHOD Schedule/platform-secondary spec.layers.0.participants.0: `carol` is on schedule `platform-secondary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'NO_VERIFIED_CONTACT_METHOD Schedule/platform-secondary spec.layers.0.participants.1: `bob` is on schedule `platform-secondary` but has no verified high-urgency contact method, so a page to them cannot be delivered',
      'SCHEDULE_GAP Schedule/platform-secondary spec.layers: Schedule `platform-secondary` has no one on call 2026-11-23 09:00 – 2027-01-31 10:00 Europe/Lisbon',
      'SAME_PERSON_PRIMARY_AND_SECONDARY EscalationPolicy/platform spec.levels.1.targets.0.schedule: `bob` is on call in both schedule `platform-primary` and schedule `platform-secondary` 2026-11-09 09:00 – 2026-11-16 09:00 Europe/Lisbon, so escalating to the secondary pages the same person',
      'SAME_PERSON_PRIMARY_AND_SECONDARY EscalationPolicy/platform spec.levels.1.targets.0.schedule: `carol` is on call in both schedule `platform-primary` and schedule `platform-secondary` 2026-11-16 09:00 – 2026-11-23 09:00 Europe/Lisbon, so escalating to the secondary pages the same person',
      'CONTACT_METHOD_UNVERIFIED User/ana spec.contactMethods.0.address: `ana`’s sms method +351912345678 (“Mobile”) will be added unverified: it receives no pages until ana verifies it (Settings → Contact methods)',
      'CONTACT_METHOD_UNVERIFIED User/ana spec.contactMethods.1.address: `ana`’s email method ana@example.test (“Work email”) will be added unverified: it receives no pages until ana verifies it (Settings → Contact methods)',
    ]);
    const gap = planned.warnings.find((w) => w.code === 'SCHEDULE_GAP');
    expect(gap && [gap.intervals, gap.localIntervals]).toEqual([[{ start: '2026-11-23T09:00:00.000Z', end: '2027-01-31T10:00:00.000Z' }], ['2026-11-23 09:00 – 2027-01-31 10:00 Europe/Lisbon']]);

    const applied = json<ConfigApplyResult>(await apply(documents));
    expect(applied).toMatchObject({ applied: true, warnings: planned.warnings });

    // Ana verifies her email: her first high-urgency rule can now reach her; the sms is still unverified.
    await markVerified('email');
    const relabelled = documents.map((d) =>
      d === ana
        ? user('ana', {
            role: 'admin',
            contactMethods: [anaMobile, { type: 'email', address: 'ana@example.test', label: 'Email' }],
            notificationRules: { high: [{ afterMinutes: 0, contactMethod: 'email:ana@example.test' }, { afterMinutes: 5, contactMethod: 'Mobile' }], low: [{ afterMinutes: 0, contactMethod: 'Email' }] },
          })
        : d,
    );
    const againRes = await plan(relabelled);
    expect(againRes.statusCode, againRes.body).toBe(200);
    const again = json<ConfigPlan>(againRes);
    expect(again.warnings.filter((w) => w.message.includes('ana')).map((w) => `${w.code} ${w.path}`)).toEqual(['CONTACT_METHOD_UNVERIFIED spec.contactMethods.0.address']);
    expect(again.changes.filter((c) => c.action !== 'unchanged')).toEqual([
      { action: 'update', kind: 'User', name: 'ana', diff: [{ field: 'spec.contactMethods[email:ana@example.test].label', before: 'Work email', after: 'Email' }] },
    ]);
    // Applying again renames the method in place: it stays verified, and no method is added.
    await apply(relabelled);
    const methods = json<{ items: Array<{ type: string; label: string; verified: boolean }> }>(await call(t, token, 'GET', '/api/v1/users/ana/contact-methods')).items;
    expect(methods.map((m) => `${m.type} “${m.label}” ${m.verified ? 'verified' : 'unverified'}`).sort()).toEqual(['email “Email” verified', 'sms “Mobile” unverified']);
  });

  it('leaves a person’s contact methods and rules alone when the document leaves them out, and removes them when it lists none', async () => {
    await apply(oncallDocuments());
    const plain = oncallDocuments().map((d) => (d === ana ? user('ana', { role: 'admin' }) : d));
    expect(json<ConfigPlan>(await plan(plain)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const none = oncallDocuments().map((d) => (d === ana ? user('ana', { role: 'admin', contactMethods: [], notificationRules: { high: [], low: [] } }) : d));
    const cleared = json<ConfigApplyResult>(await apply(none));
    expect(cleared.changes.find((c) => c.name === 'ana')?.diff.map((d) => d.field)).toEqual([
      'spec.notificationRules.high',
      'spec.notificationRules.low',
      'spec.contactMethods[email:ana@example.test].label',
      'spec.contactMethods[sms:+351912345678].label',
    ]);
    expect(json<{ items: unknown[] }>(await call(t, token, 'GET', '/api/v1/users/ana/contact-methods')).items).toEqual([]);
    expect(json<ConfigPlan>(await plan(none)).summary).toMatchObject({ update: 0 });
  });

  it('answers bad schedule and policy input with 400 naming the field, before changing anything', async () => {
    const before = await auditCount();
    const bad = [
      root,
      user('ana'),
      team('platform'),
      schedule('zone', [weekly(['ana'])], { timeZone: 'Mars/Olympus' }),
      schedule('empty', [weekly([])]),
      schedule('turn', [weekly(['ana'], { turn: { unit: 'days', count: 0 } })]),
      schedule('never', [weekly(['ana'], { restrictions: [{ kind: 'weekly', startDay: 1, start: '09:00', endDay: 1, end: '09:00' }] })]),
      schedule('ends', [weekly(['ana'], { end: '2026-11-01T00:00:00Z' })]),
      schedule('ghost', [weekly(['ana', 'ghost'])]),
      policy('lost', { levels: [{ delayMinutes: 5, targets: [{ schedule: 'nowhere' }] }], fallback: { user: 'nobody' } }),
    ];
    expect(await issuesOf(await apply(bad))).toEqual([
      { path: 'body.documents.3.spec.timeZone', message: 'must be an IANA time zone such as Europe/Lisbon or America/New_York' },
      { path: 'body.documents.4.spec.layers.0.participants', message: 'a rotation needs at least one participant' },
      { path: 'body.documents.5.spec.layers.0.turn.count', message: 'must be at least 1' },
    ]);
    // Past the schema, the engine's rules and the references are checked, each at its field.
    expect(await issuesOf(await apply([...bad.slice(0, 3), ...bad.slice(6)]))).toEqual([
      { path: 'body.documents.3.spec.layers.0.restrictions.0', message: 'never matches: it starts and ends at the same moment of the week (zero length); to be on duty all week, remove the restriction' },
      { path: 'body.documents.4.spec.layers.0.end', message: 'must be after start' },
      { path: 'body.documents.5.spec.layers.0.participants.1', message: 'User `ghost` is not defined in these files and does not exist on the server' },
      { path: 'body.documents.6.spec.levels.0.targets.0.schedule', message: 'Schedule `nowhere` is not defined in these files and does not exist on the server' },
      { path: 'body.documents.6.spec.fallback.user', message: 'User `nobody` is not defined in these files and does not exist on the server' },
    ]);
    expect(await auditCount()).toBe(before);
    expect((await call(t, token, 'GET', '/api/v1/users/ana')).statusCode).toBe(404);
  });

  it('prunes a policy before the schedule it targets, and takes a schedule out of its team when the document names none', async () => {
    await apply(oncallDocuments());
    const withoutOncall = oncallDocuments().filter((d) => d.kind !== 'Schedule' && d.kind !== 'EscalationPolicy');
    const unmanaged = json<ConfigPlan>(await plan(withoutOncall)).unmanaged;
    expect(unmanaged).toEqual([
      { kind: 'Schedule', name: 'platform-primary' },
      { kind: 'Schedule', name: 'platform-secondary' },
      { kind: 'EscalationPolicy', name: 'platform' },
    ]);

    const teamless = oncallDocuments().map((d) => (d.kind === 'Schedule' && d.metadata.name === 'platform-primary' ? schedule('platform-primary', [weekly(['ana', 'bob', 'carol'])], { team: undefined }) : d));
    expect(actions(json<ConfigApplyResult>(await apply(teamless)))).toContain('update Schedule platform-primary');
    expect(json<{ teamId: string | null }>(await call(t, token, 'GET', '/api/v1/schedules/platform-primary')).teamId).toBeNull();

    const pruned = json<ConfigApplyResult>(await apply(withoutOncall, true));
    expect(actions(pruned).filter((a) => a.startsWith('delete'))).toEqual(['delete EscalationPolicy platform', 'delete Schedule platform-primary', 'delete Schedule platform-secondary']);
    expect((await call(t, token, 'GET', '/api/v1/schedules/platform-primary')).statusCode).toBe(404);
    // A document with the same handle creates a new schedule: deleted schedules are not brought back.
    expect(actions(json<ConfigPlan>(await plan(oncallDocuments())))).toContain('create Schedule platform-primary');
  });
});

// ---- the CLI as a real child process against a real server

const USERS_YAML = `# yaml-language-server: $schema=http://localhost:8080/api/config-schema.json
apiVersion: firebreak/v1
kind: User
metadata:
  name: ana
spec:
  name: Ana Lima
  email: ana@example.test
  timeZone: Europe/Lisbon
  role: admin
---
apiVersion: firebreak/v1
kind: User
metadata:
  name: root
spec:
  name: Test root
  email: root@example.test
  timeZone: Europe/Lisbon
  role: owner
`;

const TEAMS_YAML = `apiVersion: firebreak/v1
kind: Team
metadata:
  name: platform
spec:
  name: Platform
  members:
    - user: ana
      role: admin
`;

describe('the firebreak CLI', () => {
  let dir: ScratchDir;

  beforeAll(() => {
    dir = scratchDir('firebreak-config-cli-');
  });
  afterAll(() => dir.remove());

  const write = (name: string, text: string) => dir.write(name, text);

  describe('config validate (offline)', () => {
    it('reports every problem with file:line:column and field path, and exits 1', async () => {
      const file = write('broken.yaml', `${USERS_YAML.replace('  email: ana@example.test\n', '  emial: ana@example.test\n')}---\n${TEAMS_YAML}    - user: ghost\n`);
      const result = await cli(['config', 'validate', '-f', file]);
      expect(result.code).toBe(1);
      expect(result.stdout.split('\n').filter(Boolean)).toEqual([
        `${file}:6:1: User/ana: spec.email: is required`,
        `${file}:8:3: User/ana: spec.emial: is not a known field (check the spelling)`,
        `${file}:31:13: Team/platform: spec.members.1.user: User \`ghost\` is not defined in these files (if it exists only on the server, check with \`config plan\`, or pass --skip-references)`,
      ]);
      expect(result.stderr).toBe('firebreak: 3 problems in 1 file\n');
    });

    it('prints a one-line summary and exits 0 for valid files in a directory', async () => {
      const sub = join(dir.path, 'valid');
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(join(sub, 'teams'), { recursive: true });
      writeFileSync(join(sub, 'users.yaml'), USERS_YAML);
      writeFileSync(join(sub, 'teams', 'platform.yml'), TEAMS_YAML);
      writeFileSync(join(sub, 'README.md'), 'not config');
      const result = await cli(['config', 'validate', '-f', sub]);
      expect(result).toMatchObject({ code: 0, stdout: 'OK: 3 documents (2 User, 1 Team) in 2 files.\n', stderr: '' });
    });
  });

  describe('config validate for schedules (offline)', () => {
    const people = ['ana', 'bob']
      .map((h) => `apiVersion: firebreak/v1\nkind: User\nmetadata:\n  name: ${h}\nspec:\n  name: ${h}\n  email: ${h}@example.test\n  timeZone: America/New_York\n  role: responder\n`)
      .join('---\n');
    // Line 21 on, after the two users; the layer runs two weeks across the change to daylight saving time.
    const SCHEDULE = `apiVersion: firebreak/v1
kind: Schedule
metadata:
  name: platform-primary
spec:
  name: Platform primary
  timeZone: America/New_York
  layers:
    - id: weekly
      name: Weekly
      participants: [ana, bob]
      start: 2026-03-02T09:00:00-05:00
      end: 2026-03-16T13:00:00Z
      handoffTime: "09:00"
      turn: { unit: weeks, count: 1 }
`;

    it('prints lints as warnings with the exact local times of each gap, and exits 0', async () => {
      const file = write('oncall.yaml', `${people}---\n${SCHEDULE}`);
      const result = await cli(['config', 'validate', '-f', file, '--from', '2026-03-01T00:00:00Z']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        [
          `${file}:29:5: warning: Schedule/platform-primary: spec.layers: Schedule \`platform-primary\` has no one on call 2026-02-28 19:00 – 2026-03-02 09:00 and 2026-03-16 09:00 – 2026-05-29 20:00 America/New_York [SCHEDULE_GAP]`,
          `${file}:31:21: warning: Schedule/platform-primary: spec.layers.0.participants: Layer \`Weekly\` of schedule \`platform-primary\` rotates between only 2 people (ana, bob); with fewer than 3 each is on call at least half the time [ROTATION_TOO_SMALL]`,
          'OK: 3 documents (2 User, 1 Schedule) in 1 file, 2 warnings.',
          '',
        ].join('\n'),
      );
    });

    it('reports a zero turn length and an unknown time zone as errors at their file:line:column, and exits 1', async () => {
      const file = write('bad-oncall.yaml', `${people}---\n${SCHEDULE.replace('count: 1', 'count: 0').replace('America/New_York\n  layers', 'America/Nowhere\n  layers')}`);
      const result = await cli(['config', 'validate', '-f', file]);
      expect(result.code).toBe(1);
      expect(result.stdout.split('\n').filter(Boolean)).toEqual([
        `${file}:27:13: Schedule/platform-primary: spec.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York`,
        `${file}:35:35: Schedule/platform-primary: spec.layers.0.turn.count: must be at least 1`,
      ]);
      expect(result.stderr).toBe('firebreak: 2 problems in 1 file\n');
    });

    it('refuses a --from that is not an instant', async () => {
      const file = write('ok-oncall.yaml', `${people}---\n${SCHEDULE}`);
      expect(await cli(['config', 'validate', '-f', file, '--from', 'tomorrow'])).toMatchObject({
        code: 2,
        stderr: 'firebreak: --from: must be an ISO 8601 instant with Z or an offset, such as 2026-01-05T09:00:00Z, got "tomorrow"\n',
      });
    });
  });

  describe('config plan with warnings', () => {
    let c: CliServer;
    beforeAll(async () => {
      c = await serverWithToken(new ManualClock('2026-11-02T10:00:00Z'));
    });
    afterAll(async () => c.server.stop());

    it('prints the server’s warnings located in the files, in file order, after the changes', async () => {
      const users = write('plan-users.yaml', `${USERS_YAML}  contactMethods:\n    - type: email\n      address: root@example.test\n`);
      const schedules = write(
        'plan-schedules.yaml',
        `apiVersion: firebreak/v1
kind: Schedule
metadata:
  name: ops
spec:
  name: Ops
  timeZone: Europe/Lisbon
  layers:
    - id: days
      name: Days
      participants: [ana, root]
      start: 2026-11-02T09:00:00Z
      handoffTime: "09:00"
      turn: { unit: days, count: 1 }
`,
      );
      const result = await cli(['config', 'plan', '-f', users, '-f', schedules], c.env);
      expect(result.stderr).toBe('');
      expect(result.stdout.slice(result.stdout.indexOf('Warnings'))).toBe(
        [
          'Warnings (they do not stop apply):',
          `${users}:23:16: warning: User/root: spec.contactMethods.0.address: \`root\`’s email method root@example.test will be added unverified: it receives no pages until root verifies it (Settings → Contact methods) [CONTACT_METHOD_UNVERIFIED]`,
          `${schedules}:11:21: warning: Schedule/ops: spec.layers.0.participants: Layer \`Days\` of schedule \`ops\` rotates between only 2 people (ana, root); with fewer than 3 each is on call at least half the time [ROTATION_TOO_SMALL]`,
          `${schedules}:11:22: warning: Schedule/ops: spec.layers.0.participants.0: \`ana\` is on schedule \`ops\` but has no verified high-urgency contact method, so a page to them cannot be delivered [NO_VERIFIED_CONTACT_METHOD]`,
          `${schedules}:11:27: warning: Schedule/ops: spec.layers.0.participants.1: \`root\` is on schedule \`ops\` but has no verified high-urgency contact method, so a page to them cannot be delivered [NO_VERIFIED_CONTACT_METHOD]`,
          '',
          'Plan: 2 to create, 1 to update, 0 to delete, 0 unchanged.',
          '',
        ].join('\n'),
      );
    });
  });

  describe('against a server', () => {
    let a: CliServer;
    let b: CliServer;

    beforeAll(async () => {
      a = await serverWithToken();
      b = await serverWithToken();
    });
    afterAll(async () => {
      await a.server.stop();
      await b.server.stop();
    });

    it('says how to get a token when FIREBREAK_TOKEN is missing, and exits 2', async () => {
      const result = await cli(['token', 'list'], { FIREBREAK_URL: a.server.url });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^firebreak: FIREBREAK_TOKEN is not set\./);
    });

    it('says the server cannot be reached when nothing listens at FIREBREAK_URL', async () => {
      const result = await cli(['token', 'list'], { FIREBREAK_URL: 'http://127.0.0.1:9', FIREBREAK_TOKEN: 'fbk_x' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^firebreak: cannot reach Firebreak at http:\/\/127\.0\.0\.1:9 /);
    });

    it('relays the server’s message for a wrong token', async () => {
      const result = await cli(['token', 'list'], { FIREBREAK_URL: a.server.url, FIREBREAK_TOKEN: 'fbk_wrong' });
      expect(result).toMatchObject({ code: 1, stderr: 'firebreak: The API token is not valid (check FIREBREAK_TOKEN: it may be wrong, expired or revoked)\n' });
    });

    it('creates a token and prints its secret once, lists it, and revokes it', async () => {
      const created = await cli(['token', 'create', '--name', 'ci deploy', '--role', 'viewer', '--expires-in-days', '30'], a.env);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^fbk_\S+\n$/);
      const id = /\(([0-9A-Z]{26})\)/.exec(created.stderr)?.[1] ?? '';
      expect(id).not.toBe('');

      const listed = await cli(['token', 'list'], a.env);
      expect(listed.code).toBe(0);
      expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+USER\s+ROLE\s+TEAM\s+CREATED\s+EXPIRES\s+LAST USED\s+STATUS$/);
      expect(listed.stdout).toMatch(new RegExp(`${id}\\s+ci deploy\\s+fbk_\\S+\\s+root\\s+viewer\\s+-\\s+\\S+\\s+\\S+\\s+-\\s+active`));

      const revoked = await cli(['token', 'revoke', id], a.env);
      expect(revoked).toMatchObject({ code: 0, stdout: `Revoked API token ${id}.\n` });
      expect((await cli(['token', 'list'], a.env)).stdout).toMatch(new RegExp(`${id}.*revoked`));
      const works = await cli(['token', 'list'], { ...a.env, FIREBREAK_TOKEN: created.stdout.trim() });
      expect(works.code).toBe(1);
    });

    it('refuses a token role it does not know, before calling the server', async () => {
      const result = await cli(['token', 'create', '--name', 'x', '--role', 'boss'], a.env);
      expect(result).toMatchObject({ code: 2, stderr: 'firebreak: --role: must be one of viewer, responder, admin, owner, got "boss"\n' });
    });

    it('maps problems the server finds back to file:line:column', async () => {
      const teams = write('ghost-teams.yaml', TEAMS_YAML.replace('user: ana', 'user: ghost'));
      const result = await cli(['config', 'plan', '-f', teams], a.env);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe(`${teams}:8:13: Team/platform: spec.members.0.user: User \`ghost\` is not defined in these files and does not exist on the server\n`);
      expect(result.stderr).toBe('firebreak: the server refused the configuration: 1 problem\n');
    });

    it('plans as a readable diff, refuses to apply without --yes off a terminal, and applies with it', async () => {
      const users = write('users.yaml', USERS_YAML);
      const teams = write('teams.yaml', TEAMS_YAML);
      const planned = await cli(['config', 'plan', '-f', users, '-f', teams], a.env);
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.stdout).toBe(
        [
          '+ create User ana',
          '    spec.name: "Ana Lima"',
          '    spec.email: "ana@example.test"',
          '    spec.timeZone: "Europe/Lisbon"',
          '    spec.role: "admin"',
          '+ create Team platform',
          '    spec.name: "Platform"',
          '    spec.members[ana].role: "admin"',
          '',
          'Plan: 2 to create, 0 to update, 0 to delete, 1 unchanged.',
          '',
        ].join('\n'),
      );

      const refused = await cli(['config', 'apply', '-f', users, '-f', teams], a.env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe('firebreak: not applying: pass --yes to apply without a terminal to confirm in\n');

      const applied = await cli(['config', 'apply', '-f', users, '-f', teams, '--yes'], a.env);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toMatch(/\nApplied: 2 created, 0 updated, 0 deleted, 1 unchanged\.\n$/);

      const renamed = write('teams-renamed.yaml', TEAMS_YAML.replace('name: Platform', 'name: Platform team'));
      const update = await cli(['config', 'plan', '-f', users, '-f', renamed], a.env);
      expect(update.stdout).toBe('~ update Team platform\n    spec.name: "Platform" → "Platform team"\n\nPlan: 0 to create, 1 to update, 0 to delete, 2 unchanged.\n');

      const again = await cli(['config', 'apply', '-f', users, '-f', teams, '--yes'], a.env);
      expect(again).toMatchObject({ code: 0, stdout: 'Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged.\nNothing to apply: the server matches the files.\n' });
    });

    it('exports, applies the export to an empty server, and exports identical YAML from it', async () => {
      const exported = await cli(['config', 'export'], a.env);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain('kind: Team');
      const file = write('export.yaml', exported.stdout);

      const applied = await cli(['config', 'apply', '-f', file, '--yes'], b.env);
      expect(applied.code, applied.stderr).toBe(0);
      const again = await cli(['config', 'export'], b.env);
      expect(again.stdout).toBe(exported.stdout);

      const out = join(dir.path, 'exported');
      const toDir = await cli(['config', 'export', '-o', out], b.env);
      expect(toDir.code, toDir.stderr).toBe(0);
      expect(readFileSync(join(out, 'users.yaml'), 'utf8') + '---\n' + readFileSync(join(out, 'teams.yaml'), 'utf8')).toBe(exported.stdout);
      const fromDir = await cli(['config', 'plan', '-f', out, '--prune'], b.env);
      expect(fromDir.stdout).toMatch(/^Plan: 0 to create, 0 to update, 0 to delete, \d+ unchanged\.\n$/);
    });
  });
});
