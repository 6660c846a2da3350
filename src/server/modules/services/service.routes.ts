import { z } from 'zod';
import {
  integrationInputSchema,
  integrationSchema,
  integrationUpdateSchema,
  integrationWithKeySchema,
  rotateKeyInputSchema,
  serviceInputSchema,
  serviceSchema,
  serviceUpdateSchema,
} from '../../../contracts/alerts.js';
import { listOf, refParam } from '../../../contracts/common.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { ServiceCatalog } from './service.service.js';

const serviceParams = z.strictObject({ service: refParam });
const integrationParams = z.strictObject({ service: refParam, integration: z.string().min(1).max(64) });

/** Services and integrations change with an admin or a team admin of the owning team (checked by the service). */
const manage = { role: 'admin', teamAdmin: true, scope: 'team' } as const;
const read = { role: 'viewer' } as const;

/** Services and their integrations. Routes read as a pipeline: auth rule → validated input → one service call. */
export function serviceRoutes(services: ServiceCatalog): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/services', operationId: 'listServices', summary: 'List services with their integrations (without keys) and open alert counts', tag: 'Services',
      auth: read, success: { status: 200, schema: listOf(serviceSchema) },
      handler: async () => ({ items: await services.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/services', operationId: 'createService', summary: 'Create a service', tag: 'Services',
      auth: manage, body: serviceInputSchema, success: { status: 201, schema: serviceSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => services.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/services/{service}', operationId: 'getService', summary: 'Get a service by id or handle', tag: 'Services',
      auth: read, params: serviceParams, success: { status: 200, schema: serviceSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => services.get(params.service),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/services/{service}', operationId: 'updateService', summary: 'Change a service', tag: 'Services',
      auth: manage, params: serviceParams, body: serviceUpdateSchema, success: { status: 200, schema: serviceSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => services.update({ actor, principal }, params.service, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/services/{service}', operationId: 'deleteService', summary: 'Delete a service (its alerts keep their history; its integrations stop accepting events)', tag: 'Services',
      auth: manage, params: serviceParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => services.delete({ actor, principal }, params.service),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/services/{service}/integrations', operationId: 'listIntegrations', summary: 'List a service’s integrations (without keys)', tag: 'Services',
      auth: read, params: serviceParams, success: { status: 200, schema: listOf(integrationSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await services.listIntegrations(params.service) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/services/{service}/integrations', operationId: 'createIntegration', summary: 'Add an integration; the answer holds its key and a configuration snippet', tag: 'Services',
      auth: manage, params: serviceParams, body: integrationInputSchema, success: { status: 201, schema: integrationWithKeySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => services.createIntegration({ actor, principal }, params.service, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/services/{service}/integrations/{integration}', operationId: 'getIntegration', summary: 'An integration with its key, URL and configuration snippet', tag: 'Services',
      description: 'The key is shown to admins and members of the service’s team; others get FORBIDDEN (the service itself lists integrations without keys).',
      auth: read, params: integrationParams, success: { status: 200, schema: integrationWithKeySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, actor, principal }) => services.getIntegrationWithKey({ actor, principal }, params.service, params.integration),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/services/{service}/integrations/{integration}', operationId: 'updateIntegration', summary: 'Rename, disable or re-enable an integration', tag: 'Services',
      description: 'A disabled integration answers 403 to every event sent to it.',
      auth: manage, params: integrationParams, body: integrationUpdateSchema, success: { status: 200, schema: integrationSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => services.updateIntegration({ actor, principal }, params.service, params.integration, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/services/{service}/integrations/{integration}/rotate', operationId: 'rotateIntegrationKey', summary: 'Issue a new key; the old one works for `graceMinutes` more', tag: 'Services',
      auth: manage, params: integrationParams, body: rotateKeyInputSchema, success: { status: 200, schema: integrationWithKeySchema }, errors: ['NOT_FOUND'],
      handler: async ({ params, body, actor, principal }) => services.rotateKey({ actor, principal }, params.service, params.integration, body),
    }),
  ];
}
