import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Change, listChangesQuery } from '../../../contracts/alerts.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { ChangesTable, Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { ServiceCatalog } from '../services/service.service.js';
import type { ChangeEvent } from './formats/change-events.js';

/**
 * Change events on services (deploys, configuration changes): recorded by `POST /v2/change/enqueue`,
 * listed newest first by `GET /api/v1/services/{service}/changes` and on the service page. They never
 * open alerts and never notify; they are context for whoever looks at an alert ("what changed?").
 */
export class ChangeLog {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; services: ServiceCatalog }) {}

  async record(db: Kysely<Database>, where: { serviceId: string; integrationId: string | null }, change: ChangeEvent): Promise<Change> {
    const row: ChangesTable = {
      id: this.deps.ids(),
      service_id: where.serviceId,
      integration_id: where.integrationId,
      summary: change.summary,
      source: change.source,
      timestamp: change.timestamp,
      links_json: JSON.stringify(change.links),
      details_json: change.details === null ? null : JSON.stringify(change.details),
      received_at: this.deps.clock.now(),
    };
    await db.insertInto('changes').values(row).execute();
    if (where.integrationId) await db.updateTable('integrations').set({ last_event_at: row.received_at }).where('id', '=', where.integrationId).execute();
    return toChange(row);
  }

  async list(serviceRef: string, query: z.output<typeof listChangesQuery>): Promise<{ items: Change[]; nextBefore: string | null }> {
    const db = this.deps.database.db;
    const service = await this.deps.services.require(db, serviceRef);
    let q = db.selectFrom('changes').selectAll().where('service_id', '=', service.id).orderBy('id', 'desc').limit(query.limit + 1);
    if (query.before) q = q.where('id', '<', query.before);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return { items: page.map(toChange), nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null };
  }
}

function toChange(row: ChangesTable): Change {
  return {
    id: row.id,
    serviceId: row.service_id,
    integrationId: row.integration_id,
    summary: row.summary,
    source: row.source,
    timestamp: new Date(Number(row.timestamp ?? row.received_at)).toISOString(),
    links: JSON.parse(row.links_json) as Change['links'],
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as unknown),
    receivedAt: new Date(Number(row.received_at)).toISOString(),
  };
}
