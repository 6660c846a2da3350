import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable for browser tests, or null when none is installed outside CI. */
    chromiumPath: string | null;
  }
}

const repoRoot = join(import.meta.dirname, '..', '..');

/** The system Chromium (Debian's `chromium` package), or CHROMIUM_PATH when set. */
export function findChromium(): string | null {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(path) ? path : null;
}

/**
 * Prepares the browser suite: finds Chromium, then builds the web UI so the tests drive the current
 * code (the test server serves dist/web). Missing Chromium fails under CI=true and is skipped with
 * one line otherwise; the build is skipped too then, since no test would use it.
 */
export default function setup(project: TestProject): void {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    if (process.env.CI === 'true') throw new Error('CI=true but Chromium is missing: apt-get install -y chromium');
    console.warn('[firebreak] Chromium not found: browser tests are skipped. Install it (apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH.');
    project.provide('chromiumPath', null);
    return;
  }
  try {
    execFileSync('npx', ['vite', 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`The web UI build failed (npx vite build --config src/web/vite.config.ts):\n${stdout}${stderr}`);
  }
  project.provide('chromiumPath', chromiumPath);
}
