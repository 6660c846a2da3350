import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Change, listChangesQuery } from '../../../contracts/changes.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { ChangesTable, Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { ServiceCatalog } from '../services/service.service.js';
import type { ChangeEvent } from './formats/change-events.js';

/**
 * What is stored for one change: a PagerDuty change event's fields, plus what `POST /api/v1/changes`
 * adds (version, commit, author, its link, a rollback link, who recorded it).
 */
export interface ChangeRecord extends ChangeEvent {
  version?: string | null;
  commit?: string | null;
  author?: string | null;
  url?: string | null;
  rollbackUrl?: string | null;
  /** The audit label of whoever recorded it through the API. */
  recordedBy?: string | null;
}

/**
 * Change events on services (deploys, configuration changes): recorded by `POST /v2/change/enqueue`
 * and `POST /api/v1/changes`, listed newest first by `GET /api/v1/services/{service}/changes` and on
 * the service page, and on incidents (src/server/modules/changes). They never open alerts and never
 * notify; they are context for whoever looks at an alert or an incident ("what changed?").
 */
export class ChangeLog {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; services: ServiceCatalog }) {}

  async record(db: Kysely<Database>, where: { serviceId: string; integrationId: string | null }, change: ChangeRecord): Promise<Change> {
    const receivedAt = this.deps.clock.now();
    const row: ChangesTable = {
      id: this.deps.ids(),
      service_id: where.serviceId,
      integration_id: where.integrationId,
      summary: change.summary,
      source: change.source,
      timestamp: change.timestamp,
      links_json: JSON.stringify(change.links),
      details_json: change.details === null ? null : JSON.stringify(change.details),
      received_at: receivedAt,
      version: change.version ?? null,
      commit_sha: change.commit ?? null,
      author: change.author ?? null,
      url: change.url ?? null,
      rollback_url: change.rollbackUrl ?? null,
      recorded_by: change.recordedBy ?? null,
      happened_at: change.timestamp ?? receivedAt,
    };
    await db.insertInto('changes').values(row).execute();
    if (where.integrationId) await db.updateTable('integrations').set({ last_event_at: row.received_at }).where('id', '=', where.integrationId).execute();
    return (await changeViews(db, [row]))[0] as Change;
  }

  async list(serviceRef: string, query: z.output<typeof listChangesQuery>): Promise<{ items: Change[]; nextBefore: string | null }> {
    const db = this.deps.database.db;
    const service = await this.deps.services.require(db, serviceRef);
    let q = db.selectFrom('changes').selectAll().where('service_id', '=', service.id).orderBy('id', 'desc').limit(query.limit + 1);
    if (query.before) q = q.where('id', '<', query.before);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return { items: await changeViews(db, page), nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null };
  }
}

/** The API view of stored changes, with their services' handles (a deleted service shows the handle it had). */
export async function changeViews(db: Kysely<Database>, rows: readonly ChangesTable[]): Promise<Change[]> {
  if (rows.length === 0) return [];
  const serviceIds = [...new Set(rows.map((r) => r.service_id))];
  const services = await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', serviceIds).execute();
  const handles = new Map(services.map((s) => [s.id, s.handle.split('~deleted~')[0] as string]));
  return rows.map((row) => toChange(row, handles.get(row.service_id) ?? row.service_id));
}

function toChange(row: ChangesTable, serviceHandle: string): Change {
  return {
    id: row.id,
    serviceId: row.service_id,
    serviceHandle,
    integrationId: row.integration_id,
    summary: row.summary,
    source: row.source,
    timestamp: new Date(Number(row.happened_at)).toISOString(),
    version: row.version,
    commit: row.commit_sha,
    author: row.author,
    link: row.url,
    rollbackLink: row.rollback_url,
    links: JSON.parse(row.links_json) as Change['links'],
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as unknown),
    recordedBy: row.recorded_by,
    receivedAt: new Date(Number(row.received_at)).toISOString(),
  };
}
