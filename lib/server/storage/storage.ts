/**
 * The licensing service's storage: one repository per concept, all on one database, SQLite in
 * the data folder (the default, nothing to set up) or PostgreSQL (`db: 'postgres://...'`, for
 * several service instances on one database). What is only a cache (verified licenses, opened
 * content keys, parsed template rules) stays in each instance's memory and is safe to lose.
 */
import path from 'node:path';

import { AccountStore, SqlAccountStore } from './account-store';
import { AuditStore, SqlAuditStore } from './audit-store';
import { ContentStore, SqlContentStore } from './content-store';
import { GroupStore, SqlGroupStore } from './group-store';
import { KeyPins, SqlKeyPins } from './key-pins';
import { LimitStore, SqlLimitStore } from './limit-store';
import { openPostgresDatabase } from './postgres-database';
import { RefreshTokenStore, SqlRefreshTokenStore } from './refresh-token-store';
import { ConnectionUse, SqlDatabase } from './sql-database';
import { openSqliteDatabase } from './sqlite-database';
import { SqlTemplateStore, TemplateStore } from './template-store';

export interface Storage {
  readonly accounts: AccountStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly templates: TemplateStore;
  readonly content: ContentStore;
  readonly audit: AuditStore;
  readonly groups: GroupStore;
  readonly limits: LimitStore;
  readonly keys: KeyPins;
  /** `sqlite` or `postgres`. */
  readonly kind: SqlDatabase['kind'];
  /** The database file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** A round trip to the database (`SELECT 1`): what readiness is checked with. */
  ping(): Promise<void>;
  /** The database's connections in use and waited for. */
  connections(): ConnectionUse;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** The data folder, where SQLite's `service.db` is when `db` is not given. */
  dataDir: string;
  /** A postgres:// URL: the service's data in that PostgreSQL database instead. */
  db?: string;
  /** Told of a pooled PostgreSQL connection lost while idle (the pool replaces it). */
  onIdleError?: (error: Error) => void;
  /** PostgreSQL: how long a statement may run or wait for a lock, and a request for a pooled connection (default 10 s). */
  timeoutMs?: number;
}

/** The stores on one SQL database. */
export function sqlStorage(db: SqlDatabase): Storage {
  return {
    accounts: new SqlAccountStore(db), refreshTokens: new SqlRefreshTokenStore(db), templates: new SqlTemplateStore(db),
    content: new SqlContentStore(db), audit: new SqlAuditStore(db), groups: new SqlGroupStore(db), limits: new SqlLimitStore(db), keys: new SqlKeyPins(db),
    kind: db.kind, location: db.location, close: () => db.close(),
    ping: async () => { await db.get('SELECT 1'); }, connections: () => db.connections(),
  };
}

/** Opens (creating and migrating) the service's database. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const db = options.db === undefined
    ? openSqliteDatabase(path.join(path.resolve(options.dataDir), 'service.db'))
    : await openPostgresDatabase(options.db, options.onIdleError ?? (() => {}), options.timeoutMs);
  return sqlStorage(db);
}
