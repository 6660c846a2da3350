/**
 * Status pages under the traffic an outage brings (issue 7, "Speed"); reported, never asserted:
 *
 * 1. **Throughput and p99 at 64 connections** for `/status/<slug>/api/v2/summary.json` and the HTML
 *    page `/status/<slug>`, 10 s each after a 2 s warm-up, with the load tool the other benchmarks use
 *    (wrk when installed, else bench/lib/loadgen.ts; autocannon is not a dependency).
 * 2. **Baseline in the same run**: nginx is not installed on this machine, so the baseline is a bare
 *    `node:http` server (bench/lib/bare-server.ts) answering with exactly the bytes and headers
 *    Firebreak answered, from memory — the cost of a static file server minus the file system. The
 *    issue's target (≥ 50 % of nginx's requests/s) is reported against this baseline instead.
 * 3. **Propagation**: a component's status is changed through the API (real HTTP); the time until
 *    `summary.json` shows it, polled every 5 ms on fresh connections. CHANGES changes, p50/max. One
 *    node: a change on another node shows within STATUS_PAGE_RECHECK_MS (500 ms) more.
 *
 * Firebreak runs in this process on a SQLite file (the load generator and the baseline are separate
 * processes). The machine is shared (other work may be running): the load (`uptime`) is recorded and
 * figures are only comparable within one run.
 *
 *   node --import tsx bench/status-page.bench.ts     (FIREBREAK_BENCH_SECONDS=10, FIREBREAK_BENCH_CHANGES=20)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFirebreak } from '../src/server/main.js';
import { systemActor } from '../src/server/modules/audit/audit.repo.js';
import { loadConfig } from '../src/server/platform/config.js';
import { createLogger } from '../src/server/platform/logger.js';
import { generateLoad, loadTool, type LoadResult } from './lib/load.js';
import { isMain, median, printResult, repoRoot, sleep, type BenchResult, type Metric } from './lib/report.js';
import { freePort, stopProcess } from './lib/server.js';
import { capture, type Captured } from './lib/capture.js';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.FIREBREAK_BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const CHANGES = Number(process.env.FIREBREAK_BENCH_CHANGES ?? 20);


async function startBaseline(response: Captured): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'lib', 'bare-server.ts'), String(port)], {
    cwd: repoRoot,
    env: { ...process.env, FIREBREAK_BENCH_RESPONSE: JSON.stringify(response) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString('utf8').includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runStatusPageBenchmark(): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-bench-status-'));
  const port = await freePort();
  const config = { ...loadConfig({ PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', FIREBREAK_PUBLIC_RATE_LIMIT: '1000000', FIREBREAK_STATUS_PAGE_RATE_LIMIT: '100000000' }), fastPasswordHashing: true };
  const firebreak = await createFirebreak({ config, logger: createLogger('silent'), webRoot: null, secretKey: randomBytes(32) });
  const started = await firebreak.start();
  const base = started.url.replace('localhost', '127.0.0.1');
  const tool = loadTool();
  const metrics: Metric[] = [];
  const notes: string[] = [`load tool: ${tool}; ${CONNECTIONS} connections, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up`, 'baseline: nginx is not installed here; a bare node:http server answering the same bytes from memory stands in for it', `machine before: ${uptime()}`];
  const baselines: ChildProcess[] = [];
  try {
    const { catalog, auth, database } = firebreak.services;
    const acting = { actor: systemActor('bench'), principal: null };
    const user = await catalog.createUser(acting, { handle: 'ana', name: 'Ana', email: 'ana@example.test', timeZone: 'UTC', role: 'admin' });
    const token = await auth.createTokenForUser(database.db, await catalog.requireUser(database.db, user.id), 'bench', systemActor('bench'));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const api = async (method: string, path: string, body: unknown) => {
      const res = await capture(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.body}`);
      return JSON.parse(res.body) as { id: string };
    };
    await api('POST', '/api/v1/status-pages', { slug: 'acme', name: 'Acme Cloud', timeZone: 'Europe/Lisbon' });
    const ids: string[] = [];
    for (const group of ['Platform', 'Data', 'Edge']) {
      const g = await api('POST', '/api/v1/status-pages/acme/components', { name: group, group: true });
      for (const name of ['API', 'Dashboard', 'Webhooks', 'Workers']) ids.push((await api('POST', '/api/v1/status-pages/acme/components', { name: `${group} ${name}`, groupId: g.id, description: `The ${name.toLowerCase()} of ${group}` })).id);
    }
    for (let i = 0; i < 10; i++) await api('POST', '/api/v1/status-pages/acme/incidents', { name: `Past incident ${i}`, status: 'resolved', impact: 'minor', body: 'Resolved after a short while.' });
    await api('POST', '/api/v1/status-pages/acme/incidents', { name: 'Elevated API errors', impact: 'major', body: 'We are investigating.', components: [{ component: ids[0], status: 'partial_outage' }] });
    await sleep(100);

    const targets: Array<[string, string]> = [
      ['summary.json', '/status/acme/api/v2/summary.json'],
      ['HTML page', '/status/acme'],
    ];
    for (const [label, path] of targets) {
      const captured = await capture(`${base}${path}`);
      if (captured.status !== 200) throw new Error(`${path} answered ${captured.status}`);
      const baseline = await startBaseline(captured);
      baselines.push(baseline.child);
      await generateLoad(`${base}${path}`, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, tool });
      const ours: LoadResult = await generateLoad(`${base}${path}`, { connections: CONNECTIONS, seconds: SECONDS, tool });
      await generateLoad(`${baseline.url}/`, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, tool });
      const theirs: LoadResult = await generateLoad(`${baseline.url}/`, { connections: CONNECTIONS, seconds: SECONDS, tool });
      await stopProcess(baseline.child);
      metrics.push(
        { name: `${label}: requests/s`, value: Math.round(ours.requestsPerSecond), unit: 'req/s', detail: `${Buffer.byteLength(captured.body)} bytes; ${ours.failures} failures` },
        { name: `${label}: baseline requests/s`, value: Math.round(theirs.requestsPerSecond), unit: 'req/s', detail: 'bare node:http, same bytes from memory' },
        { name: `${label}: share of baseline`, value: round((ours.requestsPerSecond / theirs.requestsPerSecond) * 100), unit: '%', target: { op: '>=', value: 50 } },
        { name: `${label}: p99 latency`, value: round(ours.latencyMs.p99, 2), unit: 'ms', target: { op: '<=', value: 20 }, detail: `p50 ${round(ours.latencyMs.p50, 2)} ms; baseline p99 ${round(theirs.latencyMs.p99, 2)} ms` },
      );
    }

    // Propagation: API change → visible in summary.json.
    const delays: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const status = i % 2 === 0 ? 'major_outage' : 'operational';
      const component = ids[1] as string;
      const t0 = performance.now();
      await api('PATCH', `/api/v1/status-pages/acme/components/${component}`, { status });
      for (;;) {
        const res = await capture(`${base}/status/acme/api/v2/summary.json`);
        const summary = JSON.parse(res.body) as { components: { id: string; status: string }[] };
        if (summary.components.find((c) => c.id === component)?.status === status) break;
        if (performance.now() - t0 > 10_000) throw new Error('a status change did not show within 10 s');
        await sleep(5);
      }
      delays.push(performance.now() - t0);
    }
    metrics.push(
      { name: 'status change → summary.json (p50)', value: round(median(delays), 1), unit: 'ms', target: { op: '<=', value: 1000 }, detail: `${CHANGES} changes through the API, including the API call itself` },
      { name: 'status change → summary.json (max)', value: round(Math.max(...delays), 1), unit: 'ms', target: { op: '<=', value: 1000 } },
    );
    notes.push(`machine after: ${uptime()}`);
  } finally {
    for (const child of baselines) await stopProcess(child);
    await firebreak.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { benchmark: 'status page', metrics, notes };
}

if (isMain(import.meta.url)) printResult(await runStatusPageBenchmark());
