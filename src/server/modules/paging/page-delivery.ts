import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import type { TimelineEntry } from '../../../core/alerts/alert.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { PageNotificationsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { PagingMetrics } from '../../platform/metrics.js';
import { alertRepo } from '../alerts/alert.repo.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import { ChannelError, channelUnavailableMessage, type Channels, type PageContext, type ProviderAttempt, type SendResult } from '../notify/channels/channel.js';
import { notifyRepo } from '../notify/notify.repo.js';
import type { NotifyService } from '../notify/notify.service.js';
import { createActionLinks } from './action-links.js';
import { pageMessage, resolvedMessage } from './page-message.js';

export const DELIVER_PAGE_TASK = 'paging.deliver';
export const deliverJobKey = (notificationId: string) => `${DELIVER_PAGE_TASK}:${notificationId}`;
/** Attempts per page: with the task's backoff (5 s doubling to 5 min) about 15 minutes of retrying. */
export const PAGE_MAX_ATTEMPTS = 8;

export interface DeliverPayload {
  notificationId: string;
}

type NotificationRow = PageNotificationsTable;

export interface PageDeliveryDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  jobs: JobScheduler;
  notify: NotifyService;
  catalog: CatalogService;
  /** The live channels (`ProvidersService.channels`): each tries its providers in order. */
  channels: Channels;
  publicUrl: string;
  metrics?: PagingMetrics;
}

const FIREBREAK = 'Firebreak';
const channelName = (type: string) => contactMethodTypeNames[type as ContactMethodType] ?? type;
const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Page delivery: the outbox worker (docs/paging.md, ADRs 0022 and 0025). Sends one `page_notifications`
 * row through its channel at least once — the row's status makes a repeat after success a no-op, and the
 * idempotency key goes to the provider for the window between sending and recording. The channel tries
 * the configured providers in order (`providers/failover.ts`); every attempt and every provider's answer
 * lands on the alert's timeline. When a page to a person fails, their next contact method is tried at
 * once instead of after its delay (`failover`), while this one keeps being retried with backoff.
 */
export class PageDelivery {
  constructor(private readonly deps: PageDeliveryDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The job handler (`paging.deliver`). Throws to be retried with backoff. */
  async deliver(payload: DeliverPayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal }): Promise<'sent' | 'failed' | 'cancelled' | 'skipped'> {
    const claimed = await this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('page_notifications').selectAll().where('id', '=', payload.notificationId).executeTakeFirst();
      if (!row || row.status !== 'pending') return null;
      const alert = await alertRepo.find(tx.db, row.alert_id);
      const now = this.deps.clock.now();
      if (!alert || alert.status !== (row.kind === 'resolved' ? 'resolved' : 'triggered')) {
        await tx.db.updateTable('page_notifications').set({ status: 'cancelled', updated_at: now }).where('id', '=', row.id).execute();
        tx.afterCommit(() => this.deps.metrics?.pageDeliveries.inc({ channel: row.channel, outcome: 'cancelled' }));
        await this.timeline(tx, row.alert_id, now, [{ kind: 'event', action: 'delivery', actor: FIREBREAK, summary: `${capitalized(channelName(row.channel))} page to ${row.address} not sent: the alert was ${alert?.status ?? 'deleted'}`, data: { notificationId: row.id } }]);
        return 'cancelled' as const;
      }
      await tx.db.updateTable('page_notifications').set({ attempts: row.attempts + 1, updated_at: now }).where('id', '=', row.id).execute();
      // Each attempt carries its own links (only their hashes are stored, so a resend cannot repeat them).
      const links = row.kind === 'page' ? await createActionLinks(tx.db, { alertId: row.alert_id, userId: row.user_id, notificationId: row.id, now, publicUrl: this.deps.publicUrl }) : null;
      return { row: { ...row, attempts: row.attempts + 1 }, alert, links };
    });
    if (claimed === null) return 'skipped';
    if (claimed === 'cancelled') return 'cancelled';
    const { row, alert, links } = claimed;
    const what = `${row.kind === 'resolved' ? 'Resolved notice: ' : ''}${capitalized(channelName(row.channel))} to ${row.address}`;
    const lastAttempt = attempt.attempts >= attempt.maxAttempts;

    const channel = this.deps.channels[row.channel as ContactMethodType];
    if (!channel) {
      await this.recordFailure(row, `CHANNEL_NOT_CONFIGURED: ${channelUnavailableMessage(row.channel as ContactMethodType)}`, true, what);
      return 'failed';
    }
    const method = await notifyRepo.findMethod(this.db, row.contact_method_id);
    if (!method || method.verified_at === null) {
      await this.recordFailure(row, 'the contact method was removed or is no longer verified', true, what);
      return 'failed';
    }
    const user = await this.deps.catalog.requireUser(this.db, row.user_id);
    const service = await this.db.selectFrom('services').select(['name', 'runbook_url', 'dashboard_url']).where('id', '=', alert.service_id).executeTakeFirst();
    const alertUrl = `${this.deps.publicUrl}/alerts/${alert.number}`;
    const serviceName = service?.name ?? alert.service_id;
    const text =
      row.kind === 'resolved'
        ? resolvedMessage({ number: alert.number, title: alert.title, serviceName, resolvedBy: alert.resolved_by, resolvedAt: iso(alert.resolved_at ?? this.deps.clock.now()), personName: user.name, alertUrl })
        : pageMessage({
            number: alert.number,
            title: alert.title,
            description: alert.description,
            serviceName,
            severity: alert.severity,
            urgency: alert.urgency,
            status: alert.status,
            eventCount: alert.event_count,
            firstSeenAt: iso(alert.first_seen_at),
            level: row.level,
            round: row.round,
            personName: user.name,
            runbookUrl: service?.runbook_url ?? null,
            dashboardUrl: service?.dashboard_url ?? null,
            links: JSON.parse(alert.links_json) as Array<{ href: string; text: string | null }>,
            alertUrl,
            actionLinks: links,
          });
    const page: PageContext = {
      alertId: alert.id,
      alertNumber: alert.number,
      title: alert.title,
      serviceName,
      severity: alert.severity,
      status: alert.status,
      url: alertUrl,
      actions: links ? { acknowledge: links.acknowledge, resolve: links.resolve } : null,
    };
    const started = this.deps.clock.now();
    try {
      const sent = await channel.send({ to: this.deps.notify.contactAddress(method, user), ...text, kind: row.kind === 'resolved' ? 'notification' : 'page', idempotencyKey: row.idempotency_key, page }, attempt.signal ? { signal: attempt.signal } : {});
      const now = this.deps.clock.now();
      await this.deps.database.transaction(async (tx) => {
        await tx.db
          .updateTable('page_notifications')
          .set({ status: 'sent', sent_at: now, provider_message_id: sent.providerMessageId ?? null, provider: sent.provider?.name ?? null, last_error: null, updated_at: now })
          .where('id', '=', row.id)
          .execute();
        await this.timeline(tx, row.alert_id, now, [
          {
            kind: 'event',
            action: 'delivery',
            actor: FIREBREAK,
            summary: `${what} delivered${viaProviders(sent)} (attempt ${row.attempts}, ${now - started} ms)`,
            data: { notificationId: row.id, attempt: row.attempts, providerMessageId: sent.providerMessageId ?? null, provider: sent.provider?.name ?? null, providers: sent.attempts ?? [], latencyMs: now - started },
          },
        ]);
      });
      this.countDelivery(row, 'sent', now);
      return 'sent';
    } catch (error) {
      const permanent = error instanceof ChannelError && error.permanent;
      const message = error instanceof Error ? error.message : String(error);
      const attempts = error instanceof ChannelError ? error.attempts : [];
      const final = permanent || lastAttempt;
      const outcome = await this.recordFailure(row, message, final, what, attempt, attempts);
      // The first failure (or a final one) brings the person's next contact method forward.
      if (row.kind === 'page' && (row.attempts === 1 || final)) await this.failover(row.id);
      if (outcome === 'failed') return 'failed';
      throw error;
    }
  }

  /**
   * A page to a person failed (or its provider reported it undelivered): try their next contact method
   * now. The next pending page of the same step to the same person is made due at once; when there is
   * none, a page goes to their first verified contact method not yet tried in this step. Idempotent: a
   * second call finds the next page already due, or the failover page already queued.
   */
  async failover(notificationId: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const failed = await db.selectFrom('page_notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
      if (!failed || failed.kind !== 'page') return;
      const alert = await alertRepo.find(db, failed.alert_id);
      if (!alert || alert.status !== 'triggered') return;
      const now = this.deps.clock.now();
      const step = await db
        .selectFrom('page_notifications')
        .selectAll()
        .where('alert_id', '=', failed.alert_id)
        .where('user_id', '=', failed.user_id)
        .where('generation', '=', failed.generation)
        .where('kind', '=', 'page')
        .orderBy('due_at')
        .orderBy('created_at')
        .execute();
      const user = await db.selectFrom('users').select(['handle']).where('id', '=', failed.user_id).executeTakeFirst();
      const who = `@${user?.handle ?? failed.user_id}`;
      const failedWhat = `${channelName(failed.channel)} to ${failed.address}`;
      const next = step.find((r) => r.status === 'pending' && r.id !== failed.id && r.due_at > now);
      if (next) {
        await db.updateTable('page_notifications').set({ due_at: now, updated_at: now }).where('id', '=', next.id).execute();
        await this.deps.jobs.addJob<DeliverPayload>(tx, { task: DELIVER_PAGE_TASK, key: deliverJobKey(next.id), runAt: now, payload: { notificationId: next.id }, maxAttempts: PAGE_MAX_ATTEMPTS });
        const minutes = Math.round((next.due_at - now) / 60_000);
        await this.timeline(tx, failed.alert_id, now, [
          { kind: 'event', action: 'page', actor: FIREBREAK, summary: `Failover: ${failedWhat} failed, so ${who}'s ${channelName(next.channel).toLowerCase()} (${next.address}) is tried now instead of in ${minutes} min`, data: { notificationId: next.id, failedNotificationId: failed.id, userId: failed.user_id } },
        ]);
        return;
      }
      const tried = new Set(step.map((r) => r.contact_method_id));
      const methods = (await notifyRepo.listMethods(db, failed.user_id)).filter((m) => m.verified_at !== null && !tried.has(m.id) && this.deps.channels[m.type as ContactMethodType] !== undefined);
      const method = methods[0];
      if (!method) return;
      const id = this.deps.ids();
      const inserted = await db
        .insertInto('page_notifications')
        .values({
          id,
          kind: 'page',
          alert_id: failed.alert_id,
          idempotency_key: `failover:${failed.alert_id}:${failed.generation}:${failed.user_id}:${method.id}`,
          user_id: failed.user_id,
          contact_method_id: method.id,
          channel: method.type,
          address: method.address,
          level: failed.level,
          round: failed.round,
          generation: failed.generation,
          status: 'pending',
          due_at: now,
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
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return;
      await this.deps.jobs.addJob<DeliverPayload>(tx, { task: DELIVER_PAGE_TASK, key: deliverJobKey(id), runAt: now, payload: { notificationId: id }, maxAttempts: PAGE_MAX_ATTEMPTS });
      await this.timeline(tx, failed.alert_id, now, [
        { kind: 'event', action: 'page', actor: FIREBREAK, summary: `Failover: ${failedWhat} failed, so ${who} is paged by ${channelName(method.type).toLowerCase()} (${method.address}) now`, data: { notificationId: id, failedNotificationId: failed.id, userId: failed.user_id, channel: method.type } },
      ]);
    });
  }

  private async recordFailure(row: NotificationRow, message: string, final: boolean, what: string, attempt?: { attempts: number; maxAttempts: number }, providers: ProviderAttempt[] = []): Promise<'failed' | 'retry'> {
    const now = this.deps.clock.now();
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('page_notifications').set({ status: final ? 'failed' : 'pending', last_error: message.slice(0, 2000), updated_at: now }).where('id', '=', row.id).execute();
      const summary = final ? `${what} failed: ${message}` : `${what} failed (attempt ${row.attempts} of ${attempt?.maxAttempts ?? PAGE_MAX_ATTEMPTS}), retrying: ${message}`;
      await this.timeline(tx, row.alert_id, now, [{ kind: 'event', action: 'delivery', actor: FIREBREAK, summary, data: { notificationId: row.id, attempt: row.attempts, error: message, final, providers } }]);
    });
    this.countDelivery(row, final ? 'failed' : 'retry', now);
    return final ? 'failed' : 'retry';
  }

  /** Counts one channel answer; a page handed over also records how long after it was due. */
  private countDelivery(row: NotificationRow, outcome: 'sent' | 'retry' | 'failed', now: number): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.pageDeliveries.inc({ channel: row.channel, outcome });
    if (outcome === 'sent') metrics.pageDeliverySeconds.observe({ channel: row.channel }, Math.max(0, now - row.due_at) / 1000);
  }

  private async timeline(tx: Tx, alertId: string, at: number, entries: readonly TimelineEntry[]): Promise<void> {
    await alertRepo.insertTimeline(tx.db, this.deps.ids, alertId, at, entries);
  }
}

/**
 * " via twilio-backup after twilio-main failed (HTTP 503)" when a provider failed over; "" when the
 * first provider took it (its name is on the row and in the entry's data).
 */
function viaProviders(sent: SendResult): string {
  const failed = (sent.attempts ?? []).filter((a) => !a.ok);
  if (!sent.provider || failed.length === 0) return '';
  return ` via ${sent.provider.name} after ${failed.map((a) => `${a.provider} failed (${(a.error ?? '').slice(0, 120)})`).join(', ')}`;
}
