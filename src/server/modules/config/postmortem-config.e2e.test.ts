import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { cli, scratchDir } from '../../../../test/support/config-cli.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import type { Postmortem, PostmortemTemplate } from '../../../contracts/postmortems.js';
import { ManualClock } from '../../platform/clock.js';

/** Config-as-code kinds PostmortemTemplate and PostmortemPolicy (docs/config-as-code.md, issue 8). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const root = doc('User', 'root', { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' });
const policy = (spec: Record<string, unknown> = {}) => doc('PostmortemPolicy', 'default', { severities: ['SEV1'], customerImpactMinutes: 60, repeatWithinDays: null, dueDays: 7, ...spec });
const small = doc('PostmortemTemplate', 'small', {
  title: 'Small incident',
  description: 'One page',
  sections: [
    { key: 'what-happened', title: 'What happened', guidance: 'Two sentences' },
    { key: 'why', title: 'Why' },
    { key: 'follow-up', title: 'Follow-up', internal: true },
  ],
});
// A stored template with a built-in's handle replaces the built-in.
const standard = doc('PostmortemTemplate', 'standard', { title: 'Our standard', sections: [{ key: 'summary', title: 'Summary' }, { key: 'root-cause', title: 'Root cause' }] });

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);
const postmortemKinds = (docs: ConfigDocument[]) => docs.filter((d) => d.kind === 'PostmortemTemplate' || d.kind === 'PostmortemPolicy');

for (const dialect of dialectCases()) describe(`config-as-code: PostmortemTemplate and PostmortemPolicy (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T12:00:00Z') });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const request = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const apply = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/apply', { documents, prune });
  const exported = async () => json<{ documents: ConfigDocument[] }>(await request('GET', '/api/v1/config/export')).documents;

  it('applies templates and the policy, the server uses them, export gives them back as written, and applying again changes nothing', async () => {
    // Defaults are not documents: a fresh server exports no postmortem kinds.
    expect(postmortemKinds(await exported())).toEqual([]);
    const all = [root, small, standard, policy()];
    const res = await apply(all);
    expect(res.statusCode, res.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(res))).toEqual(['create PostmortemTemplate small', 'create PostmortemTemplate standard', 'create PostmortemPolicy default']);

    const stored = json<{ severities: string[]; customerImpactMinutes: number | null; repeatWithinDays: number | null; dueDays: number; updatedBy: string }>(await request('GET', '/api/v1/postmortem-policy'));
    expect(stored).toMatchObject({ severities: ['SEV1'], customerImpactMinutes: 60, repeatWithinDays: null, dueDays: 7 });
    expect(stored.updatedBy).toContain('config apply');
    const template = json<PostmortemTemplate>(await request('GET', '/api/v1/postmortem-templates/small'));
    expect(template.sections).toEqual([
      { key: 'what-happened', title: 'What happened', guidance: 'Two sentences', internal: false },
      { key: 'why', title: 'Why', guidance: '', internal: false },
      { key: 'follow-up', title: 'Follow-up', guidance: '', internal: true },
    ]);
    // A new postmortem starts from the template config wrote; the replaced built-in is the default.
    const fromSmall = await request('POST', '/api/v1/postmortems', { title: 'Queue backlog', template: 'small' });
    expect(fromSmall.statusCode, fromSmall.body).toBe(201);
    expect(json<Postmortem>(fromSmall).sections.map((s) => [s.key, s.internal])).toEqual([['what-happened', false], ['why', false], ['follow-up', true]]);
    const fromDefault = json<Postmortem>(await request('POST', '/api/v1/postmortems', { title: 'Launch review' }));
    expect(fromDefault.sections.map((s) => s.title)).toEqual(['Summary', 'Root cause']);

    expect(postmortemKinds(await exported())).toEqual([
      doc('PostmortemTemplate', 'small', {
        title: 'Small incident',
        description: 'One page',
        sections: [{ key: 'what-happened', title: 'What happened', guidance: 'Two sentences' }, { key: 'why', title: 'Why' }, { key: 'follow-up', title: 'Follow-up', internal: true }],
      }),
      doc('PostmortemTemplate', 'standard', { title: 'Our standard', sections: [{ key: 'summary', title: 'Summary' }, { key: 'root-cause', title: 'Root cause' }] }),
      doc('PostmortemPolicy', 'default', { severities: ['SEV1'], customerImpactMinutes: 60, repeatWithinDays: null, dueDays: 7 }),
    ]);
    expect(json<ConfigApplyResult>(await apply(all)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(json<ConfigApplyResult>(await apply(await exported())).summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // A change is a field diff; a policy left out is left alone without --prune.
    const changed = json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [root, small, standard, policy({ dueDays: 3 })], prune: false }));
    expect(changed.changes.filter((c) => c.action === 'update')).toEqual([{ action: 'update', kind: 'PostmortemPolicy', name: 'default', diff: [{ field: 'spec.dueDays', before: 7, after: 3 }] }]);
    expect(json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [root], prune: false })).unmanaged).toEqual(
      expect.arrayContaining([{ kind: 'PostmortemPolicy', name: 'default' }, { kind: 'PostmortemTemplate', name: 'small' }]),
    );

    // --prune: the stored templates go (the built-in `standard` is back) and the policy returns to the defaults.
    const pruned = await apply([root], true);
    expect(pruned.statusCode, pruned.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(pruned))).toEqual(['delete PostmortemPolicy default', 'delete PostmortemTemplate small', 'delete PostmortemTemplate standard']);
    expect(json(await request('GET', '/api/v1/postmortem-policy'))).toMatchObject({ severities: ['SEV1', 'SEV2'], customerImpactMinutes: 30, repeatWithinDays: 3, updatedAt: null });
    expect(json<PostmortemTemplate>(await request('GET', '/api/v1/postmortem-templates/standard'))).toMatchObject({ id: null, builtIn: true, title: expect.not.stringMatching(/^Our standard$/) });
    expect((await request('GET', '/api/v1/postmortem-templates/small')).statusCode).toBe(404);
    expect(postmortemKinds(await exported())).toEqual([]);
  });

  it('the policy matches what the API writes: a policy set through PUT exports, and config applying it is no change', async () => {
    const put = await request('PUT', '/api/v1/postmortem-policy', { severities: ['SEV2', 'SEV1'], customerImpactMinutes: null, repeatWithinDays: 5, dueDays: 10 });
    expect(put.statusCode, put.body).toBe(200);
    const docs = postmortemKinds(await exported());
    expect(docs).toEqual([doc('PostmortemPolicy', 'default', { severities: ['SEV1', 'SEV2'], customerImpactMinutes: null, repeatWithinDays: 5, dueDays: 10 })]);
    expect(json<ConfigPlan>(await request('POST', '/api/v1/config/plan', { documents: [root, ...docs], prune: false })).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('refuses bad documents naming the field, and a severity the server does not know at apply, applying nothing', async () => {
    const issuesOf = async (documents: unknown[]) => {
      const res = await request('POST', '/api/v1/config/plan', { documents, prune: false });
      expect(res.statusCode, res.body).toBe(400);
      return json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues;
    };
    expect(await issuesOf([root, doc('PostmortemTemplate', 'dup', { title: 'x', sections: [{ key: 'a', title: 'A' }, { key: 'a', title: 'B' }] })])).toEqual([
      { path: 'body.documents.1.spec.sections', message: 'section keys must be unique' },
    ]);
    expect(await issuesOf([root, doc('PostmortemPolicy', 'strict', {})])).toEqual([{ path: 'body.documents.1.metadata.name', message: 'must be `default`: there is one postmortem policy' }]);
    const unknown = await apply([root, small, policy({ severities: ['SEV1', 'SEV9'] })]);
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(unknown.body).toContain('unknown severity `SEV9`');
    expect(unknown.body).toContain('spec.severities.1');
    // All or nothing: the template before it was not kept.
    expect((await request('GET', '/api/v1/postmortem-templates/small')).statusCode).toBe(404);
    expect(json(await request('GET', '/api/v1/postmortem-policy'))).toMatchObject({ updatedAt: null });
  });

  it('pruning a severity and the policy that names it removes the policy first, so the severity is free to go', async () => {
    const sev = (name: string, position: number) => doc('Severity', name, { name: name.toUpperCase(), position });
    const first = await apply([root, sev('sev1', 0), sev('sev2', 1), sev('sev3', 2), policy({ severities: ['SEV3'] })]);
    expect(first.statusCode, first.body).toBe(200);
    const both = await apply([root, sev('sev1', 0), sev('sev2', 1)], true);
    expect(both.statusCode, both.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(both))).toEqual(['delete PostmortemPolicy default', 'delete Severity sev3']);
  });
});

describe('config-as-code CLI: the postmortem kinds validate offline', () => {
  it('`firebreak config validate` checks PostmortemTemplate and PostmortemPolicy documents', async () => {
    const dir = scratchDir('firebreak-postmortem-kinds-');
    try {
      const good = dir.write('good.yaml', ['apiVersion: firebreak/v1', 'kind: PostmortemPolicy', 'metadata: {name: default}', 'spec: {severities: [SEV1], dueDays: 3}', '---', 'apiVersion: firebreak/v1', 'kind: PostmortemTemplate', 'metadata: {name: small}', 'spec:', '  title: Small', '  sections: [{key: summary, title: Summary}]', ''].join('\n'));
      const ok = await cli(['config', 'validate', '-f', good]);
      expect(ok.code, ok.stderr).toBe(0);
      const bad = dir.write('bad.yaml', ['apiVersion: firebreak/v1', 'kind: PostmortemPolicy', 'metadata: {name: main}', 'spec: {dueDays: 0}', ''].join('\n'));
      const result = await cli(['config', 'validate', '-f', bad]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('spec.dueDays');
    } finally {
      dir.remove();
    }
  });
});
