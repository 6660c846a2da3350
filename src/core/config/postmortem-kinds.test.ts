import { describe, expect, it } from 'vitest';
import { configDocumentSchema, type ConfigDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument, configKindOrder } from './kinds.js';
import { plan } from './plan.js';

/** The kinds PostmortemTemplate and PostmortemPolicy (docs/config-as-code.md, issue 8). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const parse = (value: unknown) => configDocumentSchema.parse(value) as ConfigDocument;
const issuesOf = (values: unknown[]) => checkDocuments(values, { mode: 'skip' }).issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`);
const template = (sections: unknown[], extra: Record<string, unknown> = {}, name = 'small') => doc('PostmortemTemplate', name, { title: 'Small incident', sections, ...extra });

describe('the postmortem kinds', () => {
  it('come after the severities the policy names, so --prune resets the policy before a severity goes', () => {
    // Only the status-page kinds, which name neither, come after them.
    expect(configKindOrder.slice(-4)).toEqual(['PostmortemTemplate', 'PostmortemPolicy', 'StatusPage', 'Component']);
    expect(configKindOrder.indexOf('PostmortemPolicy')).toBeGreaterThan(configKindOrder.indexOf('Severity'));
  });

  it('a policy left empty is the built-in defaults written out; null turns a rule off; severities are a sorted set', () => {
    expect(canonicalDocument(parse(doc('PostmortemPolicy', 'default', {}))).spec).toEqual({ severities: ['SEV1', 'SEV2'], customerImpactMinutes: 30, repeatWithinDays: 3, dueDays: 5 });
    const off = canonicalDocument(parse(doc('PostmortemPolicy', 'default', { severities: ['SEV2', 'SEV1', 'SEV2'], customerImpactMinutes: null, repeatWithinDays: null, dueDays: 10 })));
    expect(off.spec).toEqual({ severities: ['SEV1', 'SEV2'], customerImpactMinutes: null, repeatWithinDays: null, dueDays: 10 });
    expect(canonicalDocument(parse(off))).toEqual(off);
  });

  it('writing a default explicitly is no change, changing one is a field diff', () => {
    const current = [canonicalDocument(parse(doc('PostmortemPolicy', 'default', {})))];
    expect(plan([parse(doc('PostmortemPolicy', 'default', { severities: ['SEV2', 'SEV1'], dueDays: 5 }))], current, { prune: false }).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const changed = plan([parse(doc('PostmortemPolicy', 'default', { customerImpactMinutes: 60 }))], current, { prune: false });
    expect(changed.changes).toEqual([{ action: 'update', kind: 'PostmortemPolicy', name: 'default', diff: [{ field: 'spec.customerImpactMinutes', before: 30, after: 60 }] }]);
  });

  it('a template keeps section order (moving a section is a change), leaves out empty guidance and internal: false', () => {
    const a = { key: 'summary', title: 'Summary', guidance: 'What happened', internal: false };
    const b = { key: 'root-cause', title: 'Root cause', guidance: '', internal: true };
    const canonical = canonicalDocument(parse(template([a, b], { description: '' })));
    expect(canonical.spec).toEqual({ title: 'Small incident', sections: [{ key: 'summary', title: 'Summary', guidance: 'What happened' }, { key: 'root-cause', title: 'Root cause', internal: true }] });
    expect(canonicalDocument(parse(canonical))).toEqual(canonical);
    const moved = plan([parse(template([b, a]))], [canonical], { prune: false });
    expect(moved.changes[0]).toMatchObject({ action: 'update', kind: 'PostmortemTemplate', name: 'small' });
    expect(moved.changes[0]?.diff.map((d) => d.field)).toContain('spec.sections');
    const retitled = plan([parse(template([a, { ...b, title: 'Root causes' }]))], [canonical], { prune: false });
    expect(retitled.changes[0]?.diff).toEqual([{ field: 'spec.sections[root-cause].title', before: 'Root cause', after: 'Root causes' }]);
  });

  it('refuses at the field: a policy not named default, duplicate section keys, no sections, unknown fields, bad numbers', () => {
    expect(
      issuesOf([
        doc('PostmortemPolicy', 'strict', {}),
        template([{ key: 'summary', title: 'A' }, { key: 'summary', title: 'B' }]),
        template([], {}, 'empty'),
        doc('PostmortemPolicy', 'default', { dueDays: 0, sevrities: ['SEV1'] }),
        template([{ key: 'Root Cause', title: 'Root cause' }], {}, 'caps'),
      ]),
    ).toEqual([
      '0 metadata.name: must be `default`: there is one postmortem policy',
      '1 spec.sections: section keys must be unique',
      '2 spec.sections: needs at least one section',
      '3 spec.dueDays: Too small: expected number to be >=1',
      '3 spec.sevrities: is not a known field (check the spelling)',
      '4 spec.sections.0.key: must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
    ]);
  });
});
