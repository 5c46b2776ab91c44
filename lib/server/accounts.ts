/**
 * The service's identities: local users (email + scrypt password; `organization`, or
 * `individual` when they signed themselves up), service principals (client ID + secret, for
 * applications running in server mode), pending sign-ups and refresh tokens. Administrators
 * manage templates and may revoke any content; super users always get OWNER.
 *
 * Any identity (a local user, a principal's identity, or one an external issuer vouches for) can
 * be **disabled** (no sign-in, no token accepted, no new content of theirs licensed) and enabled
 * again; a local user can be **removed**, which leaves a tombstone with the same effect until the
 * address is added again (docs/protocol.md, "Disabling and removing accounts").
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';

import { sha256 } from '../crypto/digest';
import { randomBytes } from '../crypto/random';
import { invalidArgument, RmsError } from '../errors';
import { IdentityKind, normalizeEmail } from '../license/certificates';
import { Db } from './database';
import { hashPassword, verifyPassword } from './passwords';

export interface Account {
  email: string;
  kind: IdentityKind;
  admin: boolean;
  superUser: boolean;
}

interface UserRow {
  email: string;
  kind: IdentityKind;
  password_hash: string | null;
  admin: number;
  super_user: number;
  created_at: number;
}

export type IdentityState = 'active' | 'disabled' | 'removed';

/** What `addUser` did: the account as it is now, and each change in words (for `openrms users add`). */
export interface UserUpdate {
  account: Account;
  created: boolean;
  changes: string[];
  state: IdentityState;
}

/** What `startSignUp` asks the caller to send to the address. */
export type SignUpMessage = { kind: 'code'; code: string } | { kind: 'account-exists' };

export interface AddUserOptions {
  /** Set (or change) the kind: an existing individual can become an organization user and back. */
  kind?: IdentityKind;
  password?: string | null;
  admin?: boolean;
  superUser?: boolean;
}

/** Sign-up codes: six digits, valid 15 minutes, five tries. */
const SIGNUP_CODE_SECONDS = 15 * 60;
const SIGNUP_MAX_ATTEMPTS = 5;
/** Sign-up messages per address per hour, whatever the address is (so the limit tells nothing about it). */
const SIGNUP_SENDS_PER_ADDRESS = 3;
const SIGNUP_SEND_WINDOW_SECONDS = 3600;
/** Pending sign-ups service-wide; past this, sign-up waits until codes expire. */
const MAX_PENDING_SIGNUPS = 10_000;
const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;
/** Hashed when there is no account, so that a wrong email costs as long as a wrong password. */
const NO_ACCOUNT_HASH = `scrypt$15$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

function toAccount(row: UserRow): Account {
  return { email: row.email, kind: row.kind, admin: row.admin === 1, superUser: row.super_user === 1 };
}

function secretHash(secret: string): string {
  return sha256(Buffer.from(secret, 'utf8')).toString('base64url');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Accounts {
  // Prepared once: resolve() runs on every authenticated request.
  private readonly selectUser;
  private readonly selectPrincipal;
  private readonly selectState;
  private readonly selectUserAndState;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.selectUser = db.prepare('SELECT * FROM users WHERE email = ?');
    this.selectPrincipal = db.prepare('SELECT 1 FROM service_principals WHERE identity = ?');
    this.selectState = db.prepare('SELECT state FROM identity_status WHERE email = ?');
    // One query for what every authenticated request asks: the user and whether the address is disabled.
    this.selectUserAndState = db.prepare('SELECT u.*, s.state AS state FROM users u LEFT JOIN identity_status s ON s.email = u.email WHERE u.email = ?');
  }

  /** When the local user `email` was created (seconds), or null when there is no such user. */
  createdAt(email: string): number | null {
    const row = this.selectUser.get(normalizeEmail(email)) as UserRow | undefined;
    return row === undefined ? null : row.created_at;
  }

  /** Whether an identity may act here: `disabled` and `removed` identities may not, nor may their new content be licensed. */
  state(email: string): IdentityState {
    const row = this.selectState.get(normalizeEmail(email)) as { state: IdentityState } | undefined;
    return row?.state ?? 'active';
  }

  find(email: string): Account | null {
    const row = this.selectUser.get(normalizeEmail(email)) as UserRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  /**
   * The account a verified token names: a local user, the identity a service principal acts as,
   * or (issuer `external`) an identity the external OpenID Connect issuer vouches for, never an
   * administrator here. Null for an identity that is not (or no longer) allowed to act, and for
   * a local token issued (`issuedAt`) before the local user was created: it was issued to whoever
   * held the address before it was removed and added again.
   */
  resolve(email: string, issuer: 'local' | 'external' = 'local', issuedAt?: number): Account | null {
    const who = normalizeEmail(email);
    const acting: Account = { email: who, kind: 'organization', admin: false, superUser: false };
    if (issuer === 'external') return this.state(who) === 'active' ? acting : null;
    const row = this.selectUserAndState.get(who) as (UserRow & { state: IdentityState | null }) | undefined;
    if (row !== undefined) return row.state !== null || (issuedAt !== undefined && issuedAt < row.created_at) ? null : toAccount(row);
    return this.state(who) === 'active' && this.isPrincipal(who) ? acting : null;
  }

  /**
   * Adds a user, or updates an existing one's password, roles and kind (what `openrms users add`
   * does twice), and says what changed. Adding an address that was removed clears its tombstone
   * (a new account); a disabled user stays disabled until enabled.
   */
  async addUser(email: string, options: AddUserOptions = {}): Promise<UserUpdate> {
    const who = normalizeEmail(email);
    if (this.isPrincipal(who)) throw new RmsError('CONFLICT', `${who} is a service principal's identity`);
    if (options.kind !== undefined && options.kind !== 'organization' && options.kind !== 'individual') {
      throw invalidArgument('kind', "'organization' or 'individual'");
    }
    const hash = options.password == null ? null : await hashPassword(options.password);
    const flag = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);
    const before = this.find(who);
    this.db.transaction(() => {
      // Roles and kind not given are kept; a new password ends every session the old one opened.
      this.db.prepare(`INSERT INTO users (email, kind, password_hash, admin, super_user, created_at) VALUES (?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = COALESCE(excluded.password_hash, password_hash),
          kind = COALESCE(?, kind), admin = COALESCE(?, admin), super_user = COALESCE(?, super_user)`)
        .run(who, options.kind ?? 'organization', hash, flag(options.admin), flag(options.superUser), this.now(),
          options.kind ?? null, flag(options.admin), flag(options.superUser));
      if (hash !== null) this.db.prepare('DELETE FROM refresh_tokens WHERE identity = ?').run(who);
      this.db.prepare("DELETE FROM identity_status WHERE email = ? AND state = 'removed'").run(who);
    })();
    const account = this.find(who)!;
    const changes: string[] = [];
    if (before === null) {
      changes.push('created');
    } else {
      if (before.kind !== account.kind) changes.push(`kind ${before.kind} -> ${account.kind}`);
      if (before.admin !== account.admin) changes.push(account.admin ? 'now an administrator' : 'no longer an administrator');
      if (before.superUser !== account.superUser) changes.push(account.superUser ? 'now a super user' : 'no longer a super user');
    }
    if (hash !== null) changes.push(before === null ? 'password set' : 'password changed (its sessions ended)');
    return { account, created: before === null, changes, state: this.state(who) };
  }

  /** Disables an identity (a user, a principal's, or an external one): no sign-in, no token, no new content licensed. */
  disable(email: string): void {
    const who = normalizeEmail(email);
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO identity_status (email, state, since) VALUES (?, 'disabled', ?)
        ON CONFLICT (email) DO UPDATE SET state = CASE WHEN state = 'removed' THEN state ELSE 'disabled' END`).run(who, this.now());
      this.db.prepare('DELETE FROM refresh_tokens WHERE identity = ?').run(who);
    })();
  }

  /** Enables a disabled identity again; NOT_FOUND when it is not disabled (a removed user is added again instead). */
  enable(email: string): void {
    const who = normalizeEmail(email);
    const changed = this.db.prepare("DELETE FROM identity_status WHERE email = ? AND state = 'disabled'").run(who).changes;
    if (changed === 0) throw new RmsError('NOT_FOUND', `${who} is not disabled`);
  }

  /** Removes a local user: the account, its sessions and sign-ups go; a tombstone keeps its new content from being licensed. */
  remove(email: string): void {
    const who = normalizeEmail(email);
    this.db.transaction(() => {
      if (this.db.prepare('DELETE FROM users WHERE email = ?').run(who).changes === 0) throw new RmsError('NOT_FOUND', `${who} is not a user here`);
      this.db.prepare('DELETE FROM refresh_tokens WHERE identity = ?').run(who);
      this.db.prepare('DELETE FROM signups WHERE email = ?').run(who);
      this.db.prepare(`INSERT INTO identity_status (email, state, since) VALUES (?, 'removed', ?)
        ON CONFLICT (email) DO UPDATE SET state = 'removed', since = excluded.since`).run(who, this.now());
    })();
  }

  /** The account whose password this is; AUTHENTICATION_FAILED otherwise (same answer for an unknown user). */
  async signIn(email: string, password: string): Promise<Account> {
    let row: UserRow | undefined;
    try {
      row = this.selectUser.get(normalizeEmail(email)) as UserRow | undefined;
    } catch {
      row = undefined;
    }
    const ok = await verifyPassword(password, row?.password_hash ?? NO_ACCOUNT_HASH);
    // A disabled user is told the same as a wrong password, after the same work.
    if (!ok || row === undefined || this.state(row.email) !== 'active') throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
    return toAccount(row);
  }

  /** A new service principal acting as `identity`; the secret is shown once and stored hashed. */
  addServicePrincipal(identity: string): { clientId: string; clientSecret: string } {
    if (this.find(identity) !== null) throw new RmsError('CONFLICT', `${normalizeEmail(identity)} is a user; a service principal needs an identity of its own`);
    const clientId = randomUUID();
    const clientSecret = randomBytes(32).toString('base64url');
    const who = normalizeEmail(identity);
    if (this.isPrincipal(who)) throw new RmsError('CONFLICT', `${who} already has a service principal`);
    this.db.prepare('INSERT INTO service_principals (client_id, identity, secret_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(clientId, who, secretHash(clientSecret), this.now());
    return { clientId, clientSecret };
  }

  /** The identity a service principal acts as (an organization identity, never admin). */
  signInServicePrincipal(clientId: string, clientSecret: string): Account {
    const row = this.db.prepare('SELECT identity, secret_hash FROM service_principals WHERE client_id = ?')
      .get(String(clientId)) as { identity: string; secret_hash: string } | undefined;
    if (row === undefined || typeof clientSecret !== 'string' || !sameHash(secretHash(clientSecret), row.secret_hash)
      || this.state(row.identity) !== 'active') {
      throw new RmsError('AUTHENTICATION_FAILED', 'unknown client or wrong secret');
    }
    return { email: row.identity, kind: 'organization', admin: false, superUser: false };
  }

  private isPrincipal(email: string): boolean {
    return this.selectPrincipal.get(email) !== undefined;
  }

  /**
   * Only new addresses and individuals sign up: never an organization account, a principal, or a
   * disabled or removed identity (a removed address is the administrator's to add again).
   */
  private maySignUp(who: string): boolean {
    return !(this.find(who)?.kind === 'organization' || this.isPrincipal(who) || this.state(who) !== 'active');
  }

  /**
   * Starts a self-service sign-up and says what to send to the address: a code, or (for an
   * address that may not sign up) a note that an account exists. The caller answers the client
   * the same way in both cases, so sign-up does not tell who has an account here. At most
   * SIGNUP_SENDS_PER_ADDRESS messages per address per hour (TOO_MANY_REQUESTS past that, for any
   * address). Asking again sends a new code but keeps the count of wrong tries until the code's
   * window ends, so guessing costs at most five tries per address per 15 minutes. Expired
   * sign-ups are deleted here.
   */
  startSignUp(email: string): SignUpMessage {
    const who = normalizeEmail(email);
    const now = this.now();
    return this.db.transaction((): SignUpMessage => {
      this.db.prepare('DELETE FROM signups WHERE expires_at < ?').run(now);
      this.db.prepare('DELETE FROM signup_sends WHERE window_start <= ?').run(now - SIGNUP_SEND_WINDOW_SECONDS);
      const sends = this.db.prepare('SELECT count FROM signup_sends WHERE email = ?').get(who) as { count: number } | undefined;
      if ((sends?.count ?? 0) >= SIGNUP_SENDS_PER_ADDRESS) throw new RmsError('TOO_MANY_REQUESTS', 'too many sign-up messages for this address; try again in an hour');
      this.db.prepare(`INSERT INTO signup_sends (email, window_start, count) VALUES (?, ?, 1)
        ON CONFLICT (email) DO UPDATE SET count = count + 1`).run(who, now);
      if (!this.maySignUp(who)) return { kind: 'account-exists' };
      const pending = this.db.prepare('SELECT COUNT(*) AS n FROM signups').get() as { n: number };
      if (pending.n >= MAX_PENDING_SIGNUPS) throw new RmsError('TOO_MANY_REQUESTS', 'too many sign-ups are pending; try again later');
      const code = String(randomBytes(4).readUInt32LE(0) % 1_000_000).padStart(6, '0');
      this.db.prepare(`INSERT INTO signups (email, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)
        ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash`)
        .run(who, secretHash(`${who}:${code}`), now + SIGNUP_CODE_SECONDS);
      return { kind: 'code', code };
    })();
  }

  /** Completes a sign-up with the emailed code: an `individual` account with this password. */
  async completeSignUp(email: string, code: string, password: string): Promise<Account> {
    const who = normalizeEmail(email);
    const row = this.db.prepare('SELECT * FROM signups WHERE email = ?').get(who) as
      { code_hash: string; expires_at: number; attempts: number } | undefined;
    const refused = new RmsError('AUTHENTICATION_FAILED', 'the sign-up code is wrong or has expired');
    if (row === undefined || row.expires_at < this.now() || row.attempts >= SIGNUP_MAX_ATTEMPTS) throw refused;
    if (!sameHash(secretHash(`${who}:${String(code)}`), row.code_hash)) {
      this.db.prepare('UPDATE signups SET attempts = attempts + 1 WHERE email = ?').run(who);
      throw refused;
    }
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      // Checked again: an administrator may have made the address an organization account meanwhile.
      if (!this.maySignUp(who)) throw refused;
      this.db.prepare('DELETE FROM signups WHERE email = ?').run(who);
      this.db.prepare(`INSERT INTO users (email, kind, password_hash, created_at) VALUES (?, 'individual', ?, ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash`).run(who, hash, this.now());
      this.db.prepare('DELETE FROM refresh_tokens WHERE identity = ?').run(who);
    })();
    return this.find(who)!;
  }

  /** A long-lived refresh token for `identity`, stored hashed. */
  issueRefreshToken(identity: string): string {
    const token = randomBytes(32).toString('base64url');
    this.db.prepare('INSERT INTO refresh_tokens (id, identity, expires_at) VALUES (?, ?, ?)')
      .run(secretHash(token), identity, this.now() + REFRESH_TOKEN_SECONDS);
    return token;
  }

  /** Exchanges a refresh token (one use: it is replaced) for the account it was issued to. */
  redeemRefreshToken(token: string): Account {
    const id = secretHash(String(token));
    const row = this.db.prepare('DELETE FROM refresh_tokens WHERE id = ? RETURNING identity, expires_at').get(id) as
      { identity: string; expires_at: number } | undefined;
    const account = row === undefined || row.expires_at < this.now() ? null : this.resolve(row.identity);
    if (account === null) throw new RmsError('AUTHENTICATION_FAILED', 'the refresh token is unknown or expired');
    return account;
  }
}
