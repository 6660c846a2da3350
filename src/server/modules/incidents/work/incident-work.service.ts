import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../../../../contracts/errors.js';
import type {
  addIncidentPlaybookSchema,
  IncidentTask,
  incidentTaskInputSchema,
  incidentTaskUpdateSchema,
  IncidentThread,
  incidentThreadInputSchema,
  incidentThreadUpdateSchema,
} from '../../../../contracts/incident-work.js';
import { isRefusal, type Refusal, type TimelineEntry } from '../../../../core/incidents/incident.js';
import {
  changeTask,
  changeThread,
  instantiate,
  matchingPlaybooks,
  playbookAddedEntry,
  resolvedRefusal,
  taskAddedEntry,
  taskOwnerNow,
  threadOpenedEntry,
  type PlaybookDefinition,
  type TaskOwner,
  type ThreadStatus,
} from '../../../../core/incidents/playbook.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, IncidentTasksTable, IncidentThreadsTable } from '../../../platform/db/schema.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import { incidentRepo, reference, type IncidentRow } from '../incident.repo.js';
import type { IncidentExtension, IncidentService } from '../incident.service.js';
import type { PlaybookService } from './playbook.service.js';

type TaskRow = Selectable<IncidentTasksTable>;
type ThreadRow = Selectable<IncidentThreadsTable>;
interface PersonRow {
  id: string;
  handle: string;
  name: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] satisfies FieldIssue[] });
const refused = (refusal: Refusal, prefix = 'body') => new AppError('RULE_VIOLATION', refusal.refused, { issues: refusal.fields.map((f) => ({ path: `${prefix}.${f}`, message: refusal.refused })) });

/**
 * The work on an incident: its checklist (tasks from playbooks and ad-hoc ones) and its threads
 * (ADR 0030). Every change is one transaction with its timeline entry (through
 * `IncidentService.appendTimeline`, which also tells live pages) and its audit entry.
 *
 * Changes are serialized with the incident's own changes by bumping its `revision` on a row that is
 * still open: on PostgreSQL a concurrent resolve then either waits for this change or makes it see
 * the incident resolved (422), so no task is checked off after the all clear.
 */
export class IncidentWorkService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      incidents: IncidentService;
      playbooks: PlaybookService;
    },
  ) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /**
   * The incident extension: a declared incident gets the playbooks that apply to it, as tasks. They
   * are part of the declaration (its transaction, its audit entry and live event): no timeline entry
   * of their own, since every incident gets at least the first five minutes. `incident_playbooks`
   * keeps which playbooks it got, when and from whom.
   */
  extension(): IncidentExtension {
    return {
      declared: async (tx, acting, incident) => {
        const serviceIds = await incidentRepo.serviceIds(tx.db, incident.id);
        const stored = await this.deps.playbooks.storedDefinitionsIn(tx.db);
        const matched = matchingPlaybooks(stored, { severity: incident.severity, serviceIds });
        if (matched.length > 0) await this.instantiateIn(tx, acting, incident, matched, true);
      },
    };
  }

  // ---- shared steps

  /**
   * Refuses changes to a resolved incident, and serializes with the incident's own changes: the
   * UPDATE only matches an open incident and holds its row until this transaction ends.
   */
  private async requireOpen(tx: Tx, ref: string, what: string, field: string, prefix = 'body'): Promise<IncidentRow> {
    const row = await this.deps.incidents.require(tx.db, ref);
    const locked = await tx.db.updateTable('incidents').set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', row.id).where('status', '<>', 'resolved').executeTakeFirst();
    if (Number(locked.numUpdatedRows) !== 1) throw refused(resolvedRefusal(reference(Number(row.number)), what, field), prefix);
    return { ...row, revision: row.revision + 1 };
  }

  private async activeUser(db: Kysely<Database>, ref: string, path: string): Promise<PersonRow> {
    const user = await db.selectFrom('users').select(['id', 'handle', 'name']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
    if (!user) throw invalid(path, `no active user \`${ref}\``);
    return user;
  }

  private async people(db: Kysely<Database>, ids: readonly (string | null)[]): Promise<Map<string, PersonRow>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'handle', 'name']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async holders(db: Kysely<Database>, incidentId: string): Promise<Map<string, PersonRow>> {
    const rows = await db
      .selectFrom('incident_roles')
      .innerJoin('users', 'users.id', 'incident_roles.user_id')
      .select(['incident_roles.role', 'users.id', 'users.handle', 'users.name'])
      .where('incident_roles.incident_id', '=', incidentId)
      .execute();
    return new Map(rows.map((r) => [r.role, { id: r.id, handle: r.handle, name: r.name }]));
  }

  private async nextPosition(db: Kysely<Database>, incidentId: string): Promise<number> {
    const row = await db.selectFrom('incident_tasks').select((eb) => eb.fn.max('position').as('last')).where('incident_id', '=', incidentId).executeTakeFirst();
    const last = row?.last;
    return last === null || last === undefined ? 1 : Number(last) + 1;
  }

  private taskViews(rows: readonly TaskRow[], people: ReadonlyMap<string, PersonRow>, holders: ReadonlyMap<string, PersonRow>): IncidentTask[] {
    const asPerson = (p: PersonRow) => ({ userId: p.id, label: `@${p.handle}` });
    const holderLabels = new Map([...holders].map(([role, p]) => [role, asPerson(p)]));
    return rows.map((row) => {
      const named = row.owner_user_id ? (people.get(row.owner_user_id) ?? null) : null;
      const now = taskOwnerNow({ user: named ? asPerson(named) : null, role: row.owner_role }, holderLabels);
      const owner = now === null ? null : now.userId === named?.id ? named : ([...holders.values()].find((p) => p.id === now.userId) ?? null);
      return {
        id: row.id,
        title: row.title,
        description: row.description,
        link: row.link,
        playbook: row.playbook_name ? { name: row.playbook_name, title: row.playbook_title ?? row.playbook_name } : null,
        position: Number(row.position),
        ownerRole: row.owner_role,
        owner: owner ? { id: owner.id, handle: owner.handle, name: owner.name } : null,
        done: row.done_at !== null,
        doneAt: row.done_at === null ? null : iso(Number(row.done_at)),
        doneBy: row.done_by,
        createdAt: iso(Number(row.created_at)),
        createdBy: row.created_by,
      };
    });
  }

  private async viewTasks(db: Kysely<Database>, incidentId: string, rows: readonly TaskRow[]): Promise<IncidentTask[]> {
    return this.taskViews(rows, await this.people(db, rows.map((r) => r.owner_user_id)), await this.holders(db, incidentId));
  }

  private threadView(row: ThreadRow, people: ReadonlyMap<string, PersonRow>): IncidentThread {
    const owner = row.owner_user_id ? (people.get(row.owner_user_id) ?? null) : null;
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      owner: owner ? { id: owner.id, handle: owner.handle, name: owner.name } : null,
      status: row.status as ThreadStatus,
      conclusion: row.conclusion,
      createdAt: iso(Number(row.created_at)),
      createdBy: row.created_by,
      updatedAt: iso(Number(row.updated_at)),
    };
  }

  /** Stores a playbook's tasks for each playbook not added yet (the primary key refuses a second time). */
  private async instantiateIn(tx: Tx, acting: Acting, incident: IncidentRow, playbooks: readonly PlaybookDefinition[], automatic: boolean): Promise<TaskRow[]> {
    const db = tx.db;
    const now = this.deps.clock.now();
    let position = await this.nextPosition(db, incident.id);
    const rows: TaskRow[] = [];
    const entries: TimelineEntry[] = [];
    for (const playbook of playbooks) {
      const claimed = await db
        .insertInto('incident_playbooks')
        .values({ incident_id: incident.id, playbook_name: playbook.name, playbook_title: playbook.title, added_at: now, added_by: acting.actor.label })
        .onConflict((oc) => oc.columns(['incident_id', 'playbook_name']).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) !== 1) {
        if (automatic) continue;
        throw new AppError('CONFLICT', `${reference(Number(incident.number))} already has the playbook “${playbook.title}”`, { issues: [{ path: 'body.playbook', message: 'already added' }] });
      }
      const drafts = instantiate(playbook, position);
      position += drafts.length;
      const fresh: TaskRow[] = drafts.map((d) => ({
        id: this.deps.ids(),
        incident_id: incident.id,
        position: d.position,
        title: d.title,
        description: d.description,
        link: d.link,
        playbook_name: d.playbook?.name ?? null,
        playbook_title: d.playbook?.title ?? null,
        owner_role: d.ownerRole,
        owner_user_id: null,
        done_at: null,
        done_by: null,
        created_at: now,
        created_by: acting.actor.label,
        updated_at: now,
      }));
      if (fresh.length > 0) await db.insertInto('incident_tasks').values(fresh).execute();
      rows.push(...fresh);
      if (!automatic) entries.push(playbookAddedEntry(playbook, fresh.length, { actor: acting.actor.label }));
    }
    if (entries.length > 0) await this.deps.incidents.appendTimeline(tx, incident, entries, 'checklist');
    return rows;
  }

  // ---- tasks

  /** `GET …/tasks`: the checklist in order; role-owned tasks show whoever holds the role now. */
  async tasks(ref: string): Promise<IncidentTask[]> {
    const incident = await this.deps.incidents.require(this.db, ref);
    const rows = await this.db.selectFrom('incident_tasks').selectAll().where('incident_id', '=', incident.id).orderBy('position').orderBy('id').execute();
    return this.viewTasks(this.db, incident.id, rows);
  }

  private async ownerOf(db: Kysely<Database>, owner: string | null | undefined, ownerRole: string | null | undefined): Promise<{ owner: TaskOwner; person: PersonRow | null } | undefined> {
    if (owner === undefined && ownerRole === undefined) return undefined;
    if (typeof owner === 'string') {
      const person = await this.activeUser(db, owner, 'body.owner');
      return { owner: { user: { userId: person.id, label: `@${person.handle}` }, role: null }, person };
    }
    return { owner: { user: null, role: ownerRole ?? null }, person: null };
  }

  /** `POST …/tasks`: an ad-hoc task, owned by a person or a role. */
  async addTask(acting: Acting, ref: string, input: z.output<typeof incidentTaskInputSchema>): Promise<IncidentTask> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.requireOpen(tx, ref, 'tasks', 'title');
      const owner = (await this.ownerOf(db, input.owner, input.ownerRole)) ?? { owner: { user: null, role: null }, person: null };
      const now = this.deps.clock.now();
      const row: TaskRow = {
        id: this.deps.ids(),
        incident_id: incident.id,
        position: await this.nextPosition(db, incident.id),
        title: input.title,
        description: input.description ?? null,
        link: input.link ?? null,
        playbook_name: null,
        playbook_title: null,
        owner_role: owner.owner.role,
        owner_user_id: owner.person?.id ?? null,
        done_at: null,
        done_by: null,
        created_at: now,
        created_by: acting.actor.label,
        updated_at: now,
      };
      await db.insertInto('incident_tasks').values(row).execute();
      await this.deps.incidents.appendTimeline(tx, incident, [taskAddedEntry(row.title, owner.owner, { actor: acting.actor.label })], 'task');
      const [view] = await this.viewTasks(db, incident.id, [row]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.task.add', targetType: 'incident', targetId: incident.id, after: view });
      return view as IncidentTask;
    });
  }

  /** `PATCH …/tasks/{task}`: check off, undo, rename or reassign; refused once the incident is resolved. */
  async updateTask(acting: Acting, ref: string, taskId: string, patch: z.output<typeof incidentTaskUpdateSchema>): Promise<IncidentTask> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const field = patch.done !== undefined ? 'done' : patch.title !== undefined ? 'title' : patch.ownerRole !== undefined ? 'ownerRole' : 'owner';
      // Lock first (see requireOpen), then read: two people checking the same task off serialize.
      const incident = await this.requireOpen(tx, ref, 'tasks', field);
      const row = await db.selectFrom('incident_tasks').selectAll().where('id', '=', taskId).where('incident_id', '=', incident.id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `Task \`${taskId}\` of ${reference(Number(incident.number))} does not exist`);
      const ownerChange = await this.ownerOf(db, patch.owner, patch.ownerRole);
      const currentPerson = row.owner_user_id ? ((await this.people(db, [row.owner_user_id])).get(row.owner_user_id) ?? null) : null;
      const state = { title: row.title, done: row.done_at !== null, owner: { user: currentPerson ? { userId: currentPerson.id, label: `@${currentPerson.handle}` } : null, role: row.owner_role } };
      const now = this.deps.clock.now();
      const decision = changeTask(state, { done: patch.done, title: patch.title, owner: ownerChange?.owner }, { now, actor: acting.actor.label, reference: reference(Number(incident.number)), incidentResolved: false });
      if (isRefusal(decision)) throw refused(decision);
      const [before] = await this.viewTasks(db, incident.id, [row]);
      if (!decision.changed) return before as IncidentTask;
      const done = decision.state.done;
      const updated: TaskRow = {
        ...row,
        title: decision.state.title,
        owner_role: decision.state.owner.role,
        owner_user_id: decision.state.owner.user?.userId ?? null,
        done_at: done === state.done ? row.done_at : done ? now : null,
        done_by: done === state.done ? row.done_by : done ? acting.actor.label : null,
        updated_at: now,
      };
      await db.updateTable('incident_tasks').set({ title: updated.title, owner_role: updated.owner_role, owner_user_id: updated.owner_user_id, done_at: updated.done_at, done_by: updated.done_by, updated_at: now }).where('id', '=', row.id).execute();
      await this.deps.incidents.appendTimeline(tx, incident, decision.timeline, 'task');
      const [view] = await this.viewTasks(db, incident.id, [updated]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.task.update', targetType: 'incident', targetId: incident.id, before, after: view });
      return view as IncidentTask;
    });
  }

  /** `POST …/playbooks`: adds a playbook's items to an open incident (once per playbook; 409 the second time). */
  async addPlaybook(acting: Acting, ref: string, input: z.output<typeof addIncidentPlaybookSchema>): Promise<IncidentTask[]> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.requireOpen(tx, ref, 'tasks', 'playbook');
      const playbook = await this.deps.playbooks.definitionIn(db, input.playbook, 'body.playbook');
      const rows = await this.instantiateIn(tx, acting, incident, [playbook], false);
      const views = await this.viewTasks(db, incident.id, rows);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.playbook.add', targetType: 'incident', targetId: incident.id, after: { playbooks: [playbook.name], tasks: views.length } });
      return views;
    });
  }

  // ---- threads

  /** `GET …/threads`: oldest first. */
  async threads(ref: string): Promise<IncidentThread[]> {
    const incident = await this.deps.incidents.require(this.db, ref);
    const rows = await this.db.selectFrom('incident_threads').selectAll().where('incident_id', '=', incident.id).orderBy('id').execute();
    const people = await this.people(this.db, rows.map((r) => r.owner_user_id));
    return rows.map((r) => this.threadView(r, people));
  }

  /** `POST …/threads`: a new line of investigation, owned by `owner` or whoever opens it. */
  async openThread(acting: Acting, ref: string, input: z.output<typeof incidentThreadInputSchema>): Promise<IncidentThread> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.requireOpen(tx, ref, 'threads', 'title');
      const owner = input.owner !== undefined ? await this.activeUser(db, input.owner, 'body.owner') : acting.principal ? ((await this.people(db, [acting.principal.userId])).get(acting.principal.userId) ?? null) : null;
      const now = this.deps.clock.now();
      const row: ThreadRow = {
        id: this.deps.ids(),
        incident_id: incident.id,
        title: input.title,
        description: input.description ?? '',
        owner_user_id: owner?.id ?? null,
        status: 'open',
        conclusion: null,
        created_at: now,
        created_by: acting.actor.label,
        updated_at: now,
      };
      await db.insertInto('incident_threads').values(row).execute();
      const entry = threadOpenedEntry({ title: row.title, description: row.description, owner: owner ? { userId: owner.id, label: `@${owner.handle}` } : null, status: 'open', conclusion: null }, { actor: acting.actor.label });
      await this.deps.incidents.appendTimeline(tx, incident, [entry], 'thread');
      const view = this.threadView(row, new Map(owner ? [[owner.id, owner]] : []));
      await this.deps.audit.record(db, acting.actor, { action: 'incident.thread.open', targetType: 'incident', targetId: incident.id, after: view });
      return view;
    });
  }

  /** `PATCH …/threads/{thread}`: rename, hand over, conclude (with a conclusion), abandon, reopen. */
  async updateThread(acting: Acting, ref: string, threadId: string, patch: z.output<typeof incidentThreadUpdateSchema>): Promise<IncidentThread> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const field = patch.status !== undefined ? 'status' : patch.owner !== undefined ? 'owner' : patch.title !== undefined ? 'title' : patch.conclusion !== undefined ? 'conclusion' : 'description';
      const incident = await this.requireOpen(tx, ref, 'threads', field);
      const row = await db.selectFrom('incident_threads').selectAll().where('id', '=', threadId).where('incident_id', '=', incident.id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `Thread \`${threadId}\` of ${reference(Number(incident.number))} does not exist`);
      const newOwner = patch.owner === undefined ? undefined : patch.owner === null ? null : await this.activeUser(db, patch.owner, 'body.owner');
      const people = await this.people(db, [row.owner_user_id]);
      const current = row.owner_user_id ? (people.get(row.owner_user_id) ?? null) : null;
      const now = this.deps.clock.now();
      const decision = changeThread(
        { title: row.title, description: row.description, owner: current ? { userId: current.id, label: `@${current.handle}` } : null, status: row.status as ThreadStatus, conclusion: row.conclusion },
        { title: patch.title, description: patch.description, owner: newOwner === undefined ? undefined : newOwner === null ? null : { userId: newOwner.id, label: `@${newOwner.handle}` }, status: patch.status, conclusion: patch.conclusion },
        { now, actor: acting.actor.label, reference: reference(Number(incident.number)), incidentResolved: false },
      );
      // The incident is open (checked above): what the rules refuse here is the request itself.
      if (isRefusal(decision)) throw invalid(`body.${decision.fields[0] ?? 'status'}`, decision.refused);
      const before = this.threadView(row, people);
      if (!decision.changed) return before;
      const updated: ThreadRow = { ...row, title: decision.state.title, description: decision.state.description, owner_user_id: decision.state.owner?.userId ?? null, status: decision.state.status, conclusion: decision.state.conclusion, updated_at: now };
      await db.updateTable('incident_threads').set({ title: updated.title, description: updated.description, owner_user_id: updated.owner_user_id, status: updated.status, conclusion: updated.conclusion, updated_at: now }).where('id', '=', row.id).execute();
      await this.deps.incidents.appendTimeline(tx, incident, decision.timeline, 'thread');
      const view = this.threadView(updated, new Map([...people, ...(newOwner ? ([[newOwner.id, newOwner]] as const) : [])]));
      await this.deps.audit.record(db, acting.actor, { action: 'incident.thread.update', targetType: 'incident', targetId: incident.id, before, after: view });
      return view;
    });
  }
}
