import type { Kysely } from 'kysely';
import { configApiVersion, type ComponentDocument, type ConfigChange, type ConfigDocument, type StatusPageDocument } from '../../../contracts/config.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type { StatusPageDetail } from '../../../contracts/status-pages.js';
import { canonicalDocument } from '../../../core/config/kinds.js';
import { nameServerComponents } from '../../../core/config/status-page-kinds.js';
import type { Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Acting } from '../catalog/catalog.service.js';
import type { StatusPageService } from '../statuspages/statuspage.service.js';

/**
 * Config kinds StatusPage and Component on the server (docs/config-as-code.md). Everything goes
 * through StatusPageService's `…In` methods, the same code the admin API runs, so each change is
 * checked by the same rules, audited, bumps the page's version (the public cache re-renders after the
 * commit) and reaches subscribers. They run in config's apply transaction with every other kind's
 * changes: a status-page change that fails rolls back the whole apply.
 */
export type ConfigStatusPages = Pick<StatusPageService, 'listIn' | 'getIn' | 'createIn' | 'updateIn' | 'removeIn' | 'createComponentIn' | 'updateComponentIn' | 'removeComponentIn'>;

/** The status pages as the server holds them, read in config's snapshot or apply transaction. */
export async function readStatusPages(pages: ConfigStatusPages | null, db: Kysely<Database>): Promise<StatusPageDetail[]> {
  if (!pages) return [];
  const out: StatusPageDetail[] = [];
  for (const page of (await pages.listIn(db)).items) out.push(await pages.getIn(db, page.id));
  return out;
}

/** Where the server's components are: document name → page slug and component id. */
export type ComponentIds = Map<string, { page: string; id: string }>;

/**
 * The pages and components as canonical documents. Components are named after the desired documents
 * where one has the same page and name (`nameServerComponents`); links to services that were deleted
 * are left out (nothing to name).
 */
export function statusPageDocuments(
  pages: readonly StatusPageDetail[],
  desired: readonly ConfigDocument[],
  serviceHandles: ReadonlyMap<string, string>,
): { documents: ConfigDocument[]; componentIds: ComponentIds } {
  const documents: ConfigDocument[] = pages.map((p) =>
    canonicalDocument({
      apiVersion: configApiVersion,
      kind: 'StatusPage',
      metadata: { name: p.slug },
      spec: {
        name: p.name,
        visibility: p.visibility,
        timeZone: p.timeZone,
        brandColor: p.brandColor,
        logoUrl: p.logoUrl,
        customDomain: p.customDomain,
        footerLinks: p.footerLinks,
        allowedEmailDomains: p.allowedEmailDomains,
      },
    } satisfies StatusPageDocument),
  );
  const named = nameServerComponents(
    pages.map((p) => ({
      slug: p.slug,
      components: p.components.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        isGroup: c.group,
        groupId: c.groupId,
        position: c.position,
        showcase: c.showcase,
        onlyShowIfDegraded: c.onlyShowIfDegraded,
        public: c.public,
        service: c.serviceId !== null ? (serviceHandles.get(c.serviceId) ?? null) : null,
        startDate: c.startDate,
      })),
    })),
    desired.filter((d): d is ComponentDocument => d.kind === 'Component'),
  );
  return { documents: [...documents, ...named.documents], componentIds: named.ids };
}

export const isStatusPageKind = (kind: string): kind is 'StatusPage' | 'Component' => kind === 'StatusPage' || kind === 'Component';

/**
 * What the server refuses that the documents alone cannot show: a component cannot become a group or
 * stop being one (`isGroup`), and the kinds need a server that has status pages.
 */
export function statusPageProblems(documents: readonly ConfigDocument[], changes: readonly ConfigChange[], supported: boolean): FieldIssue[] {
  const problems: FieldIssue[] = [];
  documents.forEach((d, index) => {
    if (!isStatusPageKind(d.kind)) return;
    if (!supported) {
      problems.push({ path: `body.documents.${index}.kind`, message: `${d.kind} documents are not supported by this server (it has no status pages)` });
      return;
    }
    if (d.kind !== 'Component') return;
    const change = changes.find((c) => c.kind === 'Component' && c.name === d.metadata.name);
    const flip = change?.action === 'update' ? change.diff.find((f) => f.field === 'spec.isGroup') : undefined;
    if (flip) {
      problems.push({
        path: `body.documents.${index}.spec.isGroup`,
        message: `Component ${d.metadata.name} ${flip.before === true ? 'is a group' : 'is not a group'} on the server and cannot ${flip.before === true ? 'stop being one' : 'become one'}: give the new one another name and remove this one`,
      });
    }
  });
  return problems;
}

/**
 * Carries out the planned StatusPage and Component changes in config's apply transaction, after the
 * other kinds (a Service a component links to exists by then): deletes first (components, then pages,
 * freeing custom domains), then every custom domain an updated page gives up is taken off it (so two
 * pages can swap domains, or a new page take one another page leaves), then pages, then groups, then
 * the other components (a new group exists before its components name it). `documents` are the
 * request's parsed documents (defaults filled in). A change that fails throws: the caller's
 * transaction rolls back, with every change before it.
 *
 * @param onFailure wraps a change's error (config names the change and says nothing was applied).
 */
export async function applyStatusPageChanges(
  tx: Tx,
  pages: ConfigStatusPages,
  acting: Acting,
  changes: readonly ConfigChange[],
  documents: readonly ConfigDocument[],
  componentIds: ComponentIds,
  onFailure: (change: ConfigChange, error: unknown) => unknown,
): Promise<void> {
  const wanted = (kind: string, name: string) => documents.find((d) => d.kind === kind && d.metadata.name === name) ?? null;
  const mine = changes.filter((c) => isStatusPageKind(c.kind) && c.action !== 'unchanged');
  const isGroup = (c: ConfigChange) => (wanted('Component', c.name) as ComponentDocument | null)?.spec.isGroup === true;
  // A domain leaving a page is freed first: the service (and a unique index) refuse a domain another
  // page still has, and the page taking it may come earlier in the plan than the page giving it up. A
  // page that drops its domain is updated then and there; one that moves to another is cleared first.
  const domainChange = (c: ConfigChange) => (c.kind === 'StatusPage' && c.action === 'update' ? c.diff.find((f) => f.field === 'spec.customDomain') : undefined);
  const leaving = mine.filter((c) => (domainChange(c)?.before ?? null) !== null);
  const drops = (c: ConfigChange) => leaving.includes(c) && (domainChange(c)?.after ?? null) === null;
  const deletes = mine.filter((c) => c.action === 'delete');
  const rest = [
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'StatusPage' && !drops(c)),
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'Component' && isGroup(c)),
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'Component' && !isGroup(c)),
  ];
  const ids = new Map(componentIds);
  const run = async (change: ConfigChange, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      throw onFailure(change, error);
    }
  };
  for (const change of deletes) await run(change, () => applyOne(tx, pages, acting, change, null, ids));
  for (const change of leaving) {
    if (drops(change)) await run(change, () => applyOne(tx, pages, acting, change, wanted(change.kind, change.name), ids));
    else await run(change, async () => void (await pages.updateIn(tx, acting, change.name, { customDomain: null })));
  }
  for (const change of rest) await run(change, () => applyOne(tx, pages, acting, change, wanted(change.kind, change.name), ids));
}

async function applyOne(tx: Tx, pages: ConfigStatusPages, acting: Acting, change: ConfigChange, want: ConfigDocument | null, ids: ComponentIds): Promise<void> {
  if (change.kind === 'StatusPage') {
    if (change.action === 'delete') {
      await pages.removeIn(tx, acting, change.name);
      return;
    }
    if (want?.kind !== 'StatusPage') return;
    const s = want.spec;
    const fields = {
      name: s.name,
      visibility: s.visibility,
      timeZone: s.timeZone,
      brandColor: s.brandColor,
      logoUrl: s.logoUrl,
      customDomain: s.customDomain,
      footerLinks: s.footerLinks,
      allowedEmailDomains: s.allowedEmailDomains,
    };
    if (change.action === 'create') await pages.createIn(tx, acting, { slug: want.metadata.name, ...fields });
    else await pages.updateIn(tx, acting, change.name, fields);
    return;
  }
  const at = ids.get(change.name);
  if (change.action === 'delete') {
    if (at) await pages.removeComponentIn(tx, acting, at.page, at.id);
    return;
  }
  if (want?.kind !== 'Component') return;
  const s = want.spec;
  const groupId = s.group === undefined ? null : ids.get(s.group)?.id;
  if (groupId === undefined) throw new AppError('VALIDATION_FAILED', `group \`${s.group}\` does not exist on page \`${s.page}\``, { issues: [{ path: 'spec.group', message: 'no such group' }] });
  const fields = {
    name: s.name,
    description: s.description,
    groupId,
    showcase: s.showcase,
    onlyShowIfDegraded: s.onlyShowIfDegraded,
    public: s.public,
    service: s.service ?? null,
    startDate: s.startDate,
    ...(s.position !== undefined ? { position: s.position } : {}),
  };
  if (change.action === 'create' || !at) {
    // Status is not config: a new component starts operational, as on the API.
    const created = await pages.createComponentIn(tx, acting, s.page, { ...fields, group: s.isGroup, status: 'operational' });
    ids.set(change.name, { page: s.page, id: created.id });
  } else {
    await pages.updateComponentIn(tx, acting, at.page, at.id, fields);
  }
}
