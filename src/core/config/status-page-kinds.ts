import { configApiVersion, type ComponentDocument, type ConfigDocument, type StatusPageDocument } from '../../contracts/config.js';
import type { DocumentPath, KindRules } from './kinds.js';

/**
 * Config kinds StatusPage and Component (issue 7, docs/config-as-code.md "StatusPage and Component").
 *
 * A StatusPage document is named by the page's slug. A Component is known on the server by its page
 * and its `name` (the status-page tables hold no config handle), so the server's components are
 * given their document names by {@link nameServerComponents}: the name of the document with the same
 * page and `name`, else a name derived from both (`acme-api`). Two components of one page may not
 * share a `name` in config, or a document could not tell which one it means.
 */

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A problem found across documents, by the document's index in the list checked. */
export interface SetIssue {
  index: number;
  path: DocumentPath;
  message: string;
}

/** One document of a kind with where it was in the list checked. */
export interface Indexed<D> {
  index: number;
  document: D;
}

export const statusPageKindRules = {
  StatusPage: {
    fileName: 'status-pages.yaml',
    deletion: 'delete',
    references: () => [],
    canonical: (d: StatusPageDocument): StatusPageDocument => {
      const s = d.spec;
      const links = s.footerLinks ?? [];
      const domains = [...new Set(s.allowedEmailDomains ?? [])].sort(byString);
      return {
        apiVersion: configApiVersion,
        kind: 'StatusPage',
        metadata: { name: d.metadata.name },
        spec: {
          name: s.name,
          // The API's defaults written out: they are what visitors see.
          visibility: s.visibility ?? 'public',
          timeZone: s.timeZone ?? 'UTC',
          brandColor: (s.brandColor ?? '#1f6feb').toLowerCase(),
          ...(s.logoUrl ? { logoUrl: s.logoUrl } : {}),
          ...(s.customDomain ? { customDomain: s.customDomain } : {}),
          // Order kept: it is the order of the footer.
          ...(links.length > 0 ? { footerLinks: links.map((l) => ({ label: l.label, url: l.url })) } : {}),
          // A set: order means nothing.
          ...(domains.length > 0 ? { allowedEmailDomains: domains } : {}),
        } as StatusPageDocument['spec'],
      };
    },
    validateSet: (documents: ReadonlyArray<Indexed<StatusPageDocument>>, known: readonly ConfigDocument[], describe: (index: number) => string) => statusPageSetIssues(documents, known, describe),
    listKeys: { 'spec.footerLinks': { byPosition: true } },
  } satisfies KindRules<StatusPageDocument>,
  Component: {
    fileName: 'status-components.yaml',
    deletion: 'delete',
    references: (d: ComponentDocument) => [
      { kind: 'StatusPage' as const, name: d.spec.page, path: ['spec', 'page'] },
      ...(d.spec.group !== undefined ? [{ kind: 'Component' as const, name: d.spec.group, path: ['spec', 'group'] }] : []),
      ...(d.spec.service !== undefined ? [{ kind: 'Service' as const, name: d.spec.service, path: ['spec', 'service'] }] : []),
    ],
    validate: (d: ComponentDocument) => {
      const problems: Array<{ path: DocumentPath; message: string }> = [];
      if (d.spec.isGroup && d.spec.group !== undefined) problems.push({ path: ['spec', 'group'], message: 'a group cannot be in another group (two levels only)' });
      if (d.spec.group === d.metadata.name) problems.push({ path: ['spec', 'group'], message: 'a component cannot be in itself' });
      return problems;
    },
    canonical: (d: ComponentDocument): ComponentDocument => {
      const s = d.spec;
      return {
        apiVersion: configApiVersion,
        kind: 'Component',
        metadata: { name: d.metadata.name },
        spec: {
          page: s.page,
          name: s.name,
          ...(s.description ? { description: s.description } : {}),
          isGroup: s.isGroup ?? false,
          ...(s.group !== undefined ? { group: s.group } : {}),
          ...(s.service !== undefined ? { service: s.service } : {}),
          ...(s.position !== undefined ? { position: s.position } : {}),
          showcase: s.showcase ?? true,
          onlyShowIfDegraded: s.onlyShowIfDegraded ?? false,
          public: s.public ?? true,
          ...(s.startDate ? { startDate: s.startDate } : {}),
        } as ComponentDocument['spec'],
      };
    },
    // `position` left out of a document: the server placed it (last, when created) and config leaves it there.
    managedPart: (current: ComponentDocument, desired: ComponentDocument): ComponentDocument => {
      if (desired.spec.position !== undefined) return current;
      const { position: _position, ...spec } = current.spec;
      return { ...current, spec: spec as ComponentDocument['spec'] };
    },
    validateSet: (documents: ReadonlyArray<Indexed<ComponentDocument>>, known: readonly ConfigDocument[], describe: (index: number) => string) => componentSetIssues(documents, known, describe),
    listKeys: {},
  } satisfies KindRules<ComponentDocument>,
};

const componentKey = (page: string, name: string) => `${page}\u0000${name}`;

/**
 * Rules across StatusPage documents and the pages on the server that no document names (`known`): a
 * custom domain serves one page only.
 */
export function statusPageSetIssues(documents: ReadonlyArray<Indexed<StatusPageDocument>>, known: readonly ConfigDocument[], describe: (index: number) => string): SetIssue[] {
  const issues: SetIssue[] = [];
  const byDomain = new Map<string, { name: string; index: number | null }>();
  for (const d of known) if (d.kind === 'StatusPage' && d.spec.customDomain) byDomain.set(d.spec.customDomain, { name: d.metadata.name, index: null });
  for (const { index, document } of documents) {
    const domain = document.spec.customDomain;
    if (!domain) continue;
    const other = byDomain.get(domain);
    if (other && other.name !== document.metadata.name) {
      const where = other.index === null ? 'on the server' : `at ${describe(other.index)}`;
      issues.push({ index, path: ['spec', 'customDomain'], message: `\`${domain}\` is already the custom domain of StatusPage \`${other.name}\` (${where}); a domain serves one page` });
      continue;
    }
    byDomain.set(domain, { name: document.metadata.name, index });
  }
  return issues;
}

/**
 * Rules across Component documents and the server's components that no document names (`known`):
 * a group must be a group (`isGroup: true`) on the same page and in no group itself (two levels), and
 * no two components of one page share a `name`.
 */
export function componentSetIssues(documents: ReadonlyArray<Indexed<ComponentDocument>>, known: readonly ConfigDocument[], describe: (index: number) => string): SetIssue[] {
  const issues: SetIssue[] = [];
  const all = new Map<string, ComponentDocument>();
  for (const d of known) if (d.kind === 'Component') all.set(d.metadata.name, d);
  for (const { document } of documents) all.set(document.metadata.name, document);

  const names = new Map<string, { name: string; index: number | null }>();
  for (const d of known) if (d.kind === 'Component' && !documents.some((x) => x.document.metadata.name === d.metadata.name)) names.set(componentKey(d.spec.page, d.spec.name), { name: d.metadata.name, index: null });
  for (const { index, document } of documents) {
    const s = document.spec;
    const key = componentKey(s.page, s.name);
    const first = names.get(key);
    if (first) {
      const where = first.index === null ? 'on the server' : `at ${describe(first.index)}`;
      issues.push({ index, path: ['spec', 'name'], message: `page \`${s.page}\` already has a component named “${s.name}” (Component \`${first.name}\`, ${where}); names are unique within a page` });
    } else {
      names.set(key, { name: document.metadata.name, index });
    }
    if (s.group === undefined || s.isGroup) continue;
    const group = all.get(s.group);
    // An unknown group is reported by the reference check.
    if (!group) continue;
    if (group.spec.page !== s.page) {
      issues.push({ index, path: ['spec', 'group'], message: `Component \`${s.group}\` is on page \`${group.spec.page}\`, not \`${s.page}\`; a group holds components of its own page` });
    } else if (group.spec.group !== undefined) {
      issues.push({ index, path: ['spec', 'group'], message: `Component \`${s.group}\` is itself in group \`${group.spec.group}\`; components nest two levels only (a group and its components)` });
    } else if (!group.spec.isGroup) {
      issues.push({ index, path: ['spec', 'group'], message: `Component \`${s.group}\` is not a group; give it \`isGroup: true\` (a new group needs a new name: a component cannot become a group)` });
    }
  }
  return issues;
}

/** A component as the server holds it, reduced to what config compares (ids resolved to names by the caller). */
export interface ServerComponent {
  id: string;
  name: string;
  description: string | null;
  isGroup: boolean;
  groupId: string | null;
  position: number;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  public: boolean;
  /** The linked service's handle; null for none (or a service that was deleted). */
  service: string | null;
  startDate: string | null;
}

/** The handle-shaped name derived from a page slug and a component name: `acme` + “Card payments” → `acme-card-payments`. */
export function derivedComponentName(page: string, name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${page}-${words || 'component'}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * Names the server's components of each page as documents. A component takes the name of the
 * document on its page with the same `name`; one without takes the name of a document on its page
 * whose name is the component's derived name (so a document exported earlier can rename its
 * component: same document name, new `name`); any other gets its derived name, made unique with
 * `-2`, `-3`… The first component wins where the server holds two of one name.
 *
 * @returns the documents (canonical), and document name → `{ page, id }` for apply.
 */
export function nameServerComponents(
  pages: ReadonlyArray<{ slug: string; components: readonly ServerComponent[] }>,
  desired: readonly ComponentDocument[],
): { documents: ComponentDocument[]; ids: Map<string, { page: string; id: string }> } {
  const taken = new Set(desired.map((d) => d.metadata.name));
  const claimed = new Set<string>();
  const nameOf = new Map<string, string>();
  for (const page of pages) {
    const mine = desired.filter((d) => d.spec.page === page.slug);
    for (const c of page.components) {
      const doc = mine.find((d) => !claimed.has(d.metadata.name) && d.spec.name === c.name);
      if (doc) {
        claimed.add(doc.metadata.name);
        nameOf.set(c.id, doc.metadata.name);
      }
    }
    for (const c of page.components) {
      if (nameOf.has(c.id)) continue;
      const derived = derivedComponentName(page.slug, c.name);
      const doc = mine.find((d) => !claimed.has(d.metadata.name) && d.metadata.name === derived && !page.components.some((o) => o.name === d.spec.name));
      if (doc) {
        claimed.add(doc.metadata.name);
        nameOf.set(c.id, doc.metadata.name);
      }
    }
  }
  for (const page of pages) {
    for (const c of page.components) {
      if (nameOf.has(c.id)) continue;
      const base = derivedComponentName(page.slug, c.name);
      let name = base;
      for (let n = 2; taken.has(name); n += 1) name = `${base.slice(0, 63 - String(n).length - 1).replace(/-+$/, '')}-${n}`;
      taken.add(name);
      nameOf.set(c.id, name);
    }
  }
  const documents: ComponentDocument[] = [];
  const ids = new Map<string, { page: string; id: string }>();
  for (const page of pages) {
    for (const c of page.components) {
      const name = nameOf.get(c.id) as string;
      ids.set(name, { page: page.slug, id: c.id });
      const group = c.groupId !== null ? nameOf.get(c.groupId) : undefined;
      const doc: ComponentDocument = {
        apiVersion: configApiVersion,
        kind: 'Component',
        metadata: { name },
        spec: {
          page: page.slug,
          name: c.name,
          description: c.description,
          isGroup: c.isGroup,
          ...(group !== undefined ? { group } : {}),
          ...(c.service !== null ? { service: c.service } : {}),
          position: c.position,
          showcase: c.showcase,
          onlyShowIfDegraded: c.onlyShowIfDegraded,
          public: c.public,
          startDate: c.startDate,
        },
      };
      documents.push(statusPageKindRules.Component.canonical(doc));
    }
  }
  return { documents, ids };
}
