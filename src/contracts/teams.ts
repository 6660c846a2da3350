import { z } from 'zod';
import { handleSchema, instantSchema, teamRoleSchema } from './common.js';

export const teamMemberSchema = z.object({
  userId: z.string(),
  handle: z.string(),
  name: z.string(),
  role: teamRoleSchema,
});

export const teamSchema = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  description: z.string(),
  deactivatedAt: instantSchema.nullable(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  members: z.array(teamMemberSchema),
});
export type Team = z.infer<typeof teamSchema>;

export const createTeamBody = z.strictObject({
  handle: handleSchema,
  name: z.string().trim().min(1, 'is required').max(200),
  description: z.string().max(2000).default(''),
});
export type CreateTeamBody = z.input<typeof createTeamBody>;

export const updateTeamBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(200).optional(),
    description: z.string().max(2000).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });

export const putMemberBody = z.strictObject({ role: teamRoleSchema.default('member') });

export const listTeamsQuery = z.strictObject({
  includeDeactivated: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
});
