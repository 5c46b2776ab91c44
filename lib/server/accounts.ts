/**
 * The service's identities: local users (email + scrypt password; `organization`, or
 * `individual` when they signed themselves up), service principals (client ID + secret, for
 * applications running in server mode), pending sign-ups and refresh tokens. Administrators
 * manage templates and may revoke any content; super users always get OWNER.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';

import { sha256 } from '../crypto/digest';
import { randomBytes } from '../crypto/random';
import { RmsError } from '../errors';
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
}

export interface AddUserOptions {
  kind?: IdentityKind;
  password?: string | null;
  admin?: boolean;
  superUser?: boolean;
}

/** Sign-up codes: six digits, valid 15 minutes, five tries. */
const SIGNUP_CODE_SECONDS = 15 * 60;
const SIGNUP_MAX_ATTEMPTS = 5;
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

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.selectUser = db.prepare('SELECT * FROM users WHERE email = ?');
    this.selectPrincipal = db.prepare('SELECT 1 FROM service_principals WHERE identity = ?');
  }

  find(email: string): Account | null {
    const row = this.selectUser.get(normalizeEmail(email)) as UserRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  /** The account an identity names: a user, or the identity a service principal acts as. */
  resolve(email: string): Account | null {
    const user = this.find(email);
    if (user !== null) return user;
    const who = normalizeEmail(email);
    return this.isPrincipal(who) ? { email: who, kind: 'organization', admin: false, superUser: false } : null;
  }

  /** Adds a user, or updates an existing one's password and roles (what `openrms users add` does twice). */
  async addUser(email: string, options: AddUserOptions = {}): Promise<Account> {
    const who = normalizeEmail(email);
    if (this.isPrincipal(who)) throw new RmsError('CONFLICT', `${who} is a service principal's identity`);
    const hash = options.password == null ? null : await hashPassword(options.password);
    const flag = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);
    this.db.transaction(() => {
      // Roles not given are kept; a new password ends every session the old one opened.
      this.db.prepare(`INSERT INTO users (email, kind, password_hash, admin, super_user, created_at) VALUES (?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = COALESCE(excluded.password_hash, password_hash),
          admin = COALESCE(?, admin), super_user = COALESCE(?, super_user)`)
        .run(who, options.kind ?? 'organization', hash, flag(options.admin), flag(options.superUser), this.now(), flag(options.admin), flag(options.superUser));
      if (hash !== null) this.db.prepare('DELETE FROM refresh_tokens WHERE identity = ?').run(who);
    })();
    return this.find(who)!;
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
    if (!ok || row === undefined) throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
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
    if (row === undefined || typeof clientSecret !== 'string' || !sameHash(secretHash(clientSecret), row.secret_hash)) {
      throw new RmsError('AUTHENTICATION_FAILED', 'unknown client or wrong secret');
    }
    return { email: row.identity, kind: 'organization', admin: false, superUser: false };
  }

  private isPrincipal(email: string): boolean {
    return this.selectPrincipal.get(email) !== undefined;
  }

  /** Only new addresses and individuals sign up: never an organization account or a principal. */
  private checkMaySignUp(who: string): void {
    if (this.find(who)?.kind === 'organization' || this.isPrincipal(who)) throw new RmsError('CONFLICT', `${who} is an organization identity`);
  }

  /**
   * Starts a self-service sign-up: returns the code to send (the caller puts it in the outbox).
   * Asking again sends a new code but keeps the count of wrong tries until the window ends, so
   * guessing costs at most five tries per address per 15 minutes.
   */
  startSignUp(email: string): string {
    const who = normalizeEmail(email);
    this.checkMaySignUp(who);
    const code = String(randomBytes(4).readUInt32LE(0) % 1_000_000).padStart(6, '0');
    const now = this.now();
    this.db.prepare(`INSERT INTO signups (email, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)
      ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash,
        attempts = CASE WHEN expires_at < ? THEN 0 ELSE attempts END,
        expires_at = CASE WHEN expires_at < ? THEN excluded.expires_at ELSE expires_at END`)
      .run(who, secretHash(`${who}:${code}`), now + SIGNUP_CODE_SECONDS, now, now);
    return code;
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
      this.checkMaySignUp(who);
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
    const account = row === undefined || row.expires_at < this.now() ? null : this.find(row.identity);
    if (account === null) throw new RmsError('AUTHENTICATION_FAILED', 'the refresh token is unknown or expired');
    return account;
  }
}
