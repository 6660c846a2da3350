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
  type NotificationRuleSpec,
  type ScheduleDocument,
  type ScheduleLayerSpec,
  type TeamDocument,
  type UserDocument,
} from '../../contracts/config.js';
import { validateSchedule } from '../oncall/index.js';
import { documentPathOfSchedulePath, instantText, scheduleDefinitionOf } from './schedule-definition.js';

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
  deletion: 'deactivate' | 'delete';
  /** The other documents this one names. They must exist for plan and apply. */
  references(document: D): Reference[];
  /**
   * Rules the schema cannot express, checked on every valid document (Schedule: the engine's own
   * `validateSchedule`, so config refuses exactly what the API refuses).
   */
  validate?(document: D): Array<{ path: DocumentPath; message: string }>;
  /**
   * The canonical form: defaults filled in, empty optional fields left out, lists sorted where order
   * means nothing, keys in a fixed order. Export writes it and plan compares it, so export → apply →
   * export is byte-identical and writing a default explicitly is never a change.
   */
  canonical(document: D): D;
  /**
   * The current document reduced to what `desired` manages. A User document without
   * `contactMethods` leaves the person's methods alone, so plan must not see their absence as "remove
   * them all"; with `contactMethods: []` it does mean none.
   */
  managedPart?(current: D, desired: D): D;
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
export const configKindOrder: readonly ConfigKind[] = ['User', 'Team', 'Schedule', 'EscalationPolicy'];

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

export const kindRules: RulesByKind = {
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
      },
    }),
    listKeys: { 'spec.levels': { byPosition: true } },
  },
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
