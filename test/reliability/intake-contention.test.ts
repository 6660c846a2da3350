import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationInputSchema, serviceInputSchema } from '../../src/contracts/alerts.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import { postgresUrl } from '../support/databases.js';
import { createTestDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertmanagerGroup, eventsTrigger, post } from './support/intake-load.js';

/**
 * Intake under contention: many senders at once, over two integrations of one service, updating a few
 * shared alerts while opening new ones. Concurrent events share transactions (group commit) and, on
 * PostgreSQL, several of those commit at once and lock the same rows (the shared alerts, the
 * integration's `last_event_at`, the storm guard's counter). Whatever order they meet in, no sender
 * may get a 5xx (Alertmanager and PagerDuty clients would retry, but a 5xx under ordinary load is
 * a fault), and every accepted event must be counted on its alert.
 */

const CLIENTS = 48;
const PER_CLIENT = 40;
const HOT_KEYS = 3;

async function contend(server: TestServer): Promise<void> {
  const acting = { actor: systemActor('test'), principal: null };
  const { serviceCatalog, database } = server.firebreak.services;
  const service = await serviceCatalog.create(acting, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout API' }));
  const events = await serviceCatalog.createIntegration(acting, 'checkout', integrationInputSchema.parse({ type: 'events-v2', name: 'Nagios' }));
  const other = await serviceCatalog.createIntegration(acting, 'checkout', integrationInputSchema.parse({ type: 'events-v2', name: 'Zabbix' }));
  const am = await serviceCatalog.createIntegration(acting, 'checkout', integrationInputSchema.parse({ type: 'alertmanager', name: 'Prometheus' }));

  const failures: string[] = [];
  const acceptedHot = new Map<string, number>();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let seq = 0; seq < PER_CLIENT; seq++) {
          // A mix: shared keys from two integrations, new keys, and Alertmanager groups.
          const kind = (client + seq) % 4;
          const hotKey = `hot-${(client + seq) % HOT_KEYS}`;
          const [path, body] =
            kind === 0 ? ['/v2/enqueue', eventsTrigger(events.key, hotKey)]
            : kind === 1 ? ['/v2/enqueue', eventsTrigger(other.key, hotKey)]
            : kind === 2 ? ['/v2/enqueue', eventsTrigger(events.key, `new-${client}-${seq}`)]
            : [`/integrations/alertmanager/${am.key}`, alertmanagerGroup(`{}:{group="${(client + seq) % 5}"}`)];
          const answer = await post(`${server.url}${path}`, body, agent);
          if (answer.status >= 300) failures.push(`${answer.status} ${answer.body}`);
          else if (kind <= 1) acceptedHot.set(hotKey, (acceptedHot.get(hotKey) ?? 0) + 1);
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  expect(failures.slice(0, 5), `${failures.length} of ${CLIENTS * PER_CLIENT} events refused`).toEqual([]);
  for (const [key, accepted] of acceptedHot) {
    const alert = await database.db.selectFrom('alerts').select(['event_count', 'status']).where('service_id', '=', service.id).where('dedup_key', '=', key).executeTakeFirstOrThrow();
    expect(alert, key).toEqual({ event_count: accepted, status: 'triggered' });
  }
}

describe('intake under contention', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('on SQLite: 48 concurrent senders over shared and new keys get no 5xx, and every accepted event is counted', { timeout: 180_000 }, async () => {
    server = await startTestServer({ webRoot: null, env: { FIREBREAK_INTAKE_RATE_LIMIT: '1000000' } });
    await contend(server);
  });

  it.skipIf(!postgresUrl())('on PostgreSQL: 48 concurrent senders over shared and new keys get no 5xx (no deadlock between concurrent commits), and every accepted event is counted', { timeout: 180_000 }, async () => {
    const url = await createTestDatabase(postgresUrl() as string, 'fb_contention');
    server = await startTestServer({ webRoot: null, env: { DATABASE_URL: url, FIREBREAK_INTAKE_RATE_LIMIT: '1000000' } });
    await contend(server);
  });
});
