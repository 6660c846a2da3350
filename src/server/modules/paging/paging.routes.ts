import { z } from 'zod';
import { listOf } from '../../../contracts/common.js';
import { addRespondersSchema, escalationViewSchema, policyDrillSchema, policyPagingSettingsSchema, testPageResultSchema } from '../../../contracts/paging.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { PagingService } from './paging.service.js';
import type { PolicyDrills } from './drill.js';
import type { TestPages } from './test-page.js';

const alertParams = z.strictObject({ alert: z.string().min(1).max(64).describe('Alert id, or its number as `#12` or `12`') });
const userParams = z.strictObject({ user: z.string().min(1).max(64).describe('User id or handle') });
const policyParams = z.strictObject({ policy: z.string().min(1).max(64).describe('Escalation policy id or handle') });
const policySettingsView = z.object({ policy: z.string(), ackTimeoutMinutes: z.number().int().nullable() });
/** Like acknowledge: responders act, team-scoped tokens on their team's alerts (checked by the service). */
const respond = { role: 'responder', scope: 'team' } as const;

/**
 * Paging: an alert's escalation, for the alert page and scripts, and the people acting on it. Test pages
 * are mounted twice like contact methods (`/me/…` for your own, `/users/{user}/…` for admins), so each
 * rule is exactly what `x-firebreak-auth` documents.
 */
export function pagingRoutes(paging: PagingService, testPages?: TestPages, drills?: PolicyDrills): AnyRoute[] {
  const drillParams = z.strictObject({ policy: policyParams.shape.policy, drill: z.string().min(1).max(64).describe('The drill’s alert id or number') });
  const drillRoutes: AnyRoute[] = drills
    ? [
        defineRoute({
          method: 'POST', path: '/api/v1/escalation-policies/{policy}/drills', operationId: 'startPolicyDrill', summary: 'Start a drill: a test alert that walks the policy’s real escalation, every page marked as a test, reporting how long each step took to be acknowledged', tag: 'Escalation policies',
          auth: { role: 'admin', teamAdmin: true, scope: 'team' }, params: policyParams, success: { status: 201, schema: policyDrillSchema }, errors: ['NOT_FOUND'],
          handler: async ({ params, actor, principal }) => drills.start({ actor, principal }, params.policy),
        }),
        defineRoute({
          method: 'GET', path: '/api/v1/escalation-policies/{policy}/drills', operationId: 'listPolicyDrills', summary: 'The latest drills of a policy, newest first, each with its step-by-step report', tag: 'Escalation policies',
          auth: { role: 'viewer' }, params: policyParams, success: { status: 200, schema: listOf(policyDrillSchema) }, errors: ['NOT_FOUND'],
          handler: async ({ params }) => ({ items: await drills.list(params.policy) }),
        }),
        defineRoute({
          method: 'GET', path: '/api/v1/escalation-policies/{policy}/drills/{drill}', operationId: 'getPolicyDrill', summary: 'One drill’s report', tag: 'Escalation policies',
          auth: { role: 'viewer' }, params: drillParams, success: { status: 200, schema: policyDrillSchema }, errors: ['NOT_FOUND'],
          handler: async ({ params }) => drills.get(params.policy, params.drill),
        }),
      ]
    : [];
  const tests: AnyRoute[] = testPages
    ? [
        defineRoute({
          method: 'POST', path: '/api/v1/me/test-page', operationId: 'sendMyTestPage', summary: 'Send yourself a test page through the real delivery pipeline, to each of your high-urgency contact methods', tag: 'Notifications (you)',
          auth: { role: 'viewer', scope: 'team' }, success: { status: 200, schema: testPageResultSchema }, errors: ['RULE_VIOLATION'],
          handler: async ({ actor, principal }) => testPages.send({ actor, principal }, principal!.userId),
        }),
        defineRoute({
          method: 'POST', path: '/api/v1/users/{user}/test-page', operationId: 'sendUserTestPage', summary: 'Send a person a test page through the real delivery pipeline, to each of their high-urgency contact methods', tag: 'Notifications (admin)',
          auth: { role: 'admin' }, params: userParams, success: { status: 200, schema: testPageResultSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
          handler: async ({ params, actor, principal }) => testPages.send({ actor, principal }, params.user),
        }),
      ]
    : [];
  return [
    ...tests,
    ...drillRoutes,
    defineRoute({
      method: 'GET', path: '/api/v1/alerts/{alert}/escalation', operationId: 'getAlertEscalation', summary: 'An alert’s escalation: levels, steps taken, who was paged and the next step', tag: 'Alerts',
      auth: { role: 'viewer' }, params: alertParams, success: { status: 200, schema: escalationViewSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => paging.view(params.alert),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/escalate', operationId: 'escalateAlert', summary: 'Escalate now: page the next level of a triggered alert’s escalation at once', tag: 'Alerts',
      auth: respond, params: alertParams, success: { status: 200, schema: escalationViewSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => paging.escalate({ actor, principal }, params.alert),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/alerts/{alert}/responders', operationId: 'addAlertResponders', summary: 'Page more people into a triggered alert: users, or the people on level 1 of escalation policies', tag: 'Alerts',
      auth: respond, params: alertParams, body: addRespondersSchema, success: { status: 200, schema: escalationViewSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => paging.addResponders({ actor, principal }, params.alert, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/escalation-policies/{policy}/paging-settings', operationId: 'getPolicyPagingSettings', summary: 'An escalation policy’s paging settings (acknowledgement timeout)', tag: 'Escalation policies',
      auth: { role: 'viewer' }, params: policyParams, success: { status: 200, schema: policySettingsView }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => paging.policySettings(params.policy),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/escalation-policies/{policy}/paging-settings', operationId: 'setPolicyPagingSettings', summary: 'Set an escalation policy’s paging settings; alerts triggered from now on use them', tag: 'Escalation policies',
      auth: { role: 'admin', teamAdmin: true, scope: 'team' }, params: policyParams, body: policyPagingSettingsSchema, success: { status: 200, schema: policySettingsView }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => paging.setPolicySettings({ actor, principal }, params.policy, body),
    }),
  ];
}
