import { z } from 'zod';
import { listOf } from '../../../contracts/common.js';
import { createProviderBody, providerKindInfoSchema, providerSchema, providerTestResultSchema, testProviderBody, updateProviderBody } from '../../../contracts/providers.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { ProvidersService } from './providers.service.js';

const providerParams = z.strictObject({ provider: z.string().min(1).max(64).describe('Provider id or name') });

/** Notification providers: admins configure them; everyone signed in may see which exist and their health. */
export function providerRoutes(providers: ProvidersService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/notification-provider-kinds', operationId: 'listNotificationProviderKinds', summary: 'The kinds of notification provider Firebreak can deliver through, with their fields', tag: 'Notification providers',
      auth: { role: 'viewer' }, success: { status: 200, schema: listOf(providerKindInfoSchema) },
      handler: async () => ({ items: providers.kinds() }),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/notification-providers', operationId: 'listNotificationProviders', summary: 'Notification providers, in the order they are tried, with their health', tag: 'Notification providers',
      auth: { role: 'viewer' }, success: { status: 200, schema: listOf(providerSchema) },
      handler: async () => ({ items: await providers.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/notification-providers', operationId: 'createNotificationProvider', summary: 'Add a notification provider (secrets are stored encrypted, or named by environment variable)', tag: 'Notification providers',
      auth: { role: 'admin' }, body: createProviderBody, success: { status: 201, schema: providerSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => providers.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/notification-providers/{provider}', operationId: 'getNotificationProvider', summary: 'One notification provider', tag: 'Notification providers',
      auth: { role: 'viewer' }, params: providerParams, success: { status: 200, schema: providerSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => providers.get(params.provider),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/notification-providers/{provider}', operationId: 'updateNotificationProvider', summary: 'Change a notification provider', tag: 'Notification providers',
      auth: { role: 'admin' }, params: providerParams, body: updateProviderBody, success: { status: 200, schema: providerSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => providers.update({ actor, principal }, params.provider, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/notification-providers/{provider}', operationId: 'deleteNotificationProvider', summary: 'Remove a notification provider', tag: 'Notification providers',
      auth: { role: 'admin' }, params: providerParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => {
        await providers.remove({ actor, principal }, params.provider);
      },
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/notification-providers/{provider}/test', operationId: 'testNotificationProvider', summary: 'Send a test message through this provider alone', tag: 'Notification providers',
      auth: { role: 'admin' }, params: providerParams, body: testProviderBody, success: { status: 200, schema: providerTestResultSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => providers.test({ actor, principal }, params.provider, body),
    }),
  ];
}
