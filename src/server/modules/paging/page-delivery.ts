import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import type { TimelineEntry } from '../../../core/alerts/alert.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { PageNotificationsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { PagingMetrics } from '../../platform/metrics.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { alertRepo, type AlertRow } from '../alerts/alert.repo.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import { ChannelError, channelUnavailableMessage, MAX_SUBJECT_LENGTH, type Channels, type PageContext, type ProviderAttempt, type SendResult } from '../notify/channels/channel.js';
import { notifyRepo, type ContactMethodRow } from '../notify/notify.repo.js';
import type { UserRow } from '../catalog/catalog.repo.js';
import type { NotifyService } from '../notify/notify.service.js';
import { createActionLinks, type PageAction } from './action-links.js';
import { DELIVER_PAGE_TASK, deliverJobKey, PAGE_MAX_ATTEMPTS, queuePage, type DeliverPayload } from './outbox.js';
import { INCIDENT_REQUEST_LABEL, pageMessage, resolvedMessage, type PagePurpose } from './page-message.js';

export const DIGEST_TASK = 'paging.digest';
export const digestJobKey = (contactMethodId: string) => `${DIGEST_TASK}:${contactMethodId}`;
/**
 * Throttling (ADR 0025): once a person was sent this many pages through one contact method within
 * {@link DIGEST_WINDOW_MS}, further pages to it wait {@link DIGEST_DELAY_MS} and go out together in one
 * digest: a burst of 40 alerts is 3 texts and a digest, not 40 texts.
 */
export const DIGEST_AFTER_PAGES = 3;
export const DIGEST_WINDOW_MS = 5 * 60_000;
export const DIGEST_DELAY_MS = 60_000;
const DIGEST_MAX_LINES = 15;

export interface DigestPayload {
  contactMethodId: string;
}

type NotificationRow = PageNotificationsTable;

/** One attempt of a page, claimed: the row as counted, its alert and the links it carries. */
interface ClaimedAttempt {
  row: NotificationRow;
  alert: AlertRow;
  links: (Record<PageAction, string> & { expiresAt: number }) | null;
}

/** A page the channel took, to be recorded (`PageDelivery.sentRecords`). */
interface SentRecord {
  row: NotificationRow;
  now: number;
  started: number;
  sent: SendResult;
  /** "Email to ana@example.com" (with "Resolved notice: " first for one). */
  what: string;
  completeIn?: (tx: Tx) => Promise<void>;
}

/** First attempts claimed ahead and not yet run (`claimFirstAttempt`): a bound, should jobs run elsewhere. */
const MAX_CLAIMED_AHEAD = 10_000;

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
  /** See `claimFirstAttempt`: by notification id. */
  private readonly claimedAhead = new Map<string, ClaimedAttempt>();

  /**
   * Sent pages are recorded together: those that finish while a record commits share the next commit
   * (one per batch instead of one per page). Callers hear back at commit, without waiting for the disk
   * (ADR 0035): nothing acts on the record before the commits after it, and if a power cut loses it the
   * page is sent again (at least once, same idempotency key).
   */
  private readonly sentRecords: GroupCommit<SentRecord, void>;

  constructor(private readonly deps: PageDeliveryDeps) {
    this.sentRecords = new GroupCommit<SentRecord, void>({
      database: deps.database,
      apply: (tx, record) => this.recordSentIn(tx, record),
      alone: (record) => deps.database.transaction((tx) => this.recordSentIn(tx, record)),
      maxBatch: 64,
      concurrency: deps.database.capabilities.inProcess ? 1 : 4,
      waitForDisk: false,
    });
  }

  /** A sent page's record: its row, a line on the timeline, and its delivery job done with the same commit. */
  private async recordSentIn(tx: Tx, { row, now, started, sent, what, completeIn }: SentRecord): Promise<void> {
    const record = this.deps.database.precompiled('page_notifications.sent', (db, p) =>
      db.updateTable('page_notifications').set({ status: 'sent', sent_at: p('now'), provider_message_id: p('messageId'), provider: p('provider'), last_error: null, updated_at: p('now') }).where('id', '=', p('id')),
    );
    await this.deps.database.run(record, { now, messageId: sent.providerMessageId ?? null, provider: sent.provider?.name ?? null, id: row.id }, tx);
    await this.timeline(tx, row.alert_id, now, [
      {
        kind: 'event',
        action: 'delivery',
        actor: FIREBREAK,
        summary: `${what} delivered${viaProviders(sent)} (attempt ${row.attempts}, ${now - started} ms)`,
        data: { notificationId: row.id, attempt: row.attempts, providerMessageId: sent.providerMessageId ?? null, provider: sent.provider?.name ?? null, providers: sent.attempts ?? [], latencyMs: now - started },
      },
    ]);
    await completeIn?.(tx);
  }

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Claims one attempt of a pending page in `tx`: cancelled if its alert moved on, held for a digest, or
   * counted (`attempts` + 1) with fresh acknowledge and resolve links (only their hashes are stored, so a
   * resend cannot repeat them).
   */
  private async claimIn(tx: Tx, row: NotificationRow, alert: AlertRow | undefined, now: number): Promise<'cancelled' | 'digest' | ClaimedAttempt> {
    if (!alert || alert.status !== (row.kind === 'resolved' ? 'resolved' : 'triggered')) {
      await tx.db.updateTable('page_notifications').set({ status: 'cancelled', updated_at: now }).where('id', '=', row.id).execute();
      tx.afterCommit(() => this.deps.metrics?.pageDeliveries.inc({ channel: row.channel, outcome: 'cancelled' }));
      await this.timeline(tx, row.alert_id, now, [{ kind: 'event', action: 'delivery', actor: FIREBREAK, summary: `${capitalized(channelName(row.channel))} page to ${row.address} not sent: the alert was ${alert?.status ?? 'deleted'}`, data: { notificationId: row.id } }]);
      return 'cancelled';
    }
    // Test pages and shadow copies keep their marks: never folded into a digest.
    if (row.kind === 'page' && row.attempts === 0 && !row.test && !row.shadow && (await this.holdForDigest(tx, row, now))) return 'digest';
    const count = this.deps.database.precompiled('page_notifications.countAttempt', (db, p) => db.updateTable('page_notifications').set({ attempts: p('attempts'), updated_at: p('now') }).where('id', '=', p('id')));
    await this.deps.database.run(count, { attempts: row.attempts + 1, now, id: row.id }, tx);
    const links = row.kind === 'page' ? await createActionLinks(this.deps.database, tx, { alertId: row.alert_id, userId: row.user_id, notificationId: row.id, now, publicUrl: this.deps.publicUrl }) : null;
    return { row: { ...row, attempts: row.attempts + 1 }, alert, links };
  }

  /**
   * Claims the first attempt of a page due now in the transaction that queues it (the escalation step's),
   * so its delivery job, started as that transaction commits (`JobSpec.startOnCommit`), goes straight to
   * the channel: no transaction of its own before the send (ADR 0044). The claim is kept in memory for
   * the job's first attempt. If this process never runs that attempt (it stops, or another node claims
   * the job), whoever runs it claims an attempt afresh: the page is still sent, with links of its own.
   */
  async claimFirstAttempt(tx: Tx, row: NotificationRow, alert: AlertRow): Promise<void> {
    const claimed = await this.claimIn(tx, row, alert, this.deps.clock.now());
    if (typeof claimed === 'string') return;
    if (this.claimedAhead.size >= MAX_CLAIMED_AHEAD) this.claimedAhead.clear();
    this.claimedAhead.set(row.id, claimed);
    tx.afterRollback(() => this.claimedAhead.delete(row.id));
  }

  /** The job handler (`paging.deliver`). Throws to be retried with backoff. */
  async deliver(payload: DeliverPayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal; completeIn?: (tx: Tx) => Promise<void> }): Promise<'sent' | 'failed' | 'cancelled' | 'skipped' | 'digest'> {
    const ahead = attempt.attempts === 1 ? this.claimedAhead.get(payload.notificationId) : undefined;
    this.claimedAhead.delete(payload.notificationId);
    const claimed =
      ahead ??
      (await this.deps.database.transaction(async (tx) => {
        const row = await tx.db.selectFrom('page_notifications').selectAll().where('id', '=', payload.notificationId).executeTakeFirst();
        if (!row || row.status !== 'pending') return null;
        return this.claimIn(tx, row, await alertRepo.find(tx.db, row.alert_id), this.deps.clock.now());
      }));
    if (claimed === null) return 'skipped';
    if (claimed === 'cancelled') return 'cancelled';
    if (claimed === 'digest') return 'digest';
    const { row, alert, links } = claimed;
    const what = `${row.kind === 'resolved' ? 'Resolved notice: ' : ''}${capitalized(channelName(row.channel))} to ${row.address}`;
    const lastAttempt = attempt.attempts >= attempt.maxAttempts;

    const channel = this.deps.channels[row.channel as ContactMethodType];
    if (!channel) {
      await this.recordFailure(row, `CHANNEL_NOT_CONFIGURED: ${channelUnavailableMessage(row.channel as ContactMethodType)}`, true, what);
      return 'failed';
    }
    // Committed state, read without waiting for the writer's connection (built once: every page reads them).
    const { database } = this.deps;
    const methodQuery = database.precompiled('contact_methods.byId', (db, p) => db.selectFrom('contact_methods').selectAll().where('id', '=', p('id')));
    const userQuery = database.precompiled('users.byId', (db, p) => db.selectFrom('users').selectAll().where('id', '=', p('id')));
    const serviceQuery = database.precompiled('services.pageDetails', (db, p) => db.selectFrom('services').select(['name', 'runbook_url', 'dashboard_url']).where('id', '=', p('id')));
    const [method] = (await database.run<ContactMethodRow>(methodQuery, { id: row.contact_method_id })).rows;
    if (!method || method.verified_at === null) {
      await this.recordFailure(row, 'the contact method was removed or is no longer verified', true, what);
      return 'failed';
    }
    const user = (await database.run<UserRow>(userQuery, { id: row.user_id })).rows[0] ?? (await this.deps.catalog.requireUser(this.db, row.user_id));
    const [service] = (await database.run<{ name: string; runbook_url: string | null; dashboard_url: string | null }>(serviceQuery, { id: alert.service_id })).rows;
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
            // A shadow copy is for information: its reader is not the one to answer it.
            actionLinks: row.shadow === 1 ? null : links,
            purpose: this.purposeOf(row, alert.labels_json),
          });
    const page: PageContext = {
      alertId: alert.id,
      alertNumber: alert.number,
      title: alert.title,
      serviceName,
      severity: alert.severity,
      status: alert.status,
      url: alertUrl,
      actions: links && row.shadow !== 1 ? { acknowledge: links.acknowledge, resolve: links.resolve } : null,
      ...(row.test === 1 ? { test: true } : {}),
      ...(row.shadow === 1 ? { shadow: true } : {}),
    };
    // Test pages and shadow copies say so first, where phones and previews show only the subject.
    const mark = row.test === 1 ? '[TEST] ' : row.shadow === 1 ? '[SHADOW] ' : '';
    if (mark !== '' && row.kind === 'page') {
      text.subject = fitSubject(`${mark}${text.subject}`);
      // Not "You are paged as level N …": a test page and a shadow copy make nobody responsible.
      const role = row.test === 1 ? `This is a test page, ${user.name}: nothing is wrong. Acknowledge it to check the acknowledge path; it resolves itself after 30 minutes otherwise.` : `This is a shadow copy for your information, ${user.name}: the person on call is the one to answer it.`;
      // (…nor "INC-42 needs you, Ana: acknowledge…" for a shadow copy of a responder request.)
      text.text = text.text.replace(/(?:You are paged as|You were added as a responder|INC-\d+ needs you,) [^\n]*$/, role);
    }
    const started = this.deps.clock.now();
    try {
      const sent = await channel.send({ to: this.deps.notify.contactAddress(method, user), ...text, kind: row.kind === 'resolved' ? 'notification' : 'page', idempotencyKey: row.idempotency_key, page, recipient: { id: user.id, handle: user.handle, name: user.name } }, attempt.signal ? { signal: attempt.signal } : {});
      const now = this.deps.clock.now();
      await this.sentRecords.submit({ row, now, started, sent, what, ...(attempt.completeIn ? { completeIn: attempt.completeIn } : {}) });
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

  /** Why the row pages its person: an incident's responder request (by its alert's label), an added responder, or a level. */
  private purposeOf(row: NotificationRow, labelsJson: string): PagePurpose {
    const incident = (JSON.parse(labelsJson) as Record<string, string>)[INCIDENT_REQUEST_LABEL];
    if (incident) return { kind: 'incident', incident, warRoomUrl: `${this.deps.publicUrl}/incidents/${encodeURIComponent(incident)}` };
    return row.idempotency_key.startsWith('responder:') ? { kind: 'responder' } : { kind: 'escalation' };
  }

  /**
   * Holds a page for a digest when its contact method already carried {@link DIGEST_AFTER_PAGES}
   * pages within the window: status `digest`, and the method's one digest job (added unless one is
   * pending, so a steady stream cannot postpone it).
   */
  private async holdForDigest(tx: Tx, row: NotificationRow, now: number): Promise<boolean> {
    const count = this.deps.database.precompiled('page_notifications.recentlySent', (db, p) =>
      db
        .selectFrom('page_notifications')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('contact_method_id', '=', p('method'))
        .where('kind', '=', 'page')
        .where('status', '=', 'sent')
        .where('sent_at', '>', p('since')),
    );
    const [recent] = (await this.deps.database.run<{ n: number | string }>(count, { method: row.contact_method_id, since: now - DIGEST_WINDOW_MS }, tx)).rows;
    if (Number(recent?.n ?? 0) < DIGEST_AFTER_PAGES) return false;
    await tx.db.updateTable('page_notifications').set({ status: 'digest', updated_at: now }).where('id', '=', row.id).execute();
    const pending = await tx.db.selectFrom('jobs').select(['job_key']).where('job_key', '=', digestJobKey(row.contact_method_id)).executeTakeFirst();
    if (!pending) await this.deps.jobs.addJob<DigestPayload>(tx, { task: DIGEST_TASK, key: digestJobKey(row.contact_method_id), runAt: now + DIGEST_DELAY_MS, payload: { contactMethodId: row.contact_method_id }, maxAttempts: PAGE_MAX_ATTEMPTS });
    await this.timeline(tx, row.alert_id, now, [
      { kind: 'event', action: 'page', actor: FIREBREAK, summary: `${capitalized(channelName(row.channel))} page to ${row.address} held for a digest: ${DIGEST_AFTER_PAGES} or more pages went there in the last ${DIGEST_WINDOW_MS / 60_000} min`, data: { notificationId: row.id } },
    ]);
    return true;
  }

  /**
   * The digest job: one message listing every page held for this contact method whose alert is still
   * triggered (others are cancelled). Retried with backoff like a page; a final failure fails each held
   * page and fails over to the person's next contact method.
   */
  async deliverDigest(payload: DigestPayload, attempt: { attempts: number; maxAttempts: number; signal?: AbortSignal }): Promise<'sent' | 'failed' | 'empty'> {
    const now = this.deps.clock.now();
    const held = await this.db.selectFrom('page_notifications').selectAll().where('contact_method_id', '=', payload.contactMethodId).where('status', '=', 'digest').orderBy('created_at').orderBy('id').execute();
    const alerts = await Promise.all(held.map((r) => alertRepo.find(this.db, r.alert_id)));
    const live = held.filter((_, i) => alerts[i]?.status === 'triggered');
    const gone = held.filter((_, i) => alerts[i]?.status !== 'triggered');
    if (gone.length > 0) {
      await this.deps.database.transaction(async (tx) => {
        await tx.db.updateTable('page_notifications').set({ status: 'cancelled', updated_at: now }).where('id', 'in', gone.map((r) => r.id)).where('status', '=', 'digest').execute();
      });
    }
    if (live.length === 0) return 'empty';
    const first = live[0]!;
    const channel = this.deps.channels[first.channel as ContactMethodType];
    const method = await notifyRepo.findMethod(this.db, payload.contactMethodId);
    const what = `${capitalized(channelName(first.channel))} digest to ${first.address}`;
    const failAll = async (message: string) => {
      await this.deps.database.transaction(async (tx) => {
        await tx.db.updateTable('page_notifications').set({ status: 'failed', last_error: message.slice(0, 2000), updated_at: now }).where('id', 'in', live.map((r) => r.id)).execute();
        for (const r of live) await this.timeline(tx, r.alert_id, now, [{ kind: 'event', action: 'delivery', actor: FIREBREAK, summary: `${what} failed: ${message}`, data: { notificationId: r.id, final: true } }]);
      });
      for (const r of live) await this.failover(r.id);
      return 'failed' as const;
    };
    if (!channel) return failAll(`CHANNEL_NOT_CONFIGURED: ${channelUnavailableMessage(first.channel as ContactMethodType)}`);
    if (!method || method.verified_at === null) return failAll('the contact method was removed or is no longer verified');
    const user = await this.deps.catalog.requireUser(this.db, first.user_id);
    const byId = new Map(alerts.filter((a) => a !== undefined).map((a) => [a.id, a]));
    const lines = live.slice(0, DIGEST_MAX_LINES).map((r) => {
      const a = byId.get(r.alert_id)!;
      return `#${a.number} ${a.title} (${a.severity})`;
    });
    if (live.length > DIGEST_MAX_LINES) lines.push(`…and ${live.length - DIGEST_MAX_LINES} more`);
    const subject = `${live.length} more alerts for you`;
    const text = [`${live.length} more alerts were paged to you in the last minutes; they are collapsed here instead of one message each.`, '', ...lines, '', `Open them: ${this.deps.publicUrl}/alerts?status=triggered`].join('\n');
    const started = this.deps.clock.now();
    try {
      const sent = await channel.send({ to: this.deps.notify.contactAddress(method, user), subject, text, kind: 'page', idempotencyKey: `digest:${payload.contactMethodId}:${live.map((r) => r.id).join(',')}`.slice(0, 200), recipient: { id: user.id, handle: user.handle, name: user.name } }, attempt.signal ? { signal: attempt.signal } : {});
      const done = this.deps.clock.now();
      await this.deps.database.transaction(async (tx) => {
        await tx.db
          .updateTable('page_notifications')
          .set({ status: 'sent', sent_at: done, attempts: attempt.attempts, provider_message_id: sent.providerMessageId ?? null, provider: sent.provider?.name ?? null, last_error: null, updated_at: done })
          .where('id', 'in', live.map((r) => r.id))
          .execute();
        for (const r of live) {
          await this.timeline(tx, r.alert_id, done, [{ kind: 'event', action: 'delivery', actor: FIREBREAK, summary: `${what} delivered${viaProviders(sent)}, with ${live.length} alerts (${done - started} ms)`, data: { notificationId: r.id, digestOf: live.length, providerMessageId: sent.providerMessageId ?? null } }]);
        }
      });
      for (const r of live) this.countDelivery(r, 'sent', done);
      return 'sent';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if ((error instanceof ChannelError && error.permanent) || attempt.attempts >= attempt.maxAttempts) return failAll(message);
      for (const r of live) this.countDelivery(r, 'retry', this.deps.clock.now());
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
      // A shadow copy that failed is not failed over: the shadow is not the one responsible.
      if (!failed || failed.kind !== 'page' || failed.shadow === 1) return;
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
      const queued = await queuePage(this.deps.database, tx, this.deps.jobs, {
        id,
        kind: 'page',
        alertId: failed.alert_id,
        idempotencyKey: `failover:${failed.alert_id}:${failed.generation}:${failed.user_id}:${method.id}`,
        userId: failed.user_id,
        contactMethodId: method.id,
        channel: method.type,
        address: method.address,
        level: failed.level,
        round: failed.round,
        generation: failed.generation,
        dueAt: now,
        now,
      });
      if (!queued) return;
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
    await alertRepo.hot.insertTimeline(this.deps.database, tx, this.deps.ids, alertId, at, entries);
  }
}

/** Cuts a subject to the channels' limit with an ellipsis. */
function fitSubject(subject: string): string {
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
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
