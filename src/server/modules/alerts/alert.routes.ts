import { z } from 'zod';
import {
  alertActionSchema,
  alertNoteSchema,
  alertPageSchema,
  alertSchema,
  alertTimelineEntrySchema,
  bulkAlertActionSchema,
  bulkAlertResultSchema,
  listAlertsQuery,
  reassignAlertSchema,
  snoozeAlertSchema,
  triggerAlertResultSchema,
  triggerAlertSchema,
} from '../../../contracts/alerts.js';
import { listOf } from '../../../contracts/common.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { AlertService } from './alert.service.js';

const alertParams = z.strictObject({ alert: z.string().min(1).max(64).describe('Alert id, or its number as `#12` or `12`') });

/**
 * Responders act on alerts. `scope: 'team'`: a team-scoped token may act on its own team's services'
 * alerts (the service checks the team).
 */
const respond = { role: 'responder', scope: 'team' } as const;
const read = { role: 'viewer' } as const;

/** Alerts: list, read, timeline, acknowledge, resolve, notes, bulk actions and triggering by API. */
export function alertRoutes(alerts: AlertService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/alerts', operationId: 'listAlerts', summary: 'List alerts, newest first (default: open ones)', tag: 'Alerts',
      auth: read, query: listAlertsQuery, success: { status: 200, schema: alertPageSchema },
      handler: async ({ query }) => alerts.list(query),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts', operationId: 'triggerAlert', summary: 'Trigger an alert on a service (deduplicated by `dedupKey` like any event)', tag: 'Alerts',
      auth: respond, body: triggerAlertSchema, success: { status: 200, schema: triggerAlertResultSchema }, errors: ['NOT_FOUND'],
      handler: async ({ body, actor, principal }) => alerts.trigger({ actor, principal }, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/bulk', operationId: 'bulkAlertAction', summary: 'Acknowledge or resolve many alerts; each id gets its own result', tag: 'Alerts',
      auth: respond, body: bulkAlertActionSchema, success: { status: 200, schema: bulkAlertResultSchema },
      handler: async ({ body, actor, principal }) => alerts.bulk({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/alerts/{alert}', operationId: 'getAlert', summary: 'Get an alert by id or number', tag: 'Alerts',
      auth: read, params: alertParams, success: { status: 200, schema: alertSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => alerts.get(params.alert),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/alerts/{alert}/timeline', operationId: 'getAlertTimeline', summary: 'Every event and action on an alert, oldest first', tag: 'Alerts',
      auth: read, params: alertParams, success: { status: 200, schema: listOf(alertTimelineEntrySchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await alerts.timeline(params.alert) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/acknowledge', operationId: 'acknowledgeAlert', summary: 'Acknowledge an alert (a no-op when already acknowledged)', tag: 'Alerts',
      auth: respond, params: alertParams, body: alertActionSchema, success: { status: 200, schema: alertSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => alerts.act({ actor, principal }, params.alert, 'acknowledge', body.note),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/resolve', operationId: 'resolveAlert', summary: 'Resolve an alert', tag: 'Alerts',
      auth: respond, params: alertParams, body: alertActionSchema, success: { status: 200, schema: alertSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => alerts.act({ actor, principal }, params.alert, 'resolve', body.note),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/reassign', operationId: 'reassignAlert', summary: 'Reassign an alert to a person or an escalation policy (it triggers again for them)', tag: 'Alerts',
      auth: respond, params: alertParams, body: reassignAlertSchema, success: { status: 200, schema: alertSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => alerts.reassign({ actor, principal }, params.alert, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/snooze', operationId: 'snoozeAlert', summary: 'Snooze an alert: acknowledged until a time, then triggered again', tag: 'Alerts',
      auth: respond, params: alertParams, body: snoozeAlertSchema, success: { status: 200, schema: alertSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => alerts.snooze({ actor, principal }, params.alert, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/notes', operationId: 'addAlertNote', summary: 'Add a note to an alert’s timeline', tag: 'Alerts',
      auth: respond, params: alertParams, body: alertNoteSchema, success: { status: 201, schema: alertTimelineEntrySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => alerts.addNote({ actor, principal }, params.alert, body.note),
    }),
  ];
}
