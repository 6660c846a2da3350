import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE, sql, type Kysely } from 'kysely';
import type { DialectName } from './database.js';
import type { Database } from './schema.js';

/** One foreign key, reduced to what ordering needs: `table` holds rows that point at rows of `references`. */
export interface TableReference {
  table: string;
  references: string;
}

/**
 * Questions about the live schema, asked of the database itself so that tables added by later
 * migrations are seen without editing the code that asks (backup and restore). Every method takes the
 * connection or transaction to ask on, so answers can come from inside one snapshot.
 */
export interface SchemaIntrospector {
  /** Firebreak's tables, sorted by name, without Kysely's migration bookkeeping tables. */
  tables(db: Kysely<Database>): Promise<string[]>;
  /** The primary-key columns of `table` in key order; empty when it has none. */
  primaryKey(db: Kysely<Database>, table: string): Promise<string[]>;
  /** Every foreign key between Firebreak's tables. */
  references(db: Kysely<Database>): Promise<TableReference[]>;
  /** Names of the applied migrations, in the order they were applied; empty on a never-migrated database. */
  appliedMigrations(db: Kysely<Database>): Promise<string[]>;
}

const MIGRATION_TABLES = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);

async function appliedMigrations(db: Kysely<Database>, tables: string[]): Promise<string[]> {
  if (!tables.includes(DEFAULT_MIGRATION_TABLE)) return [];
  // Kysely orders executed migrations by timestamp, then name; so do we.
  const { rows } = await sql<{ name: string }>`select ${sql.id('name')} from ${sql.id(DEFAULT_MIGRATION_TABLE)} order by ${sql.id('timestamp')}, ${sql.id('name')}`.execute(db);
  return rows.map((r) => r.name);
}

const sqlite: SchemaIntrospector = {
  async tables(db) {
    return (await allSqliteTables(db)).filter((t) => !MIGRATION_TABLES.has(t));
  },
  async primaryKey(db, table) {
    const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
    return rows.map((r) => r.name);
  },
  async references(db) {
    const { rows } = await sql<TableReference>`
      select m.name as "table", f."table" as "references"
      from sqlite_master m join pragma_foreign_key_list(m.name) f
      where m.type = 'table'`.execute(db);
    return dedupe(rows);
  },
  async appliedMigrations(db) {
    return appliedMigrations(db, await allSqliteTables(db));
  },
};

async function allSqliteTables(db: Kysely<Database>): Promise<string[]> {
  // pragma_table_list tells ordinary tables from virtual ones (full-text search) and their shadow
  // tables: those are derived (triggers refill them on restore) and exist only on SQLite.
  const { rows } = await sql<{ name: string }>`select name from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`.execute(db);
  return rows.map((r) => r.name);
}

// Keys and constraints come from pg_catalog rather than information_schema: information_schema shows
// constraints only to roles that may write the table, so a read-only backup role would see no foreign
// keys and get a wrong order. Table names do come from information_schema, where SELECT is enough.
const postgres: SchemaIntrospector = {
  async tables(db) {
    return (await allPostgresTables(db)).filter((t) => !MIGRATION_TABLES.has(t));
  },
  async primaryKey(db, table) {
    const { rows } = await sql<{ name: string }>`
      select a.attname as name
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
      where i.indisprimary and n.nspname = current_schema() and c.relname = ${table}
      order by array_position(i.indkey::int2[], a.attnum)`.execute(db);
    return rows.map((r) => r.name);
  },
  async references(db) {
    const { rows } = await sql<TableReference>`
      select c.relname as "table", p.relname as "references"
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = current_schema()`.execute(db);
    return dedupe(rows);
  },
  async appliedMigrations(db) {
    return appliedMigrations(db, await allPostgresTables(db));
  },
};

async function allPostgresTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  return rows.map((r) => r.name);
}

function dedupe(refs: TableReference[]): TableReference[] {
  const seen = new Map(refs.map((r) => [`${r.table}\u0000${r.references}`, { table: r.table, references: r.references }]));
  return [...seen.values()];
}

const introspectors: Record<DialectName, SchemaIntrospector> = { sqlite, postgres };

/** The introspector for a dialect: the one place where catalog queries differ between databases. */
export function introspectorFor(dialect: DialectName): SchemaIntrospector {
  return introspectors[dialect];
}

/** Rows in `table`. */
export async function countRows(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.id(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
