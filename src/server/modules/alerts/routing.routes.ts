import { z } from 'zod';
import { refParam } from '../../../contracts/common.js';
import { putRulesSchema, rulesPreviewInputSchema, rulesPreviewSchema, serviceRoutingSchema, supportSettingsSchema } from '../../../contracts/routing.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { AlertRouting } from './routing.js';

const serviceParams = z.strictObject({ service: refParam });
/** Like the service itself: admins, or team admins of the owning team (checked by the routing service). */
const manage = { role: 'admin', teamAdmin: true, scope: 'team' } as const;
const read = { role: 'viewer' } as const;

/** A service's routing rules, support hours and the rules preview. */
export function routingRoutes(routing: AlertRouting): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/services/{service}/routing', operationId: 'getServiceRouting', summary: 'A service’s routing rules, support hours and backlog webhook', tag: 'Services',
      auth: read, params: serviceParams, success: { status: 200, schema: serviceRoutingSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => routing.get(params.service),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/services/{service}/rules', operationId: 'putServiceRules', summary: 'Replace a service’s routing rules (ordered; first match wins unless `continue`)', tag: 'Services',
      description: 'Each problem is answered as 400 naming its field, such as `body.rules.0.conditions.1.value` for a regular expression that does not compile.',
      auth: manage, params: serviceParams, body: putRulesSchema, success: { status: 200, schema: serviceRoutingSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => routing.putRules({ actor, principal }, params.service, body),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/services/{service}/support-hours', operationId: 'putServiceSupportHours', summary: 'Set a service’s support hours, raise-at-start option and backlog webhook', tag: 'Services',
      auth: manage, params: serviceParams, body: supportSettingsSchema, success: { status: 200, schema: serviceRoutingSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => routing.putSupport({ actor, principal }, params.service, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/services/{service}/rules/preview', operationId: 'previewServiceRules', summary: 'Replay the service’s latest events through rules and say what each would do', tag: 'Services',
      description: 'Uses the rules in the body, or the saved rules when there are none. Changes nothing.',
      auth: read, params: serviceParams, body: rulesPreviewInputSchema, success: { status: 200, schema: rulesPreviewSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body }) => routing.preview(params.service, body),
    }),
  ];
}
