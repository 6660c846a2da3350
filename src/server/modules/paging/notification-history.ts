import { z } from 'zod';
import { listOf, refParam } from '../../../contracts/common.js';
import { notificationHistoryItemSchema, type NotificationHistoryItem } from '../../../contracts/notification-history.js';
import type { ContactMethodType } from '../../../contracts/notify.js';
import { AppError } from '../../../contracts/errors.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';

const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** A person's most recent pages and notices, newest first: what reached them, how, and what failed. */
export async function notificationHistory(database: FirebreakDatabase, userRef: string, limit: number): Promise<NotificationHistoryItem[]> {
  const db = database.db;
  const user = await db.selectFrom('users').select(['id']).where((eb) => eb.or([eb('id', '=', userRef), eb('handle', '=', userRef)])).executeTakeFirst();
  if (!user) throw new AppError('NOT_FOUND', `User \`${userRef}\` does not exist`);
  const rows = await db
    .selectFrom('page_notifications')
    .innerJoin('alerts', 'alerts.id', 'page_notifications.alert_id')
    .select([
      'page_notifications.id',
      'page_notifications.kind',
      'page_notifications.channel',
      'page_notifications.address',
      'page_notifications.status',
      'page_notifications.attempts',
      'page_notifications.provider',
      'page_notifications.delivery_status',
      'page_notifications.last_error',
      'page_notifications.created_at',
      'page_notifications.sent_at',
      'alerts.id as alert_id',
      'alerts.number as alert_number',
      'alerts.title as alert_title',
      'alerts.status as alert_status',
    ])
    .where('page_notifications.user_id', '=', user.id)
    .orderBy('page_notifications.created_at', 'desc')
    .orderBy('page_notifications.id', 'desc')
    .limit(limit)
    .execute();
  const iso = (ms: number) => new Date(Number(ms)).toISOString();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    alert: { id: r.alert_id, number: Number(r.alert_number), title: r.alert_title, status: r.alert_status },
    channel: r.channel as ContactMethodType,
    address: r.address,
    status: r.status,
    attempts: r.attempts,
    provider: r.provider,
    deliveryStatus: r.delivery_status,
    lastError: r.last_error,
    createdAt: iso(r.created_at),
    sentAt: r.sent_at === null ? null : iso(r.sent_at),
  }));
}

/** Per-person notification history: your own (`/me`), or anyone's for admins. */
export function notificationHistoryRoutes(database: FirebreakDatabase): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/me/notifications', operationId: 'listMyNotifications', summary: 'Pages and notices sent to you, newest first, with their delivery', tag: 'Notifications (you)',
      auth: { role: 'viewer', scope: 'team' }, query: historyQuery, success: { status: 200, schema: listOf(notificationHistoryItemSchema) },
      handler: async ({ query, principal }) => ({ items: await notificationHistory(database, principal!.userId, query.limit) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/users/{user}/notifications', operationId: 'listUserNotifications', summary: 'Pages and notices sent to a person, newest first, with their delivery', tag: 'Notifications (admin)',
      auth: { role: 'admin' }, params: z.strictObject({ user: refParam }), query: historyQuery, success: { status: 200, schema: listOf(notificationHistoryItemSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => ({ items: await notificationHistory(database, params.user, query.limit) }),
    }),
  ];
}
