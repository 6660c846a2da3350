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

export const deactivateUserQuery = z.strictObject({
  force: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe('Deactivate even when schedules or escalation policies name the person: they are removed from them'),
});

/** A schedule or escalation policy that names a person, with the field that does (`layers.0.participants.2`). */
export const userReferenceSchema = z.object({ kind: z.enum(['schedule', 'policy']), handle: z.string(), path: z.string() });

export const deactivatedUserSchema = userSchema.extend({
  removedReferences: z.array(userReferenceSchema).describe('With force: where the person was removed from'),
  gaps: z
    .array(z.object({ kind: z.enum(['schedule', 'policy']), handle: z.string(), start: instantSchema.nullable(), end: instantSchema.nullable(), message: z.string() }))
    .describe('With force: the coverage the removal loses over the next 90 days (times nobody is on call, policy levels left without targets)'),
});
