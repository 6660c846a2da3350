import type { Kysely } from 'kysely';
import type { AuditEntry } from '../../../contracts/audit.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';

/** One change to record. `before`/`after` are the API shapes of the thing, without secrets. */
export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  limit: number;
  before?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
}

/**
 * The audit log: who changed what, before and after, when and from where. Written in the same
 * transaction as the change it describes, so there is never a change without its entry.
 */
export class AuditLog {
  constructor(
    private readonly ids: IdGenerator,
    private readonly now: () => number,
  ) {}

  async record(db: Kysely<Database>, actor: Actor, entry: AuditRecord): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        id: this.ids(),
        at: this.now(),
        actor_type: actor.type,
        actor_id: actor.id,
        actor_label: actor.label,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
        after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
        ip: actor.ip,
        request_id: actor.requestId,
      })
      .execute();
  }

  async list(db: Kysely<Database>, query: AuditQuery): Promise<{ items: AuditEntry[]; nextBefore: string | null }> {
    let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
    if (query.before) q = q.where('id', '<', query.before);
    if (query.action) q = q.where('action', '=', query.action);
    if (query.targetType) q = q.where('target_type', '=', query.targetType);
    if (query.targetId) q = q.where('target_id', '=', query.targetId);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        actor: { type: r.actor_type as AuditEntry['actor']['type'], id: r.actor_id, label: r.actor_label },
        action: r.action,
        target: { type: r.target_type, id: r.target_id },
        before: r.before_json === null ? null : JSON.parse(r.before_json),
        after: r.after_json === null ? null : JSON.parse(r.after_json),
        ip: r.ip,
        requestId: r.request_id,
      })),
      nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}

/** The actor for changes Firebreak makes on its own (migrations, demo data, the CLI on the database). */
export function systemActor(label = 'system'): Actor {
  return { type: 'system', id: null, label, ip: null, requestId: null };
}
