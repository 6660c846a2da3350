import { z } from 'zod';
import { emailSchema, instantSchema, refParam } from './common.js';
import { contactAddressSchemas } from './notify.js';

/**
 * Stakeholder communication for incidents (issue 6, ADR 0032, docs/incidents.md "Stakeholder
 * updates"): subscriptions to an incident, a team or a service; delivery of each update; update
 * templates; the update cadence and its reminder.
 */

/** What a subscription follows: one incident, every incident impacting a team's services, or a service. */
export const incidentSubscriptionScopes = ['incident', 'team', 'service'] as const;
export type IncidentSubscriptionScope = (typeof incidentSubscriptionScopes)[number];

/**
 * Chat destinations an outside subscriber can be: the contact-method address types of the chat
 * providers (a Slack member ID, a Teams user, a Mattermost user, a Discord user ID, an ntfy topic, a
 * webhook URL), sent through the configured notification providers.
 */
export const externalChatTypes = ['slack', 'teams', 'mattermost', 'discord', 'ntfy', 'webhook'] as const;
export type ExternalChatType = (typeof externalChatTypes)[number];
/** ntfy topics and webhook URLs are credentials: stored sealed and shown redacted, like contact methods. */
export const sealedSubscriberTypes: readonly string[] = ['ntfy', 'webhook'];

const labelSchema = z.string().trim().max(100).optional().describe('What to call this subscriber, e.g. “Support leads”');
const externalVariant = <T extends ExternalChatType>(type: T) => z.strictObject({ type: z.literal(type), address: contactAddressSchemas[type], label: labelSchema });

/**
 * `POST …/subscriptions`: subscribe a Firebreak user (to their account email, or one of their verified
 * contact methods), an email address, or a chat destination. Subscribing the same subscriber twice to
 * the same scope returns the existing subscription.
 *
 * @example
 *   { "type": "user", "user": "chris" }
 *   { "type": "email", "address": "support-leads@example.com", "label": "Support leads" }
 *   { "type": "ntfy", "address": "acme-status-updates" }
 */
export const createIncidentSubscriptionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('user'),
    user: refParam.describe('User id or handle'),
    contactMethodId: z.string().min(1).max(64).optional().describe('One of their verified contact methods; default their account email'),
  }),
  z.strictObject({ type: z.literal('email'), address: emailSchema, label: labelSchema }),
  externalVariant('slack'),
  externalVariant('teams'),
  externalVariant('mattermost'),
  externalVariant('discord'),
  externalVariant('ntfy'),
  externalVariant('webhook'),
]);
export type CreateIncidentSubscription = z.output<typeof createIncidentSubscriptionSchema>;

/** `PUT …/subscriptions/me`: subscribe yourself (viewers too). */
export const subscribeMeSchema = z.strictObject({
  contactMethodId: z.string().min(1).max(64).optional().describe('One of your verified contact methods; default your account email'),
});

export const subscriberTypeSchema = z.enum(['user', 'email', ...externalChatTypes]);

export const incidentSubscriptionSchema = z.object({
  id: z.string(),
  scope: z.enum(incidentSubscriptionScopes),
  scopeId: z.string(),
  scopeLabel: z.string().describe('INC-42, the team handle or the service handle'),
  type: subscriberTypeSchema,
  user: z.object({ id: z.string(), handle: z.string(), name: z.string() }).nullable(),
  contactMethodId: z.string().nullable(),
  channel: z.string().describe('The channel updates go through: email, slack, ntfy…'),
  address: z.string().describe('Where updates go; ntfy topics and webhook URLs redacted'),
  label: z.string(),
  createdAt: instantSchema,
  createdBy: z.string(),
});
export type IncidentSubscription = z.infer<typeof incidentSubscriptionSchema>;

/** The three built-in update templates. */
export const updateTemplateKinds = ['first', 'update', 'all_clear'] as const;
export type UpdateTemplateKind = (typeof updateTemplateKinds)[number];
export const updateTemplateKindSchema = z.enum(updateTemplateKinds);

export const updateTemplateSchema = z.object({
  kind: updateTemplateKindSchema,
  name: z.string(),
  text: z.string().describe('With placeholders such as {{reference}}, {{title}}, {{status}}, {{severity}}, {{impact}}, {{nextUpdateAt}}, {{summary}}'),
  builtIn: z.boolean().describe('True while the built-in default applies'),
  updatedAt: instantSchema.nullable(),
});
export type UpdateTemplate = z.infer<typeof updateTemplateSchema>;

/** `PUT /api/v1/incident-update-templates/{kind}`: replace a template; `null` text restores the default. */
export const putUpdateTemplateSchema = z.strictObject({ text: z.string().trim().min(1).max(5000).nullable() });

/** `PUT /api/v1/incidents/{incident}/update-cadence`: minutes between updates; null: the severity's default. */
export const updateCadenceSchema = z.strictObject({
  minutes: z.number().int().min(5).max(1440).nullable().describe('5–1440; null goes back to the default for the severity (30 minutes unless configured)'),
});

const deliveryCountsSchema = z.object({ total: z.number().int(), sent: z.number().int(), failed: z.number().int(), pending: z.number().int() });

/** One stakeholder update as sent: "sent to 12, 1 failed". */
export const sentUpdateSchema = z.object({
  entryId: z.string().describe('The timeline entry of the update'),
  at: instantSchema,
  actor: z.string().nullable(),
  allClear: z.boolean(),
  message: z.string(),
  deliveries: deliveryCountsSchema,
  failures: z.array(z.object({ channel: z.string(), address: z.string(), error: z.string().nullable() })),
});
export type SentUpdate = z.infer<typeof sentUpdateSchema>;

/** `GET /api/v1/incidents/{incident}/comms`: the cadence, the reminder, drafts from the templates and the updates sent. */
export const incidentCommsSchema = z.object({
  incidentId: z.string(),
  reference: z.string(),
  cadenceMinutes: z.number().int(),
  cadenceSource: z.enum(['incident', 'severity', 'default']).describe('Where the cadence comes from'),
  lastUpdateAt: instantSchema.nullable(),
  nextReminderAt: instantSchema.nullable().describe('When the communications lead (or the commander) is reminded; null once resolved'),
  drafts: z.array(z.object({ kind: updateTemplateKindSchema, name: z.string(), text: z.string() })).describe('The templates filled in for this incident'),
  updates: z.array(sentUpdateSchema).describe('Newest first'),
});
export type IncidentComms = z.infer<typeof incidentCommsSchema>;
