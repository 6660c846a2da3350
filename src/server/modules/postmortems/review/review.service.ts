import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../../../../contracts/errors.js';
import type {
  Postmortem,
  PostmortemSection,
  Publication,
  postmortemTransitionSchema,
  publicVersionSchema,
  publishPublicVersionSchema,
  ReviewAgenda,
  reviewDecisionSchema,
  setReviewersSchema,
} from '../../../../contracts/postmortems.js';
import { reviewAgenda } from '../../../../core/postmortems/agenda.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import { validationError } from '../../../platform/http/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { IncidentRow } from '../../incidents/incident.repo.js';
import type { IncidentService } from '../../incidents/incident.service.js';
import type { StatusPageService } from '../../statuspages/statuspage.service.js';
import { actionItemReference, postmortemReference, requirePostmortem, type PostmortemRow } from '../postmortem.lookup.js';
import type { PostmortemDocuments } from './review.ports.js';
import type { PostmortemReminders } from './review.reminders.js';

type Transition = z.output<typeof postmortemTransitionSchema>;
type PublicVersion = z.infer<typeof publicVersionSchema>;

/** Where the public reads a published public version (no JavaScript, served by `review.public.ts`). */
export const publicVersionPath = (publicationId: string) => `/status-postmortems/${publicationId}`;

const iso = (ms: number) => new Date(ms).toISOString();
const ruleViolation = (message: string, issues: FieldIssue[]) => new AppError('RULE_VIOLATION', message, { issues });
const words = { draft: 'a draft', in_review: 'in review', published: 'published' } as Record<string, string>;

/** Which state each transition starts from and leads to (docs/postmortems.md, "Review"). */
const TRANSITIONS: Record<Transition['action'], { from: string; to: 'draft' | 'in_review' | 'published' }> = {
  submit: { from: 'draft', to: 'in_review' },
  withdraw: { from: 'in_review', to: 'draft' },
  publish: { from: 'in_review', to: 'published' },
  reopen: { from: 'published', to: 'draft' },
};

export interface PostmortemReviewDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  incidents: IncidentService;
  statusPages: StatusPageService;
  /** The document service (services.postmortems). */
  documents: PostmortemDocuments;
  reminders: PostmortemReminders;
  publicUrl: string;
}

/**
 * The review lifecycle of a postmortem (issue 8 "Review and follow-up", ADR 0038): named reviewers and
 * their recorded decisions, the transitions draft → in review → published (and back), the review
 * meeting's agenda, and the public version published to a status-page incident. Each change runs in
 * one transaction with its audit entry; those that change the document move its version (the
 * optimistic-concurrency token editors send back as `baseVersion`).
 */
export class PostmortemReview {
  constructor(private readonly deps: PostmortemReviewDeps) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  // ---- reviewers

  /** `PUT …/reviewers`: replaces the named reviewers; those kept keep their decision. */
  async setReviewers(acting: Acting, ref: string, input: z.output<typeof setReviewersSchema>): Promise<Postmortem> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      await this.assertVersion(db, row, input.baseVersion);
      if (row.status === 'published') {
        throw ruleViolation(`${postmortemReference(row.number)} is published; reopen it before changing its reviewers`, [{ path: 'body.reviewers', message: 'the postmortem is published' }]);
      }
      const wanted: Array<{ id: string; handle: string }> = [];
      const issues: FieldIssue[] = [];
      for (const [i, refOrId] of input.reviewers.entries()) {
        const user = await db
          .selectFrom('users')
          .select(['id', 'handle'])
          .where('deactivated_at', 'is', null)
          .where((eb) => eb.or([eb('id', '=', refOrId), eb('handle', '=', refOrId.replace(/^@/, '').toLowerCase())]))
          .executeTakeFirst();
        if (!user) issues.push({ path: `body.reviewers.${i}`, message: `no active user \`${refOrId}\`` });
        else if (!wanted.some((w) => w.id === user.id)) wanted.push(user);
      }
      if (issues.length > 0) throw validationError(issues);
      const before = await db.selectFrom('postmortem_reviewers').selectAll().where('postmortem_id', '=', row.id).execute();
      const now = this.deps.clock.now();
      const gone = before.filter((b) => !wanted.some((w) => w.id === b.user_id)).map((b) => b.user_id);
      if (gone.length > 0) await db.deleteFrom('postmortem_reviewers').where('postmortem_id', '=', row.id).where('user_id', 'in', gone).execute();
      const added = wanted.filter((w) => !before.some((b) => b.user_id === w.id));
      if (added.length > 0) {
        await db.insertInto('postmortem_reviewers').values(added.map((w) => ({ postmortem_id: row.id, user_id: w.id, decision: null, comment: null, decided_at: null, added_at: now }))).execute();
      }
      if (gone.length === 0 && added.length === 0) return this.deps.documents.view(db, row);
      await this.deps.documents.bump(tx, row, acting, ['reviewers']);
      // Named while it is in review: asked now, for the round under way.
      if (row.status === 'in_review' && row.submitted_at !== null && added.length > 0) {
        await this.deps.reminders.requests.queue(tx, row.id, Number(row.submitted_at), added.map((w) => w.id), { userId: acting.principal?.userId ?? null, label: acting.actor.label });
      }
      await this.deps.audit.record(db, acting.actor, {
        action: 'postmortem.reviewers', targetType: 'postmortem', targetId: row.id,
        before: { reviewers: before.map((b) => b.user_id) }, after: { reviewers: wanted.map((w) => w.id) },
      });
      return this.deps.documents.view(db, await requirePostmortem(db, row.id));
    });
  }

  /**
   * `POST …/reviews`: a named reviewer approves or asks for changes while the postmortem is in review.
   * Anyone else gets 403: an approval means something only from the people the authors asked.
   */
  async decide(acting: Acting, ref: string, input: z.output<typeof reviewDecisionSchema>): Promise<Postmortem> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      const pm = postmortemReference(row.number);
      const reviewers = await this.reviewerHandles(db, row.id);
      const me = acting.principal ? reviewers.find((r) => r.userId === acting.principal?.userId) : undefined;
      if (!me) {
        const named = reviewers.length === 0 ? 'it has no named reviewers yet' : `its reviewers are ${reviewers.map((r) => `@${r.handle}`).join(', ')}`;
        throw new AppError('FORBIDDEN', `Only the named reviewers of ${pm} may review it; ${named}`);
      }
      if (row.status !== 'in_review') {
        throw ruleViolation(`${pm} is ${words[row.status] ?? row.status}; reviews are recorded while it is in review`, [{ path: 'body.decision', message: `the postmortem is ${words[row.status] ?? row.status}` }]);
      }
      const now = this.deps.clock.now();
      const before = await db.selectFrom('postmortem_reviewers').select(['decision', 'comment', 'decided_at']).where('postmortem_id', '=', row.id).where('user_id', '=', me.userId).executeTakeFirstOrThrow();
      await db
        .updateTable('postmortem_reviewers')
        .set({ decision: input.decision, comment: input.comment ?? null, decided_at: now })
        .where('postmortem_id', '=', row.id)
        .where('user_id', '=', me.userId)
        .execute();
      await this.deps.audit.record(db, acting.actor, {
        action: 'postmortem.review', targetType: 'postmortem', targetId: row.id,
        before: { reviewer: me.userId, decision: before.decision, comment: before.comment }, after: { reviewer: me.userId, decision: input.decision, comment: input.comment ?? null },
      });
      return this.deps.documents.view(db, row);
    });
  }

  // ---- transitions

  /**
   * `POST …/transitions`. `submit` needs at least one action item or a stated reason for none;
   * `publish` needs every named reviewer (at least one) to have approved; `reopen` needs a reason.
   * Submitting clears earlier decisions: reviewers judge the text as submitted.
   */
  async transition(acting: Acting, ref: string, input: Transition): Promise<Postmortem> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      const pm = postmortemReference(row.number);
      await this.assertVersion(db, row, input.baseVersion);
      const move = TRANSITIONS[input.action];
      if (row.status !== move.from) {
        throw ruleViolation(`${pm} is ${words[row.status] ?? row.status}; \`${input.action}\` applies to a postmortem that is ${words[move.from]}`, [{ path: 'body.action', message: `not allowed while ${words[row.status] ?? row.status}` }]);
      }
      const now = this.deps.clock.now();
      const patch: { status: string; submitted_at?: number; published_at?: number | null } = { status: move.to };
      switch (input.action) {
        case 'submit': {
          const items = await db.selectFrom('action_items').select((eb) => eb.fn.countAll<number>().as('n')).where('postmortem_id', '=', row.id).executeTakeFirstOrThrow();
          if (Number(items.n) === 0 && (row.no_action_items_reason ?? '').trim() === '') {
            throw ruleViolation(`${pm} has no action items: add some, or say why there are none (the cost of doing something versus nothing) before submitting it for review`, [
              { path: 'body.noActionItemsReason', message: 'required when the postmortem has no action items' },
            ]);
          }
          patch.submitted_at = now;
          await db.updateTable('postmortem_reviewers').set({ decision: null, comment: null, decided_at: null }).where('postmortem_id', '=', row.id).execute();
          break;
        }
        case 'publish': {
          const reviewers = await this.reviewerHandles(db, row.id);
          if (reviewers.length === 0) {
            throw ruleViolation(`${pm} has no named reviewers; name at least one and have them approve it before publishing`, [{ path: 'body.action', message: 'no named reviewers' }]);
          }
          const waiting = reviewers.filter((r) => r.decision !== 'approved');
          if (waiting.length > 0) {
            const who = waiting.map((r) => `@${r.handle}${r.decision === 'changes_requested' ? ' (asked for changes)' : ''}`).join(', ');
            throw ruleViolation(`${pm} cannot be published until every named reviewer approved it; not yet: ${who}`, waiting.map((r) => ({ path: `reviewers.${r.handle}`, message: r.decision === 'changes_requested' ? 'asked for changes' : 'has not approved yet' })));
          }
          patch.published_at = now;
          break;
        }
        case 'reopen':
          if (!input.reason) throw ruleViolation(`Reopening ${pm} needs a reason`, [{ path: 'body.reason', message: 'required to reopen a published postmortem' }]);
          patch.published_at = null;
          break;
        case 'withdraw':
          break;
      }
      // The version compare-and-set: a save that landed since `assertVersion` read the row wins, this 409s.
      const stored = await this.deps.documents.bump(tx, row, acting, ['status'], patch);
      await this.deps.audit.record(db, acting.actor, {
        action: `postmortem.${input.action}`, targetType: 'postmortem', targetId: row.id,
        before: { status: row.status }, after: { status: move.to, ...(input.reason ? { reason: input.reason } : {}) },
      });
      const incident = row.incident_id ? ((await db.selectFrom('incidents').selectAll().where('id', '=', row.incident_id).executeTakeFirst()) as IncidentRow | undefined) : undefined;
      if (input.action === 'submit') {
        const reviewers = await this.reviewerHandles(db, row.id);
        await this.deps.reminders.requests.queue(tx, row.id, now, reviewers.map((r) => r.userId), { userId: acting.principal?.userId ?? null, label: acting.actor.label });
      }
      if (input.action === 'publish') {
        await this.deps.reminders.stop(tx, row.id);
        if (incident) {
          await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'milestone', action: 'postmortem-published', actor: acting.actor.label, summary: `Postmortem ${pm} published: ${row.title}`, data: { postmortemId: row.id, reference: pm } }], 'postmortem-published');
        }
      }
      if (input.action === 'reopen') {
        await this.deps.reminders.schedule(tx, { ...stored, status: 'draft' });
        if (incident) {
          await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'note', action: 'postmortem-reopened', actor: acting.actor.label, summary: `Postmortem ${pm} reopened: ${input.reason ?? ''}`, data: { postmortemId: row.id, reference: pm } }], 'postmortem-reopened');
        }
      }
      return this.deps.documents.view(db, await requirePostmortem(db, row.id));
    });
  }

  // ---- the review meeting

  /** `GET …/agenda`: generated from the document as it stands. */
  async agenda(ref: string): Promise<ReviewAgenda> {
    const db = this.db;
    const row = await requirePostmortem(db, ref);
    const items = await db
      .selectFrom('action_items')
      .leftJoin('users', 'users.id', 'action_items.owner_user_id')
      .select(['action_items.number', 'action_items.title', 'action_items.status', 'users.handle'])
      .where('action_items.postmortem_id', '=', row.id)
      .orderBy('action_items.number')
      .execute();
    return reviewAgenda({
      reference: postmortemReference(row.number),
      title: row.title,
      sections: sectionsOf(row),
      actionItems: items.map((i) => ({ reference: actionItemReference(i.number), title: i.title, status: i.status, owner: i.handle ? `@${i.handle}` : null })),
      noActionItemsReason: row.no_action_items_reason,
    });
  }

  // ---- the public version

  /**
   * `POST …/public-version`: the chosen sections (by default every section not marked internal) of a
   * published postmortem, as a public page linked from a status-page incident. Publishing again to
   * the same status-page incident replaces the text and keeps the URL.
   *
   * The status-page incident's link is set through the status page service after this transaction
   * commits (it owns public incidents and re-renders the page); should that step fail, publishing
   * again completes it.
   */
  async publishPublicVersion(acting: Acting, ref: string, input: z.output<typeof publishPublicVersionSchema>): Promise<PublicVersion> {
    const published = await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await requirePostmortem(db, ref);
      const pm = postmortemReference(row.number);
      const target = await db.selectFrom('status_incidents').select(['id', 'page_id', 'kind']).where('id', '=', input.statusPageIncident).executeTakeFirst();
      if (!target || target.kind !== 'incident') throw validationError([{ path: 'body.statusPageIncident', message: `no status-page incident \`${input.statusPageIncident}\`` }]);
      if (row.status !== 'published') {
        throw ruleViolation(`${pm} is ${words[row.status] ?? row.status}; publish it (every named reviewer approved) before its public version`, [{ path: 'params.postmortem', message: `the postmortem is ${words[row.status] ?? row.status}` }]);
      }
      const sections = sectionsOf(row);
      const chosen = input.sections ? this.chosenSections(sections, input.sections) : sections.filter((s) => !s.internal);
      if (chosen.length === 0) throw validationError([{ path: 'body.sections', message: 'choose at least one section (every section is marked internal)' }]);
      const title = input.title ?? row.title;
      const markdown = chosen.map((s) => `## ${s.title}\n\n${s.body.trim()}\n`).join('\n');
      const now = this.deps.clock.now();
      const existing = await db.selectFrom('postmortem_publications').select(['id', 'markdown', 'title']).where('postmortem_id', '=', row.id).where('status_page_incident_id', '=', target.id).executeTakeFirst();
      const id = existing?.id ?? this.deps.ids();
      if (existing) {
        await db.updateTable('postmortem_publications').set({ title, markdown, published_at: now, published_by: acting.actor.label }).where('id', '=', id).execute();
      } else {
        await db.insertInto('postmortem_publications').values({ id, postmortem_id: row.id, status_page_incident_id: target.id, title, markdown, published_at: now, published_by: acting.actor.label }).execute();
      }
      const url = `${this.deps.publicUrl.replace(/\/+$/, '')}${publicVersionPath(id)}`;
      await this.deps.audit.record(db, acting.actor, {
        action: 'postmortem.public-version', targetType: 'postmortem', targetId: row.id,
        before: existing ? { publicationId: id, title: existing.title } : undefined, after: { publicationId: id, statusPageIncident: target.id, title, sections: chosen.map((s) => s.key), url },
      });
      return { result: { id, url, publishedAt: iso(now), sections: chosen.map((s) => s.key) }, pageId: target.page_id, statusIncidentId: target.id };
    });
    await this.deps.statusPages.updateIncident(acting, published.pageId, published.statusIncidentId, { postmortemUrl: published.result.url });
    return published.result;
  }

  /** `GET …/public-version`: where the postmortem's public versions are, newest first. */
  async publications(ref: string): Promise<Publication[]> {
    const db = this.db;
    const row = await requirePostmortem(db, ref);
    const rows = await db
      .selectFrom('postmortem_publications')
      .leftJoin('status_incidents', 'status_incidents.id', 'postmortem_publications.status_page_incident_id')
      .leftJoin('status_pages', 'status_pages.id', 'status_incidents.page_id')
      .select([
        'postmortem_publications.id', 'postmortem_publications.title', 'postmortem_publications.published_at', 'postmortem_publications.published_by',
        'status_incidents.id as incidentId', 'status_incidents.name as incidentName', 'status_pages.id as pageId', 'status_pages.slug', 'status_pages.name as pageName',
      ])
      .where('postmortem_publications.postmortem_id', '=', row.id)
      .orderBy('postmortem_publications.published_at', 'desc')
      .orderBy('postmortem_publications.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      url: this.publicUrlOf(r.id),
      title: r.title,
      publishedAt: iso(Number(r.published_at)),
      publishedBy: r.published_by,
      statusPageIncident: r.incidentId && r.pageId ? { id: r.incidentId, name: r.incidentName ?? '', page: { id: r.pageId, slug: r.slug ?? '', name: r.pageName ?? '' } } : null,
    }));
  }

  /**
   * `DELETE …/public-version`: withdraws the public version from one status-page incident, or from
   * every one. The status-page incident's link is cleared first (through the status page service,
   * which owns public incidents and re-renders the page), then the copy is deleted with its audit
   * entry, so its address answers 404. Should the second step fail, withdrawing again completes it;
   * the other order could leave the page linking to a 404 with nothing left to retry.
   */
  async withdrawPublicVersion(acting: Acting, ref: string, statusPageIncident: string | undefined): Promise<void> {
    const db = this.db;
    const row = await requirePostmortem(db, ref);
    const pm = postmortemReference(row.number);
    let query = db
      .selectFrom('postmortem_publications')
      .leftJoin('status_incidents', 'status_incidents.id', 'postmortem_publications.status_page_incident_id')
      .select(['postmortem_publications.id', 'postmortem_publications.title', 'postmortem_publications.status_page_incident_id', 'status_incidents.page_id', 'status_incidents.postmortem_url'])
      .where('postmortem_publications.postmortem_id', '=', row.id);
    if (statusPageIncident !== undefined) query = query.where('postmortem_publications.status_page_incident_id', '=', statusPageIncident);
    const targets = await query.execute();
    if (targets.length === 0) {
      throw new AppError('NOT_FOUND', statusPageIncident === undefined ? `${pm} has no public version` : `${pm} has no public version on status-page incident \`${statusPageIncident}\``);
    }
    for (const target of targets) {
      // Only the link to this copy: the incident may link to something else by now.
      if (target.page_id && target.status_page_incident_id && target.postmortem_url === this.publicUrlOf(target.id)) {
        await this.deps.statusPages.updateIncident(acting, target.page_id, target.status_page_incident_id, { postmortemUrl: null });
      }
    }
    await this.deps.database.transaction(async (tx) => {
      for (const target of targets) {
        const deleted = await tx.db.deleteFrom('postmortem_publications').where('id', '=', target.id).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) continue;
        await this.deps.audit.record(tx.db, acting.actor, {
          action: 'postmortem.public-version-withdraw', targetType: 'postmortem', targetId: row.id,
          before: { publicationId: target.id, statusPageIncident: target.status_page_incident_id, title: target.title, url: this.publicUrlOf(target.id) },
        });
      }
    });
  }

  private publicUrlOf(publicationId: string): string {
    return `${this.deps.publicUrl.replace(/\/+$/, '')}${publicVersionPath(publicationId)}`;
  }

  private chosenSections(sections: readonly PostmortemSection[], keys: readonly string[]): PostmortemSection[] {
    const issues: FieldIssue[] = [];
    const chosen: PostmortemSection[] = [];
    for (const [i, key] of keys.entries()) {
      const section = sections.find((s) => s.key === key);
      if (!section) issues.push({ path: `body.sections.${i}`, message: `no section \`${key}\`; sections: ${sections.map((s) => s.key).join(', ')}` });
      else if (!chosen.includes(section)) chosen.push(section);
    }
    if (issues.length > 0) throw validationError(issues);
    // The document's order, whatever order the keys were given in.
    return sections.filter((s) => chosen.includes(s));
  }

  // ---- helpers

  private async reviewerHandles(db: Kysely<Database>, postmortemId: string): Promise<Array<{ userId: string; handle: string; decision: string | null }>> {
    const rows = await db
      .selectFrom('postmortem_reviewers')
      .innerJoin('users', 'users.id', 'postmortem_reviewers.user_id')
      .select(['users.id', 'users.handle', 'postmortem_reviewers.decision'])
      .where('postmortem_reviewers.postmortem_id', '=', postmortemId)
      .orderBy('postmortem_reviewers.added_at')
      .orderBy('users.handle')
      .execute();
    return rows.map((r) => ({ userId: r.id, handle: r.handle, decision: r.decision }));
  }

  /** 409 when the writer started from an older version than the stored one. */
  private async assertVersion(db: Kysely<Database>, row: PostmortemRow, baseVersion: number): Promise<void> {
    if (baseVersion !== row.version) throw await this.deps.documents.conflict(db, row, baseVersion);
  }
}

/** The stored sections of a postmortem. */
export function sectionsOf(row: Pick<PostmortemRow, 'sections_json'>): PostmortemSection[] {
  return (JSON.parse(row.sections_json) as Array<Partial<PostmortemSection>>).map((s) => ({ key: String(s.key ?? ''), title: String(s.title ?? ''), body: String(s.body ?? ''), internal: s.internal === true }));
}
