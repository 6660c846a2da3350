import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { cli, type CliServer, scratchDir, type ScratchDir, serverWithToken } from '../../../../test/support/config-cli.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import type { Provider } from '../../../contracts/providers.js';
import { ManualClock } from '../../platform/clock.js';

/** The NotificationProvider kind of config-as-code (docs/config-as-code.md): API on every dialect, then offline `config validate`. */

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => sink.close());

const root = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'root' }, spec: { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' } };
const relay = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'NotificationProvider',
  metadata: { name: 'relay-main' },
  spec: { kind: 'smtp', settings: { url: sink.url, from: 'Firebreak <fb@example.com>', username: 'firebreak' }, secrets: { password: { fromEnv: 'RELAY_PASSWORD' } }, ...spec },
});
const twilio = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'NotificationProvider',
  metadata: { name: 'twilio-main' },
  spec: {
    kind: 'twilio',
    position: 2,
    // Stored as the adapter reads it: without the trailing slash.
    settings: { from: '+14155550100', apiUrl: 'https://api.twilio.com/' },
    secrets: { accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' }, authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' } },
    ...spec,
  },
});

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);
type Issues = { code: string; details: { issues: Array<{ path: string; message: string }> } };
const ENV = { FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true', RELAY_PASSWORD: 'relay-pass-from-env', TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: 'twilio-token-from-env' };

for (const dialect of dialectCases()) describe(`config-as-code: the NotificationProvider kind (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T12:00:00Z'), env: ENV });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const plan = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/apply', { documents, prune });
  const exported = async () => json<{ documents: ConfigDocument[] }>(await request('GET', '/api/v1/config/export')).documents;
  const providers = async () => json<{ items: Provider[] }>(await request('GET', '/api/v1/notification-providers')).items;
  const issues = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode, res.body).toBe(400);
    return json<Issues>(res as Parameters<typeof json>[0]).details.issues;
  };

  it('creates providers managed by config whose secrets come from the environment; they deliver, and applying again changes nothing', async () => {
    const res = await apply([root, relay(), twilio()]);
    expect(res.statusCode, res.body).toBe(200);
    const result = json<ConfigApplyResult>(res);
    // Providers come first: a person added in the same apply is paged through a provider already there.
    expect(actions(result)).toEqual(['create NotificationProvider relay-main', 'create NotificationProvider twilio-main']);
    expect(result.warnings).toEqual([]);

    const list = await providers();
    expect(list.map((p) => [p.name, p.kind, p.managedBy, p.position, p.enabled, p.problems])).toEqual([
      ['relay-main', 'smtp', 'config', 0, true, []],
      ['twilio-main', 'twilio', 'config', 2, true, []],
    ]);
    expect(list[0]?.secrets).toEqual({ password: { set: true, fromEnv: 'RELAY_PASSWORD' } });
    expect(list[1]?.settings).toEqual({ from: '+14155550100', apiUrl: 'https://api.twilio.com' });

    // The live channels were rebuilt when apply committed: a test message goes through the relay,
    // authenticated with the password read from the environment.
    const sent = await request('POST', '/api/v1/notification-providers/relay-main/test', { to: 'ops@example.com' });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(json<{ ok: boolean }>(sent).ok).toBe(true);
    const mail = await sink.waitFor((m) => m.envelope.to.includes('ops@example.com'));
    expect(mail.subject).toBe('Firebreak test notification');

    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').selectAll().where('target_type', '=', 'notification_provider').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['notification_provider.create', 'notification_provider.create', 'notification_provider.test']);
    expect(audit.every((a) => a.action === 'notification_provider.test' || a.actor_label.endsWith('config apply'))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('relay-pass-from-env');

    const again = json<ConfigApplyResult>(await apply([root, relay(), twilio()]));
    expect(actions(again)).toEqual([]);
    expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect((await t.firebreak.services.database.db.selectFrom('audit_log').selectAll().where('target_type', '=', 'notification_provider').execute()).length).toBe(3);
  });

  it('exports providers with their environment references only, and the export applies back as no change', async () => {
    await apply([root, relay({ enabled: false, position: 3 }), twilio()]);
    const documents = await exported();
    const providerDocs = documents.filter((d) => d.kind === 'NotificationProvider');
    expect(providerDocs).toEqual([
      {
        apiVersion: 'firebreak/v1',
        kind: 'NotificationProvider',
        metadata: { name: 'relay-main' },
        spec: { kind: 'smtp', enabled: false, position: 3, settings: { from: 'Firebreak <fb@example.com>', url: sink.url, username: 'firebreak' }, secrets: { password: { fromEnv: 'RELAY_PASSWORD' } } },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'NotificationProvider',
        metadata: { name: 'twilio-main' },
        spec: {
          kind: 'twilio',
          enabled: true,
          position: 2,
          settings: { apiUrl: 'https://api.twilio.com', from: '+14155550100' },
          secrets: { accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' }, authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' } },
        },
      },
    ]);
    // Providers are written first.
    expect(documents[0]?.kind).toBe('NotificationProvider');
    const replan = json<ConfigPlan>(await plan(documents, true));
    expect(actions(replan)).toEqual([]);
    expect(await exported()).toEqual(documents);
  });

  it('plans field changes, applies them in place, and clears an environment reference the document drops', async () => {
    await apply([root, relay(), twilio()]);
    const before = (await providers()).find((p) => p.name === 'relay-main');
    const planned = json<ConfigPlan>(await plan([root, relay({ position: 7, secrets: {}, settings: { url: sink.url, from: 'Pager <pager@example.com>' } }), twilio()]));
    expect(actions(planned)).toEqual(['update NotificationProvider relay-main']);
    expect(planned.changes.find((c) => c.name === 'relay-main')?.diff).toEqual([
      { field: 'spec.position', before: 0, after: 7 },
      { field: 'spec.settings.from', before: 'Firebreak <fb@example.com>', after: 'Pager <pager@example.com>' },
      { field: 'spec.settings.username', before: 'firebreak', after: null },
      { field: 'spec.secrets.password.fromEnv', before: 'RELAY_PASSWORD', after: null },
    ]);
    const res = await apply([root, relay({ position: 7, secrets: {}, settings: { url: sink.url, from: 'Pager <pager@example.com>' } }), twilio()]);
    expect(res.statusCode, res.body).toBe(200);
    const after = (await providers()).find((p) => p.name === 'relay-main');
    expect(after).toMatchObject({ id: before?.id, position: 7, settings: { url: sink.url, from: 'Pager <pager@example.com>' }, secrets: { password: { set: false, fromEnv: null } } });
  });

  it('refuses inline secret values, bad settings, unknown kinds and secrets, and a change of kind, at the document path', async () => {
    const inline = await plan([twilio({ secrets: { accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' }, authToken: 'super-secret-inline-token' } })]);
    expect(issues(inline)).toEqual([{ path: 'body.documents.0.spec.secrets.authToken', message: expect.stringContaining('secrets in config must name an environment variable: {fromEnv: TWILIO_AUTH_TOKEN}') }]);
    expect(inline.body).not.toContain('super-secret-inline-token');

    // The schema first (the request body): an unknown kind.
    expect(issues(await plan([twilio({ kind: 'pigeon' })]))).toEqual([{ path: 'body.documents.0.spec.kind', message: expect.stringContaining('must be one of smtp, twilio') }]);
    // Then each kind's own fields, as the API checks them.
    const bad = await plan([
      relay({ settings: { url: 'http://relay.example.com', from: 'x@example.com', port: 25, password: 'oops' } }),
      twilio({ secrets: { authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' }, accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' }, apiKey: { fromEnv: 'KEY' } } }),
    ]);
    const found = issues(bad);
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'body.documents.0.spec.settings.password', message: expect.stringContaining('is a secret') },
        { path: 'body.documents.0.spec.settings.url', message: expect.stringContaining('must be smtp://host:port') },
        { path: 'body.documents.0.spec.settings.port', message: expect.stringContaining('is not a setting of smtp providers') },
        { path: 'body.documents.1.spec.secrets.apiKey', message: expect.stringContaining('is not a secret of twilio providers') },
      ]),
    );
    expect(found).toHaveLength(4);

    // Required secrets must be named (the schema alone cannot know which are required).
    const missing = issues(await plan([twilio({ secrets: { authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' } } })]));
    expect(missing).toEqual([{ path: 'body.documents.0.spec.secrets.accountSid', message: expect.stringContaining('{fromEnv: TWILIO_ACCOUNT_SID}') }]);

    await apply([root, relay()]);
    const changed = issues(await plan([root, { ...twilio(), metadata: { name: 'relay-main' } }]));
    expect(changed).toEqual([{ path: 'body.documents.1.spec.kind', message: expect.stringContaining('is of kind smtp on the server') }]);
  });

  it('warns when a secret’s environment variable is unset on the server; the provider then reports the problem', async () => {
    const doc = relay({ secrets: { password: { fromEnv: 'NOT_SET_ANYWHERE' } } });
    const planned = json<ConfigPlan>(await plan([root, doc]));
    expect(planned.warnings).toEqual([
      expect.objectContaining({ code: 'PROVIDER_SECRET_ENV_UNSET', kind: 'NotificationProvider', name: 'relay-main', path: 'spec.secrets.password.fromEnv', message: expect.stringContaining('NOT_SET_ANYWHERE') }),
    ]);
    expect((await apply([root, doc])).statusCode).toBe(200);
    const [provider] = await providers();
    expect(provider?.problems).toEqual(['secret `password` comes from environment variable NOT_SET_ANYWHERE, which is not set']);
  });

  it('leaves secrets sealed through the API alone, never exports them, and warns about them', async () => {
    const created = await request('POST', '/api/v1/notification-providers', { name: 'relay-main', kind: 'smtp', settings: { url: sink.url, from: 'Firebreak <fb@example.com>', username: 'firebreak' }, secrets: { password: 'sealed-by-api' } });
    expect(created.statusCode, created.body).toBe(201);
    const documents = await exported();
    const doc = documents.find((d) => d.kind === 'NotificationProvider');
    expect(doc?.spec).toEqual({ kind: 'smtp', enabled: true, position: 0, settings: { from: 'Firebreak <fb@example.com>', url: sink.url, username: 'firebreak' } });
    expect(JSON.stringify(documents)).not.toContain('sealed-by-api');

    const moved = documents.map((d) => (d.kind === 'NotificationProvider' ? { ...d, spec: { ...d.spec, position: 4 } } : d));
    const planRes = await plan(moved);
    expect(planRes.statusCode, planRes.body).toBe(200);
    const planned = json<ConfigPlan>(planRes);
    expect(actions(planned)).toEqual(['update NotificationProvider relay-main']);
    expect(planned.warnings).toEqual([expect.objectContaining({ code: 'PROVIDER_SECRET_KEPT', path: 'spec.secrets', message: expect.stringContaining('secret `password` of provider relay-main was set through the API') })]);
    expect((await apply(moved)).statusCode).toBe(200);
    const [provider] = await providers();
    // Config now manages it; the sealed password still works.
    expect(provider).toMatchObject({ position: 4, managedBy: 'config', secrets: { password: { set: true, fromEnv: null } }, problems: [] });
    const sent = json<{ ok: boolean; error: string | null }>(await request('POST', '/api/v1/notification-providers/relay-main/test', { to: 'kept@example.com' }));
    expect(sent).toMatchObject({ ok: true, error: null });

    // Naming a variable replaces the sealed value.
    expect((await apply([root, relay({ position: 4 })])).statusCode).toBe(200);
    expect((await providers())[0]?.secrets).toEqual({ password: { set: true, fromEnv: 'RELAY_PASSWORD' } });
  });

  it('lists providers in no document as unmanaged, and deletes them with --prune', async () => {
    await apply([root, relay(), twilio()]);
    const planned = json<ConfigPlan>(await plan([root, relay()]));
    expect(planned.unmanaged).toEqual([{ kind: 'NotificationProvider', name: 'twilio-main' }]);
    const pruned = json<ConfigApplyResult>(await apply([root, relay()], true));
    expect(actions(pruned)).toEqual(['delete NotificationProvider twilio-main']);
    expect((await providers()).map((p) => p.name)).toEqual(['relay-main']);
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', '=', 'notification_provider.delete').execute();
    expect(audit).toHaveLength(1);
  });
});

describe('firebreak config with NotificationProvider documents', () => {
  let dir: ScratchDir;
  let running: CliServer;
  beforeAll(async () => {
    dir = scratchDir('firebreak-provider-config-');
    running = await serverWithToken();
  });
  afterAll(async () => {
    await running?.server.stop();
    dir.remove();
  });

  const GOOD = `apiVersion: firebreak/v1
kind: NotificationProvider
metadata:
  name: twilio-main
spec:
  kind: twilio
  settings:
    from: "+14155550100"
  secrets:
    accountSid: {fromEnv: TWILIO_ACCOUNT_SID}
    authToken: {fromEnv: TWILIO_AUTH_TOKEN}
`;

  it('accepts a valid document, and reports unknown kinds, bad settings and inline secrets at file:line', async () => {
    expect(await cli(['config', 'validate', '-f', dir.write('good.yaml', GOOD)])).toMatchObject({ code: 0 });
    const text = `${GOOD}---
apiVersion: firebreak/v1
kind: NotificationProvider
metadata:
  name: relay
spec:
  kind: smtp
  settings:
    url: http://relay.example.com
    from: fb@example.com
---
apiVersion: firebreak/v1
kind: NotificationProvider
metadata:
  name: pigeons
spec:
  kind: pigeon
---
apiVersion: firebreak/v1
kind: NotificationProvider
metadata:
  name: inline
spec:
  kind: ntfy
  secrets:
    accessToken: tk_not_in_a_file
`;
    const file = dir.write('bad.yaml', text);
    const result = await cli(['config', 'validate', '-f', file]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter(Boolean);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${file}:${lineOf('url: http://relay')}:\\d+: NotificationProvider/relay: spec.settings.url: must be smtp://host:port`)),
      expect.stringMatching(new RegExp(`^${file}:${lineOf('kind: pigeon')}:\\d+: NotificationProvider/pigeons: spec.kind: must be one of smtp, twilio`)),
      expect.stringMatching(new RegExp(`^${file}:${lineOf('accessToken: tk_')}:\\d+: NotificationProvider/inline: spec.secrets.accessToken: secrets in config must name an environment variable`)),
    ]);
    expect(result.stdout).not.toContain('tk_not_in_a_file');
  });

  it('plans with a warning at file:line for a variable the server lacks, applies, and exports the same document', async () => {
    const text = `apiVersion: firebreak/v1
kind: NotificationProvider
metadata:
  name: relay
spec:
  kind: smtp
  settings:
    url: smtp://127.0.0.1:2525
    from: fb@example.com
    username: fb
  secrets:
    password: {fromEnv: FIREBREAK_TEST_UNSET_PROVIDER_SECRET}
`;
    const file = dir.write('relay.yaml', text);
    const planned = await cli(['config', 'plan', '-f', file], running.env);
    expect(planned).toMatchObject({ code: 0, stderr: '' });
    expect(planned.stdout).toContain('+ create NotificationProvider relay\n');
    expect(planned.stdout).toContain('    spec.secrets.password.fromEnv: "FIREBREAK_TEST_UNSET_PROVIDER_SECRET"\n');
    const line = text.split('\n').findIndex((l) => l.includes('password: {fromEnv')) + 1;
    expect(planned.stdout).toMatch(new RegExp(`${file}:${line}:\\d+: warning: NotificationProvider/relay: spec.secrets.password.fromEnv: environment variable FIREBREAK_TEST_UNSET_PROVIDER_SECRET .* is not set on the server.*\\[PROVIDER_SECRET_ENV_UNSET\\]`));
    expect((await cli(['config', 'apply', '-f', file, '--yes'], running.env)).code).toBe(0);
    const listed = await cli(['provider', 'list'], running.env);
    expect(listed.stdout).toContain('relay  smtp  email     yes      0         config   cannot deliver\n');
    const exported = await cli(['config', 'export'], running.env);
    expect(exported.stdout).toContain(
      ['kind: NotificationProvider', 'metadata:', '  name: relay', 'spec:', '  kind: smtp', '  enabled: true', '  position: 0', '  settings:', '    from: fb@example.com', '    url: smtp://127.0.0.1:2525', '    username: fb', '  secrets:', '    password:', '      fromEnv: FIREBREAK_TEST_UNSET_PROVIDER_SECRET', ''].join('\n'),
    );
    const again = await cli(['config', 'plan', '-f', file], running.env);
    expect(again.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged.');
  });
});
