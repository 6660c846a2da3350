import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { serviceInputSchema } from '../../../../contracts/alerts.js';
import { AppError } from '../../../../contracts/errors.js';
import type { IncidentRespondersView, IncidentParticipant, joinIncidentSchema, requestResponderSchema, ResponderRequest, ResponderRequestState } from '../../../../contracts/incident-responders.js';
import type { Assignee } from '../../../../core/alerts/assignment.js';
import type { EscalationState } from '../../../../core/escalation/engine.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, IncidentResponderRequestsTable } from '../../../platform/db/schema.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { AlertChange, AlertHooks, AlertService } from '../../alerts/alert.service.js';
import { AuditLog, systemActor } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { ServiceCatalog } from '../../services/service.service.js';
import type { PagingService } from '../../paging/paging.service.js';
import type { IncidentExtension, IncidentService } from '../incident.service.js';
import { reference, type IncidentRow } from '../incident.repo.js';
import { INCIDENT_REQUEST_LABEL } from '../../paging/page-message.js';

/** The internal service responder requests open their paging alerts on; made on first use, paging nobody by itself. */
export const RESPONDERS_SERVICE = 'firebreak-incidents';
/** Labels on a request's alert: page delivery words the page from them ("INC-42 needs you"). */
export const INCIDENT_LABEL = INCIDENT_REQUEST_LABEL;
export const REQUEST_LABEL = 'firebreak.responder-request';

/** Closes the open requests of a resolved incident (resolves their alerts): durable, added in the resolve's transaction. */
export const CLOSE_REQUESTS_TASK = 'incident.responders.close';
export const closeRequestsJobKey = (incidentId: string) => `${CLOSE_REQUESTS_TASK}:${incidentId}`;
export interface CloseRequestsPayload {
  incidentId: string;
}

type RequestRow = IncidentResponderRequestsTable;

const FIREBREAK: Acting = { actor: systemActor('Firebreak'), principal: null };
const iso = (ms: number) => new Date(ms).toISOString();
/** The person behind an actor label (`ben`, `ben (API token)`, `@ben via email link`): their handle. */
const handleOf = (label: string) => label.replace(/^@/, '').split(/[\s(]/)[0] ?? '';
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });

export interface RespondersDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  jobs: JobScheduler;
  incidents: IncidentService;
  alerts: AlertService;
  services: ServiceCatalog;
  /** "Escalate now" on a request's alert when a person declines it. */
  paging: Pick<PagingService, 'escalate'>;
  /** War-room links in pages point here. */
  publicUrl: string;
}

interface Target {
  type: 'user' | 'policy' | 'team';
  id: string;
  handle: string;
  name: string;
  /** How the timeline names it: `@ben`, `policy Databases`, `team Storage (policy Storage on-call)`. */
  label: string;
  assignee: Assignee;
  policyId: string | null;
}

/**
 * Incident responders (ADR 0034, docs/incidents.md "Responders"): page people, escalation policies or
 * teams into an incident, and follow who acknowledged and who joined.
 *
 * A request is not a second paging path. It opens a high-urgency alert "INC-42 needs you: <title>" on
 * the internal service `firebreak-incidents`, assigned to the target (a person, or the policy: a
 * team's own policy for a team), linked to the incident, in the same transaction as the request row,
 * its timeline entry and audit entry. From then on the escalation engine owns it: levels, delays,
 * repeats, failover between contact methods, acknowledgement timeouts, the auditor. This module
 * listens to that alert's changes (`hooks`, inside their transactions) and mirrors them on the
 * incident: acknowledged, triggered again, closed. Joining (`join`) is a person saying "I am here";
 * it marks the requests that paged them as joined and acknowledges their pages still ringing.
 */
export class IncidentResponders {
  private readonly audit: AuditLog;

  constructor(private readonly deps: RespondersDeps) {
    this.audit = new AuditLog(deps.ids, () => deps.clock.now());
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /** Runs in every alert change's transaction (after paging's): mirrors a request alert's changes on its incident. */
  readonly hooks: AlertHooks = { afterChange: (tx, change) => this.onAlertChange(tx, change) };

  /** Hears of resolutions: open requests are closed (their alerts resolved) by a durable job. */
  readonly extension: IncidentExtension = {
    statusChanged: async (tx, _acting, incident, change) => {
      if (change.to !== 'resolved') return;
      const open = await tx.db.selectFrom('incident_responder_requests').select('id').where('incident_id', '=', incident.id).where('closed_at', 'is', null).limit(1).executeTakeFirst();
      if (open) await this.deps.jobs.addJob<CloseRequestsPayload>(tx, { task: CLOSE_REQUESTS_TASK, key: closeRequestsJobKey(incident.id), runAt: this.deps.clock.now(), payload: { incidentId: incident.id } });
    },
  };

  // ---- requests

  /** `POST /api/v1/incidents/{incident}/responders`: pages the target into the incident. */
  async request(acting: Acting, ref: string, input: z.output<typeof requestResponderSchema>): Promise<ResponderRequest> {
    const serviceId = await this.ensureService();
    const id = await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.deps.incidents.require(db, ref);
      const where = reference(Number(incident.number));
      const now = this.deps.clock.now();
      // Locks the incident row while it is open (PostgreSQL): a resolve committing meanwhile makes this
      // match nothing (422), and a resolve after this commits sees the request and closes it.
      const open = await db.updateTable('incidents').set({ updated_at: now }).where('id', '=', incident.id).where('status', '!=', 'resolved').executeTakeFirst();
      if (Number(open.numUpdatedRows) !== 1) throw new AppError('RULE_VIOLATION', `${where} is resolved: nobody can be paged into it any more`, { issues: [{ path: 'params.incident', message: 'the incident is resolved' }] });
      const target = await this.target(db, input.target);
      const requestId = this.deps.ids();
      const by = acting.principal ? `@${acting.principal.userHandle}` : acting.actor.label;
      const url = this.warRoomUrl(incident);
      const description = [
        `${by} asks for ${target.label} in ${where} (${incident.severity}, ${incident.status}): ${incident.title}`,
        ...(input.message ? ['', input.message] : []),
        '',
        `Acknowledge this page to say you are coming, then join the war room: ${url}`,
      ].join('\n');
      const alert = await this.deps.alerts.openRequested(tx, acting, {
        serviceId,
        dedupKey: `incident-responder:${requestId}`,
        title: `${where} needs you: ${incident.title}`.slice(0, 1024),
        description,
        labels: { [INCIDENT_LABEL]: where, [REQUEST_LABEL]: requestId },
        links: [{ href: url, text: `War room ${where}` }],
        assignee: target.assignee,
      });
      await db
        .insertInto('incident_responder_requests')
        .values({
          id: requestId, incident_id: incident.id, alert_id: alert.id, target_type: target.type, target_id: target.id, policy_id: target.policyId, message: input.message ?? null,
          requested_by: by, requested_by_user_id: acting.principal?.userId ?? null, state: 'requested', acknowledged_by: null, acknowledged_at: null,
          joined_user_id: null, joined_at: null, closed_at: null, created_at: now, updated_at: now,
        })
        .execute();
      await db.insertInto('incident_alerts').values({ incident_id: incident.id, alert_id: alert.id, linked_at: now, linked_by: acting.actor.label }).execute();
      await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'responder', action: 'responder-request', actor: by, summary: `${by} paged ${target.label} (alert #${alert.number})${input.message ? `: ${input.message}` : ''}`, data: { requestId, alertId: alert.id, alertNumber: alert.number, target: { type: target.type, id: target.id } } }], 'responder-request');
      await this.audit.record(db, acting.actor, { action: 'incident.responder-request', targetType: 'incident', targetId: incident.id, after: { requestId, alertId: alert.id, target: { type: target.type, id: target.id, policyId: target.policyId }, message: input.message ?? null } });
      return requestId;
    });
    const view = (await this.views(this.db, await this.db.selectFrom('incident_responder_requests').selectAll().where('id', '=', id).execute()))[0];
    return view as ResponderRequest;
  }

  /** The target as asked: a person (paged directly), a policy, or a team through its one escalation policy. 400 naming `body.target.ref`. */
  private async target(db: Kysely<Database>, asked: { type: 'user' | 'policy' | 'team'; ref: string }): Promise<Target> {
    const path = 'body.target.ref';
    const ref = asked.ref;
    if (asked.type === 'user') {
      const user = await db.selectFrom('users').select(['id', 'handle', 'name']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref.toLowerCase())])).executeTakeFirst();
      if (!user) throw invalid(path, `no active user \`${ref}\``);
      return { type: 'user', ...user, label: `@${user.handle}`, assignee: { kind: 'user', id: user.id, label: `@${user.handle}` }, policyId: null };
    }
    if (asked.type === 'policy') {
      const policy = await db.selectFrom('escalation_policies').select(['id', 'handle', 'name']).where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
      if (!policy) throw invalid(path, `no escalation policy \`${ref}\``);
      return { type: 'policy', ...policy, label: `policy ${policy.name}`, assignee: { kind: 'escalationPolicy', id: policy.id, label: policy.name }, policyId: policy.id };
    }
    const team = await db.selectFrom('teams').select(['id', 'handle', 'name']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
    if (!team) throw invalid(path, `no active team \`${ref}\``);
    const policies = await db.selectFrom('escalation_policies').select(['id', 'handle', 'name']).where('deleted_at', 'is', null).where('team_id', '=', team.id).orderBy('handle').execute();
    if (policies.length === 0) throw invalid(path, `team \`${team.handle}\` owns no escalation policy to page it through; page a person instead, or give the team a policy`);
    if (policies.length > 1) throw invalid(path, `team \`${team.handle}\` owns several escalation policies (${policies.map((p) => p.handle).join(', ')}); page one of them with target type \`policy\``);
    const policy = policies[0]!;
    return { type: 'team', ...team, label: `team ${team.name} (policy ${policy.name})`, assignee: { kind: 'escalationPolicy', id: policy.id, label: policy.name }, policyId: policy.id };
  }

  // ---- the request alert's changes (inside their transactions)

  async onAlertChange(tx: Tx, change: AlertChange): Promise<void> {
    // Cheap on intake's hot path: only an acknowledgement, a resolution or a new page (notify) of an
    // alert can move a request, and a repeated trigger is none of them.
    const retriggered = change.status === 'triggered' && change.notify && change.outcome !== 'created';
    if (change.status !== 'acknowledged' && change.status !== 'resolved' && !retriggered) return;
    const db = tx.db;
    const request = await db.selectFrom('incident_responder_requests').selectAll().where('alert_id', '=', change.alertId).executeTakeFirst();
    if (!request) return;
    const alert = await db.selectFrom('alerts').select(['number', 'acknowledged_by', 'acknowledged_at', 'resolved_by']).where('id', '=', change.alertId).executeTakeFirstOrThrow();
    const incident = await this.deps.incidents.require(db, request.incident_id);
    const now = this.deps.clock.now();
    const target = await this.targetLabel(db, request);
    const set = (values: Partial<RequestRow>) => db.updateTable('incident_responder_requests').set({ ...values, updated_at: now }).where('id', '=', request.id).execute();
    const entry = (action: string, summary: string, actor: string | null) => this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'responder', action, actor, summary, data: { requestId: request.id, alertId: change.alertId, alertNumber: alert.number } }], action);
    if (change.status === 'acknowledged') {
      if (request.acknowledged_at !== null) return;
      const by = alert.acknowledged_by ?? 'someone';
      await set({ acknowledged_by: by, acknowledged_at: alert.acknowledged_at ?? now, ...(request.state === 'requested' ? { state: 'acknowledged' } : {}) });
      if (request.state === 'requested') await entry('responder-acknowledged', `${by} acknowledged the page for ${target} (alert #${alert.number})`, by);
      return;
    }
    if (change.status === 'resolved') {
      if (request.closed_at !== null) return;
      await set({ closed_at: now, ...(request.state === 'requested' ? { state: 'cancelled' } : {}) });
      if (request.state === 'requested') await entry('responder-cancelled', `The page for ${target} was closed before anyone acknowledged it (alert #${alert.number} resolved${alert.resolved_by ? ` by ${alert.resolved_by}` : ''})`, alert.resolved_by);
      return;
    }
    // Triggered again (an acknowledgement timed out, or it was reassigned): paging again.
    if (request.state !== 'acknowledged') return;
    await set({ state: 'requested', acknowledged_by: null, acknowledged_at: null });
    await entry('responder-repaged', `Paging ${target} again: alert #${alert.number} triggered again`, null);
  }

  /** The durable job after a resolve: resolves the open request alerts (their hooks then close the requests). */
  async closeRequests(payload: CloseRequestsPayload): Promise<number> {
    const rows = await this.db
      .selectFrom('incident_responder_requests')
      .innerJoin('alerts', 'alerts.id', 'incident_responder_requests.alert_id')
      .innerJoin('incidents', 'incidents.id', 'incident_responder_requests.incident_id')
      .select(['alerts.id as alertId', 'alerts.status as status', 'incidents.number as number'])
      .where('incident_responder_requests.incident_id', '=', payload.incidentId)
      .execute();
    let closed = 0;
    for (const row of rows) {
      if (row.status === 'resolved') continue;
      await this.deps.alerts.act(FIREBREAK, row.alertId, 'resolve', `${reference(Number(row.number))} was resolved`);
      closed++;
    }
    return closed;
  }

  // ---- joining

  /**
   * `POST …/responders/join`: the caller joins the incident. The requests that paged them (or named them)
   * and are not yet joined become `joined`; their pages still ringing are acknowledged as them, so the
   * escalation stops: they are here.
   */
  async join(acting: Acting, ref: string, input: z.output<typeof joinIncidentSchema>): Promise<IncidentRespondersView> {
    const person = this.person(acting);
    const ringing = await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.deps.incidents.require(db, ref);
      const where = reference(Number(incident.number));
      if (incident.status === 'resolved') throw new AppError('RULE_VIOLATION', `${where} is resolved: there is nothing left to join`, { issues: [{ path: 'params.incident', message: 'the incident is resolved' }] });
      const now = this.deps.clock.now();
      const present = await db.selectFrom('incident_participants').selectAll().where('incident_id', '=', incident.id).where('user_id', '=', person.userId).executeTakeFirst();
      if (present && present.left_at === null) return [];
      // Conditional on what was read: of two joins at once (a double click, two tabs) one records it.
      const moved = present
        ? Number((await db.updateTable('incident_participants').set({ joined_at: now, left_at: null }).where('incident_id', '=', incident.id).where('user_id', '=', person.userId).where('left_at', 'is not', null).executeTakeFirst()).numUpdatedRows)
        : Number((await db.insertInto('incident_participants').values({ incident_id: incident.id, user_id: person.userId, joined_at: now, left_at: null }).onConflict((oc) => oc.columns(['incident_id', 'user_id']).doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0n);
      if (moved !== 1) return [];
      const pending = await db.selectFrom('incident_responder_requests').selectAll().where('incident_id', '=', incident.id).where('state', 'in', ['requested', 'acknowledged']).orderBy('created_at').orderBy('id').execute();
      const paged = await pagedBy(db, pending.map((r) => r.alert_id));
      const answered = pending.filter((r) => (r.target_type === 'user' && r.target_id === person.userId) || paged.get(r.alert_id)?.has(person.userId));
      if (answered.length > 0) await db.updateTable('incident_responder_requests').set({ state: 'joined', joined_user_id: person.userId, joined_at: now, updated_at: now }).where('id', 'in', answered.map((r) => r.id)).execute();
      const labels = await Promise.all(answered.map((r) => this.targetLabel(db, r)));
      const answering = labels.length > 0 ? `, answering the page for ${labels.join(', ')}` : '';
      await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'responder', action: 'responder-join', actor: person.label, summary: `${person.label} joined${answering}${input.note ? `: ${input.note}` : ''}`, data: { userId: person.userId, requestIds: answered.map((r) => r.id) } }], 'responder-join');
      await this.audit.record(db, acting.actor, { action: 'incident.responder-join', targetType: 'incident', targetId: incident.id, after: { userId: person.userId, requestIds: answered.map((r) => r.id) } });
      const alerts = answered.length === 0 ? [] : await db.selectFrom('alerts').select(['id']).where('id', 'in', answered.map((r) => r.alert_id)).where('status', '=', 'triggered').execute();
      return alerts.map((a) => a.id);
    });
    // Their pages stop ringing: acknowledged as them, through the alert service (so paging stops the
    // escalation and the hooks record it). After the join committed: a failure here leaves the page
    // ringing, which the person can still acknowledge; it never undoes the join.
    for (const alertId of ringing) {
      await this.deps.alerts.act(acting, alertId, 'acknowledge', `Joined the incident`).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
    }
    return this.list(ref);
  }

  /**
   * `POST …/responders/{request}/decline`: a person the request paged says "not me". The request's
   * escalation moves to its next level at once (the engine's "escalate now", audited on the alert);
   * when nobody is left to page (a person asked for by name, or past the last level) the request is
   * `declined` and its alert resolved, so nothing rings any more.
   */
  async decline(acting: Acting, ref: string, requestId: string, input: z.output<typeof joinIncidentSchema>): Promise<ResponderRequest> {
    const person = this.person(acting);
    const db = this.db;
    const incident = await this.deps.incidents.require(db, ref);
    const where = reference(Number(incident.number));
    const request = await db.selectFrom('incident_responder_requests').selectAll().where('id', '=', requestId).where('incident_id', '=', incident.id).executeTakeFirst();
    if (!request) throw new AppError('NOT_FOUND', `Responder request \`${requestId}\` of ${where} does not exist`);
    const refuse = (message: string) => new AppError('RULE_VIOLATION', `${where}: ${message}`, { issues: [{ path: 'params.request', message }] });
    if (incident.status === 'resolved') throw refuse('the incident is resolved');
    if (request.state !== 'requested') throw refuse(`the request is ${request.state}; only a request still paging can be declined`);
    const paged = (await pagedBy(db, [request.alert_id])).get(request.alert_id);
    if (!paged?.has(person.userId) && !(request.target_type === 'user' && request.target_id === person.userId)) throw refuse(`${person.label} was not paged by this request`);
    const target = await this.targetLabel(db, request);
    // A person asked for by name has nobody after them; a policy moves on to its next level.
    let next: { level: number | null } | null = null;
    if (request.target_type !== 'user') {
      try {
        const before = await db.selectFrom('escalations').select('state_json').where('alert_id', '=', request.alert_id).executeTakeFirst();
        const fired = before ? (JSON.parse(before.state_json) as EscalationState).fired.length : 0;
        const view = await this.deps.paging.escalate(acting, request.alert_id);
        // The step it fired (a later level, or the fallback) reached someone: they are paged now.
        const step = view.steps.length > fired ? view.steps.at(-1) : undefined;
        if (step && step.userIds.length > 0) next = { level: step.level };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
    }
    await this.deps.database.transaction(async (tx) => {
      const row = await this.deps.incidents.require(tx.db, incident.id);
      const now = this.deps.clock.now();
      const note = input.note ? `: ${input.note}` : '';
      if (next) {
        await this.deps.incidents.appendTimeline(tx, row, [{ kind: 'responder', action: 'responder-decline', actor: person.label, summary: `${person.label} declined the page for ${target}${note}; paging ${next.level === null ? 'the fallback' : `level ${next.level}`}`, data: { requestId, userId: person.userId, level: next.level } }], 'responder-decline');
      } else {
        const closed = await tx.db.updateTable('incident_responder_requests').set({ state: 'declined', closed_at: now, updated_at: now }).where('id', '=', requestId).where('state', '=', 'requested').executeTakeFirst();
        if (Number(closed.numUpdatedRows) !== 1) throw refuse('the request changed meanwhile; it is no longer paging');
        await this.deps.incidents.appendTimeline(tx, row, [{ kind: 'responder', action: 'responder-decline', actor: person.label, summary: `${person.label} declined the page for ${target}${note}; nobody is left to page`, data: { requestId, userId: person.userId, level: null } }], 'responder-decline');
      }
      await this.audit.record(tx.db, acting.actor, { action: 'incident.responder-decline', targetType: 'incident', targetId: incident.id, after: { requestId, userId: person.userId, escalatedTo: next?.level ?? null, note: input.note ?? null } });
    });
    // Nothing left to page: the request's alert stops ringing (the request is already closed, so the hook leaves it declined).
    if (!next) await this.deps.alerts.act(acting, request.alert_id, 'resolve', `Declined by ${person.label}`).catch((error: unknown) => {
      if (!(error instanceof AppError)) throw error;
    });
    const [view] = await this.views(db, await db.selectFrom('incident_responder_requests').selectAll().where('id', '=', requestId).execute());
    return view as ResponderRequest;
  }

  /** `POST …/responders/leave`: the caller leaves; 422 when they had not joined. */
  async leave(acting: Acting, ref: string, input: z.output<typeof joinIncidentSchema>): Promise<IncidentRespondersView> {
    const person = this.person(acting);
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.deps.incidents.require(db, ref);
      const present = await db.selectFrom('incident_participants').selectAll().where('incident_id', '=', incident.id).where('user_id', '=', person.userId).executeTakeFirst();
      if (!present || present.left_at !== null) throw new AppError('RULE_VIOLATION', `${person.label} has not joined ${reference(Number(incident.number))}`, { issues: [{ path: 'params.incident', message: 'you have not joined this incident' }] });
      const now = this.deps.clock.now();
      const left = await db.updateTable('incident_participants').set({ left_at: now }).where('incident_id', '=', incident.id).where('user_id', '=', person.userId).where('left_at', 'is', null).executeTakeFirst();
      if (Number(left.numUpdatedRows) !== 1) throw new AppError('RULE_VIOLATION', `${person.label} has already left ${reference(Number(incident.number))}`, { issues: [{ path: 'params.incident', message: 'you have not joined this incident' }] });
      await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'responder', action: 'responder-leave', actor: person.label, summary: `${person.label} left${input.note ? `: ${input.note}` : ''}`, data: { userId: person.userId } }], 'responder-leave');
      await this.audit.record(db, acting.actor, { action: 'incident.responder-leave', targetType: 'incident', targetId: incident.id, before: { userId: person.userId, joinedAt: iso(present.joined_at) } });
    });
    return this.list(ref);
  }

  private person(acting: Acting): { userId: string; label: string } {
    if (!acting.principal) throw new AppError('RULE_VIOLATION', 'Only a person can join or leave an incident');
    return { userId: acting.principal.userId, label: `@${acting.principal.userHandle}` };
  }

  // ---- reading

  /** `GET …/responders`: every request (oldest first) with who it paged and where it stands, and who joined. */
  async list(ref: string): Promise<IncidentRespondersView> {
    const db = this.db;
    const incident = await this.deps.incidents.require(db, ref);
    const rows = await db.selectFrom('incident_responder_requests').selectAll().where('incident_id', '=', incident.id).orderBy('created_at').orderBy('id').execute();
    const people = await db
      .selectFrom('incident_participants')
      .innerJoin('users', 'users.id', 'incident_participants.user_id')
      .select(['incident_participants.user_id', 'incident_participants.joined_at', 'incident_participants.left_at', 'users.handle', 'users.name'])
      .where('incident_participants.incident_id', '=', incident.id)
      .orderBy('incident_participants.joined_at')
      .execute();
    const participants: IncidentParticipant[] = people.map((p) => ({ userId: p.user_id, handle: p.handle, name: p.name, joinedAt: iso(p.joined_at), leftAt: p.left_at === null ? null : iso(p.left_at) }));
    return { requests: await this.views(db, rows, people), participants };
  }

  private async views(db: Kysely<Database>, rows: readonly RequestRow[], participants?: ReadonlyArray<{ user_id: string; joined_at: number; left_at: number | null }>): Promise<ResponderRequest[]> {
    if (rows.length === 0) return [];
    const alertIds = rows.map((r) => r.alert_id);
    const alerts = new Map((await db.selectFrom('alerts').select(['id', 'number', 'status']).where('id', 'in', alertIds).execute()).map((a) => [a.id, a]));
    const escalations = new Map((await db.selectFrom('escalations').select(['alert_id', 'status']).where('alert_id', 'in', alertIds).execute()).map((e) => [e.alert_id, e.status]));
    const paged = await pagedBy(db, alertIds);
    const joined = participants ?? (await db.selectFrom('incident_participants').select(['user_id', 'joined_at', 'left_at']).where('incident_id', '=', rows[0]!.incident_id).execute());
    const userIds = [...new Set([...[...paged.values()].flatMap((m) => [...m.keys()]), ...rows.flatMap((r) => [r.target_type === 'user' ? r.target_id : null, r.joined_user_id]).filter((x): x is string => x !== null)])];
    const users = new Map(userIds.length === 0 ? [] : (await db.selectFrom('users').select(['id', 'handle', 'name']).where('id', 'in', userIds).execute()).map((u) => [u.id, u]));
    const policyIds = [...new Set(rows.flatMap((r) => (r.policy_id ? [r.policy_id] : [])))];
    const policies = new Map(policyIds.length === 0 ? [] : (await db.selectFrom('escalation_policies').select(['id', 'handle', 'name']).where('id', 'in', policyIds).execute()).map((p) => [p.id, p]));
    const teamIds = rows.filter((r) => r.target_type === 'team').map((r) => r.target_id);
    const teams = new Map(teamIds.length === 0 ? [] : (await db.selectFrom('teams').select(['id', 'handle', 'name']).where('id', 'in', teamIds).execute()).map((t) => [t.id, t]));
    return rows.map((r): ResponderRequest => {
      const alert = alerts.get(r.alert_id);
      const targetNamed = r.target_type === 'user' ? users.get(r.target_id) : r.target_type === 'team' ? teams.get(r.target_id) : policies.get(r.target_id);
      const policy = r.policy_id ? policies.get(r.policy_id) : undefined;
      const escalation = escalations.get(r.alert_id);
      const firstPaged = paged.get(r.alert_id) ?? new Map<string, number>();
      const joinedAfter = (userId: string) => joined.some((j) => j.user_id === userId && j.left_at === null && j.joined_at >= r.created_at) || r.joined_user_id === userId;
      const ackedBy = r.acknowledged_by;
      const joiner = r.joined_user_id ? users.get(r.joined_user_id) : undefined;
      return {
        id: r.id,
        incidentId: r.incident_id,
        target: { type: r.target_type as ResponderRequest['target']['type'], id: r.target_id, handle: targetNamed?.handle ?? r.target_id, name: targetNamed?.name ?? r.target_id },
        policy: policy ? { id: policy.id, handle: policy.handle, name: policy.name } : null,
        message: r.message,
        requestedBy: r.requested_by,
        requestedAt: iso(r.created_at),
        state: r.state as ResponderRequestState,
        alert: { id: r.alert_id, number: alert?.number ?? 0, status: (alert?.status ?? 'resolved') as ResponderRequest['alert']['status'] },
        escalation: escalation === undefined ? 'none' : escalation === 'active' ? 'active' : escalation === 'exhausted' ? 'exhausted' : 'stopped',
        acknowledgedBy: ackedBy,
        acknowledgedAt: r.acknowledged_at === null ? null : iso(r.acknowledged_at),
        joinedBy: joiner ? { id: joiner.id, handle: joiner.handle, name: joiner.name } : null,
        joinedAt: r.joined_at === null ? null : iso(r.joined_at),
        closedAt: r.closed_at === null ? null : iso(r.closed_at),
        paged: [...firstPaged.entries()].map(([userId, at]) => {
          const user = users.get(userId);
          const handle = user?.handle ?? userId;
          const state = joinedAfter(userId) ? 'joined' : ackedBy !== null && handleOf(ackedBy) === handle ? 'acknowledged' : 'paged';
          return { userId, handle, name: user?.name ?? userId, firstPagedAt: iso(at), state };
        }),
      };
    });
  }

  private async targetLabel(db: Kysely<Database>, request: RequestRow): Promise<string> {
    if (request.target_type === 'user') return `@${(await db.selectFrom('users').select('handle').where('id', '=', request.target_id).executeTakeFirst())?.handle ?? request.target_id}`;
    const policy = request.policy_id ? await db.selectFrom('escalation_policies').select('name').where('id', '=', request.policy_id).executeTakeFirst() : undefined;
    if (request.target_type === 'policy') return `policy ${policy?.name ?? request.target_id}`;
    const team = await db.selectFrom('teams').select('name').where('id', '=', request.target_id).executeTakeFirst();
    return `team ${team?.name ?? request.target_id}`;
  }

  private warRoomUrl(incident: IncidentRow): string {
    return `${this.deps.publicUrl}/incidents/${reference(Number(incident.number))}`;
  }

  /** The internal service request alerts live on (no policy, so nothing pages by the service itself). Returns its id. */
  private async ensureService(): Promise<string> {
    const { services, database } = this.deps;
    const found = await services.find(database.db, RESPONDERS_SERVICE);
    if (found) return found.id;
    try {
      await services.create(FIREBREAK, serviceInputSchema.parse({ handle: RESPONDERS_SERVICE, name: 'Firebreak incidents', description: 'Internal: responder requests of incidents (“INC-42 needs you”) page people through alerts here, each assigned to the person or policy asked for. It pages nobody by itself.' }));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    }
    return (await services.require(database.db, RESPONDERS_SERVICE)).id;
  }
}

/**
 * Who each alert's escalation paged, with when first: the people its steps reached (the engine's state,
 * whether or not they have a contact method that works) and everyone a page was queued for (earlier
 * rounds of an escalation that restarted, failover). Shadow copies and test pages are not pages.
 */
async function pagedBy(db: Kysely<Database>, alertIds: readonly string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (alertIds.length === 0) return out;
  const add = (alertId: string, userId: string, at: number) => {
    const people = out.get(alertId) ?? new Map<string, number>();
    out.set(alertId, people);
    const known = people.get(userId);
    if (known === undefined || at < known) people.set(userId, at);
  };
  for (const row of await db.selectFrom('escalations').select(['alert_id', 'state_json']).where('alert_id', 'in', [...alertIds]).execute()) {
    for (const step of (JSON.parse(row.state_json) as EscalationState).fired) for (const userId of step.users) add(row.alert_id, userId, step.at);
  }
  for (const page of await db.selectFrom('page_notifications').select(['alert_id', 'user_id', 'created_at']).where('alert_id', 'in', [...alertIds]).where('kind', '=', 'page').where('shadow', '=', 0).where('test', '=', 0).execute()) add(page.alert_id, page.user_id, page.created_at);
  // Oldest first.
  for (const [alertId, people] of out) out.set(alertId, new Map([...people.entries()].sort((a, b) => a[1] - b[1])));
  return out;
}
