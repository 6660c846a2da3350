import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresUrl } from '../support/databases.js';
import { createTestDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * /readyz is what a load balancer and an orchestrator act on: 200 with every check passing while the
 * node can serve, 503 naming `database` the moment the database is gone, so traffic moves elsewhere
 * instead of failing. /healthz (liveness) keeps answering meanwhile: a restart would not bring the
 * database back, so the process must not be killed for it.
 */

interface Readiness {
  status: 'ready' | 'not_ready';
  failing: string[];
  checks: Record<string, { ok: boolean; detail: string }>;
}

async function readiness(server: TestServer): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** The runner's first pass runs right after start; wait for it rather than assume it has happened. */
async function untilReady(server: TestServer, timeoutMs = 10_000): Promise<{ status: number; body: Readiness }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await readiness(server);
    if (result.status === 200 || performance.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('readiness', () => {
  let server: TestServer | null = null;

  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('on SQLite: answers 200 with every check ok, then 503 naming the database once its handle is closed', async () => {
    server = await startTestServer({ webRoot: null });
    const healthy = await untilReady(server);
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ status: 'ready', failing: [] });
    expect(Object.keys(healthy.body.checks).sort()).toEqual(['database', 'jobRunner', 'migrations']);
    for (const check of Object.values(healthy.body.checks)) expect(check.ok).toBe(true);
    expect(healthy.body.checks.database?.detail).toBe('sqlite reachable');

    await server.firebreak.services.database.close();

    const down = await readiness(server);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not_ready');
    expect(down.body.failing).toContain('database');
    expect(down.body.checks.database).toMatchObject({ ok: false, detail: expect.stringMatching(/^unreachable: /) });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it.skipIf(!postgresUrl())('on PostgreSQL: answers 503 naming the database while it refuses connections, and 200 again once it is back', async () => {
    const url = await createTestDatabase(postgresUrl() as string, 'fb_ready');
    const name = new URL(url).pathname.slice(1);
    server = await startTestServer({ env: { DATABASE_URL: url }, webRoot: null });
    const healthy = await untilReady(server);
    expect(healthy.status).toBe(200);
    expect(healthy.body.checks.database?.detail).toBe('postgres reachable');

    const admin = new pg.Client({ connectionString: postgresUrl() as string });
    await admin.connect();
    try {
      // The database disappears for this node: no new connections, and every open one is cut.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);

      const down = await readiness(server);
      expect(down.status).toBe(503);
      expect(down.body.failing).toContain('database');
      expect(down.body.checks.database).toMatchObject({ ok: false, detail: expect.stringMatching(/^unreachable: /) });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      const back = await untilReady(server);
      expect(back.status).toBe(200);
      expect(back.body.failing).toEqual([]);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
    }
  });
});
