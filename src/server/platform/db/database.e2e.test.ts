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
  });
}
