/**
 * Routing rules: what a service does with each event before deduplication (docs/alerts.md,
 * "Routing rules and urgency"; ADR 0018). Pure: `compileRules` checks and compiles a rule list once,
 * `evaluateRules` decides for one event.
 *
 * Semantics:
 *
 * 1. Rules are tried in order. The first rule whose conditions all hold decides, unless it says
 *    `continue: true`: then later rules are tried too, and a later matching rule's actions override
 *    earlier ones field by field. A rule without conditions matches every event (a catch-all).
 * 2. `drop` ends evaluation at once: the event is only kept in the event log (outcome `dropped`).
 * 3. For a group (Alertmanager, Grafana) a rule matches when all its conditions hold for one firing
 *    member, reading that member's labels over the group's common labels. A group with no firing
 *    member (everything resolved) is matched against all its members, so the resolving post goes where
 *    the firing one went.
 * 4. `not-equals` holds when the field is missing (as Alertmanager's `!=`); `equals`, `regex` and `in`
 *    never hold on a missing field; `exists` holds when the field is present and not empty.
 * 5. Regular expressions run on the linear-time engine in `linear-regex.ts` and search the value
 *    (anchor with `^…$`); a leading `(?i)` ignores case.
 */

import type { Severity, Urgency } from './alert.js';
import { compileLinearRegex, RegexSyntaxError, type LinearRegex } from './linear-regex.js';

export const conditionOps = ['equals', 'not-equals', 'regex', 'exists', 'in'] as const;
export type ConditionOp = (typeof conditionOps)[number];

/** The plain fields a condition may read; labels are read as `labels.<name>`. */
export const ruleFields = ['title', 'description', 'source', 'severity', 'dedupKey', 'integrationType'] as const;
export type RuleField = (typeof ruleFields)[number] | `labels.${string}`;

export const MAX_RULES = 100;
export const MAX_CONDITIONS = 20;
/**
 * Compiled regular-expression instructions per rule list. An event may run every regex once, so this
 * bounds the work a service's rules add to one event.
 */
export const MAX_REGEX_PROGRAM_TOTAL = 5000;

/** True for a field a condition may name: one of `ruleFields` or `labels.<name>`. */
export function isRuleField(field: string): field is RuleField {
  return (ruleFields as readonly string[]).includes(field) || /^labels\.[^\s]{1,200}$/.test(field);
}

export interface RuleCondition {
  field: string;
  op: ConditionOp;
  /** For equals, not-equals and regex. */
  value?: string | undefined;
  /** For in. */
  values?: string[] | undefined;
}

export interface RuleActions {
  severity?: Severity | undefined;
  urgency?: Urgency | undefined;
  /** Handle of the service the event is routed to. */
  routeTo?: string | undefined;
  /** Recorded and shown, but nobody is notified. */
  suppress?: boolean | undefined;
  /** Only the event log keeps it. */
  drop?: boolean | undefined;
}

export interface RoutingRule {
  name: string;
  conditions: RuleCondition[];
  actions: RuleActions;
  continue?: boolean | undefined;
}

export interface RuleIssue {
  /** Relative to the rule list: `[2].conditions[0].value`. */
  path: string;
  message: string;
}

interface CompiledCondition {
  condition: RuleCondition;
  regex: LinearRegex | null;
  values: ReadonlySet<string> | null;
}

/** A checked rule list, regular expressions compiled once. */
export interface CompiledRules {
  readonly rules: ReadonlyArray<{ rule: RoutingRule; conditions: CompiledCondition[] }>;
}

/** What a rule reads of one event. */
export interface RuleSubject {
  title: string | null;
  description: string | null;
  source: string | null;
  severity: Severity | null;
  dedupKey: string;
  integrationType: string | null;
  labels: Record<string, string>;
  /** Member alerts of a group, when the event is one. */
  members?: ReadonlyArray<{ status: 'firing' | 'resolved'; labels: Record<string, string> }> | undefined;
}

/** What the rules decided for one event. */
export interface RuleOutcome {
  /** Names of the rules that matched, in order. */
  matched: string[];
  severity: Severity | null;
  urgency: Urgency | null;
  routeTo: string | null;
  /** The rule that suppressed the event, or null. */
  suppressedBy: string | null;
  /** The rule that dropped the event, or null. */
  droppedBy: string | null;
}

/**
 * Checks a rule list and compiles its regular expressions. Every problem is reported with the path
 * of the field at fault, so an API can answer 400 naming it.
 *
 * @example
 *   const r = compileRules([{ name: 'staging is quiet', conditions: [{ field: 'labels.env', op: 'equals', value: 'staging' }], actions: { urgency: 'backlog' } }]);
 *   if (r.ok) evaluateRules(r.compiled, subject);
 */
export function compileRules(rules: readonly RoutingRule[]): { ok: true; compiled: CompiledRules } | { ok: false; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  if (rules.length > MAX_RULES) issues.push({ path: '', message: `at most ${MAX_RULES} rules` });
  const names = new Set<string>();
  const compiled = rules.map((rule, r) => {
    if (names.has(rule.name)) issues.push({ path: `[${r}].name`, message: `another rule is already named \`${rule.name}\`` });
    names.add(rule.name);
    const a = rule.actions;
    const kinds = [a.severity, a.urgency, a.routeTo, a.suppress ? true : undefined, a.drop ? true : undefined].filter((v) => v !== undefined);
    if (kinds.length === 0) issues.push({ path: `[${r}].actions`, message: 'needs at least one action: severity, urgency, routeTo, suppress or drop' });
    if (a.drop && kinds.length > 1) issues.push({ path: `[${r}].actions.drop`, message: 'drop cannot be combined with other actions (a dropped event goes nowhere)' });
    if (rule.conditions.length > MAX_CONDITIONS) issues.push({ path: `[${r}].conditions`, message: `at most ${MAX_CONDITIONS} conditions` });
    const conditions = rule.conditions.map((condition, c): CompiledCondition => {
      const at = `[${r}].conditions[${c}]`;
      if (!isRuleField(condition.field)) issues.push({ path: `${at}.field`, message: `must be one of ${ruleFields.join(', ')} or labels.<name>` });
      let regex: LinearRegex | null = null;
      let values: Set<string> | null = null;
      switch (condition.op) {
        case 'equals':
        case 'not-equals':
          if (condition.value === undefined) issues.push({ path: `${at}.value`, message: `is required for ${condition.op}` });
          break;
        case 'regex':
          if (condition.value === undefined) issues.push({ path: `${at}.value`, message: 'is required for regex' });
          else {
            try {
              regex = compileLinearRegex(condition.value);
            } catch (error) {
              if (!(error instanceof RegexSyntaxError)) throw error;
              issues.push({ path: `${at}.value`, message: `is not a valid regular expression: ${error.message}` });
            }
          }
          break;
        case 'in':
          if (!condition.values || condition.values.length === 0) issues.push({ path: `${at}.values`, message: 'needs at least one value for in' });
          else values = new Set(condition.values);
          break;
        case 'exists':
          break;
      }
      return { condition, regex, values };
    });
    return { rule, conditions };
  });
  const total = compiled.reduce((sum, r) => sum + r.conditions.reduce((n, c) => n + (c.regex?.size ?? 0), 0), 0);
  if (total > MAX_REGEX_PROGRAM_TOTAL) issues.push({ path: '', message: `the regular expressions are too complex together (${total} steps; at most ${MAX_REGEX_PROGRAM_TOTAL}): simplify or merge them` });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, compiled: { rules: compiled } };
}

function read(subject: RuleSubject, labels: Record<string, string>, field: string): string | null {
  if (field.startsWith('labels.')) {
    const name = field.slice(7);
    return Object.prototype.hasOwnProperty.call(labels, name) ? (labels[name] as string) : null;
  }
  switch (field) {
    case 'title':
      return subject.title;
    case 'description':
      return subject.description;
    case 'source':
      return subject.source;
    case 'severity':
      return subject.severity;
    case 'dedupKey':
      return subject.dedupKey;
    case 'integrationType':
      return subject.integrationType;
    default:
      return null;
  }
}

function holds(c: CompiledCondition, value: string | null): boolean {
  switch (c.condition.op) {
    case 'equals':
      return value !== null && value === c.condition.value;
    case 'not-equals':
      return value === null || value !== c.condition.value;
    case 'regex':
      return value !== null && c.regex !== null && c.regex.test(value);
    case 'in':
      return value !== null && c.values !== null && c.values.has(value);
    case 'exists':
      return value !== null && value !== '';
  }
}

/** The label sets a rule is tried against: one per (firing) member of a group, else the event's own. */
function labelSets(subject: RuleSubject): Array<Record<string, string>> {
  const members = subject.members ?? [];
  if (members.length === 0) return [subject.labels];
  const firing = members.filter((m) => m.status === 'firing');
  return (firing.length > 0 ? firing : members).map((m) => ({ ...subject.labels, ...m.labels }));
}

/** True when every condition of a rule holds for the event (for a group: for one of its members). */
export function ruleMatches(conditions: readonly CompiledCondition[], subject: RuleSubject): boolean {
  if (conditions.length === 0) return true;
  return labelSets(subject).some((labels) => conditions.every((c) => holds(c, read(subject, labels, c.condition.field))));
}

/**
 * Decides what a service's rules do with one event. See the module comment for the order and
 * override semantics.
 */
export function evaluateRules(compiled: CompiledRules, subject: RuleSubject): RuleOutcome {
  const outcome: RuleOutcome = { matched: [], severity: null, urgency: null, routeTo: null, suppressedBy: null, droppedBy: null };
  for (const { rule, conditions } of compiled.rules) {
    if (!ruleMatches(conditions, subject)) continue;
    outcome.matched.push(rule.name);
    const a = rule.actions;
    if (a.drop) {
      outcome.droppedBy = rule.name;
      return outcome;
    }
    if (a.severity) outcome.severity = a.severity;
    if (a.urgency) outcome.urgency = a.urgency;
    if (a.routeTo) outcome.routeTo = a.routeTo;
    if (a.suppress) outcome.suppressedBy = rule.name;
    if (!rule.continue) break;
  }
  return outcome;
}

/** Handles of every service a rule list can route to (where acknowledge and resolve events follow their alert). */
export function routeTargets(rules: readonly RoutingRule[]): string[] {
  return [...new Set(rules.map((r) => r.actions.routeTo).filter((h): h is string => typeof h === 'string'))];
}
