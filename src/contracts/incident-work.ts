import { z } from 'zod';
import { handleSchema, instantSchema, refParam } from './common.js';
import { incidentRoleKeySchema, incidentSeverityKeySchema } from './incidents.js';

/**
 * The work on an incident (issue 6): **threads** (parallel lines of investigation, each with an owner
 * and a status), **tasks** (the checklist: items from playbooks and ad-hoc ones, each with an owner and
 * check-off) and **playbooks** (reusable checklists attached to severities and services, instantiated
 * into an incident when it is declared). Rules: src/core/incidents/playbook.ts; docs/incidents.md;
 * ADR 0030.
 */

const httpUrl = z
  .string()
  .trim()
  .url()
  .max(2048)
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

// ---- playbooks

/** The name of the built-in default checklist; a stored playbook with this name replaces it. */
export const FIRST_FIVE_MINUTES = 'first-five-minutes';

/** One item of a playbook: becomes one task of the incident. */
export const playbookItemSpecSchema = z.strictObject({
  title: z.string().trim().min(1, 'is required').max(200),
  description: z.string().trim().max(2000).optional().describe('How to do it, what to look for'),
  link: httpUrl.optional().describe('A runbook, dashboard or tool (http(s) URL)'),
  ownerRole: incidentRoleKeySchema.optional().describe('Who owns the task by default: an incident role (operations_lead, custom:db-liaison…); the task follows whoever holds the role'),
});
export type PlaybookItemSpec = z.output<typeof playbookItemSpecSchema>;

/**
 * Which incidents a playbook is instantiated into when they are declared. Each list narrows: absent
 * or empty means "any". Both conditions must hold (a severity in `severities` AND an impacted service
 * in `services`). `appliesTo: {}` matches every incident; no `appliesTo` at all means the playbook is
 * only ever added by hand.
 */
export const playbookAppliesToSchema = z.strictObject({
  severities: z.array(incidentSeverityKeySchema).max(20).optional().describe('Severity keys (SEV1…); absent or empty: any severity'),
  services: z.array(handleSchema).max(100).optional().describe('Service handles; absent or empty: any service'),
});
export type PlaybookAppliesTo = z.output<typeof playbookAppliesToSchema>;

/**
 * A playbook as config-as-code writes it (the `spec` of a `kind: Playbook` document; `metadata.name`
 * is the playbook's name) and as the API takes it (plus `name`).
 *
 * @example
 *   title: Checkout first checks
 *   appliesTo: { severities: [SEV1, SEV2], services: [checkout] }
 *   items:
 *     - title: Recent deploys? Roll back
 *       link: https://deploys.example.com/checkout
 *       ownerRole: operations_lead
 *     - title: Resource pressure? Restart
 *     - title: Primary hardware? Fail over
 */
export const playbookSpecSchema = z.strictObject({
  title: z.string().trim().min(1, 'is required').max(200),
  description: z.string().trim().max(5000).optional(),
  appliesTo: playbookAppliesToSchema.optional().describe('When declared incidents get it; absent: only added by hand'),
  items: z.array(playbookItemSpecSchema).min(1, 'needs at least one item').max(50),
});
export type PlaybookSpec = z.output<typeof playbookSpecSchema>;

/** `POST /api/v1/playbooks`. */
export const playbookInputSchema = playbookSpecSchema.extend({
  name: handleSchema.describe('Unique handle; config-as-code addresses the playbook by it. `first-five-minutes` replaces the built-in checklist'),
});

/** `PATCH /api/v1/playbooks/{playbook}`: any field; `items` replaces the list; `appliesTo: null` makes it manual-only. */
export const playbookUpdateSchema = z.strictObject({
  title: playbookSpecSchema.shape.title.optional(),
  description: z.string().trim().max(5000).optional(),
  appliesTo: playbookAppliesToSchema.nullable().optional(),
  items: playbookSpecSchema.shape.items.optional(),
});

export const playbookSchema = z.object({
  id: z.string().nullable().describe('null for the built-in checklist'),
  name: z.string(),
  title: z.string(),
  description: z.string(),
  appliesTo: z
    .object({ severities: z.array(z.string()), services: z.array(z.string()).describe('Service handles') })
    .nullable()
    .describe('null: only added by hand'),
  items: z.array(z.object({ title: z.string(), description: z.string().nullable(), link: z.string().nullable(), ownerRole: z.string().nullable() })),
  builtIn: z.boolean().describe('The built-in “first five minutes” checklist (not stored; create a playbook named first-five-minutes to replace it)'),
  managedBy: z.enum(['api', 'config', 'builtin']),
  createdAt: instantSchema.nullable(),
  updatedAt: instantSchema.nullable(),
});
export type Playbook = z.infer<typeof playbookSchema>;

// ---- tasks (the incident's checklist)

const personSchema = z.object({ id: z.string(), handle: z.string(), name: z.string() });

/** One task of an incident's checklist. */
export const incidentTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  link: z.string().nullable(),
  playbook: z.object({ name: z.string(), title: z.string() }).nullable().describe('The playbook it came from; null: added by hand'),
  position: z.number().int(),
  ownerRole: z.string().nullable().describe('The incident role that owns it; the owner is whoever holds that role now'),
  owner: personSchema.nullable().describe('The owner now: a person named, else the holder of `ownerRole`; null: nobody (yet)'),
  done: z.boolean(),
  doneAt: instantSchema.nullable(),
  doneBy: z.string().nullable(),
  createdAt: instantSchema,
  createdBy: z.string(),
});
export type IncidentTask = z.infer<typeof incidentTaskSchema>;

/**
 * `POST /api/v1/incidents/{incident}/tasks`: an ad-hoc task. `owner` names a person; `ownerRole` an
 * incident role (the task follows its holder). Not both.
 *
 * @example
 *   { "title": "Check the replica lag", "ownerRole": "operations_lead" }
 */
export const incidentTaskInputSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'is required').max(200),
    description: z.string().trim().max(2000).optional(),
    link: httpUrl.optional(),
    owner: refParam.optional().describe('User id or handle'),
    ownerRole: incidentRoleKeySchema.optional(),
  })
  .refine((v) => v.owner === undefined || v.ownerRole === undefined, { message: 'give `owner` or `ownerRole`, not both', path: ['ownerRole'] });

/**
 * `PATCH /api/v1/incidents/{incident}/tasks/{task}`: check off (`done: true`), undo, or change the
 * owner (`owner: null` and `ownerRole: null` leave it unowned).
 *
 * @example
 *   { "done": true }
 */
export const incidentTaskUpdateSchema = z
  .strictObject({
    done: z.boolean().optional(),
    title: z.string().trim().min(1, 'is required').max(200).optional(),
    owner: refParam.nullable().optional().describe('User id or handle; null: no person'),
    ownerRole: incidentRoleKeySchema.nullable().optional().describe('An incident role; null: no role'),
  })
  .refine((v) => !(typeof v.owner === 'string' && typeof v.ownerRole === 'string'), { message: 'give `owner` or `ownerRole`, not both', path: ['ownerRole'] })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'give at least one of done, title, owner, ownerRole', path: ['done'] });

/** `POST /api/v1/incidents/{incident}/playbooks`: add a playbook's items to an open incident. */
export const addIncidentPlaybookSchema = z.strictObject({ playbook: z.string().min(1).max(128).describe('Playbook name (or id); `first-five-minutes` for the built-in') });

// ---- threads

export const incidentThreadStatusSchema = z.enum(['open', 'concluded', 'abandoned']);
export type IncidentThreadStatus = z.infer<typeof incidentThreadStatusSchema>;

/** A line of investigation: who is digging where, and what came of it. */
export const incidentThreadSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  owner: personSchema.nullable(),
  status: incidentThreadStatusSchema,
  conclusion: z.string().nullable().describe('What came of it (required to conclude)'),
  createdAt: instantSchema,
  createdBy: z.string(),
  updatedAt: instantSchema,
});
export type IncidentThread = z.infer<typeof incidentThreadSchema>;

/**
 * `POST /api/v1/incidents/{incident}/threads`.
 *
 * @example
 *   { "title": "Is it the DB failover?", "owner": "ben" }
 */
export const incidentThreadInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'is required').max(200),
  description: z.string().trim().max(5000).optional(),
  owner: refParam.optional().describe('User id or handle; default: whoever opens it'),
});

/**
 * `PATCH /api/v1/incidents/{incident}/threads/{thread}`: rename, hand to another owner, conclude
 * (`status: concluded` with a `conclusion`), abandon or reopen.
 *
 * @example
 *   { "status": "concluded", "conclusion": "Not the DB: replica lag is normal" }
 */
export const incidentThreadUpdateSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'is required').max(200).optional(),
    description: z.string().trim().max(5000).optional(),
    owner: refParam.nullable().optional().describe('User id or handle; null: nobody'),
    status: incidentThreadStatusSchema.optional(),
    conclusion: z.string().trim().min(1).max(5000).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'give at least one field to change', path: ['status'] });
