import { closeSync, fdatasync, fsync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, SqliteDialect, sql, type Compilable, type Transaction } from 'kysely';
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
  /**
   * Statements run in this process (SQLite): many small prepared statements cost less than building one
   * large one. PostgreSQL: every statement is a round trip, so fewer, larger ones win.
   */
  inProcess: boolean;
}

/** A transaction in progress. `afterCommit` callbacks run once it has committed, never if it rolls back. */
export interface Tx {
  db: Transaction<Database>;
  afterCommit(callback: () => void): void;
  /** Runs `callback` if the transaction rolls back (its work threw, or the commit failed). */
  afterRollback(callback: () => void): void;
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
  /**
   * Runs `work` in one transaction and resolves once it has committed and is on disk; `afterCommit`
   * callbacks run then. A transaction that only read resolves once everything it could have read is on
   * disk. SQLite (a file): the commit itself does not wait for the disk (WAL, synchronous=NORMAL for this
   * one commit); the WAL is fdatasync'd on the thread pool, one sync covering every commit made before
   * it started, while the process goes on with other work (ADR 0035). PostgreSQL: an ordinary
   * transaction, durable at commit.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * `transaction` that returns as soon as it has committed, with `durable`, which resolves once the
   * commit (and everything it read) is on disk: for intake's group commit (ADR 0021), whose next batch
   * runs while this one syncs, and for writes nobody waits on (a finished job's row). Nobody may be told
   * of the change, and nothing outside the database may act on it, before `durable` resolves
   * (`afterCommit` callbacks run then). `seen` resolves once every commit made before this transaction
   * (everything it could have read) is on disk, usually at once: the job runner's claim acts on what it
   * read once `seen` resolves, its own lease needing no wait. SQLite: as `transaction`, without waiting
   * for the sync. PostgreSQL: an ordinary transaction (its commit is durable), both already resolved.
   */
  transactionSyncedLater<T>(work: (tx: Tx) => Promise<T>): Promise<{ result: T; durable: Promise<void>; seen: Promise<void> }>;
  /**
   * Runs `work` in one read-only transaction where every query sees the same snapshot. PostgreSQL:
   * REPEATABLE READ READ ONLY. SQLite ignores those settings, but a transaction's first read fixes its
   * WAL snapshot, which is the same guarantee. Neither blocks writers (backups run beside the server).
   * Resolves once everything it could have read is on disk (see `transaction`).
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
  /**
   * A query Kysely builds and compiles once per database (remembered by `key`), with `param(name)`
   * standing for the values given to {@link FirebreakDatabase.run}. For hot paths (intake, ADR 0021):
   * building and compiling a query costs more than SQLite takes to run it.
   */
  precompiled(key: string, build: (db: Kysely<Database>, param: Param) => Compilable<unknown>): Precompiled;
  /**
   * Runs a precompiled query with these values: inside `tx` (a transaction of this database), or, without
   * one, as a read of the last committed state (a select only). SQLite runs the prepared statement
   * directly: on the connection the transaction holds; without one, on the writer's connection when no
   * transaction is open there (its page cache stays warm, while every commit empties the reader's),
   * else on the reader. PostgreSQL sends the compiled text through Kysely (`reader` without `tx`).
   */
  run<R>(query: Precompiled, values: Values, tx?: Tx): Promise<RunResult<R>>;
  /** A round trip to the database. Throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A precompiled query's values: by parameter name, or (for wide statements such as multi-row inserts)
 * every parameter in the order the compiled text binds them, which must then all be named parameters.
 */
export type Values = Readonly<Record<string, unknown>> | readonly unknown[];

/** Stands for a value given when a precompiled query runs (see {@link FirebreakDatabase.precompiled}). */
export type Param = (name: string) => never;

/**
 * A row's values for a precompiled insert: each column a parameter named after it, so the row itself is
 * the values to run it with. Name the query after the columns too when rows may differ in them.
 */
export function columnParams(row: object, p: Param): never {
  return Object.fromEntries(Object.keys(row).map((column) => [column, p(column)])) as never;
}

/** A compiled query whose parameters are named run-time values or constants fixed when it was built. */
export interface Precompiled {
  readonly sql: string;
  readonly slots: ReadonlyArray<{ name: string } | { value: unknown }>;
}

export interface RunResult<R> {
  rows: R[];
  /** Rows an insert, update or delete changed (0 for a select). */
  numAffectedRows: number;
}

/** Marks a parameter in a query being precompiled; no real value starts with a NUL character this way. */
const PARAM_MARK = '\u0000firebreak-param:';

/** Compiles `build`'s query once; the parameters that are markers become named slots. */
export function precompile(db: Kysely<Database>, build: (db: Kysely<Database>, param: Param) => Compilable<unknown>): Precompiled {
  const compiled = build(db, ((name: string) => `${PARAM_MARK}${name}`) as Param).compile();
  return {
    sql: compiled.sql,
    slots: compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(PARAM_MARK) ? { name: p.slice(PARAM_MARK.length) } : { value: p })),
  };
}

function argumentsOf(query: Precompiled, values: Values): unknown[] {
  if (Array.isArray(values)) {
    if (values.length !== query.slots.length || query.slots.some((slot) => !('name' in slot))) throw new Error(`Precompiled query: ${values.length} values for ${query.slots.length} parameters, or parameters fixed when it was built (${query.sql.slice(0, 60)}…)`);
    return values as unknown[];
  }
  const named = values as Readonly<Record<string, unknown>>;
  const args = new Array<unknown>(query.slots.length);
  for (let i = 0; i < args.length; i++) {
    const slot = query.slots[i] as { name: string } | { value: unknown };
    if ('name' in slot) {
      const value = named[slot.name];
      if (value === undefined) throw new Error(`Precompiled query: no value for parameter \`${slot.name}\` (${query.sql.slice(0, 60)}…)`);
      args[i] = value;
    } else args[i] = slot.value;
  }
  return args;
}

/**
 * Prepared statements by SQL text on one SQLite connection, and its pragmas (never cached: SQLite
 * applies a setting such as `synchronous` when the statement is prepared, not each time it runs).
 */
type StatementSource = {
  prepare(sql: string): SQLite.Statement;
  pragma(text: string): void;
  inTransaction(): boolean;
  /** Rows inserted, updated or deleted on this connection since it opened (SQLite's `total_changes()`). */
  totalChanges(): number;
};

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file path (or `:memory:`). */
  url?: string | undefined;
  sqlitePath?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite: WAL frames from which the checkpointer starts the WAL over (default {@link WAL_RESTART_FRAMES}; tests set fewer). */
  walRestartFrames?: number;
  /** SQLite: called each time the writer is held for a WAL restart (tests count them). */
  onWalHold?: () => void;
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
    return wrap(db, { dialect: 'postgres', skipLocked: true, multiNode: true, inProcess: false }, `postgres://${parsed.host}${parsed.pathname}`, db);
  }
  const file = options.sqlitePath ?? options.url ?? ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the writer; synchronous=FULL makes every commit durable before we
  // answer 2xx (an acknowledged event must survive power loss, not only a process crash). Transactions
  // relax it for their own commit and sync the WAL off the main thread before returning (ADR 0035);
  // statements outside a transaction keep FULL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const writer = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: writer }) });
  let reader = db;
  // In-memory: the reader is the writer's connection, so direct reads on it would see a transaction in
  // progress; they go through Kysely (which waits for the connection) instead.
  let directReader: StatementSource | null = null;
  if (file !== ':memory:') {
    const readOnly = new SQLite(file, { readonly: true });
    readOnly.pragma('busy_timeout = 5000');
    const cached = withStatementCache(readOnly);
    directReader = cached;
    reader = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  }
  return wrap(db, { dialect: 'sqlite', skipLocked: false, multiNode: false, inProcess: true }, file, reader, { writer, reader: directReader, file, walRestartFrames: options.walRestartFrames ?? WAL_RESTART_FRAMES, onWalHold: options.onWalHold });
}

/** How often the checkpointer copies the WAL's new pages into the database file. */
const CHECKPOINT_INTERVAL_MS = 50;

/**
 * WAL frames (4 KB pages) from which the checkpointer, once it has caught up, briefly holds the writer
 * back to start the WAL over (ADR 0045). 8,192 frames: 32 MB.
 */
const WAL_RESTART_FRAMES = 8192;

/**
 * What the WAL file is cut back to when it starts over (`journal_size_limit`): a burst, or a long read
 * that kept it from starting over, does not leave a file of gigabytes behind.
 */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The checkpointer thread's code (CommonJS, `eval`): its own connection runs a passive checkpoint every
 * interval, repeated until it has caught up with the writer. PASSIVE never waits for, nor blocks, the
 * writer or readers.
 *
 * Catching up is not enough for the WAL to start over: the writer restarts it only if, when its next
 * transaction begins, every frame has been copied; under sustained load it is always a few commits
 * ahead, so the WAL grew without end (1.3 GB in a 12-second benchmark, each new block zeroed by the
 * kernel as it was written). So when the WAL has grown past `restartFrames`, the thread asks the main
 * thread to hold the writer (`pause`); once told it is held (`held`), a RESTART checkpoint copies the
 * last frames and waits for readers to leave the WAL, and the thread says so (`done`): the writer's next
 * transaction then writes from the start of the file again.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma('synchronous = FULL');
// RESTART waits this long at most for a reader still in the WAL, then gives up until next time.
db.pragma('busy_timeout = 100');
let asked = false;
// After a RESTART that a reader kept from finishing, no new request before this time.
let quietUntil = 0;
const timer = setInterval(() => {
  if (asked) return;
  let result;
  for (let round = 0; round < 10; round++) {
    [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (!result || result.busy || result.log <= result.checkpointed) break;
  }
  // Only once every frame is copied: a reader on an old snapshot (a backup) keeps the checkpoint
  // behind, and holding the writer for it would stall every write until the reader ends.
  if (result && !result.busy && result.checkpointed >= result.log && result.log >= workerData.restartFrames && Date.now() >= quietUntil) {
    asked = true;
    parentPort.postMessage('pause');
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'held') {
    try {
      const [result] = db.pragma('wal_checkpoint(RESTART)');
      if (!result || result.busy) quietUntil = Date.now() + 1000;
    } finally {
      asked = false;
      parentPort.postMessage('done');
    }
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Longest the writer is held for a WAL restart, whatever the checkpointer thread does. */
const WAL_RESTART_HOLD_MS = 5000;

/**
 * Moves WAL checkpoints off the writer (ADR 0021). By default the connection whose commit fills the WAL
 * past 1,000 pages copies them into the database file and syncs it, inside that commit: tens of
 * milliseconds in which the whole process (every request) stands still. A worker thread with its own
 * connection does it instead, once the writer is busy (ADR 0035: `BUSY_COMMITS_PER_SECOND`). If the thread fails,
 * the writer checkpoints itself again. The thread never keeps the process alive; `close` stops it
 * (SQLite's last connection to close checkpoints the rest).
 *
 * `hold` keeps the writer's connection from every other use while its callback runs (Kysely's
 * connection lock): nothing blocks the event loop, transactions simply start after it.
 */
function startCheckpointer(file: string, writer: StatementSource & { onClose(stop: () => Promise<void>): void }, hold: (during: () => Promise<void>) => Promise<void>, restartFrames: number): void {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs: CHECKPOINT_INTERVAL_MS, restartFrames },
    // It holds next to nothing; small heaps keep the thread's memory small.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  let stopped = false;
  /** Ends the current hold (the thread said `done`, died, or took too long). */
  let release: (() => void) | null = null;
  const fallBack = () => {
    release?.();
    if (!stopped) writer.pragma('wal_autocheckpoint = 1000');
    stopped = true;
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (message) => {
    if (message === 'done') {
      release?.();
      return;
    }
    if (message !== 'pause' || stopped) return;
    void hold(async () => {
      if (stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => release?.(), WAL_RESTART_HOLD_MS);
        release = () => {
          clearTimeout(timer);
          release = null;
          resolve();
        };
        worker.postMessage('held');
      });
    }).catch(() => {});
  });
  writer.pragma('wal_autocheckpoint = 0');
  writer.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  writer.onClose(async () => {
    if (stopped) return;
    stopped = true;
    release?.();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Referenced while closing: a CLI command awaiting `close` must not see an empty event loop and exit.
    worker.ref();
    worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  });
}

/** Statements kept prepared, by SQL text. Kysely prepares every query anew; preparing costs more than running most. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The SQLite handle Kysely uses, with prepared statements reused by SQL text (queries carry their values
 * as parameters, so the text repeats). Safe because Kysely runs one query at a time on the connection
 * and Firebreak never streams (`stream()` iterates a statement while it stays busy). When the cache is
 * full it starts again: simpler than LRU, and Firebreak's distinct queries number in the low hundreds.
 */
function withStatementCache(sqlite: SQLite.Database): StatementSource & { close(): void; onClose(stop: () => Promise<void>): void; beforeClose(): Promise<void> } {
  const statements = new Map<string, SQLite.Statement>();
  const closing: Array<() => Promise<void>> = [];
  const changes = sqlite.prepare('select total_changes()').pluck();
  return {
    onClose(stop) {
      closing.push(stop);
    },
    async beforeClose() {
      for (const stop of closing.splice(0)) await stop();
    },
    prepare(text) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = sqlite.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
    pragma(text) {
      // exec: no statement object or result rows to build (a quarter of `pragma()`'s cost; each
      // transaction sets `synchronous` twice).
      sqlite.exec(`PRAGMA ${text}`);
    },
    inTransaction() {
      return sqlite.inTransaction;
    },
    totalChanges() {
      return changes.get() as number;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

/**
 * Runs a precompiled query directly on better-sqlite3. Safe on the writer only inside a transaction
 * (`run` is given its `Tx`): Kysely's connection lock is then held by that transaction, and statements
 * run synchronously, one at a time.
 */
function runSqlite<R>(source: StatementSource, query: Precompiled, values: Values, readOnly = false): RunResult<R> {
  const statement = source.prepare(query.sql);
  if (readOnly && !statement.reader) throw new Error(`A precompiled write runs only inside a transaction (${query.sql.slice(0, 60)}…)`);
  const args = argumentsOf(query, values);
  if (statement.reader) return { rows: statement.all(args) as R[], numAffectedRows: 0 };
  return { rows: [], numAffectedRows: statement.run(args).changes };
}

/**
 * Syncs a SQLite database's WAL file to disk (fdatasync on the thread pool, through a descriptor kept
 * open: the WAL lives as long as the writer's connection), and keeps count of which commits are on disk.
 *
 * Commits made with synchronous=NORMAL are numbered (`committed`) right after they commit, when their
 * frames have been written to the WAL file. A sync covers every commit numbered before it started (its
 * `target`): the WAL is one file, appended in order, and fdatasync flushes all of it. `through(n)` waits
 * for the first sync that covers commit `n`: the one running if it started after that commit, else the
 * next one. So under load at most one sync runs and one waits, and each covers every commit made while
 * the previous one ran (group commit). The first sync also syncs the directory, which holds the WAL
 * file created when the database opened.
 */
function walSyncer(file: string): { noteCommit(): number; latest(): number; through(commit: number): Promise<void>; pending(): Promise<void>; close(): Promise<void> } {
  const wal = `${file}-wal`;
  let fd: number | null = null;
  let directorySynced = false;
  /** The number of the last commit made without syncing, and of the last one known to be on disk. */
  let committed = 0;
  let synced = 0;
  let running: { target: number; done: Promise<void> } | null = null;
  let waiting: Promise<void> | null = null;
  /** The highest commit a call waiting for the next sync needs. */
  let wanted = 0;
  const datasync = (descriptor: number) => new Promise<void>((resolve, reject) => fdatasync(descriptor, (error) => (error ? reject(error) : resolve())));
  const syncNow = async () => {
    fd ??= openSync(wal, 'r');
    try {
      await datasync(fd);
    } catch (error) {
      // Opened afresh next time rather than trusting a descriptor that failed.
      closeSync(fd);
      fd = null;
      throw error;
    }
    if (!directorySynced) {
      const dir = openSync(dirname(file), 'r');
      try {
        await new Promise<void>((resolve, reject) => fsync(dir, (error) => (error ? reject(error) : resolve())));
      } finally {
        closeSync(dir);
      }
      directorySynced = true;
    }
  };
  const start = (): Promise<void> => {
    // Every commit numbered so far has written its frames: this sync covers them.
    const target = committed;
    const done = syncNow()
      .then(() => {
        synced = Math.max(synced, target);
      })
      .finally(() => {
        running = null;
      });
    running = { target, done };
    return done;
  };
  const through = (commit: number): Promise<void> => {
    if (synced >= commit) return Promise.resolve();
    if (running === null) return start();
    if (running.target >= commit) return running.done;
    wanted = Math.max(wanted, commit);
    waiting ??= running.done
      .catch(() => {})
      .then(() => {
        waiting = null;
        return through(wanted);
      });
    return waiting;
  };
  return {
    noteCommit: () => ++committed,
    latest: () => committed,
    through,
    pending: () => through(committed),
    async close() {
      await Promise.allSettled([running?.done, waiting]);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/**
 * Commits in one second from which the writer counts as busy and the checkpointer thread starts
 * (ADR 0035): below it, SQLite's own checkpoint every 1,000 WAL pages (inside a commit, on the main
 * thread) happens rarely enough not to matter, and an idle server or a CLI command has no extra thread.
 */
const BUSY_COMMITS_PER_SECOND = 100;

function wrap(
  db: Kysely<Database>,
  capabilities: Capabilities,
  location: string,
  reader: Kysely<Database>,
  direct?: { writer: StatementSource & { beforeClose(): Promise<void>; onClose(stop: () => Promise<void>): void }; reader: StatementSource | null; file: string; walRestartFrames: number; onWalHold?: (() => void) | undefined },
): FirebreakDatabase {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const compiled = new Map<string, Precompiled>();
  // In-memory SQLite has no file to sync: its commits are as durable as they will ever be.
  const wal = direct && direct.file !== ':memory:' ? walSyncer(direct.file) : null;
  let checkpointing = false;
  /** Runs `work` in a Kysely transaction on `on`; the `afterCommit` callbacks are returned, not run. */
  const inTransaction = async <T>(on: Kysely<Database>, work: (tx: Tx) => Promise<T>): Promise<{ result: T; callbacks: Array<() => void> }> => {
    const callbacks: Array<() => void> = [];
    const memos = new Map<string, Promise<unknown>>();
    const memo = <V>(key: string, load: () => Promise<V>): Promise<V> => {
      let value = memos.get(key) as Promise<V> | undefined;
      if (!value) {
        value = load();
        memos.set(key, value);
      }
      return value;
    };
    const rolledBack: Array<() => void> = [];
    try {
      const result = await on.transaction().execute((trx) => work({ db: trx, afterCommit: (cb) => callbacks.push(cb), afterRollback: (cb) => rolledBack.push(cb), memo }));
      return { result, callbacks };
    } catch (error) {
      for (const cb of rolledBack) cb();
      throw error;
    }
  };
  let busySince = 0;
  let busyCommits = 0;
  /**
   * SQLite file: runs `work` in a transaction whose commit does not wait for the disk, and numbers that
   * commit for the WAL syncer (`commit`: 0 when the transaction changed no row). The connection is held
   * for the whole of it, so no other transaction commits while the setting is relaxed (SQLite refuses
   * to change it inside a transaction, hence around one); statements run outside a transaction (an
   * autocommit write through `db`) still commit with synchronous=FULL and sync the WAL themselves.
   */
  const commitRelaxed = async <T>(work: (tx: Tx) => Promise<T>, writer: StatementSource & { onClose(stop: () => Promise<void>): void }, file: string, syncer: ReturnType<typeof walSyncer>) =>
    db.connection().execute(async (connection) => {
      // The checkpointer thread starts once the writer is busy: an idle server or a CLI command never
      // needs it (it costs about 13 MB).
      if (!checkpointing) {
        const now = performance.now();
        if (now - busySince > 1_000) {
          busySince = now;
          busyCommits = 0;
        }
        if (++busyCommits >= BUSY_COMMITS_PER_SECOND) {
          checkpointing = true;
          startCheckpointer(file, writer, (during) => db.connection().execute(async () => (direct?.onWalHold?.(), during())), direct?.walRestartFrames ?? WAL_RESTART_FRAMES);
        }
      }
      // Nothing else commits while the connection is held: everything this transaction reads was
      // committed up to this number.
      const prior = syncer.latest();
      const before = writer.totalChanges();
      writer.pragma('synchronous = NORMAL');
      let outcome: { result: T; callbacks: Array<() => void> };
      try {
        outcome = await inTransaction(connection, work);
      } finally {
        writer.pragma('synchronous = FULL');
      }
      // Numbered at once, while the connection is still held: its frames are in the WAL file now.
      const commit = writer.totalChanges() === before ? 0 : syncer.noteCommit();
      return { ...outcome, commit, prior };
    });
  return {
    db,
    reader,
    capabilities,
    location,
    precompiled(key, build) {
      let query = compiled.get(key);
      if (!query) {
        // Keys are fixed names or column lists; a bound keeps a caller's mistake from growing it forever.
        if (compiled.size >= 1000) compiled.clear();
        query = precompile(db, build);
        compiled.set(key, query);
      }
      return query;
    },
    async run<R>(query: Precompiled, values: Values, tx?: Tx): Promise<RunResult<R>> {
      if (direct) {
        if (tx) return runSqlite<R>(direct.writer, query, values);
        // better-sqlite3 runs it to the end before anything else can use the connection, and with no
        // transaction open it sees exactly what has committed.
        if (!direct.writer.inTransaction()) return runSqlite<R>(direct.writer, query, values, true);
        if (direct.reader) return runSqlite<R>(direct.reader, query, values, true);
      }
      const result = await (tx ? tx.db : reader).executeQuery<R>(CompiledQuery.raw(query.sql, argumentsOf(query, values)));
      return { rows: result.rows, numAffectedRows: Number(result.numAffectedRows ?? 0) };
    },
    async transaction(work) {
      if (!direct || !wal) {
        const { result, callbacks } = await inTransaction(db, work);
        for (const cb of callbacks) cb();
        return result;
      }
      const { result, callbacks, commit } = await commitRelaxed(work, direct.writer, direct.file, wal);
      // Its own commit, or (read only) every commit it may have read, on disk before anyone hears of it.
      await (commit > 0 ? wal.through(commit) : wal.pending());
      for (const cb of callbacks) cb();
      return result;
    },
    async transactionSyncedLater(work) {
      if (!direct || !wal) {
        const { result, callbacks } = await inTransaction(db, work);
        return { result, durable: Promise.resolve().then(() => callbacks.forEach((cb) => cb())), seen: Promise.resolve() };
      }
      const { result, callbacks, commit, prior } = await commitRelaxed(work, direct.writer, direct.file, wal);
      const durable = (commit > 0 ? wal.through(commit) : wal.pending()).then(() => {
        for (const cb of callbacks) cb();
      });
      return { result, durable, seen: wal.through(prior) };
    },
    async readSnapshot(work) {
      const result = await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
      await wal?.pending();
      return result;
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
      // The checkpointer first: the writer, closing last, then checkpoints what is left and removes the WAL.
      await direct?.writer.beforeClose();
      await wal?.close();
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
  };
}
