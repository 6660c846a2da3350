import { z } from 'zod';
import {
  componentParams,
  createComponentSchema,
  createIncidentSchema,
  createIncidentUpdateSchema,
  createMaintenanceSchema,
  createMaintenanceUpdateSchema,
  createStatusPageSchema,
  incidentParams,
  listIncidentsQuery,
  pageParams,
  statusComponentSchema,
  statusIncidentSchema,
  statusPageDetailSchema,
  statusPageSchema,
  updateComponentSchema,
  updateIncidentSchema,
  updateMaintenanceSchema,
  updateStatusPageSchema,
} from '../../../contracts/status-pages.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { StatusPageService } from './statuspage.service.js';

/**
 * Who may do what (ADR 0036): admins shape pages and their components (what the public is promised
 * to see); responders run the outage — component statuses, public incidents and their updates,
 * maintenances. Anyone signed in reads.
 */
const shape = { role: 'admin' } as const;
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;
const tag = 'Status pages';
const P = '/api/v1/status-pages';

const incidentList = z.object({ items: z.array(statusIncidentSchema) });

/** The admin API of status pages (docs/status-pages.md). The public side is in statuspage.public.ts. */
export function statusPageRoutes(pages: StatusPageService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: P, operationId: 'listStatusPages', summary: 'List status pages', tag, auth: read,
      success: { status: 200, schema: z.object({ items: z.array(statusPageSchema) }) },
      handler: async () => pages.list(),
    }),
    defineRoute({
      method: 'POST', path: P, operationId: 'createStatusPage', summary: 'Create a status page', tag, auth: shape,
      body: createStatusPageSchema, success: { status: 201, schema: statusPageSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => pages.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: `${P}/{page}`, operationId: 'getStatusPage', summary: 'A status page with its components and groups', tag, auth: read,
      params: pageParams, success: { status: 200, schema: statusPageDetailSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => pages.get(params.page),
    }),
    defineRoute({
      method: 'PATCH', path: `${P}/{page}`, operationId: 'updateStatusPage', summary: 'Change a status page’s settings', tag, auth: shape,
      params: pageParams, body: updateStatusPageSchema, success: { status: 200, schema: statusPageSchema }, errors: ['NOT_FOUND', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => pages.update({ actor, principal }, params.page, body),
    }),
    defineRoute({
      method: 'DELETE', path: `${P}/{page}`, operationId: 'deleteStatusPage', summary: 'Delete a status page with its components, incidents and maintenances', tag, auth: shape,
      params: pageParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => pages.remove({ actor, principal }, params.page),
    }),
    defineRoute({
      method: 'POST', path: `${P}/{page}/components`, operationId: 'createStatusComponent', summary: 'Add a component or a component group (`group: true`)', tag, auth: shape,
      params: pageParams, body: createComponentSchema, success: { status: 201, schema: statusComponentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.createComponent({ actor, principal }, params.page, body),
    }),
    defineRoute({
      method: 'PATCH', path: `${P}/{page}/components/{component}`, operationId: 'updateStatusComponent', summary: 'Change a component: its status (responders, during an outage) or its settings', tag, auth: respond,
      description: 'Responders may change `status` only; every other field needs the admin role. A status change starts a new period in the component’s history, from which the uptime bars are derived.',
      params: componentParams, body: updateComponentSchema, success: { status: 200, schema: statusComponentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.updateComponent({ actor, principal }, params.page, params.component, body),
    }),
    defineRoute({
      method: 'DELETE', path: `${P}/{page}/components/{component}`, operationId: 'deleteStatusComponent', summary: 'Remove a component (a group’s members become ungrouped)', tag, auth: shape,
      params: componentParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => pages.removeComponent({ actor, principal }, params.page, params.component),
    }),
    defineRoute({
      method: 'GET', path: `${P}/{page}/incidents`, operationId: 'listStatusIncidents', summary: 'Public incidents of a status page, newest first', tag, auth: read,
      params: pageParams, query: listIncidentsQuery, success: { status: 200, schema: incidentList }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => pages.listIncidents(params.page, 'incident', query.limit),
    }),
    defineRoute({
      method: 'POST', path: `${P}/{page}/incidents`, operationId: 'createStatusIncident', summary: 'Post a public incident with its first update and affected components', tag, auth: respond,
      description: 'Text is what the public reads: write it for customers. `startedAt` in the past backfills an incident.',
      params: pageParams, body: createIncidentSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.createIncident({ actor, principal }, params.page, body),
    }),
    defineRoute({
      method: 'GET', path: `${P}/{page}/incidents/{incident}`, operationId: 'getStatusIncident', summary: 'A public incident with its updates', tag, auth: read,
      params: incidentParams, success: { status: 200, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => pages.getIncident(params.page, 'incident', params.incident),
    }),
    defineRoute({
      method: 'PATCH', path: `${P}/{page}/incidents/{incident}`, operationId: 'updateStatusIncident', summary: 'Rename a public incident, change its impact or link its public postmortem', tag, auth: respond,
      params: incidentParams, body: updateIncidentSchema, success: { status: 200, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.updateIncident({ actor, principal }, params.page, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: `${P}/{page}/incidents/{incident}/updates`, operationId: 'postStatusIncidentUpdate', summary: 'Post an update on a public incident (status, text, component statuses)', tag, auth: respond,
      params: incidentParams, body: createIncidentUpdateSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.addIncidentUpdate({ actor, principal }, params.page, params.incident, body),
    }),
    defineRoute({
      method: 'DELETE', path: `${P}/{page}/incidents/{incident}`, operationId: 'deleteStatusIncident', summary: 'Delete a public incident (posted by mistake)', tag, auth: shape,
      params: incidentParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => pages.removeIncident({ actor, principal }, params.page, 'incident', params.incident),
    }),
    defineRoute({
      method: 'GET', path: `${P}/{page}/maintenances`, operationId: 'listStatusMaintenances', summary: 'Scheduled maintenances of a status page, newest first', tag, auth: read,
      params: pageParams, query: listIncidentsQuery, success: { status: 200, schema: incidentList }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => pages.listIncidents(params.page, 'maintenance', query.limit),
    }),
    defineRoute({
      method: 'POST', path: `${P}/{page}/maintenances`, operationId: 'createStatusMaintenance', summary: 'Schedule a maintenance', tag, auth: respond,
      description: 'With `autoTransition` (default) it moves to in progress at `scheduledFor` and to completed at `scheduledUntil`, its components to under maintenance and back.',
      params: pageParams, body: createMaintenanceSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.createMaintenance({ actor, principal }, params.page, body),
    }),
    defineRoute({
      method: 'GET', path: `${P}/{page}/maintenances/{incident}`, operationId: 'getStatusMaintenance', summary: 'A scheduled maintenance with its updates', tag, auth: read,
      params: incidentParams, success: { status: 200, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => pages.getIncident(params.page, 'maintenance', params.incident),
    }),
    defineRoute({
      method: 'PATCH', path: `${P}/{page}/maintenances/{incident}`, operationId: 'updateStatusMaintenance', summary: 'Rename or reschedule a maintenance', tag, auth: respond,
      params: incidentParams, body: updateMaintenanceSchema, success: { status: 200, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.updateMaintenance({ actor, principal }, params.page, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: `${P}/{page}/maintenances/{incident}/updates`, operationId: 'postStatusMaintenanceUpdate', summary: 'Post an update on a maintenance (moves its status)', tag, auth: respond,
      params: incidentParams, body: createMaintenanceUpdateSchema, success: { status: 201, schema: statusIncidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => pages.addMaintenanceUpdate({ actor, principal }, params.page, params.incident, body),
    }),
    defineRoute({
      method: 'DELETE', path: `${P}/{page}/maintenances/{incident}`, operationId: 'deleteStatusMaintenance', summary: 'Cancel and delete a maintenance', tag, auth: shape,
      params: incidentParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => pages.removeIncident({ actor, principal }, params.page, 'maintenance', params.incident),
    }),
  ];
}
