import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManualClock } from '../../src/server/platform/clock.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { startTestServer, type TestServer } from './server.js';

/** Helpers for tests that drive the `firebreak` CLI as a real child process against a real server. */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `firebreak …` from source. Asynchronous: the server answering it runs in this process.
 * FIREBREAK_URL and FIREBREAK_TOKEN come only from `env`, never from the environment of the test run.
 */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      env: Object.fromEntries(Object.entries({ ...process.env, FIREBREAK_URL: undefined, FIREBREAK_TOKEN: undefined, ...env }).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface CliServer {
  server: TestServer;
  /** FIREBREAK_URL and FIREBREAK_TOKEN (of the owner `root`) for {@link cli}. */
  env: Record<string, string>;
}

/** A test server with an owner `root` and an API token for it. */
export async function serverWithToken(clock?: ManualClock): Promise<CliServer> {
  const server = await startTestServer({ webRoot: null, ...(clock ? { clock } : {}) });
  const { catalog, auth, database } = server.firebreak.services;
  const acting = { actor: systemActor('test'), principal: null };
  const owner = await catalog.createUser(acting, { handle: 'root', name: 'Test root', email: 'root@example.test', timeZone: 'Europe/Lisbon', role: 'owner' });
  const token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, owner.id), 'cli test', systemActor('test'));
  return { server, env: { FIREBREAK_URL: server.url, FIREBREAK_TOKEN: token } };
}

export interface ScratchDir {
  readonly path: string;
  /** Writes `text` to `name` in the folder and returns the file's path. */
  write(name: string, text: string): string;
  remove(): void;
}

/** A fresh temporary folder for the YAML files a test hands the CLI. */
export function scratchDir(prefix: string): ScratchDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write(name, text) {
      const file = join(path, name);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
