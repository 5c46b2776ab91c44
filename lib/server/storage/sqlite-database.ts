/**
 * The SQLite backend (better-sqlite3, the zero-set-up default): `service.db` in the data folder,
 * migrated by database.ts. better-sqlite3 is synchronous, so a statement runs at once and its
 * promise is already settled. One connection serves the whole process, so a transaction holds
 * it: statements from other requests wait until it ends rather than run inside it (where a
 * rollback would take them along). Across processes (`openrms users add` beside the service),
 * SQLite's own locking serializes writers: a transaction waits for the write lock without
 * holding up the event loop (another connection in this process, a test's second instance,
 * can then finish the transaction it holds), and a single statement waits as database.ts sets.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';

import type { Statement } from 'better-sqlite3';

import { fileSystemError } from '../../errors';
import { Db, openDatabase } from '../database';
import { ConnectionUse, SqlDatabase, SqlDialect, SqlExecutor, SqlValue } from './sql-database';

/** How long a transaction waits for the write lock, as database.ts's busy_timeout does for a statement. */
const WRITE_LOCK_WAIT_MS = 5000;
const WRITE_LOCK_RETRY_MS = 5;

const SQLITE_DIALECT: SqlDialect = {
  caseless: (expr) => `${expr} COLLATE NOCASE`,
  // BEGIN IMMEDIATE has taken the write lock already.
  lockRead: '',
  isUniqueViolation: (error) => (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE',
};

export class SqliteDatabase implements SqlDatabase {
  readonly kind = 'sqlite';
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Statement>();
  /** Settles when the transaction holding the connection ends; null while none does. */
  private held: Promise<void> | null = null;
  /** Statements and transactions waiting for the one that holds the connection. */
  private waiting = 0;
  private readonly direct: SqlExecutor = {
    all: async <R>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).all(...params) as R[],
    get: async <R>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).get(...params) as R | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => this.statement(sql).run(...params).changes,
  };

  constructor(readonly db: Db, readonly location: string) {}

  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.whenFree(() => this.direct.all<R>(sql, params));
  }

  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
    return this.whenFree(() => this.direct.get<R>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.whenFree(() => this.direct.run(sql, params));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.held !== null) await this.waitFor(this.held);
    let release!: () => void;
    this.held = new Promise((resolve) => { release = resolve; });
    try {
      await this.begin();
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.held = null;
      release();
    }
  }

  /** One connection, busy while a transaction holds it. */
  connections(): ConnectionUse {
    return { open: 1, idle: this.held === null ? 1 : 0, waiting: this.waiting };
  }

  async close(): Promise<void> {
    while (this.held !== null) await this.held;
    this.db.close();
  }

  /** BEGIN IMMEDIATE (the write lock, so the transaction's reads are those it writes over), retried while another connection holds it. */
  private async begin(): Promise<void> {
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (;;) {
      const wait = this.db.pragma('busy_timeout', { simple: true }) as number;
      this.db.pragma('busy_timeout = 0');
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      } finally {
        this.db.pragma(`busy_timeout = ${wait}`);
      }
      await new Promise((resolve) => setTimeout(resolve, WRITE_LOCK_RETRY_MS));
    }
  }

  /** Runs `statement` now, or after the transaction holding the connection. */
  private whenFree<T>(statement: () => Promise<T>): Promise<T> {
    return this.held === null ? statement() : this.waitFor(this.held).then(() => this.whenFree(statement));
  }

  private async waitFor(held: Promise<void>): Promise<void> {
    this.waiting++;
    try {
      await held;
    } finally {
      this.waiting--;
    }
  }

  /** Prepared once per text: the stores' texts are constants, so the map stays small. */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Opens (creating when absent, owner-only) and migrates the SQLite database at `file`. */
export function openSqliteDatabase(file: string): SqliteDatabase {
  // It holds password hashes. Created owner-only before SQLite opens it, because SQLite gives
  // its -wal and -shm files the database file's mode.
  try {
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  } catch (error) {
    throw fileSystemError(error, file);
  }
  return new SqliteDatabase(openDatabase(file), file);
}
