import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../../test/support/app.js';
import { dialectCases } from '../../../../../test/support/databases.js';
import { cli, scratchDir } from '../../../../../test/support/config-cli.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../../contracts/config.js';
import type { IncidentRule } from '../../../../contracts/incident-rules.js';
import type { Incident } from '../../../../contracts/incidents.js';
import { ManualClock } from '../../../platform/clock.js';

/** Config-as-code kinds Severity, IncidentRule and Playbook (docs/config-as-code.md, ADR 0033). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const root = doc('User', 'root', { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' });
const ana = doc('User', 'ana', { name: 'Ana', email: 'ana@example.test', timeZone: 'Europe/Lisbon', role: 'responder' });
const checkout = doc('Service', 'checkout', { name: 'Checkout' });
const severities = [
  doc('Severity', 'sev1', { name: 'Critical', description: 'Down for many', response: 'All hands', updateCadenceMinutes: 15, position: 0 }),
  doc('Severity', 'sev2', { key: 'SEV2', name: 'Major', position: 1 }),
  doc('Severity', 'sev3', { name: 'Minor', position: 2 }),
];
const rule = (spec: Record<string, unknown> = {}) => doc('IncidentRule', 'checkout-critical', { conditions: { services: ['checkout'], alertSeverities: ['critical'] }, action: { severity: 'SEV2', title: 'Checkout: {alert.title}', commander: 'ana' }, ...spec });
const playbook = doc('Playbook', 'checkout-first-checks', { title: 'Checkout first checks', appliesTo: { services: ['checkout'], severities: ['SEV1', 'SEV2'] }, items: [{ title: 'Recent deploys? Roll back', ownerRole: 'operations_lead' }, { title: 'Resource pressure? Restart' }] });

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);

for (const dialect of dialectCases()) describe(`config-as-code: Severity, IncidentRule and Playbook (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T12:00:00Z') });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const request = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const apply = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/apply', { documents, prune });
  const exported = async () => json<{ documents: ConfigDocument[] }>(await request('GET', '/api/v1/config/export')).documents;
  const incidentKinds = (docs: ConfigDocument[]) => docs.filter((d) => ['Severity', 'IncidentRule', 'Playbook'].includes(d.kind));

  it('applies severities, a rule and a playbook in kind order, exports them as written, changes nothing the second time, and the rule declares', async () => {
    expect(incidentKinds(await exported())).toEqual([]);
    const all = [root, ana, checkout, ...severities, rule(), playbook];
    const res = await apply(all);
    expect(res.statusCode, res.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(res))).toEqual([
      'create User ana',
      'create Service checkout',
      'create Severity sev1',
      'create Severity sev2',
      'create Severity sev3',
      'create Playbook checkout-first-checks',
      'create IncidentRule checkout-critical',
    ]);
    // The stored severities replace the built-in set.
    const listed = json<{ items: Array<{ key: string; updateCadenceMinutes: number | null }> }>(await request('GET', '/api/v1/incident-severities')).items;
    expect(listed.map((s) => [s.key, s.updateCadenceMinutes])).toEqual([['SEV1', 15], ['SEV2', null], ['SEV3', null]]);
    const stored = json<IncidentRule>(await request('GET', '/api/v1/incident-rules/checkout-critical'));
    expect(stored).toMatchObject({ conditions: { services: [{ handle: 'checkout' }], alertSeverities: ['critical'] }, action: { severity: 'SEV2', title: 'Checkout: {alert.title}', commander: { handle: 'ana' } } });

    expect(incidentKinds(await exported())).toEqual([
      doc('Severity', 'sev1', { key: 'SEV1', name: 'Critical', description: 'Down for many', response: 'All hands', updateCadenceMinutes: 15, position: 0 }),
      doc('Severity', 'sev2', { key: 'SEV2', name: 'Major', position: 1 }),
      doc('Severity', 'sev3', { key: 'SEV3', name: 'Minor', position: 2 }),
      doc('Playbook', 'checkout-first-checks', { title: 'Checkout first checks', appliesTo: { severities: ['SEV1', 'SEV2'], services: ['checkout'] }, items: [{ title: 'Recent deploys? Roll back', ownerRole: 'operations_lead' }, { title: 'Resource pressure? Restart' }] }),
      doc('IncidentRule', 'checkout-critical', { enabled: true, position: 0, conditions: { services: ['checkout'], alertSeverities: ['critical'] }, action: { severity: 'SEV2', title: 'Checkout: {alert.title}', commander: 'ana' } }),
    ]);
    const again = await apply(all);
    expect(json<ConfigApplyResult>(again).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    // Export → apply is no change either.
    expect(json<ConfigApplyResult>(await apply(await exported())).summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // The rule works: a critical alert on checkout declares a SEV2 with ana in command.
    expect((await request('POST', '/api/v1/alerts', { service: 'checkout', title: 'Payments 500s', severity: 'critical' })).statusCode).toBe(200);
    await t.firebreak.runner.runDueJobs();
    const incidents = json<{ items: Incident[] }>(await request('GET', '/api/v1/incidents')).items;
    expect(incidents.map((i) => [i.title, i.severity, i.roles.map((r) => r.userHandle)])).toEqual([['Checkout: Payments 500s', 'SEV2', ['ana']]]);

    // An update shows as a diff; prune deletes the rule and playbook before the severity they use.
    const changed = json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [root, ana, checkout, ...severities, rule({ enabled: false }), playbook], prune: false }));
    expect(changed.changes.filter((c) => c.action === 'update')).toEqual([{ action: 'update', kind: 'IncidentRule', name: 'checkout-critical', diff: [{ field: 'spec.enabled', before: true, after: false }] }]);
    await request('POST', `/api/v1/incidents/${incidents[0]?.reference}/status`, { status: 'resolved' });
    const pruned = await apply([root, ana, checkout, ...severities.slice(0, 2)], true);
    expect(pruned.statusCode, pruned.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(pruned))).toEqual(['delete IncidentRule checkout-critical', 'delete Playbook checkout-first-checks', 'delete Severity sev3']);
    expect(incidentKinds(await exported()).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Severity/sev1', 'Severity/sev2']);
  });

  it('refuses bad documents naming the field: unknown services and users, placeholders, keys, and severities the server does not know', async () => {
    const res = await request('POST', '/api/v1/config/plan', {
      documents: [root, doc('IncidentRule', 'bad', { conditions: { services: ['nope'] }, action: { severity: 'SEV2', title: '{alert.titel}', commander: 'ghost' } }), doc('Severity', 'sev9', { key: 'SEV8', name: 'x' })],
      prune: false,
    });
    expect(res.statusCode, res.body).toBe(400);
    const paths = json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues.map((i) => i.path);
    expect(paths).toEqual(['body.documents.1.spec.action.title', 'body.documents.2.spec.key']);
    // References are checked once every document is valid.
    const refs = await request('POST', '/api/v1/config/plan', { documents: [root, doc('IncidentRule', 'bad', { conditions: { services: ['nope'] }, action: { severity: 'SEV2', commander: 'ghost' } })], prune: false });
    expect(refs.statusCode, refs.body).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(refs).details.issues.map((i) => i.path)).toEqual(['body.documents.1.spec.conditions.services.0', 'body.documents.1.spec.action.commander']);
    // A severity key the server does not know: refused at apply, nothing applied.
    const unknown = await apply([root, checkout, rule({ action: { severity: 'SEV7' } })]);
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(unknown.body).toContain('unknown severity `SEV7`');
    expect(json<{ items: unknown[] }>(await request('GET', '/api/v1/services')).items).toEqual([]);
  });
});

describe('config-as-code CLI: the incident kinds validate offline', () => {
  it('`firebreak config validate` checks Severity, IncidentRule and Playbook documents', async () => {
    const dir = scratchDir('firebreak-incident-kinds-');
    try {
      const file = dir.write('incidents.yaml', ['apiVersion: firebreak/v1', 'kind: Severity', 'metadata: {name: sev1}', 'spec: {name: Critical}', '---', 'apiVersion: firebreak/v1', 'kind: IncidentRule', 'metadata: {name: r}', 'spec:', '  action: {severity: SEV1, title: "{alert.titel}"}', ''].join('\n'));
      const result = await cli(['config', 'validate', '-f', file]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('unknown placeholder {alert.titel}');
    } finally {
      dir.remove();
    }
  });
});
