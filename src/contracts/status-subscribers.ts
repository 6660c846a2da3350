import { z } from 'zod';
import { instantSchema, refParam } from './common.js';

/**
 * Status-page subscribers (issue 7 "Subscribers", docs/status-pages.md, ADR 0039): people and systems
 * told of public incidents, maintenance and component status changes, without a Firebreak account.
 *
 * - `email`: double opt-in (a confirmation mail; nothing else is sent before it is confirmed), a
 *   one-click unsubscribe link (and `List-Unsubscribe` / `List-Unsubscribe-Post` headers, RFC 8058)
 *   in every message, and a management link to choose components or leave.
 * - `webhook`: a Statuspage-shaped JSON payload (`incident` or `component_update`), signed with the
 *   subscriber's secret (`Firebreak-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`),
 *   retried with backoff. Created by admins, or by the public with an email that must confirm first.
 * - `slack` / `teams`: a chat incoming-webhook URL (Slack `{"text", "blocks"}`, Teams message card),
 *   created by admins only (the URL is a secret: encrypted at rest, never shown again).
 *
 * `components`: the component ids to hear about; empty means every component and every incident.
 */

export const subscriberKinds = ['email', 'webhook', 'slack', 'teams'] as const;
export const subscriberKindSchema = z.enum(subscriberKinds);
export type SubscriberKind = z.infer<typeof subscriberKindSchema>;

const httpsOrHttpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(v), 'must be an http:// or https:// URL');
const email = z.string().trim().toLowerCase().max(254).email('must be an email address');
const componentIds = z.array(z.string().min(1).max(64)).max(200).default([]).describe('Component ids; empty: everything on the page');

/** `POST /api/v1/status-pages/{page}/subscribers` (admin): added confirmed (the admin vouches for it). */
export const createSubscriberSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('email'), email, components: componentIds }),
  z.strictObject({ kind: z.literal('webhook'), url: httpsOrHttpUrl, email: email.optional().describe('Told when deliveries keep failing'), components: componentIds }),
  z.strictObject({ kind: z.literal('slack'), url: httpsOrHttpUrl.describe('A Slack incoming-webhook URL'), components: componentIds }),
  z.strictObject({ kind: z.literal('teams'), url: httpsOrHttpUrl.describe('A Microsoft Teams incoming-webhook URL'), components: componentIds }),
]);
export type CreateSubscriber = z.input<typeof createSubscriberSchema>;

/** `PATCH /api/v1/status-pages/{page}/subscribers/{subscriber}` (admin). */
export const updateSubscriberSchema = z.strictObject({ components: z.array(z.string().min(1).max(64)).max(200) });

/** One subscriber as admins see it: addresses of chat webhooks are secrets and never shown. */
export const subscriberSchema = z.object({
  id: z.string(),
  kind: subscriberKindSchema,
  /** Email address, or the webhook URL's host (`hooks.slack.com`): enough to recognise it. */
  target: z.string(),
  email: z.string().nullable(),
  components: z.array(z.object({ id: z.string(), name: z.string() })),
  confirmed: z.boolean(),
  createdAt: instantSchema,
  confirmedAt: instantSchema.nullable(),
  /** The last delivery that failed for good (after its retries), if any since the last success. */
  lastFailure: z.object({ at: instantSchema, message: z.string() }).nullable(),
});
export type Subscriber = z.infer<typeof subscriberSchema>;

/** The answer to creating a webhook subscriber: its signing secret, shown this once. */
export const createdSubscriberSchema = subscriberSchema.extend({ signingSecret: z.string().nullable() });
export type CreatedSubscriber = z.infer<typeof createdSubscriberSchema>;

export const subscriberParams = z.strictObject({ page: refParam.describe('Status page id or slug'), subscriber: z.string().min(1).max(64) });
export const listSubscribersQuery = z.strictObject({
  kind: subscriberKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(64).optional(),
});
export interface SubscriberList {
  items: Subscriber[];
  nextCursor: string | null;
  counts: Record<SubscriberKind, number>;
}
