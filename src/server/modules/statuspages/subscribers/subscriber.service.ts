import type { Kysely } from 'kysely';
import { AppError } from '../../../../contracts/errors.js';
import type { CreatedSubscriber, Subscriber, SubscriberKind, SubscriberList, createSubscriberSchema, listSubscribersQuery } from '../../../../contracts/status-subscribers.js';
import { subscriberKinds } from '../../../../contracts/status-subscribers.js';
import { componentJson, incidentJson, statusJson } from '../../../../core/statuspages/statuspage-json.js';
import type { z } from 'zod';
import type { Clock } from '../../../platform/clock.js';
import { hashToken, randomToken, type SecretBox } from '../../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, StatusSubscribersTable } from '../../../platform/db/schema.js';
import { checkOutboundUrl, OutboundRefused, outboundRequest } from '../../../platform/http/outbound.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import { ChannelError, channelUnavailableMessage, MAX_SUBJECT_LENGTH, type Channels } from '../../notify/channels/channel.js';
import type { StatusPageService, SubscriberEvent } from '../statuspage.service.js';
import { statusWord } from '../../../../core/statuspages/status.js';
import { PrivatePageVisitors } from '../access/visitor-access.js';
import { formatter } from '../statuspage.render.js';
import { noticeEmail, signWebhook, slackBody, teamsBody, webhookBody, type Notice, type SubscriberLinks } from './subscriber-messages.js';

/** One keyed job per event: reads the public facts once, then queues one send per matching subscriber. */
export const FANOUT_TASK = 'statuspage-subscribers.fan-out';
/** One keyed job per event and subscriber: retried with backoff, idempotent (delivery rows, event ids). */
export const SEND_TASK = 'statuspage-subscribers.send';
/** The confirmation mail (or "you are already subscribed" with the manage link) of a sign-up. */
export const CONFIRM_MAIL_TASK = 'statuspage-subscribers.confirm-mail';

/** The reminder before a maintenance starts (keyed per maintenance, moved with its start). */
export const REMINDER_TASK = 'statuspage-subscribers.reminder';

export interface FanOutPayload {
  eventId: string;
  event: SubscriberEvent;
  /** The reminder before a maintenance starts (queued by the reminder job), rather than the event itself. */
  reminder?: boolean;
}
export interface ReminderPayload {
  maintenanceId: string;
}
export interface SendPayload {
  eventId: string;
  subscriberId: string;
}
export interface ConfirmMailPayload {
  subscriberId: string;
  /** The confirmation token, sealed (job rows are readable by anyone with the database); null: a manage-link reminder. */
  sealedToken: string | null;
}

/** How long a confirmation link works. */
export const CONFIRMATION_TTL_MS = 48 * 3_600_000;
/** No second sign-up mail to one address within this. */
export const RESEND_AFTER_MS = 10 * 60_000;
/** Sign-up mails per page per 24 h, whoever asks: a flood of sign-ups cannot turn Firebreak into a spam cannon. */
export const DAILY_SIGNUPS_PER_PAGE = 1000;
/** Events and their delivery records are kept this long (far past the last retry), then dropped by a later fan-out. */
export const EVENT_RETENTION_MS = 30 * 86_400_000;
/** Attempts per delivery; with the backoff (30 s doubling to 1 h) about eight hours of trying. */
export const SEND_MAX_ATTEMPTS = 12;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const isoNN = (ms: number): string => new Date(Number(ms)).toISOString();
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });

/** A delivery the receiver refused for good (a 4xx other than 408/429, a refused address): not retried. */
export class DeliveryRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryRefused';
  }
}

/** A failure worth retrying, with the wait the receiver asked for (`Retry-After`), if any. */
class DeliveryFailed extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryFailed';
  }
}

interface PublicComponent {
  id: string;
  name: string;
  group: boolean;
  groupId: string | null;
}

export interface ManageView {
  page: { id: string; slug: string; name: string; url: string };
  subscriber: { id: string; kind: SubscriberKind; target: string; components: string[] };
  components: PublicComponent[];
}

export type ConfirmOutcome =
  | { kind: 'unknown' }
  | { kind: 'expired'; page: { name: string; url: string } }
  | { kind: 'confirmed'; manageToken: string; view: ManageView; activatedWebhooks: { host: string; signingSecret: string }[] };

/**
 * Status-page subscribers (issue 7 "Subscribers", ADR 0039): the admin API, the public sign-up with
 * double opt-in and management by link, and delivery. Every public change of a page
 * (`StatusPageService.onSubscriberEvent`) adds one keyed fan-out job in the writing transaction; the
 * fan-out builds the event's public notice once from the page's public snapshot and adds one keyed
 * send job per confirmed subscriber whose components match.
 */
export class StatusSubscribers {
  /**
   * Sign-in by email for visitors of private pages (ADR 0041). Kept here because it needs the same
   * delivery seams (mail, jobs, sealed secrets) and is served by the same public plugin.
   */
  readonly visitors: PrivatePageVisitors;

  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      jobs: JobScheduler;
      secrets: SecretBox;
      channels: Channels;
      pages: StatusPageService;
      publicUrl: string;
      allowPrivate: boolean;
      dailySignupsPerPage?: number;
    },
  ) {
    deps.pages.onSubscriberEvent(async (tx, event) => this.enqueue(tx, event));
    this.visitors = new PrivatePageVisitors({ database: deps.database, clock: deps.clock, jobs: deps.jobs, secrets: deps.secrets, channels: deps.channels, publicUrl: deps.publicUrl });
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  // ---- events ---------------------------------------------------------------------------------

  /** In the writer's transaction: one keyed fan-out job per event, when the page has anyone to tell. */
  private async enqueue(tx: Tx, event: SubscriberEvent): Promise<void> {
    if (event.type === 'maintenance') {
      await this.planReminder(tx, event);
      // Only the reminder's setting changed: nothing to tell.
      if (event.action === 'reminder') return;
    }
    const anyone = await tx.db.selectFrom('status_subscribers').select('id').where('page_id', '=', event.pageId).where('confirmed_at', 'is not', null).limit(1).executeTakeFirst();
    if (!anyone) return;
    const eventId = this.deps.ids();
    await this.deps.jobs.addJob<FanOutPayload>(tx, { task: FANOUT_TASK, key: `${FANOUT_TASK}:${eventId}`, payload: { eventId, event } });
  }

  /**
   * Keeps a maintenance's reminder (issue 7 "an optional reminder to subscribers") where its setting and
   * start say, in the writer's transaction: one keyed job at start − minutes, moved when rescheduled,
   * dropped when the setting is cleared, the maintenance starts or completes, or the time has passed (the
   * "scheduled" notice just went out). The job checks again when it runs (a deleted maintenance finds nothing).
   */
  private async planReminder(tx: Tx, event: Extract<SubscriberEvent, { type: 'maintenance' }>): Promise<void> {
    const key = `${REMINDER_TASK}:${event.incidentId}`;
    const now = this.deps.clock.now();
    if (event.remindMinutesBefore === null) await tx.db.deleteFrom('status_maintenance_reminders').where('maintenance_id', '=', event.incidentId).execute();
    else if (event.remindMinutesBefore !== undefined) {
      const minutes = event.remindMinutesBefore;
      await tx.db
        .insertInto('status_maintenance_reminders')
        .values({ maintenance_id: event.incidentId, page_id: event.pageId, minutes_before: minutes, reminded_for: null, updated_at: now })
        .onConflict((oc) => oc.column('maintenance_id').doUpdateSet({ minutes_before: minutes, updated_at: now }))
        .execute();
    }
    if (event.action === 'started' || event.action === 'completed') {
      await this.deps.jobs.removeJob(tx, key);
      return;
    }
    const reminder = await tx.db.selectFrom('status_maintenance_reminders').selectAll().where('maintenance_id', '=', event.incidentId).executeTakeFirst();
    const row = await tx.db.selectFrom('status_incidents').select(['status', 'scheduled_for']).where('id', '=', event.incidentId).executeTakeFirst();
    const start = row?.scheduled_for == null ? null : Number(row.scheduled_for);
    const at = reminder && start !== null ? start - Number(reminder.minutes_before) * 60_000 : null;
    if (!reminder || row?.status !== 'scheduled' || start === null || at === null || at <= now || Number(reminder.reminded_for) === start) {
      await this.deps.jobs.removeJob(tx, key);
      return;
    }
    await this.deps.jobs.addJob<ReminderPayload>(tx, { task: REMINDER_TASK, key, payload: { maintenanceId: event.incidentId }, runAt: at });
  }

  /**
   * The reminder job: when the maintenance is still scheduled and has not started, one fan-out of a
   * "Reminder" notice to the subscribers who hear of it. Idempotent: the start it reminded of is recorded.
   */
  async remind(payload: ReminderPayload): Promise<'queued' | 'skipped'> {
    return this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('status_incidents').select(['id', 'page_id', 'status', 'scheduled_for']).where('id', '=', payload.maintenanceId).where('kind', '=', 'maintenance').executeTakeFirst();
      const reminder = await tx.db.selectFrom('status_maintenance_reminders').selectAll().where('maintenance_id', '=', payload.maintenanceId).executeTakeFirst();
      const now = this.deps.clock.now();
      if (!row || !reminder || row.status !== 'scheduled' || row.scheduled_for === null) return 'skipped';
      const start = Number(row.scheduled_for);
      if (now >= start || Number(reminder.reminded_for) === start) return 'skipped';
      await tx.db.updateTable('status_maintenance_reminders').set({ reminded_for: start, updated_at: now }).where('maintenance_id', '=', row.id).execute();
      const anyone = await tx.db.selectFrom('status_subscribers').select('id').where('page_id', '=', row.page_id).where('confirmed_at', 'is not', null).limit(1).executeTakeFirst();
      if (!anyone) return 'skipped';
      const eventId = this.deps.ids();
      await this.deps.jobs.addJob<FanOutPayload>(tx, {
        task: FANOUT_TASK,
        key: `${FANOUT_TASK}:${eventId}`,
        payload: { eventId, reminder: true, event: { type: 'maintenance', action: 'scheduled', pageId: row.page_id, incidentId: row.id, updateId: null, at: now } },
      });
      return 'queued';
    });
  }

  /** The fan-out job. Idempotent: the notice is stored once, send jobs are keyed per event and subscriber. */
  async fanOut(payload: FanOutPayload): Promise<{ queued: number }> {
    const stored = await this.db.selectFrom('status_subscriber_events').select('notice_json').where('id', '=', payload.eventId).executeTakeFirst();
    const notice = stored ? (JSON.parse(stored.notice_json) as Notice) : await this.buildNotice(payload.eventId, payload.event, payload.reminder === true);
    if (!notice) return { queued: 0 };
    return this.deps.database.transaction(async (tx) => {
      await tx.db
        .insertInto('status_subscriber_events')
        .values({ id: notice.eventId, page_id: notice.page.id, notice_json: JSON.stringify(notice), created_at: this.deps.clock.now() })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const old = tx.db.selectFrom('status_subscriber_events').select('id').where('page_id', '=', notice.page.id).where('created_at', '<', this.deps.clock.now() - EVENT_RETENTION_MS);
      await tx.db.deleteFrom('status_subscriber_deliveries').where('event_id', 'in', old).execute();
      await tx.db.deleteFrom('status_subscriber_events').where('page_id', '=', notice.page.id).where('created_at', '<', this.deps.clock.now() - EVENT_RETENTION_MS).execute();
      let queued = 0;
      let after = '';
      for (;;) {
        const rows = await tx.db
          .selectFrom('status_subscribers')
          .select(['id', 'kind', 'components_json'])
          .where('page_id', '=', notice.page.id)
          .where('confirmed_at', 'is not', null)
          .where('id', '>', after)
          .orderBy('id')
          .limit(500)
          .execute();
        if (rows.length === 0) break;
        after = (rows.at(-1) as { id: string }).id;
        for (const row of rows) {
          if (!hears(notice, row.kind as SubscriberKind, JSON.parse(row.components_json) as string[])) continue;
          await this.deps.jobs.addJob<SendPayload>(tx, { task: SEND_TASK, key: `${SEND_TASK}:${notice.eventId}:${row.id}`, payload: { eventId: notice.eventId, subscriberId: row.id }, maxAttempts: SEND_MAX_ATTEMPTS });
          queued++;
        }
      }
      return { queued };
    });
  }

  /**
   * The public facts of an event, from the page's public snapshot alone: what a visitor can see of the
   * page right now. Null when there is nothing public to tell (deleted, or a component made private).
   */
  private async buildNotice(eventId: string, event: SubscriberEvent, reminder = false): Promise<Notice | null> {
    const read = await this.deps.pages.snapshot(event.pageId);
    if (!read) return null;
    const s = read.snapshot;
    const status = statusJson(s, this.deps.clock.now());
    const page = { id: s.page.id, name: s.page.name, url: s.page.url, timeZone: s.page.timeZone, statusIndicator: status.indicator, statusDescription: status.description };
    const pageJson = { id: s.page.id, status_indicator: status.indicator, status_description: status.description };
    const groupOf = new Map(s.components.map((c) => [c.id, c.groupId]));
    const withGroups = (ids: Iterable<string>) => {
      const out = new Set<string>();
      for (const id of ids) {
        if (!groupOf.has(id)) continue;
        out.add(id);
        const group = groupOf.get(id);
        if (group) out.add(group);
      }
      return [...out];
    };
    if (event.type === 'component') {
      const c = s.components.find((x) => x.id === event.componentId && !x.group);
      if (!c) return null;
      return {
        eventId,
        type: 'component',
        viaIncident: event.incidentId !== null,
        page,
        title: c.name,
        statusWord: statusWord(event.newStatus),
        body: null,
        componentIds: withGroups([c.id]),
        components: [{ name: c.name, change: `${statusWord(event.oldStatus)} → ${statusWord(event.newStatus)}` }],
        window: null,
        link: s.page.url,
        at: event.at,
        webhook: {
          page: pageJson,
          component_update: { created_at: isoNN(event.at), new_status: event.newStatus, old_status: event.oldStatus, id: eventId, component_id: c.id },
          component: componentJson(s, c),
        },
      };
    }
    const incident = s.incidents.find((i) => i.id === event.incidentId);
    if (!incident) return null;
    const update = event.updateId === null ? undefined : incident.updates.find((u) => u.id === event.updateId);
    const names = new Map(s.components.map((c) => [c.id, c.name]));
    const changed = new Map((update?.affectedComponents ?? []).map((a) => [a.code, a]));
    const ids = new Set([...incident.componentIds, ...changed.keys()]);
    const components = [...ids]
      .filter((id) => names.has(id))
      .map((id) => {
        const a = changed.get(id);
        return { name: names.get(id) as string, change: a && a.oldStatus !== a.newStatus ? `${statusWord(a.oldStatus)} → ${statusWord(a.newStatus)}` : null };
      });
    return {
      eventId,
      type: event.type,
      viaIncident: false,
      page,
      title: incident.name,
      statusWord: reminder ? 'Reminder' : update ? statusWord(update.status) : event.type === 'maintenance' ? 'Rescheduled' : statusWord(incident.status),
      body: reminder && incident.scheduledFor !== null ? `Scheduled maintenance starts at ${formatter(s.page.timeZone).at(incident.scheduledFor)}.` : (update?.body ?? null),
      componentIds: withGroups(ids),
      components,
      window: incident.kind === 'maintenance' && incident.scheduledFor !== null && incident.scheduledUntil !== null ? { from: incident.scheduledFor, until: incident.scheduledUntil } : null,
      link: `${s.page.url}/incidents/${incident.id}`,
      at: event.at,
      webhook: { page: pageJson, incident: incidentJson(s, incident) },
    };
  }

  /**
   * The send job: one event to one subscriber. Idempotent: a delivered event is recorded and skipped on
   * a replay; mail keeps one Message-ID per event and subscriber, webhooks carry `Firebreak-Event-Id`.
   * Throws to be retried; a refusal for good (or the last attempt) is recorded as the subscriber's
   * `lastFailure`.
   */
  async send(payload: SendPayload, job: { attempts: number; maxAttempts: number }, signal?: AbortSignal): Promise<'sent' | 'skipped' | 'duplicate' | 'failed'> {
    const sub = await this.db.selectFrom('status_subscribers').selectAll().where('id', '=', payload.subscriberId).executeTakeFirst();
    if (!sub || sub.confirmed_at === null) return 'skipped';
    const done = await this.db.selectFrom('status_subscriber_deliveries').select('event_id').where('event_id', '=', payload.eventId).where('subscriber_id', '=', sub.id).executeTakeFirst();
    if (done) return 'duplicate';
    const event = await this.db.selectFrom('status_subscriber_events').select('notice_json').where('id', '=', payload.eventId).executeTakeFirst();
    if (!event) return 'skipped';
    const notice = JSON.parse(event.notice_json) as Notice;
    const links = this.links(notice.page.url, this.deps.secrets.open(sub.manage_token_sealed));
    try {
      await this.deliver(sub, notice, links, signal);
    } catch (error) {
      const permanent = error instanceof DeliveryRefused || (error instanceof ChannelError && error.permanent);
      if (permanent || job.attempts >= job.maxAttempts) {
        const message = error instanceof Error ? error.message : String(error);
        await this.db.updateTable('status_subscribers').set({ last_failure_at: this.deps.clock.now(), last_failure: message.slice(0, 500) }).where('id', '=', sub.id).execute();
      }
      if (permanent) return 'failed';
      throw error;
    }
    const now = this.deps.clock.now();
    await this.deps.database.transaction(async (tx) => {
      await tx.db.insertInto('status_subscriber_deliveries').values({ event_id: payload.eventId, subscriber_id: sub.id, delivered_at: now }).onConflict((oc) => oc.columns(['event_id', 'subscriber_id']).doNothing()).execute();
      if (sub.last_failure !== null) await tx.db.updateTable('status_subscribers').set({ last_failure: null, last_failure_at: null }).where('id', '=', sub.id).execute();
    });
    return 'sent';
  }

  private async deliver(sub: StatusSubscribersTable, notice: Notice, links: SubscriberLinks, signal: AbortSignal | undefined): Promise<void> {
    switch (sub.kind) {
      case 'email': {
        const channel = this.deps.channels.email;
        if (!channel) throw new ChannelError(channelUnavailableMessage('email'), false);
        const mail = noticeEmail(notice, links);
        await channel.send(
          { to: { type: 'email', email: sub.email as string }, subject: mail.subject, text: mail.text, html: mail.html, kind: 'notification', idempotencyKey: `status-notice.${notice.eventId}.${sub.id}`, unsubscribeUrl: links.unsubscribe },
          signal ? { signal } : {},
        );
        return;
      }
      case 'webhook': {
        const body = JSON.stringify(webhookBody(notice, links, `${this.deps.publicUrl}/api/docs`));
        const secret = this.deps.secrets.open(sub.secret_sealed as string);
        await this.post(this.deps.secrets.open(sub.url_sealed as string), body, { 'firebreak-signature': signWebhook(secret, body, this.deps.clock.now()), 'firebreak-event-id': notice.eventId }, signal);
        return;
      }
      case 'slack':
        await this.post(this.deps.secrets.open(sub.url_sealed as string), JSON.stringify(slackBody(notice, links)), {}, signal);
        return;
      case 'teams':
        await this.post(this.deps.secrets.open(sub.url_sealed as string), JSON.stringify(teamsBody(notice, links)), {}, signal);
        return;
      default:
        throw new DeliveryRefused(`unknown subscriber kind \`${sub.kind}\``);
    }
  }

  /** POSTs JSON through the SSRF guard; classifies the answer (4xx but 408/429: refused for good). */
  private async post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<void> {
    let answer;
    try {
      answer = await outboundRequest(url, { method: 'POST', body, contentType: 'application/json' }, { allowPrivate: this.deps.allowPrivate, headers, timeoutMs: 10_000, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof OutboundRefused) throw new DeliveryRefused(error.message);
      throw new DeliveryFailed(`The receiver could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (answer.status >= 200 && answer.status < 300) return;
    const what = `The receiver answered HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`;
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) throw new DeliveryRefused(what);
    const retryAfter = answer.headers['retry-after'];
    const seconds = typeof retryAfter === 'string' && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
    throw new DeliveryFailed(what, seconds);
  }

  private links(pageUrl: string, manageToken: string): SubscriberLinks {
    const t = encodeURIComponent(manageToken);
    return { manage: `${pageUrl}/subscription?token=${t}`, unsubscribe: `${pageUrl}/subscription/unsubscribe?token=${t}` };
  }

  // ---- public: sign-up, confirmation, management ------------------------------------------------

  /**
   * A sign-up from the public page. Always the same outcome for the caller, whether the address is new,
   * pending or already subscribed (no enumeration): at most one mail per address per 10 minutes — a
   * confirmation link, or for a confirmed address a link to manage the subscription. A `webhook` URL
   * becomes a webhook subscription that starts once the address confirms.
   */
  async subscribe(pageRef: string, input: { email: string; components: string[]; webhook: string | null }): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.publicPage(db, pageRef);
      await this.checkComponents(db, page.id, input.components, 'body.components');
      if (input.webhook !== null) this.checkUrl(input.webhook, 'body.webhook');
      const now = this.deps.clock.now();
      const cap = this.deps.dailySignupsPerPage ?? DAILY_SIGNUPS_PER_PAGE;
      const today = await db.selectFrom('status_subscriber_confirmations').select((eb) => eb.fn.countAll<string>().as('n')).where('page_id', '=', page.id).where('created_at', '>', now - 86_400_000).executeTakeFirst();
      if (Number(today?.n ?? 0) >= cap) throw new AppError('RATE_LIMITED', `This status page took ${cap} sign-ups in the last 24 hours; try again tomorrow`);
      let sub = await db.selectFrom('status_subscribers').selectAll().where('page_id', '=', page.id).where('kind', '=', 'email').where('email', '=', input.email).executeTakeFirst();
      if (!sub) {
        sub = this.newRow(page.id, 'email', { email: input.email, components: input.components, source: 'public', confirmedAt: null, now }).row;
        await db.insertInto('status_subscribers').values(sub).execute();
      } else if (sub.confirmed_at === null) {
        await db.updateTable('status_subscribers').set({ components_json: JSON.stringify(input.components), updated_at: now }).where('id', '=', sub.id).execute();
      }
      if (input.webhook !== null) {
        // One pending webhook per address: a new request replaces the URL (nothing was ever sent to it).
        await db.deleteFrom('status_subscribers').where('page_id', '=', page.id).where('kind', '=', 'webhook').where('email', '=', input.email).where('confirmed_at', 'is', null).execute();
        const { row } = this.newRow(page.id, 'webhook', { email: input.email, url: input.webhook, components: input.components, source: 'public', confirmedAt: null, now });
        await db.insertInto('status_subscribers').values(row).execute();
      }
      if (sub.last_confirmation_at !== null && Number(sub.last_confirmation_at) > now - RESEND_AFTER_MS) return;
      await db.updateTable('status_subscribers').set({ last_confirmation_at: now }).where('id', '=', sub.id).execute();
      let sealedToken: string | null = null;
      const token = randomToken();
      // Counted against the page's daily cap whether it confirms or reminds.
      await db.insertInto('status_subscriber_confirmations').values({ token_hash: hashToken(token), subscriber_id: sub.id, page_id: page.id, expires_at: now + CONFIRMATION_TTL_MS, created_at: now }).execute();
      // A link to confirm: for a new address, or to start a webhook a confirmed address asked for.
      if (sub.confirmed_at === null || input.webhook !== null) sealedToken = this.deps.secrets.seal(token);
      await this.deps.jobs.addJob<ConfirmMailPayload>(tx, { task: CONFIRM_MAIL_TASK, key: `${CONFIRM_MAIL_TASK}:${sub.id}:${now}`, payload: { subscriberId: sub.id, sealedToken }, maxAttempts: SEND_MAX_ATTEMPTS });
    });
  }

  /** The confirmation mail job (or the manage-link reminder for an address already subscribed). */
  async sendConfirmation(payload: ConfirmMailPayload, signal?: AbortSignal): Promise<'sent' | 'skipped'> {
    const sub = await this.db.selectFrom('status_subscribers').selectAll().where('id', '=', payload.subscriberId).executeTakeFirst();
    if (!sub || sub.email === null) return 'skipped';
    const page = await this.deps.pages.get(sub.page_id).catch(() => null);
    if (!page) return 'skipped';
    const channel = this.deps.channels.email;
    if (!channel) throw new ChannelError(channelUnavailableMessage('email'), false);
    const base = page.publicUrl;
    let subject: string;
    let text: string;
    if (payload.sealedToken !== null) {
      const token = this.deps.secrets.open(payload.sealedToken);
      const hooks = await this.db.selectFrom('status_subscribers').select('url_host').where('page_id', '=', sub.page_id).where('kind', '=', 'webhook').where('email', '=', sub.email).where('confirmed_at', 'is', null).execute();
      subject = `Confirm: ${page.name} status updates`;
      text = [
        `Someone (we hope you) asked to receive ${page.name} status updates ${sub.confirmed_at === null ? 'at this address' : 'with this address'}${hooks.length > 0 ? `, and at a webhook on ${hooks.map((h) => h.url_host).join(', ')}` : ''}.`,
        '',
        `Confirm your subscription: ${base}/subscription/confirm?token=${encodeURIComponent(token)}`,
        '',
        'The link works for 48 hours. If you did not ask for this, ignore this mail: nothing else will be sent to you.',
      ].join('\n');
    } else {
      const links = this.links(base, this.deps.secrets.open(sub.manage_token_sealed));
      subject = `Your ${page.name} status subscription`;
      text = [`This address already receives ${page.name} status updates.`, '', `Manage your subscription: ${links.manage}`, `Unsubscribe: ${links.unsubscribe}`].join('\n');
    }
    try {
      await channel.send(
        { to: { type: 'email', email: sub.email }, subject: subject.length > MAX_SUBJECT_LENGTH ? `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…` : subject, text, kind: 'verification', idempotencyKey: `status-subscribe.${sub.id}.${Number(sub.last_confirmation_at ?? 0)}` },
        signal ? { signal } : {},
      );
    } catch (error) {
      if (error instanceof ChannelError && error.permanent) return 'skipped';
      throw error;
    }
    return 'sent';
  }

  /**
   * Confirms a sign-up: the address, and the webhook subscriptions it asked for. Idempotent: the link
   * works again (showing the management page) until it expires.
   */
  async confirm(pageRef: string, token: string): Promise<ConfirmOutcome> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.deps.pages.findPageIn(db, pageRef);
      if (!page) return { kind: 'unknown' as const };
      const row = await db.selectFrom('status_subscriber_confirmations').selectAll().where('token_hash', '=', hashToken(token)).where('page_id', '=', page.id).executeTakeFirst();
      if (!row) return { kind: 'unknown' as const };
      const sub = await db.selectFrom('status_subscribers').selectAll().where('id', '=', row.subscriber_id).executeTakeFirst();
      if (!sub) return { kind: 'unknown' as const };
      const now = this.deps.clock.now();
      const expired = Number(row.expires_at) <= now;
      if (expired && sub.confirmed_at === null) return { kind: 'expired' as const, page: { name: page.name, url: (await pageInfo(db, page.id, this.deps.publicUrl))?.url ?? '' } };
      const activated: { host: string; signingSecret: string }[] = [];
      if (sub.confirmed_at === null) await db.updateTable('status_subscribers').set({ confirmed_at: now, updated_at: now }).where('id', '=', sub.id).execute();
      // Webhooks the address asked for start with its confirmation (a valid link: never an expired one).
      if (!expired) {
        const hooks = await db.selectFrom('status_subscribers').selectAll().where('page_id', '=', page.id).where('kind', '=', 'webhook').where('email', '=', sub.email).where('confirmed_at', 'is', null).execute();
        for (const hook of hooks) {
          await db.updateTable('status_subscribers').set({ confirmed_at: now, updated_at: now }).where('id', '=', hook.id).execute();
          activated.push({ host: hook.url_host ?? '', signingSecret: this.deps.secrets.open(hook.secret_sealed as string) });
        }
      }
      const manageToken = this.deps.secrets.open(sub.manage_token_sealed);
      const view = (await this.viewOf(db, { ...sub, confirmed_at: sub.confirmed_at ?? now })) as ManageView;
      return { kind: 'confirmed' as const, manageToken, view, activatedWebhooks: activated };
    });
  }

  /** What the management page shows; null for an unknown token (or one of another page). */
  async manageView(pageRef: string, token: string): Promise<ManageView | null> {
    const sub = await this.byManageToken(this.db, pageRef, token);
    return sub ? this.viewOf(this.db, sub) : null;
  }

  /** Saves the components chosen on the management page; null for an unknown token. */
  async saveComponents(pageRef: string, token: string, components: string[]): Promise<ManageView | null> {
    return this.deps.database.transaction(async (tx) => {
      const sub = await this.byManageToken(tx.db, pageRef, token);
      if (!sub) return null;
      await this.checkComponents(tx.db, sub.page_id, components, 'body.components');
      await tx.db.updateTable('status_subscribers').set({ components_json: JSON.stringify(components), updated_at: this.deps.clock.now() }).where('id', '=', sub.id).execute();
      return this.viewOf(tx.db, { ...sub, components_json: JSON.stringify(components) });
    });
  }

  /** Ends a subscription (the one-click link, or the management page); false for an unknown token. */
  async unsubscribe(pageRef: string, token: string): Promise<{ pageName: string; pageUrl: string } | null> {
    return this.deps.database.transaction(async (tx) => {
      const sub = await this.byManageToken(tx.db, pageRef, token);
      if (!sub) return null;
      await this.removeRow(tx.db, sub.id);
      const page = await pageInfo(tx.db, sub.page_id, this.deps.publicUrl);
      return { pageName: page?.name ?? '', pageUrl: page?.url ?? '' };
    });
  }

  /** The page (public only: sign-ups on private pages are refused, answered as "no such page"). */
  private async publicPage(db: Kysely<Database>, ref: string): Promise<{ id: string; name: string }> {
    const page = await this.deps.pages.findPageIn(db, ref);
    if (!page || page.visibility !== 'public') throw new AppError('NOT_FOUND', `Status page \`${ref}\` does not exist`);
    return page;
  }

  private async byManageToken(db: Kysely<Database>, pageRef: string, token: string): Promise<StatusSubscribersTable | null> {
    if (token.length < 16 || token.length > 200) return null;
    const page = await this.deps.pages.findPageIn(db, pageRef);
    if (!page) return null;
    const sub = await db.selectFrom('status_subscribers').selectAll().where('manage_token_hash', '=', hashToken(token)).where('page_id', '=', page.id).executeTakeFirst();
    return sub && sub.confirmed_at !== null ? sub : null;
  }

  /** Reads through `db` only: inside a transaction, SQLite's one connection is the transaction's. */
  private async viewOf(db: Kysely<Database>, sub: StatusSubscribersTable): Promise<ManageView | null> {
    const page = await pageInfo(db, sub.page_id, this.deps.publicUrl);
    if (!page) return null;
    return {
      page,
      subscriber: { id: sub.id, kind: sub.kind as SubscriberKind, target: sub.kind === 'email' ? (sub.email ?? '') : (sub.url_host ?? ''), components: JSON.parse(sub.components_json) as string[] },
      components: await publicComponents(db, sub.page_id),
    };
  }

  // ---- admin ----------------------------------------------------------------------------------

  async list(pageRef: string, query: z.output<typeof listSubscribersQuery>): Promise<SubscriberList> {
    const page = await this.deps.pages.requirePageIn(this.db, pageRef);
    let q = this.db.selectFrom('status_subscribers').selectAll().where('page_id', '=', page.id);
    if (query.kind) q = q.where('kind', '=', query.kind);
    if (query.cursor) q = q.where('id', '>', query.cursor);
    const rows = await q.orderBy('id').limit(query.limit + 1).execute();
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const names = await this.componentNames(this.db, page.id);
    const counted = await this.db.selectFrom('status_subscribers').select(['kind', (eb) => eb.fn.countAll<string>().as('n')]).where('page_id', '=', page.id).groupBy('kind').execute();
    const counts = Object.fromEntries(subscriberKinds.map((k) => [k, Number(counted.find((c) => c.kind === k)?.n ?? 0)])) as Record<SubscriberKind, number>;
    return { items: items.map((r) => toSubscriber(r, names)), nextCursor: more ? ((items.at(-1) as StatusSubscribersTable).id) : null, counts };
  }

  /** Adds a subscriber, confirmed (the admin vouches for it); a webhook's signing secret is in this answer only. */
  async create(acting: Acting, pageRef: string, input: z.output<typeof createSubscriberSchema>): Promise<CreatedSubscriber> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.deps.pages.requirePageIn(db, pageRef);
      await this.checkComponents(db, page.id, input.components, 'body.components');
      const now = this.deps.clock.now();
      if (input.kind === 'email') {
        const taken = await db.selectFrom('status_subscribers').select('id').where('page_id', '=', page.id).where('kind', '=', 'email').where('email', '=', input.email).executeTakeFirst();
        if (taken) throw new AppError('CONFLICT', `\`${input.email}\` already subscribes to this status page`, { issues: [{ path: 'body.email', message: 'already subscribes' }] });
      } else {
        this.checkUrl(input.url, 'body.url');
      }
      const { row, secret } = this.newRow(page.id, input.kind, {
        email: input.kind === 'slack' || input.kind === 'teams' ? null : (input.email ?? null),
        url: input.kind === 'email' ? null : input.url,
        components: input.components,
        source: 'admin',
        confirmedAt: now,
        now,
      });
      await db.insertInto('status_subscribers').values(row).execute();
      const subscriber = toSubscriber(row, await this.componentNames(db, page.id));
      await this.deps.audit.record(db, acting.actor, { action: 'status-subscriber.create', targetType: 'status_subscriber', targetId: row.id, after: { ...subscriber, pageId: page.id } });
      return { ...subscriber, signingSecret: secret };
    });
  }

  async update(acting: Acting, pageRef: string, id: string, input: { components: string[] }): Promise<Subscriber> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.deps.pages.requirePageIn(db, pageRef);
      const before = await this.requireSubscriber(db, page.id, id);
      await this.checkComponents(db, page.id, input.components, 'body.components');
      await db.updateTable('status_subscribers').set({ components_json: JSON.stringify(input.components), updated_at: this.deps.clock.now() }).where('id', '=', before.id).execute();
      const names = await this.componentNames(db, page.id);
      const after = toSubscriber({ ...before, components_json: JSON.stringify(input.components) }, names);
      await this.deps.audit.record(db, acting.actor, { action: 'status-subscriber.update', targetType: 'status_subscriber', targetId: before.id, before: { components: JSON.parse(before.components_json) as string[] }, after: { components: input.components } });
      return after;
    });
  }

  async remove(acting: Acting, pageRef: string, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.deps.pages.requirePageIn(db, pageRef);
      const before = await this.requireSubscriber(db, page.id, id);
      await this.removeRow(db, before.id);
      await this.deps.audit.record(db, acting.actor, { action: 'status-subscriber.delete', targetType: 'status_subscriber', targetId: before.id, before: toSubscriber(before, await this.componentNames(db, page.id)) });
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private newRow(pageId: string, kind: SubscriberKind, o: { email: string | null; url?: string | null; components: string[]; source: 'public' | 'admin'; confirmedAt: number | null; now: number }): { row: StatusSubscribersTable; secret: string | null } {
    const manageToken = randomToken();
    const secret = kind === 'webhook' ? randomToken('whsec_') : null;
    const url = o.url ?? null;
    return {
      secret,
      row: {
        id: this.deps.ids(),
        page_id: pageId,
        kind,
        email: o.email,
        url_sealed: url === null ? null : this.deps.secrets.seal(url),
        url_host: url === null ? null : new URL(url).host,
        secret_sealed: secret === null ? null : this.deps.secrets.seal(secret),
        manage_token_hash: hashToken(manageToken),
        manage_token_sealed: this.deps.secrets.seal(manageToken),
        components_json: JSON.stringify([...new Set(o.components)]),
        confirmed_at: o.confirmedAt,
        last_confirmation_at: null,
        last_failure_at: null,
        last_failure: null,
        source: o.source,
        created_at: o.now,
        updated_at: o.now,
      },
    };
  }

  private async removeRow(db: Kysely<Database>, id: string): Promise<void> {
    await db.deleteFrom('status_subscriber_confirmations').where('subscriber_id', '=', id).execute();
    await db.deleteFrom('status_subscriber_deliveries').where('subscriber_id', '=', id).execute();
    await db.deleteFrom('status_subscribers').where('id', '=', id).execute();
  }

  private checkUrl(url: string, path: string): void {
    try {
      checkOutboundUrl(url);
    } catch (error) {
      throw invalid(path, error instanceof Error ? error.message : 'is not a usable URL');
    }
  }

  /** Subscribers hear of public components only: each id must be one the public sees (a component or a group). */
  private async checkComponents(db: Kysely<Database>, pageId: string, ids: readonly string[], path: string): Promise<void> {
    if (ids.length === 0) return;
    const visible = new Set((await publicComponents(db, pageId)).map((c) => c.id));
    for (const [i, id] of ids.entries()) if (!visible.has(id)) throw invalid(`${path}.${i}`, `no public component \`${id}\` on this status page`);
  }

  private async componentNames(db: Kysely<Database>, pageId: string): Promise<Map<string, string>> {
    const rows = await db.selectFrom('status_components').select(['id', 'name']).where('page_id', '=', pageId).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async requireSubscriber(db: Kysely<Database>, pageId: string, id: string): Promise<StatusSubscribersTable> {
    const row = await db.selectFrom('status_subscribers').selectAll().where('page_id', '=', pageId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Subscriber \`${id}\` does not exist on this status page`);
    return row;
  }
}

/**
 * Does this subscriber hear of this notice. Components: none chosen hears everything; otherwise an
 * incident or maintenance touching any chosen component (or group), or a change of one — and an
 * incident naming no public component at all, which may concern anyone. Component changes made by an
 * incident's update reach webhooks only: people and chat rooms read them in the incident's message.
 */
export function hears(notice: Pick<Notice, 'type' | 'viaIncident' | 'componentIds'>, kind: SubscriberKind, components: readonly string[]): boolean {
  if (notice.type === 'component' && notice.viaIncident && kind !== 'webhook') return false;
  if (components.length === 0) return true;
  if (notice.type !== 'component' && notice.componentIds.length === 0) return true;
  return notice.componentIds.some((id) => components.includes(id));
}

/** A page's name and public address (as `StatusPageService` derives it: the custom domain, else `<publicUrl>/status/<slug>`). */
async function pageInfo(db: Kysely<Database>, pageId: string, publicUrl: string): Promise<{ id: string; slug: string; name: string; url: string } | null> {
  const row = await db.selectFrom('status_pages').select(['id', 'slug', 'name', 'custom_domain']).where('id', '=', pageId).executeTakeFirst();
  if (!row) return null;
  return { id: row.id, slug: row.slug, name: row.name, url: row.custom_domain ? `https://${row.custom_domain}` : `${publicUrl.replace(/\/$/, '')}/status/${row.slug}` };
}

/** The components the public sees on a page (public, in a public group or none), in display order. */
export async function publicComponents(db: Kysely<Database>, pageId: string): Promise<PublicComponent[]> {
  const rows = await db.selectFrom('status_components').select(['id', 'name', 'is_group', 'group_id', 'public', 'position']).where('page_id', '=', pageId).orderBy('position').orderBy('name').orderBy('id').execute();
  const groupPublic = new Map(rows.filter((r) => r.is_group === 1).map((r) => [r.id, r.public === 1]));
  return rows.filter((r) => r.public === 1 && (r.group_id === null || groupPublic.get(r.group_id) === true)).map((r) => ({ id: r.id, name: r.name, group: r.is_group === 1, groupId: r.group_id }));
}

function toSubscriber(r: StatusSubscribersTable, names: Map<string, string>): Subscriber {
  const ids = JSON.parse(r.components_json) as string[];
  return {
    id: r.id,
    kind: r.kind as SubscriberKind,
    target: r.kind === 'email' ? (r.email ?? '') : (r.url_host ?? ''),
    email: r.email,
    components: ids.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id) as string })),
    confirmed: r.confirmed_at !== null,
    createdAt: isoNN(r.created_at),
    confirmedAt: iso(r.confirmed_at),
    lastFailure: r.last_failure !== null && r.last_failure_at !== null ? { at: isoNN(r.last_failure_at), message: r.last_failure } : null,
  };
}
