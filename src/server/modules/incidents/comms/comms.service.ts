import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import {
  sealedSubscriberTypes,
  updateTemplateKinds,
  type CreateIncidentSubscription,
  type IncidentComms as IncidentCommsView,
  type IncidentSubscription,
  type IncidentSubscriptionScope,
  type SentUpdate,
  type subscribeMeSchema,
  type UpdateTemplate,
  type UpdateTemplateKind,
} from '../../../../contracts/incident-comms.js';
import type { IncidentTimelineEntry } from '../../../../contracts/incidents.js';
import { AppError } from '../../../../contracts/errors.js';
import type { ContactMethodType } from '../../../../contracts/notify.js';
import {
  cadenceOf,
  DEFAULT_UPDATE_TEMPLATES,
  reminderDueAt,
  reminderRecipient,
  reminderText,
  renderTemplate,
  stakeholderMessage,
  templateProblems,
  templateValues,
  type IncidentFacts,
} from '../../../../core/incidents/updates.js';
import type { Clock } from '../../../platform/clock.js';
import type { SecretBox } from '../../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, IncidentCommsDeliveriesTable, IncidentSubscriptionsTable } from '../../../platform/db/schema.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting, CatalogService } from '../../catalog/catalog.service.js';
import { ChannelError, channelUnavailableMessage, type Channels, type ContactAddress } from '../../notify/channels/channel.js';
import { notifyRepo } from '../../notify/notify.repo.js';
import type { NotifyService } from '../../notify/notify.service.js';
import type { ServiceCatalog } from '../../services/service.service.js';
import { reference, type IncidentRow } from '../incident.repo.js';
import type { IncidentExtension, IncidentService } from '../incident.service.js';

export const DELIVER_UPDATE_TASK = 'incidents.deliver-update';
export const REMIND_TASK = 'incidents.update-reminder';
export const deliverUpdateJobKey = (deliveryId: string) => `${DELIVER_UPDATE_TASK}:${deliveryId}`;
/** One reminder timer per incident: adding it again moves it (keyed jobs replace the pending one). */
export const reminderJobKey = (incidentId: string) => `${REMIND_TASK}:${incidentId}`;
/** Attempts per recipient; with the task's backoff (5 s doubling to 5 min) about 15 minutes of trying. */
export const UPDATE_MAX_ATTEMPTS = 8;

export interface DeliverUpdatePayload {
  deliveryId: string;
}
/** `dueAt` is the fence: a reminder whose incident's `reminder_due_at` moved on changes nothing. */
export interface ReminderPayload {
  incidentId: string;
  dueAt: number;
}

export interface IncidentCommsDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  jobs: JobScheduler;
  secrets: SecretBox;
  incidents: IncidentService;
  catalog: CatalogService;
  services: ServiceCatalog;
  notify: NotifyService;
  channels: Channels;
  publicUrl: string;
}

type SubscriptionRow = IncidentSubscriptionsTable;
type DeliveryRow = IncidentCommsDeliveriesTable;

const iso = (ms: number) => new Date(ms).toISOString();
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });
/** An ntfy topic or webhook URL is a credential: keep the start, hide the rest. */
const redacted = (value: string) => (value.length <= 12 ? `${value.slice(0, 3)}…` : `${value.slice(0, 12)}…`);

/**
 * Stakeholder communication (ADR 0032): subscriptions, the delivery of each update to every subscriber
 * (a transactional outbox: rows and jobs in the update's transaction), update templates, the cadence
 * and its reminder, and the all clear on resolve. Hooks into incidents through `extension`.
 */
export class IncidentComms {
  constructor(private readonly deps: IncidentCommsDeps) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /** Register with `IncidentService.addExtension`: runs inside declare, status change and update transactions. */
  readonly extension: IncidentExtension = {
    declared: async (tx, _acting, incident) => {
      await this.scheduleReminder(tx, incident, { lastUpdateAt: null });
    },
    updatePosted: async (tx, acting, incident, entry) => {
      await this.queueUpdate(tx, incident, entry, { allClear: false, postedBy: acting.actor.label });
      await this.scheduleReminder(tx, incident, { lastUpdateAt: Date.parse(entry.at) });
    },
    statusChanged: async (tx, acting, incident, change) => {
      if (change.to !== 'resolved' || change.from === 'resolved') return;
      const now = this.deps.clock.now();
      const cadence = await this.cadence(tx.db, incident);
      const facts = await this.facts(tx.db, incident);
      const template = await this.templateText(tx.db, 'all_clear');
      const text = renderTemplate(template, { ...templateValues(facts, now, cadence.minutes), summary: facts.summary.trim() === '' ? 'Thank you for your patience.' : facts.summary.trim() }).trim();
      const [entry] = await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'update', action: 'all-clear', actor: acting.actor.label, summary: text, data: { allClear: true } }], 'stakeholder-update');
      if (entry) await this.queueUpdate(tx, incident, entry, { allClear: true, postedBy: acting.actor.label });
      // Resolved: nobody is reminded any more.
      await this.deps.jobs.removeJob(tx, reminderJobKey(incident.id));
      await tx.db.updateTable('incident_comms').set({ reminder_due_at: null, updated_at: now }).where('incident_id', '=', incident.id).execute();
    },
  };

  // ---- facts about an incident

  private async facts(db: Kysely<Database>, row: IncidentRow): Promise<IncidentFacts> {
    const services = await db.selectFrom('incident_services').innerJoin('services', 'services.id', 'incident_services.service_id').select('services.handle').where('incident_services.incident_id', '=', row.id).orderBy('services.handle').execute();
    return {
      reference: reference(Number(row.number)),
      title: row.title,
      severity: row.severity,
      status: row.status,
      mitigated: row.mitigated_at !== null,
      customerImpact: row.customer_impact,
      summary: row.summary,
      services: services.map((s) => s.handle.split('~deleted~')[0] as string),
    };
  }

  /** The severity's `updateCadenceMinutes`, when configurable severities define one (read defensively). */
  private severityCadence(severity: string): number | null {
    const definition = this.deps.incidents.severities().find((s) => s.key === severity) as { updateCadenceMinutes?: unknown } | undefined;
    const minutes = definition?.updateCadenceMinutes;
    return typeof minutes === 'number' ? minutes : null;
  }

  private async cadence(db: Kysely<Database>, row: IncidentRow): Promise<{ minutes: number; source: 'incident' | 'severity' | 'default' }> {
    const comms = await db.selectFrom('incident_comms').select('cadence_minutes').where('incident_id', '=', row.id).executeTakeFirst();
    return cadenceOf({ incidentMinutes: comms?.cadence_minutes ?? null, severityMinutes: this.severityCadence(row.severity) });
  }

  private async lastUpdateAt(db: Kysely<Database>, incidentId: string): Promise<number | null> {
    const row = await db.selectFrom('incident_timeline').select((eb) => eb.fn.max('at').as('last')).where('incident_id', '=', incidentId).where('kind', '=', 'update').executeTakeFirst();
    return row?.last === null || row?.last === undefined ? null : Number(row.last);
  }

  private incidentUrl(row: IncidentRow): string {
    return `${this.deps.publicUrl}/incidents/${reference(Number(row.number))}`;
  }

  // ---- the reminder

  /** Moves the incident's one reminder timer to one cadence after the last update (or the declaration). */
  private async scheduleReminder(tx: Tx, row: IncidentRow, input: { lastUpdateAt: number | null }): Promise<void> {
    if (row.status === 'resolved') return;
    const now = this.deps.clock.now();
    const cadence = await this.cadence(tx.db, row);
    const dueAt = reminderDueAt({ lastUpdateAt: input.lastUpdateAt, declaredAt: Number(row.declared_at), cadenceMinutes: cadence.minutes, now });
    await this.setReminder(tx, row.id, dueAt, now);
  }

  private async setReminder(tx: Tx, incidentId: string, dueAt: number, now: number): Promise<void> {
    await tx.db
      .insertInto('incident_comms')
      .values({ incident_id: incidentId, cadence_minutes: null, reminder_due_at: dueAt, updated_at: now })
      .onConflict((oc) => oc.column('incident_id').doUpdateSet({ reminder_due_at: dueAt, updated_at: now }))
      .execute();
    await this.deps.jobs.addJob<ReminderPayload>(tx, { task: REMIND_TASK, key: reminderJobKey(incidentId), runAt: dueAt, payload: { incidentId, dueAt }, maxAttempts: UPDATE_MAX_ATTEMPTS });
  }

  /**
   * The reminder job: "No stakeholder update for 30 minutes: if nothing has changed, say so." to the
   * communications lead (or the commander while that role is vacant), on the timeline, and the next
   * reminder one cadence later. Fenced by `dueAt`: an update posted meanwhile moved the reminder, and
   * this run (or a replay of it) changes nothing.
   */
  async remind(payload: ReminderPayload): Promise<'reminded' | 'nobody' | 'stale' | 'closed'> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = (await db.selectFrom('incidents').selectAll().where('id', '=', payload.incidentId).executeTakeFirst()) as IncidentRow | undefined;
      if (!row || row.status === 'resolved') return 'closed' as const;
      const comms = await db.selectFrom('incident_comms').selectAll().where('incident_id', '=', row.id).executeTakeFirst();
      if (!comms || comms.reminder_due_at === null || Number(comms.reminder_due_at) !== payload.dueAt) return 'stale' as const;
      const now = this.deps.clock.now();
      const cadence = await this.cadence(db, row);
      const last = await this.lastUpdateAt(db, row.id);
      const silentMinutes = Math.round((now - (last ?? Number(row.declared_at))) / 60_000);
      const roles = await db
        .selectFrom('incident_roles')
        .innerJoin('users', 'users.id', 'incident_roles.user_id')
        .select(['incident_roles.role', 'users.id', 'users.handle', 'users.name', 'users.email', 'users.deactivated_at'])
        .where('incident_roles.incident_id', '=', row.id)
        .execute();
      const recipient = reminderRecipient(roles.filter((r) => r.deactivated_at === null));
      const ref = reference(Number(row.number));
      const words = reminderText({ reference: ref, title: row.title, silentMinutes, url: this.incidentUrl(row), role: recipient?.role ?? 'incident_commander', personName: recipient?.holder.name ?? '' });
      const who = recipient ? ` Reminded @${recipient.holder.handle} (${recipient.role === 'communications_lead' ? 'communications lead' : 'incident commander; the communications lead role is vacant'}).` : ' Nobody to remind: the communications lead and incident commander roles are vacant.';
      const [entry] = await this.deps.incidents.appendTimeline(tx, row, [{ kind: 'reminder', action: 'update-reminder', actor: 'Firebreak', summary: `${words.timeline}${who}`, data: { silentMinutes, cadenceMinutes: cadence.minutes, remindedUserId: recipient?.holder.id ?? null } }], 'update-reminder');
      if (recipient && entry) {
        const target: ContactAddress = { type: 'email', email: recipient.holder.email, name: recipient.holder.name };
        await this.queueDelivery(tx, {
          incidentId: row.id, entryId: entry.id, purpose: 'reminder', subscriptionId: null, userId: recipient.holder.id, channel: 'email', address: recipient.holder.email, target,
          subject: words.subject, body: words.text, idempotencyKey: `reminder:${row.id}:${payload.dueAt}`, now,
        });
      }
      await this.setReminder(tx, row.id, now + cadence.minutes * 60_000, now);
      return recipient ? ('reminded' as const) : ('nobody' as const);
    });
  }

  // ---- sending updates

  /**
   * Queues one delivery per subscriber of the incident, its impacted services and their teams, in the
   * update's transaction. A subscriber reached through several subscriptions (or the same address
   * subscribed twice) gets one message: the idempotency key is the update and the address.
   */
  private async queueUpdate(tx: Tx, row: IncidentRow, entry: IncidentTimelineEntry, options: { allClear: boolean; postedBy: string }): Promise<number> {
    const db = tx.db;
    const now = this.deps.clock.now();
    const facts = await this.facts(db, row);
    const serviceRows = await db.selectFrom('incident_services').innerJoin('services', 'services.id', 'incident_services.service_id').select(['services.id', 'services.team_id']).where('incident_services.incident_id', '=', row.id).execute();
    const serviceIds = serviceRows.map((s) => s.id);
    const teamIds = [...new Set(serviceRows.map((s) => s.team_id).filter((t): t is string => t !== null))];
    const subscriptions = await db
      .selectFrom('incident_subscriptions')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('scope', '=', 'incident'), eb('scope_id', '=', row.id)]),
          ...(serviceIds.length > 0 ? [eb.and([eb('scope', '=', 'service'), eb('scope_id', 'in', serviceIds)])] : []),
          ...(teamIds.length > 0 ? [eb.and([eb('scope', '=', 'team'), eb('scope_id', 'in', teamIds)])] : []),
        ]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const order = { incident: 0, service: 1, team: 2 } as Record<string, number>;
    subscriptions.sort((a, b) => (order[a.scope] ?? 3) - (order[b.scope] ?? 3));
    const labels = await this.scopeLabels(db, subscriptions);
    let queued = 0;
    for (const sub of subscriptions) {
      const target = await this.targetOf(db, sub);
      if (!target) continue;
      const reason = sub.scope === 'incident' ? `you follow ${facts.reference}` : `you follow the incidents of ${sub.scope} ${labels.get(sub.scope_id) ?? sub.scope_id}`;
      const message = stakeholderMessage({ facts, text: entry.summary, allClear: options.allClear, postedBy: options.postedBy, postedAt: Date.parse(entry.at), url: this.incidentUrl(row), reason });
      const added = await this.queueDelivery(tx, {
        incidentId: row.id, entryId: entry.id, purpose: 'update', subscriptionId: sub.id, userId: sub.user_id, channel: target.channel, address: target.shown, target: target.address,
        subject: message.subject, body: message.text, idempotencyKey: `update:${entry.id}:${target.channel}:${sha256(JSON.stringify(target.address)).slice(0, 32)}`, now,
      });
      if (added) queued++;
    }
    return queued;
  }

  private async scopeLabels(db: Kysely<Database>, subs: readonly SubscriptionRow[]): Promise<Map<string, string>> {
    const labels = new Map<string, string>();
    const teamIds = subs.filter((s) => s.scope === 'team').map((s) => s.scope_id);
    const serviceIds = subs.filter((s) => s.scope === 'service').map((s) => s.scope_id);
    if (teamIds.length > 0) for (const t of await db.selectFrom('teams').select(['id', 'handle']).where('id', 'in', teamIds).execute()) labels.set(t.id, t.handle);
    if (serviceIds.length > 0) for (const s of await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', serviceIds).execute()) labels.set(s.id, s.handle.split('~deleted~')[0] as string);
    return labels;
  }

  /**
   * Where a subscription's messages go now: a user's chosen contact method while it is verified, else
   * their account email; an outside address as given. Null for a deactivated user.
   */
  private async targetOf(db: Kysely<Database>, sub: SubscriptionRow): Promise<{ channel: string; shown: string; address: ContactAddress } | null> {
    if (sub.type === 'user') {
      const user = sub.user_id ? await db.selectFrom('users').selectAll().where('id', '=', sub.user_id).executeTakeFirst() : undefined;
      if (!user || user.deactivated_at !== null) return null;
      const method = sub.contact_method_id ? await notifyRepo.findMethod(db, sub.contact_method_id) : undefined;
      if (method && method.user_id === user.id && method.verified_at !== null) {
        return { channel: method.type, shown: method.address, address: this.deps.notify.contactAddress(method, user) };
      }
      return { channel: 'email', shown: user.email, address: { type: 'email', email: user.email, name: user.name } };
    }
    const full = sub.secret !== null ? this.deps.secrets.open(sub.secret) : sub.address;
    return { channel: sub.channel, shown: sub.address, address: addressFor(sub.channel as ContactMethodType, full) };
  }

  /** The outbox row and its job, in the caller's transaction; false when the key was already queued. */
  private async queueDelivery(tx: Tx, d: { incidentId: string; entryId: string; purpose: 'update' | 'reminder'; subscriptionId: string | null; userId: string | null; channel: string; address: string; target: ContactAddress; subject: string; body: string; idempotencyKey: string; now: number }): Promise<boolean> {
    const id = this.deps.ids();
    const inserted = await tx.db
      .insertInto('incident_comms_deliveries')
      .values({
        id, incident_id: d.incidentId, entry_id: d.entryId, purpose: d.purpose, subscription_id: d.subscriptionId, user_id: d.userId, channel: d.channel, address: d.address,
        target_sealed: this.deps.secrets.seal(JSON.stringify(d.target)), subject: d.subject, body: d.body, idempotency_key: d.idempotencyKey,
        status: 'pending', attempts: 0, last_error: null, provider: null, provider_message_id: null, sent_at: null, created_at: d.now, updated_at: d.now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
    await this.deps.jobs.addJob<DeliverUpdatePayload>(tx, { task: DELIVER_UPDATE_TASK, key: deliverUpdateJobKey(id), payload: { deliveryId: id }, runAt: d.now, maxAttempts: UPDATE_MAX_ATTEMPTS });
    return true;
  }

  /**
   * The delivery job: sends one outbox row through its channel. At least once, but never twice once the
   * provider answered: the row's status makes a repeat a no-op, and the idempotency key goes to the
   * provider (an email's Message-ID) for the moment between sending and recording. Throws to be retried.
   */
  async deliver(payload: DeliverUpdatePayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal }): Promise<'sent' | 'failed' | 'skipped'> {
    const row = await this.db.selectFrom('incident_comms_deliveries').selectAll().where('id', '=', payload.deliveryId).executeTakeFirst();
    if (!row || row.status !== 'pending') return 'skipped';
    const now = this.deps.clock.now();
    await this.db.updateTable('incident_comms_deliveries').set({ attempts: row.attempts + 1, updated_at: now }).where('id', '=', row.id).where('status', '=', 'pending').execute();
    const channel = this.deps.channels[row.channel as ContactMethodType];
    if (!channel) return this.recordFailure(row, channelUnavailableMessage(row.channel as ContactMethodType), true);
    const target = JSON.parse(this.deps.secrets.open(row.target_sealed)) as ContactAddress;
    try {
      const sent = await channel.send({ to: target, subject: row.subject, text: row.body, kind: 'notification', idempotencyKey: row.idempotency_key }, attempt.signal ? { signal: attempt.signal } : {});
      const done = this.deps.clock.now();
      await this.deps.database.transaction(async (tx) => {
        await tx.db
          .updateTable('incident_comms_deliveries')
          .set({ status: 'sent', sent_at: done, provider: sent.provider?.name ?? null, provider_message_id: sent.providerMessageId ?? null, last_error: null, updated_at: done })
          .where('id', '=', row.id)
          .execute();
        await this.touched(tx, row.incident_id);
      });
      return 'sent';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = (error instanceof ChannelError && error.permanent) || attempt.attempts >= attempt.maxAttempts;
      await this.recordFailure(row, message, final);
      if (final) return 'failed';
      throw error;
    }
  }

  private async recordFailure(row: DeliveryRow, message: string, final: boolean): Promise<'failed'> {
    const now = this.deps.clock.now();
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('incident_comms_deliveries').set({ status: final ? 'failed' : 'pending', last_error: message.slice(0, 2000), updated_at: now }).where('id', '=', row.id).execute();
      if (final) await this.touched(tx, row.incident_id);
    });
    return 'failed';
  }

  /** Live pages re-read "sent to 12, 1 failed" after a delivery settles. */
  private async touched(tx: Tx, incidentId: string): Promise<void> {
    const incident = (await tx.db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst()) as IncidentRow | undefined;
    if (incident) this.deps.incidents.touched(tx, incident, 'stakeholder-delivery');
  }

  // ---- reads

  /** `GET /api/v1/incidents/{incident}/comms`. */
  async comms(ref: string): Promise<IncidentCommsView> {
    const db = this.db;
    const row = await this.deps.incidents.require(db, ref);
    const now = this.deps.clock.now();
    const cadence = await this.cadence(db, row);
    const facts = await this.facts(db, row);
    const comms = await db.selectFrom('incident_comms').select('reminder_due_at').where('incident_id', '=', row.id).executeTakeFirst();
    const entries = await db.selectFrom('incident_timeline').selectAll().where('incident_id', '=', row.id).where('kind', '=', 'update').orderBy('id', 'desc').limit(50).execute();
    const deliveries = entries.length === 0 ? [] : await db.selectFrom('incident_comms_deliveries').select(['entry_id', 'status', 'channel', 'address', 'last_error']).where('incident_id', '=', row.id).where('entry_id', 'in', entries.map((e) => e.id)).execute();
    const templates = await this.templates();
    const values = templateValues(facts, now, cadence.minutes);
    const updates: SentUpdate[] = entries.map((e) => {
      const mine = deliveries.filter((d) => d.entry_id === e.id);
      return {
        entryId: e.id,
        at: iso(Number(e.at)),
        actor: e.actor,
        allClear: e.action === 'all-clear',
        message: e.summary,
        deliveries: { total: mine.length, sent: mine.filter((d) => d.status === 'sent').length, failed: mine.filter((d) => d.status === 'failed').length, pending: mine.filter((d) => d.status === 'pending').length },
        failures: mine.filter((d) => d.status === 'failed').map((d) => ({ channel: d.channel, address: d.address, error: d.last_error })),
      };
    });
    return {
      incidentId: row.id,
      reference: facts.reference,
      cadenceMinutes: cadence.minutes,
      cadenceSource: cadence.source,
      lastUpdateAt: ((last) => (last === null ? null : iso(last)))(await this.lastUpdateAt(db, row.id)),
      nextReminderAt: row.status === 'resolved' || !comms || comms.reminder_due_at === null ? null : iso(Number(comms.reminder_due_at)),
      drafts: templates.map((t) => ({ kind: t.kind, name: t.name, text: renderTemplate(t.text, values) })),
      updates,
    };
  }

  // ---- cadence

  /** `PUT /api/v1/incidents/{incident}/update-cadence`: the incident's cadence; the reminder moves with it. */
  async setCadence(acting: Acting, ref: string, minutes: number | null): Promise<IncidentCommsView> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await this.deps.incidents.require(db, ref);
      if (row.status === 'resolved') throw new AppError('RULE_VIOLATION', `${reference(Number(row.number))} is resolved: its update cadence no longer changes`, { issues: [{ path: 'body.minutes', message: 'the incident is resolved' }] });
      const before = await this.cadence(db, row);
      const now = this.deps.clock.now();
      await db
        .insertInto('incident_comms')
        .values({ incident_id: row.id, cadence_minutes: minutes, reminder_due_at: null, updated_at: now })
        .onConflict((oc) => oc.column('incident_id').doUpdateSet({ cadence_minutes: minutes, updated_at: now }))
        .execute();
      const after = await this.cadence(db, row);
      await this.scheduleReminder(tx, row, { lastUpdateAt: await this.lastUpdateAt(db, row.id) });
      if (after.minutes !== before.minutes || after.source !== before.source) {
        const summary = `Stakeholder update cadence set to ${after.minutes} minutes${after.source === 'incident' ? '' : ` (the ${after.source === 'severity' ? `${row.severity} default` : 'default'})`} by ${acting.actor.label}; it was ${before.minutes} minutes`;
        await this.deps.incidents.appendTimeline(tx, row, [{ kind: 'edit', action: 'update-cadence', actor: acting.actor.label, summary, data: { before: before.minutes, after: after.minutes } }], 'update-cadence');
      }
      await this.deps.audit.record(db, acting.actor, { action: 'incident.update-cadence', targetType: 'incident', targetId: row.id, before, after });
    });
    return this.comms(ref);
  }

  // ---- templates

  private async templateText(db: Kysely<Database>, kind: UpdateTemplateKind): Promise<string> {
    const row = await db.selectFrom('incident_update_templates').select('text').where('kind', '=', kind).executeTakeFirst();
    return row?.text ?? DEFAULT_UPDATE_TEMPLATES[kind].text;
  }

  /** `GET /api/v1/incident-update-templates`: first update, regular update, all clear. */
  async templates(): Promise<UpdateTemplate[]> {
    const rows = await this.db.selectFrom('incident_update_templates').selectAll().execute();
    return updateTemplateKinds.map((kind) => {
      const row = rows.find((r) => r.kind === kind);
      return { kind, name: DEFAULT_UPDATE_TEMPLATES[kind].name, text: row?.text ?? DEFAULT_UPDATE_TEMPLATES[kind].text, builtIn: !row, updatedAt: row ? iso(Number(row.updated_at)) : null };
    });
  }

  /** `PUT /api/v1/incident-update-templates/{kind}`: replace a template (400 naming unknown placeholders); null restores the default. */
  async putTemplate(acting: Acting, kind: UpdateTemplateKind, text: string | null): Promise<UpdateTemplate> {
    if (text !== null) {
      const problems = templateProblems(text);
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `body.text: ${problems.join('; ')}`, { issues: problems.map((message) => ({ path: 'body.text', message })) });
    }
    await this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const before = await tx.db.selectFrom('incident_update_templates').selectAll().where('kind', '=', kind).executeTakeFirst();
      if (text === null) await tx.db.deleteFrom('incident_update_templates').where('kind', '=', kind).execute();
      else {
        await tx.db
          .insertInto('incident_update_templates')
          .values({ kind, text, updated_at: now, updated_by: acting.actor.label })
          .onConflict((oc) => oc.column('kind').doUpdateSet({ text, updated_at: now, updated_by: acting.actor.label }))
          .execute();
      }
      await this.deps.audit.record(tx.db, acting.actor, { action: 'incident.update-template', targetType: 'incident-update-template', targetId: kind, before: before?.text ?? null, after: text });
    });
    return (await this.templates()).find((t) => t.kind === kind) as UpdateTemplate;
  }

  // ---- subscriptions

  private async scope(db: Kysely<Database>, scope: IncidentSubscriptionScope, ref: string): Promise<{ id: string; label: string }> {
    switch (scope) {
      case 'incident': {
        const row = await this.deps.incidents.require(db, ref);
        return { id: row.id, label: reference(Number(row.number)) };
      }
      case 'team': {
        const team = await this.deps.catalog.requireTeam(db, ref);
        return { id: team.id, label: team.handle };
      }
      case 'service': {
        const service = await this.deps.services.require(db, ref);
        return { id: service.id, label: service.handle };
      }
    }
  }

  /** Subscriptions of one incident, team or service, oldest first. */
  async list(scope: IncidentSubscriptionScope, ref: string): Promise<IncidentSubscription[]> {
    const db = this.db;
    const target = await this.scope(db, scope, ref);
    const rows = await db.selectFrom('incident_subscriptions').selectAll().where('scope', '=', scope).where('scope_id', '=', target.id).orderBy('created_at').orderBy('id').execute();
    return this.views(db, rows, target.label);
  }

  private async views(db: Kysely<Database>, rows: readonly SubscriptionRow[], scopeLabel: string): Promise<IncidentSubscription[]> {
    const userIds = [...new Set(rows.map((r) => r.user_id).filter((u): u is string => u !== null))];
    const users = userIds.length === 0 ? [] : await db.selectFrom('users').select(['id', 'handle', 'name']).where('id', 'in', userIds).execute();
    return rows.map((r) => {
      const user = users.find((u) => u.id === r.user_id);
      return {
        id: r.id,
        scope: r.scope as IncidentSubscriptionScope,
        scopeId: r.scope_id,
        scopeLabel,
        type: r.type as IncidentSubscription['type'],
        user: user ? { id: user.id, handle: user.handle, name: user.name } : null,
        contactMethodId: r.contact_method_id,
        channel: r.channel,
        address: r.address,
        label: r.label,
        createdAt: iso(Number(r.created_at)),
        createdBy: r.created_by,
      };
    });
  }

  /** `POST …/subscriptions` (responders): a user, an email address or a chat destination. Idempotent per subscriber. */
  async subscribe(acting: Acting, scope: IncidentSubscriptionScope, ref: string, input: CreateIncidentSubscription): Promise<IncidentSubscription> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const target = await this.scope(db, scope, ref);
      let values: Omit<SubscriptionRow, 'id' | 'scope' | 'scope_id' | 'created_at' | 'created_by'>;
      if (input.type === 'user') {
        const user = await db.selectFrom('users').selectAll().where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', input.user), eb('handle', '=', input.user.toLowerCase())])).executeTakeFirst();
        if (!user) throw invalid('body.user', `no active user \`${input.user}\``);
        values = await this.userSubscription(db, user, input.contactMethodId, 'body.contactMethodId');
      } else {
        const full = String(input.address);
        const sealed = sealedSubscriberTypes.includes(input.type);
        if (input.type !== 'email' && !this.deps.channels[input.type]) throw invalid('body.type', channelUnavailableMessage(input.type));
        values = {
          type: input.type, user_id: null, contact_method_id: null, channel: input.type,
          address: sealed ? redacted(full) : full, secret: sealed ? this.deps.secrets.seal(full) : null,
          address_key: `${input.type}:${sha256(full)}`, label: input.label ?? '',
        };
      }
      return this.insertSubscription(tx, acting, scope, target, values);
    });
  }

  /** `PUT …/subscriptions/me` (viewers too): subscribe yourself, to your account email or a verified contact method. */
  async subscribeMe(acting: Acting, scope: IncidentSubscriptionScope, ref: string, input: z.output<typeof subscribeMeSchema>): Promise<IncidentSubscription> {
    const userId = acting.principal?.userId;
    if (!userId) throw new AppError('FORBIDDEN', 'Only a signed-in person can subscribe themselves');
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const target = await this.scope(db, scope, ref);
      const user = await this.deps.catalog.requireUser(db, userId);
      const values = await this.userSubscription(db, user, input.contactMethodId, 'body.contactMethodId');
      // Choosing another contact method replaces the one chosen before.
      await db.updateTable('incident_subscriptions').set({ contact_method_id: values.contact_method_id, channel: values.channel, address: values.address }).where('scope', '=', scope).where('scope_id', '=', target.id).where('address_key', '=', values.address_key).execute();
      return this.insertSubscription(tx, acting, scope, target, values);
    });
  }

  private async userSubscription(db: Kysely<Database>, user: { id: string; email: string }, contactMethodId: string | undefined, path: string): Promise<Omit<SubscriptionRow, 'id' | 'scope' | 'scope_id' | 'created_at' | 'created_by'>> {
    let channel = 'email';
    let address = user.email;
    if (contactMethodId !== undefined) {
      const method = await notifyRepo.findMethod(db, contactMethodId);
      if (!method || method.user_id !== user.id) throw invalid(path, `no contact method \`${contactMethodId}\` of this user`);
      if (method.verified_at === null) throw invalid(path, 'the contact method is not verified yet');
      if (method.type === 'sms' || method.type === 'voice') throw invalid(path, 'updates are not sent by SMS or voice call; choose email, push or a chat method');
      channel = method.type;
      address = method.address;
    }
    return { type: 'user', user_id: user.id, contact_method_id: contactMethodId ?? null, channel, address, secret: null, address_key: `user:${user.id}`, label: '' };
  }

  private async insertSubscription(tx: Tx, acting: Acting, scope: IncidentSubscriptionScope, target: { id: string; label: string }, values: Omit<SubscriptionRow, 'id' | 'scope' | 'scope_id' | 'created_at' | 'created_by'>): Promise<IncidentSubscription> {
    const db = tx.db;
    const now = this.deps.clock.now();
    const row: SubscriptionRow = { id: this.deps.ids(), scope, scope_id: target.id, created_at: now, created_by: acting.actor.label, ...values };
    const inserted = await db.insertInto('incident_subscriptions').values(row).onConflict((oc) => oc.columns(['scope', 'scope_id', 'address_key']).doNothing()).executeTakeFirst();
    const stored = await db.selectFrom('incident_subscriptions').selectAll().where('scope', '=', scope).where('scope_id', '=', target.id).where('address_key', '=', values.address_key).executeTakeFirstOrThrow();
    const [view] = await this.views(db, [stored], target.label);
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
      await this.deps.audit.record(db, acting.actor, { action: 'incident.subscribe', targetType: scope, targetId: target.id, after: view });
    }
    return view as IncidentSubscription;
  }

  /** `DELETE …/subscriptions/{subscription}` (responders). */
  async unsubscribe(acting: Acting, scope: IncidentSubscriptionScope, ref: string, subscriptionId: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const target = await this.scope(tx.db, scope, ref);
      const row = await tx.db.selectFrom('incident_subscriptions').selectAll().where('id', '=', subscriptionId).where('scope', '=', scope).where('scope_id', '=', target.id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `Subscription \`${subscriptionId}\` of ${scope} \`${target.label}\` does not exist`);
      await tx.db.deleteFrom('incident_subscriptions').where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'incident.unsubscribe', targetType: scope, targetId: target.id, before: (await this.views(tx.db, [row], target.label))[0] });
    });
  }

  /** `DELETE …/subscriptions/me` (viewers too): stop following; nothing to do when not subscribed. */
  async unsubscribeMe(acting: Acting, scope: IncidentSubscriptionScope, ref: string): Promise<void> {
    const userId = acting.principal?.userId;
    if (!userId) throw new AppError('FORBIDDEN', 'Only a signed-in person can unsubscribe themselves');
    await this.deps.database.transaction(async (tx) => {
      const target = await this.scope(tx.db, scope, ref);
      const row = await tx.db.selectFrom('incident_subscriptions').selectAll().where('scope', '=', scope).where('scope_id', '=', target.id).where('address_key', '=', `user:${userId}`).executeTakeFirst();
      if (!row) return;
      await tx.db.deleteFrom('incident_subscriptions').where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'incident.unsubscribe', targetType: scope, targetId: target.id, before: (await this.views(tx.db, [row], target.label))[0] });
    });
  }
}

/** The channel address of an outside subscriber. */
function addressFor(type: ContactMethodType, value: string): ContactAddress {
  switch (type) {
    case 'email':
      return { type, email: value };
    case 'ntfy':
      return { type, topic: value };
    case 'webhook':
      return { type, url: value };
    case 'slack':
    case 'teams':
    case 'mattermost':
    case 'discord':
    case 'telegram':
      return { type, handle: value };
    case 'sms':
    case 'voice':
      return { type, phone: value };
    case 'push':
      throw new Error('push subscriptions are never outside subscribers');
  }
}
