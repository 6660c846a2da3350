import { describe, expect, it } from 'vitest';
import { dialectCases } from '../../../../test/support/databases.js';

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
