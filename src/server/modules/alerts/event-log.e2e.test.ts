import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases, postgresUrl } from '../../../../test/support/databases.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import type { Alert } from '../../../contracts/alerts.js';
import { ManualClock } from '../../platform/clock.js';
import { openDatabase, type FirebreakDatabase } from '../../platform/db/database.js';

interface Preview {
  items: Array<{ title: string | null; action: string; dedupKey: string | null; storedOutcome: string }>;
}

// The event log by receiving service (migration 0029, ADR 0045) and the intake's open alerts kept in
// memory (ADR 0045): what each must still get right.
for (const dialect of dialectCases()) describe(`the event log and repeated events (${dialect.name})`, () => {
  let t: TestApp;
  let admin: string;
  let eventsKey: string;

  const api = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: bearer(admin), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const trigger = (dedup_key: string, summary = 'Disk full on db-1') => t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: eventsKey, event_action: 'trigger', dedup_key, payload: { summary, source: 'db-1', severity: 'error' } } });
  const preview = async (service: string) => json<Preview>(await api('POST', `/api/v1/services/${service}/rules/preview`, { limit: 50 })).items;
  const alert = async (dedupKey: string) => json<{ items: Alert[] }>(await api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).items.find((a) => a.dedupKey === dedupKey);

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-22T06:00:00Z') });
    admin = (await t.userWithToken('admin')).token;
    for (const handle of ['checkout', 'databases']) expect((await api('POST', '/api/v1/services', { handle, name: handle })).statusCode).toBe(201);
    eventsKey = json<{ key: string }>(await api('POST', '/api/v1/services/checkout/integrations', { type: 'events-v2', name: 'Nagios' })).key;
  });
  afterEach(async () => t.close());

  it('previews a service against the events it received: its integrations, API triggers naming it, and events its rules routed away', async () => {
    expect((await trigger('from-nagios')).statusCode).toBe(202);
    expect((await api('POST', '/api/v1/alerts', { service: 'checkout', title: 'Raised by hand', dedupKey: 'by-hand' })).statusCode).toBe(200);
    expect((await api('POST', '/api/v1/alerts', { service: 'databases', title: 'Elsewhere', dedupKey: 'other-service' })).statusCode).toBe(200);
    const rules = [{ name: 'db', conditions: [{ field: 'title', op: 'regex', value: '^Replica' }], actions: { routeTo: 'databases' } }];
    expect((await api('PUT', '/api/v1/services/checkout/rules', { rules })).statusCode).toBe(200);
    expect((await trigger('routed', 'Replica lag on db-2')).statusCode).toBe(202);
    expect((await alert('routed'))?.serviceHandle).toBe('databases');

    expect((await preview('checkout')).map((i) => i.dedupKey)).toEqual(['routed', 'by-hand', 'from-nagios']);
    expect((await preview('databases')).map((i) => i.dedupKey)).toEqual(['other-service']);
    const rows = await t.firebreak.services.database.db.selectFrom('alert_events').select(['dedup_key', 'service_id']).orderBy('id').execute();
    expect(rows.every((r) => typeof r.service_id === 'string')).toBe(true);
  });

  it('applies a repeated event to the alert as stored, after a write the intake did not make', async () => {
    expect((await trigger('disk')).statusCode).toBe(202);
    expect((await trigger('disk')).statusCode).toBe(202);
    const db = t.firebreak.services.database.db;
    // Another process on the same database acknowledges it (every write moves the revision).
    await db
      .updateTable('alerts')
      .set((eb) => ({ status: 'acknowledged', acknowledged_at: Date.parse('2026-11-22T06:00:00Z'), acknowledged_by: 'elsewhere', revision: eb('revision', '+', 1) }))
      .where('dedup_key', '=', 'disk')
      .execute();
    expect((await trigger('disk')).statusCode).toBe(202);
    expect(await alert('disk')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'elsewhere', eventCount: 3 });
    // Resolved elsewhere: the next trigger opens a new alert rather than updating the closed one.
    await db
      .updateTable('alerts')
      .set((eb) => ({ status: 'resolved', open_dedup_key: null, resolved_at: Date.parse('2026-11-22T06:00:00Z'), resolved_by: 'elsewhere', revision: eb('revision', '+', 1) }))
      .where('dedup_key', '=', 'disk')
      .execute();
    expect((await trigger('disk')).statusCode).toBe(202);
    const all = await db.selectFrom('alerts').select(['number', 'status', 'event_count']).where('dedup_key', '=', 'disk').orderBy('number').execute();
    expect(all).toEqual([
      { number: 1, status: 'resolved', event_count: 3 },
      { number: 2, status: 'triggered', event_count: 1 },
    ]);
  });
});

describe('migration 0029: the event log by service', () => {
  const unmigrated: Array<[string, () => Promise<FirebreakDatabase>]> = [['sqlite', async () => openDatabase({ sqlitePath: ':memory:' })]];
  const server = postgresUrl();
  if (server) unmigrated.push(['postgres', async () => openDatabase({ url: await createTestDatabase(server), poolSize: 2 })]);

  it.each(unmigrated)('gives stored events the service of their integration, else of their alert (%s)', async (_name, open) => {
    const database = await open();
    try {
      await database.migrateTo('0028-status-page-access');
      const db = database.db;
      const service = { description: '', team_id: null, escalation_policy_id: null, runbook_url: null, dashboard_url: null, urgency_json: '{}', flap_window_minutes: 0, storm_threshold_per_minute: 0, created_at: 1, updated_at: 1, deleted_at: null };
      await db.insertInto('services').values([{ ...service, id: 's1', handle: 'checkout', name: 'Checkout' }, { ...service, id: 's2', handle: 'db', name: 'DB' }]).execute();
      await db.insertInto('integrations').values({ id: 'i1', service_id: 's1', type: 'events-v2', name: 'Nagios', key_sealed: 'x', key_lookup: 'h1', previous_key_lookup: null, previous_key_valid_until: null, disabled: 0, created_at: 1, updated_at: 1, last_event_at: null } as never).execute();
      await sql`insert into alerts (id, number, service_id, integration_id, dedup_key, open_dedup_key, title, description, source, severity, urgency, status, event_count, first_seen_at, last_seen_at, labels_json, links_json, images_json, members_json, revision, created_at, updated_at)
        values ('a1', 1, 's2', null, 'k', 'k', 'T', '', null, 'error', 'high', 'triggered', 1, 1, 1, '{}', '[]', '[]', '[]', 1, 1, 1)`.execute(db);
      const event = { received_at: 1, format: 'events-v2', action: 'trigger', dedup_key: 'k', payload_json: '{}', outcome: 'created' };
      // Only the columns the table had then (kysely's types describe the migrated table).
      await db
        .insertInto('alert_events')
        .values([
          { ...event, id: 'e1', alert_id: 'a1', integration_id: 'i1' },
          { ...event, id: 'e2', alert_id: 'a1', integration_id: null },
          { ...event, id: 'e3', alert_id: null, integration_id: null, outcome: 'dropped' },
        ] as never)
        .execute();
      await database.migrate();
      const rows = await db.selectFrom('alert_events').select(['id', 'service_id']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'e1', service_id: 's1' },
        { id: 'e2', service_id: 's2' },
        { id: 'e3', service_id: null },
      ]);
    } finally {
      await database.close();
    }
  });
});
