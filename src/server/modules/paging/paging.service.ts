import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import { AppError } from '../../../contracts/errors.js';
import type { escalationViewSchema } from '../../../contracts/paging.js';
import type { TimelineEntry } from '../../../core/alerts/alert.js';
import { initialState, step, type EscalationEffect, type EscalationInput, type EscalationSnapshot, type EscalationState, type StepResult } from '../../../core/escalation/engine.js';
import type { EscalationTarget, TargetResolver } from '../../../core/oncall/escalation-preview.js';
import { MINUTE_MS, type Instant } from '../../../core/oncall/time.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, EscalationsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { PagingMetrics } from '../../platform/metrics.js';
import type { AlertChange, AlertHooks } from '../alerts/alert.service.js';
import { alertRepo } from '../alerts/alert.repo.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { Channels } from '../notify/channels/channel.js';
import { defaultRules } from '../notify/default-rules.js';
import { notifyRepo } from '../notify/notify.repo.js';
import type { NotifyService } from '../notify/notify.service.js';
import { policyDefinition, type EscalationService } from '../oncall/escalation.service.js';
import type { PolicyRow } from '../oncall/oncall.repo.js';
import { DELIVER_PAGE_TASK, deliverJobKey, PAGE_MAX_ATTEMPTS, type DeliverPayload } from './page-delivery.js';

export const ESCALATION_STEP_TASK = 'escalation.step';
/** Exactly one pending step timer per alert: a new step's timer replaces the previous one (keyed job). */
export const stepJobKey = (alertId: string) => `${ESCALATION_STEP_TASK}:${alertId}`;
/** How long a page to a person assigned directly waits for an acknowledgement before it is exhausted. */
export const DIRECT_ASSIGNMENT_DELAY_MINUTES = 30;

export interface StepPayload {
  alertId: string;
  /** The fencing token the timer was set for. */
  generation: number;
}

export type EscalationView = z.infer<typeof escalationViewSchema>;
type EscalationRow = EscalationsTable;

export interface PagingDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  jobs: JobScheduler;
  policies: EscalationService;
  notify: NotifyService;
  catalog: CatalogService;
  channels: Channels;
  /** Links in pages point here. */
  publicUrl: string;
  /** Steps and deliveries are counted here when given (the composition root passes `metrics.paging`). */
  metrics?: PagingMetrics;
}

/** What the auditor repaired (`repairIn`): a lost or stale step timer, or an escalation that never started. */
export interface EscalationRepair {
  kind: 'timer' | 'started';
  /** How long the escalation was late: past its next step (timer), or since the alert triggered (started). */
  stuckMs: number;
  /** When the next step now runs. */
  nextAt: number | null;
}

/** A step committed over a state another transaction had already changed: roll back, change nothing. */
class StaleStep extends Error {}

const FIREBREAK = 'Firebreak';
const channelName = (type: string) => contactMethodTypeNames[type as ContactMethodType] ?? type;
const levelLabel = (level: number | null, round: number) => (level === null ? 'fallback' : `level ${level}${round > 0 ? `, repeat ${round}` : ''}`);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Paging: the escalation engine applied to alerts, and page delivery (docs/paging.md, ADR 0022).
 *
 * `hooks` runs inside every alert change's transaction: a change that should page starts (or restarts)
 * the alert's escalation; acknowledge and resolve stop it. Each step (`core/escalation/engine.ts`)
 * commits in one transaction with its outbox rows (`page_notifications`, one per person, step and
 * contact method, with an idempotency key) and the one keyed timer for the next step. Delivery jobs send
 * each row through its channel at least once, recording every attempt on the alert's timeline.
 */
export class PagingService {
  constructor(private readonly deps: PagingDeps) {}

  readonly hooks: AlertHooks = { afterChange: (tx, change) => this.onAlertChange(tx, change) };

  private get db() {
    return this.deps.database.db;
  }

  // ---- alert changes (inside the change's transaction)

  async onAlertChange(tx: Tx, change: AlertChange): Promise<void> {
    if (change.status === 'acknowledged' || change.status === 'resolved') {
      await this.stop(tx, change.alertId, change.status === 'acknowledged' ? { type: 'acknowledge' } : { type: 'resolve' });
      if (change.status === 'resolved') await this.queueResolvedNotices(tx, change.alertId);
      return;
    }
    const pages = change.notify && change.status === 'triggered' && change.urgency === 'high' && !change.suppressedBy && (change.deliverAt ?? null) === null;
    if (pages) await this.start(tx, change.alertId);
  }

  /** Snapshots the alert's policy (or assignee) and runs the first step, in the caller's transaction. */
  private async start(tx: Tx, alertId: string): Promise<void> {
    const db = tx.db;
    const alert = await alertRepo.find(db, alertId);
    if (!alert) return;
    const now = this.deps.clock.now() as Instant;
    const snapshot = await this.snapshotFor(db, alert.service_id, alert.assignee_json);
    // No policy: nobody to page. The escalation view answers `none`; the timeline stays as it was, so
    // alerts of services that never page read exactly as before paging existed.
    if (snapshot === null) return;
    const previous = await db.selectFrom('escalations').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
    // A restart (reassign, snooze ended, reopened) continues the fencing token, so the previous
    // escalation's timers stay stale.
    const generation = previous ? previous.generation + 1 : 0;
    const state = initialState(now, generation);
    const row: EscalationRow = { alert_id: alertId, status: 'active', generation, snapshot_json: JSON.stringify(snapshot), state_json: JSON.stringify(state), next_at: now, started_at: now, updated_at: now };
    if (previous) {
      await db.updateTable('escalations').set(row).where('alert_id', '=', alertId).execute();
    } else {
      await db.insertInto('escalations').values(row).execute();
    }
    await this.timeline(db, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation started: ${snapshot.source.kind === 'user' ? `assigned to ${snapshot.source.name}` : `policy ${snapshot.source.name}`}`, data: { source: snapshot.source } }]);
    await this.advance(tx, alertId, snapshot, state, now, { type: 'timer', generation });
  }

  /** Acknowledge or resolve: the state moves on, so the pending timer is a no-op; it is removed too. */
  private async stop(tx: Tx, alertId: string, input: EscalationInput): Promise<void> {
    // A timer step on another node may commit between our read and our write (PostgreSQL, read
    // committed); the fenced write then matches nothing and we read again rather than fail the change.
    for (let tries = 0; ; tries++) {
      const row = await tx.db.selectFrom('escalations').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
      if (!row || row.status !== 'active') return;
      const now = this.deps.clock.now() as Instant;
      try {
        await this.advance(tx, alertId, JSON.parse(row.snapshot_json) as EscalationSnapshot, JSON.parse(row.state_json) as EscalationState, now, input);
        return;
      } catch (error) {
        if (!(error instanceof StaleStep) || tries >= 3) throw error;
      }
    }
  }

  /** The timer job: one step, fenced by the generation it was set for. Returns what happened, for the log. */
  async runStep(payload: StepPayload): Promise<'stepped' | 'stale' | 'stopped'> {
    try {
      return await this.deps.database.transaction(async (tx) => {
        const row = await tx.db.selectFrom('escalations').selectAll().where('alert_id', '=', payload.alertId).executeTakeFirst();
        if (!row || row.status !== 'active' || row.generation !== payload.generation) {
          tx.afterCommit(() => this.deps.metrics?.escalationSteps.inc({ outcome: 'stale' }));
          return 'stale';
        }
        const alert = await alertRepo.find(tx.db, payload.alertId);
        const snapshot = JSON.parse(row.snapshot_json) as EscalationSnapshot;
        const state = JSON.parse(row.state_json) as EscalationState;
        const now = this.deps.clock.now() as Instant;
        if (!alert || alert.status !== 'triggered') {
          // The change that stopped it should have stopped the escalation too; stop it now.
          await this.advance(tx, payload.alertId, snapshot, state, now, { type: alert?.status === 'acknowledged' ? 'acknowledge' : 'resolve' });
          return 'stopped';
        }
        await this.advance(tx, payload.alertId, snapshot, state, now, { type: 'timer', generation: payload.generation });
        return 'stepped';
      });
    } catch (error) {
      if (error instanceof StaleStep) {
        this.deps.metrics?.escalationSteps.inc({ outcome: 'stale' });
        return 'stale';
      }
      throw error;
    }
  }

  /** Runs the engine and applies its result: state, outbox rows, timeline and the next timer, all in `tx`. */
  private async advance(tx: Tx, alertId: string, snapshot: EscalationSnapshot, state: EscalationState, now: Instant, input: EscalationInput): Promise<StepResult> {
    const db = tx.db;
    // Only a timer fires levels; acknowledge and resolve (on the hot path of every alert change) need
    // no schedule lookups.
    const resolve: TargetResolver = input.type === 'timer' ? await this.deps.policies.resolver(db, targetsOf(snapshot), now, 0) : () => [];
    const result = step(snapshot, state, now, input, resolve);
    if (result.state === state) return result;
    const updated = await db
      .updateTable('escalations')
      .set({ status: result.state.status, generation: result.state.generation, state_json: JSON.stringify(result.state), next_at: result.wakeAt, updated_at: now })
      .where('alert_id', '=', alertId)
      .where('generation', '=', state.generation)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new StaleStep(`Escalation of alert ${alertId} moved on`);
    const outcome = input.type !== 'timer' ? 'stopped' : result.state.status === 'exhausted' ? 'exhausted' : state.fired.length === 0 ? 'started' : 'escalated';
    tx.afterCommit(() => this.deps.metrics?.escalationSteps.inc({ outcome }));

    const entries: TimelineEntry[] = [];
    const newSteps = result.state.fired.slice(state.fired.length);
    for (const fired of newSteps) {
      if (fired.users.length === 0) entries.push({ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation ${levelLabel(fired.level, fired.round)} reached nobody${fired.skipped ? ' (skipped)' : ''}`, data: { level: fired.level, round: fired.round } });
    }
    if (entries.length > 0) await this.timeline(db, alertId, now, entries);
    for (const effect of result.effects) {
      if (effect.type === 'notify') await this.queuePages(tx, alertId, effect, now);
      else await this.timeline(db, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: 'Escalation exhausted: every level was paged and nobody acknowledged', data: null }]);
    }
    if (input.type !== 'timer') {
      await this.timeline(db, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation stopped: ${input.type === 'acknowledge' ? 'acknowledged' : 'resolved'}`, data: null }]);
      // Later rules' pages (an SMS after a minute) are not sent once someone answered.
      await db.updateTable('page_notifications').set({ status: 'cancelled', updated_at: now }).where('alert_id', '=', alertId).where('status', '=', 'pending').where('attempts', '=', 0).execute();
    }
    if (result.wakeAt !== null) {
      await this.deps.jobs.addJob<StepPayload>(tx, { task: ESCALATION_STEP_TASK, key: stepJobKey(alertId), runAt: result.wakeAt, payload: { alertId, generation: result.state.generation } });
    } else {
      await this.deps.jobs.removeJob(tx, stepJobKey(alertId));
    }
    return result;
  }

  /** One outbox row and delivery job per rule of the person's high-urgency notification rules. */
  private async queuePages(tx: Tx, alertId: string, effect: Extract<EscalationEffect, { type: 'notify' }>, now: number): Promise<void> {
    const db = tx.db;
    const user = await db.selectFrom('users').select(['id', 'handle', 'deactivated_at']).where('id', '=', effect.userId).executeTakeFirst();
    if (!user || user.deactivated_at !== null) return;
    const rules = await this.highUrgencyRules(db, user.id);
    const label = levelLabel(effect.level, effect.round);
    if (rules.length === 0) {
      await this.timeline(db, alertId, now, [{ kind: 'event', action: 'page', actor: FIREBREAK, summary: `Could not page @${user.handle} (${label}): no verified contact method in their high-urgency notification rules`, data: { userId: user.id, level: effect.level, round: effect.round } }]);
      return;
    }
    const entries: TimelineEntry[] = [];
    for (const rule of rules) {
      const id = this.deps.ids();
      const dueAt = now + rule.delayMinutes * MINUTE_MS;
      const inserted = await db
        .insertInto('page_notifications')
        .values({
          id,
          kind: 'page',
          alert_id: alertId,
          // One page per person, step and contact method: a step that runs twice cannot page twice.
          idempotency_key: `page:${alertId}:${effect.generation}:${user.id}:${rule.contactMethodId}`,
          user_id: user.id,
          contact_method_id: rule.contactMethodId,
          channel: rule.type,
          address: rule.address,
          level: effect.level,
          round: effect.round,
          generation: effect.generation,
          status: 'pending',
          due_at: dueAt,
          attempts: 0,
          last_error: null,
          provider_message_id: null,
          provider: null,
          delivery_status: null,
          delivered_at: null,
          sent_at: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) continue;
      await this.deps.jobs.addJob<DeliverPayload>(tx, { task: DELIVER_PAGE_TASK, key: deliverJobKey(id), runAt: dueAt, payload: { notificationId: id }, maxAttempts: PAGE_MAX_ATTEMPTS });
      const how = channelName(rule.type).toLowerCase();
      entries.push({
        kind: 'event',
        action: 'page',
        actor: FIREBREAK,
        summary: rule.delayMinutes === 0 ? `Paged @${user.handle} by ${how} (${label})` : `Paging @${user.handle} by ${how} in ${rule.delayMinutes} min unless acknowledged (${label})`,
        data: { notificationId: id, userId: user.id, channel: rule.type, level: effect.level, round: effect.round, dueAt },
      });
    }
    await this.timeline(db, alertId, now, entries);
  }

  /**
   * "Resolved" notices (ADR 0023): one email to each person a page reached (status `sent`), through the
   * same outbox and delivery jobs as pages, keyed per alert and person so they hear it once. The email
   * goes to the address their last email page went to, else their first verified email method.
   */
  private async queueResolvedNotices(tx: Tx, alertId: string): Promise<void> {
    const db = tx.db;
    const reached = await db.selectFrom('page_notifications').select(['user_id', 'channel', 'contact_method_id', 'level', 'round', 'generation']).where('alert_id', '=', alertId).where('kind', '=', 'page').where('status', '=', 'sent').orderBy('sent_at', 'desc').execute();
    if (reached.length === 0) return;
    const now = this.deps.clock.now();
    const entries: TimelineEntry[] = [];
    for (const userId of [...new Set(reached.map((r) => r.user_id))]) {
      const pages = reached.filter((r) => r.user_id === userId);
      const methods = (await notifyRepo.listMethods(db, userId)).filter((m) => m.type === 'email' && m.verified_at !== null);
      const method = methods.find((m) => pages.some((p) => p.channel === 'email' && p.contact_method_id === m.id)) ?? methods[0];
      if (!method) continue;
      const id = this.deps.ids();
      const inserted = await db
        .insertInto('page_notifications')
        .values({ id, kind: 'resolved', alert_id: alertId, idempotency_key: `resolved:${alertId}:${userId}`, user_id: userId, contact_method_id: method.id, channel: 'email', address: method.address, level: pages[0]!.level, round: pages[0]!.round, generation: pages[0]!.generation, status: 'pending', due_at: now, attempts: 0, last_error: null, provider_message_id: null, provider: null, delivery_status: null, delivered_at: null, sent_at: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) continue;
      await this.deps.jobs.addJob<DeliverPayload>(tx, { task: DELIVER_PAGE_TASK, key: deliverJobKey(id), runAt: now, payload: { notificationId: id }, maxAttempts: PAGE_MAX_ATTEMPTS });
      const handle = (await db.selectFrom('users').select(['handle']).where('id', '=', userId).executeTakeFirst())?.handle ?? userId;
      entries.push({ kind: 'event', action: 'page', actor: FIREBREAK, summary: `Sending @${handle} a resolved notice by email`, data: { notificationId: id, userId, channel: 'email', kind: 'resolved' } });
    }
    await this.timeline(db, alertId, now, entries);
  }

  /** The person's high-urgency rules on verified methods; their default rules when they set none. */
  private async highUrgencyRules(db: Kysely<Database>, userId: string): Promise<Array<{ delayMinutes: number; contactMethodId: string; type: string; address: string }>> {
    const stored = (await notifyRepo.listRules(db, userId)).filter((r) => r.urgency === 'high');
    const seen = new Set<string>();
    const pick = (list: Array<{ delayMinutes: number; contactMethodId: string; type: string; address: string }>) => list.filter((r) => (seen.has(r.contactMethodId) ? false : (seen.add(r.contactMethodId), true)));
    if (stored.length > 0) {
      return pick(stored.filter((r) => r.verified_at !== null).map((r) => ({ delayMinutes: r.delay_minutes, contactMethodId: r.contact_method_id, type: r.type, address: r.address })));
    }
    const methods = (await notifyRepo.listMethods(db, userId)).filter((m) => m.verified_at !== null);
    const byId = new Map(methods.map((m) => [m.id, m]));
    return pick(
      defaultRules(methods.map((m) => ({ id: m.id, type: m.type as ContactMethodType }))).high.map((r) => {
        const m = byId.get(r.contactMethodId)!;
        return { delayMinutes: r.delayMinutes, contactMethodId: m.id, type: m.type, address: m.address };
      }),
    );
  }

  /** Who the escalation follows: the alert's assignee (a person or a policy), else its service's policy. */
  private async snapshotFor(db: Kysely<Database>, serviceId: string, assigneeJson: string | null): Promise<EscalationSnapshot | null> {
    const assignee = assigneeJson === null ? null : (JSON.parse(assigneeJson) as { kind: 'user' | 'escalationPolicy'; id: string; label: string });
    if (assignee?.kind === 'user') {
      return {
        source: { kind: 'user', id: assignee.id, name: assignee.label },
        levels: [{ delayMinutes: DIRECT_ASSIGNMENT_DELAY_MINUTES, targets: [{ type: 'user', id: assignee.id }] }],
        repeat: 0,
        fallback: null,
        skipEmptyLevels: true,
      };
    }
    let policyId = assignee?.kind === 'escalationPolicy' ? assignee.id : null;
    if (policyId === null) {
      const service = await db.selectFrom('services').select(['escalation_policy_id']).where('id', '=', serviceId).executeTakeFirst();
      policyId = service?.escalation_policy_id ?? null;
    }
    if (policyId === null) return null;
    const policy = (await db.selectFrom('escalation_policies').selectAll().where('id', '=', policyId).executeTakeFirst()) as PolicyRow | undefined;
    if (!policy) return null;
    return { source: { kind: 'policy', id: policy.id, name: policy.name }, ...policyDefinition(policy) };
  }

  // ---- the auditor (auditor.ts)

  /**
   * Repairs one alert's escalation if it is stuck, in the caller's transaction, with the engine's own
   * pieces: an active escalation whose keyed step timer is missing, failed or set for another generation
   * gets its timer back at the state's own next step (due now when that is past: never earlier than the
   * policy says); a paging alert with no escalation at all is started as the trigger would have. The
   * repair is written on the alert's timeline. Null when nothing is stuck (any more: a step that
   * committed meanwhile wins, through the same generation fence as every step).
   */
  async repairIn(tx: Tx, alertId: string): Promise<EscalationRepair | null> {
    const db = tx.db;
    const now = this.deps.clock.now() as Instant;
    const alert = await alertRepo.find(db, alertId);
    if (!alert || alert.status !== 'triggered' || alert.urgency !== 'high' || alert.suppressed_json !== null || alert.deliver_at !== null) return null;
    const row = await db.selectFrom('escalations').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
    let repair: EscalationRepair;
    if (!row) {
      await this.start(tx, alertId);
      const started = await db.selectFrom('escalations').select(['next_at']).where('alert_id', '=', alertId).executeTakeFirst();
      if (!started) return null; // no policy (any more): nobody to page
      repair = { kind: 'started', stuckMs: Math.max(0, now - alert.created_at), nextAt: started.next_at };
    } else {
      if (row.status !== 'active') return null;
      // Fence first: on PostgreSQL this waits for a step committing right now and then matches nothing;
      // once it matched, no step can commit under us until this transaction ends.
      const fenced = await db.updateTable('escalations').set({ updated_at: now }).where('alert_id', '=', alertId).where('status', '=', 'active').where('generation', '=', row.generation).executeTakeFirst();
      if (Number(fenced.numUpdatedRows) !== 1) return null;
      const job = await db.selectFrom('jobs').select(['payload', 'failed_at']).where('job_key', '=', stepJobKey(alertId)).executeTakeFirst();
      if (job && job.failed_at === null && timerGeneration(job.payload) === row.generation) return null;
      const state = JSON.parse(row.state_json) as EscalationState;
      const nextAt = Math.max(now, state.nextAt ?? now);
      await this.deps.jobs.addJob<StepPayload>(tx, { task: ESCALATION_STEP_TASK, key: stepJobKey(alertId), runAt: nextAt, payload: { alertId, generation: row.generation } });
      repair = { kind: 'timer', stuckMs: Math.max(0, now - (state.nextAt ?? now)), nextAt };
    }
    const seconds = Math.round(repair.stuckMs / 1000);
    const summary =
      repair.kind === 'started'
        ? `Escalation was stuck for ${seconds} s (it never started); repaired by the auditor`
        : repair.stuckMs > 0
          ? `Escalation was stuck for ${seconds} s (its next-step timer was lost); repaired by the auditor`
          : `Escalation's next-step timer was lost; repaired by the auditor before it was due (${iso(repair.nextAt!)})`;
    await this.timeline(db, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary, data: { repair: repair.kind, stuckMs: repair.stuckMs, nextAt: repair.nextAt } }]);
    return repair;
  }

  /** Escalations running now (`firebreak_escalations_active`). */
  async countActive(): Promise<number> {
    const row = await this.db.selectFrom('escalations').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // ---- reading

  /** The alert's escalation: state, the snapshot's levels, who was notified and the next step. */
  async view(ref: string): Promise<EscalationView> {
    const db = this.db;
    const alert = await alertRepo.find(db, ref);
    if (!alert) throw new AppError('NOT_FOUND', `Alert \`${ref}\` does not exist`);
    const row = await db.selectFrom('escalations').selectAll().where('alert_id', '=', alert.id).executeTakeFirst();
    const notifications = await db.selectFrom('page_notifications').selectAll().where('alert_id', '=', alert.id).orderBy('created_at').orderBy('id').execute();
    if (!row) {
      return { alertId: alert.id, status: 'none', source: null, startedAt: null, nextStepAt: null, repeat: 0, levels: [], fallback: null, steps: [], notifications: [], users: {} };
    }
    const snapshot = JSON.parse(row.snapshot_json) as EscalationSnapshot;
    const state = JSON.parse(row.state_json) as EscalationState;
    const names = await this.targetNames(db, [...targetsOf(snapshot), ...state.fired.flatMap((f) => f.users.map((id): EscalationTarget => ({ type: 'user', id }))), ...notifications.map((n): EscalationTarget => ({ type: 'user', id: n.user_id }))]);
    const target = (t: EscalationTarget) => ({ type: t.type, id: t.id, name: names.get(`${t.type}:${t.id}`)?.name ?? t.id, handle: names.get(`${t.type}:${t.id}`)?.handle ?? t.id });
    const users: Record<string, { handle: string; name: string }> = {};
    for (const [key, value] of names) if (key.startsWith('user:')) users[key.slice(5)] = value;
    return {
      alertId: alert.id,
      status: row.status as EscalationView['status'],
      source: snapshot.source,
      startedAt: iso(row.started_at),
      nextStepAt: row.next_at === null || row.status !== 'active' ? null : iso(row.next_at),
      repeat: snapshot.repeat,
      levels: snapshot.levels.map((l, i) => ({ level: i + 1, delayMinutes: l.delayMinutes, targets: l.targets.map(target) })),
      fallback: snapshot.fallback === null ? null : target(snapshot.fallback),
      steps: state.fired.map((f) => ({ level: f.level, round: f.round, at: iso(f.at), skipped: f.skipped, userIds: f.users })),
      notifications: notifications.map((n) => ({
        id: n.id,
        kind: n.kind as 'page' | 'resolved',
        userId: n.user_id,
        channel: n.channel as ContactMethodType,
        address: n.address,
        level: n.level,
        round: n.round,
        status: n.status as EscalationView['notifications'][number]['status'],
        dueAt: iso(n.due_at),
        attempts: n.attempts,
        lastError: n.last_error,
        sentAt: n.sent_at === null ? null : iso(n.sent_at),
      })),
      users,
    };
  }

  private async targetNames(db: Kysely<Database>, targets: readonly EscalationTarget[]): Promise<Map<string, { handle: string; name: string }>> {
    const out = new Map<string, { handle: string; name: string }>();
    const ids = (type: EscalationTarget['type']) => [...new Set(targets.filter((t) => t.type === type).map((t) => t.id))];
    const users = ids('user');
    const schedules = ids('schedule');
    const teams = ids('team');
    if (users.length > 0) for (const r of await db.selectFrom('users').select(['id', 'handle', 'name']).where('id', 'in', users).execute()) out.set(`user:${r.id}`, r);
    if (schedules.length > 0) for (const r of await db.selectFrom('schedules').select(['id', 'handle', 'name']).where('id', 'in', schedules).execute()) out.set(`schedule:${r.id}`, r);
    if (teams.length > 0) for (const r of await db.selectFrom('teams').select(['id', 'handle', 'name']).where('id', 'in', teams).execute()) out.set(`team:${r.id}`, r);
    return out;
  }

  private async timeline(db: Kysely<Database>, alertId: string, at: number, entries: readonly TimelineEntry[]): Promise<void> {
    await alertRepo.insertTimeline(db, this.deps.ids, alertId, at, entries);
  }
}

/** The generation a stored step timer was set for; null when its payload is unreadable. */
export function timerGeneration(payload: string): number | null {
  try {
    const parsed = JSON.parse(payload) as Partial<StepPayload> | null;
    return typeof parsed?.generation === 'number' ? parsed.generation : null;
  } catch {
    return null;
  }
}

function targetsOf(snapshot: EscalationSnapshot): EscalationTarget[] {
  return [...snapshot.levels.flatMap((l) => l.targets), ...(snapshot.fallback ? [snapshot.fallback] : [])];
}
