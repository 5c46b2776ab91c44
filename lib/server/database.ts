/**
 * The SQLite schema of the service's storage (storage/sqlite-database.ts): one database
 * (better-sqlite3) in the data folder, created on first start. The schema is a list of numbered migrations applied in order inside one
 * transaction each; `PRAGMA user_version` records how far a database has come, so an older
 * database is brought up to date at start and a newer one (from a later openrms) is refused
 * rather than misread.
 */
import type Database from 'better-sqlite3';

import { RmsError } from '../errors';
import { requirePeer } from './peer-dependency';

export type Db = Database.Database;

/**
 * Each entry moves the schema from version i to i + 1. Never edit one that has shipped: add another.
 * Exported so tests can make a database as an older openrms left it (`MIGRATIONS.slice(0, n)`).
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     email TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('organization', 'individual')),
     password_hash TEXT,
     admin INTEGER NOT NULL DEFAULT 0,
     super_user INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE service_principals (
     client_id TEXT PRIMARY KEY,
     identity TEXT NOT NULL UNIQUE,
     secret_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE signups (
     email TEXT PRIMARY KEY,
     code_hash TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE refresh_tokens (
     id TEXT PRIMARY KEY,
     identity TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE templates (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     description TEXT NOT NULL,
     policy TEXT NOT NULL,
     archived INTEGER NOT NULL DEFAULT 0,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE content (
     cid TEXT NOT NULL,
     owner TEXT NOT NULL,
     registered_at INTEGER NOT NULL,
     revoked_at INTEGER,
     revoked_by TEXT,
     PRIMARY KEY (cid, owner)
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     cid TEXT,
     rights TEXT,
     outcome TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX audit_cid ON audit (cid);`,
  // 2: content is known by its key (PL version 2): one owner and one content ID per content key,
  // so revocation reaches every PL carrying that key. Schema-1 rows named (content ID, owner)
  // pairs of version-1 PLs, which are no longer accepted; they are kept, unused, as content_v1.
  // Identities can be disabled or removed; sign-up sends are counted per address.
  `ALTER TABLE content RENAME TO content_v1;
   CREATE TABLE content (
     key_id TEXT PRIMARY KEY,
     cid TEXT NOT NULL,
     owner TEXT NOT NULL,
     registered_at INTEGER NOT NULL,
     revoked_at INTEGER,
     revoked_by TEXT
   );
   CREATE INDEX content_cid ON content (cid);
   CREATE TABLE identity_status (
     email TEXT PRIMARY KEY,
     state TEXT NOT NULL CHECK (state IN ('disabled', 'removed')),
     since INTEGER NOT NULL
   );
   CREATE TABLE signup_sends (
     email TEXT PRIMARY KEY,
     window_start INTEGER NOT NULL,
     count INTEGER NOT NULL
   );
   CREATE INDEX signups_expiry ON signups (expires_at);`,
  // 3: templates get names and descriptions per language, an audience, the time they were
  // archived (content published offline from a template before that time is still admitted; for
  // a template archived under schema 2, its last change, which archiving was) and a revision,
  // counted up at every change, under which a service caches a template's parsed rules. Names
  // become unique whatever their case (A to Z, SQLite's NOCASE): of schema-2 names that differ
  // only in case, the first inserted keeps its name and the others get their ID appended, so no
  // template is lost.
  `CREATE TABLE templates_v3 (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     description TEXT NOT NULL,
     names TEXT NOT NULL DEFAULT '{}',
     descriptions TEXT NOT NULL DEFAULT '{}',
     policy TEXT NOT NULL,
     audience TEXT NOT NULL DEFAULT '[]',
     archived_at INTEGER,
     updated_at INTEGER NOT NULL,
     revision INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO templates_v3 (id, name, description, policy, archived_at, updated_at)
     SELECT id,
            CASE WHEN EXISTS (SELECT 1 FROM templates AS earlier WHERE earlier.name = t.name COLLATE NOCASE AND earlier.rowid < t.rowid)
                 THEN t.name || ' (' || t.id || ')' ELSE t.name END,
            description, policy, CASE WHEN archived = 1 THEN updated_at END, updated_at
     FROM templates AS t;
   DROP TABLE templates;
   ALTER TABLE templates_v3 RENAME TO templates;`,
  // 4: sign-in attempts and sign-ups per client address are counted here, in fixed windows per
  // kind and key, rather than in one process's memory, so every service on the database counts
  // them together. The thumbprints of the service's keys are pinned at first start: keys that
  // are not those (a keys folder lost or another instance's) are refused instead of silently
  // signing with a new identity. Ending a user's sessions finds their refresh tokens by index.
  `CREATE TABLE limit_windows (
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     count INTEGER NOT NULL,
     since INTEGER NOT NULL,
     PRIMARY KEY (kind, key)
   );
   CREATE INDEX limit_windows_since ON limit_windows (kind, since);
   CREATE TABLE service_keys (
     purpose TEXT PRIMARY KEY,
     thumbprint TEXT NOT NULL
   );
   CREATE INDEX refresh_tokens_identity ON refresh_tokens (identity);`,
  // 5: the service's own groups (grants to a group address reach its members, groups.ts), and
  // the audit log searchable by time and by actor (`openrms audit --since --user`).
  `CREATE TABLE group_members (
     group_address TEXT NOT NULL,
     member TEXT NOT NULL,
     added_at INTEGER NOT NULL,
     PRIMARY KEY (group_address, member)
   );
   CREATE INDEX group_members_member ON group_members (member);
   CREATE INDEX audit_at ON audit (at);
   CREATE INDEX audit_actor ON audit (actor);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A connection to the SQLite database at `file` (created when absent), as it is: nothing set, nothing migrated. */
export function connectDatabase(file: string, options: Database.Options = {}): Db {
  const BetterSqlite3 = requirePeer<typeof Database>('better-sqlite3', 'the licensing service (openrms serve, openrms/server)');
  try {
    return new BetterSqlite3(file, options);
  } catch (cause) {
    throw new RmsError('IO_ERROR', `cannot open the service database ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Sets up a connection as the service uses it and migrates its database to this openrms's schema. */
export function prepareDatabase(db: Db): void {
  // WAL lets `openrms users add` write beside a running service; NORMAL is durable across
  // process crashes, and loses at most the last transactions on power loss.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
}

/** Opens (creating when absent) and migrates the database at `file`. */
export function openDatabase(file: string): Db {
  const db = connectDatabase(file);
  try {
    prepareDatabase(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new RmsError('UNSUPPORTED_VERSION', `the service database is at schema ${current}; this openrms knows up to ${SCHEMA_VERSION}`);
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
