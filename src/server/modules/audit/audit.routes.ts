import { auditPageSchema, listAuditQuery } from '../../../contracts/audit.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { defineRoute, type AnyRoute } from '../../platform/http/route.js';
import type { AuditLog } from './audit.repo.js';

export function auditRoutes(deps: { database: FirebreakDatabase; audit: AuditLog }): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/audit',
      operationId: 'listAuditEntries',
      summary: 'List audit-log entries, newest first',
      tag: 'Audit',
      auth: { role: 'admin' },
      query: listAuditQuery,
      success: { status: 200, schema: auditPageSchema },
      handler: async ({ query }) => deps.audit.list(deps.database.db, query),
    }),
  ];
}
