import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (bench/lib/../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One measured number. `target` is the figure we aim for; benchmarks report it, they never fail on it. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  target?: { op: '<=' | '>='; value: number };
  /** The individual samples or anything else worth keeping beside the headline number. */
  detail?: string;
}

export interface BenchResult {
  benchmark: string;
  metrics: Metric[];
  notes: string[];
}

const format = (value: number, unit: string) => `${Number.isInteger(value) ? value : value.toFixed(value >= 100 ? 0 : 2)} ${unit}`.trim();

function targetCell(metric: Metric): [string, string] {
  if (!metric.target) return ['', ''];
  const met = metric.target.op === '<=' ? metric.value <= metric.target.value : metric.value >= metric.target.value;
  return [`${metric.target.op} ${format(metric.target.value, metric.unit)}`, met ? 'yes' : 'NO'];
}

/** A plain fixed-width table: benchmark | metric | value | target | met. */
export function renderTable(results: BenchResult[]): string {
  const rows = results.flatMap((r) => r.metrics.map((m) => [r.benchmark, m.name, format(m.value, m.unit), ...targetCell(m)]));
  const header = ['benchmark', 'metric', 'value', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function printResult(result: BenchResult): void {
  process.stdout.write(`\n${renderTable([result])}\n`);
  for (const metric of result.metrics) if (metric.detail) process.stdout.write(`  ${metric.name}: ${metric.detail}\n`);
  for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
}

/** Writes `bench/results/<file>` with the results and what they were measured on. */
export function writeResults(results: BenchResult[], file = 'latest.json'): string {
  const path = join(repoRoot, 'bench', 'results', file);
  mkdirSync(dirname(path), { recursive: true });
  const cpu = cpus();
  const document = { measuredAt: new Date().toISOString(), node: process.version, cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', results };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

/** True when the module at `url` is the script node was started with (so each benchmark runs alone too). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && url === pathToFileURL(resolve(entry)).href;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
