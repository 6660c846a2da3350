import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import type { createPostmortemTemplateSchema, PostmortemTemplate, PostmortemTemplateSpec, updatePostmortemTemplateSchema } from '../../../contracts/postmortems.js';
import { builtInTemplates, type BuiltInTemplate } from '../../../core/postmortems/templates.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, PostmortemTemplatesTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { assertNoNul } from './postmortem.service.js';

type TemplateRow = Selectable<PostmortemTemplatesTable>;
type StoredSection = { key: string; title: string; guidance?: string; internal?: boolean };

/** A template as drafting reads it: the handle it is known by and its sections. */
export interface ResolvedTemplate {
  handle: string;
  title: string;
  sections: ReadonlyArray<{ key: string; title: string; guidance: string; internal: boolean }>;
}

const iso = (ms: number): string => new Date(Number(ms)).toISOString();

function fromRow(row: TemplateRow): PostmortemTemplate {
  const sections = JSON.parse(row.sections_json) as StoredSection[];
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    description: row.description,
    sections: sections.map((s) => ({ key: s.key, title: s.title, guidance: s.guidance ?? '', internal: s.internal ?? false })),
    builtIn: builtInTemplates.some((b) => b.handle === row.handle),
    updatedAt: iso(row.updated_at),
  };
}

function fromBuiltIn(template: BuiltInTemplate): PostmortemTemplate {
  return {
    id: null,
    handle: template.handle,
    title: template.title,
    description: template.description,
    sections: template.sections.map((s) => ({ key: s.key, title: s.title, guidance: s.guidance, internal: s.internal })),
    builtIn: true,
    updatedAt: null,
  };
}

/**
 * Postmortem templates (`/api/v1/postmortem-templates`, config-as-code `PostmortemTemplate`). The
 * built-ins (`standard`, `short`, `google-sre`) come from src/core/postmortems/templates.ts and are
 * never stored until someone edits one: a stored template with a built-in's handle replaces it, and
 * deleting that stored copy brings the built-in back. So upgrades can improve the built-ins for every
 * install that never changed them.
 */
export class PostmortemTemplates {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog }) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  private async row(db: Kysely<Database>, ref: string): Promise<TemplateRow | undefined> {
    return db.selectFrom('postmortem_templates').selectAll().where((eb) => eb.or([eb('handle', '=', ref.toLowerCase()), eb('id', '=', ref)])).executeTakeFirst();
  }

  /** Every template: the built-ins (edited or not) in their order, then stored ones by handle. */
  async list(db: Kysely<Database> = this.db): Promise<PostmortemTemplate[]> {
    const stored = await db.selectFrom('postmortem_templates').selectAll().orderBy('handle').execute();
    const builtIns = builtInTemplates.map((b) => {
      const row = stored.find((s) => s.handle === b.handle);
      return row ? fromRow(row) : fromBuiltIn(b);
    });
    return [...builtIns, ...stored.filter((s) => !builtInTemplates.some((b) => b.handle === s.handle)).map(fromRow)];
  }

  /** A template by handle or id; 404 naming it. */
  async get(ref: string, db: Kysely<Database> = this.db): Promise<PostmortemTemplate> {
    const row = await this.row(db, ref);
    if (row) return fromRow(row);
    const builtIn = builtInTemplates.find((b) => b.handle === ref.toLowerCase());
    if (builtIn) return fromBuiltIn(builtIn);
    throw new AppError('NOT_FOUND', `Postmortem template \`${ref}\` does not exist`);
  }

  /** The template a new postmortem starts from; 400 naming `path` when there is no such template. */
  async resolve(db: Kysely<Database>, handle: string, path: string): Promise<ResolvedTemplate> {
    try {
      const template = await this.get(handle, db);
      return { handle: template.handle, title: template.title, sections: template.sections };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      const known = (await this.list(db)).map((t) => t.handle).join(', ');
      throw new AppError('VALIDATION_FAILED', `${path}: no postmortem template \`${handle}\`; known: ${known}`, { issues: [{ path, message: `no postmortem template \`${handle}\`` }] });
    }
  }

  /** `POST /api/v1/postmortem-templates`: a new template, or a stored replacement of a built-in. */
  async create(acting: Acting, input: z.output<typeof createPostmortemTemplateSchema>): Promise<PostmortemTemplate> {
    assertNoNul(input, 'body');
    return this.deps.database.transaction(async (tx) => {
      if (await this.row(tx.db, input.handle)) throw new AppError('CONFLICT', `Postmortem template \`${input.handle}\` already exists; change it with PATCH`, { issues: [{ path: 'body.handle', message: 'already exists' }] });
      const { handle, ...spec } = input;
      return this.write(tx.db, acting, handle, spec, null);
    });
  }

  /** Creates or replaces a template by handle (config-as-code applies this). */
  async put(acting: Acting, handle: string, spec: PostmortemTemplateSpec): Promise<PostmortemTemplate> {
    assertNoNul(spec, 'spec');
    return this.deps.database.transaction(async (tx) => this.write(tx.db, acting, handle, spec, (await this.row(tx.db, handle)) ?? null));
  }

  /** `PATCH /api/v1/postmortem-templates/{template}`: editing a built-in stores an edited copy under its handle. */
  async update(acting: Acting, ref: string, patch: z.output<typeof updatePostmortemTemplateSchema>): Promise<PostmortemTemplate> {
    assertNoNul(patch, 'body');
    return this.deps.database.transaction(async (tx) => {
      const current = await this.get(ref, tx.db);
      const spec: PostmortemTemplateSpec = {
        title: patch.title ?? current.title,
        description: patch.description ?? current.description,
        sections: patch.sections ?? current.sections,
      };
      return this.write(tx.db, acting, current.handle, spec, (await this.row(tx.db, current.handle)) ?? null);
    });
  }

  /** `DELETE`: a stored template goes; a built-in's stored copy goes and the built-in is back. */
  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.row(tx.db, ref);
      if (!row) {
        if (builtInTemplates.some((b) => b.handle === ref.toLowerCase())) throw new AppError('RULE_VIOLATION', `\`${ref}\` is a built-in template that was never edited; built-ins cannot be deleted`, { issues: [{ path: 'params.template', message: 'is an unedited built-in' }] });
        throw new AppError('NOT_FOUND', `Postmortem template \`${ref}\` does not exist`);
      }
      await tx.db.deleteFrom('postmortem_templates').where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'postmortem-template.delete', targetType: 'postmortem-template', targetId: row.id, before: fromRow(row) });
    });
  }

  /**
   * Config-as-code (`kind: PostmortemTemplate`, added by helper "tools"): stored templates as document
   * specs (a built-in never edited is not stored, so not a document), and changes inside config's
   * transaction with the same audit entries as the API.
   */
  async configEntriesIn(db: Kysely<Database>): Promise<Array<{ name: string; spec: PostmortemTemplateSpec }>> {
    const rows = await db.selectFrom('postmortem_templates').selectAll().orderBy('handle').execute();
    return rows.map((row) => {
      const view = fromRow(row);
      return {
        name: view.handle,
        spec: {
          title: view.title,
          ...(view.description ? { description: view.description } : {}),
          sections: view.sections.map((x) => ({ key: x.key, title: x.title, ...(x.guidance ? { guidance: x.guidance } : {}), ...(x.internal ? { internal: true } : {}) })),
        },
      };
    });
  }

  async putFromConfigIn(tx: Tx, acting: Acting, name: string, spec: PostmortemTemplateSpec): Promise<void> {
    await this.write(tx.db, acting, name, spec, (await this.row(tx.db, name)) ?? null);
  }

  /** Config `--prune`: the stored template goes (for a built-in's handle, the built-in is back). */
  async removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void> {
    const row = await this.row(tx.db, name);
    if (!row) throw new AppError('NOT_FOUND', `Postmortem template \`${name}\` does not exist`);
    await tx.db.deleteFrom('postmortem_templates').where('id', '=', row.id).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'postmortem-template.delete', targetType: 'postmortem-template', targetId: row.id, before: fromRow(row) });
  }

  private async write(db: Kysely<Database>, acting: Acting, handle: string, spec: PostmortemTemplateSpec, existing: TemplateRow | null): Promise<PostmortemTemplate> {
    const now = this.deps.clock.now();
    const values = {
      title: spec.title,
      description: spec.description ?? '',
      sections_json: JSON.stringify(spec.sections.map((s) => ({ key: s.key, title: s.title, guidance: s.guidance ?? '', internal: s.internal ?? false }))),
      updated_at: now,
    };
    let row: TemplateRow;
    if (existing) {
      await db.updateTable('postmortem_templates').set(values).where('id', '=', existing.id).execute();
      row = { ...existing, ...values };
    } else {
      row = { id: this.deps.ids(), handle: handle.toLowerCase(), created_at: now, ...values };
      await db.insertInto('postmortem_templates').values(row).execute();
    }
    const view = fromRow(row);
    await this.deps.audit.record(db, acting.actor, { action: existing ? 'postmortem-template.update' : 'postmortem-template.create', targetType: 'postmortem-template', targetId: row.id, ...(existing ? { before: fromRow(existing) } : {}), after: view });
    return view;
  }
}
