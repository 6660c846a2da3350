import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp } from '../../../test/support/app.js';
import { openDatabase } from '../../server/platform/db/database.js';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'firebreak-statuspage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `firebreak` CLI in a child process, as an operator or a cron job would. */
function firebreak(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FIREBREAK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.FIREBREAK_SECRET_KEY;
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('firebreak statuspage export', () => {
  it('writes every public page as static files and never a private one', { timeout: 60_000 }, async () => {
    const dataDir = join(dir, 'data');
    const t = await buildTestApp({ database: openDatabase({ sqlitePath: join(dataDir, 'firebreak.db') }) });
    const { token } = await t.userWithToken('owner', 'root');
    for (const page of [{ slug: 'acme', name: 'Acme Status' }, { slug: 'internal', name: 'Secret Internal Status', visibility: 'private' }]) {
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/status-pages', headers: bearer(token), payload: page });
      expect(created.statusCode, created.body).toBe(201);
    }
    await t.close();

    const out = join(dir, 'site');
    const result = await firebreak(['statuspage', 'export', out], dataDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Exported 1 public status page \(\d+ files\) to .*site: acme\n$/);
    expect(readFileSync(join(out, 'status', 'acme', 'index.html'), 'utf8')).toContain('Acme Status');
    expect(JSON.parse(readFileSync(join(out, 'status', 'acme', 'api', 'v2', 'summary.json'), 'utf8'))).toMatchObject({ page: { name: 'Acme Status' } });
    expect(existsSync(join(out, 'status', 'internal'))).toBe(false);

    const bad = await firebreak(['statuspage', 'export', out, '--every', '0'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--every must be a whole number of seconds');
    const both = await firebreak(['statuspage', 'export', out, '--every', '5', '--watch'], dataDir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --every or --watch, not both');
  });
});
