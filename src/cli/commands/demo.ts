import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.js';
import { CliError } from '../output.js';
import { configOrExit } from './serve.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Fill this instance with a small example organization (teams, people, on-call schedules, services with integrations, alerts) to explore Firebreak')
    .option('--force', 'add the demo data even though teams or demo data already exist')
    .action(async (opts: { force?: boolean }) => {
      const config = configOrExit();
      // Loaded here so commands that only talk to the API do not pay for the whole server.
      const [{ DemoService }, { systemClock }, { openDatabase }, { createServices }] = await Promise.all([
        import('../../server/modules/demo/demo.service.js'),
        import('../../server/platform/clock.js'),
        import('../../server/platform/db/database.js'),
        import('../../server/services.js'),
      ]);
      const database = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      try {
        await database.migrate();
        const services = createServices({ config, database, clock: systemClock });
        const result = await new DemoService({ services }).load({ force: opts.force === true });
        process.stdout.write(`Added demo data to ${database.location}:\n`);
        for (const section of result.sections) process.stdout.write(`  ${section.name}: ${section.summary}\n`);
        if (result.owner) {
          process.stdout.write(`\nThere was no owner yet, so the demo created one. Log in as ${result.owner.email} with this password (shown once):\n\n  ${result.owner.password}\n\n`);
        } else {
          process.stdout.write('\nLog in with your owner account to look around.\n');
        }
      } catch (error) {
        if (error instanceof AppError) throw new CliError(error.message);
        throw error;
      } finally {
        await database.close();
      }
    });
}
