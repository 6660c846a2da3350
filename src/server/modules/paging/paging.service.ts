import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import { AppError } from '../../../contracts/errors.js';
import type { addRespondersSchema, escalationViewSchema } from '../../../contracts/paging.js';
import type { TimelineEntry } from '../../../core/alerts/alert.js';
import { initialState, step, type EscalationEffect, type EscalationInput, type EscalationSnapshot, type EscalationState, type StepResult } from '../../../core/escalation/engine.js';
import { resolveTargets, type EscalationTarget, type TargetResolver } from '../../../core/oncall/escalation-preview.js';
import { MINUTE_MS, type Instant } from '../../../core/oncall/time.js';
import type { Clock } from '../../platform/clock.js';
import { columnParams, type FirebreakDatabase, type Tx, type Values } from '../../platform/db/database.js';
import type { Database, EscalationsTable, PageNotificationsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { PagingMetrics } from '../../platform/metrics.js';
import type { AlertChange, AlertHooks, AlertService } from '../alerts/alert.service.js';
import { alertRepo, type AlertRow } from '../alerts/alert.repo.js';
import { AuditLog } from '../audit/audit.repo.js';
import type { Acting, CatalogService } from '../catalog/catalog.service.js';
import type { Channels } from '../notify/channels/channel.js';
import { defaultRules } from '../notify/default-rules.js';
import { notifyRepo, type ContactMethodRow } from '../notify/notify.repo.js';
import type { NotifyService } from '../notify/notify.service.js';
import { policyDefinition, type EscalationService } from '../oncall/escalation.service.js';
import { assertCanManage } from '../oncall/oncall.access.js';
import { definitionOf, oncallRepo, type PolicyRow } from '../oncall/oncall.repo.js';
import { shadowsAt } from '../../../core/oncall/final-schedule.js';
import { queuePage } from './outbox.js';
import type { PageDelivery } from './page-delivery.js';
import { policySettingsRepo } from './policy-settings.js';

export const ESCALATION_STEP_TASK = 'escalation.step';
/** Exactly one pending step timer per alert: a new step's timer replaces the previous one (keyed job). */
export const stepJobKey = (alertId: string) => `${ESCALATION_STEP_TASK}:${alertId}`;
/** How long a page to a person assigned directly waits for an acknowledgement before it is exhausted. */
export const DIRECT_ASSIGNMENT_DELAY_MINUTES = 30;

export const ACK_TIMEOUT_TASK = 'escalation.ack-timeout';
/** At most one pending acknowledgement timeout per alert: set on acknowledge, removed on resolve. */
export const ackTimeoutJobKey = (alertId: string) => `${ACK_TIMEOUT_TASK}:${alertId}`;
/** Responder pages are outside the escalation's steps: their rows carry this generation. */
export const RESPONDER_GENERATION = -1;

export const TEST_PAGE_END_TASK = 'paging.test-page-end';
/** One pending end per self-test alert: due 30 min after it is sent, or at once when it is acknowledged. */
export const testPageEndJobKey = (alertId: string) => `${TEST_PAGE_END_TASK}:${alertId}`;

export interface AckTimeoutPayload {
  alertId: string;
  /** The escalation's generation when the alert was acknowledged: any later change makes this stale. */
  generation: number;
  minutes: number;
}

export type AddRespondersInput = z.output<typeof addRespondersSchema>;

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
  /** Claims a page's first attempt in the transaction that queues it (`PageDelivery.claimFirstAttempt`). */
  delivery?: Pick<PageDelivery, 'claimFirstAttempt'>;
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
/** How a person reads on the timeline: `@ana` (also for their API tokens). */
const actorName = (acting: Acting) => (acting.principal ? `@${acting.principal.userHandle}` : acting.actor.label);

/**
 * Paging: the escalation engine applied to alerts, and page delivery (docs/paging.md, ADR 0022).
 *
 * `hooks` runs inside every alert change's transaction: a change that should page starts (or restarts)
 * the alert's escalation; acknowledge and resolve stop it. Each step (`core/escalation/engine.ts`)
 * commits in one transaction with its outbox rows (`page_notifications`, one per person, step and
 * contact method, with an idempotency key) and the one keyed timer for the next step. Delivery jobs send
 * each row through its channel at least once, recording every attempt on the alert's timeline.
 *
 * People act on an escalation too: "escalate now" (an engine input, fenced like a timer), "add
 * responders" (pages outside the levels), and an acknowledgement timeout per policy (a keyed job set on
 * acknowledge, removed on resolve, fenced by the generation). Shadows of a paged schedule get copies,
 * and test pages walk the same outbox (test-page.ts).
 */
export class PagingService {
  private readonly audit: AuditLog;

  constructor(private readonly deps: PagingDeps) {
    this.audit = new AuditLog(deps.ids, () => deps.clock.now());
  }

  readonly hooks: AlertHooks = { afterChange: (tx, change) => this.onAlertChange(tx, change) };

  private get db() {
    return this.deps.database.db;
  }

  // ---- alert changes (inside the change's transaction)

  async onAlertChange(tx: Tx, change: AlertChange): Promise<void> {
    if (change.status === 'acknowledged' || change.status === 'resolved') {
      await this.stop(tx, change.alertId, change.status === 'acknowledged' ? { type: 'acknowledge' } : { type: 'resolve' });
      if (change.status === 'resolved') {
        await this.deps.jobs.removeJob(tx, ackTimeoutJobKey(change.alertId));
        await this.queueResolvedNotices(tx, change.alertId);
      } else {
        await this.setAckTimeout(tx, change.alertId);
        // A test page answered: the self-test alert resolves itself now (test-page.ts).
        const test = await tx.db.selectFrom('page_notifications').select(['id']).where('alert_id', '=', change.alertId).where('test', '=', 1).limit(1).executeTakeFirst();
        if (test) await this.deps.jobs.addJob(tx, { task: TEST_PAGE_END_TASK, key: testPageEndJobKey(change.alertId), runAt: this.deps.clock.now(), payload: { alertId: change.alertId } });
      }
      return;
    }
    const pages = change.notify && change.status === 'triggered' && change.urgency === 'high' && !change.suppressedBy && (change.deliverAt ?? null) === null;
    if (pages) await this.start(tx, change.alertId, change.row);
  }

  /**
   * Snapshots the alert's policy (or assignee) and runs the first step, in the caller's transaction.
   * `stored`: the alert as the change left it, when the caller has it (intake does), saving a read.
   */
  private async start(tx: Tx, alertId: string, stored?: AlertRow): Promise<void> {
    const db = tx.db;
    const alert = stored ?? (await alertRepo.find(db, alertId));
    if (!alert) return;
    const now = this.deps.clock.now() as Instant;
    const snapshot = await this.snapshotFor(tx, alert.service_id, alert.assignee_json);
    // A drill (drill.ts) walks the real escalation, its pages marked as tests everywhere.
    if (snapshot !== null && isTestAlert(alert.labels_json)) snapshot.test = true;
    // No policy: nobody to page. The escalation view answers `none`; the timeline stays as it was, so
    // alerts of services that never page read exactly as before paging existed.
    if (snapshot === null) return;
    const [previous] = await this.hot<EscalationRow>(tx, 'escalations.byAlert', (q, p) => q.selectFrom('escalations').selectAll().where('alert_id', '=', p('alert')), { alert: alertId });
    // A restart (reassign, snooze ended, reopened) continues the fencing token, so the previous
    // escalation's timers stay stale.
    const generation = previous ? previous.generation + 1 : 0;
    const state = initialState(now, generation);
    // Triggered again: a pending acknowledgement timeout has nothing left to time (and is stale anyway).
    if (previous) await this.deps.jobs.removeJob(tx, ackTimeoutJobKey(alertId));
    const row: EscalationRow = { alert_id: alertId, status: 'active', generation, snapshot_json: JSON.stringify(snapshot), state_json: JSON.stringify(state), next_at: now, started_at: now, updated_at: now };
    if (previous) {
      await db.updateTable('escalations').set(row).where('alert_id', '=', alertId).execute();
    } else {
      await this.hot(tx, 'escalations.insert', (q, p) => q.insertInto('escalations').values(columnParams(row, p)), row as unknown as Record<string, unknown>);
    }
    await this.timeline(tx, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation started: ${snapshot.source.kind === 'user' ? `assigned to ${snapshot.source.name}` : `policy ${snapshot.source.name}`}`, data: { source: snapshot.source } }]);
    await this.advance(tx, alertId, snapshot, state, now, { type: 'timer', generation }, undefined, alert);
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

  /**
   * The timer job: one step, fenced by the generation it was set for. Returns what happened, for the log.
   * `completeIn` (the job runner's) records the timer job as done in the step's own transaction.
   */
  async runStep(payload: StepPayload, completeIn?: (tx: Tx) => Promise<void>): Promise<'stepped' | 'stale' | 'stopped'> {
    try {
      return await this.deps.database.transaction(async (tx) => {
        const row = await tx.db.selectFrom('escalations').selectAll().where('alert_id', '=', payload.alertId).executeTakeFirst();
        if (!row || row.status !== 'active' || row.generation !== payload.generation) {
          tx.afterCommit(() => this.deps.metrics?.escalationSteps.inc({ outcome: 'stale' }));
          await completeIn?.(tx);
          return 'stale';
        }
        const alert = await alertRepo.find(tx.db, payload.alertId);
        const snapshot = JSON.parse(row.snapshot_json) as EscalationSnapshot;
        const state = JSON.parse(row.state_json) as EscalationState;
        const now = this.deps.clock.now() as Instant;
        if (!alert || alert.status !== 'triggered') {
          // The change that stopped it should have stopped the escalation too; stop it now.
          await this.advance(tx, payload.alertId, snapshot, state, now, { type: alert?.status === 'acknowledged' ? 'acknowledge' : 'resolve' });
          await completeIn?.(tx);
          return 'stopped';
        }
        await this.advance(tx, payload.alertId, snapshot, state, now, { type: 'timer', generation: payload.generation }, undefined, alert);
        await completeIn?.(tx);
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

  /**
   * Runs the engine and applies its result: state, outbox rows, timeline and the next timer, all in `tx`.
   * With the alert's row (`alert`), pages due now are claimed for delivery in `tx` too.
   */
  private async advance(tx: Tx, alertId: string, snapshot: EscalationSnapshot, state: EscalationState, now: Instant, input: EscalationInput, by?: string, alert?: AlertRow): Promise<StepResult> {
    const db = tx.db;
    // Only a timer fires levels; acknowledge and resolve (on the hot path of every alert change) need
    // no schedule lookups.
    const resolve: TargetResolver = input.type === 'timer' || input.type === 'escalate' ? await this.deps.policies.resolver(tx, targetsOf(snapshot), now, 0) : () => [];
    const result = step(snapshot, state, now, input, resolve);
    if (result.state === state) return result;
    const updated = await this.deps.database.run(
      this.deps.database.precompiled('escalations.advance', (q, p) =>
        q.updateTable('escalations').set({ status: p('status'), generation: p('generation'), state_json: p('state'), next_at: p('next'), updated_at: p('now') }).where('alert_id', '=', p('alert')).where('generation', '=', p('was')),
      ),
      { status: result.state.status, generation: result.state.generation, state: JSON.stringify(result.state), next: result.wakeAt, now, alert: alertId, was: state.generation },
      tx,
    );
    if (updated.numAffectedRows !== 1) throw new StaleStep(`Escalation of alert ${alertId} moved on`);
    const fires = input.type === 'timer' || input.type === 'escalate';
    const outcome = !fires ? 'stopped' : result.state.status === 'exhausted' ? 'exhausted' : state.fired.length === 0 ? 'started' : 'escalated';
    tx.afterCommit(() => this.deps.metrics?.escalationSteps.inc({ outcome }));

    const entries: TimelineEntry[] = [];
    const newSteps = result.state.fired.slice(state.fired.length);
    if (input.type === 'escalate' && newSteps[0]) {
      const first = newSteps[0];
      const to = first.level === null ? 'the fallback' : levelLabel(first.level, first.round);
      entries.push({ kind: 'action', action: 'escalate', actor: by ?? FIREBREAK, summary: `Escalated to ${to} by ${by ?? FIREBREAK}`, data: { level: first.level, round: first.round } });
    }
    for (const fired of newSteps) {
      if (fired.users.length === 0) entries.push({ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation ${levelLabel(fired.level, fired.round)} reached nobody${fired.skipped ? ' (skipped)' : ''}`, data: { level: fired.level, round: fired.round } });
    }
    if (entries.length > 0) await this.timeline(tx, alertId, now, entries);
    for (const effect of result.effects) {
      if (effect.type === 'notify') await this.queuePages(tx, alertId, effect, now, snapshot.test === true, alert);
      else await this.timeline(tx, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: 'Escalation exhausted: every level was paged and nobody acknowledged', data: null }]);
    }
    if (fires) await this.queueShadowCopies(tx, alertId, result.effects, now, snapshot.test === true, alert);
    if (!fires) {
      await this.timeline(tx, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary: `Escalation stopped: ${input.type === 'acknowledge' ? 'acknowledged' : 'resolved'}`, data: null }]);
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
  private async queuePages(tx: Tx, alertId: string, effect: Extract<EscalationEffect, { type: 'notify' }>, now: number, test: boolean, alert?: AlertRow): Promise<void> {
    const label = levelLabel(effect.level, effect.round);
    await this.pagePerson(tx, alertId, effect.userId, now, { key: (method) => `page:${alertId}:${effect.generation}:${effect.userId}:${method}`, level: effect.level, round: effect.round, generation: effect.generation, label, ...(test ? { test } : {}), ...(alert ? { alert } : {}) });
  }

  /**
   * Shadow copies (schedule rule 8): when a level pages someone through a schedule, the people shadowing
   * that schedule at that instant get a copy, marked as such (`PageContext.shadow`, subject `[SHADOW]`,
   * no acknowledge links), by their own high-urgency rules. Keyed `shadow:<alert>:<step>:<user>:<method>`.
   * Copies are not the engine's business: they never make anyone responsible and change no state. A
   * shadow who is also paged in the same step gets only the real page.
   */
  private async queueShadowCopies(tx: Tx, alertId: string, effects: readonly EscalationEffect[], now: number, test: boolean, alert?: AlertRow): Promise<void> {
    const notifies = effects.filter((e): e is Extract<EscalationEffect, { type: 'notify' }> => e.type === 'notify');
    const scheduleIds = [...new Set(notifies.filter((e) => e.via.type === 'schedule').map((e) => e.via.id))];
    if (scheduleIds.length === 0) return;
    const rows = await oncallRepo.listSchedules(tx.db, { ids: scheduleIds });
    const paged = new Set(notifies.map((e) => `${e.generation}:${e.userId}`));
    const copied = new Set<string>();
    for (const effect of notifies) {
      if (effect.via.type !== 'schedule') continue;
      const row = rows.find((r) => r.id === effect.via.id);
      if (!row) continue;
      // Shadows follow layers on duty, not overrides: the definition without overrides is enough.
      for (const shadow of shadowsAt(definitionOf(row, []), now as Instant)) {
        const key = `${effect.generation}:${shadow}`;
        if (paged.has(key) || copied.has(key)) continue;
        copied.add(key);
        const of = (await tx.db.selectFrom('users').select(['handle']).where('id', '=', effect.userId).executeTakeFirst())?.handle ?? effect.userId;
        await this.pagePerson(tx, alertId, shadow, now, { key: (method) => `shadow:${alertId}:${effect.generation}:${shadow}:${method}`, level: effect.level, round: effect.round, generation: effect.generation, label: `shadowing @${of}, ${levelLabel(effect.level, effect.round)}`, shadow: true, ...(test ? { test } : {}), ...(alert ? { alert } : {}) });
      }
    }
  }

  /**
   * Pages one person by their high-urgency rules, each rule's delay counted from `now`: an outbox row
   * (keyed by `how.key`, so the same page cannot be queued twice) and a delivery job per rule, and a
   * timeline entry each. Returns how many pages were queued. With the alert's row (`how.alert`), pages
   * due now are claimed for delivery in `tx` as well (`PageDelivery.claimFirstAttempt`).
   */
  private async pagePerson(tx: Tx, alertId: string, userId: string, now: number, how: { key: (contactMethodId: string) => string; level: number | null; round: number; generation: number; label: string; shadow?: boolean; test?: boolean; allAtOnce?: boolean; alert?: AlertRow }): Promise<number> {
    const [user] = await this.hot<{ id: string; handle: string; deactivated_at: number | null }>(tx, 'users.pageable', (q, p) => q.selectFrom('users').select(['id', 'handle', 'deactivated_at']).where('id', '=', p('id')), { id: userId });
    if (!user || user.deactivated_at !== null) return 0;
    const rules = await this.highUrgencyRules(tx, user.id);
    const label = how.label;
    if (rules.length === 0) {
      await this.timeline(tx, alertId, now, [{ kind: 'event', action: 'page', actor: FIREBREAK, summary: `Could not page @${user.handle} (${label}): no verified contact method in their high-urgency notification rules`, data: { userId: user.id, level: how.level, round: how.round } }]);
      return 0;
    }
    const entries: TimelineEntry[] = [];
    const dueNow: PageNotificationsTable[] = [];
    for (const rule of rules) {
      const id = this.deps.ids();
      // A test page goes to every method at once: the point is to hear each of them now.
      const delayMinutes = how.allAtOnce ? 0 : rule.delayMinutes;
      const dueAt = now + delayMinutes * MINUTE_MS;
      const queued = await queuePage(this.deps.database, tx, this.deps.jobs, {
        id,
        kind: 'page',
        alertId,
        // One page per person, step and contact method: a step that runs twice cannot page twice.
        idempotencyKey: how.key(rule.contactMethodId),
        userId: user.id,
        contactMethodId: rule.contactMethodId,
        channel: rule.type,
        address: rule.address,
        level: how.level,
        round: how.round,
        generation: how.generation,
        dueAt,
        now,
        ...(how.shadow ? { shadow: true } : {}),
        ...(how.test ? { test: true } : {}),
      });
      if (!queued) continue;
      if (queued.startsOnCommit) dueNow.push(queued.row);
      const how2 = channelName(rule.type).toLowerCase();
      const whom = how.shadow ? `Sent @${user.handle} a shadow copy` : how.test && how.allAtOnce ? `Sent @${user.handle} a test page` : how.test ? `Paged @${user.handle} (drill)` : `Paged @${user.handle}`;
      entries.push({
        kind: 'event',
        action: 'page',
        actor: FIREBREAK,
        summary: delayMinutes === 0 ? `${whom} by ${how2} (${label})` : `${how.shadow ? `Sending @${user.handle} a shadow copy` : `Paging @${user.handle}`} by ${how2} in ${rule.delayMinutes} min unless acknowledged (${label})`,
        data: { notificationId: id, userId: user.id, channel: rule.type, level: how.level, round: how.round, dueAt },
      });
    }
    await this.timeline(tx, alertId, now, entries);
    // After the "Paged" entries, so a page held for a digest reads in the order it happened.
    if (how.alert && this.deps.delivery) for (const row of dueNow) await this.deps.delivery.claimFirstAttempt(tx, row, how.alert);
    return entries.length;
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
      const queued = await queuePage(this.deps.database, tx, this.deps.jobs, { id, kind: 'resolved', alertId, idempotencyKey: `resolved:${alertId}:${userId}`, userId, contactMethodId: method.id, channel: 'email', address: method.address, level: pages[0]!.level, round: pages[0]!.round, generation: pages[0]!.generation, dueAt: now, now });
      if (!queued) continue;
      const handle = (await db.selectFrom('users').select(['handle']).where('id', '=', userId).executeTakeFirst())?.handle ?? userId;
      entries.push({ kind: 'event', action: 'page', actor: FIREBREAK, summary: `Sending @${handle} a resolved notice by email`, data: { notificationId: id, userId, channel: 'email', kind: 'resolved' } });
    }
    await this.timeline(tx, alertId, now, entries);
  }

  /** The person's high-urgency rules on verified methods; their default rules when they set none. */
  private async highUrgencyRules(tx: Tx, userId: string): Promise<Array<{ delayMinutes: number; contactMethodId: string; type: string; address: string }>> {
    // notifyRepo.listRules and listMethods, built once: every page asks.
    const stored = (
      await this.hot<{ urgency: string; delay_minutes: number; contact_method_id: string; type: string; address: string; verified_at: number | null }>(
        tx,
        'notification_rules.high',
        (q, p) =>
          q
            .selectFrom('notification_rules as r')
            .innerJoin('contact_methods as m', 'm.id', 'r.contact_method_id')
            .select(['r.urgency', 'r.delay_minutes', 'r.contact_method_id', 'm.type', 'm.address', 'm.verified_at'])
            .where('r.user_id', '=', p('user'))
            .where('r.urgency', '=', 'high')
            .orderBy('r.position'),
        { user: userId },
      )
    ).filter((r) => r.urgency === 'high');
    const seen = new Set<string>();
    const pick = (list: Array<{ delayMinutes: number; contactMethodId: string; type: string; address: string }>) => list.filter((r) => (seen.has(r.contactMethodId) ? false : (seen.add(r.contactMethodId), true)));
    if (stored.length > 0) {
      return pick(stored.filter((r) => r.verified_at !== null).map((r) => ({ delayMinutes: r.delay_minutes, contactMethodId: r.contact_method_id, type: r.type, address: r.address })));
    }
    const methods = (await this.hot<ContactMethodRow>(tx, 'contact_methods.ofUser', (q, p) => q.selectFrom('contact_methods').selectAll().where('user_id', '=', p('user')).orderBy('id'), { user: userId })).filter((m) => m.verified_at !== null);
    const byId = new Map(methods.map((m) => [m.id, m]));
    return pick(
      defaultRules(methods.map((m) => ({ id: m.id, type: m.type as ContactMethodType }))).high.map((r) => {
        const m = byId.get(r.contactMethodId)!;
        return { delayMinutes: r.delayMinutes, contactMethodId: m.id, type: m.type, address: m.address };
      }),
    );
  }

  /** Who the escalation follows: the alert's assignee (a person or a policy), else its service's policy. */
  private async snapshotFor(tx: Tx, serviceId: string, assigneeJson: string | null): Promise<EscalationSnapshot | null> {
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
      const [service] = await this.hot<{ escalation_policy_id: string | null }>(tx, 'services.policy', (q, p) => q.selectFrom('services').select(['escalation_policy_id']).where('id', '=', p('id')), { id: serviceId });
      policyId = service?.escalation_policy_id ?? null;
    }
    if (policyId === null) return null;
    const [policy] = await this.hot<PolicyRow>(tx, 'escalation_policies.byId', (q, p) => q.selectFrom('escalation_policies').selectAll().where('id', '=', p('id')), { id: policyId });
    if (!policy) return null;
    const [settings] = await this.hot<{ ack_timeout_minutes: number | null }>(tx, 'paging_policy_settings.ackTimeout', (q, p) => q.selectFrom('paging_policy_settings').select(['ack_timeout_minutes']).where('policy_id', '=', p('id')), { id: policy.id });
    return { source: { kind: 'policy', id: policy.id, name: policy.name }, ...policyDefinition(policy), ackTimeoutMinutes: settings?.ack_timeout_minutes ?? null };
  }

  // ---- people acting on an escalation

  /**
   * "Escalate now": the alert's escalation moves to its next level at once (engine rule 6), as its
   * timer would have, and the next timer is set from that level's delay. Only a triggered alert with a
   * running escalation can be escalated. Audited; on the timeline as "Escalated to level 2 by @ana".
   */
  async escalate(acting: Acting, ref: string): Promise<EscalationView> {
    const alertId = await this.deps.database.transaction(async (tx) => {
      const alert = await this.requireAlert(tx.db, acting, ref);
      if (alert.status !== 'triggered') throw new AppError('RULE_VIOLATION', `Alert #${alert.number} is ${alert.status}: only a triggered alert can be escalated`);
      for (let tries = 0; ; tries++) {
        const row = await tx.db.selectFrom('escalations').selectAll().where('alert_id', '=', alert.id).executeTakeFirst();
        if (!row) throw new AppError('RULE_VIOLATION', `Alert #${alert.number} has no escalation to move on: it never paged (no escalation policy, low urgency, suppressed or deferred)`);
        if (row.status !== 'active') throw new AppError('RULE_VIOLATION', `Alert #${alert.number}'s escalation is ${row.status}: there is no next level to escalate to`);
        const state = JSON.parse(row.state_json) as EscalationState;
        try {
          const result = await this.advance(tx, alert.id, JSON.parse(row.snapshot_json) as EscalationSnapshot, state, this.deps.clock.now() as Instant, { type: 'escalate' }, actorName(acting));
          const fired = result.state.fired.slice(state.fired.length)[0];
          await this.audit.record(tx.db, acting.actor, { action: 'alert.escalate', targetType: 'alert', targetId: alert.id, before: { level: state.fired.at(-1)?.level ?? null, generation: state.generation }, after: { level: fired?.level ?? null, round: fired?.round ?? null, generation: result.state.generation } });
          return alert.id;
        } catch (error) {
          if (!(error instanceof StaleStep) || tries >= 3) throw error;
        }
      }
    });
    return this.view(alertId);
  }

  /**
   * "Add responders": pages more people into a triggered alert (ADR paragraph in docs/paging.md). A user
   * is paged at once by their own high-urgency rules; an escalation policy's level 1 is resolved now
   * (schedules with the schedule engine) and those people are paged once. Added people are recorded on
   * the alert; their pages are ordinary outbox rows keyed
   * `responder:<alert>:<request>:<user>:<method>`, so they are delivered, retried and failed over like
   * every page, and an acknowledgement cancels the ones not sent yet. The alert's own escalation goes
   * on as it was.
   */
  async addResponders(acting: Acting, ref: string, input: AddRespondersInput): Promise<EscalationView> {
    const alertId = await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const alert = await this.requireAlert(db, acting, ref);
      // Delivery sends pages only while the alert is triggered, so adding people to an acknowledged alert
      // would queue pages that are then cancelled: refuse instead of pretending.
      if (alert.status !== 'triggered') throw new AppError('RULE_VIOLATION', `Alert #${alert.number} is ${alert.status}: responders can be added only to a triggered alert`);
      const now = this.deps.clock.now() as Instant;
      const requestId = this.deps.ids();
      const by = actorName(acting);
      const people: Array<{ userId: string; via: { type: 'user' | 'escalationPolicy'; id: string; name: string }; label: string }> = [];
      for (const [i, target] of input.targets.entries()) {
        if (target.type === 'user') {
          const user = await db.selectFrom('users').select(['id', 'handle']).where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', target.id), eb('handle', '=', target.id)])).executeTakeFirst();
          if (!user) throw new AppError('VALIDATION_FAILED', `body.targets.${i}.id: no active user \`${target.id}\``, { issues: [{ path: `body.targets.${i}.id`, message: 'no such active user' }] });
          people.push({ userId: user.id, via: { type: 'user', id: user.id, name: `@${user.handle}` }, label: 'responder' });
          continue;
        }
        const policy = (await db.selectFrom('escalation_policies').selectAll().where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', target.id), eb('handle', '=', target.id)])).executeTakeFirst()) as PolicyRow | undefined;
        if (!policy) throw new AppError('VALIDATION_FAILED', `body.targets.${i}.id: no escalation policy \`${target.id}\``, { issues: [{ path: `body.targets.${i}.id`, message: 'no such escalation policy' }] });
        const level = policyDefinition(policy).levels[0];
        const targets = level?.targets ?? [];
        const resolve = await this.deps.policies.resolver(db, targets, now, 0);
        const reached = resolveTargets(targets, now, resolve);
        if (reached.length === 0) {
          await this.timeline(tx, alert.id, now, [{ kind: 'event', action: 'responder', actor: by, summary: `${by} asked for policy ${policy.name}, but its level 1 reaches nobody now`, data: { requestId, policyId: policy.id } }]);
        }
        for (const u of reached) people.push({ userId: u.userId, via: { type: 'escalationPolicy', id: policy.id, name: policy.name }, label: `responder, policy ${policy.name} level 1` });
      }
      const seen = new Set<string>();
      const added: string[] = [];
      for (const person of people) {
        if (seen.has(person.userId)) continue;
        seen.add(person.userId);
        const handle = (await db.selectFrom('users').select(['handle']).where('id', '=', person.userId).executeTakeFirst())?.handle ?? person.userId;
        await db.insertInto('alert_responders').values({ id: this.deps.ids(), alert_id: alert.id, request_id: requestId, user_id: person.userId, via_type: person.via.type, via_id: person.via.id, requested_by: by, message: input.message ?? null, created_at: now }).execute();
        const via = person.via.type === 'escalationPolicy' ? ` (policy ${person.via.name}, level 1)` : '';
        await this.timeline(tx, alert.id, now, [{ kind: 'action', action: 'responder', actor: by, summary: `${by} added @${handle} as a responder${via}${input.message ? `: ${input.message}` : ''}`, data: { requestId, userId: person.userId, via: person.via, message: input.message ?? null } }]);
        await this.pagePerson(tx, alert.id, person.userId, now, { key: (method) => `responder:${alert.id}:${requestId}:${person.userId}:${method}`, level: person.via.type === 'escalationPolicy' ? 1 : null, round: 0, generation: RESPONDER_GENERATION, label: person.label });
        added.push(person.userId);
      }
      await this.audit.record(db, acting.actor, { action: 'alert.add-responders', targetType: 'alert', targetId: alert.id, after: { requestId, targets: input.targets, userIds: added, message: input.message ?? null } });
      return alert.id;
    });
    return this.view(alertId);
  }

  /**
   * Test pages (docs/paging.md, "Test pages"): one page marked as a test to each of the person's
   * high-urgency methods, all at once, on the self-test alert `alertId` (test-page.ts makes it), through
   * the outbox and delivery jobs like every page. Returns the pages queued.
   */
  async queueTestPages(tx: Tx, alertId: string, userId: string): Promise<Array<{ channel: ContactMethodType; address: string; dueAt: string }>> {
    const now = this.deps.clock.now();
    await this.pagePerson(tx, alertId, userId, now, { key: (method) => `test:${alertId}:${userId}:${method}`, level: null, round: 0, generation: RESPONDER_GENERATION, label: 'test page', test: true, allAtOnce: true });
    const rows = await tx.db.selectFrom('page_notifications').select(['channel', 'address', 'due_at']).where('alert_id', '=', alertId).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ channel: r.channel as ContactMethodType, address: r.address, dueAt: iso(r.due_at) }));
  }

  /** Sets the acknowledgement timeout job when the alert's escalation snapshotted one (and the alert is not snoozed). */
  private async setAckTimeout(tx: Tx, alertId: string): Promise<void> {
    const row = await tx.db.selectFrom('escalations').select(['snapshot_json', 'generation']).where('alert_id', '=', alertId).executeTakeFirst();
    if (!row) return;
    const minutes = (JSON.parse(row.snapshot_json) as EscalationSnapshot).ackTimeoutMinutes ?? null;
    const alert = await alertRepo.find(tx.db, alertId);
    // A snooze is an acknowledgement with its own end: its wake-up triggers the alert again.
    if (minutes === null || minutes <= 0 || !alert || alert.snoozed_until !== null) {
      await this.deps.jobs.removeJob(tx, ackTimeoutJobKey(alertId));
      return;
    }
    const now = this.deps.clock.now();
    await this.deps.jobs.addJob<AckTimeoutPayload>(tx, { task: ACK_TIMEOUT_TASK, key: ackTimeoutJobKey(alertId), runAt: now + minutes * MINUTE_MS, payload: { alertId, generation: row.generation, minutes } });
  }

  /**
   * The acknowledgement timeout job: the alert was acknowledged and not resolved in time, so it triggers
   * again and its escalation restarts from level 1. Fenced: any change to the escalation since the
   * acknowledgement (a new generation), a resolve, a snooze or a trigger makes it a no-op.
   */
  async runAckTimeout(payload: AckTimeoutPayload, alerts: Pick<AlertService, 'expireAcknowledgement'>): Promise<'retriggered' | 'stale'> {
    // The alert service triggers it again like any change, so this module's hooks restart the
    // escalation (a suppressed or deferred alert pages nobody now either) and live updates see it.
    const retriggered = await alerts.expireAcknowledgement(payload.alertId, payload.minutes, async (tx) => {
      const row = await tx.db.selectFrom('escalations').select(['generation']).where('alert_id', '=', payload.alertId).executeTakeFirst();
      return row !== undefined && row.generation === payload.generation;
    });
    return retriggered ? 'retriggered' : 'stale';
  }

  /** Paging's settings of an escalation policy (`ackTimeoutMinutes`). */
  async policySettings(ref: string): Promise<{ policy: string; ackTimeoutMinutes: number | null }> {
    const policy = await this.requirePolicy(this.db, ref);
    return { policy: policy.handle, ackTimeoutMinutes: await policySettingsRepo.ackTimeout(this.db, policy.id) };
  }

  /** Sets them: org admins, or team admins of the team owning the policy. Audited. Applies to alerts triggered from now on. */
  async setPolicySettings(acting: Acting, ref: string, input: { ackTimeoutMinutes: number | null }): Promise<{ policy: string; ackTimeoutMinutes: number | null }> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const policy = await this.requirePolicy(db, ref);
      assertCanManage(acting, policy.team_id, `Escalation policy \`${policy.handle}\``);
      const before = await policySettingsRepo.ackTimeout(db, policy.id);
      await policySettingsRepo.setAckTimeout(db, policy.id, input.ackTimeoutMinutes, this.deps.clock.now());
      await this.audit.record(db, acting.actor, { action: 'escalation-policy.paging-settings', targetType: 'escalation-policy', targetId: policy.id, before: { ackTimeoutMinutes: before }, after: input });
    });
    return this.policySettings(ref);
  }

  private async requirePolicy(db: Kysely<Database>, ref: string): Promise<PolicyRow> {
    const policy = (await db.selectFrom('escalation_policies').selectAll().where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst()) as PolicyRow | undefined;
    if (!policy) throw new AppError('NOT_FOUND', `Escalation policy \`${ref}\` does not exist`);
    return policy;
  }

  /** The alert, when the caller may act on it: a team-scoped token only on its team's services. */
  private async requireAlert(db: Kysely<Database>, acting: Acting, ref: string): Promise<AlertRow> {
    const alert = await alertRepo.find(db, ref);
    if (!alert) throw new AppError('NOT_FOUND', `Alert \`${ref}\` does not exist`);
    const scope = acting.principal?.teamScope ?? null;
    if (scope !== null) {
      const service = await db.selectFrom('services').select(['team_id', 'handle']).where('id', '=', alert.service_id).executeTakeFirstOrThrow();
      if (service.team_id !== scope) throw new AppError('FORBIDDEN', `This API token is scoped to another team than the one owning service \`${service.handle}\``);
    }
    return alert;
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
    await this.timeline(tx, alertId, now, [{ kind: 'event', action: 'escalation', actor: FIREBREAK, summary, data: { repair: repair.kind, stuckMs: repair.stuckMs, nextAt: repair.nextAt } }]);
    return repair;
  }

  /** Escalations running now (`firebreak_escalations_active`). */
  async countActive(): Promise<number> {
    const row = await this.db.selectFrom('escalations').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // ---- reading

  /** The alert's escalation: state, the snapshot's levels, who was notified and the next step, and responders. */
  async view(ref: string): Promise<EscalationView> {
    const db = this.db;
    const alert = await alertRepo.find(db, ref);
    if (!alert) throw new AppError('NOT_FOUND', `Alert \`${ref}\` does not exist`);
    const row = await db.selectFrom('escalations').selectAll().where('alert_id', '=', alert.id).executeTakeFirst();
    const notifications = await db.selectFrom('page_notifications').selectAll().where('alert_id', '=', alert.id).orderBy('created_at').orderBy('id').execute();
    const responderRows = await db.selectFrom('alert_responders').selectAll().where('alert_id', '=', alert.id).orderBy('created_at').orderBy('id').execute();
    const snapshot = row ? (JSON.parse(row.snapshot_json) as EscalationSnapshot) : null;
    const state = row ? (JSON.parse(row.state_json) as EscalationState) : null;
    const names = await this.targetNames(db, [
      ...(snapshot ? targetsOf(snapshot) : []),
      ...(state?.fired ?? []).flatMap((f) => f.users.map((id): EscalationTarget => ({ type: 'user', id }))),
      ...notifications.map((n): EscalationTarget => ({ type: 'user', id: n.user_id })),
      ...responderRows.map((r): EscalationTarget => ({ type: 'user', id: r.user_id })),
    ]);
    const target = (t: EscalationTarget) => ({ type: t.type, id: t.id, name: names.get(`${t.type}:${t.id}`)?.name ?? t.id, handle: names.get(`${t.type}:${t.id}`)?.handle ?? t.id });
    const users: Record<string, { handle: string; name: string }> = {};
    for (const [key, value] of names) if (key.startsWith('user:')) users[key.slice(5)] = value;
    const policyNames = new Map((responderRows.some((r) => r.via_type === 'escalationPolicy') ? await db.selectFrom('escalation_policies').select(['id', 'name']).where('id', 'in', [...new Set(responderRows.filter((r) => r.via_type === 'escalationPolicy').map((r) => r.via_id))]).execute() : []).map((p) => [p.id, p.name]));
    const responders = responderRows.map((r) => ({
      userId: r.user_id,
      via: { type: r.via_type as 'user' | 'escalationPolicy', id: r.via_id, name: r.via_type === 'user' ? `@${users[r.user_id]?.handle ?? r.user_id}` : (policyNames.get(r.via_id) ?? r.via_id) },
      requestedBy: r.requested_by,
      message: r.message,
      at: iso(r.created_at),
    }));
    const notificationViews = notifications.map((n) => ({
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
      responder: n.idempotency_key.startsWith('responder:'),
      test: n.test === 1,
      shadow: n.shadow === 1,
    }));
    if (!row || !snapshot || !state) {
      return { alertId: alert.id, status: 'none', source: null, ackTimeoutMinutes: null, startedAt: null, nextStepAt: null, repeat: 0, levels: [], fallback: null, steps: [], notifications: notificationViews, responders, users };
    }
    return {
      alertId: alert.id,
      status: row.status as EscalationView['status'],
      source: snapshot.source,
      ackTimeoutMinutes: snapshot.ackTimeoutMinutes ?? null,
      startedAt: iso(row.started_at),
      nextStepAt: row.next_at === null || row.status !== 'active' ? null : iso(row.next_at),
      repeat: snapshot.repeat,
      levels: snapshot.levels.map((l, i) => ({ level: i + 1, delayMinutes: l.delayMinutes, targets: l.targets.map(target) })),
      fallback: snapshot.fallback === null ? null : target(snapshot.fallback),
      steps: state.fired.map((f) => ({ level: f.level, round: f.round, at: iso(f.at), skipped: f.skipped, userIds: f.users })),
      notifications: notificationViews,
      responders,
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

  /**
   * Runs a query built and compiled once per database (`FirebreakDatabase.precompiled`), in `tx`: starting
   * an escalation and paging run a dozen small queries per alert, and building them cost more than
   * running them (ADR 0044).
   */
  private async hot<R>(tx: Tx, key: string, build: Parameters<FirebreakDatabase['precompiled']>[1], values: Values): Promise<R[]> {
    return (await this.deps.database.run<R>(this.deps.database.precompiled(`paging:${key}`, build), values, tx)).rows;
  }

  private async timeline(tx: Tx, alertId: string, at: number, entries: readonly TimelineEntry[]): Promise<void> {
    await alertRepo.hot.insertTimeline(this.deps.database, tx, this.deps.ids, alertId, at, entries);
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

/** A test alert (a test page or a drill, `firebreak.test` label): its pages are marked as tests everywhere. */
export function isTestAlert(labelsJson: string): boolean {
  try {
    return (JSON.parse(labelsJson) as Record<string, unknown>)['firebreak.test'] === 'true';
  } catch {
    return false;
  }
}
