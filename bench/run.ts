/**
 * `npm run bench`: runs every benchmark in turn, prints one summary table and writes the figures to
 * bench/results/latest.json. Benchmarks report numbers against targets; they never fail on them.
 * Each one also runs alone: `node --import tsx bench/<name>.bench.ts`.
 */
import { runHealthzThroughputBenchmark } from './healthz-throughput.bench.js';
import { runIdleMemoryBenchmark } from './idle-memory.bench.js';
import { runIncidentPageBenchmark } from './incident-page.bench.js';
import { runIntakeBenchmark } from './intake.bench.js';
import { printResult, renderTable, writeResults, type BenchResult } from './lib/report.js';
import { runOncallBenchmark } from './oncall.bench.js';
import { runPagingBenchmark } from './paging.bench.js';
import { runPostmortemsBenchmark } from './postmortems.bench.js';
import { ensureServerBuild } from './lib/server.js';
import { runStartupBenchmark } from './startup.bench.js';
import { runStatusPageBenchmark } from './status-page.bench.js';

const benchmarks: Array<[string, () => Promise<BenchResult>]> = [
  ['startup', runStartupBenchmark],
  ['idle memory', runIdleMemoryBenchmark],
  ['GET /healthz throughput', runHealthzThroughputBenchmark],
  ['on-call', runOncallBenchmark],
  ['alert intake', runIntakeBenchmark],
  ['paging', runPagingBenchmark],
  ['incident page', runIncidentPageBenchmark],
  ['status page', runStatusPageBenchmark],
  ['postmortems', runPostmortemsBenchmark],
];

ensureServerBuild((line) => process.stdout.write(`${line}\n`));
const results: BenchResult[] = [];
for (const [name, run] of benchmarks) {
  process.stdout.write(`\n▶ ${name}\n`);
  const result = await run();
  printResult(result);
  results.push(result);
}
process.stdout.write(`\nSummary\n\n${renderTable(results)}\n`);
process.stdout.write(`\nWritten to ${writeResults(results)}\n`);
