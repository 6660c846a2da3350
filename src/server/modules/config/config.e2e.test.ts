import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { startTestServer, type TestServer } from '../../../../test/support/server.js';
import type { ConfigApplyResult, ConfigPlan } from '../../../contracts/config.js';
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
    expect(schema.oneOf.map((s) => s.properties.kind.const)).toEqual(['User', 'Team']);
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

// ---- the CLI as a real child process against a real server

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `firebreak …` from source. Asynchronous: the server answering it runs in this process. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      env: Object.fromEntries(Object.entries({ ...process.env, FIREBREAK_URL: undefined, FIREBREAK_TOKEN: undefined, ...env }).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function serverWithToken(): Promise<{ server: TestServer; env: Record<string, string> }> {
  const server = await startTestServer({ webRoot: null });
  const { catalog, auth, database } = server.firebreak.services;
  const acting = { actor: systemActor('test'), principal: null };
  const owner = await catalog.createUser(acting, { handle: 'root', name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' });
  const token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, owner.id), 'cli test', systemActor('test'));
  return { server, env: { FIREBREAK_URL: server.url, FIREBREAK_TOKEN: token } };
}

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
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-config-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

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
      const sub = join(dir, 'valid');
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(join(sub, 'teams'), { recursive: true });
      writeFileSync(join(sub, 'users.yaml'), USERS_YAML);
      writeFileSync(join(sub, 'teams', 'platform.yml'), TEAMS_YAML);
      writeFileSync(join(sub, 'README.md'), 'not config');
      const result = await cli(['config', 'validate', '-f', sub]);
      expect(result).toMatchObject({ code: 0, stdout: 'OK: 3 documents (2 User, 1 Team) in 2 files.\n', stderr: '' });
    });
  });

  describe('against a server', () => {
    let a: { server: TestServer; env: Record<string, string> };
    let b: { server: TestServer; env: Record<string, string> };

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

      const out = join(dir, 'exported');
      const toDir = await cli(['config', 'export', '-o', out], b.env);
      expect(toDir.code, toDir.stderr).toBe(0);
      expect(readFileSync(join(out, 'users.yaml'), 'utf8') + '---\n' + readFileSync(join(out, 'teams.yaml'), 'utf8')).toBe(exported.stdout);
      const fromDir = await cli(['config', 'plan', '-f', out, '--prune'], b.env);
      expect(fromDir.stdout).toMatch(/^Plan: 0 to create, 0 to update, 0 to delete, \d+ unchanged\.\n$/);
    });
  });
});
