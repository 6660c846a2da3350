import { z } from 'zod';
import { escalationViewSchema } from '../../../contracts/paging.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { PagingService } from './paging.service.js';

const alertParams = z.strictObject({ alert: z.string().min(1).max(64).describe('Alert id, or its number as `#12` or `12`') });

/** Paging: an alert's escalation, for the alert page and scripts. */
export function pagingRoutes(paging: PagingService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/alerts/{alert}/escalation', operationId: 'getAlertEscalation', summary: 'An alert’s escalation: levels, steps taken, who was paged and the next step', tag: 'Alerts',
      auth: { role: 'viewer' }, params: alertParams, success: { status: 200, schema: escalationViewSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => paging.view(params.alert),
    }),
  ];
}
