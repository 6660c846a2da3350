import { z } from 'zod';
import { emailSchema, instantSchema, timeZoneSchema } from './common.js';

/**
 * How each person is reached: contact methods, notification rules per urgency, and notification
 * settings (quiet hours, handoff notifications). docs/notifications.md describes the behaviour.
 */

export const contactMethodTypes = ['email', 'sms', 'voice', 'push', 'slack', 'teams', 'mattermost', 'discord', 'telegram', 'ntfy', 'webhook'] as const;
export type ContactMethodType = (typeof contactMethodTypes)[number];
export const contactMethodTypeSchema = z.enum(contactMethodTypes);

/** Names for people, in the UI and in messages. */
export const contactMethodTypeNames: Record<ContactMethodType, string> = {
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice call',
  push: 'Push (Firebreak app)',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  mattermost: 'Mattermost',
  discord: 'Discord',
  telegram: 'Telegram',
  ntfy: 'ntfy',
  webhook: 'Personal webhook',
};

export const urgencies = ['high', 'low'] as const;
export type Urgency = (typeof urgencies)[number];
export const urgencySchema = z.enum(urgencies);

// ---- addresses, one rule per type

const E164 = /^\+[1-9]\d{6,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MATTERMOST_USERNAME = /^[a-z][a-z0-9._-]{2,21}$/;
const MATTERMOST_USER_ID = /^[a-z0-9]{26}$/;

/**
 * A phone number in E.164 form (`+14155550100`). Spaces, dots, dashes and brackets people type are
 * dropped first, so `+1 (415) 555-0100` is accepted and stored as `+14155550100`.
 */
export const phoneNumberSchema = z
  .string()
  .max(40)
  .transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(E164, 'must be a phone number in international E.164 form: +, the country code and the number (7–15 digits), such as +14155550100'));

/** A Slack member ID (Slack: profile → ⋮ → Copy member ID). Display names change; IDs do not. */
export const slackMemberSchema = z
  .string()
  .trim()
  .max(32)
  .regex(/^[UW][A-Z0-9]{8,}$/, 'must be a Slack member ID such as U012AB3CDEF (in Slack: open your profile, ⋮, Copy member ID)');

/** A Microsoft Teams user: the Microsoft Entra (Azure AD) object ID, or the user principal name. */
export const teamsUserSchema = z
  .string()
  .trim()
  .max(254)
  .transform((v) => v.toLowerCase())
  .refine((v) => UUID.test(v) || UPN.test(v), 'must be a Microsoft Entra object ID (a UUID) or the user principal name you sign in with, such as ana@contoso.com');

/** A Mattermost username (a leading `@` is dropped) or 26-character user ID. */
export const mattermostUserSchema = z
  .string()
  .trim()
  .max(64)
  .transform((v) => v.replace(/^@/, '').toLowerCase())
  .refine((v) => MATTERMOST_USERNAME.test(v) || MATTERMOST_USER_ID.test(v), 'must be a Mattermost username (3–22 characters: letters, digits, . _ -, starting with a letter) or a 26-character user ID');

/** A Discord user ID (Discord: Settings → Advanced → Developer Mode, then right-click yourself → Copy User ID). */
export const discordUserSchema = z
  .string()
  .trim()
  .max(32)
  .regex(/^\d{17,20}$/, 'must be a Discord user ID: 17–20 digits such as 80351110224678912 (turn on Developer Mode, then right-click your name → Copy User ID)');

/** A Telegram chat ID: the number the Firebreak bot answers `/start` with (negative for groups). */
export const telegramChatSchema = z
  .string()
  .trim()
  .max(24)
  .regex(/^-?\d{1,20}$/, 'must be a Telegram chat ID such as 123456789: send /start to the Firebreak bot and it answers with yours');

/**
 * An ntfy topic on the instance's ntfy server. On a public server the topic name is the only thing
 * keeping strangers from reading your pages, so it is stored encrypted and shown redacted.
 */
export const ntfyTopicSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an ntfy topic name: 1–64 letters, digits, _ or - (pick something hard to guess on a public server)');

/** Host names of cloud metadata services: reaching them from a server leaks its credentials. */
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'metadata.azure.com', 'instance-data', 'instance-data.ec2.internal', '100.100.100.200', '[fd00:ec2::254]']);

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/** 169.254.0.0/16, fe80::/10 and their IPv4-mapped IPv6 forms. */
function isLinkLocalHost(host: string): boolean {
  if (/^169\.254\.\d+\.\d+$/.test(host)) return true;
  const v6 = /^\[(.*)\]$/.exec(host)?.[1];
  if (!v6) return false;
  return /^fe[89ab][0-9a-f]?:/i.test(v6) || /^::ffff:(169\.254\.|a9fe:)/i.test(v6);
}

/**
 * Why an outbound URL cannot be used, or null when it can. https only, except plain http to this
 * machine (local development). Link-local addresses and cloud metadata hosts are refused outright.
 * Names are checked as written; a name that *resolves* to such an address is stopped by the delivery
 * SSRF guard, which comes with the paging release. The WHATWG URL parser has already normalized
 * numeric hosts (`0xA9FEA9FE`, `2852039166` → `169.254.169.254`), so those tricks are caught too.
 */
export function outboundUrlProblem(value: string, options: { allowLoopbackHttp: boolean }): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a full URL such as https://hooks.example.com/firebreak';
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowLoopbackHttp && isLoopbackHost(host))) {
    return options.allowLoopbackHttp ? 'must be an https:// URL (plain http:// is allowed only for localhost)' : 'must be an https:// URL';
  }
  if (isLinkLocalHost(host)) return 'must not point at a link-local address (169.254.0.0/16, fe80::/10)';
  if (METADATA_HOSTS.has(host)) return `must not point at a cloud metadata service (${host})`;
  if (host === '0.0.0.0' || host === '[::]') return 'must name a real host, not 0.0.0.0';
  return null;
}

/** A personal webhook: Firebreak POSTs each notification to it. */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = outboundUrlProblem(v, { allowLoopbackHttp: true });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Length in bytes of unpadded or padded base64url text, or null when it is not base64url. */
function base64UrlBytes(value: string): number | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return null;
  const bare = value.replace(/=+$/, '');
  if (bare.length % 4 === 1) return null;
  return Math.floor((bare.length * 3) / 4);
}

const pushKey = (bytes: number, what: string) =>
  z
    .string()
    .max(128)
    .refine((v) => base64UrlBytes(v) === bytes, `must be the ${bytes}-byte ${what}, base64url-encoded, as PushSubscription.toJSON() gives it`);

/** A Web Push subscription, exactly as the browser's `PushSubscription.toJSON()` returns it. */
export const pushSubscriptionSchema = z.strictObject({
  endpoint: z
    .string()
    .max(2048)
    .superRefine((v, ctx) => {
      const problem = outboundUrlProblem(v, { allowLoopbackHttp: false });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({ p256dh: pushKey(65, 'P-256 public key'), auth: pushKey(16, 'authentication secret') }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>;

/** The address schema of each contact method type. */
export const contactAddressSchemas = {
  email: emailSchema,
  sms: phoneNumberSchema,
  voice: phoneNumberSchema,
  push: pushSubscriptionSchema,
  slack: slackMemberSchema,
  teams: teamsUserSchema,
  mattermost: mattermostUserSchema,
  discord: discordUserSchema,
  telegram: telegramChatSchema,
  ntfy: ntfyTopicSchema,
  webhook: webhookUrlSchema,
} as const satisfies Record<ContactMethodType, z.ZodType>;

/** What a person calls a method, such as “Work phone”. Empty: the type's name is shown. */
export const contactMethodLabelSchema = z
  .string()
  .trim()
  .max(100)
  .refine((v) => !/\p{Cc}/u.test(v), 'must be plain text on one line (no control characters)');

const createVariant = <T extends ContactMethodType>(type: T) =>
  z.strictObject({ type: z.literal(type), address: contactAddressSchemas[type], label: contactMethodLabelSchema.optional() });

/**
 * A new contact method. `address` depends on `type`: an email address; an E.164 phone number for
 * sms and voice; the PushSubscription JSON for push; a Slack member ID; a Teams object ID or UPN; a
 * Mattermost username or user ID; a Discord user ID; a Telegram chat ID; an ntfy topic; an https URL
 * for a webhook.
 *
 * @example
 *   { "type": "sms", "address": "+14155550100", "label": "Work phone" }
 */
export const createContactMethodBody = z.discriminatedUnion('type', [
  createVariant('email'),
  createVariant('sms'),
  createVariant('voice'),
  createVariant('push'),
  createVariant('slack'),
  createVariant('teams'),
  createVariant('mattermost'),
  createVariant('discord'),
  createVariant('telegram'),
  createVariant('ntfy'),
  createVariant('webhook'),
]);
export type CreateContactMethodBody = z.input<typeof createContactMethodBody>;
export type NewContactMethod = z.output<typeof createContactMethodBody>;

/** Changing the address starts verification over; the type cannot change (add a new method instead). */
export const updateContactMethodBody = z
  .strictObject({
    label: contactMethodLabelSchema.optional(),
    address: z.union([z.string().max(2048), z.record(z.string(), z.unknown())]).optional().describe('Checked against the method’s type, as when creating it'),
  })
  .refine((v) => v.label !== undefined || v.address !== undefined, { message: 'give at least one field to change' });
export type UpdateContactMethodBody = z.input<typeof updateContactMethodBody>;

export const verifyContactMethodBody = z.strictObject({
  code: z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code from the message'),
});

export const contactMethodSchema = z.object({
  id: z.string(),
  userId: z.string(),
  type: contactMethodTypeSchema,
  address: z.string().describe('The email, phone number or handle. For push, ntfy and webhook methods a redacted form: the full value is stored encrypted'),
  label: z.string(),
  verified: z.boolean().describe('Only verified methods receive pages'),
  verifiedAt: instantSchema.nullable(),
  verification: z
    .object({
      sentAt: instantSchema,
      expiresAt: instantSchema,
      attemptsLeft: z.number().int(),
      error: z.string().nullable().describe('Why the code could not be delivered, when it could not'),
    })
    .nullable()
    .describe('The pending verification code, if one was sent and not yet used'),
  channelAvailable: z.boolean().describe('Whether this Firebreak instance can deliver to this type of method yet'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});
export type ContactMethod = z.infer<typeof contactMethodSchema>;

export const verificationSentSchema = z.object({
  contactMethod: contactMethodSchema,
  expiresAt: instantSchema,
});

export const testNotificationSchema = z.object({
  contactMethodId: z.string(),
  status: z.literal('queued'),
  requestedAt: instantSchema,
});

// ---- notification rules

export const MAX_RULE_DELAY_MINUTES = 1440;
export const MAX_RULES_PER_URGENCY = 20;

/** “After `delayMinutes` minutes, notify via `contactMethodId`.” */
export const notificationRuleInput = z.strictObject({
  delayMinutes: z.number().int().min(0).max(MAX_RULE_DELAY_MINUTES),
  contactMethodId: z.string().min(1).max(64),
});
export type NotificationRuleInput = z.infer<typeof notificationRuleInput>;

/**
 * Replaces both lists. Rules are kept in order of delay; rules with the same delay keep the order given.
 *
 * @example
 *   { "high": [{ "delayMinutes": 0, "contactMethodId": "01J…" }, { "delayMinutes": 3, "contactMethodId": "01K…" }], "low": [] }
 */
export const putNotificationRulesBody = z.strictObject({
  high: z.array(notificationRuleInput).max(MAX_RULES_PER_URGENCY),
  low: z.array(notificationRuleInput).max(MAX_RULES_PER_URGENCY),
});
export type PutNotificationRulesBody = z.infer<typeof putNotificationRulesBody>;

export const notificationRuleSchema = z.object({
  delayMinutes: z.number().int(),
  contactMethodId: z.string(),
  contactMethod: z.object({ type: contactMethodTypeSchema, label: z.string(), address: z.string() }),
  verified: z.boolean().describe('Unverified methods are skipped when paging'),
});
export type NotificationRule = z.infer<typeof notificationRuleSchema>;

export const notificationRulesSchema = z.object({
  userId: z.string(),
  high: z.array(notificationRuleSchema),
  low: z.array(notificationRuleSchema),
  warnings: z.array(z.string()).describe('Problems that would stop you being reached, such as no verified method for high urgency'),
});
export type NotificationRules = z.infer<typeof notificationRulesSchema>;

// ---- notification settings

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM, such as 22:00');

/**
 * Low-urgency notifications are held during quiet hours and sent when they end. `start` after `end`
 * spans midnight (22:00–07:00). Without `timeZone`, the person's profile time zone applies.
 */
export const quietHoursSchema = z
  .strictObject({ start: clockTime, end: clockTime, timeZone: timeZoneSchema.optional() })
  .refine((v) => v.start !== v.end, { message: 'must differ from start', path: ['end'] });

export const notificationSettingsBody = z.strictObject({
  lowUrgencyQuietHours: quietHoursSchema.nullable(),
  handoffNotifications: z.strictObject({
    enabled: z.boolean().describe('Tell me when my on-call shifts start and end'),
    leadMinutes: z.number().int().min(0).max(1440).describe('How long before the shift starts or ends'),
  }),
});
export type NotificationSettingsBody = z.infer<typeof notificationSettingsBody>;

export const notificationSettingsSchema = z.object({
  userId: z.string(),
  lowUrgencyQuietHours: z.object({ start: z.string(), end: z.string(), timeZone: z.string().nullable() }).nullable(),
  handoffNotifications: z.object({ enabled: z.boolean(), leadMinutes: z.number().int() }),
  updatedAt: instantSchema.nullable().describe('Null while the defaults apply'),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export const defaultsAppliedSchema = z.object({
  contactMethods: z.array(contactMethodSchema),
  rules: notificationRulesSchema,
});
