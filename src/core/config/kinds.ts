import {
  configApiVersion,
  contactMethodKey,
  configContactMethodTypes,
  findContactMethod,
  type ConfigDocument,
  type ConfigKind,
  type ContactMethodSpec,
  type EscalationPolicyDocument,
  type EscalationTargetSpec,
  type MaintenanceWindowDocument,
  type NotificationProviderDocument,
  type NotificationRuleSpec,
  type ScheduleDocument,
  type ScheduleLayerSpec,
  serviceRoutingKeys,
  serviceSettingKeys,
  type ServiceDocument,
  type ServiceIntegrationSpec,
  type SilenceDocument,
  type TeamDocument,
  type UserDocument,
  type SeverityDocument,
  type IncidentRuleDocument,
  type PlaybookDocument,
  type PostmortemTemplateDocument,
  type PostmortemPolicyDocument,
  POSTMORTEM_POLICY_NAME,
} from '../../contracts/config.js';
import { unknownPlaceholders } from '../incidents/rules.js';
import { isWebUrl, type Instant } from '../alerts/alert.js';
import { checkHeartbeatSettings } from '../alerts/heartbeat.js';
import { matcherIssues, rruleIssue, type Matcher } from '../alerts/suppression.js';
import { isoFromInstant, validateSchedule } from '../oncall/index.js';
import { documentPathOfSchedulePath, instantText, scheduleDefinitionOf } from './schedule-definition.js';
import { statusPageKindRules } from './status-page-kinds.js';

/** A path into a document, as zod reports it: `['spec', 'members', 0, 'user']`. */
export type DocumentPath = ReadonlyArray<string | number>;

/** One document naming another, for example a Team member naming a User. */
export interface Reference {
  kind: ConfigKind;
  name: string;
  /** Where in the referring document the name is written. */
  path: DocumentPath;
}

/**
 * How plan diffs a list item by item rather than whole:
 * - `{ key }`: by one field (`spec.members[ana].role`) or several joined with `:`
 *   (`spec.contactMethods[email:ana@example.com].label`). With `ordered`, the list of keys is a field
 *   too, so moving an item (a layer's priority) is a change.
 * - `{ byPosition: true }`: by position (`spec.levels.1.delayMinutes`), for lists whose items have no name.
 */
export type ListKey = { key: string | readonly string[]; ordered?: boolean } | { byPosition: true };

/** What config-as-code needs to know about one kind beyond its zod schema. */
export interface KindRules<D extends ConfigDocument> {
  /** The file `config export -o <dir>` writes documents of this kind to. */
  fileName: string;
  /** What `--prune` does to a thing of this kind that is in no document. */
  deletion: 'deactivate' | 'delete' | 'expire';
  /** The other documents this one names. They must exist for plan and apply. */
  references(document: D): Reference[];
  /**
   * Rules the schema cannot express, checked on every valid document (Schedule: the engine's own
   * `validateSchedule`, so config refuses exactly what the API refuses).
   */
  validate?(document: D): Array<{ path: DocumentPath; message: string }>;
  /**
   * Rules across the documents of this kind, and the things of this kind on the server that no
   * document names (`known`; empty offline), checked once each document is valid on its own (two
   * Components of one page with one name; a group that is itself in a group).
   */
  validateSet?(documents: ReadonlyArray<{ index: number; document: D }>, known: readonly ConfigDocument[], describe: (index: number) => string): Array<{ index: number; path: DocumentPath; message: string }>;
  /**
   * The canonical form: defaults filled in, empty optional fields left out, lists sorted where order
   * means nothing, keys in a fixed order. Export writes it and plan compares it, so export → apply →
   * export is byte-identical and writing a default explicitly is never a change.
   */
  canonical(document: D): D;
  /**
   * The current document reduced to what `desired` manages. A User document without
   * `contactMethods` leaves the person's methods alone, so plan must not see their absence as "remove
   * them all"; with `contactMethods: []` it does mean none. `prune` says whether things the
   * document leaves out will be removed (a Service's unlisted integrations).
   */
  managedPart?(current: D, desired: D, options: { prune: boolean }): D;
  listKeys: Readonly<Record<string, ListKey>>;
}

type RulesByKind = { [K in ConfigKind]: KindRules<Extract<ConfigDocument, { kind: K }>> };

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every kind, in dependency order: a kind only references kinds before it. Plan creates and updates
 * in this order and deletes in reverse, so a Team is never given a member before the User exists, a
 * policy never targets a schedule that is not there yet, and a User is never deactivated while a
 * Team, Schedule or policy update still needs it.
 */
export const configKindOrder: readonly ConfigKind[] = [
  'NotificationProvider',
  'User',
  'Team',
  'Schedule',
  'EscalationPolicy',
  'Service',
  'MaintenanceWindow',
  'Silence',
  'Severity',
  'Playbook',
  'IncidentRule',
  'PostmortemTemplate',
  'PostmortemPolicy',
  'StatusPage',
  'Component',
];
// Severity names nothing; Playbook and IncidentRule name Services (and Users) and severity keys, so they
// come after both, and `--prune` deletes rules and playbooks before the severities they use. Severity
// keys are not references: with no Severity stored, the built-in SEV1–SEV4 are the severities, and the
// server checks the keys at apply (400 naming the field).
// PostmortemTemplate and PostmortemPolicy come last: the policy names severity keys, so `--prune` resets
// it before the severities it uses are deleted; templates name nothing.
// NotificationProvider names nothing and nothing names it, so any place would do; first means an apply
// that adds a provider and the people it pages has the provider in place before anyone is paged, and
// `--prune` deletes providers only after every other change is made.
// StatusPage and Component come after Service (a Component names its Service) and a Component after
// its StatusPage; `--prune` deletes components before their page.

/**
 * Checks a NotificationProvider's settings and secret names against its kind's own fields. The
 * adapters' schemas live on the server (`modules/providers`), which core must not import: the process
 * that has them plugs them in (the server's config service, the CLI for offline `config validate`).
 * Without one, only the document schema is checked.
 */
export type ProviderSpecCheck = (spec: { kind: string; settings: Record<string, unknown>; secrets: readonly string[] }) => Array<{ path: DocumentPath; message: string }>;

let providerSpecCheck: ProviderSpecCheck | null = null;

/** Installs the check of provider settings (see {@link ProviderSpecCheck}); the same one every time. */
export function useProviderSpecCheck(check: ProviderSpecCheck): void {
  providerSpecCheck = check;
}

const typeRank = (type: string) => (configContactMethodTypes as readonly string[]).indexOf(type);

/** Contact methods in a fixed order (type as listed in the contract, then address): order means nothing. */
function canonicalMethods(methods: readonly ContactMethodSpec[]): ContactMethodSpec[] {
  return [...methods]
    .sort((a, b) => typeRank(a.type) - typeRank(b.type) || byString(a.address, b.address))
    .map((m) => ({ type: m.type, address: m.address, ...(m.label ? { label: m.label } : {}) }) as ContactMethodSpec);
}

/**
 * Rules in delay order (equal delays keep their order, as the server stores them), each naming its
 * method as `type:address`: labels change, and a rule is the same rule whatever the method is called.
 */
function canonicalRules(rules: readonly NotificationRuleSpec[], methods: readonly ContactMethodSpec[]): NotificationRuleSpec[] {
  return [...rules]
    .sort((a, b) => a.afterMinutes - b.afterMinutes)
    .map((r) => {
      const found = findContactMethod(methods, r.contactMethod);
      const method = 'index' in found ? methods[found.index] : undefined;
      return { afterMinutes: r.afterMinutes, contactMethod: method ? contactMethodKey(method) : r.contactMethod };
    });
}

const sortedUnique = <T extends string | number>(values: readonly T[]) => [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function canonicalLayer(l: ScheduleLayerSpec): ScheduleLayerSpec {
  const restrictions = (l.restrictions ?? []).map((r) =>
    r.kind === 'daily'
      ? { kind: r.kind, start: r.start, end: r.end, ...(r.days !== undefined ? { days: sortedUnique(r.days) } : {}) }
      : { kind: r.kind, startDay: r.startDay, start: r.start, endDay: r.endDay, end: r.end },
  );
  const shadows = sortedUnique(l.shadows ?? []);
  return {
    id: l.id,
    name: l.name,
    participants: [...l.participants],
    start: instantText(l.start),
    ...(l.end !== undefined ? { end: instantText(l.end) } : {}),
    handoffTime: l.handoffTime,
    turn: { unit: l.turn.unit, count: l.turn.count },
    ...(restrictions.length > 0 ? { restrictions } : {}),
    advance: l.advance,
    ...(shadows.length > 0 ? { shadows } : {}),
    ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
  };
}

/** The kind and handle a policy target names. */
export function targetOf(t: EscalationTargetSpec): { kind: 'User' | 'Schedule' | 'Team'; name: string } {
  if (t.user !== undefined) return { kind: 'User', name: t.user };
  if (t.schedule !== undefined) return { kind: 'Schedule', name: t.schedule };
  return { kind: 'Team', name: t.team ?? '' };
}

const targetField = { User: 'user', Schedule: 'schedule', Team: 'team' } as const;
const canonicalTarget = (t: EscalationTargetSpec): EscalationTargetSpec => {
  const { kind, name } = targetOf(t);
  return { [targetField[kind]]: name };
};

/** A copy with object keys sorted at every depth (array order kept), so equal settings compare equal. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(byString)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

const severityOrder = ['critical', 'error', 'warning', 'info'] as const;

type HeartbeatSpec = NonNullable<ServiceIntegrationSpec['heartbeat']>;
type EmailSpec = NonNullable<ServiceIntegrationSpec['email']>;

/** The fields a document states, in a fixed order (explicit nulls kept: `maxRunSeconds: null` is a value). */
const inOrder = <T extends object>(value: T, keys: ReadonlyArray<keyof T>): T =>
  Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as T;

function canonicalHeartbeat(h: HeartbeatSpec): HeartbeatSpec {
  return inOrder(h, ['periodSeconds', 'cron', 'timeZone', 'graceSeconds', 'maxRunSeconds', 'severity']);
}

function canonicalEmail(e: EmailSpec): EmailSpec {
  const places = (p: EmailSpec['resolve']) => (p === undefined ? undefined : inOrder(p, ['subject', 'body']));
  return inOrder(
    {
      ...e,
      // The API stores an empty pattern as none.
      ...(e.dedupKeyPattern !== undefined ? { dedupKeyPattern: e.dedupKeyPattern || null } : {}),
      resolve: places(e.resolve),
      acknowledge: places(e.acknowledge),
      severity: e.severity === undefined ? undefined : inOrder(e.severity, severityOrder),
    },
    ['dedupKeyPattern', 'resolve', 'acknowledge', 'severity', 'defaultSeverity'],
  );
}

function canonicalIntegration(i: ServiceIntegrationSpec): ServiceIntegrationSpec {
  return {
    name: i.name,
    type: i.type,
    disabled: i.disabled,
    ...(i.mapping ? { mapping: sortedKeys(i.mapping) as NonNullable<ServiceIntegrationSpec['mapping']> } : {}),
    ...(i.heartbeat ? { heartbeat: canonicalHeartbeat(i.heartbeat) } : {}),
    ...(i.email ? { email: canonicalEmail(i.email) } : {}),
  };
}

/**
 * `current` reduced to the fields `desired` states, at every depth: heartbeat and email settings
 * work as the API's update does, where a field left out keeps its value.
 */
function statedPart(current: unknown, desired: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(current) || !isObject(desired)) return current;
  return Object.fromEntries(Object.keys(desired).flatMap((k) => (current[k] === undefined ? [] : [[k, statedPart(current[k], desired[k])]])));
}

/** An instant as UTC text, `2027-03-28T01:00:00Z` (instants the suppression schemas accepted parse with Date.parse). */
const MINUTE_MS = 60_000;
const isoOf = (ms: number): string => isoFromInstant(ms as Parameters<typeof isoFromInstant>[0]);
const utc = (value: string): string => isoOf(Date.parse(value));

/** Config's instants are 1900–2200, as a Schedule's (`configInstantSchema`): the API's schema takes any year. */
const MIN_CONFIG_MS = Date.UTC(1900, 0, 1);
const MAX_CONFIG_MS = Date.UTC(2200, 0, 1);
function instantRangeIssues(spec: { startsAt: string; endsAt?: string | undefined; durationMinutes?: number | undefined }): Array<{ path: DocumentPath; message: string }> {
  const outside = (ms: number) => !(ms >= MIN_CONFIG_MS && ms < MAX_CONFIG_MS);
  const problems: Array<{ path: DocumentPath; message: string }> = [];
  const start = Date.parse(spec.startsAt);
  if (outside(start)) problems.push({ path: ['spec', 'startsAt'], message: 'must be between the years 1900 and 2200' });
  if (spec.endsAt !== undefined && outside(Date.parse(spec.endsAt))) problems.push({ path: ['spec', 'endsAt'], message: 'must be between the years 1900 and 2200' });
  else if (spec.endsAt === undefined && spec.durationMinutes !== undefined && !outside(start) && outside(start + spec.durationMinutes * MINUTE_MS)) {
    problems.push({ path: ['spec', 'durationMinutes'], message: 'must end before the year 2200' });
  }
  return problems;
}


/** Where a core issue's dotted path (`spec.matchers.0.value`) points in a document. */
const pathOf = (dotted: string): DocumentPath => dotted.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/**
 * A Service's settings from the API contract (`serviceSettingKeys`): urgency in severity order,
 * anything else with its keys sorted; links and empty optional values left out.
 */
function canonicalServiceSettings(spec: ServiceDocument['spec']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...serviceSettingKeys, ...serviceRoutingKeys] as string[]) {
    const value = (spec as Record<string, unknown>)[key];
    if (value === undefined || value === null || key === 'name' || (Array.isArray(value) && value.length === 0)) continue;
    if (key === 'rules') {
      out[key] = (value as ServiceDocument['spec']['rules']).map((r) => ({
        name: r.name,
        // Canonical documents are canonicalized again (plan compares them): read what this wrote too.
        ...((r.conditions ?? []).length > 0 ? { conditions: r.conditions.map((c) => sortedKeys(c)) } : {}),
        actions: sortedKeys(r.actions),
        continue: r.continue ?? false,
      }));
      continue;
    }
    if (key === 'supportHours') {
      const h = value as NonNullable<ServiceDocument['spec']['supportHours']>;
      out[key] = { timeZone: h.timeZone, days: [...h.days], start: h.start, end: h.end };
      continue;
    }
    if (key === 'urgency') {
      const urgency = value as Record<string, unknown>;
      out[key] = Object.fromEntries(severityOrder.map((s) => [s, urgency[s]]));
    } else {
      out[key] = sortedKeys(value);
    }
  }
  return out;
}

const byKey = (a: string, b: string) => byString(a, b);

/** Incident kinds (ADR 0033, ADR 0030): rules for Severity, IncidentRule and Playbook. */
const incidentKindRules = {
  Severity: {
    fileName: 'severities.yaml',
    deletion: 'delete',
    references: () => [],
    validate: (d: SeverityDocument) =>
      d.spec.key !== undefined && d.spec.key.toLowerCase() !== d.metadata.name ? [{ path: ['spec', 'key'], message: `must be \`${d.metadata.name}\` in any case (the document's name is the key in lowercase)` }] : [],
    canonical: (d: SeverityDocument): SeverityDocument => ({
      apiVersion: configApiVersion,
      kind: 'Severity',
      metadata: { name: d.metadata.name },
      spec: {
        key: d.spec.key ?? d.metadata.name.toUpperCase(),
        name: d.spec.name,
        ...(d.spec.description ? { description: d.spec.description } : {}),
        ...(d.spec.response ? { response: d.spec.response } : {}),
        ...(d.spec.updateCadenceMinutes !== null && d.spec.updateCadenceMinutes !== undefined ? { updateCadenceMinutes: d.spec.updateCadenceMinutes } : {}),
        position: d.spec.position ?? 0,
      } as SeverityDocument['spec'],
    }),
    listKeys: {},
  },
  IncidentRule: {
    fileName: 'incident-rules.yaml',
    deletion: 'delete',
    references: (d: IncidentRuleDocument) => [
      ...(d.spec.conditions?.services ?? []).map((s, i) => ({ kind: 'Service' as const, name: s, path: ['spec', 'conditions', 'services', i] })),
      ...(d.spec.action.commander ? [{ kind: 'User' as const, name: d.spec.action.commander, path: ['spec', 'action', 'commander'] }] : []),
    ],
    validate: (d: IncidentRuleDocument) => {
      const problems: Array<{ path: DocumentPath; message: string }> = [];
      const unknown = unknownPlaceholders(d.spec.action.title ?? '');
      if (unknown.length > 0) problems.push({ path: ['spec', 'action', 'title'], message: `unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `{${u}}`).join(', ')}; use {alert.title}, {alert.number}, {alert.severity} or {service}` });
      for (const name of Object.keys(d.spec.conditions?.labels ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) problems.push({ path: ['spec', 'conditions', 'labels', name], message: 'must be a label name (letters, digits, _ . -)' });
      }
      return problems;
    },
    canonical: (d: IncidentRuleDocument): IncidentRuleDocument => {
      const c = d.spec.conditions ?? { services: [], alertSeverities: [], urgency: null, titleContains: null, labels: {} };
      const services = sortedUnique(c.services ?? []);
      const severities = sortedUnique(c.alertSeverities ?? []);
      const labels = Object.fromEntries(Object.entries(c.labels ?? {}).sort(([a], [b]) => byKey(a, b)));
      const conditions = {
        ...(services.length > 0 ? { services } : {}),
        ...(severities.length > 0 ? { alertSeverities: severities } : {}),
        ...(c.urgency ? { urgency: c.urgency } : {}),
        ...(c.titleContains ? { titleContains: c.titleContains } : {}),
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
      };
      return {
        apiVersion: configApiVersion,
        kind: 'IncidentRule',
        metadata: { name: d.metadata.name },
        spec: {
          ...(d.spec.description ? { description: d.spec.description } : {}),
          enabled: d.spec.enabled ?? true,
          position: d.spec.position ?? 0,
          ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
          action: { severity: d.spec.action.severity, title: d.spec.action.title ?? '{alert.title}', ...(d.spec.action.commander ? { commander: d.spec.action.commander } : {}) },
        } as IncidentRuleDocument['spec'],
      };
    },
    listKeys: {},
  },
  Playbook: {
    fileName: 'playbooks.yaml',
    deletion: 'delete',
    references: (d: PlaybookDocument) => (d.spec.appliesTo?.services ?? []).map((s, i) => ({ kind: 'Service' as const, name: s, path: ['spec', 'appliesTo', 'services', i] })),
    canonical: (d: PlaybookDocument): PlaybookDocument => {
      const applies = d.spec.appliesTo;
      const severities = sortedUnique(applies?.severities ?? []);
      const services = sortedUnique(applies?.services ?? []);
      return {
        apiVersion: configApiVersion,
        kind: 'Playbook',
        metadata: { name: d.metadata.name },
        spec: {
          title: d.spec.title,
          ...(d.spec.description ? { description: d.spec.description } : {}),
          // Present but empty means "every incident"; absent means "added by hand only".
          ...(applies ? { appliesTo: { ...(severities.length > 0 ? { severities } : {}), ...(services.length > 0 ? { services } : {}) } } : {}),
          items: d.spec.items.map((i) => ({
            title: i.title,
            ...(i.description ? { description: i.description } : {}),
            ...(i.link ? { link: i.link } : {}),
            ...(i.ownerRole ? { ownerRole: i.ownerRole } : {}),
          })),
        },
      };
    },
    listKeys: { 'spec.items': { byPosition: true } },
  },
} satisfies Pick<RulesByKind, 'Severity' | 'IncidentRule' | 'Playbook'>;

/**
 * Postmortem kinds (issue 8, ADR 0038): PostmortemTemplate (name: the handle; section order matters)
 * and PostmortemPolicy (one document, `default`; every field written out, so leaving one out of a
 * document means its default, never "keep what the server has").
 */
const postmortemKindRules = {
  PostmortemTemplate: {
    fileName: 'postmortem-templates.yaml',
    deletion: 'delete',
    references: () => [],
    canonical: (d: PostmortemTemplateDocument): PostmortemTemplateDocument => ({
      apiVersion: configApiVersion,
      kind: 'PostmortemTemplate',
      metadata: { name: d.metadata.name },
      spec: {
        title: d.spec.title,
        ...(d.spec.description ? { description: d.spec.description } : {}),
        sections: d.spec.sections.map((x) => ({ key: x.key, title: x.title, ...(x.guidance ? { guidance: x.guidance } : {}), ...(x.internal ? { internal: true } : {}) })),
      },
    }),
    listKeys: { 'spec.sections': { key: 'key', ordered: true } },
  },
  PostmortemPolicy: {
    fileName: 'postmortem-policy.yaml',
    deletion: 'delete',
    references: () => [],
    validate: (d: PostmortemPolicyDocument) =>
      d.metadata.name === POSTMORTEM_POLICY_NAME ? [] : [{ path: ['metadata', 'name'], message: `must be \`${POSTMORTEM_POLICY_NAME}\`: there is one postmortem policy` }],
    canonical: (d: PostmortemPolicyDocument): PostmortemPolicyDocument => ({
      apiVersion: configApiVersion,
      kind: 'PostmortemPolicy',
      metadata: { name: d.metadata.name },
      spec: {
        // Parsing filled in the defaults; the order of severities means nothing.
        severities: sortedUnique(d.spec.severities),
        customerImpactMinutes: d.spec.customerImpactMinutes,
        repeatWithinDays: d.spec.repeatWithinDays,
        dueDays: d.spec.dueDays,
      },
    }),
    listKeys: {},
  },
} satisfies Pick<RulesByKind, 'PostmortemTemplate' | 'PostmortemPolicy'>;

export const kindRules: RulesByKind = {
  NotificationProvider: {
    fileName: 'notification-providers.yaml',
    deletion: 'delete',
    references: () => [],
    validate: (d: NotificationProviderDocument) =>
      (providerSpecCheck?.({ kind: d.spec.kind, settings: d.spec.settings ?? {}, secrets: Object.keys(d.spec.secrets ?? {}) }) ?? []).map((p) => ({ path: ['spec', ...p.path], message: p.message })),
    canonical: (d: NotificationProviderDocument): NotificationProviderDocument => {
      // Canonical documents leave empty settings and secrets out, and are canonicalized again (plan compares them).
      const secrets = d.spec.secrets ?? {};
      const secretNames = Object.keys(secrets).sort(byString);
      const settings = sortedKeys(d.spec.settings ?? {}) as Record<string, unknown>;
      return {
        apiVersion: configApiVersion,
        kind: 'NotificationProvider',
        metadata: { name: d.metadata.name },
        spec: {
          kind: d.spec.kind,
          enabled: d.spec.enabled,
          position: d.spec.position,
          ...(Object.keys(settings).length > 0 ? { settings } : {}),
          ...(secretNames.length > 0 ? { secrets: Object.fromEntries(secretNames.map((k) => [k, { fromEnv: (secrets[k] as { fromEnv: string }).fromEnv }])) } : {}),
        } as NotificationProviderDocument['spec'],
      };
    },
    listKeys: {},
  },
  User: {
    fileName: 'users.yaml',
    deletion: 'deactivate',
    references: () => [],
    canonical: (d: UserDocument): UserDocument => {
      const methods = d.spec.contactMethods;
      const rules = d.spec.notificationRules;
      return {
        apiVersion: configApiVersion,
        kind: 'User',
        metadata: { name: d.metadata.name },
        spec: {
          name: d.spec.name,
          email: d.spec.email,
          timeZone: d.spec.timeZone,
          role: d.spec.role,
          // Kept when empty: `contactMethods: []` means "none", while leaving it out means "leave alone".
          ...(methods !== undefined ? { contactMethods: canonicalMethods(methods) } : {}),
          ...(rules !== undefined ? { notificationRules: { high: canonicalRules(rules.high, methods ?? []), low: canonicalRules(rules.low, methods ?? []) } } : {}),
        },
      };
    },
    managedPart: (current: UserDocument, desired: UserDocument): UserDocument => {
      const { contactMethods, notificationRules, ...rest } = current.spec;
      return {
        ...current,
        spec: {
          ...rest,
          ...(desired.spec.contactMethods !== undefined ? { contactMethods: contactMethods ?? [] } : {}),
          ...(desired.spec.notificationRules !== undefined ? { notificationRules: notificationRules ?? { high: [], low: [] } } : {}),
        },
      };
    },
    listKeys: { 'spec.contactMethods': { key: ['type', 'address'] } },
  },
  Team: {
    fileName: 'teams.yaml',
    deletion: 'deactivate',
    references: (d: TeamDocument) => (d.spec.members ?? []).map((m, i) => ({ kind: 'User' as const, name: m.user, path: ['spec', 'members', i, 'user'] })),
    canonical: (d: TeamDocument): TeamDocument => {
      const members = [...(d.spec.members ?? [])].sort((a, b) => byString(a.user, b.user)).map((m) => ({ user: m.user, role: m.role }));
      return {
        apiVersion: configApiVersion,
        kind: 'Team',
        metadata: { name: d.metadata.name },
        spec: {
          name: d.spec.name,
          ...(d.spec.description ? { description: d.spec.description } : {}),
          ...(members.length > 0 ? { members } : {}),
        },
      };
    },
    listKeys: { 'spec.members': { key: 'user' } },
  },
  Schedule: {
    fileName: 'schedules.yaml',
    deletion: 'delete',
    references: (d: ScheduleDocument) => [
      ...(d.spec.team !== undefined ? [{ kind: 'Team' as const, name: d.spec.team, path: ['spec', 'team'] }] : []),
      ...d.spec.layers.flatMap((l, i) => [
        ...l.participants.map((p, j) => ({ kind: 'User' as const, name: p, path: ['spec', 'layers', i, 'participants', j] })),
        ...(l.shadows ?? []).map((p, j) => ({ kind: 'User' as const, name: p, path: ['spec', 'layers', i, 'shadows', j] })),
      ]),
    ],
    validate: (d: ScheduleDocument) => validateSchedule(scheduleDefinitionOf(d)).map((issue) => ({ path: documentPathOfSchedulePath(issue.path), message: issue.message })),
    canonical: (d: ScheduleDocument): ScheduleDocument => ({
      apiVersion: configApiVersion,
      kind: 'Schedule',
      metadata: { name: d.metadata.name },
      spec: {
        name: d.spec.name,
        ...(d.spec.description ? { description: d.spec.description } : {}),
        ...(d.spec.team !== undefined ? { team: d.spec.team } : {}),
        timeZone: d.spec.timeZone,
        // Order is priority: never sorted.
        layers: d.spec.layers.map(canonicalLayer),
      },
    }),
    listKeys: { 'spec.layers': { key: 'id', ordered: true } },
  },
  EscalationPolicy: {
    fileName: 'escalation-policies.yaml',
    deletion: 'delete',
    references: (d: EscalationPolicyDocument) => [
      ...(d.spec.team !== undefined ? [{ kind: 'Team' as const, name: d.spec.team, path: ['spec', 'team'] }] : []),
      ...d.spec.levels.flatMap((level, l) =>
        level.targets.map((t, i) => {
          const { kind, name } = targetOf(t);
          return { kind, name, path: ['spec', 'levels', l, 'targets', i, targetField[kind]] };
        }),
      ),
      ...(d.spec.fallback !== undefined ? [{ ...targetOf(d.spec.fallback), path: ['spec', 'fallback', targetField[targetOf(d.spec.fallback).kind]] }] : []),
    ],
    canonical: (d: EscalationPolicyDocument): EscalationPolicyDocument => ({
      apiVersion: configApiVersion,
      kind: 'EscalationPolicy',
      metadata: { name: d.metadata.name },
      spec: {
        name: d.spec.name,
        ...(d.spec.description ? { description: d.spec.description } : {}),
        ...(d.spec.team !== undefined ? { team: d.spec.team } : {}),
        levels: d.spec.levels.map((level) => ({ delayMinutes: level.delayMinutes, targets: level.targets.map(canonicalTarget) })),
        repeat: d.spec.repeat,
        ...(d.spec.fallback !== undefined ? { fallback: canonicalTarget(d.spec.fallback) } : {}),
        skipEmptyLevels: d.spec.skipEmptyLevels,
        ...(d.spec.ackTimeoutMinutes !== undefined ? { ackTimeoutMinutes: d.spec.ackTimeoutMinutes } : {}),
      },
    }),
    listKeys: { 'spec.levels': { byPosition: true } },
  },
  Service: {
    fileName: 'services.yaml',
    deletion: 'delete',
    references: (d: ServiceDocument) => [
      ...(d.spec.team !== undefined ? [{ kind: 'Team' as const, name: d.spec.team, path: ['spec', 'team'] }] : []),
      ...(d.spec.escalationPolicy !== undefined ? [{ kind: 'EscalationPolicy' as const, name: d.spec.escalationPolicy, path: ['spec', 'escalationPolicy'] }] : []),
      ...(d.spec.rules ?? []).flatMap((r, i) => (r.actions.routeTo !== undefined ? [{ kind: 'Service' as const, name: r.actions.routeTo, path: ['spec', 'rules', i, 'actions', 'routeTo'] }] : [])),
    ],
    validate: (d: ServiceDocument) => {
      // The API refuses runbook and dashboard links that are not http(s) (zod's url() accepts javascript:).
      const links = (['runbookUrl', 'dashboardUrl'] as const).filter((f) => typeof d.spec[f] === 'string' && !isWebUrl(d.spec[f] as string));
      const problems: Array<{ path: DocumentPath; message: string }> = links.map((f) => ({ path: ['spec', f], message: 'must be an http:// or https:// URL' }));
      (d.spec.integrations ?? []).forEach((i, index) => {
        const at = ['spec', 'integrations', index];
        if (i.mapping !== undefined && i.type !== 'webhook') problems.push({ path: [...at, 'mapping'], message: 'is only accepted for type webhook' });
        for (const field of ['heartbeat', 'email'] as const) {
          if (i[field] !== undefined && i.type !== field) problems.push({ path: [...at, field], message: `is only accepted for type ${field}` });
        }
        if (i.type === 'heartbeat' && i.heartbeat !== undefined) {
          // The API's own check; a cron expression only needs some next occurrence, so any instant will do.
          const checked = checkHeartbeatSettings(i.heartbeat, 0 as Instant);
          if (!checked.ok) for (const issue of checked.issues) problems.push({ path: [...at, 'heartbeat', ...pathOf(issue.path)], message: issue.message });
        }
        const pattern = i.type === 'email' ? i.email?.dedupKeyPattern : undefined;
        if (pattern) {
          try {
            new RegExp(pattern, 'u');
          } catch (error) {
            problems.push({ path: [...at, 'email', 'dedupKeyPattern'], message: `is not a regular expression: ${(error as Error).message}` });
          }
        }
      });
      (d.spec.rules ?? []).forEach((r, index) => {
        if (r.actions.routeTo === d.metadata.name) problems.push({ path: ['spec', 'rules', index, 'actions', 'routeTo'], message: 'cannot route a service to itself' });
      });
      if (d.spec.raiseAtSupportStart && !d.spec.supportHours) problems.push({ path: ['spec', 'raiseAtSupportStart'], message: 'needs support hours' });
      return problems;
    },
    canonical: (d: ServiceDocument): ServiceDocument => {
      const integrations = [...(d.spec.integrations ?? [])].sort((a, b) => byString(a.name, b.name)).map(canonicalIntegration);
      return {
        apiVersion: configApiVersion,
        kind: 'Service',
        metadata: { name: d.metadata.name },
        spec: {
          name: d.spec.name,
          ...(d.spec.description ? { description: d.spec.description } : {}),
          ...(d.spec.team !== undefined ? { team: d.spec.team } : {}),
          ...(d.spec.escalationPolicy !== undefined ? { escalationPolicy: d.spec.escalationPolicy } : {}),
          ...canonicalServiceSettings(d.spec),
          // Kept when empty: `integrations: []` manages "none", leaving it out leaves them alone.
          ...(d.spec.integrations !== undefined ? { integrations } : {}),
        } as ServiceDocument['spec'],
      };
    },
    managedPart: (current: ServiceDocument, desired: ServiceDocument, options): ServiceDocument => {
      const { integrations, ...rest } = current.spec;
      const wanted = desired.spec.integrations;
      if (wanted === undefined) return { ...current, spec: rest as ServiceDocument['spec'] };
      const named = new Set(wanted.map((i) => i.name));
      // Without --prune an integration the document does not list is not managed. With it, one that
      // is already disabled is what prune leaves behind: managed no more.
      const kept = (integrations ?? [])
        .filter((i) => named.has(i.name) || (options.prune && !i.disabled))
        .map((i) => {
          const w = wanted.find((x) => x.name === i.name);
          if (!w) return i;
          // Heartbeat and email settings: only the fields the document states are managed.
          const { heartbeat, email, ...plain } = i;
          return {
            ...plain,
            ...(heartbeat !== undefined && w.heartbeat !== undefined ? { heartbeat: statedPart(heartbeat, w.heartbeat) as HeartbeatSpec } : {}),
            ...(email !== undefined && w.email !== undefined ? { email: statedPart(email, w.email) as EmailSpec } : {}),
          };
        });
      return { ...current, spec: { ...rest, integrations: kept } as ServiceDocument['spec'] };
    },
    listKeys: { 'spec.integrations': { key: 'name' }, 'spec.rules': { byPosition: true } },
  },
  MaintenanceWindow: {
    fileName: 'maintenance-windows.yaml',
    deletion: 'delete',
    references: (d: MaintenanceWindowDocument) => d.spec.services.map((s, i) => ({ kind: 'Service' as const, name: s, path: ['spec', 'services', i] })),
    // The API's rules (suppression service), reported at the field.
    validate: (d: MaintenanceWindowDocument) => {
      const range = instantRangeIssues(d.spec);
      if (range.length > 0) return range;
      const problems: Array<{ path: DocumentPath; message: string }> = [];
      const { startsAt, endsAt, durationMinutes, recurrence } = d.spec;
      if (recurrence) {
        const issue = rruleIssue(recurrence.rrule);
        if (issue) problems.push({ path: ['spec', 'recurrence', 'rrule'], message: issue });
      }
      if (durationMinutes !== undefined && (endsAt !== undefined || recurrence)) {
        problems.push({ path: ['spec', 'durationMinutes'], message: 'is for one-off windows without endsAt (a recurrence has its own durationMinutes)' });
      } else if (!recurrence && endsAt === undefined && durationMinutes === undefined) {
        problems.push({ path: ['spec', 'endsAt'], message: 'is required for a one-off window (or give durationMinutes, or a recurrence)' });
      } else if (endsAt !== undefined && Date.parse(endsAt) <= Date.parse(startsAt)) {
        problems.push({ path: ['spec', 'endsAt'], message: 'must be after startsAt' });
      }
      return problems;
    },
    canonical: (d: MaintenanceWindowDocument): MaintenanceWindowDocument => {
      const { startsAt, endsAt, durationMinutes, recurrence } = d.spec;
      // A one-off duration is written as its end: the API stores the end.
      const end = endsAt !== undefined ? utc(endsAt) : durationMinutes !== undefined && !recurrence ? isoOf(Date.parse(startsAt) + durationMinutes * MINUTE_MS) : undefined;
      return {
        apiVersion: configApiVersion,
        kind: 'MaintenanceWindow',
        metadata: { name: d.metadata.name },
        spec: {
          name: d.spec.name,
          ...(d.spec.description ? { description: d.spec.description } : {}),
          services: sortedUnique(d.spec.services),
          startsAt: utc(startsAt),
          ...(end !== undefined ? { endsAt: end } : {}),
          ...(recurrence ? { recurrence: { rrule: recurrence.rrule.replace(/^RRULE:/i, ''), durationMinutes: recurrence.durationMinutes, timeZone: recurrence.timeZone } } : {}),
        } as MaintenanceWindowDocument['spec'],
      };
    },
    listKeys: {},
  },
  Silence: {
    fileName: 'silences.yaml',
    deletion: 'expire',
    references: (d: SilenceDocument) => (d.spec.service !== undefined ? [{ kind: 'Service' as const, name: d.spec.service, path: ['spec', 'service'] }] : []),
    validate: (d: SilenceDocument) => {
      // The API's matcher check: label names, RE2 regexes, and refusing matchers that match everything.
      const problems: Array<{ path: DocumentPath; message: string }> = matcherIssues(d.spec.matchers as Matcher[], 'spec.matchers').map((i) => ({ path: pathOf(i.path), message: i.message }));
      const range = instantRangeIssues(d.spec);
      if (range.length > 0) return [...problems, ...range];
      const { startsAt, endsAt, durationMinutes } = d.spec;
      if (endsAt !== undefined && durationMinutes !== undefined) problems.push({ path: ['spec', 'durationMinutes'], message: 'give endsAt or durationMinutes, not both' });
      else if (endsAt === undefined && durationMinutes === undefined) problems.push({ path: ['spec', 'endsAt'], message: 'give endsAt or durationMinutes: a silence always expires' });
      else if (endsAt !== undefined && Date.parse(endsAt) <= Date.parse(startsAt)) problems.push({ path: ['spec', 'endsAt'], message: 'must be after startsAt' });
      return problems;
    },
    canonical: (d: SilenceDocument): SilenceDocument => {
      const { startsAt, endsAt, durationMinutes } = d.spec;
      const end = endsAt !== undefined ? utc(endsAt) : isoOf(Date.parse(startsAt) + (durationMinutes ?? 0) * MINUTE_MS);
      return {
        apiVersion: configApiVersion,
        kind: 'Silence',
        metadata: { name: d.metadata.name },
        spec: {
          // Order kept: the server keeps it, and messages name matchers by position.
          matchers: d.spec.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })),
          comment: d.spec.comment,
          ...(d.spec.service !== undefined ? { service: d.spec.service } : {}),
          startsAt: utc(startsAt),
          endsAt: end,
        } as SilenceDocument['spec'],
      };
    },
    listKeys: { 'spec.matchers': { byPosition: true } },
  },
  ...incidentKindRules,
  ...postmortemKindRules,
  ...statusPageKindRules,
};

/** The rules for a document's kind, typed loosely for code that handles every kind alike. */
export function rulesFor(kind: ConfigKind): KindRules<ConfigDocument> {
  return kindRules[kind] as unknown as KindRules<ConfigDocument>;
}

/** Position of a kind in {@link configKindOrder}; unknown kinds sort last. */
export function kindRank(kind: string): number {
  const rank = configKindOrder.indexOf(kind as ConfigKind);
  return rank === -1 ? configKindOrder.length : rank;
}

export function canonicalDocument(document: ConfigDocument): ConfigDocument {
  return rulesFor(document.kind).canonical(document);
}

/** Sorts documents by kind order, then name: the order export writes them in. */
export function sortDocuments<D extends { kind: string; metadata: { name: string } }>(documents: readonly D[]): D[] {
  return [...documents].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || byString(a.metadata.name, b.metadata.name));
}

export { byString };
