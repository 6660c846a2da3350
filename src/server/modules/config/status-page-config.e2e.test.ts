import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { cli, scratchDir, serverWithToken } from '../../../../test/support/config-cli.js';
import type { Service } from '../../../contracts/alerts.js';
import type { ConfigApplyResult, ConfigDocument, ConfigPlan } from '../../../contracts/config.js';
import type { StatusComponent, StatusPageDetail } from '../../../contracts/status-pages.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/schema.js';

/** Config-as-code kinds StatusPage and Component (docs/config-as-code.md, issue 7): API on every dialect, then the CLI offline. */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const root = doc('User', 'root', { name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' });
const checkout = doc('Service', 'checkout', { name: 'Checkout' });
const acme = (spec: Record<string, unknown> = {}) =>
  doc('StatusPage', 'acme', {
    name: 'Acme status',
    timeZone: 'America/New_York',
    brandColor: '#0a7d32',
    logoUrl: 'https://cdn.acme.example/logo.png',
    footerLinks: [{ label: 'Support', url: 'https://acme.example/support' }],
    ...spec,
  });
const platform = doc('Component', 'acme-platform', { page: 'acme', name: 'Platform', isGroup: true, position: 1 });
const api = (spec: Record<string, unknown> = {}) => doc('Component', 'acme-api', { page: 'acme', name: 'API', description: 'REST and webhooks', group: 'acme-platform', service: 'checkout', position: 2, ...spec });
const website = doc('Component', 'acme-website', { page: 'acme', name: 'Website', position: 3 });
const internal = doc('Component', 'acme-batch', { page: 'acme', name: 'Batch jobs', public: false, showcase: false, position: 4 });

/**
 * Stands for another request that creates page `rival` with the custom domain `status.zeta.example`
 * while an apply runs, after its checks: a database trigger inserts it as soon as apply creates page
 * `acme`, in apply's own transaction, as a concurrent commit would be seen. The status-page service then
 * refuses page `zeta`'s domain at apply, which no check before it could foresee.
 */
async function installRival(dialect: 'sqlite' | 'postgres', db: Kysely<Database>): Promise<() => Promise<void>> {
  const insert = `INSERT INTO status_pages (id, slug, name, visibility, time_zone, brand_color, logo_url, custom_domain, footer_links_json, allowed_email_domains_json, version, created_at, updated_at)
    VALUES ('rival-page', 'rival', 'Rival', 'public', 'UTC', '#1f6feb', NULL, 'status.zeta.example', '[]', '[]', 1, NEW.created_at, NEW.created_at)`;
  if (dialect === 'sqlite') {
    await sql.raw(`CREATE TRIGGER rival_page AFTER INSERT ON status_pages WHEN NEW.slug = 'acme' BEGIN ${insert}; END`).execute(db);
    return async () => void (await sql.raw('DROP TRIGGER rival_page').execute(db));
  }
  await sql.raw(`CREATE FUNCTION rival_page() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${insert}; RETURN NEW; END $$`).execute(db);
  await sql.raw(`CREATE TRIGGER rival_page AFTER INSERT ON status_pages FOR EACH ROW WHEN (NEW.slug = 'acme') EXECUTE FUNCTION rival_page()`).execute(db);
  return async () => {
    await sql.raw('DROP TRIGGER rival_page ON status_pages').execute(db);
    await sql.raw('DROP FUNCTION rival_page()').execute(db);
  };
}

const actions = (plan: ConfigPlan) => plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.name}`);
const pageKinds = (docs: ConfigDocument[]) => docs.filter((d) => d.kind === 'StatusPage' || d.kind === 'Component');

for (const dialect of dialectCases()) describe(`config-as-code: StatusPage and Component (${dialect.name})`, () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ database: await dialect.open(), clock: new ManualClock('2026-11-21T12:00:00Z') });
    token = (await t.userWithToken('owner', 'root')).token;
  });
  afterEach(async () => t.close());

  const request = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const plan = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/plan', { documents, prune });
  const apply = (documents: unknown[], prune = false) => request('POST', '/api/v1/config/apply', { documents, prune });
  const exported = async () => json<{ documents: ConfigDocument[] }>(await request('GET', '/api/v1/config/export')).documents;
  const page = async (slug: string) => json<StatusPageDetail>(await request('GET', `/api/v1/status-pages/${slug}`));
  const byName = (p: StatusPageDetail, name: string) => p.components.find((c) => c.name === name) as StatusComponent;
  const issuesOf = async (documents: unknown[]) => {
    const res = await plan(documents);
    expect(res.statusCode, res.body).toBe(400);
    return json<{ details: { issues: Array<{ path: string; message: string }> } }>(res).details.issues;
  };

  it('creates a page with a group, a component linked to a service and a private one; the public page shows it; export round-trips', async () => {
    const all = [root, checkout, acme(), platform, api(), website, internal];
    const planned = json<ConfigPlan>(await plan(all));
    expect(actions(planned)).toEqual(['create Service checkout', 'create StatusPage acme', 'create Component acme-api', 'create Component acme-batch', 'create Component acme-platform', 'create Component acme-website']);
    expect(planned.changes.find((c) => c.name === 'acme-api')?.diff).toEqual(
      expect.arrayContaining([
        { field: 'spec.group', before: null, after: 'acme-platform' },
        { field: 'spec.service', before: null, after: 'checkout' },
      ]),
    );

    const res = await apply(all);
    expect(res.statusCode, res.body).toBe(200);
    const stored = await page('acme');
    expect(stored).toMatchObject({ slug: 'acme', name: 'Acme status', visibility: 'public', timeZone: 'America/New_York', brandColor: '#0a7d32', logoUrl: 'https://cdn.acme.example/logo.png', customDomain: null });
    const group = byName(stored, 'Platform');
    const service = json<Service>(await request('GET', '/api/v1/services/checkout'));
    expect(group).toMatchObject({ group: true, groupId: null, position: 1 });
    expect(byName(stored, 'API')).toMatchObject({ group: false, groupId: group.id, serviceId: service.id, description: 'REST and webhooks', status: 'operational', position: 2 });
    expect(byName(stored, 'Batch jobs')).toMatchObject({ public: false, showcase: false });

    // Through StatusPageService: audited as config, and the public page re-rendered at once.
    const audit = await t.firebreak.services.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', 'like', 'status-%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['status-component.create', 'status-component.create', 'status-component.create', 'status-component.create', 'status-page.create']);
    expect(audit.every((a) => a.actor_label.endsWith('config apply'))).toBe(true);
    const html = (await t.app.inject({ method: 'GET', url: '/status/acme' })).body;
    expect(html).toContain('Website');
    expect(html).toContain('Platform');
    expect(html).not.toContain('Batch jobs');

    const docs = pageKinds(await exported());
    expect(docs).toEqual([
      doc('StatusPage', 'acme', {
        name: 'Acme status',
        visibility: 'public',
        timeZone: 'America/New_York',
        brandColor: '#0a7d32',
        logoUrl: 'https://cdn.acme.example/logo.png',
        footerLinks: [{ label: 'Support', url: 'https://acme.example/support' }],
      }),
      doc('Component', 'acme-api', { page: 'acme', name: 'API', description: 'REST and webhooks', isGroup: false, group: 'acme-platform', service: 'checkout', position: 2, showcase: true, onlyShowIfDegraded: false, public: true }),
      // The server keeps no document names: export names a component after its page and name (the files
      // said `acme-batch`), and planning either name against the server finds the same component.
      doc('Component', 'acme-batch-jobs', { page: 'acme', name: 'Batch jobs', isGroup: false, position: 4, showcase: false, onlyShowIfDegraded: false, public: false }),
      doc('Component', 'acme-platform', { page: 'acme', name: 'Platform', isGroup: true, position: 1, showcase: true, onlyShowIfDegraded: false, public: true }),
      doc('Component', 'acme-website', { page: 'acme', name: 'Website', isGroup: false, position: 3, showcase: true, onlyShowIfDegraded: false, public: true }),
    ]);
    const auditBefore = audit.length;
    expect(json<ConfigApplyResult>(await apply(all)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(json<ConfigPlan>(await plan(await exported(), true)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(json<ConfigApplyResult>(await apply(await exported())).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const after = await t.firebreak.services.database.db.selectFrom('audit_log').select('id').where('action', 'like', 'status-%').execute();
    expect(after).toHaveLength(auditBefore);
  });

  it('leaves status alone: a component in an outage stays in it when the same documents are applied again', async () => {
    expect((await apply([root, checkout, acme(), platform, api(), website])).statusCode).toBe(200);
    const web = byName(await page('acme'), 'Website');
    const outage = await request('PATCH', `/api/v1/status-pages/acme/components/${web.id}`, { status: 'major_outage' });
    expect(outage.statusCode, outage.body).toBe(200);
    expect(json<ConfigPlan>(await plan([root, checkout, acme(), platform, api(), website])).summary).toMatchObject({ update: 0, create: 0 });
    const changed = json<ConfigApplyResult>(await apply([root, checkout, acme(), platform, api(), doc('Component', 'acme-website', { page: 'acme', name: 'Website', description: 'The shop', position: 3 })]));
    expect(actions(changed)).toEqual(['update Component acme-website']);
    expect(byName(await page('acme'), 'Website')).toMatchObject({ id: web.id, status: 'major_outage', description: 'The shop' });
  });

  it('adopts a page built in the UI: export names it, a rename keeps the component (and its history), --prune deletes', async () => {
    const made = await request('POST', '/api/v1/status-pages', { slug: 'shop', name: 'Shop', visibility: 'private', allowedEmailDomains: ['example.com'] });
    expect(made.statusCode, made.body).toBe(201);
    const group = json<StatusComponent>(await request('POST', '/api/v1/status-pages/shop/components', { name: 'Payments', group: true }));
    const cards = json<StatusComponent>(await request('POST', '/api/v1/status-pages/shop/components', { name: 'Card payments', groupId: group.id }));
    await request('POST', '/api/v1/status-pages/shop/components', { name: 'Search' });

    const docs = pageKinds(await exported());
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(['StatusPage shop', 'Component shop-card-payments', 'Component shop-payments', 'Component shop-search']);
    expect(docs[0]?.spec).toEqual({ name: 'Shop', visibility: 'private', timeZone: 'UTC', brandColor: '#1f6feb', allowedEmailDomains: ['example.com'] });
    expect(docs[1]?.spec).toMatchObject({ group: 'shop-payments' });
    expect(json<ConfigPlan>(await plan([root, ...docs])).summary).toMatchObject({ create: 0, update: 0, delete: 0 });

    // Renaming through the exported document: same document name, new `name`; the component keeps its id.
    const renamed = docs.map((d) => (d.metadata.name === 'shop-card-payments' ? { ...d, spec: { ...d.spec, name: 'Cards' } } : d));
    const res = json<ConfigApplyResult>(await apply([root, ...renamed]));
    expect(res.changes.filter((c) => c.action !== 'unchanged')).toEqual([{ action: 'update', kind: 'Component', name: 'shop-card-payments', diff: [{ field: 'spec.name', before: 'Card payments', after: 'Cards' }] }]);
    expect(byName(await page('shop'), 'Cards')).toMatchObject({ id: cards.id, groupId: group.id });
    expect(json<ConfigPlan>(await plan([root, ...renamed])).summary).toMatchObject({ update: 0, create: 0 });

    // Without --prune a component left out is unmanaged; with it, deleted. Then the whole page goes.
    const withoutSearch = renamed.filter((d) => d.metadata.name !== 'shop-search');
    expect(json<ConfigPlan>(await plan([root, ...withoutSearch])).unmanaged).toEqual(expect.arrayContaining([{ kind: 'Component', name: 'shop-search' }]));
    const pruned = await apply([root, ...withoutSearch], true);
    expect(pruned.statusCode, pruned.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(pruned))).toEqual(['delete Component shop-search']);
    expect((await page('shop')).components.map((c) => c.name).sort()).toEqual(['Cards', 'Payments']);
    const gone = await apply([root], true);
    expect(gone.statusCode, gone.body).toBe(200);
    // With no document naming it, the renamed component goes by its new derived name.
    expect(actions(json<ConfigApplyResult>(gone))).toEqual(['delete Component shop-cards', 'delete Component shop-payments', 'delete StatusPage shop']);
    expect((await request('GET', '/api/v1/status-pages/shop')).statusCode).toBe(404);
    expect(pageKinds(await exported())).toEqual([]);
  });

  it('two pages swap custom domains in one apply; the public page follows the Host', async () => {
    const status = (slug: string, customDomain: string) => doc('StatusPage', slug, { name: `Status ${slug}`, customDomain });
    expect((await apply([root, status('one', 'status.one.example'), status('two', 'status.two.example')])).statusCode).toBe(200);
    const swapped = await apply([root, status('one', 'status.two.example'), status('two', 'status.one.example')]);
    expect(swapped.statusCode, swapped.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(swapped))).toEqual(['update StatusPage one', 'update StatusPage two']);
    expect((await page('one')).customDomain).toBe('status.two.example');
    expect((await page('two')).customDomain).toBe('status.one.example');
    const served = await t.app.inject({ method: 'GET', url: '/', headers: { host: 'status.one.example' } });
    expect(served.body).toContain('Status two');
  });

  it('a page takes the custom domain another page gives up in the same apply, whatever their order in the plan', async () => {
    const status = (slug: string, customDomain?: string) => doc('StatusPage', slug, { name: `Status ${slug}`, ...(customDomain ? { customDomain } : {}) });
    expect((await apply([root, status('beta', 'status.shop.example')])).statusCode).toBe(200);
    // `alpha` comes first in the plan, while `beta` still has the domain: apply frees it first.
    const moved = await apply([root, status('alpha', 'status.shop.example'), status('beta')]);
    expect(moved.statusCode, moved.body).toBe(200);
    expect(actions(json<ConfigApplyResult>(moved))).toEqual(['create StatusPage alpha', 'update StatusPage beta']);
    expect((await page('alpha')).customDomain).toBe('status.shop.example');
    const beta = await page('beta');
    expect(beta.customDomain).toBeNull();
    // Dropping its domain is beta's whole change, made once: one audit entry.
    const audited = await t.firebreak.services.database.db.selectFrom('audit_log').select('action').where('target_id', '=', beta.id).where('action', '=', 'status-page.update').execute();
    expect(audited).toHaveLength(1);
  });

  it('all or nothing: a status-page change refused at apply rolls back the whole apply, the Service and the changes before it included', async () => {
    const db = t.firebreak.services.database.db;
    // A page built in the UI, which --prune deletes before the other status-page changes.
    expect((await request('POST', '/api/v1/status-pages', { slug: 'old', name: 'Old' })).statusCode).toBe(201);
    const legacy = json<StatusComponent>(await request('POST', '/api/v1/status-pages/old/components', { name: 'Legacy' }));
    const rendered: string[] = [];
    t.firebreak.services.statusPages.onPublicChange((pageId) => rendered.push(pageId));
    const zeta = doc('StatusPage', 'zeta', { name: 'Zeta', customDomain: 'status.zeta.example' });
    const all = [root, checkout, acme(), platform, api(), website, zeta];
    expect(actions(json<ConfigPlan>(await plan(all, true))).sort()).toEqual([
      'create Component acme-api',
      'create Component acme-platform',
      'create Component acme-website',
      'create Service checkout',
      'create StatusPage acme',
      'create StatusPage zeta',
      'delete Component old-legacy',
      'delete StatusPage old',
    ]);
    const auditBefore = (await db.selectFrom('audit_log').select('id').execute()).length;

    const dropRival = await installRival(dialect.name, db);
    const res = await apply(all, true);
    await dropRival();
    expect(res.statusCode, res.body).toBe(409);
    expect(json(res)).toMatchObject({
      code: 'CONFLICT',
      message: 'Could not create StatusPage `zeta`: Another status page already uses the custom domain `status.zeta.example`. Nothing was applied.',
      details: { change: { action: 'create', kind: 'StatusPage', name: 'zeta' } },
    });
    // Nothing: not the Service (applied first), not the deletion of page `old` and its component, not
    // page `acme` (created before `zeta`), not the rival page of the same transaction; no audit entry,
    // and no public re-render was announced.
    expect(await db.selectFrom('status_pages').select('slug').execute()).toEqual([{ slug: 'old' }]);
    expect((await page('old')).components).toEqual([legacy]);
    expect((await request('GET', '/api/v1/services/checkout')).statusCode).toBe(404);
    expect(await db.selectFrom('audit_log').select('id').execute()).toHaveLength(auditBefore);
    expect(rendered).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/status/acme' })).statusCode).toBe(404);

    // The same documents apply once nothing is in the way; each changed page re-renders after the commit.
    const again = await apply(all, true);
    expect(again.statusCode, again.body).toBe(200);
    expect((await db.selectFrom('status_pages').select('slug').orderBy('slug').execute()).map((p) => p.slug)).toEqual(['acme', 'zeta']);
    expect((await page('acme')).components.map((c) => c.name)).toEqual(['Platform', 'API', 'Website']);
    expect((await request('GET', '/api/v1/services/checkout')).statusCode).toBe(200);
    expect(new Set(rendered)).toEqual(new Set([(await page('acme')).id, (await page('zeta')).id, legacy.pageId]));
  });

  it('refuses bad references and shapes at the field, and changes nothing', async () => {
    expect(await issuesOf([root, doc('Component', 'ghost', { page: 'nowhere', name: 'X', service: 'nothing' })])).toEqual([
      { path: 'body.documents.1.spec.page', message: 'StatusPage `nowhere` is not defined in these files and does not exist on the server' },
      { path: 'body.documents.1.spec.service', message: 'Service `nothing` is not defined in these files and does not exist on the server' },
    ]);
    expect(
      await issuesOf([
        root,
        checkout,
        acme(),
        platform,
        api(),
        doc('Component', 'acme-db', { page: 'acme', name: 'Database', group: 'acme-api' }),
        doc('Component', 'acme-api-2', { page: 'acme', name: 'API' }),
      ]),
    ).toEqual([
      { path: 'body.documents.5.spec.group', message: 'Component `acme-api` is itself in group `acme-platform`; components nest two levels only (a group and its components)' },
      { path: 'body.documents.6.spec.name', message: 'page `acme` already has a component named “API” (Component `acme-api`, at body.documents.4); names are unique within a page' },
    ]);
    // Status is not config: the body's schema refuses it.
    expect(await issuesOf([root, acme(), doc('Component', 'acme-x', { page: 'acme', name: 'X', status: 'operational' })])).toEqual([{ path: 'body.documents.2.spec', message: 'Unrecognized key: "status"' }]);
    expect((await request('GET', '/api/v1/status-pages/acme')).statusCode).toBe(404);

    // A component cannot become a group; a domain another page serves is refused before anything is applied.
    expect((await apply([root, checkout, acme(), platform, api(), website])).statusCode).toBe(200);
    expect(await issuesOf([root, checkout, acme(), platform, api(), doc('Component', 'acme-website', { page: 'acme', name: 'Website', isGroup: true })])).toEqual([
      { path: 'body.documents.5.spec.isGroup', message: 'Component acme-website is not a group on the server and cannot become one: give the new one another name and remove this one' },
    ]);
    const other = await request('POST', '/api/v1/status-pages', { slug: 'other', name: 'Other', customDomain: 'status.acme.example' });
    expect(other.statusCode, other.body).toBe(201);
    expect(await issuesOf([root, checkout, acme({ customDomain: 'status.acme.example' })])).toEqual([
      { path: 'body.documents.2.spec.customDomain', message: '`status.acme.example` is already the custom domain of StatusPage `other` (on the server); a domain serves one page' },
    ]);
  });
});

describe('config-as-code CLI: StatusPage and Component validate offline', () => {
  it('`firebreak config validate` locates an unknown page, a nested group and a repeated name at file:line:column', async () => {
    const dir = scratchDir('firebreak-status-kinds-');
    try {
      const text = [
        'apiVersion: firebreak/v1',
        'kind: StatusPage',
        'metadata: {name: acme}',
        'spec: {name: Acme status, visibility: private, allowedEmailDomains: [acme.example]}',
        '---',
        'apiVersion: firebreak/v1',
        'kind: Component',
        'metadata: {name: acme-core}',
        'spec: {page: acme, name: Core, isGroup: true}',
        '---',
        'apiVersion: firebreak/v1',
        'kind: Component',
        'metadata: {name: acme-api}',
        'spec:',
        '  page: acme',
        '  name: API',
        '  group: acme-core',
        '',
      ].join('\n');
      const good = dir.write('good.yaml', text);
      const ok = await cli(['config', 'validate', '-f', good]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      const bad = dir.write(
        'bad.yaml',
        [
          text,
          '---',
          'apiVersion: firebreak/v1',
          'kind: Component',
          'metadata: {name: acme-db}',
          'spec:',
          '  page: acme',
          '  name: API',
          '  group: acme-api',
          '---',
          'apiVersion: firebreak/v1',
          'kind: Component',
          'metadata: {name: lost}',
          'spec: {page: nowhere, name: Lost}',
          '',
        ].join('\n'),
      );
      const result = await cli(['config', 'validate', '-f', bad]);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(`${bad}:25:9: Component/acme-db: spec.name: page \`acme\` already has a component named “API” (Component \`acme-api\`, at ${bad}:11:1)`);
      expect(result.stdout).toContain(`${bad}:26:10: Component/acme-db: spec.group: Component \`acme-api\` is itself in group \`acme-core\``);
      expect(result.stdout).toContain(`${bad}:31:14: Component/lost: spec.page: StatusPage \`nowhere\` is not defined in these files`);
    } finally {
      dir.remove();
    }
  });
});

describe('config-as-code CLI: StatusPage and Component against a server', () => {
  it('apply, export to a directory, plan of the export is no change; a rename and a --prune delete show as such', async () => {
    const c = await serverWithToken();
    const dir = scratchDir('firebreak-status-cli-');
    try {
      const file = dir.write(
        'status.yaml',
        [
          'apiVersion: firebreak/v1',
          'kind: StatusPage',
          'metadata: {name: acme}',
          'spec:',
          '  name: "Acme: status"',
          '  brandColor: "#0A7D32"',
          '  footerLinks: [{label: Support, url: "https://acme.example/support"}]',
          '---',
          'apiVersion: firebreak/v1',
          'kind: Component',
          'metadata: {name: acme-api}',
          'spec: {page: acme, name: API, startDate: "2026-01-05", onlyShowIfDegraded: true}',
          '',
        ].join('\n'),
      );
      const applied = await cli(['config', 'apply', '-f', file, '--yes'], c.env);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      expect(applied.stdout).toContain('+ create StatusPage acme');
      expect(applied.stdout).toContain('+ create Component acme-api');

      const out = join(dir.path, 'export');
      const exported = await cli(['config', 'export', '-o', out], c.env);
      expect(exported.code, exported.stderr).toBe(0);
      expect(readFileSync(join(out, 'status-pages.yaml'), 'utf8')).toBe(
        ['apiVersion: firebreak/v1', 'kind: StatusPage', 'metadata:', '  name: acme', 'spec:', '  name: "Acme: status"', '  visibility: public', '  timeZone: UTC', '  brandColor: "#0a7d32"', '  footerLinks:', '    - label: Support', '      url: https://acme.example/support', ''].join('\n'),
      );
      expect(readFileSync(join(out, 'status-components.yaml'), 'utf8')).toContain('startDate: 2026-01-05');
      const planned = await cli(['config', 'plan', '-f', out], c.env);
      expect(planned.code, planned.stdout + planned.stderr).toBe(0);
      expect(planned.stdout).toContain('Plan: 0 to create, 0 to update, 0 to delete');

      const renamed = dir.write('renamed.yaml', readFileSync(join(out, 'status-components.yaml'), 'utf8').replace('name: API', 'name: Public API'));
      const rename = await cli(['config', 'plan', '-f', join(out, 'status-pages.yaml'), '-f', renamed], c.env);
      expect(rename.stdout).toContain('~ update Component acme-api\n    spec.name: "API" → "Public API"');
      const pruned = await cli(['config', 'apply', '-f', join(out, 'status-pages.yaml'), '-f', join(out, 'users.yaml'), '--prune', '--yes'], c.env);
      expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
      expect(pruned.stdout).toContain('- delete Component acme-api');
      expect((await c.server.firebreak.services.statusPages.get('acme')).components).toEqual([]);
    } finally {
      dir.remove();
      await c.server.stop();
    }
  });
});
