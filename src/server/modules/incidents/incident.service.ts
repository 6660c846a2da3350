import type { Kysely } from 'kysely';
import type { z } from 'zod';
import {
  defaultIncidentSeverities,
  type assignIncidentRoleSchema,
  type declareIncidentSchema,
  type editIncidentTimelineEntrySchema,
  type Incident,
  type incidentNoteSchema,
  type IncidentSeverityDefinition,
  type incidentStatusChangeSchema,
  type IncidentTimelineEntry,
  type linkIncidentAlertsSchema,
  type listIncidentsQuery,
  type incidentUpdateSchema,
  type updateIncidentSchema,
} from '../../../contracts/incidents.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import { changeStatus, declare, edit, isRefusal, linkAlerts, type Decision, type IncidentState, type Link, type Refusal } from '../../../core/incidents/incident.js';
import { assignRole, INCIDENT_COMMANDER, releaseRole, roleName, type Person } from '../../../core/incidents/roles.js';
import type { TimelineEntry } from '../../../core/incidents/incident.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { isUniqueViolation } from '../../platform/http/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import type { ServiceCatalog } from '../services/service.service.js';
import type { SeveritySource } from './rules/severity-catalog.js';
import { incidentRepo, reference, stateColumns, timelineView, toState, type HistoryItem, type IncidentRow } from './incident.repo.js';

/** What changed, for live updates (a war-room page re-reads the incident). Published after commit. */
export interface IncidentChange {
  incidentId: string;
  reference: string;
  status: Incident['status'];
  /** declare, update, status, role, note, timeline-edit. */
  action: string;
}

export type ListIncidentsQuery = z.output<typeof listIncidentsQuery>;

/**
 * The seam for the incident's other parts (checklists, responders, stakeholder updates, the postmortem
 * policy…): each runs inside the transaction of the change it hears of, so its rows, timers and
 * outbox entries commit with it or not at all. Register with `IncidentService.addExtension`.
 */
export interface IncidentExtension {
  /** After a declared incident, its roles and first timeline entries are stored. */
  declared?(tx: Tx, acting: Acting, incident: IncidentRow): Promise<void>;
  /** After a status change or a change of mitigation is stored (resolving included). */
  statusChanged?(tx: Tx, acting: Acting, incident: IncidentRow, change: { from: Incident['status']; to: Incident['status']; mitigatedNow: boolean }): Promise<void>;
  /** After a stakeholder update's timeline entry is stored. */
  updatePosted?(tx: Tx, acting: Acting, incident: IncidentRow, entry: IncidentTimelineEntry): Promise<void>;
}

class RevisionConflict extends Error {}

const MAX_ATTEMPTS = 8;

const invalid = (path: string, message: string, summary?: string) => new AppError('VALIDATION_FAILED', summary ?? `${path}: ${message}`, { issues: [{ path, message }] satisfies FieldIssue[] });

/**
 * Incidents: declare, edit, move status, hand over roles, annotate the timeline. Every mutation runs in
 * one transaction with its timeline entries and audit entry, and bumps the incident's `revision`
 * (compare-and-set), so concurrent changes to one incident on PostgreSQL are serialized: the loser is
 * retried against the new state. Role handovers are themselves compare-and-set on the role's row, and
 * a unique index keeps anyone from commanding two open incidents (migration 0017).
 */
export class IncidentService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      services: ServiceCatalog;
      /**
       * The known severities (ADR 0033): configurable, stored; without a source the built-in SEV1–SEV4.
       * Checks read them in their own transaction; `severities()` gives the source's quick copy.
       */
      severities?: SeveritySource;
      /** Called after each change commits (never for a rollback): the seam for live updates. */
      onChange?: (change: IncidentChange) => void;
    },
  ) {}

  private readonly extensions: IncidentExtension[] = [];

  /** Adds a part of the incident that hears of declarations, status changes and updates in their transactions. */
  addExtension(extension: IncidentExtension): void {
    this.extensions.push(extension);
  }

  /**
   * Appends entries to an incident's timeline in the caller's transaction and tells live pages after
   * it commits. For the incident's other parts (threads, checklists, changes, responders); they audit
   * their own changes.
   */
  async appendTimeline(tx: Tx, incident: IncidentRow, entries: readonly TimelineEntry[], action: string): Promise<IncidentTimelineEntry[]> {
    const stored = await incidentRepo.insertTimeline(tx.db, this.deps.ids, incident.id, this.deps.clock.now(), [...entries]);
    this.published(tx, incident, incident.status as Incident['status'], action);
    return stored.map(timelineView);
  }

  /** Tells live pages an incident changed (after the caller's transaction commits) without a timeline entry. */
  touched(tx: Tx, incident: IncidentRow, action: string): void {
    this.published(tx, incident, incident.status as Incident['status'], action);
  }

  /** The severities, most severe first: the source's quick copy (may lag another node's change by seconds). */
  severities(): readonly IncidentSeverityDefinition[] {
    return this.deps.severities?.current() ?? defaultIncidentSeverities;
  }

  /** The severities as stored now (exact across nodes). */
  async currentSeverities(db: Kysely<Database> = this.db): Promise<readonly IncidentSeverityDefinition[]> {
    return this.deps.severities ? this.deps.severities.read(db) : defaultIncidentSeverities;
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  private async retrying<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.database.transaction(work);
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        // A concurrent change to the same incident, or a concurrent command of the same person (the
        // unique index): run again against what committed; the rules then give the precise answer.
        const retry = error instanceof RevisionConflict || isUniqueViolation(error) || code === '40P01' || code === '40001';
        if (!retry || attempt >= MAX_ATTEMPTS) throw error instanceof RevisionConflict ? new AppError('CONFLICT', 'The incident changed concurrently; try again') : error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** attempt)));
      }
    }
  }

  private published(tx: Tx, row: IncidentRow, status: Incident['status'], action: string): void {
    const publish = this.deps.onChange;
    if (publish) tx.afterCommit(() => publish({ incidentId: row.id, reference: reference(Number(row.number)), status, action }));
  }

  // ---- reads

  async require(db: Kysely<Database>, ref: string): Promise<IncidentRow> {
    const row = await incidentRepo.find(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Incident \`${ref}\` does not exist`);
    return row;
  }

  async get(ref: string): Promise<Incident> {
    return (await incidentRepo.views(this.db, [await this.require(this.db, ref)]))[0] as Incident;
  }

  async list(query: ListIncidentsQuery): Promise<{ items: Incident[]; nextBefore: string | null }> {
    const db = this.db;
    let q = db.selectFrom('incidents').selectAll('incidents').orderBy('incidents.id', 'desc').limit(query.limit + 1);
    if (query.status) {
      const wanted = new Set(query.status.split(',').flatMap((s) => (s === 'open' ? ['investigating', 'identified', 'monitoring'] : [s])));
      q = q.where('incidents.status', 'in', [...wanted]);
    }
    if (query.severity) {
      await this.assertSeverity(db, query.severity, 'query.severity');
      q = q.where('incidents.severity', '=', query.severity);
    }
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) throw invalid('query.service', `no service \`${query.service}\``);
      q = q.where('incidents.id', 'in', db.selectFrom('incident_services').select('incident_id').where('service_id', '=', service.id));
    }
    if (query.before) q = q.where('incidents.id', '<', query.before);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return { items: await incidentRepo.views(db, page), nextBefore: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null };
  }

  /** Oldest first (ids are time-ordered ULIDs); `after` an entry id for only what came since. */
  async timeline(ref: string, query: { after?: string | undefined; limit: number } = { limit: 5000 }): Promise<{ items: IncidentTimelineEntry[]; nextAfter: string | null }> {
    const incident = await this.require(this.db, ref);
    let q = this.db.selectFrom('incident_timeline').selectAll().where('incident_id', '=', incident.id).orderBy('id').limit(query.limit + 1);
    if (query.after) q = q.where('id', '>', query.after);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return { items: page.map(timelineView), nextAfter: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null };
  }

  // ---- input checks (400 naming the field)

  private async assertSeverity(db: Kysely<Database>, key: string, path: string): Promise<void> {
    const known = (await this.currentSeverities(db)).map((s) => s.key);
    if (!known.includes(key)) throw invalid(path, `unknown severity \`${key}\`; known: ${known.join(', ')}`);
  }

  private async serviceIdsOf(db: Kysely<Database>, refs: readonly string[], path: string): Promise<{ ids: string[]; labels: Map<string, string> }> {
    const ids: string[] = [];
    const labels = new Map<string, string>();
    for (const [i, ref] of refs.entries()) {
      const service = await this.deps.services.find(db, ref);
      if (!service) throw invalid(`${path}.${i}`, `no service \`${ref}\``);
      ids.push(service.id);
      labels.set(service.id, service.handle);
    }
    return { ids, labels };
  }

  /** Alerts by id or number (`#12`, `12`), without repeats; 400 naming the first unknown one. */
  private async alertsOf(db: Kysely<Database>, refs: readonly string[]): Promise<Array<{ id: string; number: number; service_id: string; first_seen_at: number; acknowledged_at: number | null }>> {
    const alerts: Array<{ id: string; number: number; service_id: string; first_seen_at: number; acknowledged_at: number | null }> = [];
    for (const [i, ref] of refs.entries()) {
      const number = /^#?(\d{1,15})$/.exec(ref);
      const query = db.selectFrom('alerts').select(['id', 'number', 'service_id', 'first_seen_at', 'acknowledged_at']);
      const alert = await (number ? query.where('number', '=', Number(number[1])) : query.where('id', '=', ref)).executeTakeFirst();
      if (!alert) throw invalid(`body.alertIds.${i}`, `no alert \`${ref}\``);
      if (!alerts.some((a) => a.id === alert.id)) alerts.push(alert);
    }
    return alerts;
  }

  private async activeUser(db: Kysely<Database>, ref: string, path: string): Promise<Person> {
    const user = await db.selectFrom('users').select(['id', 'handle']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
    if (!user) throw invalid(path, `no active user \`${ref}\``);
    return { userId: user.id, label: `@${user.handle}` };
  }

  private async personById(db: Kysely<Database>, userId: string): Promise<Person> {
    const user = await db.selectFrom('users').select(['id', 'handle']).where('id', '=', userId).executeTakeFirstOrThrow();
    return { userId: user.id, label: `@${user.handle}` };
  }

  private refusal(refusal: Refusal): AppError {
    return new AppError('RULE_VIOLATION', refusal.refused, { issues: refusal.fields.map((f) => ({ path: `body.${f}`, message: refusal.refused })) });
  }

  // ---- mutations

  /** `POST /api/v1/incidents`: declares an incident; the declarer (or `commander`) takes command. */
  async declare(acting: Acting, input: z.output<typeof declareIncidentSchema>): Promise<Incident> {
    return this.retrying(async (tx) => {
      const db = tx.db;
      const now = this.deps.clock.now();
      await this.assertSeverity(db, input.severity, 'body.severity');
      const detectedAt = input.detectedAt === undefined ? undefined : Date.parse(input.detectedAt);
      if (detectedAt !== undefined && Number.isNaN(detectedAt)) throw invalid('body.detectedAt', 'must be an ISO 8601 instant');
      const alerts = await this.alertsOf(db, input.alertIds ?? []);
      const named = await this.serviceIdsOf(db, input.impactedServices ?? [], 'body.impactedServices');
      // Default impacted services: those of the linked alerts.
      const serviceIds = input.impactedServices ? named.ids : [...new Set(alerts.map((a) => a.service_id))];
      const commander = input.commander !== undefined ? await this.activeUser(db, input.commander, 'body.commander') : acting.principal ? await this.personById(db, acting.principal.userId) : null;
      const elsewhere = commander ? await incidentRepo.commandedElsewhere(db, commander.userId, null) : null;
      if (commander && elsewhere !== null && input.commander !== undefined) {
        throw new AppError('RULE_VIOLATION', `${commander.label} already commands ${reference(elsewhere)}; nobody holds two commander roles`, { issues: [{ path: 'body.commander', message: `already commands ${reference(elsewhere)}` }] });
      }

      const number = await incidentRepo.nextNumber(db);
      const ref = reference(number);
      const links: Link[] = (input.links ?? []).map((l) => ({ href: l.href, text: l.text ?? null }));
      const decision = declare(
        {
          reference: ref, title: input.title, severity: input.severity, summary: input.summary ?? '', customerImpact: input.customerImpact ?? '', serviceIds, links, detectedAt,
          alerts: alerts.map((a) => ({ label: `#${a.number}`, firstSeenAt: Number(a.first_seen_at), acknowledgedAt: a.acknowledged_at === null ? null : Number(a.acknowledged_at) })),
        },
        { now, actor: acting.actor.label },
      );
      const row: IncidentRow = {
        id: this.deps.ids(),
        number,
        declared_by: acting.actor.label,
        declared_by_user_id: acting.principal?.userId ?? null,
        revision: 1,
        created_at: now,
        postmortem_required: null,
        postmortem_reasons_json: null,
        postmortem_requested_by: null,
        ...stateColumns(decision.incident, now),
      };
      await db.insertInto('incidents').values(row).execute();
      await incidentRepo.replaceServices(db, row.id, decision.incident.serviceIds);
      if (alerts.length > 0) await db.insertInto('incident_alerts').values(alerts.map((a) => ({ incident_id: row.id, alert_id: a.id, linked_at: now, linked_by: acting.actor.label }))).execute();
      const timeline = [...decision.timeline];
      if (commander) {
        if (elsewhere === null) {
          const role = assignRole({ role: INCIDENT_COMMANDER, to: commander, expected: null, current: null, incidentResolved: false, commandsElsewhere: null }, { actor: acting.actor.label });
          await incidentRepo.insertRole(db, { incident_id: row.id, role: INCIDENT_COMMANDER, user_id: commander.userId, open_commander_user_id: commander.userId, assigned_at: now, assigned_by: acting.actor.label });
          if (role.outcome === 'assigned') timeline.push(role.entry);
        } else {
          // Declaring must never be blocked: the role stays vacant for someone else to take.
          timeline.push({ kind: 'role', action: 'vacant', actor: acting.actor.label, summary: `${commander.label} already commands ${reference(elsewhere)}, so the incident commander role is vacant: someone should take it`, data: { role: INCIDENT_COMMANDER } });
        }
      }
      await incidentRepo.insertTimeline(db, this.deps.ids, row.id, now, timeline);
      for (const extension of this.extensions) await extension.declared?.(tx, acting, row);
      const [view] = await incidentRepo.views(db, [row]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.declare', targetType: 'incident', targetId: row.id, after: view });
      this.published(tx, row, 'investigating', 'declare');
      return view as Incident;
    });
  }

  /** Applies a pure decision to one incident: stored (compare-and-set), on the timeline, audited. */
  private async decide(tx: Tx, acting: Acting, ref: string, action: string, decide: (state: IncidentState, row: IncidentRow, now: number) => Promise<Decision | Refusal> | Decision | Refusal, after?: (row: IncidentRow, decision: Decision) => Promise<void>): Promise<Incident> {
    const db = tx.db;
    const row = await this.require(db, ref);
    const now = this.deps.clock.now();
    const state = toState(row, await incidentRepo.serviceIds(db, row.id));
    const decision = await decide(state, row, now);
    if (isRefusal(decision)) throw this.refusal(decision);
    if (!decision.changed) return (await incidentRepo.views(db, [row]))[0] as Incident;
    if (!(await incidentRepo.update(db, row, decision.incident, now))) throw new RevisionConflict();
    const updated = (await db.selectFrom('incidents').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as IncidentRow;
    // The decision's own entries first, so what extensions add (a postmortem verdict) follows the milestone.
    await incidentRepo.insertTimeline(db, this.deps.ids, row.id, now, decision.timeline);
    await after?.(updated, decision);
    // Read again: extensions may have written columns of their own (the postmortem verdict).
    const stored = (await db.selectFrom('incidents').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as IncidentRow;
    const [before, view] = await incidentRepo.views(db, [row, stored]);
    await this.deps.audit.record(db, acting.actor, { action: `incident.${action}`, targetType: 'incident', targetId: row.id, before, after: view });
    this.published(tx, stored, decision.incident.status, action);
    return view as Incident;
  }

  /** `PATCH /api/v1/incidents/{incident}`: once resolved, only the summary may change (422 naming the others). */
  async update(acting: Acting, ref: string, patch: z.output<typeof updateIncidentSchema>): Promise<Incident> {
    return this.retrying(async (tx) => {
      if (patch.severity !== undefined) await this.assertSeverity(tx.db, patch.severity, 'body.severity');
      const services = patch.impactedServices ? await this.serviceIdsOf(tx.db, patch.impactedServices, 'body.impactedServices') : null;
      return this.decide(
        tx,
        acting,
        ref,
        'update',
        (state, _row, now) =>
          edit(state, {
            title: patch.title, severity: patch.severity, summary: patch.summary, customerImpact: patch.customerImpact,
            serviceIds: services?.ids, serviceLabels: services?.labels,
            links: patch.links?.map((l) => ({ href: l.href, text: l.text ?? null })),
          }, { now, actor: acting.actor.label }),
        async (stored, decision) => {
          if (services) await incidentRepo.replaceServices(tx.db, stored.id, decision.incident.serviceIds);
        },
      );
    });
  }

  /** `POST /api/v1/incidents/{incident}/status`: status and mitigation, each a timeline milestone. */
  async changeStatus(acting: Acting, ref: string, input: z.output<typeof incidentStatusChangeSchema>): Promise<Incident> {
    return this.retrying(async (tx) => {
      let before: IncidentState | null = null;
      return this.decide(
        tx,
        acting,
        ref,
        input.status === 'resolved' ? 'resolve' : 'status',
        (state, _row, now) => {
          before = state;
          const ctx = { now, actor: acting.actor.label };
          // The summary first, so a resolution summary is on the incident when it resolves.
          const edited = input.summary !== undefined && state.status !== 'resolved' ? edit(state, { summary: input.summary }, ctx) : null;
          if (edited && isRefusal(edited)) return edited;
          const moved = changeStatus(edited ? edited.incident : state, input, ctx);
          if (isRefusal(moved) || !edited) return moved;
          return { incident: moved.incident, timeline: [...edited.timeline, ...moved.timeline], changed: edited.changed || moved.changed };
        },
        async (stored, decision) => {
          // A resolved incident's commander may take command of another incident.
          if (decision.incident.status === 'resolved') await incidentRepo.closeCommand(tx.db, stored.id);
          const previous = before as IncidentState | null;
          if (!previous) return;
          const change = { from: previous.status, to: decision.incident.status, mitigatedNow: previous.mitigatedAt === null && decision.incident.mitigatedAt !== null };
          for (const extension of this.extensions) await extension.statusChanged?.(tx, acting, stored, change);
        },
      );
    });
  }

  /**
   * `PUT /api/v1/incidents/{incident}/roles/{role}`. Race-safe: a handover is an UPDATE conditional on
   * the holder the caller expects, a vacant role an INSERT the primary key refuses twice, and the
   * incident's revision serializes role changes with a concurrent resolve. The loser gets 409 naming
   * who holds the role.
   */
  async assignRole(acting: Acting, ref: string, role: string, input: z.output<typeof assignIncidentRoleSchema>): Promise<Incident> {
    return this.retrying(async (tx) => {
      const db = tx.db;
      const row = await this.require(db, ref);
      const now = this.deps.clock.now();
      const to = await this.activeUser(db, input.user, 'body.user');
      let expected: Person | null | undefined = undefined;
      if (input.expectedHolder === null) expected = null;
      else if (input.expectedHolder !== undefined) {
        const user = await db.selectFrom('users').select(['id', 'handle']).where((eb) => eb.or([eb('id', '=', input.expectedHolder as string), eb('handle', '=', (input.expectedHolder as string).toLowerCase())])).executeTakeFirst();
        if (!user) throw invalid('body.expectedHolder', `no user \`${input.expectedHolder}\``);
        expected = { userId: user.id, label: `@${user.handle}` };
      }
      const held = await incidentRepo.role(db, row.id, role);
      const current = held ? await this.personById(db, held.user_id) : null;
      const open = row.status !== 'resolved';
      const elsewhere = role === INCIDENT_COMMANDER ? await incidentRepo.commandedElsewhere(db, to.userId, row.id) : null;
      const decision = assignRole({ role, to, expected, current, incidentResolved: !open, commandsElsewhere: elsewhere === null ? null : reference(elsewhere) }, { actor: acting.actor.label });
      const conflict = async () => {
        const winner = await incidentRepo.role(db, row.id, role);
        const holder = winner ? await this.personById(db, winner.user_id) : null;
        return new AppError('CONFLICT', `The ${roleName(role)} role of ${reference(Number(row.number))} ${holder ? `is held by ${holder.label}` : 'is vacant'}; someone changed it meanwhile`, { role, holder: holder ? { id: holder.userId, handle: holder.label.slice(1) } : null });
      };
      switch (decision.outcome) {
        case 'unchanged':
          return (await incidentRepo.views(db, [row]))[0] as Incident;
        case 'refused':
          throw new AppError('RULE_VIOLATION', `${reference(Number(row.number))}: ${decision.message}`, { issues: [{ path: 'body.user', message: decision.message }] });
        case 'conflict':
          throw new AppError('CONFLICT', `${reference(Number(row.number))}: ${decision.message}`, { role, holder: decision.holder ? { id: decision.holder.userId, handle: decision.holder.label.slice(1) } : null });
        case 'assigned': {
          const ok = await incidentRepo.insertRole(db, { incident_id: row.id, role, user_id: to.userId, open_commander_user_id: role === INCIDENT_COMMANDER ? to.userId : null, assigned_at: now, assigned_by: acting.actor.label });
          if (!ok) throw await conflict();
          break;
        }
        case 'handed-over': {
          const ok = await incidentRepo.handOver(db, row.id, role, (current as Person).userId, { userId: to.userId, open, at: now, by: acting.actor.label });
          if (!ok) throw await conflict();
          break;
        }
      }
      return this.roleChanged(tx, acting, row, now, [decision.entry, ...(input.note ? [{ kind: 'note' as const, action: 'note', actor: acting.actor.label, summary: input.note, data: null }] : [])], { role, holder: current?.userId ?? null }, { role, holder: to.userId });
    });
  }

  /** `DELETE /api/v1/incidents/{incident}/roles/{role}?holder=…`: leaves a role vacant (never command). */
  async releaseRole(acting: Acting, ref: string, role: string, holderRef: string): Promise<Incident> {
    return this.retrying(async (tx) => {
      const db = tx.db;
      const row = await this.require(db, ref);
      const now = this.deps.clock.now();
      const user = await db.selectFrom('users').select(['id', 'handle']).where((eb) => eb.or([eb('id', '=', holderRef), eb('handle', '=', holderRef.toLowerCase())])).executeTakeFirst();
      if (!user) throw invalid('query.holder', `no user \`${holderRef}\``);
      const held = await incidentRepo.role(db, row.id, role);
      const current = held ? await this.personById(db, held.user_id) : null;
      const decision = releaseRole({ role, expected: { userId: user.id, label: `@${user.handle}` }, current, incidentResolved: row.status === 'resolved' }, { actor: acting.actor.label });
      const where = reference(Number(row.number));
      if (decision.outcome === 'refused') throw new AppError('RULE_VIOLATION', `${where}: ${decision.message}`, { issues: [{ path: 'params.role', message: decision.message }] });
      if (decision.outcome === 'conflict' || !(await incidentRepo.releaseRole(db, row.id, role, user.id))) {
        const winner = await incidentRepo.role(db, row.id, role);
        const holder = winner ? await this.personById(db, winner.user_id) : null;
        throw new AppError('CONFLICT', `${where}: the ${roleName(role)} role ${holder ? `is held by ${holder.label}` : 'is vacant'}, not by @${user.handle}`, { role, holder: holder ? { id: holder.userId, handle: holder.label.slice(1) } : null });
      }
      return this.roleChanged(tx, acting, row, now, [decision.entry], { role, holder: user.id }, { role, holder: null });
    });
  }

  /**
   * The end of every role change: bumps the incident's revision (so a concurrent resolve, which closes
   * the command, and this change cannot both win), then the timeline, the audit log and live updates.
   */
  private async roleChanged(tx: Tx, acting: Acting, row: IncidentRow, now: number, entries: TimelineEntry[], before: unknown, after: unknown): Promise<Incident> {
    const db = tx.db;
    const bumped = await db.updateTable('incidents').set({ revision: row.revision + 1, updated_at: now }).where('id', '=', row.id).where('revision', '=', row.revision).executeTakeFirst();
    if (Number(bumped.numUpdatedRows) !== 1) throw new RevisionConflict();
    await incidentRepo.insertTimeline(db, this.deps.ids, row.id, now, entries);
    const [view] = await incidentRepo.views(db, [{ ...row, revision: row.revision + 1, updated_at: now }]);
    await this.deps.audit.record(db, acting.actor, { action: 'incident.role', targetType: 'incident', targetId: row.id, before, after });
    this.published(tx, row, row.status as Incident['status'], 'role');
    return view as Incident;
  }

  /** `POST /api/v1/incidents/{incident}/alerts`: links more alerts to an open incident; linked ones are skipped. */
  async linkAlerts(acting: Acting, ref: string, input: z.output<typeof linkIncidentAlertsSchema>): Promise<Incident> {
    return this.retrying(async (tx) => {
      const db = tx.db;
      const alerts = await this.alertsOf(db, input.alertIds);
      let fresh: typeof alerts = [];
      return this.decide(
        tx,
        acting,
        ref,
        'link-alerts',
        async (state, row, now) => {
          const linked = new Set((await db.selectFrom('incident_alerts').select('alert_id').where('incident_id', '=', row.id).execute()).map((r) => r.alert_id));
          fresh = alerts.filter((a) => !linked.has(a.id));
          return linkAlerts(state, fresh.map((a) => ({ label: `#${a.number}`, firstSeenAt: Number(a.first_seen_at), acknowledgedAt: a.acknowledged_at === null ? null : Number(a.acknowledged_at) })), { now, actor: acting.actor.label });
        },
        async (stored) => {
          const now = this.deps.clock.now();
          await db.insertInto('incident_alerts').values(fresh.map((a) => ({ incident_id: stored.id, alert_id: a.id, linked_at: now, linked_by: acting.actor.label }))).execute();
        },
      );
    });
  }

  /** `POST /api/v1/incidents/{incident}/updates`: a stakeholder update, on the timeline and audited. */
  async postUpdate(acting: Acting, ref: string, input: z.output<typeof incidentUpdateSchema>): Promise<IncidentTimelineEntry> {
    return this.deps.database.transaction(async (tx) => {
      const row = await this.require(tx.db, ref);
      const [entry] = await incidentRepo.insertTimeline(tx.db, this.deps.ids, row.id, this.deps.clock.now(), [{ kind: 'update', action: 'stakeholder-update', actor: acting.actor.label, summary: input.message, data: null }]);
      const view = timelineView(entry as NonNullable<typeof entry>);
      for (const extension of this.extensions) await extension.updatePosted?.(tx, acting, row, view);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'incident.stakeholder-update', targetType: 'incident', targetId: row.id, after: view });
      this.published(tx, row, row.status as Incident['status'], 'stakeholder-update');
      return view;
    });
  }

  /** `POST /api/v1/incidents/{incident}/timeline`: a manual note (allowed on resolved incidents too). */
  async addNote(acting: Acting, ref: string, input: z.output<typeof incidentNoteSchema>): Promise<IncidentTimelineEntry> {
    return this.deps.database.transaction(async (tx) => {
      const row = await this.require(tx.db, ref);
      const [entry] = await incidentRepo.insertTimeline(tx.db, this.deps.ids, row.id, this.deps.clock.now(), [{ kind: 'note', action: 'note', actor: acting.actor.label, summary: input.note, data: null }], input.pinned ?? false);
      const view = timelineView(entry as NonNullable<typeof entry>);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'incident.note', targetType: 'incident', targetId: row.id, after: view });
      this.published(tx, row, row.status as Incident['status'], 'note');
      return view;
    });
  }

  /**
   * `PATCH /api/v1/incidents/{incident}/timeline/{entry}`: pin or unpin any entry, or correct a note's
   * text. Each change is kept in the entry's history (who, when, the text before).
   */
  async editEntry(acting: Acting, ref: string, entryId: string, input: z.output<typeof editIncidentTimelineEntrySchema>): Promise<IncidentTimelineEntry> {
    return this.retrying(async (tx) => {
      const db = tx.db;
      const row = await this.require(db, ref);
      const entry = await db.selectFrom('incident_timeline').selectAll().where('id', '=', entryId).where('incident_id', '=', row.id).executeTakeFirst();
      if (!entry) throw new AppError('NOT_FOUND', `Timeline entry \`${entryId}\` of ${reference(Number(row.number))} does not exist`);
      if (input.summary !== undefined && entry.kind !== 'note') throw new AppError('RULE_VIOLATION', `Only notes can be reworded; this entry is a ${entry.kind} Firebreak recorded`, { issues: [{ path: 'body.summary', message: 'only notes can be reworded' }] });
      const now = this.deps.clock.now();
      const history = JSON.parse(entry.history_json) as HistoryItem[];
      const changes: Record<string, unknown> = {};
      if (input.summary !== undefined && input.summary !== entry.summary) {
        history.push({ at: now, by: acting.actor.label, change: 'text', previousSummary: entry.summary });
        changes.summary = input.summary;
        changes.edited_at = now;
      }
      const pinned = input.pinned === undefined ? entry.pinned : input.pinned ? 1 : 0;
      if (pinned !== entry.pinned) {
        history.push({ at: now, by: acting.actor.label, change: pinned ? 'pin' : 'unpin', previousSummary: null });
        changes.pinned = pinned;
      }
      if (Object.keys(changes).length === 0) return timelineView(entry);
      // Conditional on the history read: two concurrent edits cannot lose one another's history.
      const result = await db.updateTable('incident_timeline').set({ ...changes, history_json: JSON.stringify(history) }).where('id', '=', entry.id).where('history_json', '=', entry.history_json).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new RevisionConflict();
      const stored = await db.selectFrom('incident_timeline').selectAll().where('id', '=', entry.id).executeTakeFirstOrThrow();
      const view = timelineView(stored);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.timeline.edit', targetType: 'incident', targetId: row.id, before: timelineView(entry), after: view });
      this.published(tx, row, row.status as Incident['status'], 'timeline-edit');
      return view;
    });
  }
}
