import { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import { listOf, refParam } from '../../../contracts/common.js';
import {
  calendarFeedInputSchema,
  calendarFeedSchema,
  createdCalendarFeedSchema,
  escalationPolicyInputSchema,
  escalationPolicySchema,
  escalationPolicyUpdateSchema,
  finalScheduleQuery,
  finalScheduleSchema,
  holidayInputSchema,
  holidaySchema,
  hoursReportQuery,
  hoursReportSchema,
  lintSchema,
  lintsQuery,
  myOnCallSchema,
  onCallQuery,
  onCallSchema,
  overrideInputSchema,
  overrideSchema,
  overridesQuery,
  policyPreviewQuery,
  policyPreviewSchema,
  policyRefParams,
  scheduleInputSchema,
  scheduleRefParams,
  scheduleSchema,
  scheduleUpdateSchema,
  swapInputSchema,
} from '../../../contracts/oncall.js';
import type { Principal } from '../../../core/auth/roles.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import { hoursReportCsv } from './hours-report.js';
import { Issues, parseInstant } from './oncall.input.js';
import type { Oncall } from './oncall.services.js';

const overrideParams = z.strictObject({ schedule: refParam, id: z.string().min(1).max(64) });
const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const tokenParams = z.strictObject({ token: z.string().max(256) });

/** Who may change what (docs/oncall.md): schedules and policies need an admin or a team admin of the owning team. */
const manage = { role: 'admin', teamAdmin: true, scope: 'team' } as const;
/** Overrides and swaps: also responders who are members of the schedule's team (checked by the service). */
const cover = { role: 'responder', teamAdmin: true, scope: 'team' } as const;
const read = { role: 'viewer' } as const;
/** The caller's own things (my shifts, my calendar feeds): fine for team-scoped tokens too. */
const own = { role: 'viewer', scope: 'team' } as const;

const me = (principal: Principal | null): Principal => principal as Principal;

/**
 * Schedules, overrides and swaps, who is on call, escalation policies, calendar feeds, holidays and
 * the on-call hours report. Routes read as a pipeline: auth rule → validated input → one service call.
 */
export function oncallRoutes(oncall: Oncall): AnyRoute[] {
  const { schedules, policies, feeds, hours } = oncall;
  return [
    // ---- schedules
    defineRoute({
      method: 'GET', path: '/api/v1/schedules', operationId: 'listSchedules', summary: 'List schedules', tag: 'Schedules',
      auth: read, success: { status: 200, schema: listOf(scheduleSchema) },
      handler: async () => ({ items: await schedules.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/schedules', operationId: 'createSchedule', summary: 'Create a schedule', tag: 'Schedules',
      description: 'Layers are checked by the schedule engine; every problem is named by its path (`body.layers.0.turn.count`). People are given by id or handle.',
      auth: manage, body: scheduleInputSchema, success: { status: 201, schema: scheduleSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => schedules.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/schedules/{schedule}', operationId: 'getSchedule', summary: 'Get a schedule by id or handle', tag: 'Schedules',
      auth: read, params: scheduleRefParams, success: { status: 200, schema: scheduleSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => schedules.get(params.schedule),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/schedules/{schedule}', operationId: 'updateSchedule', summary: 'Change a schedule (layers are replaced as a whole)', tag: 'Schedules',
      auth: manage, params: scheduleRefParams, body: scheduleUpdateSchema, success: { status: 200, schema: scheduleSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => schedules.update({ actor, principal }, params.schedule, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/schedules/{schedule}', operationId: 'deleteSchedule', summary: 'Delete a schedule (refused while an escalation policy uses it)', tag: 'Schedules',
      auth: manage, params: scheduleRefParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'CONFLICT'],
      handler: async ({ params, actor, principal }) => schedules.delete({ actor, principal }, params.schedule),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/schedules/{schedule}/final', operationId: 'getFinalSchedule', summary: 'The final schedule over a window: who is on call, each layer, shadows, gaps', tag: 'Schedules',
      auth: read, params: scheduleRefParams, query: finalScheduleQuery, success: { status: 200, schema: finalScheduleSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => schedules.final(params.schedule, query),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/schedules/{schedule}/lints', operationId: 'getScheduleLints', summary: 'Problems with a schedule over the next days (gaps, small rotations, unreachable people, same person primary and secondary)', tag: 'Schedules',
      auth: read, params: scheduleRefParams, query: lintsQuery, success: { status: 200, schema: listOf(lintSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => ({ items: await schedules.lints(params.schedule, query) }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/schedules/{schedule}/overrides', operationId: 'listOverrides', summary: 'Overrides of a schedule (default: current and future ones)', tag: 'Schedules',
      auth: read, params: scheduleRefParams, query: overridesQuery, success: { status: 200, schema: listOf(overrideSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => ({ items: await schedules.listOverrides(params.schedule, query) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/schedules/{schedule}/overrides', operationId: 'createOverride', summary: 'Put someone on call for an interval, above every layer', tag: 'Schedules',
      auth: cover, params: scheduleRefParams, body: overrideInputSchema, success: { status: 201, schema: overrideSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => schedules.createOverride({ actor, principal }, params.schedule, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/schedules/{schedule}/overrides/{id}', operationId: 'deleteOverride', summary: 'Delete an override (both halves of a swap)', tag: 'Schedules',
      auth: cover, params: overrideParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => schedules.deleteOverride({ actor, principal }, params.schedule, params.id),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/schedules/{schedule}/swaps', operationId: 'swapShifts', summary: 'Swap two people’s shifts (recorded as two overrides naming each other)', tag: 'Schedules',
      auth: cover, params: scheduleRefParams, body: swapInputSchema, success: { status: 201, schema: listOf(overrideSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => ({ items: await schedules.swap({ actor, principal }, params.schedule, body) }),
    }),

    // ---- who is on call
    defineRoute({
      method: 'GET', path: '/api/v1/oncall', operationId: 'getOnCall', summary: 'Who is on call now or at an instant: for a schedule, a team’s schedules, an escalation policy, or every schedule', tag: 'On call',
      auth: read, query: onCallQuery, success: { status: 200, schema: onCallSchema }, errors: ['NOT_FOUND'],
      handler: async ({ query }) => {
        const given = (['schedule', 'team', 'policy'] as const).filter((k) => query[k] !== undefined);
        if (given.length > 1) {
          const issues = new Issues();
          issues.add(`query.${given[1]}`, `give at most one of schedule, team or policy (also got ${given[0]})`);
          issues.throwIfAny();
        }
        const at = query.at === undefined ? schedules.now() : parseInstant(query.at, 'query.at');
        return query.policy !== undefined ? policies.onCall(query.policy, at) : schedules.onCall(query, at);
      },
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/me/oncall', operationId: 'getMyOnCall', summary: 'Am I on call now, when next, and my shifts for the next three months', tag: 'On call',
      auth: own, success: { status: 200, schema: myOnCallSchema },
      handler: async ({ principal }) => schedules.myOnCall(me(principal).userId),
    }),

    // ---- escalation policies
    defineRoute({
      method: 'GET', path: '/api/v1/escalation-policies', operationId: 'listEscalationPolicies', summary: 'List escalation policies (every team can read every policy)', tag: 'Escalation policies',
      auth: read, success: { status: 200, schema: listOf(escalationPolicySchema) },
      handler: async () => ({ items: await policies.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/escalation-policies', operationId: 'createEscalationPolicy', summary: 'Create an escalation policy', tag: 'Escalation policies',
      auth: manage, body: escalationPolicyInputSchema, success: { status: 201, schema: escalationPolicySchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => policies.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/escalation-policies/{policy}', operationId: 'getEscalationPolicy', summary: 'Get an escalation policy by id or handle', tag: 'Escalation policies',
      auth: read, params: policyRefParams, success: { status: 200, schema: escalationPolicySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => policies.get(params.policy),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/escalation-policies/{policy}', operationId: 'updateEscalationPolicy', summary: 'Change an escalation policy (levels are replaced as a whole)', tag: 'Escalation policies',
      auth: manage, params: policyRefParams, body: escalationPolicyUpdateSchema, success: { status: 200, schema: escalationPolicySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => policies.update({ actor, principal }, params.policy, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/escalation-policies/{policy}', operationId: 'deleteEscalationPolicy', summary: 'Delete an escalation policy', tag: 'Escalation policies',
      auth: manage, params: policyRefParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => policies.delete({ actor, principal }, params.policy),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/escalation-policies/{policy}/preview', operationId: 'previewEscalationPolicy', summary: 'If an alert fired at an instant, who would be notified at each level, and when', tag: 'Escalation policies',
      auth: read, params: policyRefParams, query: policyPreviewQuery, success: { status: 200, schema: policyPreviewSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => policies.preview(params.policy, query.at === undefined ? schedules.now() : parseInstant(query.at, 'query.at')),
    }),

    // ---- calendar feeds
    defineRoute({
      method: 'GET', path: '/api/v1/calendar-feeds', operationId: 'listCalendarFeeds', summary: 'Your calendar feeds (their secret URLs are shown only when created)', tag: 'Calendar feeds',
      auth: own, success: { status: 200, schema: listOf(calendarFeedSchema) },
      handler: async ({ principal }) => ({ items: await feeds.list(me(principal)) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/calendar-feeds', operationId: 'createCalendarFeed', summary: 'Create an iCalendar feed of your shifts or of a schedule', tag: 'Calendar feeds',
      auth: own, body: calendarFeedInputSchema, success: { status: 201, schema: createdCalendarFeedSchema },
      handler: async ({ body, actor, principal }) => feeds.create({ actor, principal: me(principal) }, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/calendar-feeds/{id}', operationId: 'revokeCalendarFeed', summary: 'Revoke a calendar feed: its URL stops working at once', tag: 'Calendar feeds',
      auth: own, params: idParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => feeds.revoke({ actor, principal: me(principal) }, params.id),
    }),
    defineRoute({
      method: 'GET', path: '/calendar/{token}.ics', operationId: 'getCalendarFeed', summary: 'An iCalendar feed behind its secret token (text/calendar)', tag: 'Calendar feeds',
      description: 'Public: the token in the URL is the credential. Unknown and revoked tokens answer 404.',
      auth: { public: true, rateLimit: 'public' }, params: tokenParams, success: { status: 200, schema: z.string() }, errors: ['NOT_FOUND'],
      handler: async ({ params, reply }) => {
        if (params.token.length === 0) throw new AppError('NOT_FOUND', 'No such calendar feed (it may have been revoked)');
        const feed = await feeds.render(params.token);
        return reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', `inline; filename="${feed.filename}"`)
          // The feed is personal: private caches only, and clients refresh hourly anyway (X-PUBLISHED-TTL).
          .header('cache-control', 'private, max-age=300')
          .send(feed.body);
      },
    }),

    // ---- holidays and the hours report
    defineRoute({
      method: 'GET', path: '/api/v1/holidays', operationId: 'listHolidays', summary: 'Public holidays counted by the on-call hours report', tag: 'Reports',
      auth: read, success: { status: 200, schema: listOf(holidaySchema) },
      handler: async () => ({ items: await hours.listHolidays() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/holidays', operationId: 'createHoliday', summary: 'Add a public holiday (a date, counted in each person’s own time zone)', tag: 'Reports',
      auth: { role: 'admin' }, body: holidayInputSchema, success: { status: 201, schema: holidaySchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => hours.createHoliday({ actor, principal }, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/holidays/{id}', operationId: 'deleteHoliday', summary: 'Remove a public holiday', tag: 'Reports',
      auth: { role: 'admin' }, params: idParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => hours.deleteHoliday({ actor, principal }, params.id),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/reports/oncall-hours', operationId: 'getOnCallHoursReport', summary: 'On-call hours per person over a period: weekday business hours, weekday off-hours, weekend, holidays (JSON or CSV)', tag: 'Reports',
      auth: read, query: hoursReportQuery, success: { status: 200, schema: hoursReportSchema }, errors: ['NOT_FOUND'],
      handler: async ({ query, reply }) => {
        const report = await hours.report(query);
        if (query.format === 'json') return report;
        const name = `oncall-hours-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(hoursReportCsv(report));
      },
    }),
  ];
}
