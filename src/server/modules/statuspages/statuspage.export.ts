import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import { StatusPageCache } from './statuspage.public.js';
import type { StatusPageService } from './statuspage.service.js';

/** Where each rendered document goes below `<dir>/status/<slug>/`, so the tree mirrors the URLs. */
function fileFor(path: string): string {
  if (path === '') return 'index.html';
  if (path === 'history' || path.startsWith('incidents/')) return `${path}/index.html`;
  return path;
}

type ExportDeps = { pages: StatusPageService; clock: Clock; logger: Logger };

/**
 * Writes every public page's documents (HTML, history, incident pages, feeds, badge, Statuspage JSON)
 * as static files under `<dir>/status/<slug>/…` — the same bytes the server answers — so a page can be
 * served from object storage or a CDN in another failure domain (ADR 0036). Private pages are never
 * written, and the folder of a page that is private now is removed. Returns the slugs exported and the
 * number of files.
 */
export async function exportStatusPages(deps: ExportDeps, dir: string): Promise<{ pages: string[]; files: number }> {
  const cache = new StatusPageCache({ ...deps, recheckMs: 0, follow: false });
  await cache.refresh();
  const exported: string[] = [];
  let files = 0;
  for (const ref of cache.pages().sort((a, b) => a.slug.localeCompare(b.slug))) {
    const written = await exportPage(cache, ref, dir);
    if (written === null) continue;
    files += written;
    exported.push(ref.slug);
  }
  return { pages: exported, files };
}

/**
 * One page, written to a fresh folder that then replaces `<dir>/status/<slug>` (so files of deleted
 * incidents go too, and a reader never sees half a page). A page that is not public has its folder
 * removed and returns null.
 */
async function exportPage(cache: StatusPageCache, ref: { id: string; slug: string; visibility: string }, dir: string): Promise<number | null> {
  const target = join(dir, 'status', ref.slug);
  const entry = ref.visibility === 'public' ? await cache.load(ref.id) : null;
  if (!entry || entry.visibility !== 'public') {
    await rm(target, { recursive: true, force: true });
    return null;
  }
  const fresh = join(dir, 'status', `.${ref.slug}.writing`);
  await rm(fresh, { recursive: true, force: true });
  const paths = [...entry.docs.keys()].filter((k) => k.startsWith('slug:')).map((k) => k.slice('slug:'.length));
  paths.push(...entry.snapshot.incidents.map((i) => `incidents/${i.id}`));
  let files = 0;
  for (const path of paths) {
    const doc = cache.document(entry, 'slug', path);
    if (!doc) continue;
    const file = join(fresh, fileFor(path));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, doc.body);
    files++;
  }
  const old = join(dir, 'status', `.${ref.slug}.old`);
  await rm(old, { recursive: true, force: true });
  await rename(target, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(fresh, target);
  await rm(old, { recursive: true, force: true });
  return files;
}

/** How often `watch` re-writes every public page regardless, so time-based parts (uptime days, "x minutes ago") stay current. */
export const FULL_EXPORT_EVERY_MS = 15 * 60_000;

/**
 * Continuous export (`firebreak statuspage export <dir> --watch`): checks the pages' versions every
 * `pollMs` and writes again each page whose version moved (every public change moves it), removes the
 * folder of a page deleted or made private, and re-writes everything every {@link FULL_EXPORT_EVERY_MS}.
 * Runs until `signal` aborts.
 */
export async function watchStatusPages(deps: ExportDeps, dir: string, options: { pollMs: number; signal: AbortSignal; onExport: (slugs: string[], removed: string[]) => void }): Promise<void> {
  const seen = new Map<string, { slug: string; version: number; visibility: string }>();
  let lastFull = Number.NEGATIVE_INFINITY;
  while (!options.signal.aborted) {
    const directory = await deps.pages.directory();
    const full = deps.clock.now() - lastFull >= FULL_EXPORT_EVERY_MS;
    const changed = directory.filter((p) => {
      const before = seen.get(p.id);
      return full || !before || before.version !== p.version || before.visibility !== p.visibility || before.slug !== p.slug;
    });
    const gone = [...seen.entries()].filter(([id, before]) => before.visibility === 'public' && !directory.some((p) => p.id === id && p.slug === before.slug && p.visibility === 'public'));
    const exported: string[] = [];
    const removed: string[] = [];
    for (const [, before] of gone) {
      await rm(join(dir, 'status', before.slug), { recursive: true, force: true });
      removed.push(before.slug);
    }
    if (changed.length > 0) {
      const cache = new StatusPageCache({ ...deps, recheckMs: 0, follow: false });
      await cache.refresh();
      for (const p of changed) {
        const ref = cache.pages().find((r) => r.id === p.id);
        if (ref && (await exportPage(cache, ref, dir)) !== null) exported.push(ref.slug);
      }
    }
    seen.clear();
    for (const p of directory) seen.set(p.id, { slug: p.slug, version: p.version, visibility: p.visibility });
    if (full) lastFull = deps.clock.now();
    if (exported.length > 0 || removed.length > 0) options.onExport(exported.sort(), removed.sort());
    await new Promise<void>((done) => {
      const timer = setTimeout(done, options.pollMs);
      options.signal.addEventListener('abort', () => { clearTimeout(timer); done(); }, { once: true });
    });
  }
}
