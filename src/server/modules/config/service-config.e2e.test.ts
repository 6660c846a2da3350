import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { cli, scratchDir, type ScratchDir, serverWithToken } from '../../../../test/support/config-cli.js';
import type { TestServer } from '../../../../test/support/server.js';
import type { Service } from '../../../contracts/alerts.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';

/** The Service kind of config-as-code (docs/config-as-code.md): API on every dialect, then the CLI. */

const root = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'root' }, spec: { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' } };
const platform = { apiVersion: 'firebreak/v1', kind: 'Team', metadata: { name: 'platform' }, spec: { name: 'Platform', members: [{ user: 'root', role: 'admin' }] } };
const policy = {
  apiVersion: 'firebreak/v1',
  kind: 'EscalationPolicy',
  metadata: { name: 'platform-default' },
  spec: { name: 'Platform default', team: 'platform', levels: [{ delayMinutes: 10, targets: [{ user: 'root' }] }] },
};
const checkout = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'Service',
  metadata: { name: 'checkout' },
  spec: {
    name: 'Checkout API',
    description: 'Takes payments',
    team: 'platform',
    escalationPolicy: 'platform-default',
    runbookUrl: 'https://runbooks.example.com/checkout',
    urgency: { warning: 'high' },
    integrations: [
      { name: 'Prometheus', type: 'alertmanager' },
      { name: 'Nagios', type: 'events-v2' },
    ],
    ...spec,
  },
});

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);

for (const dialect of dialectCases()) describe(`config-as-code: the Service kind (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open() });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const post = (path: string, payload: unknown) => t.app.inject({ method: 'POST', url: path, headers: bearer(token), payload: payload as Record<string, unknown> });
  const plan = (documents: unknown[], prune = false) => post('/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => post('/api/v1/config/apply', { documents, prune });
  const service = async (handle: string) => json<Service>(await t.app.inject({ url: `/api/v1/services/${handle}`, headers: bearer(token) }));
  const auditCount = async () => Number((await t.firebreak.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const base = [root, platform, policy];

  it('creates a service with its team, policy, links, urgency and integrations (keys generated, never in documents)', async () => {
    const res = await apply([...base, checkout()]);
    expect(res.statusCode, res.body).toBe(200);
    const result = json<ConfigApplyResult>(res);
    expect(actions(result)).toEqual(['create Team platform', 'create EscalationPolicy platform-default', 'create Service checkout']);
    const created = result.changes.find((c) => c.kind === 'Service');
    expect(created?.diff).toEqual(
      expect.arrayContaining([
        { field: 'spec.team', before: null, after: 'platform' },
        { field: 'spec.urgency.warning', before: null, after: 'high' },
        { field: 'spec.integrations[Nagios].type', before: null, after: 'events-v2' },
      ]),
    );

    const s = await service('checkout');
    expect(s).toMatchObject({ name: 'Checkout API', description: 'Takes payments', runbookUrl: 'https://runbooks.example.com/checkout', dashboardUrl: null, urgency: { critical: 'high', error: 'high', warning: 'high', info: 'low' } });
    expect(s.integrations.map((i) => [i.name, i.type, i.disabled]).sort()).toEqual([
      ['Nagios', 'events-v2', false],
      ['Prometheus', 'alertmanager', false],
    ]);
    // The generated key works at once and appears in no document.
    const nagios = s.integrations.find((i) => i.name === 'Nagios');
    const withKey = json<{ key: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${nagios?.id}`, headers: bearer(token) }));
    const event = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: withKey.key, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'info' } } });
    expect(event.statusCode).toBe(202);
    const exported = await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) });
    expect(exported.body).not.toContain(withKey.key);
    const doc = json<{ documents: ConfigDocument[] }>(exported).documents.find((d) => d.kind === 'Service');
    expect(doc).toEqual({
      apiVersion: 'firebreak/v1',
      kind: 'Service',
      metadata: { name: 'checkout' },
      spec: {
        name: 'Checkout API',
        description: 'Takes payments',
        team: 'platform',
        escalationPolicy: 'platform-default',
        runbookUrl: 'https://runbooks.example.com/checkout',
        urgency: { critical: 'high', error: 'high', warning: 'high', info: 'low' },
        ...Object.fromEntries(Object.entries(doc?.spec ?? {}).filter(([k]) => !['name', 'description', 'team', 'escalationPolicy', 'runbookUrl', 'urgency', 'integrations'].includes(k))),
        integrations: [
          { name: 'Nagios', type: 'events-v2', disabled: false },
          { name: 'Prometheus', type: 'alertmanager', disabled: false },
        ],
      },
    });
    // Settings the API contract adds (flap damping, storm guard, …) are exported with their values.
    expect(Object.keys(doc?.spec ?? {})).toEqual(expect.arrayContaining(['name', 'urgency', 'integrations']));
  });

  it('applying the same documents again, or its own export, changes nothing and writes no audit entry', async () => {
    const full = checkout({
      flapWindowMinutes: 10,
      stormThresholdPerMinute: 0,
      integrations: [
        { name: 'Prometheus', type: 'alertmanager' },
        { name: 'Airflow', type: 'webhook', mapping: { title: '$.dag', status: '$.state', statusMap: { success: 'resolved', failed: 'firing' } } },
      ],
    });
    const first = await apply([...base, full]);
    expect(first.statusCode, first.body).toBe(200);
    expect(await service('checkout')).toMatchObject({ flapWindowMinutes: 10, stormThresholdPerMinute: 0 });
    const audits = await auditCount();
    const again = json<ConfigApplyResult>(await apply([...base, full]));
    expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const exported = json<{ documents: ConfigDocument[] }>(await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) })).documents;
    const roundTrip = json<ConfigApplyResult>(await apply(exported, true));
    expect(roundTrip.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(await auditCount()).toBe(audits);
  });

  it('refuses a reference to an unknown team or escalation policy with 400 naming the field', async () => {
    const res = await plan([root, checkout({ team: 'ghosts', escalationPolicy: 'nobody' })]);
    expect(res.statusCode).toBe(400);
    const body = json<{ code: string; details: { issues: Array<{ path: string; message: string }> } }>(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.issues).toEqual([
      { path: 'body.documents.1.spec.team', message: 'Team `ghosts` is not defined in these files and does not exist on the server' },
      { path: 'body.documents.1.spec.escalationPolicy', message: 'EscalationPolicy `nobody` is not defined in these files and does not exist on the server' },
    ]);
    const badType = await plan([root, checkout({ team: undefined, escalationPolicy: undefined, integrations: [{ name: 'A', type: 'pagerduty' }] })]);
    expect(badType.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(badType).details.issues.map((i) => i.path)).toEqual(['body.documents.1.spec.integrations.0.type']);
    const twice = await plan([root, checkout({ team: undefined, escalationPolicy: undefined, integrations: [{ name: 'A', type: 'grafana' }, { name: 'A', type: 'webhook' }] })]);
    expect(json<{ details: { issues: unknown[] } }>(twice).details.issues).toEqual([{ path: 'body.documents.1.spec.integrations.1.name', message: '`A` is listed twice' }]);
    const link = await plan([root, checkout({ team: undefined, escalationPolicy: undefined, runbookUrl: 'javascript:alert(1)' })]);
    expect(json<{ details: { issues: unknown[] } }>(link).details.issues).toEqual([{ path: 'body.documents.1.spec.runbookUrl', message: 'must be an http:// or https:// URL' }]);
  });

  it('updates in place: settings, disabling an integration, adding one; kept integrations keep their keys', async () => {
    expect((await apply([...base, checkout()])).statusCode).toBe(200);
    const before = await service('checkout');
    const nagiosId = before.integrations.find((i) => i.name === 'Nagios')?.id;
    const keyOf = async (id: string | undefined) => json<{ key: string }>(await t.app.inject({ url: `/api/v1/services/checkout/integrations/${id}`, headers: bearer(token) })).key;
    const nagiosKey = await keyOf(nagiosId);

    const next = checkout({
      name: 'Checkout',
      urgency: { warning: 'low', info: 'low' },
      integrations: [
        { name: 'Prometheus', type: 'alertmanager' },
        { name: 'Nagios', type: 'events-v2', disabled: true },
        { name: 'Grafana', type: 'grafana' },
      ],
    });
    const planned = json<ConfigPlan>(await plan([...base, next]));
    expect(actions(planned)).toEqual(['update Service checkout']);
    expect(planned.changes.find((c) => c.kind === 'Service')?.diff).toEqual([
      { field: 'spec.name', before: 'Checkout API', after: 'Checkout' },
      { field: 'spec.urgency.warning', before: 'high', after: 'low' },
      { field: 'spec.integrations[Grafana].type', before: null, after: 'grafana' },
      { field: 'spec.integrations[Grafana].disabled', before: null, after: false },
      { field: 'spec.integrations[Nagios].disabled', before: false, after: true },
    ]);
    expect((await apply([...base, next])).statusCode).toBe(200);
    const after = await service('checkout');
    expect(after.name).toBe('Checkout');
    expect(after.urgency.warning).toBe('low');
    expect(after.integrations.find((i) => i.name === 'Nagios')).toMatchObject({ id: nagiosId, disabled: true });
    expect(after.integrations.map((i) => i.name).sort()).toEqual(['Grafana', 'Nagios', 'Prometheus']);
    expect(await keyOf(nagiosId)).toBe(nagiosKey);
    expect(json<ConfigPlan>(await plan([...base, next])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('states routing rules, support hours and the backlog webhook; a rule may route to a service created in the same apply', async () => {
    const next = checkout({
      urgency: { warning: 'low' },
      supportHours: { timeZone: 'Europe/Lisbon', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
      raiseAtSupportStart: true,
      backlogWebhookUrl: 'https://tickets.example.com/hooks/firebreak',
      rules: [
        { name: 'Search to search', conditions: [{ field: 'labels.component', op: 'equals', value: 'search' }], actions: { routeTo: 'search' } },
        { name: 'Info to backlog', conditions: [{ field: 'severity', op: 'equals', value: 'info' }], actions: { urgency: 'backlog' } },
      ],
    });
    const search = { apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name: 'search' }, spec: { name: 'Search' } };
    const res = await apply([...base, next, search]);
    expect(res.statusCode, res.body).toBe(200);
    const routing = json<{ rules: Array<{ name: string; actions: Record<string, unknown> }>; supportHours: unknown; raiseAtSupportStart: boolean; backlogWebhookUrl: string }>(
      await t.app.inject({ url: '/api/v1/services/checkout/routing', headers: bearer(token) }),
    );
    expect(routing.rules.map((r) => [r.name, r.actions])).toEqual([
      ['Search to search', { routeTo: 'search' }],
      ['Info to backlog', { urgency: 'backlog' }],
    ]);
    expect(routing).toMatchObject({ supportHours: { timeZone: 'Europe/Lisbon', start: '09:00', end: '18:00' }, raiseAtSupportStart: true, backlogWebhookUrl: 'https://tickets.example.com/hooks/firebreak' });
    expect(json<ConfigPlan>(await plan([...base, next, search])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const exported = json<{ documents: ConfigDocument[] }>(await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) })).documents;
    expect(json<ConfigPlan>(await plan(exported, true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // Leaving rules and support hours out of the document removes them (documents state the whole thing).
    const planned = json<ConfigPlan>(await plan([...base, checkout({ urgency: { warning: 'low' } }), search]));
    expect(planned.changes.find((c) => c.name === 'checkout')?.diff.map((d) => d.field)).toEqual(
      expect.arrayContaining(['spec.raiseAtSupportStart', 'spec.supportHours.timeZone', 'spec.backlogWebhookUrl', 'spec.rules.0.name', 'spec.rules.1.name']),
    );
    // A rule naming an unknown service, or the service itself, is refused at the field.
    const unknown = await plan([...base, checkout({ rules: [{ name: 'x', actions: { routeTo: 'nowhere' } }] })]);
    expect(json<{ details: { issues: unknown[] } }>(unknown).details.issues).toEqual([
      { path: 'body.documents.3.spec.rules.0.actions.routeTo', message: 'Service `nowhere` is not defined in these files and does not exist on the server' },
    ]);
    const itself = await plan([...base, checkout({ rules: [{ name: 'y', actions: { routeTo: 'checkout' } }] })]);
    expect(json<{ details: { issues: unknown[] } }>(itself).details.issues).toEqual([{ path: 'body.documents.3.spec.rules.0.actions.routeTo', message: 'cannot route a service to itself' }]);
  });

  it('passes heartbeat and email settings through: stated fields are set, fields left out keep their value', async () => {
    const withSettings = (heartbeat: Record<string, unknown>, email: Record<string, unknown>) =>
      checkout({
        integrations: [
          { name: 'Nightly backup', type: 'heartbeat', heartbeat },
          { name: 'Nagios mail', type: 'email', email },
        ],
      });
    const first = withSettings({ cron: '0 3 * * *', timeZone: 'Europe/Lisbon', graceSeconds: 1800 }, { dedupKeyPattern: 'Host (\\S+)', resolve: { subject: ['RECOVERY'] }, defaultSeverity: 'warning' });
    const res = await apply([...base, first]);
    expect(res.statusCode, res.body).toBe(200);
    const created = await service('checkout');
    const backup = created.integrations.find((i) => i.name === 'Nightly backup');
    expect(backup?.heartbeat).toMatchObject({ periodSeconds: null, cron: '0 3 * * *', timeZone: 'Europe/Lisbon', graceSeconds: 1800, maxRunSeconds: null, severity: 'error' });
    expect(created.integrations.find((i) => i.name === 'Nagios mail')?.email).toMatchObject({ dedupKeyPattern: 'Host (\\S+)', resolve: { subject: ['RECOVERY'], body: [] }, defaultSeverity: 'warning' });

    const audits = await auditCount();
    expect(json<ConfigApplyResult>(await apply([...base, first])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const exported = json<{ documents: ConfigDocument[] }>(await t.app.inject({ url: '/api/v1/config/export', headers: bearer(token) })).documents;
    const doc = exported.find((d) => d.kind === 'Service') as Extract<ConfigDocument, { kind: 'Service' }>;
    expect(doc.spec.integrations).toEqual([
      {
        name: 'Nagios mail',
        type: 'email',
        disabled: false,
        email: {
          dedupKeyPattern: 'Host (\\S+)',
          resolve: { subject: ['RECOVERY'], body: [] },
          acknowledge: { subject: [], body: [] },
          severity: { critical: ['CRITICAL'], error: [], warning: ['WARNING'], info: [] },
          defaultSeverity: 'warning',
        },
      },
      { name: 'Nightly backup', type: 'heartbeat', disabled: false, heartbeat: { cron: '0 3 * * *', timeZone: 'Europe/Lisbon', graceSeconds: 1800, severity: 'error' } },
    ]);
    expect(json<ConfigApplyResult>(await apply(exported, true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(await auditCount()).toBe(audits);

    // A period instead of the cron, another default severity: the rest is kept, as on the API.
    const next = withSettings({ periodSeconds: 3600 }, { defaultSeverity: 'info' });
    const planned = json<ConfigPlan>(await plan([...base, next]));
    expect(planned.changes.find((c) => c.kind === 'Service')?.diff).toEqual([
      { field: 'spec.integrations[Nagios mail].email.defaultSeverity', before: 'warning', after: 'info' },
      { field: 'spec.integrations[Nightly backup].heartbeat.periodSeconds', before: null, after: 3600 },
    ]);
    expect((await apply([...base, next])).statusCode).toBe(200);
    const updated = await service('checkout');
    expect(updated.integrations.find((i) => i.name === 'Nightly backup')).toMatchObject({ id: backup?.id, heartbeat: { periodSeconds: 3600, cron: null, graceSeconds: 1800 } });
    expect(updated.integrations.find((i) => i.name === 'Nagios mail')?.email).toMatchObject({ dedupKeyPattern: 'Host (\\S+)', resolve: { subject: ['RECOVERY'] }, defaultSeverity: 'info' });
    expect(json<ConfigPlan>(await plan([...base, next])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // Settings the API would refuse, or meant for another type, are refused at the field.
    const bad = await plan([
      ...base,
      checkout({
        integrations: [
          { name: 'Nightly backup', type: 'heartbeat', heartbeat: { cron: '0 3 * *' }, email: { defaultSeverity: 'info' } },
          { name: 'Nagios mail', type: 'email', email: { dedupKeyPattern: 'Host (' } },
        ],
      }),
    ]);
    expect(bad.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string; message: string }> } }>(bad).details.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'body.documents.3.spec.integrations.0.email: is only accepted for type email',
      'body.documents.3.spec.integrations.0.heartbeat.cron: must have five fields (minute hour day-of-month month day-of-week), e.g. `0 3 * * *`',
      expect.stringMatching(/^body\.documents\.3\.spec\.integrations\.1\.email\.dedupKeyPattern: is not a regular expression/),
    ]);
  });

  it('leaves an unlisted integration alone without --prune; with it, disables it (history kept) and deletes unlisted services', async () => {
    expect((await apply([...base, checkout()])).statusCode).toBe(200);
    const other = { apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name: 'search' }, spec: { name: 'Search' } };
    expect((await apply([...base, checkout(), other])).statusCode).toBe(200);
    const onlyPrometheus = checkout({ integrations: [{ name: 'Prometheus', type: 'alertmanager' }] });

    expect(json<ConfigPlan>(await plan([...base, onlyPrometheus])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const pruned = json<ConfigPlan>(await plan([...base, onlyPrometheus], true));
    expect(actions(pruned)).toEqual(['update Service checkout', 'delete Service search']);
    expect(pruned.changes.find((c) => c.kind === 'Service' && c.action === 'update')?.diff).toEqual([
      { field: 'spec.integrations[Nagios].type', before: 'events-v2', after: null },
      { field: 'spec.integrations[Nagios].disabled', before: false, after: null },
    ]);
    expect((await apply([...base, onlyPrometheus], true)).statusCode).toBe(200);
    expect((await service('checkout')).integrations.find((i) => i.name === 'Nagios')?.disabled).toBe(true);
    expect((await t.app.inject({ url: '/api/v1/services/search', headers: bearer(token) })).statusCode).toBe(404);
    // What prune left behind is not managed any more: planning again with --prune changes nothing.
    expect(json<ConfigPlan>(await plan([...base, onlyPrometheus], true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });
});

// ---- the CLI as a real child process against a real server

const SERVICES_YAML = `apiVersion: firebreak/v1
kind: User
metadata:
  name: root
spec:
  name: Test root
  email: root@example.test
  timeZone: Europe/Lisbon
  role: owner
---
apiVersion: firebreak/v1
kind: Team
metadata:
  name: platform
spec:
  name: Platform
---
apiVersion: firebreak/v1
kind: Service
metadata:
  name: checkout
spec:
  name: Checkout API
  team: platform
  dashboardUrl: https://grafana.example.com/d/checkout
  urgency:
    warning: high
  integrations:
    - name: Prometheus
      type: alertmanager
    - name: Nightly backup
      type: heartbeat
      heartbeat:
        cron: 0 3 * * *
        timeZone: Europe/Lisbon
`;

describe('firebreak config with Service documents', () => {
  let dir: ScratchDir;
  let server: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = scratchDir('firebreak-service-config-');
    ({ server, env } = await serverWithToken());
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  const write = (name: string, text: string) => dir.write(name, text);

  it('validate reports an unknown team with file:line:column, and a bad field', async () => {
    const file = write('bad.yaml', SERVICES_YAML.replace('  team: platform\n', '  team: ghosts\n  colour: red\n'));
    const result = await cli(['config', 'validate', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `${file}:25:3: Service/checkout: spec.colour: is not a known field (check the spelling)`,
    ]);
    const unknownTeam = write('unknown-team.yaml', SERVICES_YAML.replace('  team: platform\n', '  team: ghosts\n'));
    const second = await cli(['config', 'validate', '-f', unknownTeam]);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain(`${unknownTeam}:24:9: Service/checkout: spec.team: Team \`ghosts\` is not defined in these files`);
  });

  it('plan, apply, apply again (no changes) and export round-trip a Service', async () => {
    const file = write('services.yaml', SERVICES_YAML);
    expect((await cli(['config', 'validate', '-f', file])).code).toBe(0);
    const planned = await cli(['config', 'plan', '-f', file], env);
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toContain('+ create Service checkout\n');
    expect(planned.stdout).toContain('    spec.integrations[Prometheus].type: "alertmanager"\n');
    expect(planned.stdout).toContain('    spec.integrations[Nightly backup].heartbeat.cron: "0 3 * * *"\n');
    const applied = await cli(['config', 'apply', '--yes', '-f', file], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied: 2 created, 0 updated, 0 deleted, 1 unchanged.');
    const again = await cli(['config', 'plan', '-f', file], env);
    expect(again.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged.');

    const exported = await cli(['config', 'export'], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('kind: Service\nmetadata:\n  name: checkout\nspec:\n  name: Checkout API\n  team: platform\n');
    expect(exported.stdout).toContain('  integrations:\n    - name: Nightly backup\n      type: heartbeat\n      disabled: false\n      heartbeat:\n        cron: 0 3 * * *\n        timeZone: Europe/Lisbon\n        graceSeconds: 3600\n        severity: error\n    - name: Prometheus\n      type: alertmanager\n      disabled: false\n');
    const roundTrip = await cli(['config', 'plan', '-f', write('exported.yaml', exported.stdout)], env);
    expect(roundTrip.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged.');
  });
});
