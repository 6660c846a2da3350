import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../../../../contracts/errors.js';
import { FIRST_FIVE_MINUTES, type Playbook, type playbookInputSchema, type PlaybookSpec, type playbookUpdateSchema } from '../../../../contracts/incident-work.js';
import { effectivePlaybooks, firstFiveMinutes, type PlaybookDefinition, type PlaybookItem } from '../../../../core/incidents/playbook.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, PlaybooksTable } from '../../../platform/db/schema.js';
import { isUniqueViolation } from '../../../platform/http/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { ServiceCatalog } from '../../services/service.service.js';

type Row = Selectable<PlaybooksTable>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** What a playbook holds, resolved: services by id and handle. */
interface Resolved {
  title: string;
  description: string;
  autoApply: boolean;
  severities: string[];
  services: Array<{ id: string; handle: string }>;
  items: PlaybookItem[];
}

const invalid = (issues: FieldIssue[]) => new AppError('VALIDATION_FAILED', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });

/** Items as stored and shown: optional fields as null. */
const itemsOf = (items: PlaybookSpec['items']): PlaybookItem[] => items.map((i) => ({ title: i.title, description: i.description ?? null, link: i.link ?? null, ownerRole: i.ownerRole ?? null }));

/**
 * Playbooks: reusable checklists attached to severities and services (ADR 0030). Admins manage them,
 * like escalation policies; everyone signed in reads them. Addressed by a unique `name` so
 * config-as-code (`kind: Playbook`) can own them. The built-in "first five minutes" checklist is not
 * stored: a playbook named `first-five-minutes` replaces it, and deleting that one brings it back.
 */
export class PlaybookService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      services: ServiceCatalog;
      /** The severity keys incidents may have now (the `Severity` config kind plugs in behind it). */
      knownSeverities: (db: Kysely<Database>) => Promise<readonly string[]>;
    },
  ) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  // ---- reads

  /**
   * The services of playbooks. Deleted services drop out of what is shown and exported (config can no
   * longer name them) but stay in matching (`withDeleted`): they are never impacted again, and a
   * playbook whose services were all deleted must not turn into one for any service.
   */
  private async servicesOf(db: Kysely<Database>, playbookIds: readonly string[], withDeleted = false): Promise<Map<string, Array<{ id: string; handle: string }>>> {
    const map = new Map<string, Array<{ id: string; handle: string }>>();
    if (playbookIds.length === 0) return map;
    let q = db
      .selectFrom('playbook_services')
      .innerJoin('services', 'services.id', 'playbook_services.service_id')
      .select(['playbook_services.playbook_id', 'services.id', 'services.handle'])
      .where('playbook_services.playbook_id', 'in', playbookIds)
      .orderBy('services.handle');
    if (!withDeleted) q = q.where('services.deleted_at', 'is', null);
    const rows = await q.execute();
    for (const r of rows) map.set(r.playbook_id, [...(map.get(r.playbook_id) ?? []), { id: r.id, handle: r.handle }]);
    return map;
  }

  private view(row: Row, services: Array<{ id: string; handle: string }>): Playbook {
    return {
      id: row.id,
      name: row.name,
      title: row.title,
      description: row.description,
      appliesTo: row.auto_apply === 1 ? { severities: JSON.parse(row.severities_json) as string[], services: services.map((s) => s.handle) } : null,
      items: JSON.parse(row.items_json) as PlaybookItem[],
      builtIn: false,
      managedBy: row.managed_by === 'config' ? 'config' : 'api',
      createdAt: iso(Number(row.created_at)),
      updatedAt: iso(Number(row.updated_at)),
    };
  }

  private builtInView(): Playbook {
    return {
      id: null,
      name: firstFiveMinutes.name,
      title: firstFiveMinutes.title,
      description: firstFiveMinutes.description,
      appliesTo: { severities: [], services: [] },
      items: [...firstFiveMinutes.items],
      builtIn: true,
      managedBy: 'builtin',
      createdAt: null,
      updatedAt: null,
    };
  }

  private async findRow(db: Kysely<Database>, ref: string): Promise<Row | undefined> {
    return db.selectFrom('playbooks').selectAll().where((eb) => eb.or([eb('name', '=', ref), eb('id', '=', ref)])).executeTakeFirst();
  }

  /** Every playbook, the first five minutes first (stored or built in), then by name. */
  async list(): Promise<Playbook[]> {
    const rows = await this.db.selectFrom('playbooks').selectAll().orderBy('name').execute();
    const services = await this.servicesOf(this.db, rows.map((r) => r.id));
    const views = rows.map((r) => this.view(r, services.get(r.id) ?? []));
    const all = views.some((v) => v.name === FIRST_FIVE_MINUTES) ? views : [this.builtInView(), ...views];
    return all.sort((a, b) => (a.name === FIRST_FIVE_MINUTES ? -1 : b.name === FIRST_FIVE_MINUTES ? 1 : a.name.localeCompare(b.name)));
  }

  /** By name or id; `first-five-minutes` is the built-in unless a stored playbook replaces it. */
  async get(ref: string): Promise<Playbook> {
    const row = await this.findRow(this.db, ref);
    if (row) return this.view(row, (await this.servicesOf(this.db, [row.id])).get(row.id) ?? []);
    if (ref === FIRST_FIVE_MINUTES) return this.builtInView();
    throw new AppError('NOT_FOUND', `Playbook \`${ref}\` does not exist`);
  }

  private definitionOf(row: Row, services: Array<{ id: string; handle: string }>): PlaybookDefinition {
    return {
      name: row.name,
      title: row.title,
      description: row.description,
      appliesTo: row.auto_apply === 1 ? { severities: JSON.parse(row.severities_json) as string[], serviceIds: services.map((s) => s.id) } : null,
      items: JSON.parse(row.items_json) as PlaybookItem[],
    };
  }

  /** The stored playbooks as the matching rules see them (the built-in is added by the rules). */
  async storedDefinitionsIn(db: Kysely<Database>): Promise<PlaybookDefinition[]> {
    const rows = await db.selectFrom('playbooks').selectAll().orderBy('name').execute();
    const services = await this.servicesOf(db, rows.map((r) => r.id), true);
    return rows.map((r) => this.definitionOf(r, services.get(r.id) ?? []));
  }

  /** One playbook (stored, or the built-in) by name or id, for adding it to an incident by hand. */
  async definitionIn(db: Kysely<Database>, ref: string, path: string): Promise<PlaybookDefinition> {
    const row = await this.findRow(db, ref);
    if (row) return this.definitionOf(row, (await this.servicesOf(db, [row.id], true)).get(row.id) ?? []);
    const builtIn = effectivePlaybooks([]).find((p) => p.name === ref);
    if (builtIn) return builtIn;
    throw invalid([{ path, message: `no playbook \`${ref}\`` }]);
  }

  /** The playbooks naming a severity, so deleting the severity can say where it is used. */
  async severityUsersIn(db: Kysely<Database>, key: string): Promise<string[]> {
    const rows = await db.selectFrom('playbooks').select(['name', 'severities_json']).orderBy('name').execute();
    return rows.filter((r) => (JSON.parse(r.severities_json) as string[]).includes(key)).map((r) => `playbook ${r.name}`);
  }

  // ---- checks (400 naming the field)

  private async resolve(db: Kysely<Database>, spec: { title: string; description?: string | undefined; appliesTo?: PlaybookSpec['appliesTo'] | null; items: PlaybookSpec['items'] }, prefix: string): Promise<Resolved> {
    const issues: FieldIssue[] = [];
    const known = await this.deps.knownSeverities(db);
    const severities = [...new Set(spec.appliesTo?.severities ?? [])];
    for (const [i, key] of (spec.appliesTo?.severities ?? []).entries()) {
      if (!known.includes(key)) issues.push({ path: `${prefix}.appliesTo.severities.${i}`, message: `unknown severity \`${key}\`; known: ${known.join(', ')}` });
    }
    const services: Array<{ id: string; handle: string }> = [];
    for (const [i, handle] of (spec.appliesTo?.services ?? []).entries()) {
      const service = await this.deps.services.find(db, handle);
      if (!service) issues.push({ path: `${prefix}.appliesTo.services.${i}`, message: `no service \`${handle}\`` });
      else if (!services.some((s) => s.id === service.id)) services.push({ id: service.id, handle: service.handle });
    }
    if (issues.length > 0) throw invalid(issues);
    return { title: spec.title, description: spec.description ?? '', autoApply: spec.appliesTo !== undefined && spec.appliesTo !== null, severities, services, items: itemsOf(spec.items) };
  }

  /** Stores a playbook; `keepServices` leaves its services as stored (deleted ones included). */
  private async write(db: Kysely<Database>, id: string, resolved: Resolved, now: number, existing: Row | null, name: string, managedBy: string, keepServices = false): Promise<Row> {
    const row: Row = {
      id,
      name,
      title: resolved.title,
      description: resolved.description,
      auto_apply: resolved.autoApply ? 1 : 0,
      severities_json: JSON.stringify(resolved.severities),
      items_json: JSON.stringify(resolved.items),
      managed_by: managedBy,
      created_at: existing ? existing.created_at : now,
      updated_at: now,
    };
    if (existing) {
      const { id: _id, ...set } = row;
      await db.updateTable('playbooks').set(set).where('id', '=', id).execute();
      if (keepServices) return row;
      await db.deleteFrom('playbook_services').where('playbook_id', '=', id).execute();
    } else {
      try {
        await db.insertInto('playbooks').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('CONFLICT', `A playbook named \`${name}\` already exists`, { field: 'name' });
        throw error;
      }
    }
    if (resolved.services.length > 0) await db.insertInto('playbook_services').values(resolved.services.map((s) => ({ playbook_id: id, service_id: s.id }))).execute();
    return row;
  }

  // ---- mutations (admins; audited)

  /** `POST /api/v1/playbooks`. A playbook named `first-five-minutes` replaces the built-in checklist. */
  async create(acting: Acting, input: z.output<typeof playbookInputSchema>): Promise<Playbook> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      if (await this.findRow(db, input.name)) throw new AppError('CONFLICT', `A playbook named \`${input.name}\` already exists`, { field: 'name', issues: [{ path: 'body.name', message: 'already taken' }] });
      const resolved = await this.resolve(db, input, 'body');
      const row = await this.write(db, this.deps.ids(), resolved, this.deps.clock.now(), null, input.name, 'api');
      const view = this.view(row, resolved.services);
      await this.deps.audit.record(db, acting.actor, { action: 'playbook.create', targetType: 'playbook', targetId: row.id, after: view });
      return view;
    });
  }

  private async requireStored(db: Kysely<Database>, ref: string): Promise<Row> {
    const row = await this.findRow(db, ref);
    if (row) return row;
    if (ref === FIRST_FIVE_MINUTES) {
      throw new AppError('RULE_VIOLATION', 'The built-in “first five minutes” checklist is not stored: create a playbook named first-five-minutes to replace it', { issues: [{ path: 'params.playbook', message: 'built in' }] });
    }
    throw new AppError('NOT_FOUND', `Playbook \`${ref}\` does not exist`);
  }

  /** `PATCH /api/v1/playbooks/{playbook}`: `items` replaces the list; `appliesTo: null` makes it manual-only. */
  async update(acting: Acting, ref: string, patch: z.output<typeof playbookUpdateSchema>): Promise<Playbook> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await this.requireStored(db, ref);
      const before = this.view(row, (await this.servicesOf(db, [row.id])).get(row.id) ?? []);
      const spec = {
        title: patch.title ?? row.title,
        description: patch.description ?? row.description,
        appliesTo: patch.appliesTo === undefined ? (before.appliesTo ?? null) : patch.appliesTo,
        items: patch.items ?? (JSON.parse(row.items_json) as PlaybookItem[]).map((i) => ({ title: i.title, description: i.description ?? undefined, link: i.link ?? undefined, ownerRole: i.ownerRole ?? undefined })),
      };
      const resolved = await this.resolve(db, spec, 'body');
      // An unchanged appliesTo keeps the services as stored, deleted ones included (see servicesOf).
      const stored = await this.write(db, row.id, resolved, this.deps.clock.now(), row, row.name, row.managed_by, patch.appliesTo === undefined);
      const view = this.view(stored, resolved.services);
      await this.deps.audit.record(db, acting.actor, { action: 'playbook.update', targetType: 'playbook', targetId: row.id, before, after: view });
      return view;
    });
  }

  /**
   * `DELETE /api/v1/playbooks/{playbook}`. Incidents keep the tasks it gave them. Deleting a stored
   * `first-five-minutes` brings back the built-in checklist.
   */
  async delete(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.deleteIn(tx, acting, await this.requireStored(tx.db, ref)));
  }

  private async deleteIn(tx: Tx, acting: Acting, row: Row): Promise<void> {
    const before = this.view(row, (await this.servicesOf(tx.db, [row.id])).get(row.id) ?? []);
    await tx.db.deleteFrom('playbook_services').where('playbook_id', '=', row.id).execute();
    await tx.db.deleteFrom('playbooks').where('id', '=', row.id).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'playbook.delete', targetType: 'playbook', targetId: row.id, before, after: null });
  }

  // ---- config-as-code (`kind: Playbook`): inside the config apply transaction

  /**
   * Every stored playbook as a config document's spec states it: optional fields left out when empty
   * (so an exported document reads like a hand-written one and compares equal to it), services by
   * handle. The built-in checklist is not a stored playbook and is not listed.
   */
  async configEntriesIn(db: Kysely<Database>): Promise<Array<{ name: string; spec: PlaybookSpec }>> {
    const rows = await db.selectFrom('playbooks').selectAll().orderBy('name').execute();
    const services = await this.servicesOf(db, rows.map((r) => r.id));
    return rows.map((row) => {
      const severities = JSON.parse(row.severities_json) as string[];
      const handles = (services.get(row.id) ?? []).map((s) => s.handle);
      const spec: PlaybookSpec = {
        title: row.title,
        ...(row.description ? { description: row.description } : {}),
        ...(row.auto_apply === 1 ? { appliesTo: { ...(severities.length > 0 ? { severities } : {}), ...(handles.length > 0 ? { services: handles } : {}) } } : {}),
        items: (JSON.parse(row.items_json) as PlaybookItem[]).map((i) => ({
          title: i.title,
          ...(i.description !== null ? { description: i.description } : {}),
          ...(i.link !== null ? { link: i.link } : {}),
          ...(i.ownerRole !== null ? { ownerRole: i.ownerRole } : {}),
        })),
      };
      return { name: row.name, spec };
    });
  }

  /**
   * Creates or replaces the playbook `name` as a config document states it, with the API's checks
   * (issues name `spec.…` paths) and audit entries; it becomes `managed_by: config`.
   */
  async putFromConfigIn(tx: Tx, acting: Acting, name: string, spec: PlaybookSpec): Promise<void> {
    const db = tx.db;
    const row = (await db.selectFrom('playbooks').selectAll().where('name', '=', name).executeTakeFirst()) ?? null;
    const before = row ? this.view(row, (await this.servicesOf(db, [row.id])).get(row.id) ?? []) : null;
    const resolved = await this.resolve(db, spec, 'spec');
    const stored = await this.write(db, row?.id ?? this.deps.ids(), resolved, this.deps.clock.now(), row, name, 'config');
    await this.deps.audit.record(db, acting.actor, { action: row ? 'playbook.update' : 'playbook.create', targetType: 'playbook', targetId: stored.id, before, after: this.view(stored, resolved.services) });
  }

  /** Deletes the playbook `name` (config `--prune`); incidents keep the tasks it gave them. */
  async removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void> {
    const row = await tx.db.selectFrom('playbooks').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Playbook \`${name}\` does not exist`);
    await this.deleteIn(tx, acting, row);
  }
}
