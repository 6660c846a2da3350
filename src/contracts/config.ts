import { z } from 'zod';
import { emailSchema, handleSchema, roleSchema, teamRoleSchema, timeZoneSchema } from './common.js';

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

export const userSpecSchema = z.strictObject({
  name: nameSchema.describe('Full name'),
  email: emailSchema.describe('Email address; unique. Stored lower-case.'),
  timeZone: timeZoneSchema.describe('IANA time zone, for example Europe/Lisbon'),
  role: roleSchema.describe('Organization role: viewer, responder, admin or owner'),
});

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

export const userDocumentSchema = documentSchema('User', userSpecSchema, 'A person who uses Firebreak or gets paged. Users created from config have no password.');
export const teamDocumentSchema = documentSchema('Team', teamSpecSchema, 'A team and its complete member list');

/**
 * Every kind of document. To add a kind (Schedule, EscalationPolicy, Service…) add its schema here,
 * its entry in `src/core/config/kinds.ts` (order, references) and its apply step in the config service.
 */
export const configDocumentSchema = z.discriminatedUnion('kind', [userDocumentSchema, teamDocumentSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be one of: User, Team' : undefined),
});

/** A document after validation and defaults. */
export type ConfigDocument = z.output<typeof configDocumentSchema>;
/** A document as written in YAML (defaults not yet filled in). */
export type ConfigDocumentInput = z.input<typeof configDocumentSchema>;
export type ConfigKind = ConfigDocument['kind'];
export type UserDocument = z.output<typeof userDocumentSchema>;
export type TeamDocument = z.output<typeof teamDocumentSchema>;

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
  prune: z.boolean().default(false).describe('Also delete (deactivate) Users and Teams that exist on the server but are in no document'),
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

export const configPlanSchema = z.object({
  changes: z.array(configChangeSchema).describe('In the order apply runs them'),
  unmanaged: z.array(z.object({ kind: z.string(), name: z.string() })).describe('Things on the server in no document: left alone unless `prune` is set'),
  summary: configSummarySchema,
});
export type ConfigPlan = z.infer<typeof configPlanSchema>;

export const configApplyResultSchema = configPlanSchema.extend({ applied: z.literal(true) });
export type ConfigApplyResult = z.infer<typeof configApplyResultSchema>;

export const configExportSchema = z.object({
  documents: z.array(configDocumentSchema).describe('Every active User and Team as config documents, in a stable order'),
});
