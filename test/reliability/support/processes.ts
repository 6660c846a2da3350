import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `node --import tsx` finds tsx and the sources. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when a stdout line satisfies `match`; rejects if the process exits first or `timeoutMs` passes. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code and signal (at once if it has already exited). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a TypeScript entry point of this repository as a real child process (`node --import tsx`). */
export function spawnTs(entry: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lineWaiters = new Set<() => void>();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitWaiters: Array<(value: { code: number | null; signal: NodeJS.Signals | null }) => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const check of lineWaiters) check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    for (const resolve of exitWaiters) resolve(exit);
    for (const check of lineWaiters) check();
  });

  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitForLine(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no matching line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const finish = (error: Error | null, line?: string) => {
          clearTimeout(timer);
          lineWaiters.delete(check);
          if (error) reject(error);
          else resolve(line as string);
        };
        const check = () => {
          const line = out.split('\n').find(match);
          if (line !== undefined) finish(null, line);
          else if (exit) finish(new Error(`process exited (${exit.code ?? exit.signal}) before a matching line; stdout:\n${out}\nstderr:\n${err}`));
        };
        lineWaiters.add(check);
        check();
      });
    },
    exited() {
      if (exit) return Promise.resolve(exit);
      return new Promise((resolve) => exitWaiters.push(resolve));
    },
  };
}
