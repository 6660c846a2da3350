import { describe, expect, it } from 'vitest';

/**
 * The web UI bundles these files (live markdown preview, blameless findings while typing), so the
 * domain code may import only each other and browser-safe libraries: no `node:` modules, no server
 * code, no clock. The sources are read through Vite's `?raw` imports (core tests may not use node:fs).
 */
const FILES = ['agenda.ts', 'blameless.ts', 'draft.ts', 'due.ts', 'index.ts', 'markdown.ts', 'search.ts', 'similar.ts', 'templates.ts'];
const ALLOWED = [/^\.\/[a-z-]+\.js$/, /^\.\.\/\.\.\/contracts\/[a-z-]+\.js$/, /^markdown-it$/, /^temporal-polyfill$/];

async function source(file: string): Promise<string> {
  const mod = (await import(/* @vite-ignore */ `./${file}?raw`)) as { default: string };
  return mod.default;
}

describe('src/core/postmortems in the browser', () => {
  it('sees the imports it checks (the scanner works)', async () => {
    expect(await source('markdown.ts')).toMatch(/^import MarkdownIt from 'markdown-it';$/m);
  });

  it.each(FILES)('%s imports only browser-safe modules and reads no clock', async (file) => {
    const text = await source(file);
    expect(text.length).toBeGreaterThan(100);
    const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
    for (const specifier of imports) expect(ALLOWED.some((re) => re.test(specifier)), `${file} imports ${specifier}`).toBe(true);
    expect(text).not.toMatch(/^\s*import\s+['"]|\bimport\(|\brequire\(/m);
    expect(text).not.toMatch(/\bprocess\.|\bBuffer\b|Date\.now\(|new Date\(\)|Temporal\.Now/);
  });
});
