import { z } from 'zod';
import { listOf } from '../../../contracts/common.js';
import {
  assignIncidentRoleSchema,
  declareIncidentSchema,
  editIncidentTimelineEntrySchema,
  incidentNoteSchema,
  incidentPageSchema,
  incidentRoleKeySchema,
  incidentSchema,
  incidentSeverityDefinitionSchema,
  incidentStatusChangeSchema,
  incidentTimelineEntrySchema,
  incidentTimelinePageSchema,
  incidentTimelineQuery,
  incidentUpdateSchema,
  linkIncidentAlertsSchema,
  listIncidentsQuery,
  releaseIncidentRoleQuery,
  updateIncidentSchema,
} from '../../../contracts/incidents.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { IncidentService } from './incident.service.js';

const incidentRef = z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`');
const incidentParams = z.strictObject({ incident: incidentRef });
const roleParams = z.strictObject({ incident: incidentRef, role: incidentRoleKeySchema });
const entryParams = z.strictObject({ incident: incidentRef, entry: z.string().min(1).max(64).describe('Timeline entry id') });

/** Responders run incidents; anyone signed in may read them. Organization-wide (no team-scoped tokens for changes). */
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;

/** Incidents: declare, list, read, edit, status, roles and the timeline (docs/incidents.md). */
export function incidentRoutes(incidents: IncidentService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/incident-severities', operationId: 'listIncidentSeverities', summary: 'The incident severities, most severe first', tag: 'Incidents',
      auth: read, success: { status: 200, schema: listOf(incidentSeverityDefinitionSchema) },
      handler: async () => ({ items: [...(await incidents.currentSeverities())] }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incidents', operationId: 'listIncidents', summary: 'List incidents, newest first', tag: 'Incidents',
      auth: read, query: listIncidentsQuery, success: { status: 200, schema: incidentPageSchema },
      handler: async ({ query }) => incidents.list(query),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents', operationId: 'declareIncident', summary: 'Declare an incident, from scratch or from alerts; the declarer becomes incident commander', tag: 'Incidents',
      auth: respond, body: declareIncidentSchema, success: { status: 201, schema: incidentSchema }, errors: ['RULE_VIOLATION'],
      handler: async ({ body, actor, principal }) => incidents.declare({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}', operationId: 'getIncident', summary: 'Get an incident by id, INC-42 or number', tag: 'Incidents',
      auth: read, params: incidentParams, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => incidents.get(params.incident),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incidents/{incident}', operationId: 'updateIncident', summary: 'Change an incident’s title, severity, summary, customer impact, services or links (once resolved: the summary only)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: updateIncidentSchema, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => incidents.update({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/status', operationId: 'changeIncidentStatus', summary: 'Move an incident’s status and/or record mitigation (each a timeline milestone)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: incidentStatusChangeSchema, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => incidents.changeStatus({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/incidents/{incident}/roles/{role}', operationId: 'assignIncidentRole', summary: 'Give a role to a person; taking a held role must name its holder (`expectedHolder`), else 409 naming who holds it', tag: 'Incidents',
      auth: respond, params: roleParams, body: assignIncidentRoleSchema, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => incidents.assignRole({ actor, principal }, params.incident, params.role, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/incidents/{incident}/roles/{role}', operationId: 'releaseIncidentRole', summary: 'Leave a role vacant, naming who holds it (`holder`); command is handed over, never released', tag: 'Incidents',
      auth: respond, params: roleParams, query: releaseIncidentRoleQuery, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, query, actor, principal }) => incidents.releaseRole({ actor, principal }, params.incident, params.role, query.holder),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/alerts', operationId: 'linkIncidentAlerts', summary: 'Link more alerts to an open incident (already linked ones are skipped)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: linkIncidentAlertsSchema, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => incidents.linkAlerts({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/timeline', operationId: 'getIncidentTimeline', summary: 'An incident’s timeline, oldest first', tag: 'Incidents',
      auth: read, params: incidentParams, query: incidentTimelineQuery, success: { status: 200, schema: incidentTimelinePageSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => incidents.timeline(params.incident, query),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/timeline', operationId: 'addIncidentNote', summary: 'Add a note to an incident’s timeline (resolved incidents too)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: incidentNoteSchema, success: { status: 201, schema: incidentTimelineEntrySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => incidents.addNote({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/updates', operationId: 'postIncidentUpdate', summary: 'Post a stakeholder update (recorded on the timeline; `lastUpdateAt` on the incident)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: incidentUpdateSchema, success: { status: 201, schema: incidentTimelineEntrySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => incidents.postUpdate({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incidents/{incident}/timeline/{entry}', operationId: 'editIncidentTimelineEntry', summary: 'Pin or unpin a timeline entry, or correct a note (earlier text kept in its history)', tag: 'Incidents',
      auth: respond, params: entryParams, body: editIncidentTimelineEntrySchema, success: { status: 200, schema: incidentTimelineEntrySchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => incidents.editEntry({ actor, principal }, params.incident, params.entry, body),
    }),
  ];
}
