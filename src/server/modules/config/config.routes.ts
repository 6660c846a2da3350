import { z } from 'zod';
import { configApplyResultSchema, configBody, configExportSchema, configJsonSchema, configPlanSchema } from '../../../contracts/config.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { ConfigService } from './config.service.js';

const VALIDATION_NOTE =
  'Documents that break their schema, repeat a kind/name, or name something that does not exist answer 400 VALIDATION_FAILED; `details.issues` has one entry per problem with a path such as `body.documents.2.spec.email`.';

/** Config-as-code: plan, apply and export Users and Teams as `firebreak/v1` documents (docs/config-as-code.md). */
export function configRoutes(config: ConfigService): AnyRoute[] {
  const schema = configJsonSchema();
  return [
    defineRoute({
      method: 'POST', path: '/api/v1/config/plan', operationId: 'planConfig', summary: 'Show what applying these documents would change (changes nothing)', tag: 'Config',
      description: VALIDATION_NOTE,
      auth: { role: 'admin', scope: 'org' }, body: configBody, success: { status: 200, schema: configPlanSchema }, errors: ['RULE_VIOLATION'],
      handler: async ({ body, actor, principal }) => config.plan({ actor, principal }, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/config/apply', operationId: 'applyConfig', summary: 'Make Users and Teams match these documents, all-or-nothing', tag: 'Config',
      description: `Plans and applies in one transaction: if any change fails, nothing is changed, StatusPage and Component changes included (docs/config-as-code.md). Every change is audited. Applying the same documents twice changes nothing the second time. ${VALIDATION_NOTE}`,
      auth: { role: 'admin', scope: 'org' }, body: configBody, success: { status: 200, schema: configApplyResultSchema }, errors: ['CONFLICT', 'RULE_VIOLATION', 'NOT_FOUND'],
      handler: async ({ body, actor, principal }) => config.apply({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/config/export', operationId: 'exportConfig', summary: 'Every active User and Team as config documents', tag: 'Config',
      auth: { role: 'admin', scope: 'org' }, success: { status: 200, schema: configExportSchema },
      handler: async () => ({ documents: await config.exportDocuments() }),
    }),
    defineRoute({
      method: 'GET', path: '/api/config-schema.json', operationId: 'getConfigSchema', summary: 'JSON Schema of a config document, for editor completion', tag: 'Config',
      description: 'Point yaml-language-server at it: `# yaml-language-server: $schema=<firebreak-url>/api/config-schema.json`.',
      auth: { public: true }, success: { status: 200, schema: z.record(z.string(), z.unknown()) },
      handler: async ({ reply }) => {
        reply.header('cache-control', 'public, max-age=300');
        return schema;
      },
    }),
  ];
}
