import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import { migrations as knownMigrationList } from '../../platform/db/migrations/index.js';
import type { Database } from '../../platform/db/schema.js';
import { countRows, introspectorFor, type SchemaIntrospector } from '../../platform/db/schema-introspection.js';
import { version as firebreakVersion } from '../system/system.routes.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  BackupWriter,
  inspectBackup,
  readBackup,
  unsupportedValue,
  type BackupHeader,
  type BackupRow,
} from './backup.format.js';
import { dependencyOrder, orderViolations } from './table-order.js';

export interface BackupResult {
  file: string;
  header: BackupHeader;
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * Writes a logical backup of every table to `file` (format: backup.format.ts).
 *
 * All tables are read inside one read-only snapshot, so the backup is consistent even while the
 * server keeps writing: PostgreSQL REPEATABLE READ READ ONLY, and on SQLite a WAL read transaction
 * (WAL readers never block the writer, and the writer never changes what an open reader sees). Tables
 * are found in the live schema, so tables added by later migrations are included without editing this
 * code. Rows are read a page at a time in primary-key order, so memory stays flat however large the
 * database is.
 *
 * @example
 *   const result = await backupDatabase(database, '/backups/firebreak.jsonl.gz', { clock: systemClock });
 */
export async function backupDatabase(
  database: FirebreakDatabase,
  file: string,
  options: { clock: Clock; secretKeyId?: string | null; pageSize?: number },
): Promise<BackupResult> {
  const introspect = introspectorFor(database.capabilities.dialect);
  const pageSize = options.pageSize ?? 1000;
  const writer = new BackupWriter(file);
  try {
    const header = await database.readSnapshot(async (db) => {
      const migrations = await introspect.appliedMigrations(db);
      if (migrations.length === 0) {
        throw new BackupError('BACKUP_SOURCE_EMPTY', `The database ${database.location} has no Firebreak schema yet (it was never started or migrated); there is nothing to back up`);
      }
      const order = dependencyOrder(await introspect.tables(db), await introspect.references(db));
      const tables: Record<string, number> = {};
      for (const table of order) tables[table] = await countRows(db, table);
      const header: BackupHeader = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        createdAt: new Date(options.clock.now()).toISOString(),
        firebreakVersion,
        sourceDialect: database.capabilities.dialect,
        migrations,
        tables,
        secretKeyId: options.secretKeyId ?? null,
      };
      await writer.header(header);
      for (const table of order) {
        let written = 0;
        for await (const page of readTable(db, table, await introspect.primaryKey(db, table), pageSize)) {
          await writer.rowsOf(table, page.map((row) => toBackupRow(table, row)));
          written += page.length;
        }
        // The snapshot makes this impossible; checking costs nothing and guards the promise.
        if (written !== tables[table]) throw new Error(`Read ${written} rows of ${table} but counted ${tables[table]} in the same snapshot`);
      }
      return header;
    });
    const { sha256, rows, bytes } = await writer.finish();
    return { file, header, rows, bytes, sha256 };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Pages of a table in primary-key order, by keyset (`where (pk…) > (last…)`), the same on both dialects. */
async function* readTable(db: Kysely<Database>, table: string, key: string[], pageSize: number): AsyncGenerator<Array<Record<string, unknown>>> {
  if (key.length === 0) {
    // Every Firebreak table has a primary key (ADR 0008); one without is read in one query.
    yield (await sql<Record<string, unknown>>`select * from ${sql.id(table)}`.execute(db)).rows;
    return;
  }
  const keyColumns = sql.join(key.map((k) => sql.id(k)));
  let after: unknown[] | null = null;
  for (;;) {
    const where = after === null ? sql`` : sql`where (${keyColumns}) > (${sql.join(after)})`;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.id(table)} ${where} order by ${keyColumns} limit ${pageSize}`.execute(db);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1] as Record<string, unknown>;
    after = key.map((k) => last[k]);
  }
}

function toBackupRow(table: string, row: Record<string, unknown>): BackupRow {
  for (const [column, value] of Object.entries(row)) {
    const bad = unsupportedValue(value);
    if (bad) throw new BackupError('BACKUP_UNSUPPORTED_VALUE', `${table}.${column} holds a ${bad}; backups carry only text, numbers and null (ADR 0002)`);
  }
  return row as BackupRow;
}

// ---- restore

export interface TableCheck {
  table: string;
  /** Rows the backup holds (0 for a table created by a migration newer than the backup). */
  expected: number;
  /** Rows found after the restore through a fresh connection; null when the table is missing. */
  actual: number | null;
  ok: boolean;
}

export interface RestoreReport {
  header: BackupHeader;
  location: string;
  rows: number;
  /** Migrations applied after loading, when this Firebreak is newer than the backup. */
  migratedAfterLoad: string[];
  /** What a fresh connection found. */
  verification: { pendingMigrations: string[]; tables: TableCheck[]; ok: boolean };
}

export interface RestoreOptions {
  file: string;
  /** Opens the target database; called twice, so verification uses a fresh connection. */
  open: () => FirebreakDatabase;
  /** Delete every row of a non-empty target first. */
  force?: boolean;
  batchSize?: number;
  onProgress?: (message: string) => void;
}

/**
 * Restores a backup into an empty database (either dialect, whichever made the backup), then verifies
 * it: a backup only counts once a restore of it is verified.
 *
 * 1. Read the whole file once: header, every line, the checksum. Nothing is written before this passes.
 * 2. Refuse a backup with migrations this build does not know, and a target that holds data (unless
 *    `force`).
 * 3. Migrate the target to exactly the backup's migrations, so the rows fit the schema.
 * 4. In ONE transaction: delete all rows (a forced restore, and any rows migrations created), insert
 *    the rows in batches, parents before children, and check the counts. Any failure rolls back.
 * 5. Migrate to the latest schema.
 * 6. Close, reopen with a fresh connection, and check no migration is pending and every table's row
 *    count equals the header's.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreReport> {
  const progress = options.onProgress ?? (() => {});
  const { header, rows } = await inspectBackup(options.file);
  progress(`Checked ${options.file}: ${rows} rows in ${Object.keys(header.tables).length} tables, checksum ok (made ${header.createdAt} by Firebreak ${header.firebreakVersion} on ${header.sourceDialect})`);
  const known = Object.keys(knownMigrationList);
  assertMigrationsKnown(header, known);

  const target = options.open();
  const location = target.location;
  let migratedAfterLoad: string[];
  try {
    const introspect = introspectorFor(target.capabilities.dialect);
    const existing = await rowCounts(target.db, await introspect.tables(target.db));
    const withData = Object.entries(existing).filter(([, n]) => n > 0);
    if (withData.length > 0 && !options.force) {
      throw new BackupError(
        'RESTORE_TARGET_NOT_EMPTY',
        `The target database ${location} is not empty (${withData.map(([t, n]) => `${t}: ${n}`).join(', ')}). A restore replaces all data; run it again with --force to delete every row first.`,
      );
    }
    const applied = await introspect.appliedMigrations(target.db);
    const unknown = applied.filter((m) => !known.includes(m));
    if (unknown.length > 0) {
      throw new BackupError('RESTORE_TARGET_TOO_NEW', `The target database ${location} was migrated by a newer Firebreak (${unknown.join(', ')}); restore with that version or into an empty database`);
    }
    const aligned = sameList(applied, header.migrations);
    if (!aligned) {
      // Changing the schema under existing rows could fail or lose them half-way; a forced restore
      // empties the tables first (the rows are being replaced anyway).
      if (withData.length > 0) await target.transaction(async (tx) => deleteAllRows(tx.db, introspect));
      await target.migrateTo(header.migrations[header.migrations.length - 1] ?? null);
      progress(`Schema set to the backup's: ${header.migrations.join(', ') || '(none)'}`);
    }

    const tables = await introspect.tables(target.db);
    const missing = Object.keys(header.tables).filter((t) => !tables.includes(t));
    if (missing.length > 0) throw new BackupError('RESTORE_SCHEMA_MISMATCH', `After migrating to the backup's schema the target has no table ${missing.join(', ')}`);
    const references = await introspect.references(target.db);
    const broken = orderViolations(Object.keys(header.tables), references, (t) => (header.tables[t] ?? 0) > 0);
    if (broken.length > 0) {
      throw new BackupError('RESTORE_SCHEMA_MISMATCH', `The backup lists ${broken.map((r) => `${r.table} before ${r.references}`).join(', ')}, but those reference each other the other way round`);
    }

    const loaded = await target.transaction(async (tx) => {
      await deleteAllRows(tx.db, introspect);
      const batchSize = options.batchSize ?? 500;
      let batch: BackupRow[] = [];
      let batchTable = '';
      let total = 0;
      const flush = async () => {
        if (batch.length > 0) await insertRows(tx.db, batchTable, batch);
        batch = [];
      };
      // The file is read again: if it changed since step 1, the checksum check throws at the end
      // and the transaction rolls back.
      for await (const item of readBackup(options.file)) {
        if (item.kind !== 'row') continue;
        if (item.table !== batchTable || batch.length >= batchSize || !sameColumns(batch[0], item.row)) {
          await flush();
          batchTable = item.table;
        }
        batch.push(item.row);
        total++;
      }
      await flush();
      const counts = await rowCounts(tx.db, tables);
      const wrong = tables.filter((t) => counts[t] !== (header.tables[t] ?? 0));
      if (wrong.length > 0) throw new Error(`Row counts after loading differ from the backup for ${wrong.join(', ')}; nothing was restored`);
      return total;
    });
    progress(`Loaded ${loaded} rows in one transaction`);
    migratedAfterLoad = await target.migrate();
    if (migratedAfterLoad.length > 0) progress(`Applied newer migrations: ${migratedAfterLoad.join(', ')}`);
  } finally {
    await target.close();
  }

  const verification = await verifyRestore(options.open, header);
  return { header, location, rows, migratedAfterLoad, verification };
}

/**
 * Checks a restored database through a fresh connection: no pending migrations, and each table holds
 * as many rows as the backup's header says (0 for tables newer than the backup).
 */
export async function verifyRestore(open: () => FirebreakDatabase, header: BackupHeader): Promise<RestoreReport['verification']> {
  const fresh = open();
  try {
    const pendingMigrations = await fresh.pendingMigrations();
    const introspect = introspectorFor(fresh.capabilities.dialect);
    const present = await introspect.tables(fresh.db);
    const counts = await rowCounts(fresh.db, present);
    const names = [...Object.keys(header.tables), ...present.filter((t) => !(t in header.tables))];
    const tables = names.map((table): TableCheck => {
      const expected = header.tables[table] ?? 0;
      const actual = counts[table] ?? null;
      return { table, expected, actual, ok: actual === expected };
    });
    return { pendingMigrations, tables, ok: pendingMigrations.length === 0 && tables.every((t) => t.ok) };
  } finally {
    await fresh.close();
  }
}

function assertMigrationsKnown(header: BackupHeader, known: string[]): void {
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0) {
    throw new BackupError(
      'BACKUP_TOO_NEW',
      `This backup is from a newer Firebreak (${header.firebreakVersion}): it has migrations this build does not know (${unknown.join(', ')}). Restore it with Firebreak ${header.firebreakVersion} or later.`,
    );
  }
  if (!sameList(header.migrations, known.slice(0, header.migrations.length))) {
    throw new BackupError('BACKUP_INVALID', `The backup's migrations (${header.migrations.join(', ')}) are not a prefix of this build's (${known.join(', ')})`);
  }
}

async function rowCounts(db: Kysely<Database>, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await countRows(db, table);
  return counts;
}

async function deleteAllRows(db: Kysely<Database>, introspect: SchemaIntrospector): Promise<void> {
  const order = dependencyOrder(await introspect.tables(db), await introspect.references(db));
  for (const table of order.reverse()) await sql`delete from ${sql.id(table)}`.execute(db);
}

async function insertRows(db: Kysely<Database>, table: string, rows: BackupRow[]): Promise<void> {
  const columns = Object.keys(rows[0] as BackupRow);
  // Stay well under the bound-parameter limits (SQLite 32766, PostgreSQL 65535).
  const perStatement = Math.max(1, Math.floor(10_000 / Math.max(1, columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.map((row) => sql`(${sql.join(columns.map((c) => row[c] ?? null))})`);
    await sql`insert into ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c)))}) values ${sql.join(values)}`.execute(db);
  }
}

function sameColumns(a: BackupRow | undefined, b: BackupRow): boolean {
  if (a === undefined) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
