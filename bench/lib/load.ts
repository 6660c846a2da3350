import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './report.js';

export interface LoadResult {
  tool: 'wrk' | 'node';
  requests: number;
  requestsPerSecond: number;
  /** Responses outside 2xx plus connection errors. */
  failures: number;
  latencyMs: { p50: number; p99: number };
}

/** `wrk` when it is on PATH (and FIREBREAK_BENCH_LOADGEN is not `node`), else the Node generator. */
export function loadTool(): 'wrk' | 'node' {
  if (process.env.FIREBREAK_BENCH_LOADGEN === 'node') return 'node';
  return spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim() ? 'wrk' : 'node';
}

function run(command: string, args: string[]): Promise<string> {
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

function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in/.exec(output);
  if (!rps || !total) throw new Error(`cannot read wrk output:\n${output}`);
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return m ? toMs(m[1] as string, m[2] as string) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { tool: 'wrk', requests: Number(total[1]), requestsPerSecond: Number(rps[1]), failures: non2xx + errors, latencyMs: { p50: latency('50'), p99: latency('99') } };
}

/**
 * Closed-loop load on one URL from its own process: `connections` keep-alive connections for `seconds`.
 * The generator never shares a process with the server it measures.
 */
export async function generateLoad(url: string, options: { connections: number; seconds: number; tool?: 'wrk' | 'node' }): Promise<LoadResult> {
  const tool = options.tool ?? loadTool();
  if (tool === 'wrk') {
    return parseWrk(await run('wrk', ['-t2', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', url]));
  }
  const out = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'lib', 'loadgen.ts'), url, String(options.connections), String(options.seconds)]);
  const parsed = JSON.parse(out.trim().split('\n').pop() as string) as { requests: number; non2xx: number; errors: number; requestsPerSecond: number; latencyMs: { p50: number; p99: number } };
  return { tool: 'node', requests: parsed.requests, requestsPerSecond: parsed.requestsPerSecond, failures: parsed.non2xx + parsed.errors, latencyMs: parsed.latencyMs };
}
