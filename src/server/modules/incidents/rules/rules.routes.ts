import { z } from 'zod';
import { listOf } from '../../../../contracts/common.js';
import {
  createIncidentRuleSchema,
  createIncidentSeveritySchema,
  incidentRuleSchema,
  incidentSeverityViewSchema,
  postmortemPolicySchema,
  postmortemPolicyViewSchema,
  postmortemRequestSchema,
  ruleParams,
  severityParams,
  updateIncidentRuleSchema,
  updateIncidentSeveritySchema,
} from '../../../../contracts/incident-rules.js';
import { incidentSchema } from '../../../../contracts/incidents.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { IncidentRules } from './rules.module.js';

const admin = { role: 'admin' } as const;
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;
const incidentParams = z.strictObject({ incident: z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`') });

/** Severities (admin), auto-declare rules (admin), the postmortem policy (admin) and postmortem requests (responders). */
export function incidentRulesRoutes(rules: IncidentRules): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/incident-severities/settings', operationId: 'listIncidentSeveritySettings', summary: 'The severities with their order and whether they are stored or the built-in defaults', tag: 'Incident settings',
      auth: read, success: { status: 200, schema: listOf(incidentSeverityViewSchema) },
      handler: async () => ({ items: await rules.severities.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incident-severities', operationId: 'createIncidentSeverity', summary: 'Add a severity (the first change stores the built-in SEV1–SEV4 first)', tag: 'Incident settings',
      auth: admin, body: createIncidentSeveritySchema, success: { status: 201, schema: incidentSeverityViewSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => rules.severities.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incident-severities/{severity}', operationId: 'updateIncidentSeverity', summary: 'Change a severity’s name, description, response, update cadence or place in the order', tag: 'Incident settings',
      auth: admin, params: severityParams, body: updateIncidentSeveritySchema, success: { status: 200, schema: incidentSeverityViewSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => rules.severities.update({ actor, principal }, params.severity, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/incident-severities/{severity}', operationId: 'deleteIncidentSeverity', summary: 'Delete a severity; 422 naming what uses it (open incidents, rules, the postmortem policy)', tag: 'Incident settings',
      auth: admin, params: severityParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => {
        await rules.severities.remove({ actor, principal }, params.severity);
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incident-rules', operationId: 'listIncidentRules', summary: 'Auto-declare rules, in the order they are tried', tag: 'Incident settings',
      auth: read, success: { status: 200, schema: listOf(incidentRuleSchema) },
      handler: async () => ({ items: await rules.rules.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incident-rules', operationId: 'createIncidentRule', summary: 'Add an auto-declare rule: alerts matching its conditions declare an incident', tag: 'Incident settings',
      auth: admin, body: createIncidentRuleSchema, success: { status: 201, schema: incidentRuleSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => rules.rules.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/incident-rules/{rule}', operationId: 'getIncidentRule', summary: 'Get an auto-declare rule by id or name', tag: 'Incident settings',
      auth: read, params: ruleParams, success: { status: 200, schema: incidentRuleSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => rules.rules.get(params.rule),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incident-rules/{rule}', operationId: 'updateIncidentRule', summary: 'Change an auto-declare rule (conditions and action are replaced whole)', tag: 'Incident settings',
      auth: admin, params: ruleParams, body: updateIncidentRuleSchema, success: { status: 200, schema: incidentRuleSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => rules.rules.update({ actor, principal }, params.rule, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/incident-rules/{rule}', operationId: 'deleteIncidentRule', summary: 'Delete an auto-declare rule (incidents it declared stay)', tag: 'Incident settings',
      auth: admin, params: ruleParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => {
        await rules.rules.remove({ actor, principal }, params.rule);
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortem-policy', operationId: 'getPostmortemPolicy', summary: 'When resolving an incident requires a postmortem', tag: 'Incident settings',
      auth: read, success: { status: 200, schema: postmortemPolicyViewSchema },
      handler: async () => rules.postmortem.get(),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/postmortem-policy', operationId: 'putPostmortemPolicy', summary: 'Replace the postmortem policy (severities, customer impact minutes, repeat days; null turns a reason off)', tag: 'Incident settings',
      auth: admin, body: postmortemPolicySchema, success: { status: 200, schema: postmortemPolicyViewSchema },
      handler: async ({ body, actor, principal }) => rules.postmortem.put({ actor, principal }, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/postmortem-request', operationId: 'requestIncidentPostmortem', summary: 'Ask for a postmortem of an incident (the policy then requires one)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: postmortemRequestSchema, success: { status: 200, schema: incidentSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => rules.postmortem.request({ actor, principal }, params.incident, body),
    }),
  ];
}
