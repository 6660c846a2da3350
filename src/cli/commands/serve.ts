import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../../server/platform/config.js';
import { CliError } from '../output.js';

/** Loads configuration, or reports every problem at once and exits 2. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('Run Firebreak: the web UI, the API and the background workers (PORT, HOST, DATABASE_URL…)')
    .action(async () => {
      const config = configOrExit();
      // Loaded here so commands that only talk to the API do not pay for the whole server.
      const { createFirebreak } = await import('../../server/main.js');
      const firebreak = await createFirebreak({ config });
      const { logger } = firebreak;
      let result;
      try {
        result = await firebreak.start();
      } catch (error) {
        logger.fatal({ err: error }, 'Firebreak could not start');
        await firebreak.stop().catch(() => {});
        throw new CliError(`could not start: ${(error as Error).message}`);
      }
      logger.info({ url: result.url, database: firebreak.services.database.location }, `Firebreak is listening on ${result.url}`);
      process.stdout.write(`\nFirebreak is running at ${result.url}  (database: ${firebreak.services.database.location})\n`);
      if (result.setupUrl) {
        process.stdout.write(`\nNo accounts yet. Open this one-time link to create the first owner:\n\n  ${result.setupUrl}\n\n(or run: npx firebreak user create --owner)\n\n`);
      }
      await waitForShutdown(async () => firebreak.stop(), config.shutdownTimeoutMs, (msg) => logger.info(msg));
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const config = configOrExit();
      const { openDatabase } = await import('../../server/platform/db/database.js');
      const database = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      try {
        const applied = await database.migrate();
        process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
      } finally {
        await database.close();
      }
    });
}

/**
 * Graceful shutdown: on SIGTERM or SIGINT stop accepting, let in-flight requests and jobs finish,
 * and exit; if that takes longer than the timeout, exit anyway (non-zero) so an orchestrator is never
 * left waiting.
 */
function waitForShutdown(stop: () => Promise<void>, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`received ${signal}: shutting down`);
      const timer = setTimeout(() => {
        process.stderr.write(`firebreak: shutdown took longer than ${timeoutMs} ms; exiting\n`);
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      stop()
        .then(() => {
          log('stopped');
          resolve();
        })
        .catch((error: unknown) => {
          process.stderr.write(`firebreak: error while stopping: ${(error as Error).message}\n`);
          process.exitCode = 1;
          resolve();
        });
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}
