import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../../contracts/errors.js';
import type {
  ActionItem,
  actionItemListQuery,
  createActionItemSchema,
  trackerWebhookSchema,
  updateActionItemSchema,
} from '../../../../contracts/postmortems.js';
import { isActionItemOverdue } from '../../../../core/postmortems/due.js';
import { findSimilar } from '../../../../core/postmortems/similar.js';
import type { Clock } from '../../../platform/clock.js';
import type { SecretBox } from '../../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import { validationError } from '../../../platform/http/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import { systemActor, type AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import { ChannelError, type Channels } from '../../notify/channels/channel.js';
import { actionItemReference, postmortemReference, requireActionItem, requirePostmortem, type ActionItemRow } from '../postmortem.lookup.js';
import { daysOverdue, isCalendarDate, localDate, nextOverdueReminderAt } from './overdue.js';
import { createTrackerIssue, TrackerError, TrackerWebhookStore, type TrackerRequestBody, type TrackerWebhookSettings } from './tracker-webhook.js';

export const OVERDUE_TASK = 'postmortems.action-item-overdue';
export const REMINDER_MAIL_TASK = 'postmortems.action-item-reminder-mail';
export const TRACKER_TASK = 'postmortems.action-item-tracker-issue';
/** One overdue timer per item: adding it again moves it (keyed jobs replace the pending one). */
export const overdueJobKey = (itemId: string) => `${OVERDUE_TASK}:${itemId}`;
export const reminderMailJobKey = (itemId: string, day: string, userId: string) => `${REMINDER_MAIL_TASK}:${itemId}:${day}:${userId}`;
export const trackerJobKey = (itemId: string) => `${TRACKER_TASK}:${itemId}`;
/** Attempts per reminder mail or tracker call: with the tasks' backoff about a quarter of an hour of trying. */
export const ACTION_ITEM_JOB_ATTEMPTS = 8;

/** `dueDate` is the fence: a timer whose item's due date moved (or which was closed) does nothing. */
export interface OverduePayload {
  itemId: string;
  dueDate: string;
}
export interface ReminderMailPayload {
  itemId: string;
  userId: string;
  /** The local date of the reminder, YYYY-MM-DD: one mail per person and item per day. */
  day: string;
}
export interface TrackerPayload {
  itemId: string;
}

/**
 * What action items need of the postmortem documents (`services.postmortems`, helper "docs"): the
 * search text holds action-item titles, so every change here recomputes it in the same transaction.
 */
export interface PostmortemIndex {
  reindex(tx: Tx, postmortemId: string): Promise<unknown>;
}

export interface ActionItemsDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  jobs: JobScheduler;
  secrets: SecretBox;
  channels: Channels;
  postmortems: PostmortemIndex;
  publicUrl: string;
  /** FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: the tracker webhook may point at the private network. */
  allowPrivate: boolean;
}

type CreateInput = z.output<typeof createActionItemSchema>;
type UpdateInput = z.output<typeof updateActionItemSchema>;
type ListQuery = z.output<typeof actionItemListQuery>;

const CLOSED = new Set(['done', 'wont_do']);
const DAY_MS = 86_400_000;
const PRIORITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };
const iso = (ms: number) => new Date(ms).toISOString();
const invalid = (path: string, message: string) => validationError([{ path, message }]);
const ruleViolation = (path: string, message: string) => new AppError('RULE_VIOLATION', `${path}: ${message}`, { issues: [{ path, message }] });

interface Person {
  id: string;
  handle: string;
  name: string;
  email: string;
  time_zone: string;
  deactivated_at: number | null;
}

/**
 * Action items of postmortems (issue 8, "Action items"; docs/postmortems.md; ADR 0038): CRUD, the
 * cross-postmortem view, the same item in several postmortems (likely matches by title through core
 * `findSimilar`, confirmed ones linked by a shared `similar_group`), overdue reminders to the item's
 * owner and the postmortem's owner, and issues created in an external tracker through a webhook.
 *
 * Every change runs in one transaction with its audit entry, its jobs and the postmortem's search text.
 * Changing an item does not move the postmortem's `version`: items are rows of their own, so an author
 * editing the document is never sent a conflict because someone ticked off an action item.
 */
export class ActionItemsService {
  readonly tracker: TrackerWebhookStore;

  constructor(private readonly deps: ActionItemsDeps) {
    this.tracker = new TrackerWebhookStore({ secrets: deps.secrets, audit: deps.audit, now: () => deps.clock.now() });
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  // ---- reading

  /** `GET /api/v1/postmortems/{postmortem}/action-items`: the postmortem's items, by number. */
  async listFor(postmortemRef: string): Promise<ActionItem[]> {
    const postmortem = await requirePostmortem(this.db, postmortemRef);
    const rows = await this.db.selectFrom('action_items').selectAll().where('postmortem_id', '=', postmortem.id).orderBy('number').execute();
    return this.views(this.db, rows, { likelyMatches: true });
  }

  /** `GET /api/v1/action-items/{item}` */
  async get(ref: string): Promise<ActionItem> {
    return this.view(this.db, await requireActionItem(this.db, ref));
  }

  /**
   * `GET /api/v1/action-items`: items across postmortems (default the open ones). `similar` lists the
   * linked items only here; likely matches by title are computed for one postmortem's or one item's view.
   */
  async list(query: ListQuery, principal: { userId: string } | null): Promise<ActionItem[]> {
    const statuses = (query.status ?? 'open,in_progress').split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const status of statuses) if (!['open', 'in_progress', 'done', 'wont_do'].includes(status)) throw invalid('status', `\`${status}\` is not a status; use open, in_progress, done or wont_do`);
    let q = this.db.selectFrom('action_items').selectAll().where('status', 'in', statuses);
    if (query.owner) {
      const ownerRef = query.owner === 'me' ? principal?.userId : query.owner;
      const owner = ownerRef ? await this.db.selectFrom('users').select('id').where((eb) => eb.or([eb('id', '=', ownerRef), eb('handle', '=', ownerRef.toLowerCase())])).executeTakeFirst() : undefined;
      if (!owner) throw invalid('owner', `user \`${query.owner}\` does not exist`);
      q = q.where('owner_user_id', '=', owner.id);
    }
    if (query.team) {
      const team = await this.db.selectFrom('teams').select('id').where((eb) => eb.or([eb('id', '=', query.team as string), eb('handle', '=', (query.team as string).toLowerCase())])).executeTakeFirst();
      if (!team) throw invalid('team', `team \`${query.team}\` does not exist`);
      q = q.where('team_id', '=', team.id);
    }
    if (query.overdue === 'true') {
      // No zone is ahead of UTC by more than 14 hours, so an item overdue anywhere is due before
      // tomorrow's UTC date; the exact check in the owner's zone follows below.
      q = q.where('due_date', 'is not', null).where('due_date', '<', localDate(this.deps.clock.now() + DAY_MS, 'UTC'));
    }
    const rows = await q.execute();
    let items = await this.views(this.db, rows, { likelyMatches: false });
    if (query.overdue) items = items.filter((i) => i.overdue === (query.overdue === 'true'));
    const sort = query.sort ?? 'age';
    const byAge = (a: ActionItem, b: ActionItem) => a.createdAt.localeCompare(b.createdAt) || a.number - b.number;
    items.sort(
      sort === 'due'
        ? (a, b) => (a.dueDate ?? '9999-99-99').localeCompare(b.dueDate ?? '9999-99-99') || byAge(a, b)
        : sort === 'priority'
          ? (a, b) => (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || byAge(a, b)
          : byAge,
    );
    return items.slice(0, query.limit ?? 100);
  }

  async view(db: Kysely<Database>, row: ActionItemRow): Promise<ActionItem> {
    const [item] = await this.views(db, [row], { likelyMatches: true });
    return item as ActionItem;
  }

  /** The API shapes of rows, with few queries however many rows. */
  private async views(db: Kysely<Database>, rows: readonly ActionItemRow[], options: { likelyMatches: boolean }): Promise<ActionItem[]> {
    if (rows.length === 0) return [];
    const now = this.deps.clock.now();
    const groups = [...new Set(rows.map((r) => r.similar_group).filter((g): g is string => g !== null))];
    const linkedRows = groups.length ? await db.selectFrom('action_items').select(['id', 'number', 'title', 'status', 'postmortem_id', 'similar_group', 'created_at']).where('similar_group', 'in', groups).execute() : [];
    const candidates = options.likelyMatches ? await db.selectFrom('action_items').select(['id', 'number', 'title', 'status', 'postmortem_id', 'similar_group', 'created_at']).execute() : [];
    const postmortemIds = [...new Set([...rows, ...linkedRows, ...candidates].map((r) => r.postmortem_id))];
    const postmortems = new Map((await db.selectFrom('postmortems').select(['id', 'number', 'title']).where('id', 'in', postmortemIds).execute()).map((p) => [p.id, p]));
    const userIds = [...new Set(rows.map((r) => r.owner_user_id).filter((u): u is string => u !== null))];
    const users = new Map(userIds.length ? (await db.selectFrom('users').select(['id', 'handle', 'name', 'time_zone']).where('id', 'in', userIds).execute()).map((u) => [u.id, u]) : []);
    const teamIds = [...new Set(rows.map((r) => r.team_id).filter((t): t is string => t !== null))];
    const teams = new Map(teamIds.length ? (await db.selectFrom('teams').select(['id', 'handle', 'name']).where('id', 'in', teamIds).execute()).map((t) => [t.id, t]) : []);
    const pmRef = (id: string) => postmortemReference(Number(postmortems.get(id)?.number ?? 0));
    const similarEntry = (r: { id: string; number: number; title: string; status: string; postmortem_id: string }, linked: boolean) => ({
      id: r.id,
      reference: actionItemReference(Number(r.number)),
      title: r.title,
      postmortemReference: pmRef(r.postmortem_id),
      status: r.status as ActionItem['status'],
      linked,
    });
    return rows.map((row) => {
      const postmortem = postmortems.get(row.postmortem_id);
      const owner = row.owner_user_id ? users.get(row.owner_user_id) : undefined;
      const team = row.team_id ? teams.get(row.team_id) : undefined;
      const linked = row.similar_group === null ? [] : linkedRows.filter((l) => l.similar_group === row.similar_group && l.id !== row.id).sort((a, b) => Number(a.number) - Number(b.number));
      const linkedIds = new Set(linked.map((l) => l.id));
      const others = candidates.filter((c) => c.postmortem_id !== row.postmortem_id && c.id !== row.id && !linkedIds.has(c.id));
      const likely = options.likelyMatches ? findSimilar(row.title, others).sort((a, b) => b.score - a.score).slice(0, 10) : [];
      const end = row.completed_at === null ? now : Number(row.completed_at);
      return {
        id: row.id,
        number: Number(row.number),
        reference: actionItemReference(Number(row.number)),
        postmortem: { id: row.postmortem_id, reference: pmRef(row.postmortem_id), title: postmortem?.title ?? '' },
        title: row.title,
        description: row.description,
        owner: owner ? { id: owner.id, handle: owner.handle, name: owner.name } : null,
        team: team ? { id: team.id, handle: team.handle, name: team.name } : null,
        priority: row.priority as ActionItem['priority'],
        dueDate: row.due_date,
        status: row.status as ActionItem['status'],
        trackerUrl: row.tracker_url,
        overdue: isActionItemOverdue({ status: row.status, dueDate: row.due_date }, now, owner?.time_zone ?? 'UTC'),
        ageDays: Math.max(0, Math.floor((end - Number(row.created_at)) / DAY_MS)),
        similar: [...linked.map((l) => similarEntry(l, true)), ...likely.map((m) => similarEntry(m.candidate, false))],
        createdAt: iso(Number(row.created_at)),
        updatedAt: iso(Number(row.updated_at)),
        completedAt: row.completed_at === null ? null : iso(Number(row.completed_at)),
      };
    });
  }

  // ---- changing

  /** `POST /api/v1/postmortems/{postmortem}/action-items` */
  async create(acting: Acting, postmortemRef: string, input: CreateInput): Promise<ActionItem> {
    if (input.createInTracker && input.trackerUrl !== undefined) throw ruleViolation('body.createInTracker', 'give either `trackerUrl` (an existing issue) or `createInTracker`, not both');
    if (input.dueDate !== undefined && !isCalendarDate(input.dueDate)) throw invalid('body.dueDate', `\`${input.dueDate}\` is not a calendar date`);
    const id = await this.deps.database.transaction(async (tx) => {
      const postmortem = await requirePostmortem(tx.db, postmortemRef);
      if (input.createInTracker && !(await this.tracker.target(tx.db))) {
        throw ruleViolation('body.createInTracker', 'no tracker webhook is configured; an admin sets one with PUT /api/v1/postmortem-settings/tracker-webhook');
      }
      const owner = input.owner === undefined ? null : await this.person(tx.db, input.owner, 'body.owner');
      const team = input.team === undefined ? null : await this.team(tx.db, input.team, 'body.team');
      const now = this.deps.clock.now();
      const row: ActionItemRow = {
        id: this.deps.ids(),
        number: await this.nextNumber(tx.db),
        postmortem_id: postmortem.id,
        title: input.title,
        description: input.description ?? '',
        owner_user_id: owner?.id ?? null,
        team_id: team?.id ?? null,
        priority: input.priority ?? 'medium',
        due_date: input.dueDate ?? null,
        status: 'open',
        tracker_url: input.trackerUrl ?? null,
        similar_group: null,
        created_at: now,
        created_by: acting.actor.label,
        updated_at: now,
        completed_at: null,
      };
      await tx.db.insertInto('action_items').values(row).execute();
      await this.scheduleOverdue(tx, row, now);
      if (input.createInTracker) await this.deps.jobs.addJob<TrackerPayload>(tx, { task: TRACKER_TASK, key: trackerJobKey(row.id), payload: { itemId: row.id }, runAt: now, maxAttempts: ACTION_ITEM_JOB_ATTEMPTS });
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.create', targetType: 'action-item', targetId: row.id, after: await this.view(tx.db, row) });
      await this.deps.postmortems.reindex(tx, postmortem.id);
      return row.id;
    });
    return this.get(id);
  }

  /** `PATCH /api/v1/action-items/{item}`: `done` and `wont_do` record when; reopening clears it. */
  async update(acting: Acting, ref: string, input: UpdateInput): Promise<ActionItem> {
    if (input.dueDate !== undefined && input.dueDate !== null && !isCalendarDate(input.dueDate)) throw invalid('body.dueDate', `\`${input.dueDate}\` is not a calendar date`);
    const id = await this.deps.database.transaction(async (tx) => {
      const row = await requireActionItem(tx.db, ref);
      const before = await this.view(tx.db, row);
      const now = this.deps.clock.now();
      const next: ActionItemRow = { ...row, updated_at: now };
      if (input.title !== undefined) next.title = input.title;
      if (input.description !== undefined) next.description = input.description;
      if (input.owner !== undefined) next.owner_user_id = input.owner === null ? null : (await this.person(tx.db, input.owner, 'body.owner')).id;
      if (input.team !== undefined) next.team_id = input.team === null ? null : (await this.team(tx.db, input.team, 'body.team')).id;
      if (input.priority !== undefined) next.priority = input.priority;
      if (input.dueDate !== undefined) next.due_date = input.dueDate;
      if (input.trackerUrl !== undefined) next.tracker_url = input.trackerUrl;
      if (input.status !== undefined && input.status !== row.status) {
        next.status = input.status;
        next.completed_at = CLOSED.has(input.status) ? (CLOSED.has(row.status) ? row.completed_at : now) : null;
      }
      const { id: _id, number: _number, postmortem_id: _pm, created_at: _c, created_by: _cb, ...changes } = next;
      await tx.db.updateTable('action_items').set(changes).where('id', '=', row.id).execute();
      await this.scheduleOverdue(tx, next, now);
      // Closed before the tracker answered: nobody needs the issue any more.
      if (CLOSED.has(next.status) || next.tracker_url !== null) await this.deps.jobs.removeJob(tx, trackerJobKey(row.id));
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.update', targetType: 'action-item', targetId: row.id, before, after: await this.view(tx.db, next) });
      await this.deps.postmortems.reindex(tx, row.postmortem_id);
      return row.id;
    });
    return this.get(id);
  }

  /** `DELETE /api/v1/action-items/{item}`: its timers go with it; a link group left with one item dissolves. */
  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await requireActionItem(tx.db, ref);
      const before = await this.view(tx.db, row);
      await tx.db.deleteFrom('action_items').where('id', '=', row.id).execute();
      await this.deps.jobs.removeJob(tx, overdueJobKey(row.id));
      await this.deps.jobs.removeJob(tx, trackerJobKey(row.id));
      if (row.similar_group !== null) await this.dissolveLonelyGroup(tx.db, row.similar_group);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.delete', targetType: 'action-item', targetId: row.id, before });
      await this.deps.postmortems.reindex(tx, row.postmortem_id);
    });
  }

  /**
   * `POST /api/v1/action-items/{item}/links`: the other item is the same one, in another postmortem (a
   * repeated failure to fix something). Both groups merge into one, named by the oldest group or item.
   */
  async link(acting: Acting, ref: string, otherRef: string): Promise<ActionItem> {
    const id = await this.deps.database.transaction(async (tx) => {
      const row = await requireActionItem(tx.db, ref);
      const other = await requireActionItem(tx.db, otherRef).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'NOT_FOUND') throw invalid('body.item', `action item \`${otherRef}\` does not exist`);
        throw error;
      });
      if (other.id === row.id) throw ruleViolation('body.item', 'an action item cannot be linked to itself');
      if (other.postmortem_id === row.postmortem_id) throw ruleViolation('body.item', `${actionItemReference(Number(other.number))} is in the same postmortem; links join the same item across postmortems`);
      const before = await this.view(tx.db, row);
      const [first, second] = Number(row.created_at) <= Number(other.created_at) ? [row, other] : [other, row];
      const group = first.similar_group ?? second.similar_group ?? first.id;
      const members = [row.similar_group, other.similar_group].filter((g): g is string => g !== null);
      let update = tx.db.updateTable('action_items').set({ similar_group: group });
      update = update.where((eb) => eb.or([eb('id', 'in', [row.id, other.id]), ...(members.length ? [eb('similar_group', 'in', members)] : [])]));
      await update.execute();
      const after = await this.view(tx.db, await requireActionItem(tx.db, row.id));
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.link', targetType: 'action-item', targetId: row.id, before, after });
      await this.deps.postmortems.reindex(tx, row.postmortem_id);
      await this.deps.postmortems.reindex(tx, other.postmortem_id);
      return row.id;
    });
    return this.get(id);
  }

  /** `DELETE /api/v1/action-items/{item}/links`: the item leaves its group. */
  async unlink(acting: Acting, ref: string): Promise<ActionItem> {
    const id = await this.deps.database.transaction(async (tx) => {
      const row = await requireActionItem(tx.db, ref);
      if (row.similar_group === null) return row.id;
      const before = await this.view(tx.db, row);
      await tx.db.updateTable('action_items').set({ similar_group: null }).where('id', '=', row.id).execute();
      await this.dissolveLonelyGroup(tx.db, row.similar_group);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.unlink', targetType: 'action-item', targetId: row.id, before, after: await this.view(tx.db, { ...row, similar_group: null }) });
      await this.deps.postmortems.reindex(tx, row.postmortem_id);
      return row.id;
    });
    return this.get(id);
  }

  /**
   * `POST /api/v1/action-items/{item}/tracker-issue`: creates the tracker issue now for an item added
   * without one (or whose first attempt failed), through the same outbox job as `createInTracker`
   * at creation: the job is added in this transaction, posts to the webhook, and stores the URL it
   * answers. 409 when the item already links an issue; 422 when it is closed or no webhook is set.
   * Asking again while a request is pending replaces it (one job per item), so nothing is sent twice.
   */
  async requestTrackerIssue(acting: Acting, ref: string): Promise<ActionItem> {
    const id = await this.deps.database.transaction(async (tx) => {
      const row = await requireActionItem(tx.db, ref);
      const item = actionItemReference(Number(row.number));
      if (row.tracker_url !== null) {
        throw new AppError('CONFLICT', `${item} already links a tracker issue: ${row.tracker_url}; clear its trackerUrl first to create another`, { trackerUrl: row.tracker_url });
      }
      if (CLOSED.has(row.status)) throw ruleViolation('params.item', `${item} is ${row.status === 'done' ? 'done' : 'closed as won’t do'}; reopen it to create a tracker issue`);
      if (!(await this.tracker.target(tx.db))) {
        throw ruleViolation('trackerWebhook', 'no tracker webhook is configured; an admin sets one with PUT /api/v1/postmortem-settings/tracker-webhook');
      }
      const now = this.deps.clock.now();
      await this.deps.jobs.addJob<TrackerPayload>(tx, { task: TRACKER_TASK, key: trackerJobKey(row.id), payload: { itemId: row.id }, runAt: now, maxAttempts: ACTION_ITEM_JOB_ATTEMPTS });
      await this.deps.audit.record(tx.db, acting.actor, { action: 'action-item.tracker-issue-request', targetType: 'action-item', targetId: row.id, after: { reference: item } });
      return row.id;
    });
    return this.get(id);
  }

  /** `GET /api/v1/postmortem-settings/tracker-webhook` */
  async trackerSettings(): Promise<TrackerWebhookSettings> {
    return this.tracker.view(this.db);
  }

  /** `PUT /api/v1/postmortem-settings/tracker-webhook` (admins). */
  async putTrackerSettings(acting: Acting, input: z.output<typeof trackerWebhookSchema>): Promise<TrackerWebhookSettings> {
    return this.deps.database.transaction(async (tx) => this.tracker.put(tx.db, acting.actor, input));
  }

  private async dissolveLonelyGroup(db: Kysely<Database>, group: string): Promise<void> {
    const left = await db.selectFrom('action_items').select('id').where('similar_group', '=', group).execute();
    if (left.length === 1) await db.updateTable('action_items').set({ similar_group: null }).where('similar_group', '=', group).execute();
  }

  private async person(db: Kysely<Database>, ref: string, path: string): Promise<Person> {
    const user = await db.selectFrom('users').select(['id', 'handle', 'name', 'email', 'time_zone', 'deactivated_at']).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
    if (!user) throw invalid(path, `user \`${ref}\` does not exist`);
    if (user.deactivated_at !== null) throw invalid(path, `user \`${ref}\` is deactivated`);
    return user;
  }

  private async team(db: Kysely<Database>, ref: string, path: string): Promise<{ id: string }> {
    const team = await db.selectFrom('teams').select('id').where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
    if (!team) throw invalid(path, `team \`${ref}\` does not exist`);
    return team;
  }

  /**
   * The next item number from the atomic `action_item` counter: the upsert row-locks the counter until
   * the transaction ends, so concurrent creates never share a number (as incident numbers).
   */
  private async nextNumber(db: Kysely<Database>): Promise<number> {
    const row = await db
      .insertInto('counters')
      // The first allocation continues from any items already stored (restored ones).
      .values((eb) => ({ name: 'action_item', value: eb.selectFrom('action_items').select(sql<number>`COALESCE(MAX(number), 0) + 1`.as('n')) }))
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  // ---- overdue reminders

  /** The zone an item's days are counted in: its owner's, else the postmortem owner's, else UTC. */
  private async zoneOf(db: Kysely<Database>, row: Pick<ActionItemRow, 'owner_user_id' | 'postmortem_id'>): Promise<string> {
    if (row.owner_user_id !== null) {
      const owner = await db.selectFrom('users').select('time_zone').where('id', '=', row.owner_user_id).executeTakeFirst();
      if (owner) return owner.time_zone;
    }
    const pmOwner = await db.selectFrom('postmortems').innerJoin('users', 'users.id', 'postmortems.owner_user_id').select('users.time_zone').where('postmortems.id', '=', row.postmortem_id).executeTakeFirst();
    return pmOwner?.time_zone ?? 'UTC';
  }

  /** Moves the item's one overdue timer to its next reminder, or removes it (no due date, closed). */
  private async scheduleOverdue(tx: Tx, row: ActionItemRow, now: number): Promise<void> {
    if (row.due_date === null || CLOSED.has(row.status)) {
      await this.deps.jobs.removeJob(tx, overdueJobKey(row.id));
      return;
    }
    const runAt = nextOverdueReminderAt(row.due_date, await this.zoneOf(tx.db, row), now);
    await this.deps.jobs.addJob<OverduePayload>(tx, { task: OVERDUE_TASK, key: overdueJobKey(row.id), runAt, payload: { itemId: row.id, dueDate: row.due_date } });
  }

  /**
   * The overdue timer: queues one reminder mail each to the item's owner and the postmortem's owner
   * (once if they are the same person; nobody deactivated), then sets itself for the next day. Fenced by
   * the due date: an item closed or given another date meanwhile changes nothing.
   */
  async overdue(payload: OverduePayload): Promise<'reminded' | 'nobody' | 'stale'> {
    return this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('action_items').selectAll().where('id', '=', payload.itemId).executeTakeFirst();
      if (!row || row.due_date !== payload.dueDate || CLOSED.has(row.status)) return 'stale' as const;
      const now = this.deps.clock.now();
      const zone = await this.zoneOf(tx.db, row);
      await this.scheduleOverdue(tx, row, now + 1);
      if (!isActionItemOverdue({ status: row.status, dueDate: row.due_date }, now, zone)) return 'stale' as const;
      const postmortem = await tx.db.selectFrom('postmortems').select('owner_user_id').where('id', '=', row.postmortem_id).executeTakeFirst();
      const ids = [...new Set([row.owner_user_id, postmortem?.owner_user_id ?? null].filter((u): u is string => u !== null))];
      const people = ids.length ? await tx.db.selectFrom('users').select(['id', 'deactivated_at']).where('id', 'in', ids).execute() : [];
      const active = people.filter((p) => p.deactivated_at === null);
      const day = localDate(now, zone);
      for (const person of active) {
        await this.deps.jobs.addJob<ReminderMailPayload>(tx, { task: REMINDER_MAIL_TASK, key: reminderMailJobKey(row.id, day, person.id), payload: { itemId: row.id, userId: person.id, day }, runAt: now, maxAttempts: ACTION_ITEM_JOB_ATTEMPTS });
      }
      return active.length ? ('reminded' as const) : ('nobody' as const);
    });
  }

  /** One reminder mail. Throws to be retried; a permanent refusal or a closed item ends it. */
  async sendReminder(payload: ReminderMailPayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal }): Promise<'sent' | 'skipped' | 'failed'> {
    const row = await this.db.selectFrom('action_items').selectAll().where('id', '=', payload.itemId).executeTakeFirst();
    if (!row || CLOSED.has(row.status) || row.due_date === null) return 'skipped';
    const user = await this.db.selectFrom('users').select(['id', 'handle', 'name', 'email', 'time_zone', 'deactivated_at']).where('id', '=', payload.userId).executeTakeFirst();
    if (!user || user.deactivated_at !== null) return 'skipped';
    const postmortem = await this.db.selectFrom('postmortems').select(['number', 'title', 'owner_user_id']).where('id', '=', row.postmortem_id).executeTakeFirst();
    if (!postmortem) return 'skipped';
    const channel = this.deps.channels.email;
    if (!channel) return 'failed';
    const zone = await this.zoneOf(this.db, row);
    const now = this.deps.clock.now();
    const item = actionItemReference(Number(row.number));
    const pm = postmortemReference(Number(postmortem.number));
    const days = Math.max(1, daysOverdue(row.due_date, zone, now));
    const owner = row.owner_user_id === null ? null : await this.db.selectFrom('users').select('name').where('id', '=', row.owner_user_id).executeTakeFirst();
    const why = row.owner_user_id === user.id ? 'You own this action item.' : postmortem.owner_user_id === user.id ? `You own ${pm}, the postmortem it belongs to.` : '';
    const subject = `Overdue: ${item} ${row.title}`;
    const text = [
      `${item} "${row.title}" was due on ${row.due_date} and is ${days} day${days === 1 ? '' : 's'} overdue.`,
      '',
      `Postmortem: ${pm} "${postmortem.title}"`,
      `Owner: ${owner?.name ?? 'nobody yet'}`,
      `Priority: ${row.priority} · Status: ${row.status.replace('_', ' ')}`,
      ...(row.tracker_url ? [`Tracker: ${row.tracker_url}`] : []),
      '',
      why,
      'Mark it done, move its due date, or record that it won’t be done (and why):',
      `${this.deps.publicUrl}/postmortems/${pm}#${item}`,
      '',
      'Firebreak reminds the item’s owner and the postmortem’s owner once a day until then.',
    ].join('\n');
    try {
      await channel.send(
        { to: { type: 'email', email: user.email, name: user.name }, subject: subject.length > 50 ? `${subject.slice(0, 49)}…` : subject, text, kind: 'notification', idempotencyKey: `action-item-overdue:${row.id}:${payload.day}:${user.id}`, recipient: { id: user.id, handle: user.handle, name: user.name } },
        attempt.signal ? { signal: attempt.signal } : {},
      );
      return 'sent';
    } catch (error) {
      if ((error instanceof ChannelError && error.permanent) || attempt.attempts >= attempt.maxAttempts) return 'failed';
      throw error;
    }
  }

  // ---- the tracker

  /**
   * The tracker job: posts the item to the webhook and keeps the issue URL it answers. Does nothing once
   * the item has a URL or is closed; throws a transient failure to be retried (the receiver sees the same
   * `X-Firebreak-Delivery` every time, so it can de-duplicate).
   */
  async createInTracker(payload: TrackerPayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal }): Promise<'created' | 'skipped' | 'failed'> {
    const row = await this.db.selectFrom('action_items').selectAll().where('id', '=', payload.itemId).executeTakeFirst();
    if (!row || row.tracker_url !== null || CLOSED.has(row.status)) return 'skipped';
    const target = await this.tracker.target(this.db);
    if (!target) return 'failed';
    const body = await this.trackerBody(row);
    let url: string;
    try {
      url = await createTrackerIssue(target, body, { allowPrivate: this.deps.allowPrivate, deliveryId: row.id, ...(attempt.signal ? { signal: attempt.signal } : {}) });
    } catch (error) {
      if ((error instanceof TrackerError && error.permanent) || attempt.attempts >= attempt.maxAttempts) {
        await this.recordTrackerFailure(row, error instanceof Error ? error.message : String(error));
        return 'failed';
      }
      throw error;
    }
    await this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const result = await tx.db.updateTable('action_items').set({ tracker_url: url, updated_at: now }).where('id', '=', row.id).where('tracker_url', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return;
      await this.deps.audit.record(tx.db, systemActor('tracker webhook'), { action: 'action-item.tracker-issue', targetType: 'action-item', targetId: row.id, before: { trackerUrl: null }, after: { trackerUrl: url } });
      await this.deps.postmortems.reindex(tx, row.postmortem_id);
    });
    return 'created';
  }

  /** A failed tracker call is visible in the audit log (the item simply has no URL yet). */
  private async recordTrackerFailure(row: ActionItemRow, message: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      await this.deps.audit.record(tx.db, systemActor('tracker webhook'), { action: 'action-item.tracker-issue-failed', targetType: 'action-item', targetId: row.id, after: { error: message } });
    });
  }

  private async trackerBody(row: ActionItemRow): Promise<TrackerRequestBody> {
    const db = this.db;
    const postmortem = await db.selectFrom('postmortems').leftJoin('incidents', 'incidents.id', 'postmortems.incident_id').select(['postmortems.id', 'postmortems.number', 'postmortems.title', 'incidents.number as incidentNumber']).where('postmortems.id', '=', row.postmortem_id).executeTakeFirstOrThrow();
    const owner = row.owner_user_id === null ? undefined : await db.selectFrom('users').select(['handle', 'name', 'email']).where('id', '=', row.owner_user_id).executeTakeFirst();
    const team = row.team_id === null ? undefined : await db.selectFrom('teams').select(['handle', 'name']).where('id', '=', row.team_id).executeTakeFirst();
    const pm = postmortemReference(Number(postmortem.number));
    const item = actionItemReference(Number(row.number));
    return {
      event: 'action_item.created',
      sentAt: iso(this.deps.clock.now()),
      actionItem: {
        id: row.id,
        reference: item,
        title: row.title,
        description: row.description,
        priority: row.priority,
        dueDate: row.due_date,
        status: row.status,
        owner: owner ? { handle: owner.handle, name: owner.name, email: owner.email } : null,
        team: team ? { handle: team.handle, name: team.name } : null,
        url: `${this.deps.publicUrl}/postmortems/${pm}#${item}`,
      },
      postmortem: {
        id: postmortem.id,
        reference: pm,
        title: postmortem.title,
        incident: postmortem.incidentNumber === null || postmortem.incidentNumber === undefined ? null : `INC-${Number(postmortem.incidentNumber)}`,
        url: `${this.deps.publicUrl}/postmortems/${pm}`,
      },
    };
  }
}
