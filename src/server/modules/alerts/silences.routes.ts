import { z } from 'zod';
import { listOf } from '../../../contracts/common.js';
import { listSilencesQuery, silenceInputSchema, silenceSchema } from '../../../contracts/suppression.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { Suppression } from './suppression.js';

const silenceParams = z.strictObject({ silence: z.string().min(1).max(64).describe('Silence id') });

/**
 * Responders silence (as in Alertmanager, on-call people silence noise themselves); a team-scoped token
 * only for its team's services (checked by the service).
 */
const respond = { role: 'responder', scope: 'team' } as const;
const read = { role: 'viewer' } as const;

/** Silences (ADR 0019): label matchers with an expiry; matching events are recorded but nobody is notified. */
export function silenceRoutes(suppression: Suppression): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/silences', operationId: 'listSilences', summary: 'List silences, newest first (default: pending and active)', tag: 'Suppression',
      auth: read, query: listSilencesQuery, success: { status: 200, schema: listOf(silenceSchema) },
      handler: async ({ query }) => ({ items: await suppression.listSilences(query) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/silences', operationId: 'createSilence', summary: 'Create a silence: label matchers (=, !=, =~, !~), a comment and an expiry', tag: 'Suppression',
      description: 'Regexes are anchored and use RE2 syntax (run in linear time); an invalid one answers 400 naming the matcher field.',
      auth: respond, body: silenceInputSchema, success: { status: 201, schema: silenceSchema },
      handler: async ({ body, actor, principal }) => suppression.createSilence({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/silences/{silence}', operationId: 'getSilence', summary: 'Get a silence', tag: 'Suppression',
      auth: read, params: silenceParams, success: { status: 200, schema: silenceSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => suppression.getSilence(params.silence),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/silences/{silence}/expire', operationId: 'expireSilence', summary: 'Expire a silence now', tag: 'Suppression',
      auth: respond, params: silenceParams, success: { status: 200, schema: silenceSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => suppression.expireSilence({ actor, principal }, params.silence),
    }),
  ];
}
