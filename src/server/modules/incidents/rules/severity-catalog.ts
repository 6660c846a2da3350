import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../../contracts/errors.js';
import type { createIncidentSeveritySchema, IncidentSeverityView, updateIncidentSeveritySchema } from '../../../../contracts/incident-rules.js';
import { defaultIncidentSeverities, type IncidentSeverityDefinition } from '../../../../contracts/incidents.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, IncidentSeveritiesTable } from '../../../platform/db/schema.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';

type SeverityRow = Selectable<IncidentSeveritiesTable>;

/** How long this process trusts its copy of the severities for the synchronous `current()`. */
export const SEVERITY_CACHE_MS = 5_000;

/** What the incident service needs: a quick synchronous answer, and an exact one inside a transaction. */
export interface SeveritySource {
  /** The last severities read (at most {@link SEVERITY_CACHE_MS} old on a busy node; refreshed in the background). */
  current(): readonly IncidentSeverityDefinition[];
  /** The severities as stored now, read in the caller's transaction. */
  read(db: Kysely<Database>): Promise<readonly IncidentSeverityDefinition[]>;
}

const definition = (r: SeverityRow): IncidentSeverityDefinition => ({
  key: r.key,
  name: r.name,
  description: r.description,
  response: r.response,
  updateCadenceMinutes: r.update_cadence_minutes === null ? null : Number(r.update_cadence_minutes),
});

const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });

/** What else names a severity, so deleting one in use can say where. */
export type SeverityUsers = (db: Kysely<Database>, key: string) => Promise<string[]>;

/**
 * Configurable incident severities (ADR 0033). No stored rows means the built-in SEV1–SEV4; the
 * first change through the API stores those first, so adding SEV0 keeps SEV1–SEV4.
 *
 * Across nodes: checks that decide something (declaring, editing an incident's severity, rules) read
 * the table in their own transaction (`read`), so they are exact. Only the synchronous `current()`
 * (the stakeholder-update cadence, list pages) may lag a change made on another node, by at most
 * {@link SEVERITY_CACHE_MS} while that node is busy; this node's own changes refresh it on commit.
 */
export class SeverityCatalog implements SeveritySource {
  private cache: { at: number; list: readonly IncidentSeverityDefinition[] } | null = null;
  private refreshing: Promise<unknown> | null = null;
  private readonly users: SeverityUsers[] = [];

  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; audit: AuditLog }) {}

  /** Adds a check of who else uses a severity (rules, the postmortem policy, playbooks). */
  addUsers(users: SeverityUsers): void {
    this.users.push(users);
  }

  current(): readonly IncidentSeverityDefinition[] {
    const now = this.deps.clock.now();
    if ((!this.cache || now - this.cache.at > SEVERITY_CACHE_MS) && !this.refreshing) {
      this.refreshing = this.read(this.deps.database.db)
        .catch(() => undefined)
        .finally(() => (this.refreshing = null));
    }
    return this.cache?.list ?? defaultIncidentSeverities;
  }

  /** Reads now (and waits): for startup and tests, so `current()` is right from the first request. */
  async refresh(): Promise<readonly IncidentSeverityDefinition[]> {
    return this.read(this.deps.database.db);
  }

  async read(db: Kysely<Database>): Promise<readonly IncidentSeverityDefinition[]> {
    const rows = await this.rows(db);
    const list = rows.length === 0 ? defaultIncidentSeverities : rows.map(definition);
    this.cache = { at: this.deps.clock.now(), list };
    return list;
  }

  private async rows(db: Kysely<Database>): Promise<SeverityRow[]> {
    return db.selectFrom('incident_severities').selectAll().orderBy('position').orderBy('key').execute();
  }

  /** The admin view: stored severities, or the defaults marked as not stored. */
  async list(db: Kysely<Database> = this.deps.database.db): Promise<IncidentSeverityView[]> {
    const rows = await this.rows(db);
    if (rows.length === 0) return defaultIncidentSeverities.map((d, position) => ({ ...d, updateCadenceMinutes: d.updateCadenceMinutes ?? null, position, stored: false }));
    return rows.map((r) => ({ ...definition(r), position: Number(r.position), stored: true }));
  }

  /** The stored key for any case of it (`sev1` → `SEV1`); null when unknown. */
  async keyOf(db: Kysely<Database>, key: string): Promise<string | null> {
    const list = await this.read(db);
    return list.find((s) => s.key.toLowerCase() === key.toLowerCase())?.key ?? null;
  }

  /** Stores the defaults when nothing is stored yet (the first change through the API or config). */
  async materializeIn(db: Kysely<Database>): Promise<void> {
    if ((await this.rows(db)).length > 0) return;
    const now = this.deps.clock.now();
    await db
      .insertInto('incident_severities')
      .values(defaultIncidentSeverities.map((d, position) => ({ key: d.key, handle: d.key.toLowerCase(), name: d.name, description: d.description, response: d.response, update_cadence_minutes: d.updateCadenceMinutes ?? null, position, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Writes positions 0…n-1 in the given order (only rows whose position changes). */
  private async renumber(db: Kysely<Database>, ordered: readonly SeverityRow[], now: number): Promise<void> {
    for (const [position, row] of ordered.entries()) {
      if (Number(row.position) !== position) await db.updateTable('incident_severities').set({ position, updated_at: now }).where('key', '=', row.key).execute();
    }
  }

  private refreshAfter(tx: Tx): void {
    tx.afterCommit(() => void this.read(this.deps.database.db).catch(() => undefined));
  }

  async create(acting: Acting, input: z.output<typeof createIncidentSeveritySchema>): Promise<IncidentSeverityView> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      await this.materializeIn(db);
      const rows = await this.rows(db);
      if (rows.some((r) => r.handle === input.key.toLowerCase())) throw new AppError('CONFLICT', `Severity \`${input.key}\` already exists`, { issues: [{ path: 'body.key', message: 'already exists' }] });
      const now = this.deps.clock.now();
      const row: SeverityRow = { key: input.key, handle: input.key.toLowerCase(), name: input.name, description: input.description, response: input.response, update_cadence_minutes: input.updateCadenceMinutes ?? null, position: rows.length, created_at: now, updated_at: now };
      await db.insertInto('incident_severities').values(row).execute();
      const ordered = [...rows];
      ordered.splice(Math.min(input.position ?? rows.length, rows.length), 0, row);
      await this.renumber(db, ordered, now);
      const view = (await this.list(db)).find((s) => s.key === row.key) as IncidentSeverityView;
      await this.deps.audit.record(db, acting.actor, { action: 'incident-severity.create', targetType: 'incident-severity', targetId: row.key, after: view });
      this.refreshAfter(tx);
      return view;
    });
  }

  async update(acting: Acting, key: string, patch: z.output<typeof updateIncidentSeveritySchema>): Promise<IncidentSeverityView> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      await this.materializeIn(db);
      const rows = await this.rows(db);
      const row = rows.find((r) => r.handle === key.toLowerCase());
      if (!row) throw new AppError('NOT_FOUND', `Severity \`${key}\` does not exist`);
      const before = (await this.list(db)).find((s) => s.key === row.key);
      const now = this.deps.clock.now();
      await db
        .updateTable('incident_severities')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.response !== undefined ? { response: patch.response } : {}),
          ...(patch.updateCadenceMinutes !== undefined ? { update_cadence_minutes: patch.updateCadenceMinutes } : {}),
          updated_at: now,
        })
        .where('key', '=', row.key)
        .execute();
      if (patch.position !== undefined) {
        const ordered = rows.filter((r) => r.key !== row.key);
        ordered.splice(Math.min(patch.position, ordered.length), 0, row);
        await this.renumber(db, ordered, now);
      }
      const view = (await this.list(db)).find((s) => s.key === row.key) as IncidentSeverityView;
      await this.deps.audit.record(db, acting.actor, { action: 'incident-severity.update', targetType: 'incident-severity', targetId: row.key, before, after: view });
      this.refreshAfter(tx);
      return view;
    });
  }

  async remove(acting: Acting, key: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      await this.materializeIn(tx.db);
      await this.removeIn(tx, acting, key);
    });
  }

  /**
   * Deletes a severity, refused (422 naming it and where it is used) while an open incident, a rule,
   * the postmortem policy or a playbook uses it, or when it is the last one.
   */
  async removeIn(tx: Tx, acting: Acting, key: string): Promise<void> {
    const db = tx.db;
    const rows = await this.rows(db);
    const row = rows.find((r) => r.handle === key.toLowerCase());
    if (!row) throw new AppError('NOT_FOUND', `Severity \`${key}\` does not exist`);
    const open = await db.selectFrom('incidents').select('number').where('severity', '=', row.key).where('status', '<>', 'resolved').orderBy('number').limit(5).execute();
    const uses = [...(open.length > 0 ? [`open incident${open.length === 1 ? '' : 's'} ${open.map((o) => `INC-${o.number}`).join(', ')}`] : [])];
    for (const users of this.users) uses.push(...(await users(db, row.key)));
    if (uses.length > 0) throw new AppError('RULE_VIOLATION', `Severity ${row.key} is in use by ${uses.join('; ')}; change those first`, { issues: [{ path: 'params.severity', message: `${row.key} is in use by ${uses.join('; ')}` }] });
    if (rows.length === 1) throw new AppError('RULE_VIOLATION', `Severity ${row.key} is the last one; incidents need at least one severity`, { issues: [{ path: 'params.severity', message: 'is the last severity' }] });
    const [before] = (await this.list(db)).filter((s) => s.key === row.key);
    await db.deleteFrom('incident_severities').where('key', '=', row.key).execute();
    await this.renumber(db, rows.filter((r) => r.key !== row.key), this.deps.clock.now());
    await this.deps.audit.record(db, acting.actor, { action: 'incident-severity.delete', targetType: 'incident-severity', targetId: row.key, before });
    this.refreshAfter(tx);
  }

  // ---- config-as-code (the `Severity` kind)

  /** Stored severities as config entries: name (lowercase key), key, fields, position. */
  async configEntriesIn(db: Kysely<Database>): Promise<Array<{ name: string; key: string; displayName: string; description: string; response: string; updateCadenceMinutes: number | null; position: number }>> {
    return (await this.rows(db)).map((r) => ({ name: r.handle, key: r.key, displayName: r.name, description: r.description, response: r.response, updateCadenceMinutes: r.update_cadence_minutes === null ? null : Number(r.update_cadence_minutes), position: Number(r.position) }));
  }

  /** Creates or updates a severity as a `Severity` document states it (positions as written: config owns the order). */
  async putFromConfigIn(tx: Tx, acting: Acting, spec: { name: string; key: string; displayName: string; description: string; response: string; updateCadenceMinutes: number | null; position: number }): Promise<void> {
    const db = tx.db;
    if (spec.key.toLowerCase() !== spec.name) throw invalid('spec.key', `must be \`${spec.name}\` in any case (the document's name is the key in lowercase)`);
    const now = this.deps.clock.now();
    const existing = await db.selectFrom('incident_severities').selectAll().where('handle', '=', spec.name).executeTakeFirst();
    const values = { name: spec.displayName, description: spec.description, response: spec.response, update_cadence_minutes: spec.updateCadenceMinutes, position: spec.position, updated_at: now };
    if (existing && existing.key !== spec.key) {
      // A change of case only: the key is what incidents store, so it moves with them.
      await db.deleteFrom('incident_severities').where('key', '=', existing.key).execute();
      await db.insertInto('incident_severities').values({ key: spec.key, handle: spec.name, created_at: Number(existing.created_at), ...values }).execute();
      await db.updateTable('incidents').set({ severity: spec.key }).where('severity', '=', existing.key).execute();
    } else if (existing) {
      await db.updateTable('incident_severities').set(values).where('key', '=', existing.key).execute();
    } else {
      await db.insertInto('incident_severities').values({ key: spec.key, handle: spec.name, created_at: now, ...values }).execute();
    }
    const after = (await this.list(db)).find((s) => s.key === spec.key);
    await this.deps.audit.record(db, acting.actor, { action: existing ? 'incident-severity.update' : 'incident-severity.create', targetType: 'incident-severity', targetId: spec.key, after });
    this.refreshAfter(tx);
  }

  /** Deletes a severity for `--prune` (the same refusals as the API, but the last one may go: the defaults return). */
  async removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void> {
    const rows = await this.rows(tx.db);
    if (rows.length === 1 && rows[0]?.handle === name) {
      const db = tx.db;
      const row = rows[0];
      const open = await db.selectFrom('incidents').select('number').where('severity', '=', row.key).where('status', '<>', 'resolved').limit(1).execute();
      const uses: string[] = [];
      if (open.length > 0 && !defaultIncidentSeverities.some((d) => d.key === row.key)) uses.push('open incidents');
      for (const users of this.users) if (!defaultIncidentSeverities.some((d) => d.key === row.key)) uses.push(...(await users(db, row.key)));
      if (uses.length > 0) throw new AppError('RULE_VIOLATION', `Severity ${row.key} is in use by ${uses.join('; ')}`);
      await db.deleteFrom('incident_severities').where('key', '=', row.key).execute();
      await this.deps.audit.record(db, acting.actor, { action: 'incident-severity.delete', targetType: 'incident-severity', targetId: row.key });
      this.refreshAfter(tx);
      return;
    }
    await this.removeIn(tx, acting, name);
  }
}
