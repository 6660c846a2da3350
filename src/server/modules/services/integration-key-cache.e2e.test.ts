import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { ManualClock } from '../../platform/clock.js';
import { openDatabase } from '../../platform/db/database.js';
import { KEY_CACHE_MS } from './service.service.js';

/**
 * Intake keeps integration lookups in memory for a second (ADR 0043). A change on the node that made it
 * applies at once; on another node sharing the database, within that second.
 */
describe('integration key lookups kept by intake', () => {
  const nodes: TestApp[] = [];
  let dir = '';
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies a change at once on the node that made it, and within a second on another node', async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-key-cache-'));
    const file = join(dir, 'firebreak.db');
    const clock = new ManualClock('2026-11-21T09:00:00Z');
    const a = await buildTestApp({ database: openDatabase({ sqlitePath: file }), clock });
    nodes.push(a);
    const b = await buildTestApp({ database: openDatabase({ sqlitePath: file }), clock });
    nodes.push(b);
    const admin = (await a.userWithToken('admin', 'ana')).token;
    expect((await a.app.inject({ method: 'POST', url: '/api/v1/services', headers: bearer(admin), payload: { handle: 'checkout', name: 'Checkout' } })).statusCode).toBe(201);
    const integration = json<{ id: string; key: string }>(await a.app.inject({ method: 'POST', url: '/api/v1/services/checkout/integrations', headers: bearer(admin), payload: { type: 'events-v2', name: 'Nagios' } }));
    const enqueue = (node: TestApp, i: number) =>
      node.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: integration.key, event_action: 'trigger', dedup_key: `k${i}`, payload: { summary: 'Checkout down', source: 'probe', severity: 'critical' } } });
    // Both nodes have looked the key up (and keep what they found).
    expect((await enqueue(a, 1)).statusCode).toBe(202);
    expect((await enqueue(b, 2)).statusCode).toBe(202);

    const disabled = await a.app.inject({ method: 'PATCH', url: `/api/v1/services/checkout/integrations/${integration.id}`, headers: bearer(admin), payload: { disabled: true } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const changedAt = performance.now();
    expect((await enqueue(a, 3)).statusCode).not.toBe(202);
    let accepted = 0;
    for (;;) {
      const answer = await enqueue(b, 4);
      if (answer.statusCode !== 202) break;
      accepted++;
      expect(performance.now() - changedAt).toBeLessThan(KEY_CACHE_MS + 500);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Node B went on accepting for at most its cache's second; every event it accepted is committed.
    const stored = await a.firebreak.services.database.db.selectFrom('alert_events').select('dedup_key').where('dedup_key', '=', 'k4').execute();
    expect(stored).toHaveLength(accepted);
  });
});
