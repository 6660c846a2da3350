import { z } from 'zod';
import { instantSchema } from './common.js';

export const auditEntrySchema = z.object({
  id: z.string(),
  at: instantSchema,
  actor: z.object({ type: z.enum(['user', 'token', 'system', 'anonymous']), id: z.string().nullable(), label: z.string() }),
  action: z.string().describe('`<thing>.<verb>`, for example `team.create`'),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const listAuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().optional().describe('Return entries older than this entry id (pagination)'),
  action: z.string().optional(),
  targetType: z.string().optional(),
  targetId: z.string().optional(),
});

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextBefore: z.string().nullable() });
