/**
 * GET /healthz throughput: Firebreak against a bare `node:http` server answering the very same bytes
 * (status, headers, body), each in its own process, loaded in the same run by the same generator
 * (wrk when installed, else bench/lib/loadgen.ts) with 64 keep-alive connections for 10 s. The ratio
 * is the figure to watch: the machines are shared and noisy, so absolute numbers vary between runs.
 *
 *   node --import tsx bench/healthz-throughput.bench.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateLoad, loadTool, type LoadResult } from './lib/load.js';
import { isMain, printResult, repoRoot, type BenchResult } from './lib/report.js';
import { ensureServerBuild, freePort, freshDataDir, rssMb, startFirebreak, stopProcess } from './lib/server.js';
import { capture, type Captured } from './lib/capture.js';

const CONNECTIONS = 64;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const TARGET_RATIO = 0.6;
/** Added by node:http itself on every response, so the bare server must not send its own copy. */


async function startBareServer(response: Captured): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'lib', 'bare-server.ts'), String(port)], {
    cwd: repoRoot,
    env: { ...process.env, FIREBREAK_BENCH_RESPONSE: JSON.stringify(response) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString('utf8').includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export async function runHealthzThroughputBenchmark(): Promise<BenchResult> {
  ensureServerBuild();
  const dir = freshDataDir();
  const tool = loadTool();
  const firebreak = await startFirebreak(dir);
  let bare: { child: ChildProcess } | null = null;
  try {
    const healthz = `${firebreak.url}/healthz`;
    const response = await capture(healthz);
    if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
    const baseline = await startBareServer(response);
    bare = baseline;
    const same = await capture(`${baseline.url}/healthz`);
    if (JSON.stringify(same) !== JSON.stringify(response)) throw new Error(`the bare server does not answer the same bytes:\n${JSON.stringify(response)}\n${JSON.stringify(same)}`);

    // Warm both up (JIT, connection pools, SQLite page cache) before measuring either.
    await generateLoad(healthz, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, tool });
    await generateLoad(`${baseline.url}/healthz`, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, tool });

    const bareResult: LoadResult = await generateLoad(`${baseline.url}/healthz`, { connections: CONNECTIONS, seconds: SECONDS, tool });
    const firebreakResult: LoadResult = await generateLoad(healthz, { connections: CONNECTIONS, seconds: SECONDS, tool });
    const rssAfterLoad = rssMb(firebreak.child.pid as number);
    const ratio = firebreakResult.requestsPerSecond / bareResult.requestsPerSecond;
    const latency = (r: LoadResult) => `p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms, ${r.requests} requests, ${r.failures} failures`;
    return {
      benchmark: 'GET /healthz',
      metrics: [
        { name: 'bare node:http, same bytes', value: Math.round(bareResult.requestsPerSecond), unit: 'req/s', detail: latency(bareResult) },
        { name: 'Firebreak', value: Math.round(firebreakResult.requestsPerSecond), unit: 'req/s', detail: latency(firebreakResult) },
        { name: 'Firebreak / bare node:http', value: Math.round(ratio * 1000) / 1000, unit: '', target: { op: '>=', value: TARGET_RATIO } },
        { name: 'Firebreak RSS after the load', value: Math.round(rssAfterLoad), unit: 'MB' },
      ],
      notes: [
        `${CONNECTIONS} keep-alive connections, ${SECONDS} s each after a ${WARMUP_SECONDS} s warm-up, load from ${tool === 'wrk' ? 'wrk -t2' : `bench/lib/loadgen.ts (${process.env.FIREBREAK_BENCH_LOADGEN === 'node' ? 'FIREBREAK_BENCH_LOADGEN=node' : 'wrk not found'})`}; servers and generator share the machine`,
        `response: ${response.headers.length} headers + ${Buffer.byteLength(response.body)}-byte body`,
      ],
    };
  } finally {
    if (bare) await stopProcess(bare.child);
    await stopProcess(firebreak.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await runHealthzThroughputBenchmark());
