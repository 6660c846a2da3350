import { z } from 'zod';
import { integrationInputSchema, integrationTypeSchema, serviceInputSchema } from './alerts.js';
import { serviceRoutingInputSchema } from './routing.js';
import { emailSchema, handleSchema, roleSchema, teamRoleSchema, timeZoneSchema } from './common.js';
import { contactAddressSchemas, contactMethodLabelSchema, MAX_RULE_DELAY_MINUTES, MAX_RULES_PER_URGENCY, type ContactMethodType } from './notify.js';
import { hhmm, restrictionSchema } from './oncall.js';
import { envVarNameSchema, MAX_PROVIDER_POSITION, providerKinds } from './providers.js';
import { maintenanceWindowInputSchema, silenceInputSchema } from './suppression.js';
import { configurableSeverityKeySchema, incidentRuleActionSchema, incidentRuleConditionsSchema, updateCadenceMinutesSchema } from './incident-rules.js';
import { playbookSpecSchema } from './incident-work.js';
import { postmortemTemplateSpecSchema } from './postmortems.js';
import { createComponentSchema, createStatusPageSchema } from './status-pages.js';
import { defaultPostmortemPolicy, DEFAULT_POSTMORTEM_DUE_DAYS } from '../core/incidents/postmortem-policy.js';

/**
 * Config-as-code: the YAML documents `firebreak config validate|plan|apply|export` read and write,
 * and the bodies of `/api/v1/config/*`. One schema source (STYLE.md habit 8): these zod schemas give
 * the TypeScript types, request validation, OpenAPI, the editor JSON Schema at
 * `/api/config-schema.json`, and the CLI's offline `validate`.
 *
 * Every object is strict: an unknown field is an error, so a typo such as `emial:` never passes
 * silently as "no change".
 *
 * @example
 *   apiVersion: firebreak/v1
 *   kind: Team
 *   metadata:
 *     name: platform
 *   spec:
 *     name: Platform
 *     members:
 *       - user: ana
 *         role: admin
 */
export const configApiVersion = 'firebreak/v1';

const nameSchema = z.string().trim().min(1, 'is required').max(200);

const metadataSchema = z.strictObject({
  name: handleSchema.describe('The handle: 1–63 lowercase letters, digits or hyphens. It identifies the thing from one apply to the next, so a different name is a different thing.'),
});

/** Builds the schema of one kind's document: the envelope is the same for every kind. */
function documentSchema<K extends string, S extends z.ZodType>(kind: K, spec: S, description: string) {
  return z
    .strictObject({
      apiVersion: z.literal(configApiVersion).describe('Always `firebreak/v1`'),
      kind: z.literal(kind),
      metadata: metadataSchema,
      spec,
    })
    .describe(description);
}

// ---- User: contact methods and notification rules

/**
 * The contact method types config can hold. Push subscriptions belong to one browser and are made
 * there; a personal webhook URL is a credential that must not sit in a repository. Both are managed
 * in the UI only, and config leaves them alone.
 */
export const configContactMethodTypes = ['email', 'sms', 'voice', 'slack', 'teams', 'mattermost'] as const satisfies readonly ContactMethodType[];
export type ConfigContactMethodType = (typeof configContactMethodTypes)[number];

const contactVariant = <T extends ConfigContactMethodType>(type: T) =>
  z.strictObject({
    type: z.literal(type),
    address: contactAddressSchemas[type],
    label: contactMethodLabelSchema.optional().describe('What the person calls it, such as “Work phone”; rules may name the method by it'),
  });

export const contactMethodSpecSchema = z.discriminatedUnion(
  'type',
  [contactVariant('email'), contactVariant('sms'), contactVariant('voice'), contactVariant('slack'), contactVariant('teams'), contactVariant('mattermost')],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${configContactMethodTypes.join(', ')} (push and webhook methods are added in the UI, not in config)` : undefined,
  },
);
export type ContactMethodSpec = z.output<typeof contactMethodSpecSchema>;

export const notificationRuleSpecSchema = z.strictObject({
  afterMinutes: z.number().int().min(0).max(MAX_RULE_DELAY_MINUTES).describe('Minutes after the page starts'),
  contactMethod: z.string().min(1).max(2100).describe('One of `contactMethods`: its label, or `type:address` such as `sms:+14155550100`'),
});
export type NotificationRuleSpec = z.output<typeof notificationRuleSpecSchema>;

const ruleList = z.array(notificationRuleSpecSchema).max(MAX_RULES_PER_URGENCY);

/** `type:address`, the way config names a contact method whatever its label. */
export const contactMethodKey = (method: { type: string; address: string }): string => `${method.type}:${method.address}`;

/**
 * The index in `methods` of the method a rule names: by label first (it must be on exactly one
 * method), then as `type:address` with the address normalized as the type's schema does (so
 * `sms:+1 415 555 0100` finds `+14155550100`). Returns a message when it names none.
 */
export function findContactMethod(methods: readonly ContactMethodSpec[], ref: string): { index: number } | { message: string } {
  const labelled = methods.flatMap((m, i) => (m.label !== undefined && m.label !== '' && m.label === ref ? [i] : []));
  if (labelled.length === 1) return { index: labelled[0] as number };
  if (labelled.length > 1) return { message: `the label \`${ref}\` is on ${labelled.length} contact methods; name the method as type:address` };
  const colon = ref.indexOf(':');
  const type = ref.slice(0, colon);
  if (colon > 0 && (configContactMethodTypes as readonly string[]).includes(type)) {
    const parsed = contactAddressSchemas[type as ConfigContactMethodType].safeParse(ref.slice(colon + 1));
    if (parsed.success) {
      const index = methods.findIndex((m) => m.type === type && m.address === parsed.data);
      if (index !== -1) return { index };
    }
  }
  return { message: `\`${ref}\` is not one of spec.contactMethods; name a method by its label or as type:address, such as email:ana@example.com` };
}

const userSpecFields = z.strictObject({
  name: nameSchema.describe('Full name'),
  email: emailSchema.describe('Email address; unique. Stored lower-case.'),
  timeZone: timeZoneSchema.describe('IANA time zone, for example Europe/Lisbon'),
  role: roleSchema.describe('Organization role: viewer, responder, admin or owner'),
  contactMethods: z
    .array(contactMethodSpecSchema)
    .optional()
    .describe('The complete list of the person’s email, sms, voice, slack, teams and mattermost methods: others are removed on apply. Leave out to leave their methods alone. A method is known by type and address; new ones must be verified by the person before they receive pages.'),
  notificationRules: z
    .strictObject({ high: ruleList.default([]), low: ruleList.default([]) })
    .optional()
    .describe('Both rule lists, replacing the person’s rules on apply. Needs `contactMethods`: rules name those methods. Leave out to leave their rules alone.'),
});

/**
 * Rules across fields: a method listed twice, rules without methods, a rule naming no method or
 * repeating another. Run only once every field is valid: addresses are then normalized, and a bad
 * phone number is not reported a second time as "no such method" by the rule that names it.
 */
function checkNotificationSetup(spec: z.output<typeof userSpecFields>, ctx: z.RefinementCtx): void {
  const methods = spec.contactMethods ?? [];
  const seen = new Map<string, number>();
  methods.forEach((m, index) => {
    const first = seen.get(contactMethodKey(m));
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['contactMethods', index, 'address'], message: `repeats contactMethods.${first} (same type and address)` });
    else seen.set(contactMethodKey(m), index);
  });
  if (spec.notificationRules === undefined) return;
  if (spec.contactMethods === undefined) {
    ctx.addIssue({ code: 'custom', path: ['notificationRules'], message: 'needs contactMethods in the same document: rules name those methods' });
    return;
  }
  for (const urgency of ['high', 'low'] as const) {
    const used = new Set<string>();
    spec.notificationRules[urgency].forEach((rule, index) => {
      const found = findContactMethod(methods, rule.contactMethod);
      if ('message' in found) {
        ctx.addIssue({ code: 'custom', path: ['notificationRules', urgency, index, 'contactMethod'], message: found.message });
        return;
      }
      const key = `${rule.afterMinutes}:${found.index}`;
      if (used.has(key)) ctx.addIssue({ code: 'custom', path: ['notificationRules', urgency, index], message: 'repeats an earlier rule (same contact method, same delay)' });
      used.add(key);
    });
  }
}

export const userSpecSchema = userSpecFields.check(z.superRefine(checkNotificationSetup, { when: (payload) => payload.issues.length === 0 }));

export const teamMemberSpecSchema = z.strictObject({
  user: handleSchema.describe('Handle of a User defined in these files or existing on the server'),
  role: teamRoleSchema.default('member').describe('member (default) or admin (may manage the team)'),
});

export const teamSpecSchema = z.strictObject({
  name: nameSchema.describe('Display name'),
  description: z.string().max(2000).optional().describe('Leave out for none'),
  members: z
    .array(teamMemberSpecSchema)
    .optional()
    .describe('The complete member list: people not listed are removed from the team on apply. Leave out for none.')
    .superRefine((members, ctx) => {
      const seen = new Set<string>();
      members?.forEach((member, index) => {
        if (seen.has(member.user)) ctx.addIssue({ code: 'custom', path: [index, 'user'], message: `\`${member.user}\` is listed twice` });
        seen.add(member.user);
      });
    }),
});

// ---- Schedule

const instantPattern = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 instant with `Z` or an offset, 1900–2200. A bare local time is refused: it would mean
 * different instants on machines in different zones. Export writes instants in UTC (`…Z`).
 */
export const configInstantSchema = z.string().superRefine((value, ctx) => {
  const match = instantPattern.exec(value);
  const ms = match ? Date.parse(value) : Number.NaN;
  if (!match || Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 instant with Z or an offset, such as 2026-01-05T09:00:00Z' });
    return;
  }
  // Date.parse rolls 2026-02-30 over to March 2; refuse dates that do not exist.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(2000, month - 1, day));
  if (month < 1 || month > 12 || check.getUTCMonth() !== month - 1 || (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)))) {
    ctx.addIssue({ code: 'custom', message: `is not a date that exists: ${value.slice(0, 10)}` });
    return;
  }
  if (year < 1900 || year >= 2200) ctx.addIssue({ code: 'custom', message: 'must be between the years 1900 and 2200' });
});

/** One rotation: mirrors the API's layer (`contracts/oncall.ts`), with people named by handle. */
export const scheduleLayerSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'must be 1–40 lowercase letters, digits or hyphens')
    .describe('Stable id of the layer within the schedule: it names the layer in plans, history and the final schedule'),
  name: z.string().trim().min(1, 'is required').max(100),
  participants: z.array(handleSchema).min(1, 'a rotation needs at least one participant').describe('User handles, in rotation order; a person may appear more than once'),
  start: configInstantSchema.describe('Rotation anchor: the first participant’s first turn starts at handoffTime on this instant’s local date'),
  end: configInstantSchema.optional().describe('The layer has no duty from this instant on'),
  handoffTime: hhmm.describe('Local wall time of every handoff, HH:MM'),
  turn: z.strictObject({
    unit: z.enum(['hours', 'days', 'weeks']),
    count: z.number().int().min(1, 'must be at least 1').max(1000),
  }),
  restrictions: z.array(restrictionSchema).optional().describe('On duty only inside these windows; leave out for always on duty'),
  advance: z.enum(['calendar', 'on-duty']).default('calendar').describe('calendar (default): turns advance through off-duty time; on-duty: only duty time counts'),
  shadows: z.array(handleSchema).optional().describe('User handles who receive copies of this layer’s pages to learn; never responsible'),
  timeZone: timeZoneSchema.optional().describe('Zone of this layer’s wall times (follow-the-sun); the schedule’s zone when left out'),
});
export type ScheduleLayerSpec = z.output<typeof scheduleLayerSpecSchema>;

export const scheduleSpecSchema = z.strictObject({
  name: nameSchema.describe('Display name'),
  description: z.string().max(2000).optional().describe('Leave out for none'),
  team: handleSchema.optional().describe('Handle of the owning Team; leave out for an organization-wide schedule'),
  timeZone: timeZoneSchema.describe('IANA zone of the schedule: gap messages and the UI speak in it, and layers use it unless they name their own'),
  layers: z.array(scheduleLayerSpecSchema).min(1, 'a schedule needs at least one layer').describe('In priority order: a later layer overrides an earlier one wherever it has someone on duty'),
});

// ---- EscalationPolicy

/** Whom a level notifies: exactly one of a user, a schedule (whoever is on call) or a team (all active members). */
export const escalationTargetSpecSchema = z
  .strictObject({
    user: handleSchema.optional().describe('A User handle'),
    schedule: handleSchema.optional().describe('A Schedule handle: whoever is on call then'),
    team: handleSchema.optional().describe('A Team handle: every active member'),
  })
  .superRefine((target, ctx) => {
    const named = [target.user, target.schedule, target.team].filter((t) => t !== undefined).length;
    if (named !== 1) ctx.addIssue({ code: 'custom', message: `must name exactly one of user, schedule or team${named > 1 ? ` (it names ${named})` : ''}` });
  });
export type EscalationTargetSpec = z.output<typeof escalationTargetSpecSchema>;

export const escalationPolicySpecSchema = z.strictObject({
  name: nameSchema.describe('Display name'),
  description: z.string().max(2000).optional().describe('Leave out for none'),
  team: handleSchema.optional().describe('Handle of the owning Team; leave out for an organization-wide policy'),
  levels: z
    .array(
      z.strictObject({
        delayMinutes: z.number().int().min(1, 'must be at least 1 minute').max(1440).describe('Minutes without acknowledgement before the next level'),
        targets: z.array(escalationTargetSpecSchema).min(1, 'a level needs at least one target'),
      }),
    )
    .min(1, 'a policy needs at least one level'),
  repeat: z.number().int().min(0).max(9).default(0).describe('How many more times to run through all levels'),
  fallback: escalationTargetSpecSchema.optional().describe('Notified when every level and repeat went unanswered; leave out for none'),
  skipEmptyLevels: z.boolean().default(true).describe('A level that resolves to nobody is skipped immediately (default true)'),
  ackTimeoutMinutes: z.number().int().min(1).max(10_080).optional().describe('An acknowledged alert not resolved within this many minutes triggers again and escalates from level 1; leave out for an acknowledgement that holds until resolved'),
});

// ---- Service

// The service's own settings, reused from the API contract so config accepts exactly what the API does
// (urgency rules, flap damping, storm guard, and whatever settings the service gains later). Team,
// policy and description are restated below: config names things by handle and leaves out empty text.
const { handle: _handle, team: _team, escalationPolicy: _policy, description: _description, ...serviceSettings } = serviceInputSchema.shape;

/** The settings of a Service document that come straight from the API's service input, in order. */
export const serviceSettingKeys = Object.keys(serviceSettings) as Array<keyof typeof serviceSettings>;

/**
 * Routing rules, support hours, raise-at-start and the backlog webhook, from the routing API's
 * contract (`PUT /services/{service}/rules` and `/support-hours`). Documents state them whole: leaving
 * `rules` out means no rules, leaving `supportHours` out means none.
 */
export const serviceRoutingKeys = Object.keys(serviceRoutingInputSchema.shape) as Array<keyof typeof serviceRoutingInputSchema.shape>;

/**
 * One integration of a Service document, known by its name within the service. No keys and no
 * credentials: an integration created by apply gets a generated key, shown in the UI and the API
 * (`GET /api/v1/services/{service}/integrations/{id}`). Verification credentials (Grafana HMAC,
 * bearer, basic) are set in the UI or API; config leaves them alone. Heartbeat schedules and email
 * rules are the API's own settings (`heartbeat`, `email`): a field the document leaves out takes its
 * default when the integration is created and keeps its value afterwards, as on the API.
 */
export const serviceIntegrationSpecSchema = z.strictObject({
  name: integrationInputSchema.shape.name.describe('Identifies the integration within its service from one apply to the next'),
  type: integrationTypeSchema.describe('The sender’s wire format; it cannot change (remove the integration and add another)'),
  disabled: z.boolean().default(false).describe('A disabled integration refuses events (its key stays valid for when it is enabled again)'),
  mapping: integrationInputSchema.shape.mapping.describe('Generic webhook only: read posts through these JSON paths instead of the documented fields'),
  heartbeat: integrationInputSchema.shape.heartbeat.describe(
    'Heartbeat only: when pings are expected (periodSeconds, or cron with timeZone; graceSeconds, maxRunSeconds, severity). Fields left out take their defaults on create and keep their value after; leave the whole field out to leave the settings alone.',
  ),
  email: integrationInputSchema.shape.email.describe(
    'Email only: how messages become events (dedupKeyPattern, resolve, acknowledge, severity keywords, defaultSeverity). Fields left out take their defaults on create and keep their value after; leave the whole field out to leave the rules alone.',
  ),
});
export type ServiceIntegrationSpec = z.output<typeof serviceIntegrationSpecSchema>;

export const serviceSpecSchema = z.strictObject({
  ...serviceSettings,
  ...serviceRoutingInputSchema.shape,
  description: z.string().max(5000).optional().describe('Leave out for none'),
  team: handleSchema.optional().describe('Handle of the owning Team; leave out for an organization-wide service (admins manage it)'),
  escalationPolicy: handleSchema.optional().describe('Handle of the EscalationPolicy that pages for this service'),
  integrations: z
    .array(serviceIntegrationSpecSchema)
    .optional()
    .describe('The service’s integrations by name. New names are created with a generated key; a listed one is updated in place (its key is kept). One on the server but not listed is left alone, unless --prune, which disables it. Leave out to leave all integrations alone.')
    .superRefine((integrations, ctx) => {
      const seen = new Set<string>();
      integrations?.forEach((integration, index) => {
        if (seen.has(integration.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `\`${integration.name}\` is listed twice` });
        seen.add(integration.name);
      });
    }),
});

// ---- MaintenanceWindow and Silence

// The API's own input schemas (contracts/suppression.ts), so config accepts what the API does. Config
// names services by handle, and an instant left out cannot mean "now": applying again later would
// move it. Instants are written back in UTC.

export const maintenanceWindowSpecSchema = maintenanceWindowInputSchema.extend({
  services: z.array(handleSchema).min(1).max(100).describe('Handles of the Services the window covers'),
  startsAt: maintenanceWindowInputSchema.shape.startsAt
    .unwrap()
    .describe('One-off: when it starts. Recurring: when the series starts (its local time gives the occurrences’ minutes unless the rule sets BYMINUTE)'),
});

export const silenceSpecSchema = silenceInputSchema.extend({
  service: handleSchema.optional().describe('Handle of the only Service whose events it silences; leave out for every service (admins only)'),
  startsAt: silenceInputSchema.shape.startsAt.unwrap().describe('When it starts silencing'),
});

// ---- NotificationProvider

/**
 * A provider's secret in config: always the environment variable that holds it, never the value.
 * Repositories are read by many and kept forever; a secret written there has leaked. The message
 * for an inline value says what to write instead.
 */
export const configSecretRefSchema = z.strictObject(
  { fromEnv: envVarNameSchema.describe('The environment variable of the Firebreak server that holds the secret') },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'secrets in config must name an environment variable: {fromEnv: TWILIO_AUTH_TOKEN}. Never write the secret itself in a file.' : undefined,
  },
);

/**
 * A notification provider (docs/providers.md) as config states it. `settings` is checked against the
 * kind's own fields when the document is validated, planned and applied (the adapters' schemas, as the
 * API checks them). Secrets set through the API (stored encrypted) are not in documents: config leaves
 * them alone, and plan warns about them.
 */
export const notificationProviderSpecSchema = z.strictObject({
  kind: z
    .enum(providerKinds, { error: () => `must be one of ${providerKinds.join(', ')}` })
    .describe('The provider’s kind (`firebreak provider kinds`). It cannot change: a provider of another kind needs another name'),
  enabled: z.boolean().default(true).describe('A disabled provider delivers nothing (default true)'),
  position: z.number().int().min(0).max(MAX_PROVIDER_POSITION).default(0).describe('Providers of one channel are tried lowest first, healthy ones before unhealthy (default 0)'),
  settings: z.record(z.string(), z.unknown()).default({}).describe('The kind’s non-secret settings (`firebreak provider kinds` lists them), such as url and from for smtp'),
  secrets: z
    .record(z.string(), configSecretRefSchema)
    .default({})
    .describe('Secret name → {fromEnv: VARIABLE}: the server reads each secret from its environment. Inline values are refused.'),
});
export type NotificationProviderSpec = z.output<typeof notificationProviderSpecSchema>;

// ---- Severity, IncidentRule (ADR 0033) and Playbook (ADR 0030)

/**
 * An incident severity. The document's name is the key in lowercase (`sev1` for SEV1). Once any
 * Severity document is applied, the stored severities replace the built-in SEV1–SEV4: list every
 * severity you use. Order: `position`, then key (0 = most severe).
 */
export const severitySpecSchema = z.strictObject({
  key: configurableSeverityKeySchema.optional().describe('The key incidents store, such as SEV1; default the document name in capitals. Must equal the name in any case'),
  name: z.string().trim().min(1, 'is required').max(100),
  description: z.string().trim().max(2000).default(''),
  response: z.string().trim().max(2000).default('').describe('What responders are expected to do'),
  updateCadenceMinutes: updateCadenceMinutesSchema.nullable().default(null).describe('Stakeholder-update reminder cadence; null: the default (30 minutes)'),
  position: z.number().int().min(0).max(1000).default(0).describe('0 is the most severe'),
});
export type SeveritySpec = z.output<typeof severitySpecSchema>;

/**
 * An auto-declare rule (docs/incidents.md): an alert matching every condition declares an incident
 * with the action's severity and title (or joins the open incident the rule declared for its service).
 */
export const incidentRuleSpecSchema = z.strictObject({
  description: z.string().trim().max(2000).default(''),
  enabled: z.boolean().default(true),
  position: z.number().int().min(0).max(10_000).default(0).describe('Rules are tried lowest first, then by name'),
  conditions: incidentRuleConditionsSchema
    .extend({ services: z.array(handleSchema).max(100).default([]).describe('Handles of Services; empty: any') })
    .default({ services: [], alertSeverities: [], urgency: null, titleContains: null, labels: {} }),
  action: incidentRuleActionSchema.extend({ commander: handleSchema.nullable().default(null).describe('Handle of the User to take command; null: the first to acknowledge the alert') }),
});
export type IncidentRuleSpec = z.output<typeof incidentRuleSpecSchema>;

// ---- PostmortemTemplate and PostmortemPolicy (issue 8, ADR 0038, docs/postmortems.md)

/** The one PostmortemPolicy document's name: there is one policy per server. */
export const POSTMORTEM_POLICY_NAME = 'default';

/**
 * When resolving an incident requires a postmortem (the `spec` of the one `kind: PostmortemPolicy`
 * document, `metadata.name: default`). A field left out takes the built-in default (SEV1 and SEV2,
 * more than 30 minutes of customer impact, the same service again within 3 days, due in 5 days);
 * `null` turns a rule off. Severity keys are checked by the server at apply, as in rules and playbooks.
 */
export const postmortemPolicySpecSchema = z.strictObject({
  severities: z.array(z.string().trim().min(1).max(32)).max(50).default([...defaultPostmortemPolicy.severities]).describe('Severity keys that always require a postmortem (default SEV1, SEV2); [] for none'),
  customerImpactMinutes: z.number().int().min(0).max(100_000).nullable().default(defaultPostmortemPolicy.customerImpactMinutes).describe('Customer impact (detected → mitigated, else → resolved) longer than this requires one (default 30); null: off'),
  repeatWithinDays: z.number().int().min(1).max(365).nullable().default(defaultPostmortemPolicy.repeatWithinDays).describe('An impacted service with another incident detected within this many days requires one (default 3); null: off'),
  dueDays: z.number().int().min(1).max(365).default(DEFAULT_POSTMORTEM_DUE_DAYS).describe('A required postmortem is due this many days after the incident resolved (default 5)'),
});
export type PostmortemPolicySpec = z.output<typeof postmortemPolicySpecSchema>;

// ---- StatusPage and Component (issue 7, docs/config-as-code.md, docs/status-pages.md)

/**
 * A status page as config states it: the admin API's own fields and rules (`createStatusPageSchema`),
 * so config accepts exactly what `POST /api/v1/status-pages` does. The document's name is the page's
 * slug (its address, `/status/<slug>`): a different name is a different page.
 */
export const statusPageSpecSchema = createStatusPageSchema.omit({ slug: true });
export type StatusPageSpec = z.output<typeof statusPageSpecSchema>;

const { status: _status, group: _isGroup, groupId: _groupId, service: _service, ...componentFields } = createComponentSchema.shape;

/**
 * A component of a status page, or a group of components, with the admin API's own fields and rules
 * (`createComponentSchema`) except what config names differently: the page, the group and the linked
 * service by handle. Its **status is not config**: it is live state that responders and public
 * incidents change during an outage, and applying files must never mark a broken component
 * operational. A component is known by its page and `name` (see docs/config-as-code.md).
 */
export const componentSpecSchema = z.strictObject({
  page: handleSchema.describe('The StatusPage document’s name (the page’s slug) this component belongs to; it cannot change'),
  ...componentFields,
  name: componentFields.name.describe('The name visitors see; unique within the page. Config knows the component by page and name'),
  isGroup: z.boolean().default(false).describe('true: a group that holds components (two levels: a group is in no group). It cannot change after creation'),
  group: handleSchema.optional().describe('The Component document’s name of the group this component is in (a group on the same page); leave out for top level'),
  service: handleSchema.optional().describe('Handle of the catalog Service this component stands for (publishing from an incident preselects it)'),
});
export type ComponentSpec = z.output<typeof componentSpecSchema>;

export const userDocumentSchema = documentSchema('User', userSpecSchema, 'A person who uses Firebreak or gets paged. Users created from config have no password.');
export const teamDocumentSchema = documentSchema('Team', teamSpecSchema, 'A team and its complete member list');
export const scheduleDocumentSchema = documentSchema('Schedule', scheduleSpecSchema, 'An on-call schedule: its layers (rotations). Overrides are not config: people make them in the UI.');
export const escalationPolicyDocumentSchema = documentSchema('EscalationPolicy', escalationPolicySpecSchema, 'An escalation policy: levels of users, schedules and teams with delays');
export const serviceDocumentSchema = documentSchema('Service', serviceSpecSchema, 'A service (catalog entry alerts belong to): owner team, escalation policy, links, urgency rules and its integrations (without keys)');
export const maintenanceWindowDocumentSchema = documentSchema(
  'MaintenanceWindow',
  maintenanceWindowSpecSchema,
  'A maintenance window, one-off or recurring (RRULE in a time zone): while it is active, its services’ events are recorded but nobody is notified',
);
export const silenceDocumentSchema = documentSchema('Silence', silenceSpecSchema, 'A silence: label matchers with a start and an expiry; matching events are recorded but nobody is notified');
export const notificationProviderDocumentSchema = documentSchema(
  'NotificationProvider',
  notificationProviderSpecSchema,
  'A notification provider (SMTP relay, Twilio, Slack app…) pages are delivered through; secrets are named by environment variable',
);

export const severityDocumentSchema = documentSchema('Severity', severitySpecSchema, 'An incident severity (name: the key in lowercase); once any is applied, the stored ones replace the built-in SEV1–SEV4');
export const incidentRuleDocumentSchema = documentSchema('IncidentRule', incidentRuleSpecSchema, 'An auto-declare rule: alerts matching its conditions declare an incident (or join the open one it declared for the service)');
export const playbookDocumentSchema = documentSchema('Playbook', playbookSpecSchema, 'A playbook: a checklist instantiated into incidents of its services or severities');
export const postmortemTemplateDocumentSchema = documentSchema(
  'PostmortemTemplate',
  postmortemTemplateSpecSchema,
  'A postmortem template (name: its handle): the sections a new postmortem starts with; a built-in handle (standard, short, google-sre) replaces that built-in',
);
export const postmortemPolicyDocumentSchema = documentSchema('PostmortemPolicy', postmortemPolicySpecSchema, 'The postmortem policy (name: `default`, the only one): when resolving an incident requires a postmortem, and when it is due');
export const statusPageDocumentSchema = documentSchema('StatusPage', statusPageSpecSchema, 'A status page (name: its slug): name, visibility, time zone, colours, custom domain, footer links and access list');
export const componentDocumentSchema = documentSchema(
  'Component',
  componentSpecSchema,
  'A component or component group of a status page, optionally linked to a Service; its status is live state, not config',
);

/**
 * Every kind of document. To add a kind add its schema here, its entry in
 * `src/core/config/kinds.ts` (order, references, canonical form) and its apply step in the config service.
 */
export const configDocumentSchema = z.discriminatedUnion(
  'kind',
  [
    notificationProviderDocumentSchema,
    userDocumentSchema,
    teamDocumentSchema,
    scheduleDocumentSchema,
    escalationPolicyDocumentSchema,
    serviceDocumentSchema,
    maintenanceWindowDocumentSchema,
    silenceDocumentSchema,
    severityDocumentSchema,
    playbookDocumentSchema,
    incidentRuleDocumentSchema,
    postmortemTemplateDocumentSchema,
    postmortemPolicyDocumentSchema,
    statusPageDocumentSchema,
    componentDocumentSchema,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be one of: NotificationProvider, User, Team, Schedule, EscalationPolicy, Service, MaintenanceWindow, Silence, Severity, Playbook, IncidentRule, PostmortemTemplate, PostmortemPolicy, StatusPage, Component' : undefined,
  },
);

/** A document after validation and defaults. */
export type ConfigDocument = z.output<typeof configDocumentSchema>;
/** A document as written in YAML (defaults not yet filled in). */
export type ConfigDocumentInput = z.input<typeof configDocumentSchema>;
export type ConfigKind = ConfigDocument['kind'];
export type UserDocument = z.output<typeof userDocumentSchema>;
export type TeamDocument = z.output<typeof teamDocumentSchema>;
export type ScheduleDocument = z.output<typeof scheduleDocumentSchema>;
export type EscalationPolicyDocument = z.output<typeof escalationPolicyDocumentSchema>;
export type ServiceDocument = z.output<typeof serviceDocumentSchema>;
export type MaintenanceWindowDocument = z.output<typeof maintenanceWindowDocumentSchema>;
export type SilenceDocument = z.output<typeof silenceDocumentSchema>;
export type NotificationProviderDocument = z.output<typeof notificationProviderDocumentSchema>;
export type SeverityDocument = z.output<typeof severityDocumentSchema>;
export type IncidentRuleDocument = z.output<typeof incidentRuleDocumentSchema>;
export type PlaybookDocument = z.output<typeof playbookDocumentSchema>;
export type PostmortemTemplateDocument = z.output<typeof postmortemTemplateDocumentSchema>;
export type PostmortemPolicyDocument = z.output<typeof postmortemPolicyDocumentSchema>;
export type StatusPageDocument = z.output<typeof statusPageDocumentSchema>;
export type ComponentDocument = z.output<typeof componentDocumentSchema>;

/**
 * The JSON Schema of one document, for editors (yaml-language-server, VS Code) through
 * `# yaml-language-server: $schema=<url>/api/config-schema.json`. Draft 7, the draft editors support best.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configDocumentSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Firebreak configuration document (firebreak/v1)' };
}

// ---- API bodies

export const configBody = z.strictObject({
  documents: z.array(configDocumentSchema).max(10_000).describe('The desired state: every document from your config files, in any order'),
  prune: z.boolean().default(false).describe('Also delete things of every kind that exist on the server but are in no document (Users and Teams are deactivated, Silences expired, NotificationProviders, Severities, Playbooks, IncidentRules, PostmortemTemplates, StatusPages (with their incidents) and Components deleted, the PostmortemPolicy reset to the defaults)'),
});
export type ConfigBody = z.input<typeof configBody>;

export const configActionSchema = z.enum(['create', 'update', 'delete', 'unchanged']);
export type ConfigAction = z.infer<typeof configActionSchema>;

export const fieldChangeSchema = z.object({
  field: z.string().describe('Dotted path such as `spec.name`; list items by key: `spec.members[ana].role`'),
  before: z.unknown().describe('null when the field did not exist'),
  after: z.unknown().describe('null when the field will not exist'),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const configChangeSchema = z.object({
  action: configActionSchema,
  kind: z.string(),
  name: z.string(),
  diff: z.array(fieldChangeSchema),
});
export type ConfigChange = z.infer<typeof configChangeSchema>;

export const configSummarySchema = z.object({
  create: z.number().int(),
  update: z.number().int(),
  delete: z.number().int(),
  unchanged: z.number().int(),
});

/**
 * Something worth knowing before applying that does not stop it: schedule lints over the next 90 days
 * (as `GET /schedules/{schedule}/lints` reports them) and contact methods that are not verified.
 */
export const configWarningCodeSchema = z.enum([
  'SCHEDULE_GAP',
  'ROTATION_TOO_SMALL',
  'SAME_PERSON_PRIMARY_AND_SECONDARY',
  'NO_VERIFIED_CONTACT_METHOD',
  'CONTACT_METHOD_UNVERIFIED',
  'PROVIDER_SECRET_ENV_UNSET',
  'PROVIDER_SECRET_KEPT',
]);
export type ConfigWarningCode = z.infer<typeof configWarningCodeSchema>;

export const configWarningSchema = z.object({
  code: configWarningCodeSchema,
  kind: z.string().describe('The document the warning is about'),
  name: z.string(),
  path: z.string().describe('Dotted field path in that document, such as `spec.layers.0.participants`'),
  message: z.string(),
  intervals: z.array(z.object({ start: z.string(), end: z.string() })).describe('For lints about time: the exact intervals, ISO 8601 UTC'),
  localIntervals: z.array(z.string()).describe('`intervals` as local text in the schedule’s zone, e.g. `2027-03-14 02:00–03:00 America/New_York`'),
});
export type ConfigWarning = z.infer<typeof configWarningSchema>;

export const configPlanSchema = z.object({
  changes: z.array(configChangeSchema).describe('In the order apply runs them'),
  unmanaged: z.array(z.object({ kind: z.string(), name: z.string() })).describe('Things on the server in no document: left alone unless `prune` is set'),
  summary: configSummarySchema,
  warnings: z
    .array(configWarningSchema)
    .describe('Lints of the schedules and policies in the documents over the next 90 days, contact methods that are not verified, provider secrets whose environment variable is unset on the server or that are kept as set through the API; they do not stop apply'),
});
export type ConfigPlan = z.infer<typeof configPlanSchema>;

export const configApplyResultSchema = configPlanSchema.extend({ applied: z.literal(true) });
export type ConfigApplyResult = z.infer<typeof configApplyResultSchema>;

export const configExportSchema = z.object({
  documents: z
    .array(configDocumentSchema)
    .describe('Every NotificationProvider (secrets as their environment variables only), every active User and Team, every Schedule, EscalationPolicy and Service, every MaintenanceWindow and Silence that has not ended, every stored Severity, Playbook and IncidentRule, every stored PostmortemTemplate and the PostmortemPolicy once changed, every StatusPage and Component, as config documents in a stable order'),
});
