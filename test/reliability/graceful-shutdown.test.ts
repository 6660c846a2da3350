import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/postgres.js';
import { spawnTs, type Child } from './support/processes.js';

/**
 * The real `firebreak serve` process, started from source the way `npm run dev` does: it becomes ready,
 * and on SIGTERM (what Kubernetes, systemd and Docker send) it stops cleanly with exit code 0 within
 * the shutdown timeout, even with a keep-alive client still connected, logging JSON lines throughout.
 */

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** One GET over `agent`, resolving with the status and body. */
function get(url: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls /readyz until it answers 200. Connection refused while the server starts is expected. */
async function waitUntilReady(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await get(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (child.process.exitCode !== null) throw new Error(`firebreak serve exited early (${child.process.exitCode}):\n${child.stdout()}\n${child.stderr()}`);
    if (performance.now() > deadline) throw new Error(`/readyz never answered 200 within ${timeoutMs} ms (last status ${status}):\n${child.stdout()}\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('firebreak serve as a real process', () => {
  let dataDir: string;
  let child: Child;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'firebreak-serve-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawnTs('src/cli/main.ts', ['serve'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      FIREBREAK_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      FIREBREAK_SHUTDOWN_TIMEOUT_MS: '10000',
      DATABASE_URL: '',
    });
    await waitUntilReady(url, child);
  });

  afterAll(async () => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 within 10 s of SIGTERM while a keep-alive client holds a connection open', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(`${url}/healthz`, agent)).status).toBe(200);
      const started = performance.now();
      child.process.kill('SIGTERM');
      const exit = await Promise.race([child.exited(), new Promise<'timeout'>((resolve) => setTimeout(resolve, 10_000, 'timeout'))]);
      expect(exit, `stdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`).toEqual({ code: 0, signal: null });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(child.stderr()).not.toMatch(/shutdown took longer|error while stopping/);
    } finally {
      agent.destroy();
    }
    await expect(get(`${url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('logged JSON lines with upper-case level names, from start-up to the last line of shutdown', () => {
    const jsonLines = child
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: unknown; time: unknown; service: unknown; msg: unknown });
    expect(jsonLines.length).toBeGreaterThan(0);
    for (const line of jsonLines) {
      expect(LEVELS).toContain(line.level);
      expect(line.service).toBe('firebreak');
      expect(typeof line.time === 'string' && !Number.isNaN(Date.parse(line.time))).toBe(true);
    }
    const messages = jsonLines.map((line) => `${String(line.level)} ${String(line.msg)}`);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^INFO Firebreak is listening on http:\/\/127\.0\.0\.1:\d+$/), 'INFO received SIGTERM: shutting down', 'INFO stopped']));
    expect(jsonLines.filter((line) => line.level === 'ERROR' || line.level === 'FATAL')).toEqual([]);
    // Anything else on stdout is the human start-up banner (URL, first-run link), never a stray log format.
    const other = child.stdout().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
    for (const line of other) expect(line).toMatch(/^(Firebreak is running at |No accounts yet| {2}http:\/\/|\(or run: npx firebreak user create --owner\))/);
  });
});
