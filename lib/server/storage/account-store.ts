/**
 * Where the service keeps its identities: local users, service principals, disabled and removed
 * identities, and pending self-service sign-ups. Each method that changes more than one row is
 * one transaction; those that end a user's sessions delete the user's refresh tokens with it.
 */
import { IdentityKind } from '../../license/certificates';
import { Rollback, SqlDatabase, SqlExecutor, transactionOrRollback } from './sql-database';

export type IdentityState = 'active' | 'disabled' | 'removed';

export interface UserRecord {
  email: string;
  kind: IdentityKind;
  passwordHash: string | null;
  admin: boolean;
  superUser: boolean;
  /** Seconds since the epoch. */
  createdAt: number;
}

/** What `saveUser` sets; a field left undefined (a null password hash) is kept as it is, or its default for a new user. */
export interface UserChange {
  kind?: IdentityKind;
  passwordHash: string | null;
  admin?: boolean;
  superUser?: boolean;
}

/** A user as `openrms users list` shows them. */
export interface UserListing {
  email: string;
  kind: IdentityKind;
  admin: boolean;
  superUser: boolean;
  /** Whether a password is set (a user without one cannot sign in with a password). */
  hasPassword: boolean;
  state: IdentityState;
  createdAt: number;
}

/** A service principal as `openrms principals list` shows it (never its secret's hash). */
export interface PrincipalListing {
  clientId: string;
  identity: string;
  state: IdentityState;
  createdAt: number;
}

export interface PendingSignUp {
  codeHash: string;
  expiresAt: number;
  attempts: number;
}

/** The limits `startSignUp` applies, and the code it records when they allow one. */
export interface SignUpRequest {
  email: string;
  codeHash: string;
  now: number;
  codeSeconds: number;
  sendsPerAddress: number;
  sendWindowSeconds: number;
  maxPending: number;
}

/**
 * What `startSignUp` did: recorded a code to send; counted a message saying an account exists;
 * or nothing, past the messages allowed for the address or the sign-ups pending service-wide.
 */
export type SignUpStart = 'code' | 'account-exists' | 'too-many-sends' | 'too-many-pending';

export interface AccountStore {
  user(email: string): Promise<UserRecord | null>;
  /** The user and the state of the address, in one read: what every authenticated request asks. */
  userWithState(email: string): Promise<{ user: UserRecord; state: IdentityState } | null>;
  state(email: string): Promise<IdentityState>;
  isPrincipal(identity: string): Promise<boolean>;
  /**
   * Creates or updates a user; a new password hash ends the user's sessions; a removed
   * address's tombstone is cleared (it is a new account). One transaction.
   */
  saveUser(email: string, change: UserChange, now: number): Promise<void>;
  /** Disables an identity (a removed one stays removed) and ends its sessions. One transaction. */
  disable(email: string, now: number): Promise<void>;
  /** Enables a disabled identity; false when it was not disabled. */
  enable(email: string): Promise<boolean>;
  /** Deletes a user, its sessions and sign-ups, leaving a tombstone; false (nothing changed) when there is no such user. One transaction. */
  removeUser(email: string, now: number): Promise<boolean>;
  /** Records a service principal; false when the identity already has one. */
  addPrincipal(clientId: string, identity: string, secretHash: string, now: number): Promise<boolean>;
  principal(clientId: string): Promise<{ identity: string; secretHash: string } | null>;
  /** Every user, by address. */
  listUsers(): Promise<UserListing[]>;
  /** Every service principal, by identity. */
  listPrincipals(): Promise<PrincipalListing[]>;
  /**
   * Removes the service principal with this client ID, or acting as this identity, leaving a
   * tombstone on its identity as removing a user does; the identity it acted as, or null when
   * there is none. One transaction.
   */
  removePrincipal(clientIdOrIdentity: string, now: number): Promise<string | null>;
  /** Purges expired sign-ups and send windows, then counts a message to the address and records its code. One transaction. */
  startSignUp(request: SignUpRequest): Promise<SignUpStart>;
  signUp(email: string): Promise<PendingSignUp | null>;
  countSignUpFailure(email: string): Promise<void>;
  /**
   * Completes a sign-up: the sign-up deleted, an individual user with this password (an
   * existing individual's password replaced) and no session left. False, and nothing changed,
   * when the address may not sign up (it became an organization account, a principal, or was
   * disabled or removed meanwhile). One transaction.
   */
  completeSignUp(email: string, passwordHash: string, now: number): Promise<boolean>;
}

interface UserRow {
  email: string;
  kind: IdentityKind;
  password_hash: string | null;
  admin: number;
  super_user: number;
  created_at: number;
}

function toUser(row: UserRow): UserRecord {
  return {
    email: row.email, kind: row.kind, passwordHash: row.password_hash, admin: row.admin === 1, superUser: row.super_user === 1, createdAt: row.created_at,
  };
}

function flag(value: boolean | undefined): number | null {
  return value === undefined ? null : value ? 1 : 0;
}

/** 1 when the address may not sign up: an organization account, a principal's identity, or disabled or removed. */
const TAKEN = `SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE email = ? AND kind = 'organization')
  OR EXISTS (SELECT 1 FROM service_principals WHERE identity = ?)
  OR EXISTS (SELECT 1 FROM identity_status WHERE email = ?) THEN 1 ELSE 0 END AS taken`;

async function taken(tx: SqlExecutor, email: string): Promise<boolean> {
  return (await tx.get<{ taken: number }>(TAKEN, [email, email, email]))!.taken === 1;
}

const END_SESSIONS = 'DELETE FROM refresh_tokens WHERE identity = ?';

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: SqlDatabase) {}

  async user(email: string): Promise<UserRecord | null> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE email = ?', [email]);
    return row === undefined ? null : toUser(row);
  }

  async userWithState(email: string): Promise<{ user: UserRecord; state: IdentityState } | null> {
    const row = await this.db.get<UserRow & { state: IdentityState | null }>(
      'SELECT u.*, s.state AS state FROM users u LEFT JOIN identity_status s ON s.email = u.email WHERE u.email = ?', [email]);
    return row === undefined ? null : { user: toUser(row), state: row.state ?? 'active' };
  }

  async state(email: string): Promise<IdentityState> {
    return (await this.db.get<{ state: IdentityState }>('SELECT state FROM identity_status WHERE email = ?', [email]))?.state ?? 'active';
  }

  async isPrincipal(identity: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS found FROM service_principals WHERE identity = ?', [identity])) !== undefined;
  }

  saveUser(email: string, change: UserChange, now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      // Roles and kind not given are kept.
      await tx.run(`INSERT INTO users (email, kind, password_hash, admin, super_user, created_at) VALUES (?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = COALESCE(excluded.password_hash, users.password_hash),
          kind = COALESCE(?, users.kind), admin = COALESCE(?, users.admin), super_user = COALESCE(?, users.super_user)`,
      [email, change.kind ?? 'organization', change.passwordHash, flag(change.admin), flag(change.superUser), now,
        change.kind ?? null, flag(change.admin), flag(change.superUser)]);
      if (change.passwordHash !== null) await tx.run(END_SESSIONS, [email]);
      await tx.run("DELETE FROM identity_status WHERE email = ? AND state = 'removed'", [email]);
    });
  }

  disable(email: string, now: number): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.run(`INSERT INTO identity_status (email, state, since) VALUES (?, 'disabled', ?)
        ON CONFLICT (email) DO UPDATE SET state = CASE WHEN identity_status.state = 'removed' THEN identity_status.state ELSE 'disabled' END`, [email, now]);
      await tx.run(END_SESSIONS, [email]);
    });
  }

  async enable(email: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM identity_status WHERE email = ? AND state = 'disabled'", [email])) > 0;
  }

  removeUser(email: string, now: number): Promise<boolean> {
    return transactionOrRollback(this.db, async (tx) => {
      if (await tx.run('DELETE FROM users WHERE email = ?', [email]) === 0) throw new Rollback(false);
      await tx.run(END_SESSIONS, [email]);
      await tx.run('DELETE FROM signups WHERE email = ?', [email]);
      await tx.run(`INSERT INTO identity_status (email, state, since) VALUES (?, 'removed', ?)
        ON CONFLICT (email) DO UPDATE SET state = 'removed', since = excluded.since`, [email, now]);
      return true;
    });
  }

  async addPrincipal(clientId: string, identity: string, secretHash: string, now: number): Promise<boolean> {
    try {
      return await this.db.transaction(async (tx) => {
        await tx.run('INSERT INTO service_principals (client_id, identity, secret_hash, created_at) VALUES (?, ?, ?, ?)', [clientId, identity, secretHash, now]);
        // A principal made for an identity whose principal was removed is a new one, as a user added again is.
        await tx.run("DELETE FROM identity_status WHERE email = ? AND state = 'removed'", [identity]);
        return true;
      });
    } catch (error) {
      // Another process added one for the same identity since the caller looked.
      if (this.db.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async listUsers(): Promise<UserListing[]> {
    const rows = await this.db.all<UserRow & { state: IdentityState | null }>(
      'SELECT u.*, s.state AS state FROM users u LEFT JOIN identity_status s ON s.email = u.email ORDER BY u.email');
    return rows.map((row) => {
      const user = toUser(row);
      return {
        email: user.email, kind: user.kind, admin: user.admin, superUser: user.superUser, hasPassword: user.passwordHash !== null,
        state: row.state ?? 'active', createdAt: user.createdAt,
      };
    });
  }

  async listPrincipals(): Promise<PrincipalListing[]> {
    const rows = await this.db.all<{ client_id: string; identity: string; created_at: number; state: IdentityState | null }>(
      'SELECT p.client_id, p.identity, p.created_at, s.state AS state FROM service_principals p LEFT JOIN identity_status s ON s.email = p.identity ORDER BY p.identity');
    return rows.map((r) => ({ clientId: r.client_id, identity: r.identity, state: r.state ?? 'active', createdAt: r.created_at }));
  }

  removePrincipal(clientIdOrIdentity: string, now: number): Promise<string | null> {
    return transactionOrRollback(this.db, async (tx) => {
      const row = await tx.get<{ identity: string }>('SELECT identity FROM service_principals WHERE client_id = ? OR identity = ?', [clientIdOrIdentity, clientIdOrIdentity]);
      if (row === undefined) throw new Rollback(null);
      await tx.run('DELETE FROM service_principals WHERE identity = ?', [row.identity]);
      await tx.run(`INSERT INTO identity_status (email, state, since) VALUES (?, 'removed', ?)
        ON CONFLICT (email) DO UPDATE SET state = 'removed', since = excluded.since`, [row.identity, now]);
      return row.identity;
    });
  }

  async principal(clientId: string): Promise<{ identity: string; secretHash: string } | null> {
    const row = await this.db.get<{ identity: string; secret_hash: string }>('SELECT identity, secret_hash FROM service_principals WHERE client_id = ?', [clientId]);
    return row === undefined ? null : { identity: row.identity, secretHash: row.secret_hash };
  }

  startSignUp(r: SignUpRequest): Promise<SignUpStart> {
    return this.db.transaction(async (tx): Promise<SignUpStart> => {
      await tx.run('DELETE FROM signups WHERE expires_at < ?', [r.now]);
      await tx.run('DELETE FROM signup_sends WHERE window_start <= ?', [r.now - r.sendWindowSeconds]);
      const refused = await taken(tx, r.email);
      if (!refused) {
        const pending = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM signups'))!.n;
        if (pending >= r.maxPending) return 'too-many-pending';
      }
      // Counted and checked in one statement, so messages asked for at once cannot all pass the check.
      const counted = await tx.get(`INSERT INTO signup_sends (email, window_start, count) VALUES (?, ?, 1)
        ON CONFLICT (email) DO UPDATE SET count = signup_sends.count + 1 WHERE signup_sends.count < ? RETURNING count`,
      [r.email, r.now, r.sendsPerAddress]);
      if (counted === undefined) return 'too-many-sends';
      if (refused) return 'account-exists';
      // Asking again replaces the code but keeps the count of wrong tries until the code's window ends.
      await tx.run(`INSERT INTO signups (email, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)
        ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash`, [r.email, r.codeHash, r.now + r.codeSeconds]);
      return 'code';
    });
  }

  async signUp(email: string): Promise<PendingSignUp | null> {
    const row = await this.db.get<{ code_hash: string; expires_at: number; attempts: number }>('SELECT * FROM signups WHERE email = ?', [email]);
    return row === undefined ? null : { codeHash: row.code_hash, expiresAt: row.expires_at, attempts: row.attempts };
  }

  async countSignUpFailure(email: string): Promise<void> {
    await this.db.run('UPDATE signups SET attempts = attempts + 1 WHERE email = ?', [email]);
  }

  completeSignUp(email: string, passwordHash: string, now: number): Promise<boolean> {
    return transactionOrRollback(this.db, async (tx) => {
      if (await taken(tx, email)) return false;
      await tx.run('DELETE FROM signups WHERE email = ?', [email]);
      // Only an individual's password is replaced: an organization account made meanwhile, by
      // another process between the check above and this insert, is left alone.
      const changed = await tx.run(`INSERT INTO users (email, kind, password_hash, created_at) VALUES (?, 'individual', ?, ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash WHERE users.kind = 'individual'`, [email, passwordHash, now]);
      if (changed === 0) throw new Rollback(false);
      await tx.run(END_SESSIONS, [email]);
      return true;
    });
  }
}
