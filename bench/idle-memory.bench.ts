/**
 * Idle memory: the resident set size of a started Firebreak process (`node bin/firebreak.js serve` on
 * SQLite) once ready, and again after 10 s with no requests, read from /proc/<pid>/status (VmRSS).
 *
 *   node --import tsx bench/idle-memory.bench.ts
 */
import { rmSync } from 'node:fs';
import { isMain, printResult, sleep, type BenchResult } from './lib/report.js';
import { ensureServerBuild, freshDataDir, rssMb, startFirebreak, stopProcess } from './lib/server.js';

const IDLE_MS = 10_000;
const TARGET_MB = 150;

export async function runIdleMemoryBenchmark(): Promise<BenchResult> {
  ensureServerBuild();
  const dir = freshDataDir();
  try {
    const server = await startFirebreak(dir);
    const pid = server.child.pid as number;
    try {
      const atReady = rssMb(pid);
      await sleep(IDLE_MS);
      const idle = rssMb(pid);
      const peak = rssMb(pid, 'VmHWM');
      return {
        benchmark: 'idle memory',
        metrics: [
          { name: 'RSS when ready', value: Math.round(atReady), unit: 'MB' },
          { name: `RSS after ${IDLE_MS / 1000} s idle`, value: Math.round(idle), unit: 'MB', target: { op: '<=', value: TARGET_MB } },
          { name: 'peak RSS (VmHWM)', value: Math.round(peak), unit: 'MB' },
        ],
        notes: ['VmRSS of the server process itself (bin/firebreak.js imports dist/ in-process)'],
      };
    } finally {
      await stopProcess(server.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await runIdleMemoryBenchmark());
