import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstMatchingRule, mayMatchService, orderRules, renderTitle, ruleMatches, unknownPlaceholders, type AlertFacts, type IncidentRuleDefinition } from './rules.js';

const RUNS = { numRuns: 300, seed: 20261121 };
const alert = (over: Partial<AlertFacts> = {}): AlertFacts => ({ number: 7, serviceId: 'svc-checkout', serviceHandle: 'checkout', severity: 'critical', urgency: 'high', title: 'Card payments failing', labels: { env: 'prod', team: 'pay' }, ...over });
type RuleOverrides = Partial<Omit<IncidentRuleDefinition, 'conditions'>> & { conditions?: Partial<IncidentRuleDefinition['conditions']> };
const rule = (over: RuleOverrides = {}): IncidentRuleDefinition => ({
  id: over.id ?? 'r1',
  name: over.name ?? 'r1',
  enabled: over.enabled ?? true,
  position: over.position ?? 0,
  conditions: { services: [], alertSeverities: [], urgency: null, titleContains: null, labels: {}, ...over.conditions },
  action: over.action ?? { severity: 'SEV2', title: '{alert.title}', commanderUserId: null },
});

describe('ruleMatches', () => {
  it('an empty rule matches every alert; a disabled one none', () => {
    expect(ruleMatches(rule(), alert())).toBe(true);
    expect(ruleMatches(rule({ enabled: false }), alert())).toBe(false);
  });

  it('never matches alerts Firebreak opened for an incident (responder requests)', () => {
    expect(ruleMatches(rule(), alert({ labels: { 'firebreak.incident': 'INC-1', 'firebreak.responder-request': 'r1' } }))).toBe(false);
  });

  it('checks service, severity, urgency, title and labels, each only when given', () => {
    expect(ruleMatches(rule({ conditions: { services: ['svc-checkout'], alertSeverities: ['critical'] } }), alert())).toBe(true);
    expect(ruleMatches(rule({ conditions: { services: ['svc-payments'] } }), alert())).toBe(false);
    expect(ruleMatches(rule({ conditions: { alertSeverities: ['warning', 'info'] } }), alert())).toBe(false);
    expect(ruleMatches(rule({ conditions: { urgency: 'low' } }), alert())).toBe(false);
    expect(ruleMatches(rule({ conditions: { urgency: 'high' } }), alert())).toBe(true);
    expect(ruleMatches(rule({ conditions: { titleContains: 'PAYMENTS' } }), alert())).toBe(true);
    expect(ruleMatches(rule({ conditions: { titleContains: 'refunds' } }), alert())).toBe(false);
    expect(ruleMatches(rule({ conditions: { labels: { env: 'prod' } } }), alert())).toBe(true);
    expect(ruleMatches(rule({ conditions: { labels: { env: 'staging' } } }), alert())).toBe(false);
    expect(ruleMatches(rule({ conditions: { labels: { region: 'eu' } } }), alert())).toBe(false);
  });

  it('property: adding a condition never makes a rule match more alerts', () => {
    const severities = fc.constantFrom('critical', 'error', 'warning', 'info') as fc.Arbitrary<AlertFacts['severity']>;
    const facts = fc.record({ number: fc.nat(), serviceId: fc.constantFrom('a', 'b', 'c'), serviceHandle: fc.constant('x'), severity: severities, urgency: fc.constantFrom('high', 'low'), title: fc.string(), labels: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('prod', 'dev')) });
    const conditions = fc.record({ services: fc.subarray(['a', 'b', 'c']), alertSeverities: fc.subarray(['critical', 'error', 'warning', 'info'] as const), urgency: fc.constantFrom(null, 'high', 'low') as fc.Arbitrary<'high' | 'low' | null>, titleContains: fc.constantFrom(null, 'a', 'fail'), labels: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('prod', 'dev')) });
    fc.assert(
      fc.property(facts, conditions, fc.constantFrom('services', 'alertSeverities', 'urgency', 'titleContains', 'labels'), (f, c, drop) => {
        const narrower = rule({ conditions: c });
        const wider = rule({ conditions: { ...c, [drop]: drop === 'labels' ? {} : drop === 'urgency' || drop === 'titleContains' ? null : [] } });
        // Whatever the narrower rule matches, the wider one (one condition fewer) matches too.
        return !ruleMatches(narrower, f) || ruleMatches(wider, f);
      }),
      RUNS,
    );
  });
});

describe('firstMatchingRule', () => {
  it('tries rules by position then name, skipping disabled ones', () => {
    const rules = [rule({ id: 'b', name: 'b', position: 1 }), rule({ id: 'a', name: 'a', position: 1 }), rule({ id: 'z', name: 'z', position: 0, enabled: false }), rule({ id: 'n', name: 'n', position: 2 })];
    expect(firstMatchingRule(rules, alert())?.id).toBe('a');
    expect(orderRules(rules).map((r) => r.id)).toEqual(['z', 'a', 'b', 'n']);
    expect(firstMatchingRule([rule({ conditions: { services: ['other'] } })], alert())).toBeNull();
  });

  it('property: the answer matches, and no rule tried before it does', () => {
    const arbRule = fc.record({ position: fc.integer({ min: 0, max: 3 }), enabled: fc.boolean(), services: fc.subarray(['svc-checkout', 'other']), name: fc.string({ minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 8 }), (specs) => {
        const rules = specs.map((s, i) => rule({ id: String(i), name: `${s.name}${i}`, position: s.position, enabled: s.enabled, conditions: { services: s.services } }));
        const found = firstMatchingRule(rules, alert());
        const ordered = orderRules(rules);
        if (found === null) return ordered.every((r) => !ruleMatches(r, alert()));
        const at = ordered.indexOf(found);
        return ruleMatches(found, alert()) && ordered.slice(0, at).every((r) => !ruleMatches(r, alert()));
      }),
      RUNS,
    );
  });

  it('mayMatchService is true exactly when some enabled rule names the service or no service', () => {
    expect(mayMatchService([rule({ conditions: { services: ['other'] } })], 'svc-checkout')).toBe(false);
    expect(mayMatchService([rule({ conditions: { services: ['svc-checkout'] }, enabled: false })], 'svc-checkout')).toBe(false);
    expect(mayMatchService([rule()], 'svc-checkout')).toBe(true);
  });
});

describe('title templates', () => {
  it('fills placeholders and leaves the alert title when the template renders empty', () => {
    expect(renderTitle('{service}: {alert.title} ({alert.number}, {alert.severity})', alert())).toBe('checkout: Card payments failing (#7, critical)');
    expect(renderTitle('  ', alert())).toBe('Card payments failing');
    expect(renderTitle('x'.repeat(600), alert())).toHaveLength(500);
  });

  it('reports unknown placeholders once each', () => {
    expect(unknownPlaceholders('{alert.titel} on {service} {alert.titel} {}')).toEqual(['alert.titel', '']);
    expect(unknownPlaceholders('{alert.title}')).toEqual([]);
  });
});
