import { describe, expect, it } from 'vitest';
import { configDocumentSchema, type ConfigDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument, configKindOrder, kindRules } from './kinds.js';
import { plan } from './plan.js';

/** The kinds Severity, IncidentRule and Playbook (docs/config-as-code.md, ADR 0033). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const parse = (value: unknown) => configDocumentSchema.parse(value) as ConfigDocument;
const issuesOf = (values: unknown[]) => checkDocuments(values, { mode: 'skip' }).issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`);

describe('the incident kinds', () => {
  it('come after Silence: Severity, then Playbook and IncidentRule, which name Services and severity keys', () => {
    expect(configKindOrder.slice(configKindOrder.indexOf('Silence') + 1, configKindOrder.indexOf('IncidentRule') + 1)).toEqual(['Severity', 'Playbook', 'IncidentRule']);
    expect(kindRules.IncidentRule.references(parse(doc('IncidentRule', 'r', { conditions: { services: ['checkout'] }, action: { severity: 'SEV2', commander: 'ana' } })) as never)).toEqual([
      { kind: 'Service', name: 'checkout', path: ['spec', 'conditions', 'services', 0] },
      { kind: 'User', name: 'ana', path: ['spec', 'action', 'commander'] },
    ]);
  });

  it('have canonical forms: defaults filled in, empty fields left out, sets sorted; canonical of canonical is the same', () => {
    const severity = canonicalDocument(parse(doc('Severity', 'sev1', { name: 'Critical', description: '', updateCadenceMinutes: null })));
    expect(severity.spec).toEqual({ key: 'SEV1', name: 'Critical', position: 0 });
    const rule = canonicalDocument(parse(doc('IncidentRule', 'r', { conditions: { services: ['b', 'a', 'b'], alertSeverities: ['warning', 'critical'], labels: { z: '1', a: '2' } }, action: { severity: 'SEV2' } })));
    expect(rule.spec).toEqual({ enabled: true, position: 0, conditions: { services: ['a', 'b'], alertSeverities: ['critical', 'warning'], labels: { a: '2', z: '1' } }, action: { severity: 'SEV2', title: '{alert.title}' } });
    const playbook = canonicalDocument(parse(doc('Playbook', 'p', { title: 'First checks', appliesTo: { services: ['b', 'a'] }, items: [{ title: 'Roll back' }] })));
    expect(playbook.spec).toEqual({ title: 'First checks', appliesTo: { services: ['a', 'b'] }, items: [{ title: 'Roll back' }] });
    for (const d of [severity, rule, playbook]) expect(canonicalDocument(parse(d))).toEqual(d);
  });

  it('writing a default explicitly is no change', () => {
    const current = [canonicalDocument(parse(doc('IncidentRule', 'r', { action: { severity: 'SEV2' } })))];
    const desired = [parse(doc('IncidentRule', 'r', { enabled: true, position: 0, conditions: { services: [], labels: {} }, action: { severity: 'SEV2', title: '{alert.title}', commander: null } }))];
    expect(plan(desired, current, { prune: false }).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('refuses at the field: a key that is not the name, unknown placeholders, bad label names, unknown fields', () => {
    expect(
      issuesOf([
        doc('Severity', 'sev1', { key: 'SEV2', name: 'x' }),
        doc('IncidentRule', 'r', { conditions: { labels: { 'bad name': 'x' } }, action: { severity: 'SEV2', title: '{alert.titel}' } }),
        doc('IncidentRule', 'q', { action: { severity: 'SEV2', colour: 'red' } }),
        doc('Severity', 'sev 3', { name: 'x' }),
      ]),
    ).toEqual([
      "0 spec.key: must be `sev1` in any case (the document's name is the key in lowercase)",
      '1 spec.action.title: unknown placeholder {alert.titel}; use {alert.title}, {alert.number}, {alert.severity} or {service}',
      '1 spec.conditions.labels.bad name: must be a label name (letters, digits, _ . -)',
      '2 spec.action.colour: is not a known field (check the spelling)',
      '3 metadata.name: must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    ]);
  });
});
