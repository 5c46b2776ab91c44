/**
 * The PostgreSQL backend, through `pg` (an optional peer dependency, required only here): a pool
 * of connections shared by every request, for several service instances on one database. The
 * schema has its own numbered migrations, recorded in `openrms_schema`; instances starting
 * together take a PostgreSQL advisory lock around them, so one migrates while the others wait,
 * then find the schema current. As with SQLite, a schema newer than this openrms knows is refused.
 */
import type { Pool, PoolClient, QueryResult } from 'pg';

import { invalidArgument, RmsError } from '../../errors';
import { requirePeer } from '../peer-dependency';
import { ConnectionUse, SqlDatabase, SqlDialect, SqlExecutor, SqlValue } from './sql-database';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
/** The fold `SqlDialect.caseless` names, as one expression the unique index on template names repeats. */
const fold = (expr: string): string => `translate(${expr}, '${UPPER}', '${LOWER}')`;

const POSTGRES_DIALECT: SqlDialect = {
  // COLLATE "C": byte order, as SQLite's NOCASE compares once folded, whatever the database's locale.
  caseless: (expr) => `${fold(expr)} COLLATE "C"`,
  lockRead: ' FOR UPDATE',
  isUniqueViolation: (error) => (error as { code?: unknown }).code === '23505',
};

/**
 * Each entry moves the schema from version i to i + 1. Never edit one that has shipped: add
 * another. The first is the SQLite schema as of its version 4, in PostgreSQL's types: times
 * are BIGINT seconds, flags INTEGER 0 or 1 as in SQLite, so the stores read the same rows.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     email TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('organization', 'individual')),
     password_hash TEXT,
     admin INTEGER NOT NULL DEFAULT 0,
     super_user INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE service_principals (
     client_id TEXT PRIMARY KEY,
     identity TEXT NOT NULL UNIQUE,
     secret_hash TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE identity_status (
     email TEXT PRIMARY KEY,
     state TEXT NOT NULL CHECK (state IN ('disabled', 'removed')),
     since BIGINT NOT NULL
   );
   CREATE TABLE signups (
     email TEXT PRIMARY KEY,
     code_hash TEXT NOT NULL,
     expires_at BIGINT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX signups_expiry ON signups (expires_at);
   CREATE TABLE signup_sends (
     email TEXT PRIMARY KEY,
     window_start BIGINT NOT NULL,
     count INTEGER NOT NULL
   );
   CREATE TABLE refresh_tokens (
     id TEXT PRIMARY KEY,
     identity TEXT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX refresh_tokens_identity ON refresh_tokens (identity);
   CREATE TABLE templates (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     names TEXT NOT NULL DEFAULT '{}',
     descriptions TEXT NOT NULL DEFAULT '{}',
     policy TEXT NOT NULL,
     audience TEXT NOT NULL DEFAULT '[]',
     archived_at BIGINT,
     updated_at BIGINT NOT NULL,
     revision INTEGER NOT NULL DEFAULT 0
   );
   CREATE UNIQUE INDEX templates_name ON templates ((${fold('name')}));
   CREATE TABLE content (
     key_id TEXT PRIMARY KEY,
     cid TEXT NOT NULL,
     owner TEXT NOT NULL,
     registered_at BIGINT NOT NULL,
     revoked_at BIGINT,
     revoked_by TEXT
   );
   CREATE INDEX content_cid ON content (cid);
   CREATE TABLE audit (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at BIGINT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     cid TEXT,
     rights TEXT,
     outcome TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX audit_cid ON audit (cid);
   CREATE TABLE limit_windows (
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     count INTEGER NOT NULL,
     since BIGINT NOT NULL,
     PRIMARY KEY (kind, key)
   );
   CREATE INDEX limit_windows_since ON limit_windows (kind, since);
   CREATE TABLE service_keys (
     purpose TEXT PRIMARY KEY,
     thumbprint TEXT NOT NULL
   );`,
  // 2 (SQLite's 5): the service's own groups, and the audit log searchable by time and actor.
  `CREATE TABLE group_members (
     group_address TEXT NOT NULL,
     member TEXT NOT NULL,
     added_at BIGINT NOT NULL,
     PRIMARY KEY (group_address, member)
   );
   CREATE INDEX group_members_member ON group_members (member);
   CREATE INDEX audit_at ON audit (at);
   CREATE INDEX audit_actor ON audit (actor);`,
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** The advisory lock the instances migrate under: 'openrms' in ASCII, a key no other program is likely to take. */
export const MIGRATION_LOCK = '31369365011476851';

const POOL_SIZE = 10;
/**
 * How long a statement may run (waits for a lock included) and a request may wait for a pooled
 * connection, unless the service is given another (ServiceLimits.databaseTimeoutMs). Without a
 * bound, a table another client holds locked in an open transaction would keep every pooled
 * connection waiting, and every request after them, for good.
 */
export const DEFAULT_DATABASE_TIMEOUT_MS = 10_000;
/** SQLSTATEs of a statement given up: canceled (statement_timeout), a lock not granted (lock_timeout, NOWAIT). */
const GIVEN_UP = new Set(['57014', '55P03']);
/** pg's OID for int8: BIGINT columns and COUNT(*), seconds and counts that fit a double. */
const INT8 = 20;

/** `?` parameters numbered as PostgreSQL wants them (`$1`, `$2`...); the stores' texts hold no other `?`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * A failure to reach the database, or a statement it gave up on after the timeout (a lock held
 * elsewhere), is SERVICE_UNAVAILABLE (the client retries later); anything else (a constraint, a
 * bug) is passed on as it is.
 */
function unreachable(error: unknown): unknown {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error)?.message ?? '';
  if (GIVEN_UP.has(code)) {
    return new RmsError('SERVICE_UNAVAILABLE', `the service's database did not answer in time (a lock held by another client?): ${message}`, { cause: error });
  }
  if (code.startsWith('08') || code === '57P01' || code === '57P03' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)
    || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return new RmsError('SERVICE_UNAVAILABLE', `the service's database is unreachable: ${message}`, { cause: error });
  }
  return error;
}

function executor(run: (sql: string, params: readonly SqlValue[]) => Promise<QueryResult>): SqlExecutor {
  return {
    all: async <R>(sql: string, params: readonly SqlValue[] = []) => (await run(sql, params)).rows as R[],
    get: async <R>(sql: string, params: readonly SqlValue[] = []) => (await run(sql, params)).rows[0] as R | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await run(sql, params)).rowCount ?? 0,
  };
}

export class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres';
  readonly dialect = POSTGRES_DIALECT;
  private readonly texts = new Map<string, string>();
  private readonly pooled: SqlExecutor;

  constructor(private readonly pool: Pool, readonly location: string) {
    this.pooled = executor((sql, params) => this.query(pool, sql, params));
  }

  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.pooled.all<R>(sql, params);
  }

  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
    return this.pooled.get<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.pooled.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unreachable(error);
    }
    let broken: unknown;
    try {
      await this.query(client, 'BEGIN', []);
      try {
        const result = await work(executor((sql, params) => this.query(client, sql, params)));
        await this.query(client, 'COMMIT', []);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => { broken = rollbackFailed; });
        throw error;
      }
    } finally {
      // A connection whose rollback failed is in no known state: the pool closes it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  connections(): ConnectionUse {
    return { open: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(on: Pool | PoolClient, sql: string, params: readonly SqlValue[]): Promise<QueryResult> {
    let text = this.texts.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      this.texts.set(sql, text);
    }
    try {
      return await on.query(text, params as SqlValue[]);
    } catch (error) {
      throw unreachable(error);
    }
  }
}

/** The URL without its password, for logs. */
function shown(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

/** Checks `db` is a PostgreSQL URL (INVALID_ARGUMENT naming `db` otherwise). */
export function postgresUrl(db: string): URL {
  let url: URL;
  try {
    url = new URL(db);
  } catch {
    throw invalidArgument('db', 'a postgres://user@host:port/database URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw invalidArgument('db', 'a postgres://user@host:port/database URL');
  return url;
}

async function migrate(pool: Pool): Promise<void> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw unreachable(error);
  }
  try {
    // A migration, and an instance waiting for another's to end, may take longer than a request's statement.
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0');
    // Held for the whole migration: an instance starting meanwhile waits here, then finds the schema current.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS openrms_schema (version INTEGER NOT NULL)');
      const row = (await client.query<{ version: number }>('SELECT max(version) AS version FROM openrms_schema')).rows[0];
      const current = row?.version ?? 0;
      if (current > POSTGRES_SCHEMA_VERSION) {
        throw new RmsError('UNSUPPORTED_VERSION', `the service database is at schema ${current}; this openrms knows up to ${POSTGRES_SCHEMA_VERSION}`);
      }
      for (let version = current; version < POSTGRES_SCHEMA_VERSION; version++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[version]!);
          await client.query('DELETE FROM openrms_schema');
          await client.query('INSERT INTO openrms_schema (version) VALUES ($1)', [version + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (error) {
    throw unreachable(error);
  } finally {
    // Closed, not pooled: its statements are unbounded.
    client.release(true);
  }
}

/**
 * Connects to the PostgreSQL database at `db` (a postgres:// URL; a password is better left to
 * PGPASSWORD or ~/.pgpass than written in it) and migrates it. `onIdleError` hears of a pooled
 * connection lost while idle (the database restarted, say); the pool replaces it. `timeoutMs`
 * bounds each statement, its waits for locks, and the wait for a pooled connection.
 */
export async function openPostgresDatabase(db: string, onIdleError: (error: Error) => void, timeoutMs = DEFAULT_DATABASE_TIMEOUT_MS): Promise<PostgresDatabase> {
  const url = postgresUrl(db);
  const pg = requirePeer<typeof import('pg')>('pg', 'the licensing service on PostgreSQL (--db postgres://...)');
  const pool = new pg.Pool({
    connectionString: url.href, max: POOL_SIZE, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, lock_timeout: timeoutMs,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format))) as never },
  });
  pool.on('error', onIdleError);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresDatabase(pool, shown(url));
}
