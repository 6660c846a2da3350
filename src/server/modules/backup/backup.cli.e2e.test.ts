import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from '../../../../test/support/db-dump.js';
import { openDatabase } from '../../platform/db/database.js';

const root = resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'firebreak-backup-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real `firebreak` CLI in a child process, the way an operator or cron would. */
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

describe('firebreak backup and restore as commands', () => {
  it('backs up one instance and restores it into another, printing the verification', { timeout: 60_000 }, async () => {
    const source = join(dir, 'source');
    const target = join(dir, 'target');
    const file = join(dir, 'firebreak.jsonl.gz');
    expect((await firebreak(['demo'], source)).code).toBe(0);

    const backup = await firebreak(['backup', file], source);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/Backed up \d+ rows in \d+ tables/);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const restore = await firebreak(['restore', file], target);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('pending migrations: none');
    expect(restore.stdout).toMatch(/TABLE\s+BACKUP\s+RESTORED\s+CHECK/);
    expect(restore.stdout).toMatch(/users\s+11\s+11\s+ok/);
    expect(restore.stdout).toContain('Restore verified');
    // The demo made an instance key; the new instance has none yet, so the operator is told to copy it.
    expect(restore.stderr).toContain('FIREBREAK_SECRET_KEY');

    const [a, b] = [openDatabase({ sqlitePath: join(source, 'firebreak.db') }), openDatabase({ sqlitePath: join(target, 'firebreak.db') })];
    try {
      expect(await dumpDatabase(b)).toEqual(await dumpDatabase(a));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }

    const again = await firebreak(['restore', file], target);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^firebreak: The target database .* is not empty .*--force/m);
  });
});
