import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * What differs between the two databases, in one place (ARCHITECTURE.md: no scattered `if (postgres)`).
 */
export interface Capabilities {
  dialect: DialectName;
  /** `FOR UPDATE SKIP LOCKED` lets several workers claim jobs without blocking each other (PostgreSQL). */
  skipLocked: boolean;
  /** Several processes may write at once (PostgreSQL); SQLite has one writer and one process. */
  multiNode: boolean;
}

/** A transaction in progress. `afterCommit` callbacks run once it has committed, never if it rolls back. */
export interface Tx {
  db: Transaction<Database>;
  afterCommit(callback: () => void): void;
  /**
   * Reads a value once per transaction (by key) and shares it with later callers in the same
   * transaction. Intake's group commit applies many events in one transaction: settings every event
   * needs (a service's routing rules, its silences) are then read once per batch. Only for values the
   * transaction itself does not change.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface FirebreakDatabase {
  db: Kysely<Database>;
  /**
   * For reads on hot paths that need no transaction (intake's key lookup): sees the last committed
   * state and never waits for a writer. SQLite: a second, read-only connection (WAL lets it read while
   * the writer commits; the writer's connection is held by one transaction at a time). PostgreSQL and
   * in-memory SQLite: the same as `db`.
   */
  reader: Kysely<Database>;
  capabilities: Capabilities;
  /** Where the data lives, without credentials: a file path or `postgres://host:port/name`. */
  location: string;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one read-only transaction where every query sees the same snapshot. PostgreSQL:
   * REPEATABLE READ READ ONLY. SQLite ignores those settings, but a transaction's first read fixes its
   * WAL snapshot, which is the same guarantee. Neither blocks writers (backups run beside the server).
   */
  readSnapshot<T>(work: (db: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /**
   * Migrates up or down until exactly the known migrations up to and including `name` are applied
   * (`null`: none). Restore uses it to recreate the schema a backup was made with.
   */
  migrateTo(name: string | null): Promise<void>;
  /** Names of migrations known to this build but not yet applied. */
  pendingMigrations(): Promise<string[]>;
  /** A round trip to the database. Throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file path (or `:memory:`). */
  url?: string | undefined;
  sqlitePath?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

// PostgreSQL returns int8 (bigint, COUNT) as strings; Firebreak's instants fit in a double, so parse them.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** Opens SQLite or PostgreSQL behind the same interface. Does not migrate. */
export function openDatabase(options: DatabaseOptions): FirebreakDatabase {
  if (isPostgresUrl(options.url)) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types: pgTypes });
    // An idle client losing its connection (server restart) must not crash the process; the pool
    // replaces it and the next query reports the failure where it can be handled.
    pool.on('error', () => {});
    // A client checked out between two queries (inside a transaction) reports a dropped connection as
    // an 'error' event on itself; without a listener that is an uncaught exception that would take the
    // whole process down when PostgreSQL restarts. The query that next uses it fails and is handled.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const parsed = new URL(options.url);
    return wrap(db, { dialect: 'postgres', skipLocked: true, multiNode: true }, `postgres://${parsed.host}${parsed.pathname}`, db);
  }
  const file = options.sqlitePath ?? options.url ?? ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before we
  // answer 2xx (an acknowledged event must survive power loss, not only a process crash).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  let reader = db;
  if (file !== ':memory:') {
    const readOnly = new SQLite(file, { readonly: true });
    readOnly.pragma('busy_timeout = 5000');
    reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(readOnly) }) });
  }
  return wrap(db, { dialect: 'sqlite', skipLocked: false, multiNode: false }, file, reader);
}

/** Statements kept prepared, by SQL text. Kysely prepares every query anew; preparing costs more than running most. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The SQLite handle Kysely uses, with prepared statements reused by SQL text (queries carry their values
 * as parameters, so the text repeats). Safe because Kysely runs one query at a time on the connection
 * and Firebreak never streams (`stream()` iterates a statement while it stays busy). When the cache is
 * full it starts again: simpler than LRU, and Firebreak's distinct queries number in the low hundreds.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = sqlite.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

function wrap(db: Kysely<Database>, capabilities: Capabilities, location: string, reader: Kysely<Database>): FirebreakDatabase {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return {
    db,
    reader,
    capabilities,
    location,
    async transaction(work) {
      const callbacks: Array<() => void> = [];
      const memos = new Map<string, Promise<unknown>>();
      const memo = <T>(key: string, load: () => Promise<T>): Promise<T> => {
        let value = memos.get(key) as Promise<T> | undefined;
        if (!value) {
          value = load();
          memos.set(key, value);
        }
        return value;
      };
      const result = await db.transaction().execute((trx) => work({ db: trx, afterCommit: (cb) => callbacks.push(cb), memo }));
      for (const cb of callbacks) cb();
      return result;
    },
    async readSnapshot(work) {
      return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
    },
    async migrate() {
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(String(error));
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async migrateTo(name) {
      const { error } = await migrator.migrateTo(name ?? NO_MIGRATIONS);
      if (error) throw error instanceof Error ? error : new Error(String(error));
    },
    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
  };
}
