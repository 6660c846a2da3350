import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { cli, scratchDir, type ScratchDir, serverWithToken } from '../../../../test/support/config-cli.js';
import type { TestServer } from '../../../../test/support/server.js';
import type { Alert, Service } from '../../../contracts/alerts.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import type { MaintenanceWindow, Silence } from '../../../contracts/suppression.js';
import { ManualClock } from '../../platform/clock.js';

/** The MaintenanceWindow and Silence kinds of config-as-code (docs/config-as-code.md): API on every dialect, then the CLI. */

const root = { apiVersion: 'firebreak/v1', kind: 'User', metadata: { name: 'root' }, spec: { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' } };
const service = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name }, spec: { name: `Service ${name}`, ...spec } });
const base = [root, service('checkout', { integrations: [{ name: 'Nagios', type: 'events-v2' }] }), service('search')];

const dbUpgrade = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'MaintenanceWindow',
  metadata: { name: 'db-upgrade' },
  spec: { name: 'DB upgrade', description: 'Postgres 17', services: ['checkout'], startsAt: '2027-03-10T22:00:00+01:00', endsAt: '2027-03-11T02:00:00+01:00', ...spec },
});
const patching = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'MaintenanceWindow',
  metadata: { name: 'sunday-patching' },
  spec: {
    name: 'Sunday patching',
    services: ['search', 'checkout'],
    startsAt: '2027-01-03T02:00:00+01:00',
    recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU', durationMinutes: 120, timeZone: 'Europe/Berlin' },
    ...spec,
  },
});
const diskNoise = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'Silence',
  metadata: { name: 'disk-noise' },
  spec: { matchers: [{ name: '__title__', op: '=~', value: 'Disk.*' }], comment: 'Known: OPS-12', service: 'checkout', startsAt: '2027-03-01T11:00:00Z', endsAt: '2027-03-08T00:00:00Z', ...spec },
});
const staging = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'firebreak/v1',
  kind: 'Silence',
  metadata: { name: 'staging' },
  spec: { matchers: [{ name: 'env', op: '=', value: 'staging' }], comment: 'Staging is rebuilt', startsAt: '2027-03-01T12:00:00Z', durationMinutes: 1440, ...spec },
});
const all = () => [...base, dbUpgrade(), patching(), diskNoise(), staging()];

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);
type Issues = { code: string; details: { issues: Array<{ path: string; message: string }> } };

for (const dialect of dialectCases()) describe(`config-as-code: the MaintenanceWindow and Silence kinds (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2027-03-01T12:00:00Z') });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const post = (path: string, payload: unknown) => t.app.inject({ method: 'POST', url: path, headers: bearer(token), payload: payload as Record<string, unknown> });
  const get = (path: string) => t.app.inject({ url: path, headers: bearer(token) });
  const plan = (documents: unknown[], prune = false) => post('/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => post('/api/v1/config/apply', { documents, prune });
  const exported = async () => json<{ documents: ConfigDocument[] }>(await get('/api/v1/config/export')).documents;
  const windows = async () => json<{ items: MaintenanceWindow[] }>(await get('/api/v1/maintenance-windows')).items;
  const silences = async (state = 'pending,active,expired') => json<{ items: Silence[] }>(await get(`/api/v1/silences?state=${state}`)).items;
  const auditCount = async () => Number((await t.firebreak.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('creates windows and silences named by metadata.name, and they suppress as ones made through the API do', async () => {
    const res = await apply(all());
    expect(res.statusCode, res.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(res))).toEqual([
      'create Service checkout',
      'create Service search',
      'create MaintenanceWindow db-upgrade',
      'create MaintenanceWindow sunday-patching',
      'create Silence disk-noise',
      'create Silence staging',
    ]);
    const byName = new Map((await windows()).map((w) => [w.name, w]));
    expect(byName.get('DB upgrade')).toMatchObject({ description: 'Postgres 17', services: [{ handle: 'checkout' }], startsAt: '2027-03-10T21:00:00.000Z', endsAt: '2027-03-11T01:00:00.000Z', recurrence: null, active: false });
    expect(byName.get('Sunday patching')).toMatchObject({
      services: [{ handle: 'checkout' }, { handle: 'search' }],
      endsAt: null,
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU', durationMinutes: 120, timeZone: 'Europe/Berlin' },
      nextStartsAt: '2027-03-07T01:00:00.000Z',
    });
    const made = new Map((await silences()).map((s) => [s.comment, s]));
    expect(made.get('Known: OPS-12')).toMatchObject({ service: { handle: 'checkout' }, state: 'active', endsAt: '2027-03-08T00:00:00.000Z' });
    expect(made.get('Staging is rebuilt')).toMatchObject({ service: null, matchers: [{ name: 'env', op: '=', value: 'staging' }], endsAt: '2027-03-02T12:00:00.000Z' });
    // Each change is audited as a config apply.
    const audited = await t.firebreak.services.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', 'in', ['maintenance_window.create', 'silence.create']).execute();
    expect(audited).toHaveLength(4);
    expect(audited.every((a) => a.actor_label.endsWith('config apply'))).toBe(true);

    // The silence from the document silences a matching event of its service.
    const checkout = json<Service>(await get('/api/v1/services/checkout'));
    const { key } = json<{ key: string }>(await get(`/api/v1/services/checkout/integrations/${checkout.integrations[0]?.id}`));
    const event = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: key, event_action: 'trigger', dedup_key: 'disk', payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical' } } });
    expect(event.statusCode).toBe(202);
    const alert = json<{ items: Alert[] }>(await get('/api/v1/alerts?service=checkout')).items[0];
    expect(alert?.suppressedBy).toMatchObject({ kind: 'silence', name: 'Known: OPS-12' });
  });

  it('applying again, or its own export with --prune, changes nothing and writes no audit entry', async () => {
    expect((await apply(all())).statusCode).toBe(200);
    const audits = await auditCount();
    const again = json<ConfigApplyResult>(await apply(all()));
    expect(again.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 7 });
    const documents = await exported();
    expect(documents.filter((d) => d.kind === 'MaintenanceWindow' || d.kind === 'Silence')).toEqual([
      {
        apiVersion: 'firebreak/v1',
        kind: 'MaintenanceWindow',
        metadata: { name: 'db-upgrade' },
        spec: { name: 'DB upgrade', description: 'Postgres 17', services: ['checkout'], startsAt: '2027-03-10T21:00:00Z', endsAt: '2027-03-11T01:00:00Z' },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'MaintenanceWindow',
        metadata: { name: 'sunday-patching' },
        spec: { name: 'Sunday patching', services: ['checkout', 'search'], startsAt: '2027-01-03T01:00:00Z', recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU', durationMinutes: 120, timeZone: 'Europe/Berlin' } },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'Silence',
        metadata: { name: 'disk-noise' },
        spec: { matchers: [{ name: '__title__', op: '=~', value: 'Disk.*' }], comment: 'Known: OPS-12', service: 'checkout', startsAt: '2027-03-01T11:00:00Z', endsAt: '2027-03-08T00:00:00Z' },
      },
      {
        apiVersion: 'firebreak/v1',
        kind: 'Silence',
        metadata: { name: 'staging' },
        spec: { matchers: [{ name: 'env', op: '=', value: 'staging' }], comment: 'Staging is rebuilt', startsAt: '2027-03-01T12:00:00Z', endsAt: '2027-03-02T12:00:00Z' },
      },
    ]);
    const roundTrip = json<ConfigApplyResult>(await apply(documents, true));
    expect(roundTrip.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(await auditCount()).toBe(audits);
  });

  it('updates in place: the same window and silence, with the fields that changed', async () => {
    expect((await apply(all())).statusCode).toBe(200);
    const windowId = (await windows()).find((w) => w.name === 'DB upgrade')?.id;
    const silenceId = (await silences()).find((s) => s.comment === 'Known: OPS-12')?.id;
    const next = [...base, dbUpgrade({ services: ['checkout', 'search'], endsAt: '2027-03-11T03:00:00+01:00' }), patching(), diskNoise({ matchers: [{ name: '__title__', op: '=~', value: 'Disk( full)?.*' }], endsAt: '2027-03-09T00:00:00Z' }), staging()];
    const planned = json<ConfigPlan>(await plan(next));
    expect(actions(planned)).toEqual(['update MaintenanceWindow db-upgrade', 'update Silence disk-noise']);
    expect(planned.changes.find((c) => c.name === 'db-upgrade')?.diff).toEqual([
      { field: 'spec.services', before: ['checkout'], after: ['checkout', 'search'] },
      { field: 'spec.endsAt', before: '2027-03-11T01:00:00Z', after: '2027-03-11T02:00:00Z' },
    ]);
    expect(planned.changes.find((c) => c.name === 'disk-noise')?.diff).toEqual([
      { field: 'spec.matchers.0.value', before: 'Disk.*', after: 'Disk( full)?.*' },
      { field: 'spec.endsAt', before: '2027-03-08T00:00:00Z', after: '2027-03-09T00:00:00Z' },
    ]);
    expect((await apply(next)).statusCode).toBe(200);
    expect((await windows()).find((w) => w.id === windowId)).toMatchObject({ endsAt: '2027-03-11T02:00:00.000Z', services: [{ handle: 'checkout' }, { handle: 'search' }] });
    expect((await silences()).find((s) => s.id === silenceId)).toMatchObject({ matchers: [{ value: 'Disk( full)?.*' }], endsAt: '2027-03-09T00:00:00.000Z' });
    expect(await windows()).toHaveLength(2);
    expect(json<ConfigPlan>(await plan(next)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const updates = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('action', 'in', ['maintenance_window.update', 'silence.update']).execute();
    expect(updates.map((u) => u.action).sort()).toEqual(['maintenance_window.update', 'silence.update']);
  });

  it('leaves windows and silences in no document alone without --prune; with it, deletes windows and expires silences', async () => {
    expect((await apply(all())).statusCode).toBe(200);
    const kept = json<ConfigPlan>(await plan(base));
    expect(kept.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(kept.unmanaged).toEqual([
      { kind: 'MaintenanceWindow', name: 'db-upgrade' },
      { kind: 'MaintenanceWindow', name: 'sunday-patching' },
      { kind: 'Silence', name: 'disk-noise' },
      { kind: 'Silence', name: 'staging' },
    ]);
    const pruned = json<ConfigApplyResult>(await apply([...base, patching()], true));
    expect(actions(pruned)).toEqual(['delete Silence disk-noise', 'delete Silence staging', 'delete MaintenanceWindow db-upgrade']);
    expect((await windows()).map((w) => w.name)).toEqual(['Sunday patching']);
    expect((await silences()).map((s) => s.state)).toEqual(['expired', 'expired']);
    expect(await silences('pending,active')).toEqual([]);
    // Expired silences are not exported, and pruning again finds nothing to do.
    expect((await exported()).filter((d) => d.kind === 'Silence')).toEqual([]);
    expect(json<ConfigPlan>(await plan([...base, patching()], true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    // A Service a kept window names cannot be pruned away under it.
    const orphan = await plan([root, service('checkout', { integrations: [{ name: 'Nagios', type: 'events-v2' }] }), patching()], true);
    expect(orphan.statusCode).toBe(400);
    expect(json<Issues>(orphan).details.issues).toEqual([
      { path: 'body.documents.2.spec.services.0', message: 'Service `search` is in no document, so --prune would delete it; add its Service document' },
    ]);
  });

  it('exports only what has not ended; a document about one that ended still plans no change', async () => {
    expect((await apply(all())).statusCode).toBe(200);
    t.clock.set('2027-03-12T00:00:00Z');
    const names = (await exported()).filter((d) => d.kind === 'MaintenanceWindow' || d.kind === 'Silence').map((d) => `${d.kind}/${d.metadata.name}`);
    expect(names).toEqual(['MaintenanceWindow/sunday-patching']);
    const audits = await auditCount();
    const again = json<ConfigApplyResult>(await apply(all()));
    expect(again.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 7 });
    expect(json<ConfigPlan>(await plan(base, true)).changes.filter((c) => c.action === 'delete').map((c) => c.name)).toEqual(['sunday-patching']);
    expect(await auditCount()).toBe(audits);
  });

  it('names windows and silences made through the API window-<id> and silence-<id>, and manages them from then on', async () => {
    expect((await apply(base)).statusCode).toBe(200);
    const made = json<MaintenanceWindow>(await post('/api/v1/maintenance-windows', { name: 'Manual', services: ['search'], startsAt: '2027-03-05T10:00:00Z', durationMinutes: 60 }));
    const silenced = json<Silence>(await post('/api/v1/silences', { matchers: [{ name: 'host', op: '=', value: 'db-2' }], comment: 'Rebuilding db-2', durationMinutes: 30 }));
    const documents = await exported();
    const windowName = `window-${made.id.toLowerCase()}`;
    const silenceName = `silence-${silenced.id.toLowerCase()}`;
    expect(documents.find((d) => d.kind === 'MaintenanceWindow')).toEqual({
      apiVersion: 'firebreak/v1',
      kind: 'MaintenanceWindow',
      metadata: { name: windowName },
      spec: { name: 'Manual', services: ['search'], startsAt: '2027-03-05T10:00:00Z', endsAt: '2027-03-05T11:00:00Z' },
    });
    expect(documents.find((d) => d.kind === 'Silence')?.metadata.name).toBe(silenceName);
    expect(json<ConfigPlan>(await plan(documents, true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const renamed = documents.map((d) => (d.kind === 'MaintenanceWindow' ? { ...d, spec: { ...d.spec, name: 'Manual, longer', endsAt: '2027-03-05T12:00:00Z' } } : d));
    const applied = json<ConfigApplyResult>(await apply(renamed, true));
    expect(actions(applied)).toEqual([`update MaintenanceWindow ${windowName}`]);
    expect(await windows()).toMatchObject([{ id: made.id, name: 'Manual, longer', endsAt: '2027-03-05T12:00:00.000Z' }]);
  });

  it('answers an invalid RRULE, time zone or regex and an unknown service with 400 naming the field, before changing anything', async () => {
    // A field its schema refuses (the time zone) is reported first, as for every kind.
    const zone = await plan([...base, patching({ recurrence: { rrule: 'FREQ=DAILY', durationMinutes: 60, timeZone: 'Europe/Atlantis' } })]);
    expect(zone.statusCode).toBe(400);
    expect(json<Issues>(zone).details.issues).toEqual([{ path: 'body.documents.3.spec.recurrence.timeZone', message: 'must be an IANA time zone such as Europe/Lisbon or America/New_York' }]);
    // Then the API's own rules and the references, every problem at once.
    const res = await plan([
      ...base,
      patching({ recurrence: { rrule: 'FREQ=SECONDLY', durationMinutes: 60, timeZone: 'Europe/Berlin' } }),
      diskNoise({ matchers: [{ name: 'instance', op: '=~', value: 'db-(1' }] }),
      dbUpgrade({ services: ['checkout', 'payments'] }),
      staging({ service: 'ghost' }),
    ]);
    expect(res.statusCode).toBe(400);
    const body = json<Issues>(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.issues.map((i) => i.path)).toEqual(['body.documents.3.spec.recurrence.rrule', 'body.documents.4.spec.matchers.0.value', 'body.documents.5.spec.services.1', 'body.documents.6.spec.service']);
    expect(body.details.issues[0]?.message).toBe('must have FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY');
    expect(body.details.issues[1]?.message).toMatch(/regular expression|regex/i);
    expect(body.details.issues[2]?.message).toBe('Service `payments` is not defined in these files and does not exist on the server');

    const past = await apply([...base, staging({ startsAt: '2027-02-01T00:00:00Z', durationMinutes: 60 })]);
    expect(past.statusCode).toBe(400);
    expect(json<Issues>(past).details.issues).toEqual([{ path: 'body.documents.3.spec.endsAt', message: '2027-02-01T01:00:00Z has passed: a new silence must end in the future' }]);
    const oneOff = await apply([...base, dbUpgrade({ endsAt: undefined })]);
    expect(json<Issues>(oneOff).details.issues).toEqual([{ path: 'body.documents.3.spec.endsAt', message: 'is required for a one-off window (or give durationMinutes, or a recurrence)' }]);
    expect(await windows()).toEqual([]);
    expect((await get('/api/v1/services/checkout')).statusCode).toBe(404);
  });
});

// ---- the CLI as a real child process against a real server

// The server runs on the real clock: these are in the future.
const SUPPRESSION_YAML = `apiVersion: firebreak/v1
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
kind: Service
metadata:
  name: checkout
spec:
  name: Checkout API
---
apiVersion: firebreak/v1
kind: MaintenanceWindow
metadata:
  name: sunday-patching
spec:
  name: Sunday patching
  services:
    - checkout
  startsAt: 2030-01-06T02:00:00+01:00
  recurrence:
    rrule: FREQ=WEEKLY;BYDAY=SU
    durationMinutes: 120
    timeZone: Europe/Berlin
---
apiVersion: firebreak/v1
kind: Silence
metadata:
  name: staging-noise
spec:
  matchers:
    - name: env
      op: "=~"
      value: staging|qa
  comment: Staging is being rebuilt
  service: checkout
  startsAt: 2030-01-01T00:00:00Z
  endsAt: 2030-02-01T00:00:00Z
`;

describe('firebreak config with MaintenanceWindow and Silence documents', () => {
  let dir: ScratchDir;
  let server: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = scratchDir('firebreak-suppression-config-');
    ({ server, env } = await serverWithToken());
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  const write = (name: string, text: string) => dir.write(name, text);
  /** `file:line:column` of the value on the line of `text` that holds `needle` (`key: value`). */
  const at = (file: string, text: string, needle: string) => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return `${file}:${line + 1}:${(lines[line] ?? '').indexOf(': ') + 3}`;
  };

  it('validate reports an invalid time zone, regex and RRULE at file:line:column', async () => {
    const text = SUPPRESSION_YAML.replace('rrule: FREQ=WEEKLY;BYDAY=SU', 'rrule: FREQ=SECONDLY').replace('timeZone: Europe/Berlin', 'timeZone: Europe/Atlantis').replace('value: staging|qa', 'value: staging|(qa');
    const file = write('bad.yaml', text);
    const result = await cli(['config', 'validate', '-f', file]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toEqual([
      `${at(file, text, 'timeZone: Europe/Atlantis')}: MaintenanceWindow/sunday-patching: spec.recurrence.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York`,
      `${at(file, text, 'value: staging|(qa')}: Silence/staging-noise: spec.matchers.0.value: is not a valid regular expression: missing \`)\` at position 18`,
    ]);
    // The time zone fails the window's schema, so its rule is checked once the document parses.
    const badRule = SUPPRESSION_YAML.replace('rrule: FREQ=WEEKLY;BYDAY=SU', 'rrule: FREQ=SECONDLY');
    const rrule = write('bad-rrule.yaml', badRule);
    const second = await cli(['config', 'validate', '-f', rrule]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe(`${at(rrule, badRule, 'rrule: ')}: MaintenanceWindow/sunday-patching: spec.recurrence.rrule: must have FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY\n`);
  });

  it('plan, apply, apply again (no changes), export round-trip, and prune', async () => {
    const file = write('suppression.yaml', SUPPRESSION_YAML);
    expect((await cli(['config', 'validate', '-f', file])).code).toBe(0);
    const planned = await cli(['config', 'plan', '-f', file], env);
    expect(planned.stderr).toBe('');
    expect(planned.stdout).toContain('+ create MaintenanceWindow sunday-patching\n');
    expect(planned.stdout).toContain('    spec.recurrence.rrule: "FREQ=WEEKLY;BYDAY=SU"\n');
    expect(planned.stdout).toContain('+ create Silence staging-noise\n');
    expect(planned.stdout).toContain('    spec.startsAt: "2030-01-01T00:00:00Z"\n');
    const applied = await cli(['config', 'apply', '--yes', '-f', file], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied: 3 created, 0 updated, 0 deleted, 1 unchanged.');
    const again = await cli(['config', 'plan', '-f', file], env);
    expect(again.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged.');

    const exported = await cli(['config', 'export'], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('kind: MaintenanceWindow\nmetadata:\n  name: sunday-patching\nspec:\n  name: Sunday patching\n  services: [checkout]\n  startsAt: 2030-01-06T01:00:00Z\n');
    expect(exported.stdout).toContain('kind: Silence\nmetadata:\n  name: staging-noise\n');
    const roundTrip = await cli(['config', 'plan', '-f', write('exported.yaml', exported.stdout)], env);
    expect(roundTrip.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged.');

    const withoutThem = write('pruned.yaml', SUPPRESSION_YAML.split('---\n').slice(0, 2).join('---\n'));
    const pruned = await cli(['config', 'apply', '--yes', '--prune', '-f', withoutThem], env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('- delete Silence staging-noise (expire; history is kept)\n');
    expect(pruned.stdout).toContain('- delete MaintenanceWindow sunday-patching (delete; history is kept)\n');
    const after = await cli(['config', 'plan', '--prune', '-f', withoutThem], env);
    expect(after.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged.');
  });
});
