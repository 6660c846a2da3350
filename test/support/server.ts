import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/server/platform/config.js';
import type { Clock } from '../../src/server/platform/clock.js';
import { createLogger } from '../../src/server/platform/logger.js';
import { createFirebreak, type Firebreak } from '../../src/server/main.js';
import { freePort } from './postgres.js';

export interface TestServer {
  url: string;
  /** The one-time first-run setup token (the database starts empty). */
  setupToken: string | null;
  firebreak: Firebreak;
  config: Config;
  stop(): Promise<void>;
}

/**
 * Starts the real Firebreak in this process on a random 127.0.0.1 port, with its own SQLite database
 * in a temporary directory (or PostgreSQL when `env.DATABASE_URL` is given) and the built web UI.
 */
export async function startTestServer(options: { env?: Record<string, string>; clock?: Clock; webRoot?: string | null } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'firebreak-test-'));
  // A real port chosen up front (not PORT=0), so links the server builds from its public URL
  // (calendar feeds, setup links) point at the address it actually listens on.
  const port = await freePort();
  const config: Config = {
    ...loadConfig({ PORT: String(port), HOST: '127.0.0.1', FIREBREAK_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env }),
    fastPasswordHashing: true,
  };
  const firebreak = await createFirebreak({
    config,
    logger: createLogger(config.logLevel),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.webRoot !== undefined ? { webRoot: options.webRoot } : {}),
  });
  const started = await firebreak.start();
  return {
    url: started.url,
    setupToken: started.setupToken,
    firebreak,
    config,
    async stop() {
      await firebreak.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
