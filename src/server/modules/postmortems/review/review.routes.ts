import { listOf } from '../../../../contracts/common.js';
import {
  postmortemParams,
  publicationSchema,
  withdrawPublicVersionQuery,
  postmortemSchema,
  postmortemTransitionSchema,
  publicVersionSchema,
  publishPublicVersionSchema,
  reviewAgendaSchema,
  reviewDecisionSchema,
  setReviewersSchema,
} from '../../../../contracts/postmortems.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { PostmortemReview } from './review.service.js';

const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;
const tag = 'Postmortems';

/**
 * Review and publication of postmortems (ADR 0038): reviewers, transitions, decisions, the meeting
 * agenda and the public version. Responders change them; a decision is open to any signed-in user the
 * authors named as a reviewer (the service refuses everyone else with 403), so a stakeholder with
 * read access can still approve.
 */
export function postmortemReviewRoutes(review: PostmortemReview): AnyRoute[] {
  return [
    defineRoute({
      method: 'PUT', path: '/api/v1/postmortems/{postmortem}/reviewers', operationId: 'setPostmortemReviewers', summary: 'Name the reviewers of a postmortem (replaces the list; those kept keep their decision)', tag,
      auth: respond, params: postmortemParams, body: setReviewersSchema, success: { status: 200, schema: postmortemSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => review.setReviewers({ actor, principal }, params.postmortem, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/{postmortem}/transitions', operationId: 'transitionPostmortem', summary: 'Submit for review, withdraw, publish (every named reviewer approved) or reopen a postmortem', tag,
      description: '`submit` needs at least one action item or `noActionItemsReason` (422 naming `body.noActionItemsReason`); `publish` needs every named reviewer to have approved (422 naming who has not); `reopen` needs a `reason`.',
      auth: respond, params: postmortemParams, body: postmortemTransitionSchema, success: { status: 200, schema: postmortemSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => review.transition({ actor, principal }, params.postmortem, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/{postmortem}/reviews', operationId: 'reviewPostmortem', summary: 'Approve a postmortem in review, or ask for changes (named reviewers only)', tag,
      auth: read, params: postmortemParams, body: reviewDecisionSchema, success: { status: 200, schema: postmortemSchema }, errors: ['NOT_FOUND', 'FORBIDDEN', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => review.decide({ actor, principal }, params.postmortem, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/agenda', operationId: 'getPostmortemAgenda', summary: 'The review meeting’s agenda, generated from the postmortem, with the informal round’s prompts', tag,
      auth: read, params: postmortemParams, success: { status: 200, schema: reviewAgendaSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => review.agenda(params.postmortem),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/postmortems/{postmortem}/public-version', operationId: 'publishPostmortemPublicVersion', summary: 'Publish the public version of a published postmortem to a status-page incident', tag,
      description: 'The sections not marked internal, or those listed, become a public page (no JavaScript) that the status-page incident links to. Publishing again to the same status-page incident replaces its text and keeps its URL.',
      auth: respond, params: postmortemParams, body: publishPublicVersionSchema, success: { status: 201, schema: publicVersionSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => review.publishPublicVersion({ actor, principal }, params.postmortem, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/postmortems/{postmortem}/public-version', operationId: 'listPostmortemPublicVersions', summary: 'Where the public versions of a postmortem are published, newest first', tag,
      auth: read, params: postmortemParams, success: { status: 200, schema: listOf(publicationSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await review.publications(params.postmortem) }),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/postmortems/{postmortem}/public-version', operationId: 'withdrawPostmortemPublicVersion', summary: 'Withdraw the public version from a status-page incident (or from every one)', tag,
      description: 'The status-page incident stops linking to it and its public address answers 404. `statusPageIncident` names one status-page incident; left out, every public version of the postmortem is withdrawn. Publishing again makes a new one (a new address).',
      auth: respond, params: postmortemParams, query: withdrawPublicVersionQuery, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, query, actor, principal }) => review.withdrawPublicVersion({ actor, principal }, params.postmortem, query.statusPageIncident),
    }),
  ];
}
