import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackupError, secretKeyId } from '../../server/modules/backup/backup.format.js';
import { systemClock } from '../../server/platform/clock.js';
import type { Config } from '../../server/platform/config.js';
import { CliError, printTable } from '../output.js';
import { configOrExit } from './serve.js';

/** The instance key's fingerprint, read without creating a key (a backup must not change the data directory). */
function instanceKeyId(config: Config): string | null {
  if (config.secretKey) return secretKeyId(Buffer.from(config.secretKey, 'base64'));
  const file = join(config.dataDir, 'secret.key');
  return existsSync(file) ? secretKeyId(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')) : null;
}

function asCliError(error: unknown): unknown {
  if (error instanceof BackupError) return new CliError(error.message);
  // File-system failures (no such directory, permission denied, disk full) need no stack trace.
  if (error instanceof Error && 'syscall' in error) return new CliError(error.message);
  return error;
}

/** The database layer, loaded only by the commands that need it so API commands start faster. */
async function loadDatabase() {
  const [{ backupDatabase, restoreBackup }, { openDatabase }] = await Promise.all([import('../../server/modules/backup/backup.service.js'), import('../../server/platform/db/database.js')]);
  return { backupDatabase, restoreBackup, openDatabase };
}

const kB = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Write a consistent, portable backup of the database to a file (safe while Firebreak runs)')
    .argument('<file>', 'where to write it, e.g. firebreak-$(date +%F).jsonl.gz')
    .action(async (file: string) => {
      const config = configOrExit();
      if (!config.databaseUrl && !existsSync(config.sqlitePath)) {
        throw new CliError(`There is no database at ${config.sqlitePath} (set FIREBREAK_DATA_DIR to the data directory, or DATABASE_URL)`);
      }
      const { backupDatabase, openDatabase } = await loadDatabase();
      const database = openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      try {
        const target = resolve(file);
        const result = await backupDatabase(database, target, { clock: systemClock, secretKeyId: instanceKeyId(config) });
        const tables = Object.keys(result.header.tables).length;
        process.stdout.write(`Backed up ${result.rows} rows in ${tables} tables from ${database.location} to ${target}\n`);
        process.stdout.write(`  ${kB(result.bytes)}, sha256 ${result.sha256}, migrations up to ${result.header.migrations.at(-1)}\n`);
        process.stdout.write('Keep the instance key (FIREBREAK_SECRET_KEY or data/secret.key) too, stored apart from backups:\nwithout it the restored two-factor secrets cannot be read.\n');
      } catch (error) {
        throw asCliError(error);
      } finally {
        await database.close();
      }
    });

  program
    .command('restore')
    .description('Restore a backup into the (empty) configured database, from SQLite or PostgreSQL, and verify it. Stop Firebreak first.')
    .argument('<file>', 'a file written by `firebreak backup`')
    .option('--force', 'delete every row in the target database first')
    .action(async (file: string, opts: { force?: boolean }) => {
      const config = configOrExit();
      const { restoreBackup, openDatabase } = await loadDatabase();
      const open = () => openDatabase({ url: config.databaseUrl, sqlitePath: config.sqlitePath });
      let report;
      try {
        report = await restoreBackup({ file: resolve(file), open, force: opts.force === true, onProgress: (m) => process.stdout.write(`${m}\n`) });
      } catch (error) {
        throw asCliError(error);
      }
      const { verification } = report;
      process.stdout.write(`\nVerification of ${report.location} through a fresh connection:\n`);
      process.stdout.write(`  pending migrations: ${verification.pendingMigrations.length === 0 ? 'none' : verification.pendingMigrations.join(', ')}\n\n`);
      printTable(verification.tables.map((t) => ({ table: t.table, backup: String(t.expected), restored: t.actual === null ? 'missing' : String(t.actual), check: t.ok ? 'ok' : 'MISMATCH' })));
      if (!verification.ok) throw new CliError('Restore verification FAILED: the restored database does not match the backup (see above). Do not rely on it.');
      process.stdout.write(`\nRestore verified: ${report.rows} rows in ${Object.keys(report.header.tables).length} tables match the backup.\n`);

      const wanted = report.header.secretKeyId;
      const have = instanceKeyId(config);
      if (wanted !== null && wanted !== have) {
        process.stderr.write(
          `\nWarning: the backup's secrets (two-factor secrets) were sealed with instance key ${wanted}, but this instance ${have === null ? 'has no key yet' : `uses key ${have}`}.\n` +
            `Before starting Firebreak, set FIREBREAK_SECRET_KEY (or copy the old secret.key into ${config.dataDir}) from the instance the backup came from;\n` +
            'otherwise people with two-factor login must enrol again.\n',
        );
      }
    });
}
