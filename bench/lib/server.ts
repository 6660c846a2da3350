import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sleep } from './report.js';

/** The newest modification time of the server's sources (what `npm run build:server` compiles). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path === join(repoRoot, 'src', 'web')) continue;
      newest = Math.max(newest, newestSourceMtime(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Makes sure `dist/` holds a server build at least as new as `src/`, building it (`npm run build:server`,
 * about 10 s) when it is missing or stale. `npm start` runs the build, so that is what we measure.
 */
export function ensureServerBuild(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  const entry = join(repoRoot, 'dist', 'cli', 'main.js');
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (built >= newestSourceMtime(join(repoRoot, 'src'))) return;
  log(built ? 'dist/ is older than src/: running npm run build:server' : 'dist/ is missing: running npm run build:server');
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    // tsc still emits on type errors; a build that emitted the entry point is usable for timing.
    if (!existsSync(entry)) throw new Error(`npm run build:server failed:\n${result.stdout}${result.stderr}`);
    log(`warning: the server build reported errors; measuring what it emitted:\n${(result.stdout + result.stderr).trim().split('\n').slice(0, 10).join('\n')}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'firebreak-bench-'));
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the first 200 on /readyz. */
  readyMs: number;
  stderr(): string;
}

/** One GET with a fresh connection; resolves with the status (0 when the connection failed). */
export function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * Starts `node bin/firebreak.js serve` (what `npm start` runs) on a free port and waits for /readyz to
 * answer 200, polling every 5 ms. The time is measured from just before the spawn.
 */
export async function startFirebreak(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // FIREBREAK_BENCH_NODE_ARGS: extra Node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
  // (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.FIREBREAK_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'bin', 'firebreak.js'), 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  for (;;) {
    if ((await getStatus(`${url}/readyz`)) === 200) break;
    if (child.exitCode !== null) throw new Error(`firebreak serve exited with ${child.exitCode} before it was ready:\n${stderr}`);
    if (performance.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`firebreak serve was not ready within 60 s:\n${stderr}`);
    }
    await sleep(5);
  }
  return { child, url, readyMs: performance.now() - started, stderr: () => stderr };
}

/** SIGTERM, then wait for the exit (SIGKILL after 15 s). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS, or VmHWM for the peak). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}
