import { describe, expect, it } from 'vitest';
import { configDocumentSchema, type ComponentDocument, type ConfigDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument, configKindOrder, kindRules } from './kinds.js';
import { plan } from './plan.js';
import { renderConfigFiles } from './render.js';
import { validateConfigSources, formatProblem } from './source.js';
import { derivedComponentName, nameServerComponents, type ServerComponent } from './status-page-kinds.js';

/** The kinds StatusPage and Component (docs/config-as-code.md, issue 7). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const parse = (value: unknown) => configDocumentSchema.parse(value) as ConfigDocument;
const issuesOf = (values: unknown[], mode: 'skip' | 'documents' = 'skip') => checkDocuments(values, { mode }).issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`);
const page = (name = 'acme', spec: Record<string, unknown> = {}) => doc('StatusPage', name, { name: 'Acme status', ...spec });
const component = (name: string, spec: Record<string, unknown>) => doc('Component', name, { page: 'acme', ...spec });

const serverComponent = (id: string, name: string, extra: Partial<ServerComponent> = {}): ServerComponent => ({
  id,
  name,
  description: null,
  isGroup: false,
  groupId: null,
  position: 1,
  showcase: true,
  onlyShowIfDegraded: false,
  public: true,
  service: null,
  startDate: null,
  ...extra,
});

describe('the StatusPage and Component kinds', () => {
  it('come after Service (a component names its service), the page before its components', () => {
    expect(configKindOrder.indexOf('StatusPage')).toBeGreaterThan(configKindOrder.indexOf('Service'));
    expect(configKindOrder.indexOf('Component')).toBe(configKindOrder.indexOf('StatusPage') + 1);
    expect(renderConfigFiles([]).map((f) => f.name)).toEqual(expect.arrayContaining(['status-pages.yaml', 'status-components.yaml']));
  });

  it('a page takes the API’s defaults, written out; empty optional fields are left out; email domains are a set', () => {
    const bare = canonicalDocument(parse(page()));
    expect(bare.spec).toEqual({ name: 'Acme status', visibility: 'public', timeZone: 'UTC', brandColor: '#1f6feb' });
    const full = canonicalDocument(
      parse(
        page('acme', {
          visibility: 'private',
          timeZone: 'Europe/Lisbon',
          brandColor: '#AA0000',
          logoUrl: 'https://cdn.example.com/logo.png',
          customDomain: 'Status.Example.com',
          footerLinks: [{ label: 'Home', url: 'https://example.com' }, { label: 'Privacy', url: 'https://example.com/privacy' }],
          allowedEmailDomains: ['example.org', 'Example.com', 'example.org'],
        }),
      ),
    );
    expect(full.spec).toEqual({
      name: 'Acme status',
      visibility: 'private',
      timeZone: 'Europe/Lisbon',
      brandColor: '#aa0000',
      logoUrl: 'https://cdn.example.com/logo.png',
      customDomain: 'status.example.com',
      footerLinks: [{ label: 'Home', url: 'https://example.com' }, { label: 'Privacy', url: 'https://example.com/privacy' }],
      allowedEmailDomains: ['example.com', 'example.org'],
    });
    expect(canonicalDocument(parse(full))).toEqual(full);
    // Writing a default explicitly is no change; a footer link is diffed by position.
    expect(plan([parse(page('acme', { visibility: 'public', timeZone: 'UTC', logoUrl: null, footerLinks: [] }))], [bare], { prune: false }).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    const relabelled = plan([parse(page('acme', { ...full.spec, footerLinks: [{ label: 'Start', url: 'https://example.com' }, { label: 'Privacy', url: 'https://example.com/privacy' }] }))], [full], { prune: false });
    expect(relabelled.changes[0]?.diff).toEqual([{ field: 'spec.footerLinks.0.label', before: 'Home', after: 'Start' }]);
  });

  it('a component has no status in config, and leaving position out leaves the server’s alone', () => {
    expect(issuesOf([component('acme-api', { name: 'API', status: 'major_outage' })])).toEqual(['0 spec.status: is not a known field (check the spelling)']);
    const current = canonicalDocument(parse(component('acme-api', { name: 'API', position: 7, description: 'Public REST API' })));
    expect(current.spec).toEqual({ page: 'acme', name: 'API', description: 'Public REST API', isGroup: false, position: 7, showcase: true, onlyShowIfDegraded: false, public: true });
    expect(plan([parse(component('acme-api', { name: 'API', description: 'Public REST API' }))], [current], { prune: false }).summary).toMatchObject({ update: 0, unchanged: 1 });
    const moved = plan([parse(component('acme-api', { name: 'API', description: 'Public REST API', position: 2, public: false }))], [current], { prune: false });
    expect(moved.changes[0]?.diff).toEqual([
      { field: 'spec.position', before: 7, after: 2 },
      { field: 'spec.public', before: true, after: false },
    ]);
  });

  it('names the page, the group and the service it uses as references', () => {
    const d = parse(component('acme-api', { name: 'API', group: 'acme-core', service: 'checkout' }));
    expect(kindRules.Component.references(d as ComponentDocument)).toEqual([
      { kind: 'StatusPage', name: 'acme', path: ['spec', 'page'] },
      { kind: 'Component', name: 'acme-core', path: ['spec', 'group'] },
      { kind: 'Service', name: 'checkout', path: ['spec', 'service'] },
    ]);
    expect(issuesOf([component('acme-api', { name: 'API', page: 'nowhere', service: 'checkout' })], 'documents')).toEqual([
      '0 spec.page: StatusPage `nowhere` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)',
      '0 spec.service: Service `checkout` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)',
    ]);
  });

  it('refuses across documents: two levels of groups, a group that is not one or on another page, one name twice in a page, one domain on two pages', () => {
    expect(
      issuesOf([
        page(),
        page('other', { name: 'Other', customDomain: 'status.example.com' }),
        page('third', { name: 'Third', customDomain: 'status.example.com' }),
        component('acme-core', { name: 'Core', isGroup: true }),
        component('acme-eu', { name: 'EU', group: 'acme-core' }),
        component('acme-db', { name: 'Database', group: 'acme-eu' }),
        component('acme-api', { name: 'API' }),
        component('acme-web', { name: 'Web', group: 'acme-api' }),
        component('acme-api-again', { name: 'API' }),
        component('other-core', { name: 'Core', isGroup: true, page: 'other' }),
        component('acme-cdn', { name: 'CDN', group: 'other-core' }),
        component('acme-nested', { name: 'Nested', isGroup: true, group: 'acme-core' }),
        component('other-api', { name: 'API', page: 'other' }),
      ]),
    ).toEqual([
      '11 spec.group: a group cannot be in another group (two levels only)',
      '2 spec.customDomain: `status.example.com` is already the custom domain of StatusPage `other` (at documents.1); a domain serves one page',
      '5 spec.group: Component `acme-eu` is itself in group `acme-core`; components nest two levels only (a group and its components)',
      '7 spec.group: Component `acme-api` is not a group; give it `isGroup: true` (a new group needs a new name: a component cannot become a group)',
      '8 spec.name: page `acme` already has a component named “API” (Component `acme-api`, at documents.6); names are unique within a page',
      '10 spec.group: Component `other-core` is on page `other`, not `acme`; a group holds components of its own page',
    ]);
  });

  it('checks groups and names against what the server holds when planning', () => {
    const server = [parse(component('acme-core', { name: 'Core', isGroup: true })), parse(component('acme-eu', { name: 'EU', group: 'acme-core' })), parse(component('acme-api', { name: 'API' }))];
    const context = { mode: 'server' as const, active: server.map((d) => ({ kind: d.kind, name: d.metadata.name })).concat([{ kind: 'StatusPage', name: 'acme' }]), deactivated: [], prune: false, current: server };
    const issues = checkDocuments([component('acme-db', { name: 'Database', group: 'acme-eu' }), component('api', { name: 'API' }), component('acme-api', { name: 'Public API' })], context).issues;
    expect(issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`)).toEqual([
      '0 spec.group: Component `acme-eu` is itself in group `acme-core`; components nest two levels only (a group and its components)',
    ]);
    // A document named `acme-api` stands for that component, so its old name is no duplicate; alone, `api` clashes with it.
    const clash = checkDocuments([component('api', { name: 'API' })], context).issues;
    expect(clash.map((i) => i.message)).toEqual(['page `acme` already has a component named “API” (Component `acme-api`, on the server); names are unique within a page']);
  });

  it('offline validate locates cross-document problems at file:line:column', () => {
    const text = ['apiVersion: firebreak/v1', 'kind: Component', 'metadata: {name: acme-api}', 'spec:', '  page: acme', '  name: API', '---', 'apiVersion: firebreak/v1', 'kind: Component', 'metadata: {name: acme-api-2}', 'spec:', '  page: acme', '  name: API', ''].join('\n');
    const { problems } = validateConfigSources([{ path: 'components.yaml', text }], { mode: 'skip' });
    expect(problems.map(formatProblem)).toEqual(['components.yaml:13:9: Component/acme-api-2: spec.name: page `acme` already has a component named “API” (Component `acme-api`, at components.yaml:1:1); names are unique within a page']);
  });

  it('names server components after the documents that mean them, else after page and name, unique', () => {
    expect(derivedComponentName('acme', 'Card payments (EU)')).toBe('acme-card-payments-eu');
    expect(derivedComponentName('acme', 'Façade – São Paulo')).toBe('acme-facade-sao-paulo');
    expect(derivedComponentName('acme', '∞')).toBe('acme-component');
    const pages = [
      {
        slug: 'acme',
        components: [
          serverComponent('c1', 'Core', { isGroup: true }),
          serverComponent('c2', 'API', { groupId: 'c1', service: 'checkout', position: 2 }),
          serverComponent('c3', 'Web'),
          serverComponent('c4', 'Old name'),
          serverComponent('c5', 'Web'),
        ],
      },
    ];
    const desired = [parse(component('api', { name: 'API' })), parse(component('acme-old-name', { name: 'New name' })), parse(component('acme-web', { name: 'Something else', page: 'other' }))] as ComponentDocument[];
    const { documents, ids } = nameServerComponents(pages, desired);
    expect(documents.map((d) => [d.metadata.name, d.spec.name, d.spec.group ?? null])).toEqual([
      ['acme-core', 'Core', null],
      ['api', 'API', 'acme-core'],
      // `acme-web` is a document on another page: the server's Web takes the next free name.
      ['acme-web-2', 'Web', null],
      // Renamed: the document keeps the derived name the component had when exported.
      ['acme-old-name', 'Old name', null],
      ['acme-web-3', 'Web', null],
    ]);
    expect(documents[1]?.spec).toEqual({ page: 'acme', name: 'API', isGroup: false, group: 'acme-core', service: 'checkout', position: 2, showcase: true, onlyShowIfDegraded: false, public: true });
    expect(ids.get('api')).toEqual({ page: 'acme', id: 'c2' });
    expect(ids.get('acme-old-name')).toEqual({ page: 'acme', id: 'c4' });
    const renamed = plan([desired[1] as ConfigDocument], documents, { prune: false });
    expect(renamed.changes.find((c) => c.name === 'acme-old-name')).toEqual({ action: 'update', kind: 'Component', name: 'acme-old-name', diff: [{ field: 'spec.name', before: 'Old name', after: 'New name' }] });
  });
});
