import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectCases, type DialectCase } from '../../../../test/support/databases.js';
import { openDatabase, type FirebreakDatabase, type Tx } from './database.js';
import { GroupCommit } from './group-commit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The shared cases, plus SQLite in a file: only a file database has a separate reader connection. */
const cases: DialectCase[] = [
  ...dialectCases(),
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'firebreak-gc-'));
      dirs.push(dir);
      const database = openDatabase({ sqlitePath: join(dir, 'firebreak.db') });
      await database.migrate();
      return database;
    },
  },
];

async function rows(database: FirebreakDatabase, via: 'db' | 'reader' = 'db'): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from gc_items order by id`.execute(database[via]);
  return result.rows.map((r) => r.id);
}

cases.forEach((dialect, index) =>
  describe(`group commit (${dialect.name}${index >= dialectCases().length ? ', file' : ''})`, () => {
    async function setUp() {
      const database = await dialect.open();
      await sql`create table gc_items (id text primary key)`.execute(database.db);
      let transactions = 0;
      const insert = async (tx: Tx, id: string) => {
        if (id.startsWith('bad')) throw new Error(`refused ${id}`);
        await sql`insert into gc_items (id) values (${id})`.execute(tx.db);
        return id;
      };
      const counting: FirebreakDatabase = {
        ...database,
        transaction: <T>(work: (tx: Tx) => Promise<T>) => (transactions++, database.transaction(work)),
        transactionSyncedLater: <T>(work: (tx: Tx) => Promise<T>) => (transactions++, database.transactionSyncedLater(work)),
      };
      const group = new GroupCommit<string, string>({
        database: counting,
        apply: insert,
        alone: (id) => counting.transaction((tx) => insert(tx, id)),
        maxBatch: 50,
        concurrency: 1,
      });
      return { database, group, transactions: () => transactions };
    }

    it('commits concurrent items together and answers each caller only after its item committed', async () => {
      const { database, group, transactions } = await setUp();
      const ids = Array.from({ length: 200 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
      const seen: boolean[] = [];
      await Promise.all(
        ids.map((id) =>
          group.submit(id).then(async (answered) => {
            expect(answered).toBe(id);
            // Visible to another connection the moment the caller hears back: it has committed.
            seen.push((await rows(database, 'reader')).includes(id));
          }),
        ),
      );
      expect(seen.every(Boolean)).toBe(true);
      expect(await rows(database)).toEqual(ids);
      // 200 items in batches of at most 50: far fewer transactions than items.
      expect(transactions()).toBeLessThanOrEqual(20);
      expect(transactions()).toBeGreaterThanOrEqual(4);
      await database.close();
    });

    it('items submitted from separate event-loop callbacks (one per request) still share a commit', async () => {
      // HTTP requests reach `submit` from separate I/O callbacks. better-sqlite3 answers synchronously, so
      // a batch started inside the first callback would commit before the second callback ever ran.
      const { database, group, transactions } = await setUp();
      const ids = Array.from({ length: 40 }, (_, i) => `cb-${String(i).padStart(2, '0')}`);
      const answers = await Promise.all(ids.map((id) => new Promise<string>((resolve, reject) => setImmediate(() => group.submit(id).then(resolve, reject)))));
      expect(answers).toEqual(ids);
      expect(await rows(database)).toEqual(ids);
      expect(transactions()).toBeLessThanOrEqual(4);
      await database.close();
    });

    it('a failing item fails alone: its neighbours in the batch commit', async () => {
      const { database, group } = await setUp();
      const ids = ['a-1', 'a-2', 'bad-3', 'a-4', 'a-5'];
      const outcomes = await Promise.allSettled(ids.map((id) => group.submit(id)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect(await rows(database)).toEqual(['a-1', 'a-2', 'a-4', 'a-5']);
      await database.close();
    });

    if (dialect.name === 'sqlite') {
      it('relaxes the commit setting for its own commits only: other transactions still sync at commit', async () => {
        const { database, group } = await setUp();
        const synchronous = async (db: FirebreakDatabase['db'] = database.db) => (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;
        expect(await synchronous()).toBe(2); // FULL
        await Promise.all(['s-1', 's-2', 's-3'].map((id) => group.submit(id)));
        expect(await synchronous()).toBe(2);
        // A file database commits a batch without waiting for the disk (NORMAL, 1), then syncs its WAL.
        const during = await database.transactionSyncedLater((tx) => synchronous(tx.db));
        await during.durable;
        expect(during.result).toBe(index >= dialectCases().length ? 1 : 2);
        expect(await synchronous()).toBe(2);
        await database.close();
      });
    }

    it('a batch is answered, and its after-commit callbacks run, only once its commit is durable', async () => {
      const { database } = await setUp();
      const order: string[] = [];
      const { durable } = await database.transactionSyncedLater(async (tx) => {
        await sql`insert into gc_items (id) values (${'d-1'})`.execute(tx.db);
        tx.afterCommit(() => order.push('callback'));
      });
      order.push('committed');
      await durable;
      order.push('durable');
      // A file database syncs its WAL after the commit returns: the callback waits for it.
      if (index >= dialectCases().length) expect(order).toEqual(['committed', 'callback', 'durable']);
      else expect(order.indexOf('callback')).toBeLessThan(order.indexOf('durable'));
      expect(await rows(database, 'reader')).toEqual(['d-1']);
      await database.close();
    });

    it('starts the next batch once the last one is on disk, so whatever arrives during the sync shares one commit', async () => {
      const { database } = await setUp();
      let transactions = 0;
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let first = true;
      // The first batch's sync takes until `release`; later ones are quick.
      const slowDisk: FirebreakDatabase = {
        ...database,
        transactionSyncedLater: async (work) => {
          transactions++;
          const done = await database.transactionSyncedLater(work);
          const durable = first ? done.durable.then(() => held) : done.durable;
          first = false;
          return { ...done, durable };
        },
      };
      const insert = async (tx: Tx, id: string) => (await sql`insert into gc_items (id) values (${id})`.execute(tx.db), id);
      const group = new GroupCommit<string, string>({ database: slowDisk, apply: insert, alone: (id) => slowDisk.transaction((tx) => insert(tx, id)), maxBatch: 50, concurrency: 1 });
      const one = group.submit('s-1');
      while ((await rows(database)).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const later = ['s-2', 's-3', 's-4'].map((id) => group.submit(id));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Committed but not on disk: nothing after it has started.
      expect(await rows(database)).toEqual(['s-1']);
      release();
      expect(await Promise.all([one, ...later])).toEqual(['s-1', 's-2', 's-3', 's-4']);
      expect(transactions).toBe(2);
      await database.close();
    });

    it('answers at commit without waiting for the disk when asked (waitForDisk: false), and only then', async () => {
      const { database } = await setUp();
      // A disk that never finishes syncing: only callers that do not wait for it hear back.
      const stuck: FirebreakDatabase = { ...database, transactionSyncedLater: async (work) => ({ ...(await database.transactionSyncedLater(work)), durable: new Promise<void>(() => {}) }) };
      const insert = async (tx: Tx, id: string) => (await sql`insert into gc_items (id) values (${id})`.execute(tx.db), id);
      const options = { database: stuck, apply: insert, alone: (id: string) => stuck.transaction((tx) => insert(tx, id)), maxBatch: 50, concurrency: 1 };
      const atCommit = new GroupCommit<string, string>({ ...options, waitForDisk: false });
      expect(await Promise.all([atCommit.submit('c-1'), atCommit.submit('c-2')])).toEqual(['c-1', 'c-2']);
      const onDisk = new GroupCommit<string, string>(options);
      const waiting = onDisk.submit('d-1');
      const answered = await Promise.race([waiting.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 100, 'still waiting'))]);
      expect(answered).toBe('still waiting');
      expect(await rows(database)).toEqual(['c-1', 'c-2', 'd-1']);
      await database.close();
    });

    it('one item at a time still commits (no waiting for a batch to fill)', async () => {
      const { database, group, transactions } = await setUp();
      expect(await group.submit('only')).toBe('only');
      expect(await rows(database)).toEqual(['only']);
      expect(transactions()).toBe(1);
      await database.close();
    });
  }),
);
