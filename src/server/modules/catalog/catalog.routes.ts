import { z } from 'zod';
import { listOf, refParam } from '../../../contracts/common.js';
import { createTeamBody, listTeamsQuery, putMemberBody, teamSchema, updateTeamBody } from '../../../contracts/teams.js';
import { createUserBody, deactivatedUserSchema, deactivateUserQuery, listUsersQuery, updateMeBody, updateUserBody, userSchema } from '../../../contracts/users.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { CatalogService } from './catalog.service.js';

const userParams = z.strictObject({ user: refParam });
const teamParams = z.strictObject({ team: refParam });
const memberParams = z.strictObject({ team: refParam, user: refParam });

/** Users and teams. Routes read as a pipeline: auth rule → validated input → one service call. */
export function catalogRoutes(catalog: CatalogService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/users', operationId: 'listUsers', summary: 'List users', tag: 'Users',
      auth: { role: 'viewer' }, query: listUsersQuery, success: { status: 200, schema: listOf(userSchema) },
      handler: async ({ query }) => ({ items: await catalog.listUsers(query.includeDeactivated) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/users', operationId: 'createUser', summary: 'Create a user', tag: 'Users',
      auth: { role: 'admin' }, body: createUserBody, success: { status: 201, schema: userSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => catalog.createUser({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/users/{user}', operationId: 'getUser', summary: 'Get a user by id or handle', tag: 'Users',
      auth: { role: 'viewer' }, params: userParams, success: { status: 200, schema: userSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => catalog.getUser(params.user),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/users/{user}', operationId: 'updateUser', summary: 'Change a user’s name, email, time zone or role', tag: 'Users',
      auth: { role: 'admin' }, params: userParams, body: updateUserBody, success: { status: 200, schema: userSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => catalog.updateUser({ actor, principal }, params.user, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/users/{user}/deactivate', operationId: 'deactivateUser', summary: 'Deactivate a user (history is kept; sessions end, tokens stop working)', tag: 'Users',
      description: 'Refused with CONFLICT (`details.references`) while schedules or escalation policies name the person, unless `force=true`, which removes them there and lists the coverage gaps that creates.',
      auth: { role: 'admin' }, params: userParams, query: deactivateUserQuery, success: { status: 200, schema: deactivatedUserSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, query, actor, principal }) => {
        const result = await catalog.deactivateUser({ actor, principal }, params.user, { force: query.force });
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        return { ...result.user, removedReferences: result.removedReferences, gaps: result.gaps.map((g) => ({ ...g, start: iso(g.start), end: iso(g.end) })) };
      },
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/users/{user}/reactivate', operationId: 'reactivateUser', summary: 'Reactivate a user', tag: 'Users',
      auth: { role: 'admin' }, params: userParams, success: { status: 200, schema: userSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => catalog.setUserActive({ actor, principal }, params.user, true),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/me', operationId: 'updateMe', summary: 'Change your own name or time zone', tag: 'Users',
      auth: { role: 'viewer', scope: 'team' }, body: updateMeBody, success: { status: 200, schema: userSchema },
      handler: async ({ body, actor, principal }) => catalog.updateUser({ actor, principal }, principal!.userId, body),
    }),

    defineRoute({
      method: 'GET', path: '/api/v1/teams', operationId: 'listTeams', summary: 'List teams with their members', tag: 'Teams',
      auth: { role: 'viewer' }, query: listTeamsQuery, success: { status: 200, schema: listOf(teamSchema) },
      handler: async ({ query }) => ({ items: await catalog.listTeams(query.includeDeactivated) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/teams', operationId: 'createTeam', summary: 'Create a team', tag: 'Teams',
      auth: { role: 'admin' }, body: createTeamBody, success: { status: 201, schema: teamSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => catalog.createTeam({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/teams/{team}', operationId: 'getTeam', summary: 'Get a team by id or handle', tag: 'Teams',
      auth: { role: 'viewer' }, params: teamParams, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => catalog.getTeam(params.team),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/teams/{team}', operationId: 'updateTeam', summary: 'Change a team’s name or description', tag: 'Teams',
      auth: { role: 'admin', teamAdmin: true, scope: 'team' }, params: teamParams, body: updateTeamBody, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => catalog.updateTeam({ actor, principal }, params.team, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/teams/{team}/deactivate', operationId: 'deactivateTeam', summary: 'Deactivate a team', tag: 'Teams',
      auth: { role: 'admin' }, params: teamParams, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => catalog.setTeamActive({ actor, principal }, params.team, false),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/teams/{team}/reactivate', operationId: 'reactivateTeam', summary: 'Reactivate a team', tag: 'Teams',
      auth: { role: 'admin' }, params: teamParams, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => catalog.setTeamActive({ actor, principal }, params.team, true),
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/teams/{team}/members/{user}', operationId: 'putTeamMember', summary: 'Add a member to a team or change their team role', tag: 'Teams',
      auth: { role: 'admin', teamAdmin: true, scope: 'team' }, params: memberParams, body: putMemberBody, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => catalog.putMember({ actor, principal }, params.team, params.user, body.role),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/teams/{team}/members/{user}', operationId: 'removeTeamMember', summary: 'Remove a member from a team', tag: 'Teams',
      auth: { role: 'admin', teamAdmin: true, scope: 'team' }, params: memberParams, success: { status: 200, schema: teamSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => catalog.removeMember({ actor, principal }, params.team, params.user),
    }),
  ];
}
