import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { DialectName } from '../../platform/db/database.js';

/**
 * The backup file format (ADR 0008, docs/operations.md): gzip-compressed JSON lines.
 *
 *     {"format":"firebreak-backup","formatVersion":1,"createdAt":…,"firebreakVersion":…,"sourceDialect":…,"migrations":[…],"tables":{"users":3,…}}
 *     {"t":"users","r":{"id":"01J…","handle":"ana",…}}
 *     …
 *     {"end":"firebreak-backup","rows":1234,"sha256":"…"}
 *
 * Rows are grouped by table, in the order the header lists the tables (parents before the tables
 * that reference them). The trailer's SHA-256 covers every byte before it (uncompressed, newlines
 * included), so a truncated or altered file is refused before a restore writes anything.
 */
export const BACKUP_FORMAT = 'firebreak-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** A column value in a backup. Firebreak stores only text and numbers (ADR 0002), and null. */
export type BackupValue = string | number | null;
export type BackupRow = Record<string, BackupValue>;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** ISO 8601, UTC. */
  createdAt: string;
  firebreakVersion: string;
  sourceDialect: DialectName;
  /** Applied migrations, in order: the schema the rows fit. */
  migrations: string[];
  /** Row count per table, in the order the rows follow. */
  tables: Record<string, number>;
  /**
   * Which instance key sealed the secrets inside (TOTP secrets; later provider credentials): a
   * one-way fingerprint, never the key. Null when the key was not known to the backup.
   */
  secretKeyId: string | null;
}

export interface BackupTrailer {
  end: typeof BACKUP_FORMAT;
  rows: number;
  sha256: string;
}

export type BackupErrorCode =
  | 'BACKUP_INVALID'
  | 'BACKUP_TOO_NEW'
  | 'BACKUP_SOURCE_EMPTY'
  | 'BACKUP_UNSUPPORTED_VALUE'
  | 'RESTORE_TARGET_NOT_EMPTY'
  | 'RESTORE_TARGET_TOO_NEW'
  | 'RESTORE_SCHEMA_MISMATCH';

/** A backup or restore refused for a stated reason. Nothing was written to the target database. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A one-way fingerprint of the instance key, to tell at restore whether sealed secrets will open. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('firebreak secret key id\u0000').update(key).digest('hex').slice(0, 16);
}

/** Describes a value that does not belong in a backup, for an error message. */
export function unsupportedValue(value: unknown): string | null {
  if (value === null || typeof value === 'string') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : String(value);
  if (Buffer.isBuffer(value)) return 'binary value';
  if (value instanceof Date) return 'date object';
  return `${typeof value} value`;
}

/**
 * Writes a backup to `<file>.partial`, and renames it to `file` only once complete and flushed to
 * disk, so a failed or interrupted backup never leaves a file that looks finished. Mode 0600: a backup
 * holds password hashes and sealed secrets.
 */
export class BackupWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly gzip = createGzip();
  private readonly done: Promise<void>;
  private rows = 0;
  private readonly temp: string;
  private failure: Error | null = null;

  constructor(private readonly file: string) {
    this.temp = `${file}.partial`;
    this.done = pipeline(this.gzip, createWriteStream(this.temp, { mode: 0o600 }));
    // A failure (no such directory, disk full) surfaces from the next write() or from finish().
    this.done.catch((error: Error) => {
      this.failure = error;
    });
  }

  async header(header: BackupHeader): Promise<void> {
    await this.write(JSON.stringify(header) + '\n');
  }

  async rowsOf(table: string, rows: readonly BackupRow[]): Promise<void> {
    if (rows.length === 0) return;
    let text = '';
    for (const r of rows) text += JSON.stringify({ t: table, r }) + '\n';
    this.rows += rows.length;
    await this.write(text);
  }

  /** Writes the trailer, flushes, syncs and moves the file into place. Returns the checksum. */
  async finish(): Promise<{ sha256: string; rows: number; bytes: number }> {
    const sha256 = this.hash.digest('hex');
    const trailer: BackupTrailer = { end: BACKUP_FORMAT, rows: this.rows, sha256 };
    this.gzip.end(JSON.stringify(trailer) + '\n');
    await this.done;
    const handle = await open(this.temp, 'r');
    try {
      await handle.sync();
      const { size } = await handle.stat();
      await rename(this.temp, this.file);
      return { sha256, rows: this.rows, bytes: size };
    } finally {
      await handle.close();
    }
  }

  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.done.catch(() => {});
    await rm(this.temp, { force: true });
  }

  private async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    const bytes = Buffer.from(text, 'utf8');
    this.hash.update(bytes);
    if (!this.gzip.write(bytes)) {
      // Wait for room, or for the pipeline to fail (then 'drain' never comes).
      await Promise.race([once(this.gzip, 'drain'), this.done.then(() => Promise.reject(new Error('The backup file closed early')))]);
    }
  }
}

export type BackupItem = { kind: 'header'; header: BackupHeader } | { kind: 'row'; table: string; row: BackupRow };

/**
 * Reads a backup as a stream: the header first, then each row. Every line is checked as it passes
 * (shape, value types, table order, counts), and the trailer's checksum at the end; any problem throws
 * a `BackupError` naming the line. A caller writing rows must do so in a transaction it rolls back when
 * this throws, or read the file through once first (`inspectBackup`).
 */
export async function* readBackup(file: string): AsyncGenerator<BackupItem> {
  const name = basename(file);
  const invalid = (line: number | null, reason: string) =>
    new BackupError('BACKUP_INVALID', `${name} is not a usable Firebreak backup: ${line === null ? '' : `line ${line}: `}${reason}`);
  const hash = createHash('sha256');
  let header: BackupHeader | null = null;
  let order = new Map<string, number>();
  const seen = new Map<string, number>();
  let position = -1;
  let total = 0;
  let trailer: BackupTrailer | null = null;
  let lineNo = 0;

  for await (const line of gunzipLines(file, (reason) => invalid(null, reason))) {
    lineNo++;
    if (trailer) throw invalid(lineNo, 'there is data after the end marker');
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      throw invalid(lineNo, 'not JSON');
    }
    if (header === null) {
      header = parseHeader(value, (reason) => invalid(lineNo, reason));
      order = new Map(Object.keys(header.tables).map((t, i) => [t, i]));
      hash.update(line).update('\n');
      yield { kind: 'header', header };
      continue;
    }
    if (isObject(value) && 'end' in value) {
      trailer = parseTrailer(value, (reason) => invalid(lineNo, reason));
      if (trailer.sha256 !== hash.digest('hex')) throw invalid(null, 'checksum mismatch: the file was changed or damaged after it was written');
      continue;
    }
    if (!isObject(value) || typeof value.t !== 'string' || !isObject(value.r)) throw invalid(lineNo, 'expected a row {"t": table, "r": {…}}');
    const table = value.t;
    const index = order.get(table);
    if (index === undefined) throw invalid(lineNo, `table \`${table}\` is not listed in the header`);
    if (index < position) throw invalid(lineNo, `rows of \`${table}\` appear after rows of a table listed later`);
    position = index;
    for (const [column, v] of Object.entries(value.r)) {
      const bad = unsupportedValue(v);
      if (bad) throw invalid(lineNo, `${table}.${column} holds a ${bad}`);
    }
    const count = (seen.get(table) ?? 0) + 1;
    if (count > (header.tables[table] ?? 0)) throw invalid(lineNo, `more rows of \`${table}\` than the header's ${header.tables[table]}`);
    seen.set(table, count);
    total++;
    hash.update(line).update('\n');
    yield { kind: 'row', table, row: value.r as BackupRow };
  }

  if (header === null) throw invalid(null, 'the file is empty');
  if (trailer === null) throw invalid(null, 'it ends before its end marker (the file is truncated)');
  if (trailer.rows !== total) throw invalid(null, `the end marker counts ${trailer.rows} rows but the file holds ${total}`);
  for (const [table, expected] of Object.entries(header.tables)) {
    const actual = seen.get(table) ?? 0;
    if (actual !== expected) throw invalid(null, `the header lists ${expected} rows of \`${table}\` but the file holds ${actual}`);
  }
}

/** Reads the whole file once, checking everything, and returns its header. Writes nothing. */
export async function inspectBackup(file: string): Promise<{ header: BackupHeader; rows: number }> {
  let header: BackupHeader | null = null;
  let rows = 0;
  for await (const item of readBackup(file)) {
    if (item.kind === 'header') header = item.header;
    else rows++;
  }
  // readBackup throws before finishing when there is no header.
  return { header: header as BackupHeader, rows };
}

function parseHeader(value: unknown, invalid: (reason: string) => BackupError): BackupHeader {
  if (!isObject(value) || value.format !== BACKUP_FORMAT) throw invalid('the first line is not a Firebreak backup header');
  if (typeof value.formatVersion !== 'number') throw invalid('the header has no formatVersion');
  if (value.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupError('BACKUP_TOO_NEW', `This backup uses format version ${value.formatVersion} (made by Firebreak ${String(value.firebreakVersion)}); this Firebreak reads version ${BACKUP_FORMAT_VERSION}. Upgrade Firebreak to restore it.`);
  }
  const { createdAt, firebreakVersion, sourceDialect, migrations, tables } = value;
  if (typeof createdAt !== 'string' || typeof firebreakVersion !== 'string') throw invalid('the header lacks createdAt or firebreakVersion');
  if (sourceDialect !== 'sqlite' && sourceDialect !== 'postgres') throw invalid('the header has an unknown sourceDialect');
  if (!Array.isArray(migrations) || !migrations.every((m) => typeof m === 'string')) throw invalid('the header lacks the list of migrations');
  if (!isObject(tables) || !Object.values(tables).every((n) => Number.isInteger(n) && (n as number) >= 0)) throw invalid('the header lacks row counts per table');
  const secret = value.secretKeyId;
  return {
    format: BACKUP_FORMAT,
    formatVersion: value.formatVersion,
    createdAt,
    firebreakVersion,
    sourceDialect,
    migrations: migrations as string[],
    tables: tables as Record<string, number>,
    secretKeyId: typeof secret === 'string' ? secret : null,
  };
}

function parseTrailer(value: Record<string, unknown>, invalid: (reason: string) => BackupError): BackupTrailer {
  if (value.end !== BACKUP_FORMAT || typeof value.rows !== 'number' || typeof value.sha256 !== 'string') throw invalid('malformed end marker');
  return { end: BACKUP_FORMAT, rows: value.rows, sha256: value.sha256 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The decompressed lines of a gzip file, without their newlines. Splitting on the byte 0x0A is safe in
 * UTF-8 (it never occurs inside a multi-byte character) and JSON escapes newlines inside strings. A
 * last line without a newline means the file was cut short.
 */
async function* gunzipLines(file: string, invalid: (reason: string) => BackupError): AsyncGenerator<Buffer> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  let pending: Buffer[] = [];
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, nl));
        yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
        pending = [];
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') throw error;
    if (err.code === 'Z_BUF_ERROR') throw invalid('the file is truncated (gzip stream ends early)');
    throw invalid(`the file is not intact gzip (${err.message})`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (pending.length > 0) throw invalid('the last line is cut short (the file is truncated)');
}
