import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../output.js';
import { configOrExit } from './serve.js';

/**
 * `firebreak statuspage export <dir>`: every public status page as static files (docs/status-pages.md),
 * the same bytes the server answers, for object storage or a CDN in another failure domain. Reads the
 * configured database directly, like `backup`; `--every <seconds>` writes again on that interval.
 */
export function registerStatusPageCommands(program: Command): void {
  const statuspage = program.command('statuspage').description('Public status pages');
  statuspage
    .command('export <dir>')
    .description('Write every public status page as static files under <dir>/status/<slug>/ (private pages never)')
    .option('--every <seconds>', 'keep running and write everything again every this many seconds')
    .option('--watch', 'keep running and write a page again as soon as it changes (checked every second); a page made private or deleted is removed')
    .action(async (dir: string, opts: { every?: string; watch?: boolean }) => {
      const every = opts.every === undefined ? null : Number(opts.every);
      if (every !== null && (!Number.isInteger(every) || every < 1 || every > 86_400)) throw new CliError('--every must be a whole number of seconds from 1 to 86400', 2);
      if (every !== null && opts.watch) throw new CliError('give --every or --watch, not both', 2);
      const config = configOrExit();
      if (!config.databaseUrl && !existsSync(config.sqlitePath)) throw new CliError(`There is no database at ${config.sqlitePath} (set FIREBREAK_DATA_DIR to the data directory, or DATABASE_URL)`);
      // Loaded here so commands that only talk to the API do not pay for the whole server.
      const [{ exportStatusPages, watchStatusPages }, { systemClock }, { openDatabase }, { createLogger }, { createServices }] = await Promise.all([
        import('../../server/modules/statuspages/statuspage.export.js'),
        import('../../server/platform/clock.js'),
        import('../../server/platform/db/database.js'),
        import('../../server/platform/logger.js'),
        import('../../server/services.js'),
      ]);
      const database = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      const logger = createLogger('warn');
      const target = resolve(dir);
      try {
        const services = createServices({ config, database, clock: systemClock });
        if (opts.watch) {
          const stop = new AbortController();
          process.once('SIGINT', () => stop.abort());
          process.once('SIGTERM', () => stop.abort());
          process.stdout.write(`Watching the status pages; writing changes to ${target} (Ctrl-C stops)\n`);
          await watchStatusPages({ pages: services.statusPages, clock: systemClock, logger }, target, {
            pollMs: 1000,
            signal: stop.signal,
            onExport: (slugs, removed) => process.stdout.write(`${new Date(systemClock.now()).toISOString()}${slugs.length > 0 ? ` wrote ${slugs.join(', ')}` : ''}${removed.length > 0 ? ` removed ${removed.join(', ')}` : ''}\n`),
          });
          return;
        }
        for (;;) {
          const result = await exportStatusPages({ pages: services.statusPages, clock: systemClock, logger }, target);
          process.stdout.write(`Exported ${result.pages.length} public status page${result.pages.length === 1 ? '' : 's'} (${result.files} files) to ${target}${result.pages.length > 0 ? `: ${result.pages.join(', ')}` : ''}\n`);
          if (every === null) break;
          await new Promise((done) => setTimeout(done, every * 1000));
        }
      } finally {
        await database.close();
      }
    });
}
