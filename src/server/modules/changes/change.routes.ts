import { z } from 'zod';
import {
  changeMarkListSchema,
  changeSchema,
  incidentChangeSchema,
  incidentChangesQuery,
  incidentChangesSchema,
  listChangeMarksQuery,
  markIncidentChangeSchema,
  recordChangeSchema,
} from '../../../contracts/changes.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { ChangeService } from './change.service.js';

const incidentRef = z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`');
const incidentParams = z.strictObject({ incident: incidentRef });
const markParams = z.strictObject({ incident: incidentRef, change: z.string().min(1).max(64).describe('Change id') });

/**
 * Recording changes takes a responder (a CI pipeline's API token); a team-scoped token records on its
 * own team's services only (the service checks). Marks are incident work: responders, organization-wide
 * like the incident routes. Anyone signed in reads.
 */
const record = { role: 'responder', scope: 'team' } as const;
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;

/** Changes from CI pipelines, recent changes on incidents and responders' marks (ADR 0031). */
export function changeApiRoutes(changes: ChangeService): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST', path: '/api/v1/changes', operationId: 'recordChange', summary: 'Record a change (a deploy, a configuration change) on a service, from a CI pipeline', tag: 'Changes',
      description: 'Never opens an alert or pages anyone. Shown on the service and, as a suspect when it happened in the hours before impact, on incidents of the service and of services depending on it.',
      auth: record, body: recordChangeSchema, success: { status: 201, schema: changeSchema },
      handler: async ({ body, actor, principal }) => changes.record({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/changes', operationId: 'listIncidentChanges', summary: 'Recent changes of an incident’s impacted services and their dependencies, newest first, suspects flagged', tag: 'Incidents',
      description: 'The window runs from 24 hours (`lookbackHours`) before detection until resolution (or now). Changes from 4 hours before detection up to detection are flagged `suspect`. Changes marked on the incident are always listed.',
      auth: read, params: incidentParams, query: incidentChangesQuery, success: { status: 200, schema: incidentChangesSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => changes.forIncident(params.incident, query),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/incidents/{incident}/changes/{change}', operationId: 'markIncidentChange', summary: 'Mark a change on an incident as caused, suspect or dismissed (`mark: null` clears it); on the timeline and audited', tag: 'Incidents',
      auth: respond, params: markParams, body: markIncidentChangeSchema, success: { status: 200, schema: incidentChangeSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => changes.mark({ actor, principal }, params.incident, params.change, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/change-marks', operationId: 'listChangeMarks', summary: 'Marks of changes on incidents (for change-failure rate: changes marked `caused`, per service)', tag: 'Changes',
      auth: read, query: listChangeMarksQuery, success: { status: 200, schema: changeMarkListSchema },
      handler: async ({ query }) => changes.marks(query),
    }),
  ];
}
