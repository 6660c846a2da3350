import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/server/platform/config.js';
import { ManualClock } from '../../src/server/platform/clock.js';
import { openDatabase, type FirebreakDatabase } from '../../src/server/platform/db/database.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { createFirebreak, type Firebreak } from '../../src/server/main.js';
import { systemActor } from '../../src/server/modules/audit/audit.repo.js';
import type { Role } from '../../src/core/auth/roles.js';

export interface TestApp {
  firebreak: Firebreak;
  app: FastifyInstance;
  clock: ManualClock;
  config: Config;
  /** Creates an active user with this role and returns a bearer token for them. */
  userWithToken(role: Role, handle?: string): Promise<{ userId: string; handle: string; token: string }>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * The real Firebreak HTTP app, in process (requests through `app.inject`, no port), on a fresh
 * migrated database: in-memory SQLite by default, or the database given.
 */
export async function buildTestApp(options: { database?: FirebreakDatabase; env?: Record<string, string>; clock?: ManualClock } = {}): Promise<TestApp> {
  const clock = options.clock ?? new ManualClock('2026-11-02T10:00:00Z');
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', FIREBREAK_DATA_DIR: '/nonexistent', ...options.env }), fastPasswordHashing: true };
  const database = options.database ?? openDatabase({ sqlitePath: ':memory:' });
  await database.migrate();
  const firebreak = await createFirebreak({ config, clock, database, webRoot: null, logger: createLogger('silent'), secretKey: randomBytes(32), env: { ...options.env } });
  await firebreak.app.ready();
  return {
    firebreak,
    app: firebreak.app,
    clock,
    config,
    async userWithToken(role, handle) {
      const h = handle ?? `${role}-${++counter}`;
      const { catalog, auth, database: db } = firebreak.services;
      const user = await catalog.createUser({ actor: systemActor('test'), principal: null }, { handle: h, name: `Test ${h}`, email: `${h}@example.test`, timeZone: 'Europe/Lisbon', role });
      const row = await catalog.requireUser(db.db, user.id);
      const token = await auth.createTokenForUser(db.db, row, 'test', systemActor('test'));
      return { userId: user.id, handle: h, token };
    },
    async close() {
      await firebreak.stop();
    },
  };
}

/** Reads a JSON response body. */
export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
