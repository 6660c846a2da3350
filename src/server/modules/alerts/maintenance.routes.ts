import { z } from 'zod';
import { listOf } from '../../../contracts/common.js';
import { listMaintenanceWindowsQuery, maintenanceWindowInputSchema, maintenanceWindowSchema, maintenanceWindowUpdateSchema } from '../../../contracts/suppression.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { Suppression } from './suppression.js';

const windowParams = z.strictObject({ window: z.string().min(1).max(64).describe('Maintenance window id') });

/** Windows change with an admin or a team admin of every covered service's team (checked by the service). */
const manage = { role: 'admin', teamAdmin: true, scope: 'team' } as const;
const read = { role: 'viewer' } as const;

/** Maintenance windows (ADR 0019): while one is active, its services' events are recorded but nobody is notified. */
export function maintenanceRoutes(suppression: Suppression): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/maintenance-windows', operationId: 'listMaintenanceWindows', summary: 'List maintenance windows, latest start first, with whether each is active now', tag: 'Suppression',
      auth: read, query: listMaintenanceWindowsQuery, success: { status: 200, schema: listOf(maintenanceWindowSchema) },
      handler: async ({ query }) => ({ items: await suppression.listWindows(query) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/maintenance-windows', operationId: 'createMaintenanceWindow', summary: 'Create a one-off (startsAt, endsAt) or recurring (RRULE in a time zone) maintenance window', tag: 'Suppression',
      auth: manage, body: maintenanceWindowInputSchema, success: { status: 201, schema: maintenanceWindowSchema },
      handler: async ({ body, actor, principal }) => suppression.createWindow({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/maintenance-windows/{window}', operationId: 'getMaintenanceWindow', summary: 'Get a maintenance window', tag: 'Suppression',
      auth: read, params: windowParams, success: { status: 200, schema: maintenanceWindowSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => suppression.getWindow(params.window),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/maintenance-windows/{window}', operationId: 'updateMaintenanceWindow', summary: 'Change a maintenance window', tag: 'Suppression',
      auth: manage, params: windowParams, body: maintenanceWindowUpdateSchema, success: { status: 200, schema: maintenanceWindowSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => suppression.updateWindow({ actor, principal }, params.window, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/maintenance-windows/{window}/end', operationId: 'endMaintenanceWindow', summary: 'End a maintenance window now (a recurring one has no further occurrences)', tag: 'Suppression',
      auth: manage, params: windowParams, success: { status: 200, schema: maintenanceWindowSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => suppression.endWindow({ actor, principal }, params.window),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/maintenance-windows/{window}', operationId: 'deleteMaintenanceWindow', summary: 'Delete a maintenance window (alerts it suppressed keep saying so)', tag: 'Suppression',
      auth: manage, params: windowParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => suppression.deleteWindow({ actor, principal }, params.window),
    }),
  ];
}
