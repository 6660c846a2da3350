import { sql, type Kysely } from 'kysely';
import type { Postmortem, PostmortemSection, PostmortemSummary, ReviewNotes } from '../../../contracts/postmortems.js';
import { reference as incidentReference } from '../incidents/incident.repo.js';
import type { Database } from '../../platform/db/schema.js';
import { postmortemReference, type PostmortemRow } from './postmortem.lookup.js';

/**
 * Rows of the postmortem tables and the API shapes built from them. Thin on purpose: the document's
 * rules (drafting, blameless review, markdown) live in src/core/postmortems, the writes in the service.
 */

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

type Person = { id: string; handle: string; name: string };

/**
 * The editable fields of a postmortem as one revision stores them (`postmortem_revisions.snapshot_json`).
 * Users and services by id, so a renamed person or service reads correctly later.
 */
export interface PostmortemSnapshot {
  title: string;
  status: string;
  sections: PostmortemSection[];
  tags: string[];
  serviceIds: string[];
  ownerUserId: string | null;
  authorIds: string[];
  peopleIds: string[];
  severity: string | null;
  occurredAt: number | null;
  endedAt: number | null;
  dueAt: number | null;
  noActionItemsReason: string | null;
  reviewNotes: ReviewNotes | null;
}

/** The fields a snapshot compares, in the order a conflict lists them; sections are compared one by one (`sections.<key>`). */
const SCALAR_FIELDS = ['title', 'status', 'tags', 'serviceIds', 'ownerUserId', 'authorIds', 'peopleIds', 'severity', 'occurredAt', 'endedAt', 'dueAt', 'noActionItemsReason', 'reviewNotes'] as const;
/** API names of snapshot fields (what `details.theirs.fields` and the revision list say). */
const FIELD_NAMES: Record<(typeof SCALAR_FIELDS)[number], string> = {
  title: 'title', status: 'status', tags: 'tags', serviceIds: 'services', ownerUserId: 'owner', authorIds: 'authors', peopleIds: 'people', severity: 'severity',
  occurredAt: 'occurredAt', endedAt: 'endedAt', dueAt: 'dueAt', noActionItemsReason: 'noActionItemsReason', reviewNotes: 'reviewNotes',
};

/** What changed between two snapshots: `title`, `tags`, `sections.root-cause`, `sections.order`… */
export function changedFields(before: PostmortemSnapshot, after: PostmortemSnapshot): string[] {
  const fields: string[] = [];
  for (const field of SCALAR_FIELDS) {
    if (JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null)) fields.push(FIELD_NAMES[field]);
  }
  const old = new Map(before.sections.map((s) => [s.key, s]));
  const now = new Map(after.sections.map((s) => [s.key, s]));
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(key);
    const b = now.get(key);
    if (!a || !b || a.title !== b.title || a.body !== b.body || a.internal !== b.internal) fields.push(`sections.${key}`);
  }
  const common = (keys: string[], other: Map<string, unknown>) => keys.filter((k) => other.has(k));
  if (common([...old.keys()], now).join('\n') !== common([...now.keys()], old).join('\n')) fields.push('sections.order');
  return fields;
}

export const parseJson = <T>(text: string | null | undefined, fallback: T): T => (text === null || text === undefined || text === '' ? fallback : (JSON.parse(text) as T));

/** The postmortem row's part of a snapshot, plus its tags and services (separate tables). */
export function snapshotOf(row: PostmortemRow, tags: readonly string[], serviceIds: readonly string[]): PostmortemSnapshot {
  return {
    title: row.title,
    status: row.status,
    sections: parseJson<PostmortemSection[]>(row.sections_json, []),
    tags: [...tags].sort(),
    serviceIds: [...serviceIds].sort(),
    ownerUserId: row.owner_user_id,
    authorIds: parseJson<string[]>(row.authors_json, []),
    peopleIds: parseJson<string[]>(row.people_json, []),
    severity: row.severity,
    occurredAt: row.occurred_at === null ? null : Number(row.occurred_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    dueAt: row.due_at === null ? null : Number(row.due_at),
    noActionItemsReason: row.no_action_items_reason,
    reviewNotes: parseJson<ReviewNotes | null>(row.review_notes_json, null),
  };
}

/** Whether a required postmortem is late: not published and past its due date. */
export const isOverdue = (row: Pick<PostmortemRow, 'required' | 'status' | 'due_at'>, now: number): boolean =>
  Number(row.required) === 1 && row.status !== 'published' && row.due_at !== null && Number(row.due_at) < now;

export const postmortemRepo = {
  /**
   * The next postmortem number from the atomic `postmortem` counter: the upsert row-locks the counter
   * until the transaction ends, so concurrent drafts never share a number (as incidents do).
   */
  async nextNumber(db: Kysely<Database>): Promise<number> {
    const row = await db
      .insertInto('counters')
      .values((eb) => ({ name: 'postmortem', value: eb.selectFrom('postmortems').select(sql<number>`COALESCE(MAX(number), 0) + 1`.as('n')) }))
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  },

  async tags(db: Kysely<Database>, postmortemId: string): Promise<string[]> {
    return (await db.selectFrom('postmortem_tags').select('tag').where('postmortem_id', '=', postmortemId).orderBy('tag').execute()).map((r) => r.tag);
  },

  async serviceIds(db: Kysely<Database>, postmortemId: string): Promise<string[]> {
    return (await db.selectFrom('postmortem_services').select('service_id').where('postmortem_id', '=', postmortemId).execute()).map((r) => r.service_id).sort();
  },

  async replaceTags(db: Kysely<Database>, postmortemId: string, tags: readonly string[]): Promise<void> {
    await db.deleteFrom('postmortem_tags').where('postmortem_id', '=', postmortemId).execute();
    if (tags.length > 0) await db.insertInto('postmortem_tags').values([...new Set(tags)].map((tag) => ({ postmortem_id: postmortemId, tag }))).execute();
  },

  async replaceServices(db: Kysely<Database>, postmortemId: string, serviceIds: readonly string[]): Promise<void> {
    await db.deleteFrom('postmortem_services').where('postmortem_id', '=', postmortemId).execute();
    if (serviceIds.length > 0) await db.insertInto('postmortem_services').values([...new Set(serviceIds)].map((service_id) => ({ postmortem_id: postmortemId, service_id }))).execute();
  },

  async snapshot(db: Kysely<Database>, row: PostmortemRow): Promise<PostmortemSnapshot> {
    return snapshotOf(row, await this.tags(db, row.id), await this.serviceIds(db, row.id));
  },

  async insertRevision(db: Kysely<Database>, row: PostmortemRow, snapshot: PostmortemSnapshot, fields: readonly string[], by: { userId: string | null; label: string }): Promise<void> {
    await db
      .insertInto('postmortem_revisions')
      .values({ postmortem_id: row.id, version: row.version, snapshot_json: JSON.stringify(snapshot), changed_fields_json: JSON.stringify(fields), at: Number(row.updated_at), by_user_id: by.userId, by_label: by.label })
      .execute();
  },

  /** People by id, in the order asked, skipping unknown ids. */
  async people(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, Person>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'handle', 'name']).where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  /** The API shape of many postmortems in a handful of queries. `findings` are filled by the caller. */
  async views(db: Kysely<Database>, rows: readonly PostmortemRow[], now: number): Promise<Array<Omit<Postmortem, 'findings'>>> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const incidentIds = rows.map((r) => r.incident_id).filter((id): id is string => id !== null);
    const incidents = incidentIds.length ? await db.selectFrom('incidents').select(['id', 'number', 'title']).where('id', 'in', incidentIds).execute() : [];
    const services = await db
      .selectFrom('postmortem_services')
      .innerJoin('services', 'services.id', 'postmortem_services.service_id')
      .select(['postmortem_services.postmortem_id', 'services.id', 'services.handle', 'services.name'])
      .where('postmortem_services.postmortem_id', 'in', ids)
      .orderBy('services.handle')
      .execute();
    const tags = await db.selectFrom('postmortem_tags').select(['postmortem_id', 'tag']).where('postmortem_id', 'in', ids).orderBy('tag').execute();
    const reviewers = await db
      .selectFrom('postmortem_reviewers')
      .innerJoin('users', 'users.id', 'postmortem_reviewers.user_id')
      .select(['postmortem_reviewers.postmortem_id', 'users.id', 'users.handle', 'users.name', 'postmortem_reviewers.decision', 'postmortem_reviewers.comment', 'postmortem_reviewers.decided_at', 'postmortem_reviewers.added_at'])
      .where('postmortem_reviewers.postmortem_id', 'in', ids)
      .orderBy('postmortem_reviewers.added_at')
      .orderBy('users.handle')
      .execute();
    const counts = await db
      .selectFrom('action_items')
      .select(['postmortem_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('postmortem_id', 'in', ids)
      .groupBy(['postmortem_id', 'status'])
      .execute();
    const personIds = rows.flatMap((r) => [...(r.owner_user_id ? [r.owner_user_id] : []), ...parseJson<string[]>(r.authors_json, []), ...parseJson<string[]>(r.people_json, [])]);
    const people = await this.people(db, personIds);
    const persons = (list: readonly string[]) => list.map((id) => people.get(id)).filter((p): p is Person => p !== undefined);
    return rows.map((row) => {
      const incident = incidents.find((i) => i.id === row.incident_id);
      const mine = counts.filter((c) => c.postmortem_id === row.id);
      const count = (statuses: string[]) => mine.filter((c) => statuses.includes(c.status)).reduce((n, c) => n + Number(c.n), 0);
      const occurredAt = row.occurred_at === null ? null : Number(row.occurred_at);
      const endedAt = row.ended_at === null ? null : Number(row.ended_at);
      return {
        id: row.id,
        number: Number(row.number),
        reference: postmortemReference(Number(row.number)),
        title: row.title,
        status: row.status as Postmortem['status'],
        incident: incident ? { id: incident.id, reference: incidentReference(Number(incident.number)), title: incident.title } : null,
        template: row.template_handle,
        severity: row.severity,
        occurredAt: iso(occurredAt),
        endedAt: iso(endedAt),
        durationMinutes: occurredAt !== null && endedAt !== null && endedAt >= occurredAt ? Math.round((endedAt - occurredAt) / 60_000) : null,
        // A deleted service's handle carries `~deleted~<id>`; show the handle it had.
        services: services.filter((s) => s.postmortem_id === row.id).map((s) => ({ id: s.id, handle: s.handle.split('~deleted~')[0] as string, name: s.name })),
        tags: tags.filter((t) => t.postmortem_id === row.id).map((t) => t.tag),
        owner: row.owner_user_id ? (people.get(row.owner_user_id) ?? null) : null,
        authors: persons(parseJson<string[]>(row.authors_json, [])),
        people: persons(parseJson<string[]>(row.people_json, [])),
        reviewers: reviewers
          .filter((r) => r.postmortem_id === row.id)
          .map((r) => ({ id: r.id, handle: r.handle, name: r.name, decision: r.decision as 'approved' | 'changes_requested' | null, comment: r.comment, decidedAt: iso(r.decided_at) })),
        sections: parseJson<PostmortemSection[]>(row.sections_json, []),
        required: Number(row.required) === 1,
        requiredReasons: parseJson<string[]>(row.required_reasons_json, []),
        dueAt: iso(row.due_at),
        overdue: isOverdue(row, now),
        noActionItemsReason: row.no_action_items_reason,
        reviewNotes: parseJson<ReviewNotes | null>(row.review_notes_json, null),
        actionItemCounts: { open: count(['open', 'in_progress']), done: count(['done', 'wont_do']) },
        version: Number(row.version),
        createdAt: iso(row.created_at) as string,
        createdBy: row.created_by,
        updatedAt: iso(row.updated_at) as string,
        updatedBy: row.updated_by,
        submittedAt: iso(row.submitted_at),
        publishedAt: iso(row.published_at),
      };
    });
  },

  /** List rows (no sections, no findings): the list and search results. */
  async summaries(db: Kysely<Database>, rows: readonly PostmortemRow[], snippets: ReadonlyMap<string, string>, now: number): Promise<PostmortemSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const incidentIds = rows.map((r) => r.incident_id).filter((id): id is string => id !== null);
    const incidents = incidentIds.length ? await db.selectFrom('incidents').select(['id', 'number']).where('id', 'in', incidentIds).execute() : [];
    const services = await db
      .selectFrom('postmortem_services')
      .innerJoin('services', 'services.id', 'postmortem_services.service_id')
      .select(['postmortem_services.postmortem_id', 'services.handle', 'services.name'])
      .where('postmortem_services.postmortem_id', 'in', ids)
      .orderBy('services.handle')
      .execute();
    const tags = await db.selectFrom('postmortem_tags').select(['postmortem_id', 'tag']).where('postmortem_id', 'in', ids).orderBy('tag').execute();
    const people = await this.people(db, rows.flatMap((r) => (r.owner_user_id ? [r.owner_user_id] : [])));
    return rows.map((row) => {
      const incident = incidents.find((i) => i.id === row.incident_id);
      return {
        id: row.id,
        reference: postmortemReference(Number(row.number)),
        title: row.title,
        status: row.status as PostmortemSummary['status'],
        incidentReference: incident ? incidentReference(Number(incident.number)) : null,
        severity: row.severity,
        occurredAt: iso(row.occurred_at),
        services: services.filter((s) => s.postmortem_id === row.id).map((s) => ({ handle: s.handle.split('~deleted~')[0] as string, name: s.name })),
        tags: tags.filter((t) => t.postmortem_id === row.id).map((t) => t.tag),
        owner: row.owner_user_id ? (people.get(row.owner_user_id) ?? null) : null,
        dueAt: iso(row.due_at),
        overdue: isOverdue(row, now),
        updatedAt: iso(row.updated_at) as string,
        snippet: snippets.get(row.id) ?? null,
      };
    });
  },
};
