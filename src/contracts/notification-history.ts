import { z } from 'zod';
import { instantSchema } from './common.js';
import { contactMethodTypeSchema } from './notify.js';

/** One page or notice sent to a person, for their notification history (`GET /api/v1/me/notifications`). */
export const notificationHistoryItemSchema = z.object({
  id: z.string(),
  kind: z.string().describe('`page`, `resolved` (the notice once the alert resolved), or another kind of page'),
  alert: z.object({ id: z.string(), number: z.number().int(), title: z.string(), status: z.string() }),
  channel: contactMethodTypeSchema,
  address: z.string(),
  status: z.string().describe('pending, sent, failed, cancelled or digest'),
  attempts: z.number().int(),
  provider: z.string().nullable().describe('The provider that accepted it'),
  deliveryStatus: z.string().nullable().describe('What the provider reported afterwards: delivered, undelivered, failed, read'),
  lastError: z.string().nullable(),
  createdAt: instantSchema,
  sentAt: instantSchema.nullable(),
});
export type NotificationHistoryItem = z.infer<typeof notificationHistoryItemSchema>;
