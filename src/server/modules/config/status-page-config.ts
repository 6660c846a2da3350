import { configApiVersion, type ComponentDocument, type ConfigChange, type ConfigDocument, type StatusPageDocument } from '../../../contracts/config.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type { StatusPageDetail } from '../../../contracts/status-pages.js';
import { canonicalDocument } from '../../../core/config/kinds.js';
import { nameServerComponents } from '../../../core/config/status-page-kinds.js';
import type { Acting } from '../catalog/catalog.service.js';
import type { StatusPageService } from '../statuspages/statuspage.service.js';

/**
 * Config kinds StatusPage and Component on the server (docs/config-as-code.md). Everything goes
 * through StatusPageService's public methods, as the admin API does, so each change is checked by
 * the same rules, audited, bumps the page's version (the public cache re-renders) and reaches
 * subscribers.
 *
 * Those methods each run their own transaction; they cannot join config's. So status-page changes
 * are made after the other kinds' transaction has committed, one by one (see {@link applyStatusPageChanges}).
 */
export type ConfigStatusPages = Pick<StatusPageService, 'list' | 'get' | 'create' | 'update' | 'remove' | 'createComponent' | 'updateComponent' | 'removeComponent'>;

/** The status pages as the server holds them, read before config's snapshot or transaction. */
export async function readStatusPages(pages: ConfigStatusPages | null): Promise<StatusPageDetail[]> {
  if (!pages) return [];
  const out: StatusPageDetail[] = [];
  for (const page of (await pages.list()).items) out.push(await pages.get(page.id));
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
 * Carries out the planned StatusPage and Component changes through StatusPageService, after the
 * other kinds have committed: deletes first (components, then pages, freeing custom domains), then
 * the custom domains that move are taken off their pages (so two pages can swap domains), then
 * pages, then groups, then the other components (a new group exists before its components name it).
 * `documents` are the request's parsed documents (defaults filled in). A change that fails stops
 * the rest; the changes before it stay made, and the error says so.
 */
export async function applyStatusPageChanges(
  pages: ConfigStatusPages,
  acting: Acting,
  changes: readonly ConfigChange[],
  documents: readonly ConfigDocument[],
  componentIds: ComponentIds,
): Promise<void> {
  const wanted = (kind: string, name: string) => documents.find((d) => d.kind === kind && d.metadata.name === name) ?? null;
  const mine = changes.filter((c) => isStatusPageKind(c.kind) && c.action !== 'unchanged');
  const isGroup = (c: ConfigChange) => (wanted('Component', c.name) as ComponentDocument | null)?.spec.isGroup === true;
  const deletes = mine.filter((c) => c.action === 'delete');
  const rest = [
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'StatusPage'),
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'Component' && isGroup(c)),
    ...mine.filter((c) => c.action !== 'delete' && c.kind === 'Component' && !isGroup(c)),
  ];
  // A domain moving to another page is freed first: the API refuses a domain another page still has.
  const moving = mine.filter((c) => c.kind === 'StatusPage' && c.action === 'update' && c.diff.some((f) => f.field === 'spec.customDomain' && f.before !== null && f.after !== null));
  const ids = new Map(componentIds);
  let done = 0;
  const run = async (change: ConfigChange, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      throw partly(error, change, done);
    }
    done += 1;
  };
  for (const change of deletes) await run(change, () => applyOne(pages, acting, change, null, ids));
  for (const change of moving) await run(change, async () => void (await pages.update(acting, change.name, { customDomain: null })));
  for (const change of rest) await run(change, () => applyOne(pages, acting, change, wanted(change.kind, change.name), ids));
}

/** An error from one status-page change, saying that what came before it was applied. */
function partly(error: unknown, change: ConfigChange, done: number): unknown {
  if (!(error instanceof AppError)) return error;
  const before = done === 0 ? 'The other kinds were applied; no status-page change was made.' : `The other kinds and ${done} status-page change${done === 1 ? '' : 's'} before it were applied.`;
  return new AppError(error.code, `Could not ${change.action} ${change.kind} \`${change.name}\`: ${error.message}. ${before} Run \`config plan\` to see what is left.`, {
    ...error.details,
    change: { action: change.action, kind: change.kind, name: change.name },
  });
}

async function applyOne(pages: ConfigStatusPages, acting: Acting, change: ConfigChange, want: ConfigDocument | null, ids: ComponentIds): Promise<void> {
  if (change.kind === 'StatusPage') {
    if (change.action === 'delete') {
      await pages.remove(acting, change.name);
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
    if (change.action === 'create') await pages.create(acting, { slug: want.metadata.name, ...fields });
    else await pages.update(acting, change.name, fields);
    return;
  }
  const at = ids.get(change.name);
  if (change.action === 'delete') {
    if (at) await pages.removeComponent(acting, at.page, at.id);
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
    const created = await pages.createComponent(acting, s.page, { ...fields, group: s.isGroup, status: 'operational' });
    ids.set(change.name, { page: s.page, id: created.id });
  } else {
    await pages.updateComponent(acting, at.page, at.id, fields);
  }
}
