import { z } from 'zod';
import { changePageSchema, listChangesQuery } from '../../../contracts/changes.js';
import { refParam } from '../../../contracts/common.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { ChangeLog } from './changes.js';

const serviceParams = z.strictObject({ service: refParam });

/** Change events recorded on a service (viewer and up). */
export function changeRoutes(changes: ChangeLog): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/services/{service}/changes', operationId: 'listServiceChanges', summary: 'Change events (deploys, config changes) recorded on a service, newest first', tag: 'Services',
      auth: { role: 'viewer' }, params: serviceParams, query: listChangesQuery, success: { status: 200, schema: changePageSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, query }) => changes.list(params.service, query),
    }),
  ];
}
