/**
 * Backing up and restoring the service's SQLite database (`openrms backup`, `openrms restore`,
 * docs/operations.md "Backups and restore"). PostgreSQL has its own tools (pg_dump, pg_restore).
 *
 * A backup is SQLite's online backup (better-sqlite3's `backup()`): a consistent copy taken while
 * the service runs and writes, written beside the destination and renamed into place, owner-only
 * (it holds password hashes). It holds no key: back the keys folder up on its own.
 *
 * A restore never runs under a service: it takes the database's exclusive lock first, which any
 * other open connection (a running service, `openrms users ...`) prevents, and refuses with
 * CONFLICT. Holding that lock, it copies the database as it is beside it (service.db.before-
 * restore-<time>), then replaces every table's rows with the backup's (migrated first to this
 * openrms's schema, in a copy) in one transaction: a failure part way leaves the database as it
 * was, and a service starting meanwhile waits for the lock and then sees the restored data.
 * A backup whose keys are not this data folder's (another service's database) is refused.
 */
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';
import { verifySuccession } from '../license/certificates';
import { connectDatabase, Db, openDatabase, prepareDatabase, SCHEMA_VERSION } from './database';
import { ServiceKeys } from './service-keys';

export interface BackupSummary {
  file: string;
  bytes: number;
  /** The schema version of the database backed up. */
  schema: number;
}

export const DATABASE_FILE = 'service.db';

/** Tables every openrms database has had since its first schema: a file without them is not one. */
const OPENRMS_TABLES = ['users', 'service_principals', 'audit', 'content'];

function checkBackupFile(db: Db, file: string): number {
  let ok: unknown;
  try {
    ok = db.pragma('integrity_check', { simple: true });
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `${file} is not an SQLite database: ${(cause as Error).message}`, { cause });
  }
  if (ok !== 'ok') throw new RmsError('INVALID_FORMAT', `${file} is damaged (SQLite integrity check: ${String(ok)})`);
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  if (!OPENRMS_TABLES.every((t) => tables.has(t))) throw new RmsError('INVALID_FORMAT', `${file} is not an openrms service database`);
  const schema = db.pragma('user_version', { simple: true }) as number;
  if (schema > SCHEMA_VERSION) throw new RmsError('UNSUPPORTED_VERSION', `${file} is at schema ${schema}; this openrms knows up to ${SCHEMA_VERSION}`);
  return schema;
}

/**
 * Copies the database of the data folder `dataDir` to `out` (which must not exist), consistently,
 * while the service may be running; then checks the copy.
 */
export async function backupDatabase(dataDir: string, out: string): Promise<BackupSummary> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new RmsError('FILE_NOT_FOUND', `${source} does not exist: no service has run on ${dataDir}`);
  const target = path.resolve(out);
  if (existsSync(target)) throw new RmsError('FILE_EXISTS', `${target} exists; a backup never overwrites a file`);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const db = connectDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // Created owner-only before SQLite writes into it: the copy holds password hashes.
    closeSync(openSync(temp, 'wx', 0o600));
    await db.backup(temp);
    const copy = connectDatabase(temp, { readonly: true, fileMustExist: true });
    let schema: number;
    try {
      schema = checkBackupFile(copy, temp);
    } finally {
      copy.close();
    }
    chmodSync(temp, 0o600);
    renameSync(temp, target);
    return { file: target, bytes: statSync(target).size, schema };
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof RmsError) throw error;
    throw fileSystemError(error, target);
  } finally {
    db.close();
  }
}

export interface RestoreSummary {
  file: string;
  /** Where the database was copied before it was replaced (null when it held nothing yet). */
  previous: string | null;
  /** The schema version of the backup, before it was brought to this openrms's. */
  schema: number;
  /** Rows restored per table. */
  rows: Record<string, number>;
}

/** Refuses a backup whose pinned keys are not these keys or an earlier generation of them. */
function checkKeys(backup: Db, file: string, keys: ServiceKeys): void {
  const chain = verifySuccession(keys.succession, keys);
  const known = { signing: new Set(chain.signing.keys()), wrapping: new Set(chain.wrapping.keys()) };
  const hasPins = backup.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'service_keys'").get() !== undefined;
  const pins = hasPins ? backup.prepare('SELECT purpose, thumbprint FROM service_keys').all() as { purpose: keyof typeof known; thumbprint: string }[] : [];
  for (const pin of pins) {
    if (!known[pin.purpose]?.has(pin.thumbprint)) {
      throw new RmsError('CONFLICT', `${file} belongs to the ${pin.purpose} key ${pin.thumbprint}, which is not one of this data folder's keys: `
        + 'restore it beside the keys folder it was made with');
    }
  }
}

function tablesOf(db: Db, schema: string): string[] {
  return db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
}

/**
 * Replaces the data of the data folder `dataDir` (its keys `keys`) with the backup `file`. The
 * service must be stopped: CONFLICT while anything has the database open.
 */
export async function restoreDatabase(dataDir: string, file: string, keys: ServiceKeys, now = new Date()): Promise<RestoreSummary> {
  const source = path.resolve(file);
  if (!existsSync(source)) throw new RmsError('FILE_NOT_FOUND', `${source} does not exist`);
  let schema: number;
  const backup = connectDatabase(source, { readonly: true, fileMustExist: true });
  try {
    schema = checkBackupFile(backup, source);
    checkKeys(backup, source, keys);
  } finally {
    backup.close();
  }
  const target = path.join(dataDir, DATABASE_FILE);
  const copy = path.join(dataDir, `.restore.${process.pid}.db`);
  try {
    // The backup brought to this openrms's schema, in a copy: the backup file is never changed.
    copyFileSync(source, copy);
    chmodSync(copy, 0o600);
    openDatabase(copy).close();
    closeSync(openSync(target, 'a', 0o600));
    const db = connectDatabase(target);
    try {
      // Exclusive locking mode keeps the lock once taken, until the connection closes; taking it
      // fails at once while another connection has the database open.
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      try {
        db.exec('BEGIN EXCLUSIVE');
        db.exec('COMMIT');
      } catch (cause) {
        if ((cause as { code?: unknown }).code !== 'SQLITE_BUSY') throw cause;
        throw new RmsError('CONFLICT', `${target} is open in another process (a running service, another openrms command): stop it, then restore`, { cause });
      }
      prepareDatabase(db);
      db.pragma('busy_timeout = 0');
      db.prepare('ATTACH DATABASE ? AS backup').run(copy);
      try {
        // Checked before anything is written, the copy of what is replaced included: a backup
        // refused leaves the data folder as it was.
        const tables = sameTables(db);
        checkRows(db, tables);
        // What is replaced is kept, in case the wrong backup was restored.
        let previous: string | null = null;
        if ((db.prepare('SELECT COUNT(*) FROM main.users').pluck().get() as number) + (db.prepare('SELECT COUNT(*) FROM main.audit').pluck().get() as number) > 0) {
          previous = path.join(dataDir, `${DATABASE_FILE}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`);
          closeSync(openSync(previous, 'wx', 0o600));
          await db.backup(previous);
        }
        return { file: source, previous, schema, rows: replaceTables(db, tables) };
      } finally {
        db.exec('DETACH DATABASE backup');
      }
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof RmsError) throw error;
    throw fileSystemError(error, target);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
}

function columnsOf(db: Db, schema: string, table: string): string[] {
  return (db.prepare(`PRAGMA ${schema}.table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
}

/**
 * The tables of `db`, each with its columns, once checked to be those of the backup attached as
 * `backup` (brought to the same schema version): INVALID_FORMAT for a backup whose tables or
 * columns were dropped or added since it was made.
 */
function sameTables(db: Db): Map<string, string[]> {
  const tables = tablesOf(db, 'main');
  const theirs = tablesOf(db, 'backup');
  if (tables.join() !== theirs.join()) throw new RmsError('INVALID_FORMAT', `the backup's tables (${theirs.join(', ')}) are not this schema's (${tables.join(', ')})`);
  const columns = new Map<string, string[]>();
  for (const table of tables) {
    const ours = columnsOf(db, 'main', table);
    const found = columnsOf(db, 'backup', table);
    if ([...ours].sort().join() !== [...found].sort().join()) {
      throw new RmsError('INVALID_FORMAT', `the backup's table ${table} has the columns ${found.join(', ')}, not this schema's (${ours.join(', ')})`);
    }
    columns.set(table, ours);
  }
  return columns;
}

/** Every table of `db` given the rows of the attached `backup` (checked by sameTables and checkRows). */
function copyRows(db: Db, tables: Map<string, string[]>): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const [table, names] of tables) {
    const columns = names.map((c) => `"${c}"`).join(', ');
    db.exec(`DELETE FROM main."${table}"`);
    rows[table] = db.prepare(`INSERT INTO main."${table}" (${columns}) SELECT ${columns} FROM backup."${table}"`).run().changes;
  }
  // AUTOINCREMENT's counters (the audit log's IDs) as the backup had them.
  db.exec('DELETE FROM main.sqlite_sequence');
  db.exec('INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM backup.sqlite_sequence');
  return rows;
}

/** Thrown to roll checkRows's trial back. */
const TRIAL = Symbol('trial restore');
/** SQLite's refusals of a row by this schema: a constraint (a key repeated, a NULL), a value of the wrong type for a rowid. */
const ROW_REFUSED = /^SQLITE_(CONSTRAINT|MISMATCH)/;

/**
 * The restore tried in a transaction rolled back: a backup whose rows this schema refuses (its
 * tables rebuilt without their keys, say) is INVALID_FORMAT before anything in the data folder is
 * written, as is an AUTOINCREMENT counter past 2^53 (a SQLITE_FULL on every audit entry at 2^63
 * - 1, IDs read inexactly from 2^53 on).
 */
function checkRows(db: Db, tables: Map<string, string[]>): void {
  try {
    db.transaction(() => {
      copyRows(db, tables);
      const past = db.prepare('SELECT name FROM main.sqlite_sequence WHERE seq > ?').pluck().get(Number.MAX_SAFE_INTEGER);
      if (past !== undefined) throw new RmsError('INVALID_FORMAT', `the backup's counter of ${String(past)} IDs is past ${Number.MAX_SAFE_INTEGER}`);
      throw TRIAL;
    }).exclusive();
  } catch (error) {
    if (error === TRIAL) return;
    const code = String((error as { code?: unknown }).code ?? '');
    if (ROW_REFUSED.test(code)) throw new RmsError('INVALID_FORMAT', `the backup's rows do not fit this schema: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

/** Every table of `db` given the rows of the attached `backup`, in one transaction. */
function replaceTables(db: Db, tables: Map<string, string[]>): Record<string, number> {
  return db.transaction(() => copyRows(db, tables)).exclusive();
}
