import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import {
  postmortemStatusSchema,
  type assistantRequestSchema,
  type BlamelessFinding,
  type createPostmortemSchema,
  type Postmortem,
  type PostmortemSection,
  type PostmortemSummary,
  type postmortemListQuery,
  type UpdatePostmortem,
} from '../../../contracts/postmortems.js';
import { roleAtLeast } from '../../../core/auth/roles.js';
import { INCIDENT_COMMANDER, roleName } from '../../../core/incidents/roles.js';
import { reviewBlameless } from '../../../core/postmortems/blameless.js';
import { draftPostmortem, type DraftInput } from '../../../core/postmortems/draft.js';
import { searchTextOf } from '../../../core/postmortems/search.js';
import { DEFAULT_TEMPLATE, sectionsFromTemplate } from '../../../core/postmortems/templates.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { isUniqueViolation } from '../../platform/http/errors.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { incidentRepo, reference as incidentReference, type IncidentRow } from '../incidents/incident.repo.js';
import type { ServiceCatalog } from '../services/service.service.js';
import { actionItemReference, postmortemReference, requirePostmortem, type PostmortemRow } from './postmortem.lookup.js';
import { changedFields, parseJson, postmortemRepo, type PostmortemSnapshot } from './postmortem.repo.js';
import { searchPostmortems } from './postmortem.search.js';
import type { PostmortemAttachments } from './postmortem.attachments.js';
import type { PostmortemTemplates } from './postmortem.templates.js';

export type PostmortemListQuery = z.output<typeof postmortemListQuery>;

/** Who changes a postmortem: the route's `Acting`, or an `Actor` (jobs, the review part). */
export type PostmortemAuthor = Acting | Actor;

/** What `createDraft` takes: the incident and, for required postmortems, the policy's verdict. */
export interface DraftRequest {
  /** The incident's id (or `INC-42`). */
  incidentId: string;
  /** Owner's user id; default the incident commander, else the creator. */
  owner?: string | null;
  required?: boolean;
  reasons?: readonly string[];
  /** Epoch ms. */
  dueAt?: number | null;
  template?: string;
  title?: string;
  tags?: readonly string[];
  serviceIds?: readonly string[];
  /**
   * When the incident already has a postmortem: `return` it (marked required when this request is),
   * the default, for the policy on resolve; `conflict`: 409, for `POST /api/v1/postmortems`.
   */
  ifExists?: 'return' | 'conflict';
}

/** A revision with the document as it was saved (`GET …/revisions/{version}`). */
export interface PostmortemRevisionDetail {
  version: number;
  at: string;
  by: string;
  fields: string[];
  snapshot: {
    title: string;
    status: string;
    sections: PostmortemSection[];
    tags: string[];
    services: string[];
    owner: string | null;
    severity: string | null;
    occurredAt: string | null;
    endedAt: string | null;
    dueAt: string | null;
    noActionItemsReason: string | null;
    reviewNotes: Postmortem['reviewNotes'];
  };
}

/** The time zone drafted timelines are written in: postmortems are read across teams and zones. */
const DRAFT_TIME_ZONE = 'UTC';
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });
const actorOf = (who: PostmortemAuthor): Actor => ('actor' in who ? who.actor : who);
const userIdOf = (who: PostmortemAuthor): string | null => {
  if ('actor' in who) return who.principal?.userId ?? (who.actor.type === 'user' ? who.actor.id : null);
  return who.type === 'user' ? who.id : null;
};

/**
 * 400 naming the first string in `input` that holds a NUL character: PostgreSQL text cannot store one
 * (it would fail as a server error), and no title, section or filter needs one.
 */
export function assertNoNul(input: unknown, path: string): void {
  if (typeof input === 'string') {
    if (input.includes('\u0000')) throw invalid(path, 'must not contain NUL characters');
  } else if (Array.isArray(input)) input.forEach((v, i) => assertNoNul(v, `${path}.${i}`));
  else if (input !== null && typeof input === 'object') for (const [k, v] of Object.entries(input)) assertNoNul(v, `${path}.${k}`);
}

function instant(value: string | null | undefined, path: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw invalid(path, 'must be an ISO 8601 instant such as 2027-03-01T14:02:00Z');
  return ms;
}

/**
 * Postmortem documents (issue 8, docs/postmortems.md, ADR 0038): drafted from an incident, edited with
 * optimistic concurrency (every change names the version it started from; a stale one gets 409 with
 * what the other author changed, and nothing is written), every saved version kept as a revision,
 * searched in full text, exported. Review, publication and action items are parts of their own that
 * change the document through `bump` and `reindex`, so the version and the search index stay right.
 */
export class PostmortemService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      services: ServiceCatalog;
      templates: PostmortemTemplates;
      attachments: PostmortemAttachments;
    },
  ) {}

  private readonly dueListeners: ((tx: Tx, row: PostmortemRow) => Promise<void>)[] = [];

  /** Called in the transaction of an edit that moved the due date (the review part reschedules its reminders). */
  onDueChanged(listener: (tx: Tx, row: PostmortemRow) => Promise<void>): void {
    this.dueListeners.push(listener);
  }

  private readonly deleteListeners: ((tx: Tx, row: PostmortemRow) => Promise<void>)[] = [];

  /** Called in the transaction that deletes a draft (the review part drops its reminder timer). */
  onDeleted(listener: (tx: Tx, row: PostmortemRow) => Promise<void>): void {
    this.deleteListeners.push(listener);
  }

  get templates(): PostmortemTemplates {
    return this.deps.templates;
  }

  get attachments(): PostmortemAttachments {
    return this.deps.attachments;
  }

  get database(): FirebreakDatabase {
    return this.deps.database;
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /** The clock's now as an ISO instant (the print page's footer). */
  now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  // ---- views

  /** The API shape of a postmortem, with the blameless assistant's findings on its current text. */
  async view(db: Kysely<Database>, row: PostmortemRow): Promise<Postmortem> {
    const [base] = await postmortemRepo.views(db, [row], this.deps.clock.now());
    const view = base as Omit<Postmortem, 'findings'>;
    const items = await db.selectFrom('action_items').select(['number', 'title']).where('postmortem_id', '=', row.id).orderBy('number').execute();
    const names = [...new Map([...(view.owner ? [view.owner] : []), ...view.authors, ...view.people].map((p) => [p.id, p.name])).values()];
    const findings = this.findings(view.title, view.sections, items.map((i) => ({ reference: actionItemReference(Number(i.number)), title: i.title })), names);
    return { ...view, findings };
  }

  private findings(title: string, sections: readonly PostmortemSection[], items: ReadonlyArray<{ reference: string; title: string }>, names: readonly string[]): BlamelessFinding[] {
    const texts = [{ section: 'title', text: title }, ...sections.map((s) => ({ section: s.key, text: s.body })), ...items.map((i) => ({ section: `action-item:${i.reference}`, text: i.title }))];
    return reviewBlameless(texts, { names });
  }

  async get(ref: string): Promise<Postmortem> {
    return this.view(this.db, await requirePostmortem(this.db, ref));
  }

  /** `GET /api/v1/postmortems`: list and full-text search with filters. */
  async list(acting: Acting, query: PostmortemListQuery): Promise<{ items: PostmortemSummary[]; nextCursor: string | null }> {
    assertNoNul(query, 'query');
    const db = this.db;
    const filters: Parameters<typeof searchPostmortems>[2]['filters'] = {};
    if (query.status) {
      const statuses = query.status.split(',').map((s) => s.trim()).filter(Boolean);
      for (const s of statuses) if (!postmortemStatusSchema.safeParse(s).success) throw invalid('query.status', `unknown status \`${s}\`; known: ${postmortemStatusSchema.options.join(', ')}`);
      filters.statuses = statuses;
    }
    if (query.tag) filters.tag = query.tag.trim().toLowerCase();
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) throw invalid('query.service', `no service \`${query.service}\``);
      filters.serviceId = service.id;
    }
    if (query.owner) {
      if (query.owner === 'me') {
        const me = acting.principal?.userId;
        if (!me) throw invalid('query.owner', '`me` needs a signed-in person');
        filters.ownerUserId = me;
      } else filters.ownerUserId = (await this.user(db, query.owner, 'query.owner', false)).id;
    }
    if (query.incident) {
      const incident = await incidentRepo.find(db, query.incident);
      if (!incident) throw invalid('query.incident', `no incident \`${query.incident}\``);
      filters.incidentId = incident.id;
    }
    const from = instant(query.from, 'query.from');
    const to = instant(query.to, 'query.to');
    if (typeof from === 'number') filters.from = from;
    if (typeof to === 'number') filters.to = to;
    const page = await searchPostmortems(db, this.deps.database.capabilities.dialect, { q: query.q, filters, limit: query.limit ?? 50, cursor: query.cursor });
    return { items: await postmortemRepo.summaries(db, page.rows, page.snippets, this.deps.clock.now()), nextCursor: page.nextCursor };
  }

  /** `GET /api/v1/incidents/{incident}/related-postmortems`: postmortems of the same services, newest first. */
  async related(incidentRef: string): Promise<PostmortemSummary[]> {
    const db = this.db;
    const incident = await incidentRepo.find(db, incidentRef);
    if (!incident) throw new AppError('NOT_FOUND', `Incident \`${incidentRef}\` does not exist`);
    const serviceIds = await incidentRepo.serviceIds(db, incident.id);
    if (serviceIds.length === 0) return [];
    const rows = await db
      .selectFrom('postmortems')
      .selectAll()
      .where('id', 'in', db.selectFrom('postmortem_services').select('postmortem_id').where('service_id', 'in', serviceIds))
      .where((eb) => eb.or([eb('incident_id', 'is', null), eb('incident_id', '<>', incident.id)]))
      .orderBy((eb) => eb.fn.coalesce('occurred_at', 'created_at'), 'desc')
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    return postmortemRepo.summaries(db, rows, new Map(), this.deps.clock.now());
  }

  /** `GET …/revisions`: every saved version, newest first. */
  async revisions(ref: string): Promise<Array<{ version: number; at: string; by: string; fields: string[] }>> {
    const row = await requirePostmortem(this.db, ref);
    const rows = await this.db.selectFrom('postmortem_revisions').select(['version', 'at', 'by_label', 'changed_fields_json']).where('postmortem_id', '=', row.id).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ version: Number(r.version), at: iso(Number(r.at)) as string, by: r.by_label, fields: parseJson<string[]>(r.changed_fields_json, []) }));
  }

  /** `GET …/revisions/{version}`: the document as saved at that version. */
  async revision(ref: string, version: number): Promise<PostmortemRevisionDetail> {
    const row = await requirePostmortem(this.db, ref);
    const rev = await this.db.selectFrom('postmortem_revisions').selectAll().where('postmortem_id', '=', row.id).where('version', '=', version).executeTakeFirst();
    if (!rev) throw new AppError('NOT_FOUND', `${postmortemReference(Number(row.number))} has no version ${version} (now at ${row.version})`);
    const s = JSON.parse(rev.snapshot_json) as PostmortemSnapshot;
    const services = s.serviceIds.length ? await this.db.selectFrom('services').select(['id', 'handle']).where('id', 'in', s.serviceIds).execute() : [];
    const owner = s.ownerUserId ? await this.db.selectFrom('users').select('handle').where('id', '=', s.ownerUserId).executeTakeFirst() : undefined;
    return {
      version: Number(rev.version),
      at: iso(Number(rev.at)) as string,
      by: rev.by_label,
      fields: parseJson<string[]>(rev.changed_fields_json, []),
      snapshot: {
        title: s.title, status: s.status, sections: s.sections, tags: s.tags,
        services: services.map((x) => x.handle.split('~deleted~')[0] as string).sort(),
        owner: owner?.handle ?? null, severity: s.severity, occurredAt: iso(s.occurredAt), endedAt: iso(s.endedAt), dueAt: iso(s.dueAt),
        noActionItemsReason: s.noActionItemsReason, reviewNotes: s.reviewNotes,
      },
    };
  }

  /** `POST /api/v1/postmortems/assistant`: the blameless findings on text being written; nothing is stored. */
  async assistant(input: z.output<typeof assistantRequestSchema>): Promise<{ findings: BlamelessFinding[] }> {
    let names: string[] = [];
    if (input.postmortem) {
      const row = await requirePostmortem(this.db, input.postmortem);
      const ids = [...(row.owner_user_id ? [row.owner_user_id] : []), ...parseJson<string[]>(row.authors_json, []), ...parseJson<string[]>(row.people_json, [])];
      names = [...(await postmortemRepo.people(this.db, ids)).values()].map((p) => p.name);
    }
    return { findings: reviewBlameless(input.texts, { names }) };
  }

  // ---- input checks

  private async user(db: Kysely<Database>, ref: string, path: string, active = true): Promise<{ id: string; handle: string; name: string }> {
    let q = db.selectFrom('users').select(['id', 'handle', 'name']).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())]));
    if (active) q = q.where('deactivated_at', 'is', null);
    const user = await q.executeTakeFirst();
    if (!user) throw invalid(path, `no ${active ? 'active ' : ''}user \`${ref}\``);
    return user;
  }

  private async users(db: Kysely<Database>, refs: readonly string[], path: string): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const user = await this.user(db, ref, `${path}.${i}`);
      if (!ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }

  private async serviceIdsOf(db: Kysely<Database>, refs: readonly string[], path: string): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const service = await this.deps.services.find(db, ref);
      if (!service) throw invalid(`${path}.${i}`, `no service \`${ref}\``);
      if (!ids.includes(service.id)) ids.push(service.id);
    }
    return ids;
  }

  // ---- drafting

  /** Everything an incident's postmortem is drafted from, read in the caller's transaction. */
  private async draftInput(db: Kysely<Database>, incident: IncidentRow): Promise<{ input: DraftInput; peopleIds: string[]; commander: string | null }> {
    const timeline = await db.selectFrom('incident_timeline').select(['at', 'kind', 'summary', 'pinned', 'actor']).where('incident_id', '=', incident.id).orderBy('at').orderBy('id').execute();
    const alerts = await db
      .selectFrom('incident_alerts')
      .innerJoin('alerts', 'alerts.id', 'incident_alerts.alert_id')
      .leftJoin('services', 'services.id', 'alerts.service_id')
      .select(['alerts.number', 'alerts.title', 'services.name as service'])
      .where('incident_alerts.incident_id', '=', incident.id)
      .orderBy('incident_alerts.linked_at')
      .orderBy('alerts.number')
      .execute();
    const changes = await db
      .selectFrom('incident_change_marks')
      .innerJoin('changes', 'changes.id', 'incident_change_marks.change_id')
      .innerJoin('services', 'services.id', 'changes.service_id')
      .select(['changes.happened_at', 'services.handle', 'changes.summary', 'changes.url', 'incident_change_marks.mark'])
      .where('incident_change_marks.incident_id', '=', incident.id)
      .where('incident_change_marks.mark', 'in', ['caused', 'suspect'])
      .orderBy('changes.happened_at')
      .execute();
    const roles = await db
      .selectFrom('incident_roles')
      .innerJoin('users', 'users.id', 'incident_roles.user_id')
      .select(['incident_roles.role', 'incident_roles.user_id', 'users.name'])
      .where('incident_roles.incident_id', '=', incident.id)
      .orderBy('incident_roles.assigned_at')
      .execute();
    const participants = await db
      .selectFrom('incident_participants')
      .innerJoin('users', 'users.id', 'incident_participants.user_id')
      .select(['incident_participants.user_id', 'users.name'])
      .where('incident_participants.incident_id', '=', incident.id)
      .orderBy('incident_participants.joined_at')
      .execute();
    const people = new Map<string, { name: string; roles: string[] }>();
    for (const r of roles) {
      const person = people.get(r.user_id) ?? { name: r.name, roles: [] };
      person.roles.push(roleName(r.role));
      people.set(r.user_id, person);
    }
    for (const p of participants) if (!people.has(p.user_id)) people.set(p.user_id, { name: p.name, roles: [] });
    const input: DraftInput = {
      incident: {
        reference: incidentReference(Number(incident.number)),
        title: incident.title,
        severity: incident.severity,
        summary: incident.summary,
        customerImpact: incident.customer_impact,
        detectedAt: Number(incident.detected_at),
        mitigatedAt: incident.mitigated_at === null ? null : Number(incident.mitigated_at),
        resolvedAt: incident.resolved_at === null ? null : Number(incident.resolved_at),
        timeZone: DRAFT_TIME_ZONE,
      },
      timeline: timeline.map((e) => ({ at: Number(e.at), kind: e.kind, text: e.summary, pinned: Number(e.pinned) === 1 })),
      alerts: alerts.map((a) => ({ number: Number(a.number), title: a.title, service: a.service ?? null })),
      changes: changes.map((c) => ({ at: Number(c.happened_at), service: c.handle.split('~deleted~')[0] as string, summary: c.summary, mark: c.mark as 'caused' | 'suspect', link: c.url })),
      updates: timeline.filter((e) => e.kind === 'update').map((e) => ({ at: Number(e.at), text: e.summary, author: e.actor ?? 'unknown' })),
      people: [...people.values()],
    };
    return { input, peopleIds: [...people.keys()], commander: roles.find((r) => r.role === INCIDENT_COMMANDER)?.user_id ?? null };
  }

  /**
   * Starts the postmortem of an incident in the caller's transaction, drafted from it (header,
   * services, duration, timeline, linked alerts, changes marked caused or suspect, stakeholder
   * updates). For the policy on resolve and for `POST /api/v1/postmortems`. When the incident already
   * has one it is returned (and marked required when this request is), or 409 with `ifExists: 'conflict'`.
   */
  async createDraft(tx: Tx, who: PostmortemAuthor, request: DraftRequest): Promise<PostmortemRow> {
    const db = tx.db;
    const incident = await incidentRepo.find(db, request.incidentId);
    if (!incident) throw new AppError('NOT_FOUND', `Incident \`${request.incidentId}\` does not exist`);
    const existing = await db.selectFrom('postmortems').selectAll().where('incident_id', '=', incident.id).executeTakeFirst();
    if (existing) {
      const ref = postmortemReference(Number(existing.number));
      if (request.ifExists === 'conflict') throw new AppError('CONFLICT', `${incidentReference(Number(incident.number))} already has a postmortem: ${ref}`, { postmortem: { id: existing.id, reference: ref } });
      if (!request.required || Number(existing.required) === 1) return existing;
      const set = {
        required: 1,
        required_reasons_json: JSON.stringify(request.reasons ?? []),
        ...(existing.due_at === null && request.dueAt !== undefined ? { due_at: request.dueAt } : {}),
        ...(existing.owner_user_id === null && request.owner ? { owner_user_id: request.owner } : {}),
      };
      return this.bump(tx, existing, who, ['required', ...('due_at' in set ? ['dueAt'] : []), ...('owner_user_id' in set ? ['owner'] : [])], set);
    }
    const template = await this.deps.templates.resolve(db, request.template ?? DEFAULT_TEMPLATE, 'body.template');
    const { input, peopleIds, commander } = await this.draftInput(db, incident);
    const draft = draftPostmortem(input, template);
    const creator = userIdOf(who);
    const owner = request.owner ?? commander ?? creator;
    const serviceIds = request.serviceIds ? [...request.serviceIds] : await incidentRepo.serviceIds(db, incident.id);
    return this.insert(tx, who, {
      incident_id: incident.id,
      title: request.title ?? draft.title,
      template_handle: template.handle,
      sections: draft.sections.map((s) => ({ key: s.key, title: s.title, body: s.body, internal: s.internal })),
      severity: draft.severity,
      occurred_at: draft.occurredAt,
      ended_at: draft.endedAt,
      owner_user_id: owner,
      authors: creator ? [creator] : [],
      people: peopleIds,
      due_at: request.dueAt ?? null,
      required: request.required === true,
      reasons: request.reasons ?? [],
      tags: request.tags ?? [],
      serviceIds,
    });
  }

  private async insert(
    tx: Tx,
    who: PostmortemAuthor,
    doc: {
      incident_id: string | null; title: string; template_handle: string; sections: PostmortemSection[]; severity: string | null; occurred_at: number | null; ended_at: number | null;
      owner_user_id: string | null; authors: string[]; people: string[]; due_at: number | null; required: boolean; reasons: readonly string[]; tags: readonly string[]; serviceIds: readonly string[];
    },
  ): Promise<PostmortemRow> {
    const db = tx.db;
    const now = this.deps.clock.now();
    const actor = actorOf(who);
    const tags = [...new Set(doc.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
    const row: PostmortemRow = {
      id: this.deps.ids(),
      number: await postmortemRepo.nextNumber(db),
      incident_id: doc.incident_id,
      title: doc.title,
      status: 'draft',
      template_handle: doc.template_handle,
      sections_json: JSON.stringify(doc.sections),
      severity: doc.severity,
      occurred_at: doc.occurred_at,
      ended_at: doc.ended_at,
      owner_user_id: doc.owner_user_id,
      authors_json: JSON.stringify(doc.authors),
      people_json: JSON.stringify(doc.people),
      due_at: doc.due_at,
      required: doc.required ? 1 : 0,
      required_reasons_json: JSON.stringify(doc.reasons),
      no_action_items_reason: null,
      review_notes_json: null,
      search_text: '',
      version: 1,
      created_at: now,
      created_by: actor.label,
      updated_at: now,
      updated_by: actor.label,
      submitted_at: null,
      published_at: null,
    };
    await db.insertInto('postmortems').values(row).execute();
    await postmortemRepo.replaceTags(db, row.id, tags);
    await postmortemRepo.replaceServices(db, row.id, doc.serviceIds);
    const searchText = await this.reindex(tx, row.id);
    const stored = { ...row, search_text: searchText };
    await postmortemRepo.insertRevision(db, stored, await postmortemRepo.snapshot(db, stored), ['created'], { userId: userIdOf(who), label: actor.label });
    await this.deps.audit.record(db, actor, { action: 'postmortem.create', targetType: 'postmortem', targetId: row.id, after: { reference: postmortemReference(Number(row.number)), title: row.title, incidentId: row.incident_id, template: row.template_handle, required: doc.required } });
    return stored;
  }

  /** `POST /api/v1/postmortems`: drafted from an incident, or a standalone one (a launch, an event). */
  async create(acting: Acting, input: z.output<typeof createPostmortemSchema>): Promise<Postmortem> {
    assertNoNul(input, 'body');
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const owner = input.owner !== undefined ? (await this.user(db, input.owner, 'body.owner')).id : undefined;
      const serviceIds = input.services ? await this.serviceIdsOf(db, input.services, 'body.services') : undefined;
      let row: PostmortemRow;
      if (input.incident !== undefined) {
        const incident = await incidentRepo.find(db, input.incident);
        if (!incident) throw invalid('body.incident', `no incident \`${input.incident}\``);
        row = await this.createDraft(tx, acting, {
          incidentId: incident.id, ifExists: 'conflict',
          ...(owner ? { owner } : {}), ...(input.template ? { template: input.template } : {}), ...(input.title ? { title: input.title } : {}),
          ...(input.tags ? { tags: input.tags } : {}), ...(serviceIds ? { serviceIds } : {}),
          // The policy's verdict, when it already required one (or someone asked for one).
          ...(Number(incident.postmortem_required) === 1 ? { required: true, reasons: parseJson<string[]>(incident.postmortem_reasons_json, []) } : {}),
        });
      } else {
        if (!input.title) throw invalid('body.title', 'is required for a postmortem without an incident');
        const template = await this.deps.templates.resolve(db, input.template ?? DEFAULT_TEMPLATE, 'body.template');
        const creator = userIdOf(acting);
        row = await this.insert(tx, acting, {
          incident_id: null, title: input.title, template_handle: template.handle, sections: sectionsFromTemplate(template), severity: null, occurred_at: null, ended_at: null,
          owner_user_id: owner ?? creator, authors: creator ? [creator] : [], people: [], due_at: null, required: false, reasons: [], tags: input.tags ?? [], serviceIds: serviceIds ?? [],
        });
      }
      return this.view(db, row);
    });
  }

  // ---- changes

  /**
   * Moves a postmortem to its next version after a change by another part (review, action items):
   * writes `set` with the version compare-and-set (409 if someone saved meanwhile), stores the revision
   * naming `fields`, and refreshes the search text. Returns the row as stored.
   */
  async bump(tx: Tx, row: PostmortemRow, who: PostmortemAuthor, fields: readonly string[], set: Partial<Omit<PostmortemRow, 'id' | 'number' | 'version'>> = {}): Promise<PostmortemRow> {
    const db = tx.db;
    const actor = actorOf(who);
    const now = this.deps.clock.now();
    const result = await db
      .updateTable('postmortems')
      .set({ ...set, version: Number(row.version) + 1, updated_at: now, updated_by: actor.label })
      .where('id', '=', row.id)
      .where('version', '=', Number(row.version))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const current = await db.selectFrom('postmortems').select('version').where('id', '=', row.id).executeTakeFirst();
      throw new AppError('CONFLICT', `${postmortemReference(Number(row.number))} changed meanwhile (version ${current?.version ?? '?'}, not ${row.version}); reload and try again`);
    }
    await this.reindex(tx, row.id);
    const stored = await db.selectFrom('postmortems').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    await postmortemRepo.insertRevision(db, stored, await postmortemRepo.snapshot(db, stored), fields, { userId: userIdOf(who), label: actor.label });
    return stored;
  }

  /**
   * Recomputes what full-text search reads (tags, services, section bodies, action-item titles; the
   * title is indexed on its own) in the caller's transaction. The action-item part calls it after
   * every change of an item. Returns the text.
   */
  async reindex(tx: Tx, postmortemId: string): Promise<string> {
    const db = tx.db;
    const row = await db.selectFrom('postmortems').select(['id', 'sections_json', 'search_text']).where('id', '=', postmortemId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Postmortem \`${postmortemId}\` does not exist`);
    const services = await db.selectFrom('postmortem_services').innerJoin('services', 'services.id', 'postmortem_services.service_id').select(['services.handle', 'services.name']).where('postmortem_services.postmortem_id', '=', postmortemId).orderBy('services.handle').execute();
    const items = await db.selectFrom('action_items').select('title').where('postmortem_id', '=', postmortemId).orderBy('number').execute();
    const text = searchTextOf({
      tags: await postmortemRepo.tags(db, postmortemId),
      services: services.map((s) => ({ handle: s.handle.split('~deleted~')[0] as string, name: s.name })),
      sections: parseJson<PostmortemSection[]>(row.sections_json, []),
      actionItems: items.map((i) => i.title),
    });
    if (text !== row.search_text) await db.updateTable('postmortems').set({ search_text: text }).where('id', '=', postmortemId).execute();
    return text;
  }

  /** The 409 answer: the postmortem now and what changed since the writer's version (also for review actions). */
  async conflict(db: Kysely<Database>, row: PostmortemRow, baseVersion: number): Promise<AppError> {
    // A version from the future names no change (and must not overflow PostgreSQL's integer).
    const from = Math.min(baseVersion, Number(row.version));
    const since = await db.selectFrom('postmortem_revisions').select(['version', 'by_label', 'changed_fields_json']).where('postmortem_id', '=', row.id).where('version', '>', from).orderBy('version').execute();
    const by = [...new Set(since.map((r) => r.by_label))];
    const fields = [...new Set(since.flatMap((r) => parseJson<string[]>(r.changed_fields_json, [])))];
    const ref = postmortemReference(Number(row.number));
    return new AppError('CONFLICT', `${ref} changed since version ${baseVersion}: it is at version ${row.version}${by.length ? ` (changed by ${by.join(', ')}: ${fields.join(', ')})` : ''}; merge and save again with baseVersion ${row.version}`, {
      current: await this.view(db, row),
      theirs: { fromVersion: baseVersion, toVersion: Number(row.version), by, fields },
    });
  }

  /**
   * `PATCH /api/v1/postmortems/{postmortem}`: changes the document if it is still at `baseVersion`;
   * otherwise 409 with the postmortem now and the other author's changes, and nothing is written.
   */
  async update(acting: Acting, ref: string, patch: UpdatePostmortem): Promise<Postmortem> {
    assertNoNul(patch, 'body');
    const attempt = this.deps.database.transaction(async (tx): Promise<{ ok: Postmortem } | { stale: PostmortemRow }> => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      if (patch.baseVersion !== Number(row.version)) return { stale: row };
      const reference = postmortemReference(Number(row.number));
      if (row.status === 'published') throw new AppError('RULE_VIOLATION', `${reference} is published; reopen it before changing it`, { issues: [{ path: 'params.postmortem', message: 'is published' }] });
      const before = await postmortemRepo.snapshot(db, row);
      const after: PostmortemSnapshot = { ...before };
      if (patch.title !== undefined) after.title = patch.title;
      if (patch.sections !== undefined) {
        const seen = new Set<string>();
        after.sections = patch.sections.map((s, i) => {
          if (seen.has(s.key)) throw invalid(`body.sections.${i}.key`, `section \`${s.key}\` appears twice`);
          seen.add(s.key);
          const old = before.sections.find((o) => o.key === s.key);
          return { key: s.key, title: s.title, body: s.body, internal: s.internal ?? old?.internal ?? false };
        });
      }
      if (patch.tags !== undefined) after.tags = [...new Set(patch.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
      if (patch.services !== undefined) after.serviceIds = (await this.serviceIdsOf(db, patch.services, 'body.services')).sort();
      if (patch.owner !== undefined) after.ownerUserId = patch.owner === null ? null : (await this.user(db, patch.owner, 'body.owner')).id;
      if (patch.authors !== undefined) after.authorIds = await this.users(db, patch.authors, 'body.authors');
      if (patch.people !== undefined) after.peopleIds = await this.users(db, patch.people, 'body.people');
      if (patch.severity !== undefined) after.severity = patch.severity;
      const occurredAt = instant(patch.occurredAt, 'body.occurredAt');
      const endedAt = instant(patch.endedAt, 'body.endedAt');
      const dueAt = instant(patch.dueAt, 'body.dueAt');
      if (occurredAt !== undefined) after.occurredAt = occurredAt;
      if (endedAt !== undefined) after.endedAt = endedAt;
      if (dueAt !== undefined) after.dueAt = dueAt;
      if (after.occurredAt !== null && after.endedAt !== null && after.endedAt < after.occurredAt) throw invalid('body.endedAt', 'must not be before occurredAt');
      if (patch.noActionItemsReason !== undefined) after.noActionItemsReason = patch.noActionItemsReason === null || patch.noActionItemsReason === '' ? null : patch.noActionItemsReason;
      if (patch.reviewNotes !== undefined) after.reviewNotes = patch.reviewNotes;

      const fields = changedFields(before, after);
      if (fields.length === 0) return { ok: await this.view(db, row) };
      if (fields.includes('tags')) await postmortemRepo.replaceTags(db, row.id, after.tags);
      if (fields.includes('services')) await postmortemRepo.replaceServices(db, row.id, after.serviceIds);
      const stored = await this.bump(tx, row, acting, fields, {
        title: after.title,
        sections_json: JSON.stringify(after.sections),
        owner_user_id: after.ownerUserId,
        authors_json: JSON.stringify(after.authorIds),
        people_json: JSON.stringify(after.peopleIds),
        severity: after.severity,
        occurred_at: after.occurredAt,
        ended_at: after.endedAt,
        due_at: after.dueAt,
        no_action_items_reason: after.noActionItemsReason,
        review_notes_json: after.reviewNotes === null ? null : JSON.stringify(after.reviewNotes),
      });
      if (fields.includes('dueAt')) for (const listener of this.dueListeners) await listener(tx, stored);
      // The revision keeps the text; the audit entry says who changed which fields.
      await this.deps.audit.record(db, acting.actor, { action: 'postmortem.update', targetType: 'postmortem', targetId: row.id, before: { version: Number(row.version) }, after: { version: Number(stored.version), fields } });
      return { ok: await this.view(db, stored) };
    });
    const outcome = await attempt.catch(async (error: unknown) => {
      // Another save won the compare-and-set between our read and our write (PostgreSQL): answer as
      // for a stale version, with what that save changed.
      if (!(error instanceof AppError && error.code === 'CONFLICT' && error.details === undefined) && !isUniqueViolation(error)) throw error;
      return { stale: await requirePostmortem(this.db, ref) };
    });
    if ('ok' in outcome) return outcome.ok;
    throw await this.conflict(this.db, outcome.stale, patch.baseVersion);
  }

  /**
   * `DELETE /api/v1/postmortems/{postmortem}`: removes a draft started by mistake, with its sections,
   * revisions, tags, services, reviewers, attachments and search entry. Only a draft that was never
   * published (a published postmortem is the record, and reopening does not make it less so), only
   * by an admin or its owner, and a required one only by an admin (its owner would otherwise escape
   * the policy). A draft with action items is refused: items may already have tracker issues and
   * reminders, so their authors delete them first, deliberately.
   */
  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      const pm = postmortemReference(Number(row.number));
      const principal = acting.principal;
      const isAdmin = principal !== null && roleAtLeast(principal.role, 'admin');
      const isOwner = principal !== null && row.owner_user_id !== null && principal.userId === row.owner_user_id;
      if (!isAdmin && !isOwner) throw new AppError('FORBIDDEN', `Only an admin or the owner of ${pm} may delete it`);
      if (Number(row.required) === 1 && !isAdmin) throw new AppError('FORBIDDEN', `${pm} is required by the postmortem policy; only an admin may delete it`);
      const rule = (message: string, path = 'params.postmortem') => new AppError('RULE_VIOLATION', message, { issues: [{ path, message }] });
      if (row.status !== 'draft') throw rule(`${pm} is ${row.status === 'in_review' ? 'in review' : 'published'}; only drafts can be deleted`);
      // Snapshots are JSON written by `snapshotOf`; a quote inside a section body is escaped there, so
      // this matches the status field only.
      const everPublished = await db.selectFrom('postmortem_revisions').select('version').where('postmortem_id', '=', row.id).where('snapshot_json', 'like', '%"status":"published"%').executeTakeFirst();
      if (everPublished) throw rule(`${pm} was published (version ${everPublished.version}); a published postmortem is the record and is kept`);
      const items = await db.selectFrom('action_items').select('number').where('postmortem_id', '=', row.id).orderBy('number').execute();
      if (items.length > 0) {
        throw rule(`${pm} has action items (${items.map((i) => actionItemReference(Number(i.number))).join(', ')}); delete them first`, 'actionItems');
      }
      const attachments = await db.selectFrom('postmortem_attachments').select('id').where('postmortem_id', '=', row.id).execute();
      for (const table of ['postmortem_attachments', 'postmortem_reviewers', 'postmortem_tags', 'postmortem_services', 'postmortem_publications', 'postmortem_revisions'] as const) {
        await db.deleteFrom(table).where('postmortem_id', '=', row.id).execute();
      }
      // The search entry goes with the row (SQLite: the FTS trigger; PostgreSQL: the expression index).
      await db.deleteFrom('postmortems').where('id', '=', row.id).execute();
      for (const listener of this.deleteListeners) await listener(tx, row);
      await this.deps.audit.record(db, acting.actor, {
        action: 'postmortem.delete', targetType: 'postmortem', targetId: row.id,
        before: { reference: pm, title: row.title, incidentId: row.incident_id, status: row.status, version: Number(row.version), required: Number(row.required) === 1, attachments: attachments.length },
      });
    });
  }

  /** The postmortem and its action items, for the Markdown export and the print page. */
  async exportData(ref: string): Promise<{ postmortem: Postmortem; actionItems: Array<{ reference: string; title: string; status: string; owner: string | null; priority: string; dueDate: string | null; trackerUrl: string | null }> }> {
    const row = await requirePostmortem(this.db, ref);
    const items = await this.db
      .selectFrom('action_items')
      .leftJoin('users', 'users.id', 'action_items.owner_user_id')
      .select(['action_items.number', 'action_items.title', 'action_items.status', 'action_items.priority', 'action_items.due_date', 'action_items.tracker_url', 'users.name as owner'])
      .where('action_items.postmortem_id', '=', row.id)
      .orderBy('action_items.number')
      .execute();
    return {
      postmortem: await this.view(this.db, row),
      actionItems: items.map((i) => ({ reference: actionItemReference(Number(i.number)), title: i.title, status: i.status, owner: i.owner ?? null, priority: i.priority, dueDate: i.due_date, trackerUrl: i.tracker_url })),
    };
  }
}
