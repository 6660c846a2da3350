import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { spawnTs, type Child } from './support/processes.js';

/**
 * "Durable before acknowledged" with commit batching (ADR 0035) and a real crash: a process commits
 * transactions from 16 loops at once (each a row and a keyed job), so commits share WAL syncs, and its
 * job runner records finished jobs in batches without waiting for the disk. It is killed with SIGKILL
 * mid-stream. On the same file afterwards: every transaction it acknowledged is there, and every job
 * added by one either ran (it said so before the kill) or is still in the table to run again — none is
 * lost. (SIGKILL loses nothing the process had written to the WAL; the sync matters for power loss,
 * which a test cannot cause: the fdatasync ordering is covered by database.e2e.test.ts.)
 */
describe('a process committing in batches killed with SIGKILL', () => {
  let dir = '';
  let child: Child | null = null;
  let database: FirebreakDatabase | null = null;

  afterEach(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited();
    }
    child = null;
    await database?.close();
    database = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('on SQLite: keeps every acknowledged transaction, and every job it added either ran or is still queued', { timeout: 120_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-commit-kill-'));
    const file = join(dir, 'firebreak.db');
    child = spawnTs('test/reliability/fixtures/committing-worker.ts', [file]);
    await child.waitForLine((line) => line === 'ready', 60_000);
    // Well into the stream, with jobs running and being recorded done.
    await child.waitForLine((line) => line === 'acked 1500', 60_000);
    await child.waitForLine((line) => line.startsWith('ran '), 60_000);
    child.process.kill('SIGKILL');
    expect(await child.exited()).toEqual({ code: null, signal: 'SIGKILL' });

    const lines = child.stdout().split('\n');
    const acked = lines.filter((l) => l.startsWith('acked ')).map((l) => Number(l.slice('acked '.length)));
    const ran = new Set(lines.filter((l) => l.startsWith('ran ')).map((l) => Number(l.slice('ran '.length))));
    expect(acked.length).toBeGreaterThanOrEqual(1500);
    expect(ran.size).toBeGreaterThan(0);

    database = openDatabase({ sqlitePath: file });
    const rows = new Set((await database.db.selectFrom('runtime').select('name').where('name', 'like', 'commit-%').execute()).map((r) => r.name));
    const queued = new Set((await database.db.selectFrom('jobs').select('job_key').where('task', '=', 'reliability-commit').execute()).map((r) => r.job_key));
    expect(acked.filter((n) => !rows.has(`commit-${n}`)), 'acknowledged transactions missing after the kill').toEqual([]);
    expect(acked.filter((n) => !ran.has(n) && !queued.has(`reliability-commit:${n}`)), 'acknowledged jobs that neither ran nor are queued').toEqual([]);
    // Jobs recorded done are gone from the table, in batches: some ran and were deleted.
    expect([...ran].filter((n) => !queued.has(`reliability-commit:${n}`)).length).toBeGreaterThan(0);
  });
});
