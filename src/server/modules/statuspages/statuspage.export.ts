import { mkdir, writeFile } from 'node:fs/promises';
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

/**
 * Writes every public page's documents (HTML, history, incident pages, feeds, badge, Statuspage JSON)
 * as static files under `<dir>/status/<slug>/…` — the same bytes the server answers — so a page can be
 * served from object storage or a CDN in another failure domain (ADR 0036). Private pages are never
 * written. Returns the slugs exported and the number of files.
 */
export async function exportStatusPages(deps: { pages: StatusPageService; clock: Clock; logger: Logger }, dir: string): Promise<{ pages: string[]; files: number }> {
  const cache = new StatusPageCache({ ...deps, recheckMs: 0, follow: false });
  await cache.refresh();
  const exported: string[] = [];
  let files = 0;
  for (const ref of cache.pages().sort((a, b) => a.slug.localeCompare(b.slug))) {
    if (ref.visibility !== 'public') continue;
    const entry = await cache.load(ref.id);
    if (!entry || entry.visibility !== 'public') continue;
    const paths = [...entry.docs.keys()].filter((k) => k.startsWith('slug:')).map((k) => k.slice('slug:'.length));
    paths.push(...entry.snapshot.incidents.map((i) => `incidents/${i.id}`));
    for (const path of paths) {
      const doc = cache.document(entry, 'slug', path);
      if (!doc) continue;
      const file = join(dir, 'status', ref.slug, fileFor(path));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, doc.body);
      files++;
    }
    exported.push(ref.slug);
  }
  return { pages: exported, files };
}
