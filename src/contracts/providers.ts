import { z } from 'zod';
import { handleSchema, instantSchema } from './common.js';
import { contactMethodTypeSchema } from './notify.js';

/**
 * Notification providers: the accounts Firebreak delivers pages through (docs/providers.md, ADR 0025).
 * Several may serve one channel (two SMS gateways); they are tried in `position` order, healthy first.
 */

export const providerKinds = ['smtp', 'twilio', 'vonage', 'webpush', 'slack', 'teams', 'mattermost', 'discord', 'telegram', 'ntfy', 'webhook'] as const;
export type ProviderKind = (typeof providerKinds)[number];
export const providerKindSchema = z.enum(providerKinds);

export const providerKindNames: Record<ProviderKind, string> = {
  smtp: 'SMTP server',
  twilio: 'Twilio (SMS and voice)',
  vonage: 'Vonage (SMS)',
  webpush: 'Web push (VAPID)',
  slack: 'Slack app',
  teams: 'Microsoft Teams bot',
  mattermost: 'Mattermost bot',
  discord: 'Discord bot',
  telegram: 'Telegram bot',
  ntfy: 'ntfy server',
  webhook: 'Outgoing webhooks',
};

/** An environment variable name, for secrets given by reference (config-as-code never holds secrets). */
export const envVarNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be an environment variable name: capital letters, digits and _ , such as TWILIO_AUTH_TOKEN');

/** A secret: its value (stored encrypted, never shown again) or the environment variable that holds it. */
export const secretInputSchema = z.union([z.string().min(1).max(8192), z.strictObject({ fromEnv: envVarNameSchema })]);
export type SecretInput = z.infer<typeof secretInputSchema>;

export const MAX_PROVIDER_POSITION = 1000;

/**
 * A new provider. `settings` and `secrets` are checked against the kind's fields
 * (`GET /api/v1/notification-provider-kinds`); errors name `body.settings.<field>`.
 *
 * @example
 *   { "name": "twilio-main", "kind": "twilio", "settings": { "from": "+14155550100" }, "secrets": { "accountSid": "AC…", "authToken": { "fromEnv": "TWILIO_AUTH_TOKEN" } } }
 */
export const createProviderBody = z.strictObject({
  name: handleSchema.describe('Unique name, such as twilio-main'),
  kind: providerKindSchema,
  enabled: z.boolean().default(true),
  position: z.number().int().min(0).max(MAX_PROVIDER_POSITION).default(0).describe('Providers of one channel are tried lowest first (healthy ones before unhealthy)'),
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), secretInputSchema).default({}),
});
export type CreateProviderBody = z.input<typeof createProviderBody>;

/** Changes some fields; `secrets` replaces only the secrets named (give `null` to clear an optional one). */
export const updateProviderBody = z
  .strictObject({
    name: handleSchema.optional(),
    enabled: z.boolean().optional(),
    position: z.number().int().min(0).max(MAX_PROVIDER_POSITION).optional(),
    settings: z.record(z.string(), z.unknown()).optional().describe('Replaces the settings as a whole'),
    secrets: z.record(z.string(), secretInputSchema.nullable()).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'give at least one field to change' });
export type UpdateProviderBody = z.input<typeof updateProviderBody>;

export const providerHealthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy', 'unknown']).describe('Unhealthy after 3 failures in a row: tried after healthy providers until it succeeds again'),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: instantSchema.nullable(),
  lastFailureAt: instantSchema.nullable(),
  lastError: z.string().nullable(),
});

export const providerSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: providerKindSchema,
  channels: z.array(contactMethodTypeSchema).describe('The contact method types this provider delivers to'),
  enabled: z.boolean(),
  position: z.number().int(),
  settings: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.object({ set: z.boolean(), fromEnv: z.string().nullable() })).describe('Which secrets are set; values are never returned'),
  managedBy: z.enum(['api', 'config', 'environment']).describe('`environment`: built from FIREBREAK_SMTP_URL, read-only'),
  health: providerHealthSchema,
  problems: z.array(z.string()).describe('Why it cannot deliver now (a secret’s environment variable is unset…); empty when it can'),
  callbackUrls: z.record(z.string(), z.string()).describe('URLs to enter in the provider’s console (status callbacks, inbound messages, interactions)'),
  createdAt: instantSchema.nullable(),
  updatedAt: instantSchema.nullable(),
});
export type Provider = z.infer<typeof providerSchema>;

export const providerFieldSchema = z.object({
  key: z.string(),
  label: z.string(),
  secret: z.boolean(),
  required: z.boolean(),
  description: z.string(),
  example: z.string().optional(),
});
export type ProviderField = z.infer<typeof providerFieldSchema>;

export const providerKindInfoSchema = z.object({
  kind: providerKindSchema,
  name: z.string(),
  channels: z.array(contactMethodTypeSchema),
  fields: z.array(providerFieldSchema),
});
export type ProviderKindInfo = z.infer<typeof providerKindInfoSchema>;

/** "Send test": one message through this provider alone (no failover) to an address of one of its channels. */
export const testProviderBody = z.strictObject({
  channel: contactMethodTypeSchema.optional().describe('Which of the provider’s channels; default its first'),
  to: z.union([z.string().min(1).max(2048), z.record(z.string(), z.unknown())]).describe('An address in the channel’s form, as for a contact method'),
});

export const providerTestResultSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  providerMessageId: z.string().nullable(),
  error: z.string().nullable(),
});
