import { z } from 'zod';
import { emailSchema, handleSchema, instantSchema, roleSchema, teamRoleSchema, timeZoneSchema } from './common.js';

export const userSchema = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  email: z.string(),
  timeZone: z.string(),
  role: roleSchema,
  totpEnabled: z.boolean(),
  deactivatedAt: instantSchema.nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  teams: z.array(z.object({ id: z.string(), handle: z.string(), name: z.string(), role: teamRoleSchema })),
});
export type User = z.infer<typeof userSchema>;

export const createUserBody = z.strictObject({
  handle: handleSchema,
  name: z.string().trim().min(1, 'is required').max(200),
  email: emailSchema,
  timeZone: timeZoneSchema,
  role: roleSchema.default('responder'),
  password: z.string().min(10, 'must be at least 10 characters').optional().describe('Leave out for people who only get paged and never log in'),
});
export type CreateUserBody = z.input<typeof createUserBody>;

export const updateUserBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(200).optional(),
    email: emailSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    role: roleSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });

export const updateMeBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(200).optional(),
    timeZone: timeZoneSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });

export const listUsersQuery = z.strictObject({
  includeDeactivated: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
});
