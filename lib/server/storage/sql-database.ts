/**
 * The one SQL surface the service's stores are written against. Each store writes a query once
 * and it runs on SQLite and on PostgreSQL alike, so the two cannot drift apart: parameters are
 * `?` in the text (the PostgreSQL driver numbers them), and what the two dialects say
 * differently is named in `SqlDialect`, in one place.
 */
export type SqlValue = string | number | null;

export interface SqlExecutor {
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDialect {
  /**
   * `expr` as template names are compared and sorted: A to Z folded to a to z and nothing else
   * (SQLite's NOCASE), then byte order. Unicode case folding would make names equal on one
   * backend and distinct on the other.
   */
  caseless(expr: string): string;
  /** Appended to a SELECT, inside a transaction, of a row the transaction is about to change. */
  readonly lockRead: string;
  /** Whether a statement failed on a UNIQUE constraint. */
  isUniqueViolation(error: unknown): boolean;
}

/** The database's connections now: what /metrics reports as pool use. */
export interface ConnectionUse {
  /** Connections open. */
  open: number;
  /** Of those, the ones no request is using. */
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'sqlite' | 'postgres';
  readonly dialect: SqlDialect;
  /** Where the data is, for logs and errors (never a password). */
  readonly location: string;
  /**
   * Runs `work` as one transaction: committed when it resolves, rolled back when it throws.
   * Statements inside go through `tx`; `work` awaits nothing but them.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  connections(): ConnectionUse;
  close(): Promise<void>;
}

/** Thrown inside a transaction to roll it back and answer `value`: the change was refused, not failed. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** `db.transaction(work)`, answering the value of a `Rollback` thrown inside it. */
export async function transactionOrRollback<T>(db: SqlDatabase, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (thrown) {
    if (thrown instanceof Rollback) return thrown.value as T;
    throw thrown;
  }
}
