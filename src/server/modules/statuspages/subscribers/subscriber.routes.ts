import { z } from 'zod';
import { pageParams } from '../../../../contracts/status-pages.js';
import { createdSubscriberSchema, createSubscriberSchema, listSubscribersQuery, subscriberKinds, subscriberParams, subscriberSchema, updateSubscriberSchema } from '../../../../contracts/status-subscribers.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { StatusSubscribers } from './subscriber.service.js';

/**
 * The admin API of status-page subscribers (ADR 0039). Admins only, reading included: subscribers are
 * customers' email addresses and endpoints (personal data), and adding a webhook or chat subscriber
 * makes Firebreak post to a URL. Every change is audited (`status-subscriber.*`).
 */
const admin = { role: 'admin' } as const;
const tag = 'Status pages';
const P = '/api/v1/status-pages/{page}/subscribers';

const listSchema = z.object({
  items: z.array(subscriberSchema),
  nextCursor: z.string().nullable(),
  counts: z.object(Object.fromEntries(subscriberKinds.map((k) => [k, z.number().int()])) as Record<(typeof subscriberKinds)[number], z.ZodNumber>),
});

export function statusSubscriberRoutes(subscribers: StatusSubscribers): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: P, operationId: 'listStatusSubscribers', summary: 'Subscribers of a status page, oldest first, with counts per kind', tag, auth: admin,
      params: pageParams, query: listSubscribersQuery, success: { status: 200, schema: listSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => subscribers.list(params.page, query),
    }),
    defineRoute({
      method: 'POST', path: P, operationId: 'createStatusSubscriber', summary: 'Add a subscriber (email, webhook, Slack or Teams), confirmed', tag, auth: admin,
      description: 'The admin vouches for the address: no confirmation mail. Webhook and chat URLs are encrypted at rest and never shown again; a webhook’s `signingSecret` is in this answer only.',
      params: pageParams, body: createSubscriberSchema, success: { status: 201, schema: createdSubscriberSchema }, errors: ['NOT_FOUND', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => subscribers.create({ actor, principal }, params.page, body),
    }),
    defineRoute({
      method: 'PATCH', path: `${P}/{subscriber}`, operationId: 'updateStatusSubscriber', summary: 'Change which components a subscriber hears about', tag, auth: admin,
      params: subscriberParams, body: updateSubscriberSchema, success: { status: 200, schema: subscriberSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => subscribers.update({ actor, principal }, params.page, params.subscriber, body),
    }),
    defineRoute({
      method: 'DELETE', path: `${P}/{subscriber}`, operationId: 'deleteStatusSubscriber', summary: 'Remove a subscriber', tag, auth: admin,
      params: subscriberParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => subscribers.remove({ actor, principal }, params.page, params.subscriber),
    }),
  ];
}
