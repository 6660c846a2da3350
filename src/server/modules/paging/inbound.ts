import { AppError } from '../../../contracts/errors.js';
import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { Actor } from '../../platform/http/route.js';
import { alertRepo } from '../alerts/alert.repo.js';
import type { AlertService } from '../alerts/alert.service.js';

export type InboundAction = 'acknowledge' | 'resolve';

/** What happened when a person answered a page from a channel. */
export type InboundOutcome =
  | { kind: 'done'; alert: { id: string; number: number; title: string; status: string } }
  /** Nothing to do: already acknowledged (for acknowledge) or resolved. */
  | { kind: 'unchanged'; alert: { id: string; number: number; title: string; status: string } }
  | { kind: 'not-found' };

/** A provider's delivery report (Twilio status callback, a chat's read receipt). */
export type DeliveryReport = 'delivered' | 'undelivered' | 'failed' | 'read';

export interface PagingInboundDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  alerts: AlertService;
  /** Called after a report that a page did not arrive, to try the person's next contact method at once. */
  onUndelivered?: (notificationId: string) => Promise<void>;
}

/**
 * The answers that come back from channels with their own verified callbacks (docs/providers.md): an
 * SMS reply "ACK 42", a voice key press, a Slack or Telegram button, a delivery status callback. The
 * provider's route verifies the request (signature, secret token) first; this finds the person and the
 * alert and acts as that person through the alert service, so the action is on the alert's timeline and
 * in the audit log as them ("@ana via SMS").
 */
export class PagingInbound {
  constructor(private readonly deps: PagingInboundDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The person a verified contact address of this type belongs to (the phone an SMS came from). */
  async userByAddress(type: ContactMethodType, address: string): Promise<{ id: string; handle: string } | null> {
    const row = await this.db
      .selectFrom('contact_methods')
      .innerJoin('users', 'users.id', 'contact_methods.user_id')
      .select(['users.id', 'users.handle'])
      .where('contact_methods.type', '=', type)
      .where('contact_methods.address', '=', address)
      .where('contact_methods.verified_at', 'is not', null)
      .where('users.deactivated_at', 'is', null)
      .orderBy('contact_methods.created_at')
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * The most recent page sent to this address on this channel (any of `types`, so a voice call and an
   * SMS to the same phone both count), optionally for one alert number. Only pages, not resolved notices.
   */
  async latestPage(types: readonly ContactMethodType[], address: string, alertNumber?: number): Promise<{ notificationId: string; alertId: string; alertNumber: number; userId: string } | null> {
    let query = this.db
      .selectFrom('page_notifications')
      .innerJoin('alerts', 'alerts.id', 'page_notifications.alert_id')
      .select(['page_notifications.id as notificationId', 'page_notifications.alert_id as alertId', 'alerts.number as alertNumber', 'page_notifications.user_id as userId'])
      .where('page_notifications.channel', 'in', [...types])
      .where('page_notifications.address', '=', address)
      .where('page_notifications.kind', '=', 'page')
      // A shadow's copy is for their information: replying to it acts on nothing.
      .where('page_notifications.shadow', '=', 0)
      .where('page_notifications.status', '=', 'sent');
    if (alertNumber !== undefined) query = query.where('alerts.number', '=', alertNumber);
    const row = await query.orderBy('page_notifications.sent_at', 'desc').orderBy('page_notifications.id', 'desc').executeTakeFirst();
    return row ? { ...row, alertNumber: Number(row.alertNumber) } : null;
  }

  /** The page notification a provider message id belongs to. */
  async pageByProviderMessage(providerMessageId: string): Promise<{ notificationId: string; alertId: string; userId: string; channel: string } | null> {
    const row = await this.db.selectFrom('page_notifications').select(['id', 'alert_id', 'user_id', 'channel']).where('provider_message_id', '=', providerMessageId).executeTakeFirst();
    return row ? { notificationId: row.id, alertId: row.alert_id, userId: row.user_id, channel: row.channel } : null;
  }

  /**
   * Acknowledges or resolves `alertRef` (id or number) as `userId`, recorded "via <via>" (`SMS`,
   * `voice call`, `Slack`). Resolving an alert already resolved, or acknowledging one not triggered,
   * answers `unchanged`; nothing is an error for the person answering from their phone.
   */
  async act(input: { userId: string; alertRef: string; action: InboundAction; via: string; requestId?: string | null; ip?: string | null }): Promise<InboundOutcome> {
    const user = await this.db.selectFrom('users').select(['id', 'handle', 'deactivated_at']).where('id', '=', input.userId).executeTakeFirst();
    if (!user || user.deactivated_at !== null) return { kind: 'not-found' };
    const before = await alertRepo.find(this.db, input.alertRef);
    if (!before) return { kind: 'not-found' };
    const view = (a: { id: string; number: number; title: string; status: string }) => ({ id: a.id, number: Number(a.number), title: a.title, status: a.status });
    if (before.status === 'resolved' || (input.action === 'acknowledge' && before.status === 'acknowledged')) return { kind: 'unchanged', alert: view(before) };
    const actor: Actor = { type: 'user', id: user.id, label: `@${user.handle} via ${input.via}`, ip: input.ip ?? null, requestId: input.requestId ?? null };
    try {
      const alert = await this.deps.alerts.act({ actor, principal: null }, before.id, input.action);
      return { kind: alert.status === before.status ? 'unchanged' : 'done', alert: view(alert) };
    } catch (error) {
      if (error instanceof AppError && error.code === 'RULE_VIOLATION') {
        const now = await alertRepo.find(this.db, before.id);
        return { kind: 'unchanged', alert: view(now ?? before) };
      }
      throw error;
    }
  }

  /**
   * Records a provider's delivery report for a message it accepted: on the page's row and the alert's
   * timeline ("SMS to +1… delivered, reported by twilio-main"). A page reported undelivered or failed
   * makes the person's next contact method try at once. False when no page has that message id.
   */
  async deliveryReport(input: { providerMessageId: string; status: DeliveryReport; provider: string; detail?: string }): Promise<boolean> {
    const now = this.deps.clock.now();
    const row = await this.db.selectFrom('page_notifications').selectAll().where('provider_message_id', '=', input.providerMessageId).executeTakeFirst();
    if (!row) return false;
    if (row.delivery_status === input.status) return true; // providers repeat callbacks
    await this.deps.database.transaction(async (tx) => {
      await tx.db
        .updateTable('page_notifications')
        .set({ delivery_status: input.status, ...(input.status === 'delivered' || input.status === 'read' ? { delivered_at: now } : {}), updated_at: now })
        .where('id', '=', row.id)
        .execute();
      const what = `${contactMethodTypeNames[row.channel as ContactMethodType] ?? row.channel} ${row.kind === 'resolved' ? 'resolved notice' : 'page'} to ${row.address}`;
      await alertRepo.insertTimeline(tx.db, this.deps.ids, row.alert_id, now, [
        { kind: 'event', action: 'delivery', actor: 'Firebreak', summary: `${what} ${input.status}, reported by ${input.provider}${input.detail ? ` (${input.detail})` : ''}`, data: { notificationId: row.id, providerMessageId: input.providerMessageId, deliveryStatus: input.status, detail: input.detail ?? null } },
      ]);
    });
    if ((input.status === 'undelivered' || input.status === 'failed') && row.kind === 'page') await this.deps.onUndelivered?.(row.id);
    return true;
  }
}
