import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

/** Small measuring helpers shared by the benchmarks. */

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** The machine's load, for the notes of a result (benchmarks on a busy machine say so). */
export const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
};

/** The nearest-rank percentile `p` (0–100) of `values`; NaN when there are none. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
};

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** A timestamped progress line on stderr (the results table goes to stdout). */
export const progress = (line: string): void => {
  process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));
