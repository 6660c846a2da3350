import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { dialectCases, postgresUrl, type DialectCase } from '../../../../test/support/databases.js';
import { dumpDatabase } from '../../../../test/support/db-dump.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { ManualClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { openDatabase, type FirebreakDatabase } from '../../platform/db/database.js';
import { migrations } from '../../platform/db/migrations/index.js';
import { introspectorFor } from '../../platform/db/schema-introspection.js';
import { createServices } from '../../services.js';
import { systemActor } from '../audit/audit.repo.js';
import { DemoService } from '../demo/demo.service.js';
import { BackupError, inspectBackup } from './backup.format.js';
import { backupDatabase, restoreBackup, verifyRestore } from './backup.service.js';

const dir = mkdtempSync(join(tmpdir(), 'firebreak-backup-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
const tempFile = (name: string) => join(dir, `${++fileCounter}-${name}`);
const clock = new ManualClock('2026-11-02T10:00:00Z');

/** A new, empty, never-migrated database of this dialect, and how to open it (again). */
async function emptyTarget(dialect: DialectCase['name']): Promise<() => FirebreakDatabase> {
  if (dialect === 'sqlite') {
    const file = tempFile('target.db');
    return () => openDatabase({ sqlitePath: file });
  }
  const url = await createTestDatabase(postgresUrl() as string, 'fb_restore');
  return () => openDatabase({ url, poolSize: 2 });
}

/** Fills a database with the demo organization, tokens, and rows chosen to trip up a lossy format. */
async function seed(database: FirebreakDatabase): Promise<void> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', FIREBREAK_DATA_DIR: '/nonexistent' }), fastPasswordHashing: true };
  const services = createServices({ config, database, clock, secretKey: randomBytes(32) });
  await new DemoService({ services, fastPasswordHashing: true }).load({ force: false });
  const owner = await services.catalog.requireUser(database.db, 'owner');
  await services.auth.createTokenForUser(database.db, owner, 'backup test', systemActor('test'));
  await database.transaction(async (tx) => {
    const awkward = ['', "O'Brien \"quoted\" \\ backslash", 'line one\nline two\r\n\ttab', 'emoji 🚒, ü, 中文, U+2028 \u2028 end', 'x'.repeat(10_000)];
    // More rows than a page and a batch, so paging and batching are exercised.
    for (let i = 0; i < 40; i++) {
      await tx.db.insertInto('runtime').values({ name: `key-${String(i).padStart(3, '0')}`, value: awkward[i % awkward.length] as string, updated_at: 1_800_000_000_000 + i }).execute();
    }
    await tx.db
      .insertInto('jobs')
      .values({ id: '01JOB', task: 'demo.task', job_key: null, payload: '{"a":[1,2.5,null]}', run_at: 0, attempts: 3, max_attempts: 5, revision: 2, locked_by: null, locked_until: null, last_error: 'boom\nstack', failed_at: 1_799_999_999_999, created_at: 1, updated_at: 2 })
      .execute();
  });
}

async function withDatabase<T>(open: () => FirebreakDatabase, work: (db: FirebreakDatabase) => Promise<T>): Promise<T> {
  const database = open();
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** Rewrites a backup's decompressed text, optionally fixing the checksum so only `edit` is wrong. */
function rewriteBackup(file: string, edit: (lines: string[]) => string[], options: { fixChecksum: boolean }): string {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').slice(0, -1);
  let edited = edit(lines);
  if (options.fixChecksum) {
    const body = edited.slice(0, -1);
    const trailer = JSON.parse(edited[edited.length - 1] as string) as Record<string, unknown>;
    trailer.sha256 = createHash('sha256').update(body.map((l) => l + '\n').join('')).digest('hex');
    edited = [...body, JSON.stringify(trailer)];
  }
  const out = tempFile('edited.jsonl.gz');
  writeFileSync(out, gzipSync(edited.map((l) => l + '\n').join('')));
  return out;
}

for (const dialect of dialectCases()) {
  describe(`backup and restore on ${dialect.name}`, () => {
    it('restores every row exactly, into a never-migrated database, and verifies it through a fresh connection', async () => {
      const source = await dialect.open();
      try {
        await seed(source);
        const file = tempFile('roundtrip.jsonl.gz');
        const result = await backupDatabase(source, file, { clock, secretKeyId: 'abcd', pageSize: 7 });
        expect(result.header).toMatchObject({ format: 'firebreak-backup', formatVersion: 1, createdAt: '2026-11-02T10:00:00.000Z', sourceDialect: dialect.name, migrations: Object.keys(migrations), secretKeyId: 'abcd' });
        expect(Object.keys(result.header.tables)).not.toContain('kysely_migration');
        // Jobs: the one inserted above and the escalation timer of the demo's triggered high-urgency alert.
        expect(result.header.tables).toMatchObject({ users: 11, teams: 4, runtime: 40, jobs: 2 });
        // Parents first: users and teams before team_members and api_tokens.
        const order = Object.keys(result.header.tables);
        expect(order.indexOf('users')).toBeLessThan(order.indexOf('team_members'));
        expect(order.indexOf('teams')).toBeLessThan(order.indexOf('team_members'));

        const open = await emptyTarget(dialect.name);
        const report = await restoreBackup({ file, open, batchSize: 3 });
        expect(report.verification.ok).toBe(true);
        expect(report.verification.pendingMigrations).toEqual([]);
        expect(report.verification.tables.find((t) => t.table === 'users')).toEqual({ table: 'users', expected: 11, actual: 11, ok: true });
        expect(await withDatabase(open, dumpDatabase)).toEqual(await dumpDatabase(source));
      } finally {
        await source.close();
      }
    });

    it('refuses a target that holds data, and with --force replaces it', async () => {
      const source = await dialect.open();
      try {
        await seed(source);
        const file = tempFile('force.jsonl.gz');
        await backupDatabase(source, file, { clock });
        const open = await emptyTarget(dialect.name);
        await withDatabase(open, async (db) => {
          await db.migrate();
          await db.db.insertInto('runtime').values({ name: 'already-here', value: 'x', updated_at: 1 }).execute();
        });

        const refused = restoreBackup({ file, open });
        await expect(refused).rejects.toThrow(BackupError);
        await expect(refused).rejects.toThrow(/is not empty \(runtime: 1\).*--force/);
        expect((await withDatabase(open, dumpDatabase)).runtime).toEqual([{ name: 'already-here', value: 'x', updated_at: 1 }]);

        const report = await restoreBackup({ file, open, force: true });
        expect(report.verification.ok).toBe(true);
        expect(await withDatabase(open, dumpDatabase)).toEqual(await dumpDatabase(source));
      } finally {
        await source.close();
      }
    });

    it('refuses a changed, truncated or too-new backup before writing anything', async () => {
      const source = await dialect.open();
      try {
        await seed(source);
        const file = tempFile('good.jsonl.gz');
        await backupDatabase(source, file, { clock });
        const compressed = readFileSync(file);
        const cut = tempFile('cut.jsonl.gz');
        writeFileSync(cut, compressed.subarray(0, Math.floor(compressed.length / 2)));
        const cases: Array<{ file: string; error: RegExp }> = [
          { file: rewriteBackup(file, (lines) => lines.map((l) => l.replace('Maya Chen', 'Maya Chan')), { fixChecksum: false }), error: /checksum mismatch/ },
          { file: rewriteBackup(file, (lines) => lines.filter((l) => !l.includes('"t":"jobs"')), { fixChecksum: true }), error: /end marker counts \d+ rows but the file holds/ },
          { file: rewriteBackup(file, (lines) => lines.slice(0, -1), { fixChecksum: false }), error: /ends before its end marker \(the file is truncated\)/ },
          { file: cut, error: /truncated|not intact gzip/ },
          {
            file: rewriteBackup(
              file,
              ([header, ...rest]) => {
                const h = JSON.parse(header as string) as { migrations: string[] };
                h.migrations.push('9999-from-the-future');
                return [JSON.stringify(h), ...rest];
              },
              { fixChecksum: true },
            ),
            error: /backup is from a newer Firebreak .*9999-from-the-future/,
          },
        ];
        const open = await emptyTarget(dialect.name);
        for (const c of cases) {
          await expect(restoreBackup({ file: c.file, open }), c.file).rejects.toThrow(c.error);
        }
        await withDatabase(open, async (db) => expect(await introspectorFor(db.capabilities.dialect).tables(db.db)).toEqual([]));
      } finally {
        await source.close();
      }
    });

    it('reports a table whose row count differs from the header', async () => {
      const source = await dialect.open();
      try {
        await seed(source);
        const file = tempFile('verify.jsonl.gz');
        const { header } = await backupDatabase(source, file, { clock });
        const open = await emptyTarget(dialect.name);
        await restoreBackup({ file, open });
        await withDatabase(open, (db) => db.db.deleteFrom('runtime').where('name', '=', 'key-000').execute());
        const verification = await verifyRestore(open, header);
        expect(verification.ok).toBe(false);
        expect(verification.tables.filter((t) => !t.ok)).toEqual([{ table: 'runtime', expected: 40, actual: 39, ok: false }]);
      } finally {
        await source.close();
      }
    });
  });
}

describe('backup and restore with SQLite files', () => {
  it('restores into a file that, reopened later, shows the data', async () => {
    const source = openDatabase({ sqlitePath: ':memory:' });
    await source.migrate();
    await seed(source);
    const file = tempFile('file.jsonl.gz');
    await backupDatabase(source, file, { clock });
    await source.close();

    const target = tempFile('restored.db');
    await restoreBackup({ file, open: () => openDatabase({ sqlitePath: target }) });
    const reopened = openDatabase({ sqlitePath: target });
    try {
      const names = (await reopened.db.selectFrom('users').select('name').orderBy('handle').execute()).map((u) => u.name);
      expect(names).toContain('Sofía Martínez');
      expect(await reopened.db.selectFrom('teams').select('handle').orderBy('handle').execute()).toEqual([{ handle: 'data' }, { handle: 'mobile' }, { handle: 'payments' }, { handle: 'platform' }]);
    } finally {
      await reopened.close();
    }
  });

  it('takes a consistent snapshot while another connection keeps writing (WAL readers do not block the writer)', async () => {
    const path = tempFile('live.db');
    const live = openDatabase({ sqlitePath: path });
    await live.migrate();
    await seed(live);
    const backupSide = openDatabase({ sqlitePath: path });
    let writes = 0;
    let stop = false;
    // Commits from the "server" connection between the backup's page reads.
    const writer = (async () => {
      while (!stop) {
        await live.db.insertInto('runtime').values({ name: `during-${writes}`, value: 'x', updated_at: writes }).execute();
        writes++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const file = tempFile('live.jsonl.gz');
      const result = await backupDatabase(backupSide, file, { clock, pageSize: 2 });
      stop = true;
      await writer;
      expect(writes).toBeGreaterThan(0);
      const { header } = await inspectBackup(file);
      expect(header.tables.runtime).toBe(result.header.tables.runtime);
      const total = Number((await live.db.selectFrom('runtime').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(total).toBe(40 + writes);
      expect(header.tables.runtime).toBeGreaterThanOrEqual(40);
      expect(header.tables.runtime).toBeLessThan(total);
    } finally {
      stop = true;
      await writer;
      await backupSide.close();
      await live.close();
    }
  });

  it('refuses to back up a database that was never migrated', async () => {
    const empty = openDatabase({ sqlitePath: ':memory:' });
    const file = tempFile('nothing.jsonl.gz');
    try {
      await expect(backupDatabase(empty, file, { clock })).rejects.toThrow(/has no Firebreak schema yet/);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(`${file}.partial`)).toBe(false);
    } finally {
      await empty.close();
    }
  });
});

describe.runIf(postgresUrl())('backup and restore across dialects', () => {
  it('moves every row from SQLite to PostgreSQL and back unchanged', async () => {
    const sqlite = openDatabase({ sqlitePath: ':memory:' });
    await sqlite.migrate();
    try {
      await seed(sqlite);
      const toPostgres = tempFile('sqlite.jsonl.gz');
      await backupDatabase(sqlite, toPostgres, { clock });
      const postgres = await emptyTarget('postgres');
      const report = await restoreBackup({ file: toPostgres, open: postgres });
      expect(report.header.sourceDialect).toBe('sqlite');
      expect(report.verification.ok).toBe(true);
      const original = await dumpDatabase(sqlite);
      expect(await withDatabase(postgres, dumpDatabase)).toEqual(original);

      const back = tempFile('postgres.jsonl.gz');
      await withDatabase(postgres, (db) => backupDatabase(db, back, { clock }));
      const sqliteAgain = await emptyTarget('sqlite');
      expect((await restoreBackup({ file: back, open: sqliteAgain })).verification.ok).toBe(true);
      expect(await withDatabase(sqliteAgain, dumpDatabase)).toEqual(original);
    } finally {
      await sqlite.close();
    }
  });
});
