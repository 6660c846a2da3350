import { listOf } from '../../../../contracts/common.js';
import {
  actionItemListQuery,
  actionItemParams,
  actionItemSchema,
  createActionItemSchema,
  linkActionItemSchema,
  postmortemParams,
  trackerWebhookSchema,
  trackerWebhookSettingsSchema,
  updateActionItemSchema,
} from '../../../../contracts/postmortems.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { ActionItemsService } from './action-items.service.js';

/** Viewers read; responders write action items; admins configure the tracker webhook (issue 8, ADR 0038). */
const read = { role: 'viewer' } as const;
const respond = { role: 'responder' } as const;
const admin = { role: 'admin' } as const;
const tag = 'Postmortems';

/** Action items of postmortems, the cross-postmortem view, links between repeats, and the tracker webhook. */
export function actionItemRoutes(items: ActionItemsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/action-items', operationId: 'listPostmortemActionItems', summary: 'The action items of a postmortem, with likely repeats in other postmortems', tag,
      auth: read, params: postmortemParams, success: { status: 200, schema: listOf(actionItemSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await items.listFor(params.postmortem) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/{postmortem}/action-items', operationId: 'createActionItem', summary: 'Add an action item (optionally creating an issue through the tracker webhook)', tag,
      auth: respond, params: postmortemParams, body: createActionItemSchema, success: { status: 201, schema: actionItemSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal, reply }) => {
        const item = await items.create({ actor, principal }, params.postmortem, body);
        void reply.header('location', `/api/v1/action-items/${item.reference}`);
        return item;
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/action-items', operationId: 'listActionItems', summary: 'Action items across postmortems (default the open ones, oldest first): by owner, team, overdue', tag,
      auth: read, query: actionItemListQuery, success: { status: 200, schema: listOf(actionItemSchema) },
      handler: async ({ query, principal }) => ({ items: await items.list(query, principal) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/action-items/{item}', operationId: 'getActionItem', summary: 'One action item, with likely repeats in other postmortems', tag,
      auth: read, params: actionItemParams, success: { status: 200, schema: actionItemSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => items.get(params.item),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/action-items/{item}', operationId: 'updateActionItem', summary: 'Change an action item: owner, due date, status (done records when), tracker link', tag,
      auth: respond, params: actionItemParams, body: updateActionItemSchema, success: { status: 200, schema: actionItemSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => items.update({ actor, principal }, params.item, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/action-items/{item}', operationId: 'deleteActionItem', summary: 'Delete an action item', tag,
      auth: respond, params: actionItemParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => items.remove({ actor, principal }, params.item),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/action-items/{item}/tracker-issue', operationId: 'createActionItemTrackerIssue', summary: 'Create the tracker issue of an action item now, through the tracker webhook', tag,
      description: 'Accepted (202): the issue is created shortly after, and its URL becomes the item’s `trackerUrl`. 409 when the item already links an issue; 422 when it is closed or no tracker webhook is configured.',
      auth: respond, params: actionItemParams, success: { status: 202, schema: actionItemSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => items.requestTrackerIssue({ actor, principal }, params.item),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/action-items/{item}/links', operationId: 'linkActionItem', summary: 'Mark another postmortem’s action item as the same one (a repeated failure to fix something)', tag,
      auth: respond, params: actionItemParams, body: linkActionItemSchema, success: { status: 200, schema: actionItemSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => items.link({ actor, principal }, params.item, body.item),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/action-items/{item}/links', operationId: 'unlinkActionItem', summary: 'Take an action item out of its group of repeats', tag,
      auth: respond, params: actionItemParams, success: { status: 200, schema: actionItemSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => items.unlink({ actor, principal }, params.item),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortem-settings/tracker-webhook', operationId: 'getTrackerWebhook', summary: 'The outgoing webhook that creates tracker issues for action items (the secret is never shown)', tag,
      auth: admin, success: { status: 200, schema: trackerWebhookSettingsSchema },
      handler: async () => items.trackerSettings(),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/postmortem-settings/tracker-webhook', operationId: 'putTrackerWebhook', summary: 'Set the tracker webhook (url null turns it off; a secret left out keeps the stored one)', tag,
      auth: admin, body: trackerWebhookSchema, success: { status: 200, schema: trackerWebhookSettingsSchema },
      handler: async ({ body, actor, principal }) => items.putTrackerSettings({ actor, principal }, body),
    }),
  ];
}
