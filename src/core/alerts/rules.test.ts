import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, evaluateRules, routeTargets, type RoutingRule, type RuleSubject } from './rules.js';

const subject = (over: Partial<RuleSubject> = {}): RuleSubject => ({
  title: 'Disk almost full on db-1',
  description: '95% used',
  source: 'db-1',
  severity: 'warning',
  dedupKey: 'disk-db-1',
  integrationType: 'events-v2',
  labels: { env: 'prod', team: 'storage' },
  ...over,
});

function compiled(rules: RoutingRule[]) {
  const result = compileRules(rules);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.compiled;
}

describe('routing rules', () => {
  it('takes the first matching rule and stops there', () => {
    const rules = compiled([
      { name: 'staging', conditions: [{ field: 'labels.env', op: 'equals', value: 'staging' }], actions: { urgency: 'backlog' } },
      { name: 'prod disks', conditions: [{ field: 'labels.env', op: 'equals', value: 'prod' }, { field: 'title', op: 'regex', value: '(?i)^disk' }], actions: { severity: 'critical' } },
      { name: 'catch-all', conditions: [], actions: { urgency: 'low' } },
    ]);
    expect(evaluateRules(rules, subject())).toEqual({ matched: ['prod disks'], severity: 'critical', urgency: null, routeTo: null, suppressedBy: null, droppedBy: null });
    expect(evaluateRules(rules, subject({ labels: { env: 'staging' } })).matched).toEqual(['staging']);
    expect(evaluateRules(rules, subject({ labels: {} })).matched).toEqual(['catch-all']);
  });

  it('keeps trying later rules after one that says continue, later actions overriding', () => {
    const rules = compiled([
      { name: 'tag', conditions: [], actions: { severity: 'error', urgency: 'low' }, continue: true },
      { name: 'storage', conditions: [{ field: 'labels.team', op: 'in', values: ['storage', 'db'] }], actions: { routeTo: 'storage', urgency: 'high' } },
      { name: 'never reached', conditions: [], actions: { suppress: true } },
    ]);
    expect(evaluateRules(rules, subject())).toEqual({ matched: ['tag', 'storage'], severity: 'error', urgency: 'high', routeTo: 'storage', suppressedBy: null, droppedBy: null });
  });

  it('drops at once, whatever comes after', () => {
    const rules = compiled([
      { name: 'noise', conditions: [{ field: 'title', op: 'regex', value: 'heartbeat' }], actions: { drop: true }, continue: true },
      { name: 'suppress all', conditions: [], actions: { suppress: true } },
    ]);
    expect(evaluateRules(rules, subject({ title: 'heartbeat ok' }))).toMatchObject({ matched: ['noise'], droppedBy: 'noise', suppressedBy: null });
    expect(evaluateRules(rules, subject())).toMatchObject({ matched: ['suppress all'], suppressedBy: 'suppress all', droppedBy: null });
  });

  it.each([
    ['equals', { op: 'equals', value: 'prod' }, { env: 'prod' }, true],
    ['equals on a missing label', { op: 'equals', value: 'prod' }, {}, false],
    ['not-equals', { op: 'not-equals', value: 'prod' }, { env: 'dev' }, true],
    ['not-equals on a missing label', { op: 'not-equals', value: 'prod' }, {}, true],
    ['not-equals on the same value', { op: 'not-equals', value: 'prod' }, { env: 'prod' }, false],
    ['exists', { op: 'exists' }, { env: 'x' }, true],
    ['exists on an empty value', { op: 'exists' }, { env: '' }, false],
    ['exists on a missing label', { op: 'exists' }, {}, false],
    ['in', { op: 'in', values: ['a', 'prod'] }, { env: 'prod' }, true],
    ['in, not listed', { op: 'in', values: ['a'] }, { env: 'prod' }, false],
    ['regex searches', { op: 'regex', value: 'ro' }, { env: 'prod' }, true],
    ['regex anchored', { op: 'regex', value: '^ro' }, { env: 'prod' }, false],
  ] as const)('%s', (_name, condition, labels, expected) => {
    const rules = compiled([{ name: 'r', conditions: [{ field: 'labels.env', ...condition, values: 'values' in condition ? [...condition.values] : undefined }], actions: { suppress: true } }]);
    expect(evaluateRules(rules, subject({ labels })).matched).toEqual(expected ? ['r'] : []);
  });

  it('reads the plain fields by name', () => {
    const rule = (field: string, value: string): RoutingRule => ({ name: field, conditions: [{ field, op: 'equals', value }], actions: { suppress: true } });
    const rules = compiled([rule('severity', 'info'), rule('source', 'db-1'), rule('integrationType', 'alertmanager'), rule('dedupKey', 'x'), rule('description', 'y')]);
    expect(evaluateRules(rules, subject()).matched).toEqual(['source']);
    expect(evaluateRules(rules, subject({ source: null, integrationType: 'alertmanager' })).matched).toEqual(['integrationType']);
  });

  it('matches a group when one firing member’s labels match, all conditions on the same member', () => {
    const rules = compiled([
      { name: 'db in prod', conditions: [{ field: 'labels.instance', op: 'regex', value: '^db-' }, { field: 'labels.env', op: 'equals', value: 'prod' }], actions: { routeTo: 'databases' } },
    ]);
    const members = [
      { status: 'firing' as const, labels: { instance: 'web-1', env: 'prod' } },
      { status: 'firing' as const, labels: { instance: 'db-1', env: 'staging' } },
    ];
    expect(evaluateRules(rules, subject({ labels: { alertname: 'Up' }, members })).matched).toEqual([]);
    expect(evaluateRules(rules, subject({ labels: { alertname: 'Up', env: 'prod' }, members: [{ status: 'firing', labels: { instance: 'db-2' } }] })).routeTo).toBe('databases');
    // Resolved members only count when nothing fires (the resolving post goes where the firing one went).
    const resolvedDb = { status: 'resolved' as const, labels: { instance: 'db-3', env: 'prod' } };
    expect(evaluateRules(rules, subject({ labels: {}, members: [resolvedDb, { status: 'firing', labels: { instance: 'web-2', env: 'prod' } }] })).matched).toEqual([]);
    expect(evaluateRules(rules, subject({ labels: {}, members: [resolvedDb] })).matched).toEqual(['db in prod']);
  });

  it('names every problem by its field', () => {
    const result = compileRules([
      { name: 'a', conditions: [{ field: 'labels.x', op: 'regex', value: '(a' }, { field: 'bogus', op: 'equals', value: 'x' }], actions: {} },
      { name: 'a', conditions: [{ field: 'title', op: 'in', values: [] }, { field: 'title', op: 'equals' }], actions: { drop: true, severity: 'info' } },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(
      ['[0].actions', '[0].conditions[0].value', '[0].conditions[1].field', '[1].name', '[1].actions.drop', '[1].conditions[0].values', '[1].conditions[1].value'].sort(),
    );
    expect(result.issues.find((i) => i.path === '[0].conditions[0].value')?.message).toMatch(/not a valid regular expression: missing `\)`/);
  });

  it('refuses rule lists whose regular expressions are too complex together', () => {
    const heavy = (i: number): RoutingRule => ({ name: `r${i}`, conditions: [{ field: 'title', op: 'regex', value: '[a-z]{1,400}x' }], actions: { suppress: true } });
    const result = compileRules(Array.from({ length: 7 }, (_, i) => heavy(i)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toMatch(/too complex together/);
    expect(compileRules([heavy(1)]).ok).toBe(true);
  });

  it('lists the services rules can route to', () => {
    expect(routeTargets([
      { name: 'a', conditions: [], actions: { routeTo: 'db' } },
      { name: 'b', conditions: [], actions: { routeTo: 'db' } },
      { name: 'c', conditions: [], actions: { suppress: true } },
    ])).toEqual(['db']);
  });

  it('is deterministic, never matches rules it did not list, and honours first-match order', () => {
    const ruleArb = fc.record({
      name: fc.uuid(),
      conditions: fc.array(fc.record({ field: fc.constantFrom('labels.env', 'labels.team', 'severity'), op: fc.constantFrom('equals' as const, 'not-equals' as const, 'exists' as const), value: fc.constantFrom('prod', 'dev', 'warning') }), { maxLength: 3 }),
      actions: fc.record({ severity: fc.constantFrom('critical' as const, 'info' as const) }),
      continue: fc.boolean(),
    });
    const labelsArb = fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('prod', 'dev', ''));
    fc.assert(
      fc.property(fc.uniqueArray(ruleArb, { maxLength: 6, selector: (r) => r.name }), labelsArb, (rules, labels) => {
        const c = compiled(rules);
        const s = subject({ labels });
        const a = evaluateRules(c, s);
        expect(evaluateRules(c, s)).toEqual(a);
        const names = rules.map((r) => r.name);
        // Matched rules appear in list order; only the last matched may lack `continue`.
        const idx = a.matched.map((m) => names.indexOf(m));
        expect([...idx].sort((x, y) => x - y)).toEqual(idx);
        a.matched.slice(0, -1).forEach((m) => expect(rules.find((r) => r.name === m)?.continue).toBe(true));
        // The severity is the last matched rule's.
        const last = rules.find((r) => r.name === a.matched.at(-1));
        expect(a.severity).toBe(last ? last.actions.severity : null);
      }),
      { numRuns: 300 },
    );
  });
});
