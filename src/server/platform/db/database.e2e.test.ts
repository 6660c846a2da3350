import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dialectCases } from '../../../../test/support/databases.js';
import { openDatabase, type FirebreakDatabase } from './database.js';
import type { Database } from './schema.js';

for (const dialect of dialectCases()) {
  describe(`database on ${dialect.name}`, () => {
    it('applies every migration and reports none pending', async () => {
      const database = await dialect.open();
      try {
        expect(await database.pendingMigrations()).toEqual([]);
        await database.ping();
      } finally {
        await database.close();
      }
    });

    it('stores instants as numbers and runs afterCommit callbacks only after a commit', async () => {
      const database = await dialect.open();
      try {
        const seen: string[] = [];
        await database.transaction(async (tx) => {
          await tx.db.insertInto('runtime').values({ name: 'x', value: '1', updated_at: 1_800_000_000_000 }).execute();
          tx.afterCommit(() => seen.push('committed'));
        });
        await expect(
          database.transaction(async (tx) => {
            tx.afterCommit(() => seen.push('rolled back'));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        const row = await database.db.selectFrom('runtime').selectAll().executeTakeFirstOrThrow();
        expect(row.updated_at).toBe(1_800_000_000_000);
        expect(seen).toEqual(['committed']);
      } finally {
        await database.close();
      }
    });

    it('runs a precompiled query with new values each time, in a transaction and as a committed read', async () => {
      const database = await dialect.open();
      try {
        const insert = database.precompiled('test.insert', (db, p) => db.insertInto('runtime').values({ name: p('name'), value: p('value'), updated_at: 5 }));
        const read = database.precompiled('test.read', (db, p) => db.selectFrom('runtime').selectAll().where('name', '=', p('name')));
        // The same key gives the query compiled the first time.
        expect(database.precompiled('test.read', () => {
          throw new Error('built again');
        })).toBe(read);
        const inserted = await database.transaction(async (tx) => {
          await database.run(insert, { name: 'a', value: 'one' }, tx);
          const result = await database.run(insert, { name: 'b', value: 'two' }, tx);
          // Inside the transaction its own rows are visible; values may also go by position.
          expect((await database.run(read, { name: 'b' }, tx)).rows).toHaveLength(1);
          expect((await database.run(read, ['b'], tx)).rows).toHaveLength(1);
          // By position only when every parameter is a value given at run time (here updated_at is fixed).
          await expect(database.run(insert, ['d', 'four'], tx)).rejects.toThrow('fixed when it was built');
          return result.numAffectedRows;
        });
        expect(inserted).toBe(1);
        expect((await database.run<{ name: string; value: string; updated_at: number }>(read, { name: 'a' })).rows).toEqual([{ name: 'a', value: 'one', updated_at: 5 }]);
        expect((await database.run(read, { name: 'b' })).rows).toEqual([{ name: 'b', value: 'two', updated_at: 5 }]);
        expect((await database.run(read, { name: 'c' })).rows).toEqual([]);
        await expect(database.run(read, {})).rejects.toThrow('no value for parameter `name`');
        // A rolled-back transaction leaves nothing behind.
        await expect(
          database.transaction(async (tx) => {
            await database.run(insert, { name: 'c', value: 'three' }, tx);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect((await database.run(read, { name: 'c' })).rows).toEqual([]);
      } finally {
        await database.close();
      }
    });
  });
}

/**
 * Commit batching on a SQLite file (ADR 0035): a transaction commits without the main thread waiting
 * for the disk, and resolves only once the WAL has been fdatasync'd. The real fdatasync runs; the spy
 * only holds its callback back, so the test can look at the moment between the commit and the sync.
 */
describe('transactions on a SQLite file', () => {
  let dir = '';
  let database: FirebreakDatabase | null = null;
  /** Callbacks of syncs that have finished on disk but are held back from the database. */
  const held: Array<() => void> = [];
  let holding = false;
  let syncs = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-commit-'));
    const real = fs.fdatasync;
    vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      syncs++;
      real(fd, (error) => (holding ? held.push(() => callback(error)) : callback(error)));
    }) as typeof fs.fdatasync);
    syncBuiltinESMExports();
    database = openDatabase({ sqlitePath: join(dir, 'firebreak.db') });
    await database.migrate();
    // Whatever the migrations left unsynced is on disk before each test starts counting.
    await database.transaction(async () => {});
    syncs = 0;
  });

  afterEach(async () => {
    holding = false;
    for (const release of held.splice(0)) release();
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    await database?.close();
    database = null;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Lets held syncs through, waiting until one has been started if none has yet. */
  const release = async () => {
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    holding = false;
    for (const done of held.splice(0)) done();
  };
  const settledSoon = async (promise: Promise<unknown>) => {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    return settled;
  };
  const synchronous = async (db: Kysely<Database>) => (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;
  const names = async (db: Kysely<Database>) => (await db.selectFrom('runtime').select('name').orderBy('name').execute()).map((r) => r.name);

  it('commits with synchronous=NORMAL, and resolves and runs its after-commit callbacks only once the WAL is synced', async () => {
    const db = database!;
    const seen: string[] = [];
    holding = true;
    const done = db.transaction(async (tx) => {
      seen.push(`inside ${await synchronous(tx.db)}`);
      await tx.db.insertInto('runtime').values({ name: 'a', value: '1', updated_at: 1 }).execute();
      tx.afterCommit(() => seen.push('after commit'));
      return 'result';
    });
    expect(await settledSoon(done)).toBe(false);
    // Committed (another connection reads it) but not yet synced: nobody has been told.
    expect(await names(db.reader)).toEqual(['a']);
    expect(seen).toEqual(['inside 1']);
    await release();
    expect(await done).toBe('result');
    expect(seen).toEqual(['inside 1', 'after commit']);
    // Statements outside a transaction still commit with FULL.
    expect(await synchronous(db.db)).toBe(2);
  });

  it('covers every commit made while a sync runs with the next one (group commit)', async () => {
    const db = database!;
    holding = true;
    const first = db.transaction((tx) => tx.db.insertInto('runtime').values({ name: 'first', value: '1', updated_at: 1 }).execute());
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const more = Array.from({ length: 6 }, (_, i) => db.transaction((tx) => tx.db.insertInto('runtime').values({ name: `more-${i}`, value: '1', updated_at: 1 }).execute()));
    expect(await settledSoon(Promise.race(more))).toBe(false);
    await release();
    await first;
    await Promise.all(more);
    // One sync for the first commit, one for the six that committed while it ran.
    expect(syncs).toBe(2);
    expect(await names(db.db)).toHaveLength(7);
  });

  it('makes a transaction that only read wait until what it could have read is on disk, and costs nothing when all of it is', async () => {
    const db = database!;
    holding = true;
    const { durable } = await db.transactionSyncedLater((tx) => tx.db.insertInto('runtime').values({ name: 'unsynced', value: '1', updated_at: 1 }).execute());
    const reading = db.transaction((tx) => names(tx.db));
    expect(await settledSoon(reading)).toBe(false);
    await release();
    await durable;
    expect(await reading).toEqual(['unsynced']);
    const before = syncs;
    expect(await db.transaction((tx) => names(tx.db))).toEqual(['unsynced']);
    expect(syncs).toBe(before);
  });

  it('tells a transaction that syncs later when what it read is on disk (`seen`), apart from its own commit', async () => {
    const db = database!;
    const insert = (name: string) => db.transactionSyncedLater((tx) => tx.db.insertInto('runtime').values({ name, value: '1', updated_at: 1 }).execute());
    holding = true;
    const first = await insert('first');
    // The second could have read the first, whose sync is held: its `seen` waits for it.
    const second = await insert('second');
    expect(await settledSoon(second.seen)).toBe(false);
    await release();
    await Promise.all([first.durable, second.seen, second.durable]);
    // Everything before it is on disk: `seen` resolves at once, though its own commit's sync is held.
    holding = true;
    const third = await insert('third');
    expect(await settledSoon(third.seen)).toBe(true);
    expect(await settledSoon(third.durable)).toBe(false);
    await release();
    await third.durable;
  });

  it('neither syncs nor runs after-commit callbacks for a transaction that rolls back', async () => {
    const db = database!;
    const seen: string[] = [];
    await expect(
      db.transaction(async (tx) => {
        await tx.db.insertInto('runtime').values({ name: 'gone', value: '1', updated_at: 1 }).execute();
        tx.afterCommit(() => seen.push('callback'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(syncs).toBe(0);
    expect(seen).toEqual([]);
    expect(await names(db.db)).toEqual([]);
    expect(await synchronous(db.db)).toBe(2);
  });

  it('starts the checkpointer thread only once the writer is busy', async () => {
    const db = database!;
    const autoCheckpoint = async () => (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db.db)).rows[0]?.wal_autocheckpoint;
    for (let i = 0; i < 10; i++) await db.transaction((tx) => tx.db.insertInto('runtime').values({ name: `quiet-${i}`, value: '1', updated_at: 1 }).execute());
    // SQLite still checkpoints by itself: no thread for a quiet server.
    expect(await autoCheckpoint()).toBe(1000);
    await Promise.all(Array.from({ length: 150 }, (_, i) => db.transaction((tx) => tx.db.insertInto('runtime').values({ name: `busy-${i}`, value: '1', updated_at: 1 }).execute())));
    // The thread checkpoints now; the writer no longer does it inside its commits.
    expect(await autoCheckpoint()).toBe(0);
  });

  it('starts the WAL over under sustained writes, holding the writer back without failing a transaction', async () => {
    await database?.close();
    const file = join(dir, 'restart.db');
    // 64 frames (256 KB) instead of 8,192, so a short test crosses the threshold many times.
    const db = openDatabase({ sqlitePath: file, walRestartFrames: 64 });
    database = db;
    await db.migrate();
    const walBytes = () => {
      try {
        return fs.statSync(`${file}-wal`).size;
      } catch {
        return 0;
      }
    };
    // A burst starts the checkpointer thread (ADR 0035); it then takes a moment to open.
    await Promise.all(Array.from({ length: 150 }, (_, i) => db.transaction((tx) => tx.db.insertInto('runtime').values({ name: `burst-${i}`, value: '1', updated_at: 1 }).execute())));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = walBytes();
    // Eight writers that never pause (each waits only for its own commit to be on disk), every
    // transaction dirtying a few pages: the WAL never gets a quiet moment to start over by itself.
    let committed = 0;
    const writer = async (w: number) => {
      for (let i = 0; i < 400; i++) {
        await db.transaction((tx) => tx.db.insertInto('runtime').values({ name: `w${w}-${i}`, value: 'x'.repeat(6000) + String(i), updated_at: i }).execute());
        committed++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    expect(committed).toBe(3200);
    expect(await db.db.selectFrom('runtime').select((eb) => eb.fn.countAll<number>().as('n')).where('name', 'like', 'w%').executeTakeFirstOrThrow()).toEqual({ n: 3200 });
    // The file grows only when the WAL goes past its old end. Without restarts it would hold every
    // frame written: 3,200 transactions of two or more pages, over 25 MB. Starting over every 64 frames
    // keeps it to the most written between two restarts.
    expect(walBytes() - before).toBeLessThan(4 * 1024 * 1024);
  });

  it('does not hold the writer for a restart while a reader keeps the checkpoint behind (a backup)', async () => {
    await database?.close();
    const file = join(dir, 'pinned.db');
    let holds = 0;
    const db = openDatabase({ sqlitePath: file, walRestartFrames: 64, onWalHold: () => holds++ });
    database = db;
    await db.migrate();
    let n = 0;
    const write = async (writers: number, each: number) =>
      Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < each; i++) {
            const name = `p-${n++}`;
            await db.transaction((tx) => tx.db.insertInto('runtime').values({ name, value: 'x'.repeat(6000), updated_at: i }).execute());
          }
        }),
      );
    await write(8, 40);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A reader in a transaction keeps its snapshot: no checkpoint may copy past it.
    const reader = new SQLite(file, { readonly: true });
    reader.exec('begin');
    reader.prepare('select count(*) from runtime').get();
    // Requests already on their way when the reader began may still arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = holds;
    await write(8, 100);
    expect(holds - before).toBe(0);
    reader.exec('commit');
    reader.close();
    // Once it is gone, restarts resume.
    await write(8, 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await write(8, 100);
    expect(holds - before).toBeGreaterThan(0);
  });
});

