import { z } from 'zod';
import { listOf, refParam } from '../../../../contracts/common.js';
import {
  createIncidentSubscriptionSchema,
  incidentCommsSchema,
  incidentSubscriptionSchema,
  putUpdateTemplateSchema,
  subscribeMeSchema,
  updateCadenceSchema,
  updateTemplateKindSchema,
  updateTemplateSchema,
  type IncidentSubscriptionScope,
} from '../../../../contracts/incident-comms.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { IncidentComms } from './comms.service.js';

const incidentRef = z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`');
const subscriptionId = z.string().min(1).max(64).describe('Subscription id');

/** Responders manage anyone's subscriptions; anyone signed in reads them and subscribes themselves (ADR 0032). */
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;

/** One scope's five routes: list, subscribe someone, subscribe me, unsubscribe me, unsubscribe someone. */
function subscriptionRoutes(comms: IncidentComms, scope: IncidentSubscriptionScope, base: string, param: 'incident' | 'team' | 'service', what: string, id: string): AnyRoute[] {
  const refSchema = param === 'incident' ? incidentRef : refParam.describe(`${what} id or handle`);
  const params = z.strictObject({ [param]: refSchema }) as z.ZodType<Record<string, string>>;
  const oneParams = z.strictObject({ [param]: refSchema, subscription: subscriptionId }) as z.ZodType<Record<string, string>>;
  const ref = (p: Record<string, string>) => p[param] as string;
  return [
    defineRoute({
      method: 'GET', path: base, operationId: `list${id}Subscriptions`, summary: `Who receives the stakeholder updates of ${what === 'Incident' ? 'this incident' : `this ${what.toLowerCase()}’s incidents`}`, tag: 'Incidents',
      auth: read, params, success: { status: 200, schema: listOf(incidentSubscriptionSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params: p }) => ({ items: await comms.list(scope, ref(p)) }),
    }),
    defineRoute({
      method: 'POST', path: base, operationId: `subscribeTo${id}`, summary: 'Subscribe a user, an email address or a chat destination to stakeholder updates (subscribing again returns the existing subscription)', tag: 'Incidents',
      auth: respond, params, body: createIncidentSubscriptionSchema, success: { status: 201, schema: incidentSubscriptionSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params: p, body, actor, principal }) => comms.subscribe({ actor, principal }, scope, ref(p), body),
    }),
    defineRoute({
      method: 'PUT', path: `${base}/me`, operationId: `subscribeMeTo${id}`, summary: 'Subscribe yourself to stakeholder updates (your account email, or one of your verified contact methods)', tag: 'Incidents',
      auth: { role: 'viewer', scope: 'org' }, params, body: subscribeMeSchema, success: { status: 200, schema: incidentSubscriptionSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params: p, body, actor, principal }) => comms.subscribeMe({ actor, principal }, scope, ref(p), body),
    }),
    defineRoute({
      method: 'DELETE', path: `${base}/me`, operationId: `unsubscribeMeFrom${id}`, summary: 'Stop receiving stakeholder updates yourself', tag: 'Incidents',
      auth: { role: 'viewer', scope: 'org' }, params, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params: p, actor, principal }) => comms.unsubscribeMe({ actor, principal }, scope, ref(p)),
    }),
    defineRoute({
      method: 'DELETE', path: `${base}/{subscription}`, operationId: `unsubscribeFrom${id}`, summary: 'Remove a subscription', tag: 'Incidents',
      auth: respond, params: oneParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params: p, actor, principal }) => comms.unsubscribe({ actor, principal }, scope, ref(p), p.subscription as string),
    }),
  ];
}

/** Stakeholder updates: subscriptions, the update cadence, templates, and what was sent (docs/incidents.md). */
export function incidentCommsRoutes(comms: IncidentComms): AnyRoute[] {
  const incidentParams = z.strictObject({ incident: incidentRef });
  return [
    ...subscriptionRoutes(comms, 'incident', '/api/v1/incidents/{incident}/subscriptions', 'incident', 'Incident', 'Incident'),
    ...subscriptionRoutes(comms, 'team', '/api/v1/teams/{team}/incident-subscriptions', 'team', 'Team', 'TeamIncidents'),
    ...subscriptionRoutes(comms, 'service', '/api/v1/services/{service}/incident-subscriptions', 'service', 'Service', 'ServiceIncidents'),
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/comms', operationId: 'getIncidentComms', summary: 'Stakeholder communication of an incident: cadence, next reminder, drafts from the templates, updates sent and their deliveries', tag: 'Incidents',
      auth: read, params: incidentParams, success: { status: 200, schema: incidentCommsSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => comms.comms(params.incident),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/incidents/{incident}/update-cadence', operationId: 'setIncidentUpdateCadence', summary: 'Set how often stakeholder updates are expected (null: the severity’s default); the reminder moves with it', tag: 'Incidents',
      auth: respond, params: incidentParams, body: updateCadenceSchema, success: { status: 200, schema: incidentCommsSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => comms.setCadence({ actor, principal }, params.incident, body.minutes),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incident-update-templates', operationId: 'listIncidentUpdateTemplates', summary: 'The stakeholder update templates: first update, regular update, all clear', tag: 'Incidents',
      auth: read, success: { status: 200, schema: listOf(updateTemplateSchema) },
      handler: async () => ({ items: await comms.templates() }),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/incident-update-templates/{kind}', operationId: 'putIncidentUpdateTemplate', summary: 'Replace a stakeholder update template (null text restores the built-in one)', tag: 'Incidents',
      auth: { role: 'admin' }, params: z.strictObject({ kind: updateTemplateKindSchema }), body: putUpdateTemplateSchema, success: { status: 200, schema: updateTemplateSchema },
      handler: async ({ params, body, actor, principal }) => comms.putTemplate({ actor, principal }, params.kind, body.text),
    }),
  ];
}
