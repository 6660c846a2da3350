/**
 * Alert intake speed, against the issue's targets:
 *
 * - sustained Events API v2 triggers (`POST /v2/enqueue`) cycling over 1,000 dedup keys from 64
 *   keep-alive connections for 10 s after a 2 s warm-up: events/s (target ≥ 10,000 on SQLite), p50/p99
 *   latency, every answer outside 2xx and the server's CPU time per accepted event (Linux: /proc). Each
 *   202 is durable: the event, the alert change and its timeline are committed and on disk (SQLite WAL:
 *   the WAL synced after the commit, ADR 0021) before the answer is sent;
 * - Alertmanager webhook posts carrying 10 alerts each (`POST /integrations/alertmanager/{key}`):
 *   alerts/s. Each post flips one member between firing and resolved on every pass over the 1,000
 *   groups, so every post changes its alert (a post that changes nothing is a cheaper `duplicate`);
 * - the same requests against a bare `node:http` server answering Firebreak's 202 (same status,
 *   headers and body), in the same run, with the same generator: the ratio;
 * - a storm of 100,000 triggers over 100 dedup keys must leave exactly 100 open alerts (checked through
 *   `GET /api/v1/alerts?status=triggered`, every page) whose event counts add up to the accepted events;
 * - optionally (PostgreSQL binaries found, FIREBREAK_BENCH_POSTGRES not `0`) the Events API v2 figure
 *   on a throwaway PostgreSQL cluster (durable settings).
 *
 * The intake limit defaults to 6,000 events a minute per integration and per node
 * (FIREBREAK_INTAKE_RATE_LIMIT; a token bucket: bursts of 6,000, refilled at 100/s), far below the target. So the headline figures spread the load over many
 * integrations of one service (dedup is per service, so they all feed the same alerts), each within
 * its bucket; one run through a single integration shows what one sender gets (mostly 429s).
 *
 * Load comes from wrk with a Lua script (each request its own body) when wrk is installed, else from a
 * Node generator written next to the data (FIREBREAK_BENCH_LOADGEN=node forces it).
 *
 *   node --import tsx bench/intake.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTool } from './lib/load.js';
import { isMain, printResult, repoRoot, type BenchResult, type Metric } from './lib/report.js';
import { ensureServerBuild, freePort, freshDataDir, rssMb, startFirebreak, stopProcess, type RunningServer } from './lib/server.js';

const CONNECTIONS = 64;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const SINGLE_SECONDS = 5;
const DEDUP_KEYS = 1000;
const AM_GROUPS = 1000;
const AM_ALERTS_PER_POST = 10;
/** Integrations the headline load is spread over: 128 buckets of 6,000 hold 12 s at 60,000/s. */
const SPREAD_INTEGRATIONS = 128;
const STORM_EVENTS = 100_000;
const STORM_KEYS = 100;
/** Storm integrations: 40 buckets of 6,000 = 240,000 events, so the storm is never throttled. */
const STORM_INTEGRATIONS = 40;
/** The storm's time limit (FIREBREAK_BENCH_STORM_SECONDS overrides it): keeps the whole run near 3 minutes. */
const STORM_TIME_LIMIT_S = Number(process.env.FIREBREAK_BENCH_STORM_SECONDS ?? 60);
const TARGET_EVENTS_PER_SECOND = 10_000;

type Kind = 'events' | 'alertmanager';
type Tool = 'wrk' | 'node';

interface Run {
  tool: Tool;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  /** Answers by status code (0: connection errors). */
  statuses: Record<string, number>;
  socketErrors: number;
}

const non2xx = (r: Run) => Object.entries(r.statuses).reduce((sum, [code, n]) => (Number(code) >= 200 && Number(code) < 300 ? sum : sum + n), 0) + r.socketErrors;
const ok2xx = (r: Run) => Object.entries(r.statuses).reduce((sum, [code, n]) => (Number(code) >= 200 && Number(code) < 300 ? sum + n : sum), 0);
const statusText = (r: Run) =>
  Object.entries(r.statuses)
    .sort()
    .map(([code, n]) => `${code}×${n}`)
    .join(', ') + (r.socketErrors ? `, socket errors ${r.socketErrors}` : '');
const latencyText = (r: Run) => `p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms; ${r.requests} requests in ${r.seconds.toFixed(1)} s; answers ${statusText(r)}`;

// ---------------------------------------------------------------------------------------------------
// Request bodies: the Lua script (wrk) and the Node generator build the very same ones.

const luaList = (keys: string[]) => `{${keys.map((k) => `"${k}"`).join(',')}}`;

/** A wrk script: request() builds each body, response() counts statuses, done() prints them. */
function luaScript(kind: Kind, keys: string[], dedupKeys: number): string {
  const common = `
local keys = ${luaList(keys)}
local threads = {}
n = 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  n = 0
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + count end
  end
  for code, count in pairs(total) do io.write(string.format("status %d %d\\n", code, count)) end
end
local headers = { ["Content-Type"] = "application/json" }
`;
  if (kind === 'events') {
    return `${common}
function request()
  n = n + 1
  local i = (n * 2 + tid)
  local k = i % ${dedupKeys}
  local body = '{"routing_key":"' .. keys[(i % #keys) + 1] .. '","event_action":"trigger","dedup_key":"bench-' .. k .. '","payload":{"summary":"Bench event ' .. k .. ' is failing","source":"bench-host-' .. k .. '","severity":"error","custom_details":{"value":' .. i .. '}}}'
  return wrk.format("POST", "/v2/enqueue", headers, body)
end
`;
  }
  return `${common}
function request()
  n = n + 1
  local i = (n * 2 + tid)
  local g = i % ${AM_GROUPS}
  local flip = math.floor(i / ${AM_GROUPS}) % 2 == 1
  local members = {}
  for m = 0, ${AM_ALERTS_PER_POST - 1} do
    local resolved = (m == 0 and flip)
    members[#members + 1] = '{"status":"' .. (resolved and 'resolved' or 'firing') .. '","labels":{"alertname":"Bench' .. g .. '","instance":"host-' .. m .. '","severity":"warning"},"annotations":{"summary":"Bench group ' .. g .. '"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"' .. (resolved and '2026-01-01T00:05:00Z' or '0001-01-01T00:00:00Z') .. '","generatorURL":"http://prometheus.example:9090/graph","fingerprint":"' .. string.format('%08x%08x', g, m) .. '"}'
  end
  local body = '{"version":"4","groupKey":"{}:{alertname=Bench' .. g .. '}","status":"firing","receiver":"firebreak","groupLabels":{"alertname":"Bench' .. g .. '"},"commonLabels":{"alertname":"Bench' .. g .. '","severity":"warning"},"commonAnnotations":{"summary":"Bench group ' .. g .. '"},"externalURL":"http://alertmanager.example:9093","alerts":[' .. table.concat(members, ',') .. ']}'
  return wrk.format("POST", "/integrations/alertmanager/" .. keys[(i % #keys) + 1], headers, body)
end
`;
}

/** The Node generator: the same bodies as the Lua script; a time limit and, for the storm, an exact count. */
const NODE_GENERATOR = String.raw`
import { Agent, request } from 'node:http';
const cfg = JSON.parse(process.argv[2]);
const url = new URL(cfg.url);
const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections, maxFreeSockets: cfg.connections });
const statuses = {};
let errors = 0, answered = 0, next = 0;
const samples = [];
function make(i) {
  const keys = cfg.keys;
  if (cfg.kind === 'events') {
    const k = i % cfg.dedupKeys;
    return { path: '/v2/enqueue', body: '{"routing_key":"' + keys[i % keys.length] + '","event_action":"trigger","dedup_key":"bench-' + k + '","payload":{"summary":"Bench event ' + k + ' is failing","source":"bench-host-' + k + '","severity":"error","custom_details":{"value":' + i + '}}}' };
  }
  const g = i % ${AM_GROUPS};
  const flip = Math.floor(i / ${AM_GROUPS}) % 2 === 1;
  const hex = (v) => v.toString(16).padStart(8, '0');
  const members = [];
  for (let m = 0; m < ${AM_ALERTS_PER_POST}; m++) {
    const resolved = m === 0 && flip;
    members.push('{"status":"' + (resolved ? 'resolved' : 'firing') + '","labels":{"alertname":"Bench' + g + '","instance":"host-' + m + '","severity":"warning"},"annotations":{"summary":"Bench group ' + g + '"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"' + (resolved ? '2026-01-01T00:05:00Z' : '0001-01-01T00:00:00Z') + '","generatorURL":"http://prometheus.example:9090/graph","fingerprint":"' + hex(g) + hex(m) + '"}');
  }
  return { path: '/integrations/alertmanager/' + keys[i % keys.length], body: '{"version":"4","groupKey":"{}:{alertname=Bench' + g + '}","status":"firing","receiver":"firebreak","groupLabels":{"alertname":"Bench' + g + '"},"commonLabels":{"alertname":"Bench' + g + '","severity":"warning"},"commonAnnotations":{"summary":"Bench group ' + g + '"},"externalURL":"http://alertmanager.example:9093","alerts":[' + members.join(',') + ']}' };
}
function once(i) {
  const { path, body } = make(i);
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({ agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if ((++answered & 15) === 0) samples.push(performance.now() - started);
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
}
const started = performance.now();
const deadline = started + cfg.seconds * 1000;
await Promise.all(Array.from({ length: cfg.connections }, async () => {
  while (performance.now() < deadline && (cfg.total === undefined || next < cfg.total)) await once(next++);
}));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
samples.sort((a, b) => a - b);
const pct = (p) => (samples.length ? samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] : 0);
process.stdout.write(JSON.stringify({ requests: answered + errors, sent: next, statuses, errors, seconds, latencyMs: { p50: pct(50), p99: pct(99) } }) + '\n');
`;

// ---------------------------------------------------------------------------------------------------
// Running the load.

function runProcess(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}:\n${out}${err}`))));
  });
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);

function parseWrk(output: string): Run {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output);
  if (!rps || !total) throw new Error(`cannot read wrk output:\n${output}`);
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return m ? toMs(m[1] as string, m[2] as string) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const statuses: Record<string, number> = {};
  for (const m of output.matchAll(/^status (\d+) (\d+)$/gm)) statuses[m[1] as string] = Number(m[2]);
  const seconds = (total[3] === 'm' ? 60 : total[3] === 's' ? 1 : total[3] === 'ms' ? 1e-3 : 1e-6) * Number(total[2]);
  return {
    tool: 'wrk',
    requests: Number(total[1]),
    seconds,
    requestsPerSecond: Number(rps[1]),
    latencyMs: { p50: latency('50'), p99: latency('99') },
    statuses,
    // --timeout 30s: a slow answer counts in the latencies rather than as a wrk timeout.
    socketErrors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) + Number(socket[4]) : 0,
  };
}

interface LoadSpec {
  url: string;
  kind: Kind;
  keys: string[];
  dedupKeys?: number;
  seconds: number;
  connections?: number;
  /** Stop after this many requests (Node generator only). */
  total?: number;
}

async function load(work: string, tool: Tool, spec: LoadSpec): Promise<Run> {
  const connections = spec.connections ?? CONNECTIONS;
  const dedupKeys = spec.dedupKeys ?? DEDUP_KEYS;
  if (tool === 'wrk' && spec.total === undefined) {
    const script = join(work, `${spec.kind}-${spec.keys.length}-${dedupKeys}.lua`);
    writeFileSync(script, luaScript(spec.kind, spec.keys, dedupKeys));
    return parseWrk(await runProcess('wrk', ['-t2', `-c${connections}`, `-d${spec.seconds}s`, '--timeout', '30s', '--latency', '-s', script, spec.url]));
  }
  const generator = join(work, 'generator.mjs');
  writeFileSync(generator, NODE_GENERATOR);
  const out = await runProcess(process.execPath, [generator, JSON.stringify({ url: spec.url, kind: spec.kind, keys: spec.keys, dedupKeys, seconds: spec.seconds, connections, total: spec.total })]);
  const parsed = JSON.parse(out.trim().split('\n').pop() as string) as { requests: number; statuses: Record<string, number>; errors: number; seconds: number; latencyMs: { p50: number; p99: number } };
  return { tool: 'node', requests: parsed.requests, seconds: parsed.seconds, requestsPerSecond: parsed.requests / parsed.seconds, latencyMs: parsed.latencyMs, statuses: parsed.statuses, socketErrors: parsed.errors };
}

// ---------------------------------------------------------------------------------------------------
// Setting up: an owner token (CLI), services and integrations (API).

function createOwnerToken(dataDir: string, env: Record<string, string>): string {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'bin', 'firebreak.js'), 'user', 'create', '--owner', '--handle', 'bench', '--name', 'Bench Owner', '--email', 'bench@example.test', '--time-zone', 'UTC', '--with-token'],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env } },
  );
  const token = /^(fbk_\S+)$/m.exec(result.stdout)?.[1];
  if (result.status !== 0 || !token) throw new Error(`firebreak user create failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return token;
}

async function api<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function createService(base: string, token: string, handle: string, integrations: Array<{ type: 'events-v2' | 'alertmanager'; count: number }>): Promise<Record<string, string[]>> {
  await api(base, token, 'POST', '/api/v1/services', { handle, name: `Bench ${handle}` });
  const keys: Record<string, string[]> = {};
  for (const { type, count } of integrations) {
    const list: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await api<{ key: string }>(base, token, 'POST', `/api/v1/services/${handle}/integrations`, { type, name: `${type} ${i + 1}` });
      list.push(created.key);
    }
    keys[type] = list;
  }
  return keys;
}

interface Captured {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}
const PER_CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** One POST; the answer as bare-server.ts replays it. */
function capturePost(url: string, body: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] as string;
          if (!PER_CONNECTION_HEADERS.has(name.toLowerCase())) headers.push([name, res.rawHeaders[i + 1] as string]);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

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

interface AlertPage {
  items: Array<{ id: string; dedupKey: string; status: string; eventCount: number }>;
  nextBefore: string | null;
}

/** Every triggered alert of a service, page by page. */
async function openAlerts(base: string, token: string, service: string): Promise<AlertPage['items']> {
  const all: AlertPage['items'] = [];
  let before: string | null = null;
  for (;;) {
    const page: AlertPage = await api<AlertPage>(base, token, 'GET', `/api/v1/alerts?service=${service}&status=triggered&limit=37${before ? `&before=${before}` : ''}`);
    all.push(...page.items);
    if (!page.nextBefore) return all;
    before = page.nextBefore;
  }
}

// ---------------------------------------------------------------------------------------------------

const round = (n: number) => Math.round(n);

/** CPU seconds a process has used (user + system, all its threads), from /proc; null elsewhere. */
function cpuSeconds(pid: number): number | null {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return null;
  const fields = (readFileSync(file, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
}

/** The headline Events API v2 figure on one running server (SQLite or PostgreSQL), with the server's CPU µs per accepted event. */
async function eventsThroughput(work: string, tool: Tool, server: RunningServer, keys: string[]): Promise<Run & { cpuUsPerEvent: number | null }> {
  const url = `${server.url}/v2/enqueue`;
  await load(work, tool, { url, kind: 'events', keys, seconds: WARMUP_SECONDS });
  const pid = server.child.pid as number;
  const before = cpuSeconds(pid);
  const run = await load(work, tool, { url, kind: 'events', keys, seconds: SECONDS });
  const after = cpuSeconds(pid);
  return { ...run, cpuUsPerEvent: before === null || after === null ? null : Math.round(((after - before) * 1e6) / Math.max(1, ok2xx(run))) };
}

/** The machine's load average when a figure was taken: other work on the machine moves the figures. */
const loadAverage = (): string => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown');

async function postgresFigure(work: string, tool: Tool): Promise<{ metric: Metric | null; note: string }> {
  if (process.env.FIREBREAK_BENCH_POSTGRES === '0') return { metric: null, note: 'PostgreSQL: skipped (FIREBREAK_BENCH_POSTGRES=0)' };
  const { findPostgresBin, startPostgres } = await import('../test/support/postgres.js');
  if (!findPostgresBin()) return { metric: null, note: 'PostgreSQL: skipped (no server binaries found)' };
  const pg = await startPostgres();
  const dir = freshDataDir();
  let server: RunningServer | null = null;
  try {
    const env = { DATABASE_URL: pg.url };
    const token = createOwnerToken(dir, env);
    server = await startFirebreak(dir, env);
    const keys = await createService(server.url, token, 'bench-pg', [{ type: 'events-v2', count: SPREAD_INTEGRATIONS }]);
    const run = await eventsThroughput(work, tool, server, keys['events-v2'] as string[]);
    return {
      metric: { name: 'PostgreSQL: Events v2 triggers', value: round(ok2xx(run) / run.seconds), unit: 'events/s', target: { op: '>=', value: TARGET_EVENTS_PER_SECOND }, detail: `${latencyText(run)}${run.cpuUsPerEvent === null ? '' : `; server CPU ${run.cpuUsPerEvent} µs per event (PostgreSQL's own not included)`}` },
      note: `PostgreSQL: a throwaway cluster from test/support/postgres.ts with durable settings (fsync on, synchronous_commit on), same load as SQLite; 5xx answers are faults on Firebreak's side (its log goes to stdout, which the bench does not keep)`,
    };
  } finally {
    if (server) await stopProcess(server.child);
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runIntakeBenchmark(): Promise<BenchResult> {
  ensureServerBuild();
  const dir = freshDataDir();
  const work = mkdtempSync(join(tmpdir(), 'firebreak-intake-bench-'));
  const tool: Tool = loadTool();
  const metrics: Metric[] = [];
  const notes: string[] = [];
  const token = createOwnerToken(dir, {});
  const firebreak = await startFirebreak(dir);
  let bare: { child: ChildProcess } | null = null;
  try {
    const base = firebreak.url;
    const bench = await createService(base, token, 'bench', [
      { type: 'events-v2', count: SPREAD_INTEGRATIONS },
      { type: 'alertmanager', count: SPREAD_INTEGRATIONS },
    ]);
    const single = await createService(base, token, 'bench-single', [{ type: 'events-v2', count: 1 }]);
    const storm = await createService(base, token, 'storm', [{ type: 'events-v2', count: STORM_INTEGRATIONS }]);
    const eventKeys = bench['events-v2'] as string[];
    const amKeys = bench.alertmanager as string[];

    // 1. Events API v2, spread over many integrations so no bucket runs dry.
    const loadBefore = loadAverage();
    const events = await eventsThroughput(work, tool, firebreak, eventKeys);
    const eventsPerSecond = ok2xx(events) / events.seconds;
    metrics.push({ name: 'Events v2 triggers, 1,000 keys, 64 conns', value: round(eventsPerSecond), unit: 'events/s', target: { op: '>=', value: TARGET_EVENTS_PER_SECOND }, detail: latencyText(events) });
    metrics.push({ name: 'Events v2 p50 latency', value: Math.round(events.latencyMs.p50 * 100) / 100, unit: 'ms' });
    metrics.push({ name: 'Events v2 p99 latency', value: Math.round(events.latencyMs.p99 * 100) / 100, unit: 'ms' });
    metrics.push({ name: 'Events v2 answers outside 2xx', value: non2xx(events), unit: '', target: { op: '<=', value: 0 } });
    if (events.cpuUsPerEvent !== null) metrics.push({ name: 'Events v2 server CPU per event', value: events.cpuUsPerEvent, unit: 'µs', detail: `user + system time of the server process (all threads) over the measured ${SECONDS} s; load average before: ${loadBefore}` });

    // 2. The same load through one integration: what a single sender gets under the per-integration limit.
    const singleUrl = `${base}/v2/enqueue`;
    const singleRun = await load(work, tool, { url: singleUrl, kind: 'events', keys: single['events-v2'] as string[], seconds: SINGLE_SECONDS });
    const throttled = singleRun.statuses['429'] ?? 0;
    metrics.push({
      name: 'one integration: events accepted',
      value: round(ok2xx(singleRun) / singleRun.seconds),
      unit: 'events/s',
      detail: `${ok2xx(singleRun)} accepted and ${throttled} answered 429 of ${singleRun.requests} in ${singleRun.seconds.toFixed(1)} s (${((100 * throttled) / Math.max(1, singleRun.requests)).toFixed(1)}% throttled; ${latencyText(singleRun)})`,
    });

    // 3. Alertmanager posts of 10 alerts each.
    const amUrl = base; // the script adds /integrations/alertmanager/<key>
    await load(work, tool, { url: amUrl, kind: 'alertmanager', keys: amKeys, seconds: WARMUP_SECONDS });
    const am = await load(work, tool, { url: amUrl, kind: 'alertmanager', keys: amKeys, seconds: SECONDS });
    const postsPerSecond = ok2xx(am) / am.seconds;
    metrics.push({ name: 'Alertmanager posts (10 alerts each)', value: round(postsPerSecond), unit: 'posts/s', detail: latencyText(am) });
    metrics.push({ name: 'Alertmanager alerts', value: round(postsPerSecond * AM_ALERTS_PER_POST), unit: 'alerts/s' });

    // 4. The bare node:http baseline: Firebreak's own 202, same requests, same generator.
    const sample = `{"routing_key":"${eventKeys[0]}","event_action":"trigger","dedup_key":"bench-0","payload":{"summary":"Bench event 0 is failing","source":"bench-host-0","severity":"error","custom_details":{"value":0}}}`;
    const response = await capturePost(`${base}/v2/enqueue`, sample);
    if (response.status !== 202) throw new Error(`/v2/enqueue answered ${response.status}: ${response.body}`);
    const baseline = await startBareServer(response);
    bare = baseline;
    await load(work, tool, { url: `${baseline.url}/v2/enqueue`, kind: 'events', keys: eventKeys, seconds: WARMUP_SECONDS });
    const bareRun = await load(work, tool, { url: `${baseline.url}/v2/enqueue`, kind: 'events', keys: eventKeys, seconds: SECONDS });
    await stopProcess(baseline.child);
    bare = null;
    metrics.push({ name: 'bare node:http, same 202', value: round(bareRun.requestsPerSecond), unit: 'req/s', detail: latencyText(bareRun) });
    metrics.push({ name: 'Events v2 / bare node:http', value: Math.round((eventsPerSecond / bareRun.requestsPerSecond) * 1000) / 1000, unit: '' });

    // 5. The storm: 100,000 triggers over 100 keys, then exactly 100 open alerts.
    const stormRun = await load(work, 'node', { url: `${base}/v2/enqueue`, kind: 'events', keys: storm['events-v2'] as string[], dedupKeys: STORM_KEYS, seconds: STORM_TIME_LIMIT_S, total: STORM_EVENTS });
    const accepted = ok2xx(stormRun);
    const open = await openAlerts(base, token, 'storm');
    const distinct = new Set(open.map((a) => a.dedupKey)).size;
    const counted = open.reduce((sum, a) => sum + a.eventCount, 0);
    metrics.push({ name: 'storm: events accepted', value: accepted, unit: 'events', target: { op: '>=', value: STORM_EVENTS }, detail: `${stormRun.requests} requests in ${stormRun.seconds.toFixed(1)} s (${round(accepted / stormRun.seconds)} events/s, Node generator, ${CONNECTIONS} connections); answers ${statusText(stormRun)}` });
    metrics.push({ name: 'storm: open alerts', value: open.length, unit: 'alerts', target: { op: '<=', value: STORM_KEYS }, detail: `${distinct} distinct dedup keys; event counts add up to ${counted} (accepted: ${accepted})${counted === accepted ? '' : ' — MISMATCH'}` });
    metrics.push({ name: 'Firebreak RSS after the load', value: round(rssMb(firebreak.child.pid as number)), unit: 'MB' });

    notes.push(
      `${CONNECTIONS} keep-alive connections, ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up, load from ${tool === 'wrk' ? 'wrk -t2 with a Lua script building each body' : 'a Node generator (wrk not found or FIREBREAK_BENCH_LOADGEN=node)'}; server and generator share the machine`,
      `events/s counts 2xx answers only; every 2xx is committed and on disk before it is sent (SQLite WAL: each batch commits, then the WAL is fdatasync'd off the main thread before the answer, as every transaction does since ADR 0035)`,
      `load average when the Events v2 figure was taken: ${loadBefore} (2 cores; other work on the machine lowers every figure)`,
      `the per-integration limit (default 6,000/min per node, bursts of 6,000 then 100/s; FIREBREAK_INTAKE_RATE_LIMIT) caps one sender at ~100 events/s sustained; the headline spreads the load over ${SPREAD_INTEGRATIONS} integrations of one service (dedup is per service), the storm over ${STORM_INTEGRATIONS}; one integration alone would need ~${Math.round((STORM_EVENTS - 6000) / 100 / 60)} min for the storm`,
      `Alertmanager: ${AM_GROUPS} groups of ${AM_ALERTS_PER_POST} members; each pass flips one member, so every post changes its alert`,
    );
    if (stormRun.requests < STORM_EVENTS) {
      notes.push(`storm stopped at its ${STORM_TIME_LIMIT_S} s limit (FIREBREAK_BENCH_STORM_SECONDS) after ${stormRun.requests} of ${STORM_EVENTS} events; at ${round(accepted / stormRun.seconds)} events/s all of them would take ~${round(STORM_EVENTS / Math.max(1, accepted / stormRun.seconds))} s`);
    }
    if (open.length !== STORM_KEYS || distinct !== STORM_KEYS || counted !== accepted) notes.push(`storm check FAILED: ${open.length} open alerts (${distinct} distinct keys), event counts ${counted} vs ${accepted} accepted`);

    await stopProcess(firebreak.child);
    const pgFigure = await postgresFigure(work, tool).catch((error: unknown) => ({ metric: null, note: `PostgreSQL: failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` }));
    if (pgFigure.metric) metrics.push(pgFigure.metric);
    notes.push(pgFigure.note);
    return { benchmark: 'alert intake', metrics, notes };
  } finally {
    if (bare) await stopProcess(bare.child);
    await stopProcess(firebreak.child);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await runIntakeBenchmark());
