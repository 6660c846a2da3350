import type { Config } from './platform/config.js';
import type { Clock } from './platform/clock.js';
import { SecretBox, loadSecretKey } from './platform/crypto.js';
import type { FirebreakDatabase } from './platform/db/database.js';
import { createIdGenerator, type IdGenerator } from './platform/ids.js';
import { AuditLog } from './modules/audit/audit.repo.js';
import { AuthService } from './modules/auth/auth.service.js';
import { CatalogService } from './modules/catalog/catalog.service.js';
import { ConfigService } from './modules/config/config.service.js';

/** Every domain service, built once per process. The HTTP server and the CLI share this wiring. */
export interface Services {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  secrets: SecretBox;
  audit: AuditLog;
  catalog: CatalogService;
  auth: AuthService;
  config: ConfigService;
}

export function createServices(deps: { config: Config; database: FirebreakDatabase; clock: Clock; secretKey?: Buffer }): Services {
  const { config, database, clock } = deps;
  const ids = createIdGenerator(clock);
  const secrets = new SecretBox(deps.secretKey ?? loadSecretKey(config.secretKey, config.dataDir));
  const audit = new AuditLog(ids, () => clock.now());
  const catalog = new CatalogService({ database, clock, ids, audit, fastPasswordHashing: config.fastPasswordHashing });
  const auth = new AuthService({ database, clock, ids, audit, catalog, secrets, sessionHours: config.sessionHours, fastPasswordHashing: config.fastPasswordHashing });
  const configService = new ConfigService({ database, catalog });
  return { database, clock, ids, secrets, audit, catalog, auth, config: configService };
}
