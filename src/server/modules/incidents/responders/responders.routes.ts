import { z } from 'zod';
import { incidentRespondersSchema, joinIncidentSchema, requestResponderSchema, responderRequestSchema } from '../../../../contracts/incident-responders.js';
import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { Logger } from '../../../platform/logger.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import { CLOSE_REQUESTS_TASK, type CloseRequestsPayload, type IncidentResponders } from './responders.service.js';

const incidentRef = z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`');
const incidentParams = z.strictObject({ incident: incidentRef });
const requestParams = z.strictObject({ incident: incidentRef, request: z.string().min(1).max(64).describe('Responder request id') });

/** Incident responders: page people, policies or teams in; join and leave (docs/incidents.md "Responders"). */
export function responderRoutes(responders: IncidentResponders): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/responders', operationId: 'listIncidentResponders', summary: 'Responder requests (who was paged, acknowledged, joined) and who joined the incident', tag: 'Incidents',
      auth: { role: 'viewer' }, params: incidentParams, success: { status: 200, schema: incidentRespondersSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => responders.list(params.incident),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/responders', operationId: 'requestIncidentResponder', summary: 'Page a person, an escalation policy or a team (through its policy) into an open incident', tag: 'Incidents',
      auth: { role: 'responder' }, params: incidentParams, body: requestResponderSchema, success: { status: 201, schema: responderRequestSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => responders.request({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/responders/join', operationId: 'joinIncident', summary: 'Join the incident as yourself; the requests that paged you become joined and your ringing pages are acknowledged', tag: 'Incidents',
      auth: { role: 'responder' }, params: incidentParams, body: joinIncidentSchema, success: { status: 200, schema: incidentRespondersSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => responders.join({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/responders/{request}/decline', operationId: 'declineIncidentResponderRequest', summary: 'Decline a page of a request that paged you: its escalation pages the next level now, or the request is declined when nobody is left', tag: 'Incidents',
      auth: { role: 'responder' }, params: requestParams, body: joinIncidentSchema, success: { status: 200, schema: responderRequestSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => responders.decline({ actor, principal }, params.incident, params.request, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/responders/leave', operationId: 'leaveIncident', summary: 'Leave the incident (422 if you had not joined)', tag: 'Incidents',
      auth: { role: 'responder' }, params: incidentParams, body: joinIncidentSchema, success: { status: 200, schema: incidentRespondersSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => responders.leave({ actor, principal }, params.incident, body),
    }),
  ];
}

/** Registers the job that closes a resolved incident's open requests (idempotent: resolved alerts are skipped). */
export function registerResponderJobs(runner: JobRunner, responders: IncidentResponders, logger: Logger): void {
  runner.register<CloseRequestsPayload>(CLOSE_REQUESTS_TASK, async ({ payload }) => {
    const closed = await responders.closeRequests(payload);
    logger.info({ incidentId: payload.incidentId, closed }, 'closed the open responder requests of a resolved incident');
  });
}
