import type { Command } from 'commander';
import { createUserBody } from '../../contracts/users.js';
import { CliError } from '../output.js';
import { configOrExit } from './serve.js';

/** The server's parts, loaded only when a command needs the database (API commands start faster without them). */
async function loadServer() {
  const [{ hashPassword }, { systemClock }, { openDatabase }, { systemActor }, { createServices }] = await Promise.all([
    import('../../server/platform/crypto.js'),
    import('../../server/platform/clock.js'),
    import('../../server/platform/db/database.js'),
    import('../../server/modules/audit/audit.repo.js'),
    import('../../server/services.js'),
  ]);
  return { hashPassword, systemClock, openDatabase, systemActor, createServices };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('People who use Firebreak or get paged');
  user
    .command('create')
    .description('Create a user directly in the database (use --owner for the first account)')
    .requiredOption('--handle <handle>', 'short name used in URLs and config, e.g. ana')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--email <email>', 'email address (used to log in)')
    .option('--time-zone <zone>', 'IANA time zone', Intl.DateTimeFormat().resolvedOptions().timeZone)
    .option('--role <role>', 'viewer, responder, admin or owner', 'responder')
    .option('--owner', 'shorthand for --role owner')
    .option('--password-stdin', 'read the password from standard input')
    .option('--with-token', 'also create an API token for this user and print it once')
    .action(async (opts: { handle: string; name: string; email: string; timeZone: string; role: string; owner?: boolean; passwordStdin?: boolean; withToken?: boolean }) => {
      const password = opts.passwordStdin ? await readStdin() : undefined;
      const parsed = createUserBody.safeParse({ handle: opts.handle, name: opts.name, email: opts.email, timeZone: opts.timeZone, role: opts.owner ? 'owner' : opts.role, password });
      if (!parsed.success) {
        const flag: Record<string, string> = { timeZone: '--time-zone', password: '--password-stdin' };
        throw new CliError(parsed.error.issues.map((i) => `${flag[String(i.path[0])] ?? `--${String(i.path[0])}`}: ${i.message}`).join('\n'), 2);
      }
      if (!parsed.data.password && !opts.withToken) throw new CliError('give --password-stdin (to log in to the web UI) or --with-token (for the API), or both', 2);
      const config = configOrExit();
      const { hashPassword, systemClock, openDatabase, systemActor, createServices } = await loadServer();
      const database = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      try {
        await database.migrate();
        const services = createServices({ config, database, clock: systemClock });
        const actor = systemActor('cli');
        const passwordHash = parsed.data.password ? await hashPassword(parsed.data.password) : null;
        const { created, token } = await database.transaction(async (tx) => {
          const created = await services.catalog.createUserIn(tx.db, { actor, principal: null }, parsed.data, passwordHash);
          const row = await services.catalog.requireUser(tx.db, created.id);
          const token = opts.withToken ? await services.auth.createTokenForUser(tx.db, row, 'created by firebreak user create', actor) : null;
          return { created, token };
        });
        process.stdout.write(`Created ${created.role} ${created.handle} <${created.email}> (${created.id})\n`);
        if (token) process.stdout.write(`API token (shown once; set FIREBREAK_TOKEN to it):\n${token}\n`);
      } catch (error) {
        if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && error.name === 'AppError') throw new CliError(error.message);
        throw error;
      } finally {
        await database.close();
      }
    });
}
