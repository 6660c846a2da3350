/**
 * `npm start` to ready: the time from spawning `node bin/firebreak.js serve` to the first 200 on /readyz
 * (database open and migrated, job runner looping, HTTP listening). Measured on a fresh data directory
 * (first run: creates the database, applies every migration, writes the secret key) and on an existing,
 * already migrated one (every restart after that). Five runs each; the median is reported.
 *
 *   node --import tsx bench/startup.bench.ts
 */
import { rmSync } from 'node:fs';
import { isMain, median, printResult, type BenchResult } from './lib/report.js';
import { ensureServerBuild, freshDataDir, startFirebreak, stopProcess } from './lib/server.js';

const RUNS = 5;
const TARGET_MS = 2_000;

async function timeOneStart(dataDir: string): Promise<number> {
  const server = await startFirebreak(dataDir);
  await stopProcess(server.child);
  return server.readyMs;
}

export async function runStartupBenchmark(): Promise<BenchResult> {
  ensureServerBuild();
  const dirs: string[] = [];
  try {
    const fresh: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = freshDataDir();
      dirs.push(dir);
      fresh.push(await timeOneStart(dir));
    }
    // The last fresh directory is now migrated: every later start is a restart.
    const existing: number[] = [];
    const migrated = dirs[dirs.length - 1] as string;
    for (let i = 0; i < RUNS; i++) existing.push(await timeOneStart(migrated));
    const samples = (values: number[]) => `runs: ${values.map((v) => v.toFixed(0)).join(', ')} ms`;
    return {
      benchmark: 'startup',
      metrics: [
        { name: 'spawn → /readyz 200, fresh data dir (median)', value: Math.round(median(fresh)), unit: 'ms', target: { op: '<=', value: TARGET_MS }, detail: samples(fresh) },
        { name: 'spawn → /readyz 200, migrated data dir (median)', value: Math.round(median(existing)), unit: 'ms', target: { op: '<=', value: TARGET_MS }, detail: samples(existing) },
      ],
      notes: ['node bin/firebreak.js serve (the compiled build npm start runs), SQLite in a temporary data directory'],
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await runStartupBenchmark());
