import { z } from 'zod';
import { instantSchema, roleSchema } from './common.js';

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to tell tokens apart'),
  userId: z.string(),
  userHandle: z.string(),
  role: roleSchema,
  teamId: z.string().nullable(),
  createdAt: instantSchema,
  expiresAt: instantSchema.nullable(),
  lastUsedAt: instantSchema.nullable(),
  revokedAt: instantSchema.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  role: roleSchema.describe('At most your own role'),
  team: z.string().min(1).optional().describe('Team id or handle: the token may then act only on that team'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateTokenBody = z.input<typeof createTokenBody>;

export const createdTokenSchema = z.object({
  token: apiTokenSchema,
  secret: z.string().describe('The token itself. Shown once; Firebreak keeps only its hash.'),
});

export const listTokensQuery = z.strictObject({
  all: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe('Admins: every user’s tokens'),
});
