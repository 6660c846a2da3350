import { z } from 'zod';
import { emailSchema, handleSchema, roleSchema, timeZoneSchema } from './common.js';
import { userSchema } from './users.js';

// Passwords: at least 10 characters and no maximum (scrypt hashes any length; 1 MiB body limit applies).
export const passwordSchema = z.string().min(10, 'must be at least 10 characters');

export const loginBody = z.strictObject({
  email: z.string().trim().min(1, 'is required').transform((v) => v.toLowerCase()),
  password: z.string().min(1, 'is required'),
  totpCode: z.string().regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app').optional(),
});

export const sessionInfo = z.object({
  user: userSchema,
  csrfToken: z.string().describe('Echo in X-CSRF-Token on every cookie-authenticated change'),
  authenticatedBy: z.enum(['session', 'token']),
  tokenScope: z.object({ role: roleSchema, teamId: z.string().nullable() }).nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

export const setupStatus = z.object({ required: z.boolean().describe('True until the first owner account exists') });

export const setupBody = z.strictObject({
  token: z.string().min(1, 'is required').describe('The one-time token from the setup link printed at start-up'),
  handle: handleSchema,
  name: z.string().trim().min(1, 'is required').max(200),
  email: emailSchema,
  timeZone: timeZoneSchema,
  password: passwordSchema,
});

export const totpSetupResult = z.object({
  secret: z.string().describe('Base32 secret to type into an authenticator app'),
  otpauthUrl: z.string().describe('otpauth:// URL, for a QR code'),
});

export const totpEnableBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be a 6-digit code') });
export const totpDisableBody = z.strictObject({ password: z.string().min(1, 'is required') });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1, 'is required'),
  newPassword: passwordSchema,
});
