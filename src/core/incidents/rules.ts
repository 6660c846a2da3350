/**
 * Auto-declare rules (issue 6, ADR 0033): which rule, if any, declares an incident for a new alert,
 * and the incident's title. Pure: the server reads the rules and the alert, and acts on the answer.
 */

export type AlertSeverity = 'critical' | 'error' | 'warning' | 'info';

/** What a rule asks of an alert. Empty lists and nulls hold for every alert. */
export interface RuleConditions {
  /** Service ids. */
  services: readonly string[];
  alertSeverities: readonly AlertSeverity[];
  urgency: 'high' | 'low' | null;
  /** Case-insensitive substring of the title. */
  titleContains: string | null;
  /** Labels the alert must carry with exactly these values. */
  labels: Readonly<Record<string, string>>;
}

export interface RuleAction {
  severity: string;
  /** Template: {alert.title}, {alert.number}, {alert.severity}, {service}. */
  title: string;
  /** The user to command; null: the first person to acknowledge the alert. */
  commanderUserId: string | null;
}

export interface IncidentRuleDefinition {
  id: string;
  name: string;
  enabled: boolean;
  position: number;
  conditions: RuleConditions;
  action: RuleAction;
}

/** The facts of a new alert a rule can look at. */
export interface AlertFacts {
  number: number;
  serviceId: string;
  serviceHandle: string;
  severity: AlertSeverity;
  urgency: string;
  title: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * Alerts Firebreak opens for an incident (a responder request pages people through an alert labelled
 * `firebreak.incident`) already belong to one: they never declare another.
 */
export function isIncidentOwnAlert(alert: Pick<AlertFacts, 'labels'>): boolean {
  return Object.keys(alert.labels).some((name) => name.startsWith('firebreak.'));
}

/** Whether every condition of the rule holds for the alert (a disabled rule never matches). */
export function ruleMatches(rule: IncidentRuleDefinition, alert: AlertFacts): boolean {
  if (!rule.enabled || isIncidentOwnAlert(alert)) return false;
  const c = rule.conditions;
  if (c.services.length > 0 && !c.services.includes(alert.serviceId)) return false;
  if (c.alertSeverities.length > 0 && !c.alertSeverities.includes(alert.severity)) return false;
  if (c.urgency !== null && c.urgency !== alert.urgency) return false;
  if (c.titleContains !== null && !alert.title.toLocaleLowerCase('en').includes(c.titleContains.toLocaleLowerCase('en'))) return false;
  for (const [name, value] of Object.entries(c.labels)) if (alert.labels[name] !== value) return false;
  return true;
}

/** Rules in the order they are tried: `position`, then name (so equal positions are still deterministic). */
export function orderRules<R extends Pick<IncidentRuleDefinition, 'position' | 'name'>>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The first rule, in order, that matches the alert; null when none does. One alert declares at most once. */
export function firstMatchingRule<R extends IncidentRuleDefinition>(rules: readonly R[], alert: AlertFacts): R | null {
  return orderRules(rules).find((r) => ruleMatches(r, alert)) ?? null;
}

/** Whether any enabled rule could match an alert of this service: the cheap check intake makes first. */
export function mayMatchService(rules: readonly IncidentRuleDefinition[], serviceId: string): boolean {
  return rules.some((r) => r.enabled && (r.conditions.services.length === 0 || r.conditions.services.includes(serviceId)));
}

export const TITLE_PLACEHOLDERS = ['alert.title', 'alert.number', 'alert.severity', 'service'] as const;

/** Placeholders in a title template that are not known: `{alert.titel}` is a mistake to report, not text. */
export function unknownPlaceholders(template: string): string[] {
  const found = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] as string);
  return [...new Set(found.filter((p) => !(TITLE_PLACEHOLDERS as readonly string[]).includes(p)))];
}

export const MAX_TITLE_LENGTH = 500;

/** The incident title from a rule's template; never empty, at most 500 characters. */
export function renderTitle(template: string, alert: AlertFacts): string {
  const values: Record<string, string> = { 'alert.title': alert.title, 'alert.number': `#${alert.number}`, 'alert.severity': alert.severity, service: alert.serviceHandle };
  const title = template.replace(/\{([^{}]*)\}/g, (whole, name: string) => values[name] ?? whole).trim();
  const text = title.length > 0 ? title : alert.title.trim() || `Alert #${alert.number}`;
  return text.length > MAX_TITLE_LENGTH ? `${text.slice(0, MAX_TITLE_LENGTH - 1)}…` : text;
}
