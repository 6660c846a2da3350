import { describe, expect, it } from 'vitest';
import { configDocumentSchema, type ServiceDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument } from './kinds.js';
import { managedPart, plan } from './plan.js';

/** A Service document as zod reads it (defaults filled in), from what a file would hold. */
const service = (name: string, spec: Record<string, unknown> = {}): ServiceDocument =>
  configDocumentSchema.parse({ apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name }, spec: { name: `Service ${name}`, ...spec } }) as ServiceDocument;

const integration = (name: string, type: string, disabled = false) => ({ name, type, disabled });

describe('the Service kind', () => {
  it('has a canonical form: urgency in severity order, integrations by name, empty text and empty lists left out', () => {
    const doc = service('checkout', {
      description: '',
      urgency: { info: 'backlog', warning: 'high' },
      integrations: [integration('Zabbix', 'events-v2'), integration('Alertmanager', 'alertmanager', true)],
      rules: [{ name: 'all to backlog', actions: { urgency: 'backlog' } }],
    });
    const canonical = canonicalDocument(doc) as ServiceDocument;
    expect(Object.keys(canonical.spec)).toEqual(expect.arrayContaining(['name', 'urgency', 'rules', 'raiseAtSupportStart', 'integrations']));
    expect(canonical.spec).not.toHaveProperty('description');
    expect(canonical.spec).not.toHaveProperty('supportHours');
    expect(canonical.spec.urgency).toEqual({ critical: 'high', error: 'high', warning: 'high', info: 'backlog' });
    expect(Object.keys(canonical.spec.urgency)).toEqual(['critical', 'error', 'warning', 'info']);
    expect(canonical.spec.integrations).toEqual([integration('Alertmanager', 'alertmanager', true), integration('Zabbix', 'events-v2')]);
    expect(canonical.spec.rules).toEqual([{ name: 'all to backlog', actions: { urgency: 'backlog' }, continue: false }]);
    // Canonical is a fixed point, and a re-read export parses to the same document.
    expect(canonicalDocument(canonical)).toEqual(canonical);
    expect(canonicalDocument(configDocumentSchema.parse(canonical))).toEqual(canonical);
  });

  it.each([
    { name: 'a document without integrations leaves them all alone', desired: undefined, prune: false, kept: [] as string[] | null },
    { name: 'without --prune, an unlisted integration is not managed', desired: ['A'], prune: false, kept: ['A'] },
    { name: 'with --prune, an unlisted enabled integration is managed (it will be disabled)', desired: ['A'], prune: true, kept: ['A', 'B'] },
  ])('$name', ({ desired, prune, kept }) => {
    const current = service('s', { integrations: [integration('A', 'webhook'), integration('B', 'grafana'), integration('C', 'grafana', true)] });
    const wanted = service('s', desired === undefined ? {} : { integrations: desired.map((n) => integration(n, 'webhook')) });
    const part = managedPart(current, wanted, { prune }) as ServiceDocument;
    if (desired === undefined) expect(part.spec.integrations).toBeUndefined();
    else expect(part.spec.integrations?.map((i) => i.name)).toEqual(kept);
  });

  it('plans no change for a document that leaves integrations out, and a disable for --prune', () => {
    const current = [service('s', { integrations: [integration('A', 'webhook'), integration('B', 'grafana')] })];
    expect(plan([service('s')], current, { prune: false }).summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 1 });
    const pruned = plan([service('s', { integrations: [integration('A', 'webhook')] })], current, { prune: true });
    expect(pruned.changes[0]?.diff).toEqual([
      { field: 'spec.integrations[B].type', before: 'grafana', after: null },
      { field: 'spec.integrations[B].disabled', before: false, after: null },
    ]);
  });

  it('checks references to teams, policies and routed-to services, and links and rules the API would refuse', () => {
    const { issues } = checkDocuments(
      [
        { apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name: 'a' }, spec: { name: 'A', team: 'ghosts', escalationPolicy: 'none', rules: [{ name: 'r', actions: { routeTo: 'b' } }] } },
        { apiVersion: 'firebreak/v1', kind: 'Service', metadata: { name: 'c' }, spec: { name: 'C', dashboardUrl: 'javascript:alert(1)', raiseAtSupportStart: true, integrations: [{ name: 'x', type: 'grafana', mapping: { title: '$.t' } }] } },
      ],
      { mode: 'documents' },
    );
    expect(issues.map((i) => `${i.index} ${i.path.join('.')}`)).toEqual([
      '1 spec.dashboardUrl',
      '1 spec.integrations.0.mapping',
      '1 spec.raiseAtSupportStart',
      '0 spec.team',
      '0 spec.escalationPolicy',
      '0 spec.rules.0.actions.routeTo',
    ]);
  });
});
