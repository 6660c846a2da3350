import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases, postgresUrl } from '../../../../test/support/databases.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import type { Service } from '../../../contracts/alerts.js';
import type { Change, IncidentChange } from '../../../contracts/changes.js';
import type { Incident, IncidentTimelineEntry } from '../../../contracts/incidents.js';
import { ManualClock } from '../../platform/clock.js';
import { openDatabase, type FirebreakDatabase } from '../../platform/db/database.js';

interface ErrorBody {
  code: string;
  message: string;
  details: { issues?: Array<{ path: string; message: string }> } | null;
}
interface IncidentChanges {
  items: IncidentChange[];
  window: { from: string; to: string };
  suspectWindow: { from: string; to: string };
  services: string[];
}

for (const dialect of dialectCases()) describe(`changes on incidents (${dialect.name})`, () => {
  let t: TestApp;
  let ana: string;
  let ben: string;
  let vic: string;

  const call = (token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const record = async (payload: Record<string, unknown>, token = ben) => {
    const res = await call(token, 'POST', '/api/v1/changes', payload);
    expect(res.statusCode, res.body).toBe(201);
    return json<Change>(res);
  };
  const changesOf = async (ref: string, query = '') => {
    const res = await call(vic, 'GET', `/api/v1/incidents/${ref}/changes${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return json<IncidentChanges>(res);
  };
  const mark = (ref: string, change: string, payload: Record<string, unknown>, token = ben) => call(token, 'PUT', `/api/v1/incidents/${ref}/changes/${change}`, payload);
  const issues = (res: { statusCode: number; body: string }) => [res.statusCode, (JSON.parse(res.body) as ErrorBody).details?.issues?.map((i) => i.path)];

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    ana = (await t.userWithToken('admin', 'ana')).token;
    ben = (await t.userWithToken('responder', 'ben')).token;
    vic = (await t.userWithToken('viewer', 'vic')).token;
    for (const handle of ['payments', 'search']) expect((await call(ana, 'POST', '/api/v1/services', { handle, name: handle })).statusCode).toBe(201);
    const checkout = await call(ana, 'POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout', dependsOn: ['payments'] });
    expect(checkout.statusCode, checkout.body).toBe(201);
  });
  afterEach(async () => t.close());

  it('lists the changes of the impacted services and their dependencies newest first, flagging those in the 4 hours before detection', async () => {
    expect(json<Service>(await call(vic, 'GET', '/api/v1/services/checkout')).dependsOn).toEqual(['payments']);
    await record({ service: 'checkout', summary: 'Deploy checkout v1.40.0', timestamp: '2026-11-20T08:00:00Z' });
    const early = await record({ service: 'checkout', summary: 'Deploy checkout v1.41.0', timestamp: '2026-11-21T02:00:00Z' });
    const pool = await record({ service: 'payments', summary: 'Payments: connection pool 50 → 10', timestamp: '2026-11-21T07:30:00+00:00', source: 'terraform' });
    const deploy = await record({
      service: 'checkout', summary: 'Deploy checkout v1.42.0', version: 'v1.42.0', commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', author: 'ana',
      link: 'https://ci.example.test/runs/812', rollbackLink: 'https://ci.example.test/rollback?to=v1.41.0', timestamp: '2026-11-21T08:45:00Z', source: 'github-actions', details: { pipeline: 812 },
    });
    expect(deploy).toMatchObject({
      serviceHandle: 'checkout', integrationId: null, version: 'v1.42.0', commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', author: 'ana', link: 'https://ci.example.test/runs/812',
      rollbackLink: 'https://ci.example.test/rollback?to=v1.41.0', timestamp: '2026-11-21T08:45:00.000Z', receivedAt: '2026-11-21T09:00:00.000Z', source: 'github-actions', details: { pipeline: 812 }, recordedBy: 'ben (API token)', links: [],
    });
    await record({ service: 'search', summary: 'Deploy search v3', timestamp: '2026-11-21T08:50:00Z' });
    // A PagerDuty change event on checkout, received now (after detection): listed, not a suspect.
    const { key } = json<{ key: string }>(await call(ana, 'POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'CD' }));
    const enqueued = await t.app.inject({ method: 'POST', url: '/v2/change/enqueue', payload: { routing_key: key, payload: { summary: 'Feature flag new-cart on' } } });
    expect(enqueued.statusCode, enqueued.body).toBe(202);

    const declared = await call(ben, 'POST', '/api/v1/incidents', { title: 'Card payments fail', severity: 'SEV2', impactedServices: ['checkout'], detectedAt: '2026-11-21T08:55:00Z' });
    expect(declared.statusCode, declared.body).toBe(201);
    t.clock.advance(10 * 60_000);

    const listed = await changesOf('INC-1');
    expect(listed.items.map((c) => [c.summary, c.suspect, c.relation, c.dependencyOf, c.mark])).toEqual([
      ['Feature flag new-cart on', false, 'impacted', [], null],
      ['Deploy checkout v1.42.0', true, 'impacted', [], null],
      ['Payments: connection pool 50 → 10', true, 'dependency', ['checkout'], null],
      ['Deploy checkout v1.41.0', false, 'impacted', [], null],
    ]);
    expect(listed.window).toEqual({ from: '2026-11-20T08:55:00.000Z', to: '2026-11-21T09:10:00.000Z' });
    expect(listed.suspectWindow).toEqual({ from: '2026-11-21T04:55:00.000Z', to: '2026-11-21T08:55:00.000Z' });
    expect(listed.services).toEqual(['checkout', 'payments']);
    expect((await changesOf('INC-1', '?lookbackHours=2')).items.map((c) => c.id)).toEqual([listed.items[0]?.id, deploy.id, pool.id]);
    expect((await t.app.inject({ url: '/api/v1/incidents/INC-1/changes' })).statusCode).toBe(401);
    expect((await call(vic, 'GET', '/api/v1/incidents/INC-9/changes')).statusCode).toBe(404);

    // Marking: on the timeline (kind change), audited, kept; the same mark again changes nothing.
    const caused = await mark('INC-1', deploy.id, { mark: 'caused', note: 'the new cart calls payments twice' });
    expect(caused.statusCode, caused.body).toBe(200);
    expect(json<IncidentChange>(caused)).toMatchObject({ id: deploy.id, suspect: true, relation: 'impacted', mark: { mark: 'caused', note: 'the new cart calls payments twice', markedBy: 'ben (API token)', markedAt: '2026-11-21T09:10:00.000Z' } });
    expect((await mark('INC-1', deploy.id, { mark: 'caused' })).statusCode).toBe(200);
    await mark('INC-1', pool.id, { mark: 'suspect' });
    await mark('INC-1', early.id, { mark: 'dismissed' });
    const timeline = json<{ items: IncidentTimelineEntry[] }>(await call(vic, 'GET', '/api/v1/incidents/INC-1/timeline')).items.filter((e) => e.kind === 'change');
    expect(timeline.map((e) => [e.action, e.actor, e.summary])).toEqual([
      ['change-caused', 'ben (API token)', 'Marked change checkout: Deploy checkout v1.42.0 as the cause: the new cart calls payments twice'],
      ['change-suspect', 'ben (API token)', 'Marked change payments: Payments: connection pool 50 → 10 as a suspect'],
      ['change-dismissed', 'ben (API token)', 'Marked change checkout: Deploy checkout v1.41.0 as not related'],
    ]);
    expect(timeline[0]?.data).toEqual({ changeId: deploy.id, serviceHandle: 'checkout', mark: 'caused', previous: null });
    const audit = json<{ items: Array<{ action: string; before: unknown; after: unknown }> }>(await call(ana, 'GET', `/api/v1/audit?targetId=${json<Incident>(declared).id}`)).items.filter((a) => a.action === 'incident.change-mark');
    expect(audit).toHaveLength(3);
    expect(audit.map((a) => a.after)).toContainEqual({ changeId: deploy.id, mark: 'caused', note: 'the new cart calls payments twice' });

    // A change of a service the incident does not list can be marked; it is then listed as `other`.
    const search = json<{ items: Change[] }>(await call(vic, 'GET', '/api/v1/services/search/changes')).items[0] as Change;
    expect(json<IncidentChange>(await mark('INC-1', search.id, { mark: 'dismissed' }))).toMatchObject({ relation: 'other', suspect: true, mark: { mark: 'dismissed' } });
    expect((await changesOf('INC-1')).items.map((c) => [c.serviceHandle, c.relation, c.mark?.mark ?? null])).toEqual([
      ['checkout', 'impacted', null],
      ['search', 'other', 'dismissed'],
      ['checkout', 'impacted', 'caused'],
      ['payments', 'dependency', 'suspect'],
      ['checkout', 'impacted', 'dismissed'],
    ]);
    // Clearing: unlisted again, and on the timeline.
    expect(json<IncidentChange>(await mark('INC-1', search.id, { mark: null })).mark).toBeNull();
    expect((await changesOf('INC-1')).items.map((c) => c.serviceHandle)).not.toContain('search');
    const last = json<{ items: IncidentTimelineEntry[] }>(await call(vic, 'GET', '/api/v1/incidents/INC-1/timeline')).items.at(-1);
    expect([last?.kind, last?.summary]).toEqual(['change', 'Cleared the mark on change search: Deploy search v3']);

    // Marks are kept for analytics: changes marked caused, per service.
    const marks = json<{ items: Array<Record<string, unknown>> }>(await call(vic, 'GET', '/api/v1/change-marks?mark=caused&service=checkout&since=2026-11-21T00:00:00Z'));
    expect(marks.items).toEqual([
      { incidentId: json<Incident>(declared).id, incidentReference: 'INC-1', changeId: deploy.id, serviceId: deploy.serviceId, serviceHandle: 'checkout', changeTimestamp: '2026-11-21T08:45:00.000Z', mark: 'caused', markedBy: 'ben (API token)', markedAt: '2026-11-21T09:10:00.000Z' },
    ]);
    expect(json<{ items: unknown[] }>(await call(vic, 'GET', '/api/v1/change-marks')).items).toHaveLength(3);

    // A change recorded while the incident is open tells its live pages (its service, or a dependency's);
    // an unrelated service's does not.
    const heard: string[] = [];
    const unsubscribe = t.firebreak.services.events.subscribe((event) => void (event.type === 'incident' && heard.push(`${event.incident.reference} ${event.incident.action}`)));
    await record({ service: 'payments', summary: 'Payments: pool size back to 50' });
    await record({ service: 'search', summary: 'Deploy search v4' });
    unsubscribe();
    expect(heard).toEqual(['INC-1 change-recorded']);

    // After the all clear, later changes are not listed; marks can still be set (the postmortem comes later).
    expect((await call(ben, 'POST', '/api/v1/incidents/INC-1/status', { status: 'resolved' })).statusCode).toBe(200);
    t.clock.advance(60 * 60_000);
    await record({ service: 'checkout', summary: 'Deploy checkout v1.42.1' });
    expect((await changesOf('INC-1')).items.map((c) => c.summary)).not.toContain('Deploy checkout v1.42.1');
    expect((await changesOf('INC-1')).window.to).toBe('2026-11-21T09:10:00.000Z');
    expect((await mark('INC-1', pool.id, { mark: 'dismissed' })).statusCode).toBe(200);
  });

  it('refuses bad input naming the field, unknown services, changes and incidents, and callers without the right', async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ service: 'checkout' }, ['body.summary']],
      [{ service: 'checkout', summary: '  ' }, ['body.summary']],
      [{ service: 'nope', summary: 'Deploy' }, ['body.service']],
      [{ service: 'checkout', summary: 'Deploy', link: 'javascript:alert(1)' }, ['body.link']],
      [{ service: 'checkout', summary: 'Deploy', rollbackLink: 'ftp://example.test/x' }, ['body.rollbackLink']],
      [{ service: 'checkout', summary: 'Deploy', timestamp: 'yesterday' }, ['body.timestamp']],
      [{ service: 'checkout', summary: 'Deploy', timestamp: '2026-11-21T10:30:00Z' }, ['body.timestamp']],
      [{ service: 'checkout', summary: 'Deploy', details: 'x' }, ['body.details']],
      [{ service: 'checkout', summary: 'Deploy', sha: 'abc' }, ['body']],
    ];
    for (const [body, paths] of cases) {
      const res = await call(ben, 'POST', '/api/v1/changes', body);
      expect(issues(res), JSON.stringify(body)).toEqual([400, paths]);
    }
    expect((await call(vic, 'POST', '/api/v1/changes', { service: 'checkout', summary: 'Deploy' })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/changes', payload: { service: 'checkout', summary: 'Deploy' } })).statusCode).toBe(401);
    // Within the hour of clock skew is fine.
    expect((await record({ service: 'checkout', summary: 'Deploy', timestamp: '2026-11-21T09:30:00Z' })).timestamp).toBe('2026-11-21T09:30:00.000Z');

    // A team-scoped token records on its team's services only.
    expect((await call(ana, 'POST', '/api/v1/teams', { handle: 'shop', name: 'Shop' })).statusCode).toBe(201);
    expect((await call(ana, 'PATCH', '/api/v1/services/checkout', { team: 'shop' })).statusCode).toBe(200);
    const created = await call(ana, 'POST', '/api/v1/tokens', { name: 'shop ci', role: 'responder', team: 'shop' });
    expect(created.statusCode, created.body).toBe(201);
    const scoped = json<{ secret: string }>(created).secret;
    expect((await record({ service: 'checkout', summary: 'Deploy from shop CI' }, scoped)).recordedBy).toBe('ana (API token)');
    const elsewhere = await call(scoped, 'POST', '/api/v1/changes', { service: 'payments', summary: 'Deploy' });
    expect([elsewhere.statusCode, json<ErrorBody>(elsewhere).code]).toEqual([403, 'FORBIDDEN']);

    // Marks.
    const change = await record({ service: 'checkout', summary: 'Deploy checkout v2' });
    expect((await call(ben, 'POST', '/api/v1/incidents', { title: 'Slow checkout', severity: 'SEV3', impactedServices: ['checkout'] })).statusCode).toBe(201);
    const unknownChange = await mark('INC-1', '01NOSUCHCHANGE', { mark: 'caused' });
    expect([unknownChange.statusCode, json<ErrorBody>(unknownChange).message]).toEqual([404, 'Change `01NOSUCHCHANGE` does not exist']);
    expect((await mark('INC-7', change.id, { mark: 'caused' })).statusCode).toBe(404);
    expect(issues(await mark('INC-1', change.id, { mark: 'maybe' }))).toEqual([400, ['body.mark']]);
    expect(issues(await mark('INC-1', change.id, {}))).toEqual([400, ['body.mark']]);
    expect((await mark('INC-1', change.id, { mark: 'caused' }, vic)).statusCode).toBe(403);
    expect(issues(await call(vic, 'GET', '/api/v1/change-marks?service=nope'))).toEqual([400, ['query.service']]);
  });

  it('keeps service dependencies: replaced on update, cycles allowed, never itself, unknown services refused', async () => {
    const patch = (ref: string, body: Record<string, unknown>) => call(ana, 'PATCH', `/api/v1/services/${ref}`, body);
    expect(json<Service>(await patch('checkout', { dependsOn: ['search', 'payments', 'search'] })).dependsOn).toEqual(['payments', 'search']);
    // A cycle: payments calls checkout back.
    expect(json<Service>(await patch('payments', { dependsOn: ['checkout'] })).dependsOn).toEqual(['checkout']);
    expect(issues(await patch('checkout', { dependsOn: ['payments', 'checkout'] }))).toEqual([400, ['body.dependsOn.1']]);
    expect(issues(await patch('checkout', { dependsOn: ['nope'] }))).toEqual([400, ['body.dependsOn.0']]);
    expect(issues(await call(ana, 'POST', '/api/v1/services', { handle: 'cart', name: 'Cart', dependsOn: ['nope'] }))).toEqual([400, ['body.dependsOn.0']]);
    expect((await call(vic, 'GET', '/api/v1/services/cart')).statusCode).toBe(404);
    // Unchanged when left out; emptied with [].
    expect(json<Service>(await patch('checkout', { name: 'Checkout API' })).dependsOn).toEqual(['payments', 'search']);
    // A deleted dependency is no longer shown.
    expect((await call(ana, 'DELETE' as 'PATCH', '/api/v1/services/search')).statusCode).toBe(204);
    expect(json<Service>(await call(vic, 'GET', '/api/v1/services/checkout')).dependsOn).toEqual(['payments']);
    expect(json<Service>(await patch('checkout', { dependsOn: [] })).dependsOn).toEqual([]);
    const audit = json<{ items: Array<{ action: string; after: { dependsOn?: string[] } }> }>(await call(ana, 'GET', '/api/v1/audit?action=service.update'));
    expect(audit.items.some((a) => a.after.dependsOn?.join(',') === 'payments,search')).toBe(true);
  });

  it('keeps dependencies in config-as-code: a Service may name one created later in the same apply; export round-trips', async () => {
    const owner = (await t.userWithToken('owner', 'root')).token;
    const doc = (name: string, dependsOn?: string[]) => ({ apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name }, spec: { name, ...(dependsOn ? { dependsOn } : {}) } });
    const apply = async (documents: unknown[]) => {
      const res = await call(owner, 'POST', '/api/v1/config/apply', { documents, prune: false });
      expect(res.statusCode, res.body).toBe(200);
      return json<{ changes: Array<{ action: string; kind: string; name: string }> }>(res).changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);
    };
    expect(await apply([doc('api', ['ledger', 'payments']), doc('ledger', ['api'])])).toEqual(['create Service api', 'create Service ledger']);
    expect(json<Service>(await call(vic, 'GET', '/api/v1/services/api')).dependsOn).toEqual(['ledger', 'payments']);
    expect(json<Service>(await call(vic, 'GET', '/api/v1/services/ledger')).dependsOn).toEqual(['api']);
    expect(await apply([doc('api', ['ledger', 'payments']), doc('ledger', ['api'])])).toEqual([]);
    const exported = json<{ documents: Array<{ kind: string; metadata: { name: string }; spec: { dependsOn?: string[] } }> }>(await call(owner, 'GET', '/api/v1/config/export'));
    expect(exported.documents.find((d) => d.kind === 'Service' && d.metadata.name === 'api')?.spec.dependsOn).toEqual(['ledger', 'payments']);
    expect(exported.documents.find((d) => d.kind === 'Service' && d.metadata.name === 'payments')?.spec.dependsOn).toBeUndefined();
    // Leaving `dependsOn` out of the document removes them.
    expect(await apply([doc('api'), doc('ledger', ['api'])])).toEqual(['update Service api']);
    expect(json<Service>(await call(vic, 'GET', '/api/v1/services/api')).dependsOn).toEqual([]);
  });
});

describe('migration 0019', () => {
  const unmigrated: Array<[string, () => Promise<FirebreakDatabase>]> = [['sqlite', async () => openDatabase({ sqlitePath: ':memory:' })]];
  const server = postgresUrl();
  if (server) unmigrated.push(['postgres', async () => openDatabase({ url: await createTestDatabase(server), poolSize: 2 })]);

  it.each(unmigrated)('gives change events recorded before it their time of change (%s)', async (_name, open) => {
    const database = await open();
    try {
      await database.migrateTo('0017-incidents');
      const db = database.db;
      await db.insertInto('services').values({ id: 'svc1', handle: 'checkout', name: 'Checkout', description: '', team_id: null, escalation_policy_id: null, runbook_url: null, dashboard_url: null, urgency_json: '{}', flap_window_minutes: 0, storm_threshold_per_minute: 0, created_at: 1, updated_at: 1, deleted_at: null }).execute();
      const old = { service_id: 'svc1', integration_id: null, summary: 'Deploy', source: null, links_json: '[]', details_json: null, received_at: 2_000 };
      // Only the columns the table had then (kysely's types describe the migrated table).
      await db.insertInto('changes').values({ ...old, id: 'c1', timestamp: 1_000 } as never).execute();
      await db.insertInto('changes').values({ ...old, id: 'c2', timestamp: null } as never).execute();
      await database.migrate();
      const rows = await db.selectFrom('changes').select(['id', 'happened_at', 'version', 'rollback_url']).orderBy('id').execute();
      expect(rows.map((r) => ({ ...r, happened_at: Number(r.happened_at) }))).toEqual([
        { id: 'c1', happened_at: 1_000, version: null, rollback_url: null },
        { id: 'c2', happened_at: 2_000, version: null, rollback_url: null },
      ]);
    } finally {
      await database.close();
    }
  });
});
