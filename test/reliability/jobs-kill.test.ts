import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/server/platform/clock.js';
import { openDatabase, type FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { createIdGenerator } from '../../src/server/platform/ids.js';
import { createJobRunner } from '../../src/server/platform/jobs/job-runner.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { createMetrics } from '../../src/server/platform/metrics.js';
import { postgresUrl } from '../support/databases.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnTs, type Child } from './support/processes.js';

/**
 * "Work is at-least-once" with a real crash: a worker process claims jobs and is killed with SIGKILL in
 * the middle of running them. Nothing in that process gets to clean up, so the only thing that brings
 * the jobs back is the lease in the jobs table. Another runner, on the same database file or server,
 * must run each job again exactly once after the lease ends, and not before; a job whose last allowed
 * attempt died with the worker must end as failed with a message that says so.
 */

const T0 = Date.parse('2026-11-02T10:00:00Z');
const LEASE_MS = 30_000;
const WORKER = 'test/reliability/fixtures/hanging-worker.ts';

interface Marker {
  worker: string;
  name: string;
  attempts: number;
}

async function killWorkerMidJob(database: FirebreakDatabase, location: string, dir: string): Promise<void> {
  const clock = new ManualClock(T0);
  const runner = createJobRunner({ database, clock, logger: createLogger('silent'), metrics: createMetrics({ processMetrics: false }), ids: createIdGenerator(clock), leaseMs: LEASE_MS, workerId: 'survivor' });
  await runner.addJob(database.db, { task: 'reliability-probe', key: 'probe:retried', payload: { name: 'retried' }, runAt: T0 });
  await runner.addJob(database.db, { task: 'reliability-probe', key: 'probe:last-attempt', payload: { name: 'last-attempt' }, runAt: T0, maxAttempts: 1 });
  const marker = join(dir, 'marker.jsonl');

  let worker: Child | null = spawnTs(WORKER, [location, marker, String(T0), String(LEASE_MS)]);
  try {
    await worker.waitForLine((line) => line === 'running retried');
    await worker.waitForLine((line) => line === 'running last-attempt');
    const held = await database.db.selectFrom('jobs').select(['job_key', 'locked_by', 'locked_until', 'attempts']).orderBy('job_key').execute();
    expect(held).toEqual([
      { job_key: 'probe:last-attempt', locked_by: 'doomed-worker', locked_until: T0 + LEASE_MS, attempts: 1 },
      { job_key: 'probe:retried', locked_by: 'doomed-worker', locked_until: T0 + LEASE_MS, attempts: 1 },
    ]);

    worker.process.kill('SIGKILL');
    expect(await worker.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    worker = null;
  } finally {
    if (worker) {
      worker.process.kill('SIGKILL');
      await worker.exited();
    }
  }

  const runs: Array<{ name: string; attempts: number }> = [];
  runner.register<{ name: string }>('reliability-probe', ({ payload, job }) => {
    runs.push({ name: payload.name, attempts: job.attempts });
  });

  // While the dead worker's lease lasts, nobody may take its jobs: it could still be alive and slow.
  clock.set(T0 + LEASE_MS - 1);
  expect(await runner.runDueJobs()).toEqual([]);

  clock.set(T0 + LEASE_MS);
  const outcomes = (await runner.runDueJobs()).sort((a, b) => String(a.key).localeCompare(String(b.key)));
  expect(outcomes).toMatchObject([
    { key: 'probe:last-attempt', outcome: 'failed', attempts: 2, error: expect.stringMatching(/used up its 1 attempts: the worker running the last one stopped before finishing/) },
    { key: 'probe:retried', outcome: 'success', attempts: 2, error: null },
  ]);
  expect(runs).toEqual([{ name: 'retried', attempts: 2 }]);

  // Exactly once more: nothing is left to run, now or later.
  expect(await runner.runDueJobs()).toEqual([]);
  clock.advance(24 * 3600_000);
  expect(await runner.runDueJobs()).toEqual([]);
  expect(runs).toHaveLength(1);
  const left = await database.db.selectFrom('jobs').select(['job_key', 'failed_at', 'locked_by']).execute();
  expect(left).toEqual([{ job_key: 'probe:last-attempt', failed_at: T0 + LEASE_MS, locked_by: null }]);
  expect(await runner.stats()).toMatchObject({ depth: 0, failed: 1 });

  const started = readFileSync(marker, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Marker);
  expect(started.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { worker: 'doomed-worker', name: 'last-attempt', attempts: 1 },
    { worker: 'doomed-worker', name: 'retried', attempts: 1 },
  ]);
}

describe('a job worker killed with SIGKILL in the middle of a job', () => {
  let dir: string;
  let database: FirebreakDatabase | null = null;

  afterEach(async () => {
    await database?.close();
    database = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SQLite: the jobs run again once their lease ends, exactly once, and a used-up job fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-kill-'));
    const file = join(dir, 'firebreak.db');
    database = openDatabase({ sqlitePath: file });
    await database.migrate();
    await killWorkerMidJob(database, file, dir);
  });

  it.skipIf(!postgresUrl())('on PostgreSQL: the jobs run again once their lease ends, exactly once, and a used-up job fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-kill-'));
    const url = await createTestDatabase(postgresUrl() as string, 'fb_kill');
    database = openDatabase({ url, poolSize: 4 });
    await database.migrate();
    await killWorkerMidJob(database, url, dir);
  });
});
