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
import { Storage } from './storage/storage';
import { IdentityState, PrincipalListing, UserListing, UserRecord } from './storage/account-store';
import { hashPassword, verifyPassword } from './passwords';

export interface Account {
  email: string;
  kind: IdentityKind;
  admin: boolean;
  superUser: boolean;
  /** For a caller signed in through the external OpenID Connect issuer: the group addresses its token's `groups` claim names (groups.ts). */
  groups?: readonly string[];
}

export type { IdentityState, PrincipalListing, UserListing };

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

function toAccount(user: UserRecord): Account {
  return { email: user.email, kind: user.kind, admin: user.admin, superUser: user.superUser };
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
  constructor(private readonly storage: Pick<Storage, 'accounts' | 'refreshTokens'>, private readonly now: () => number) {}

  private get store(): Storage['accounts'] {
    return this.storage.accounts;
  }

  /** When the local user `email` was created (seconds), or null when there is no such user. */
  async createdAt(email: string): Promise<number | null> {
    return (await this.store.user(normalizeEmail(email)))?.createdAt ?? null;
  }

  /** Whether an identity may act here: `disabled` and `removed` identities may not, nor may their new content be licensed. */
  state(email: string): Promise<IdentityState> {
    return this.store.state(normalizeEmail(email));
  }

  async find(email: string): Promise<Account | null> {
    const user = await this.store.user(normalizeEmail(email));
    return user === null ? null : toAccount(user);
  }

  /**
   * The account a verified token names: a local user, the identity a service principal acts as,
   * or (issuer `external`) an identity the external OpenID Connect issuer vouches for, never an
   * administrator here. Null for an identity that is not (or no longer) allowed to act, and for
   * a local token issued (`issuedAt`) before the local user was created: it was issued to whoever
   * held the address before it was removed and added again. An external identity carries the
   * `groups` its token names.
   */
  async resolve(email: string, issuer: 'local' | 'external' = 'local', issuedAt?: number, groups?: readonly string[]): Promise<Account | null> {
    const who = normalizeEmail(email);
    const acting: Account = { email: who, kind: 'organization', admin: false, superUser: false };
    if (issuer === 'external') return (await this.store.state(who)) === 'active' ? { ...acting, groups: groups ?? [] } : null;
    const found = await this.store.userWithState(who);
    if (found !== null) return found.state !== 'active' || (issuedAt !== undefined && issuedAt < found.user.createdAt) ? null : toAccount(found.user);
    return (await this.store.state(who)) === 'active' && (await this.store.isPrincipal(who)) ? acting : null;
  }

  /**
   * Adds a user, or updates an existing one's password, roles and kind (what `openrms users add`
   * does twice), and says what changed. Adding an address that was removed clears its tombstone
   * (a new account); a disabled user stays disabled until enabled. A new password ends every
   * session the old one opened.
   */
  async addUser(email: string, options: AddUserOptions = {}): Promise<UserUpdate> {
    const who = normalizeEmail(email);
    if (await this.store.isPrincipal(who)) throw new RmsError('CONFLICT', `${who} is a service principal's identity`);
    if (options.kind !== undefined && options.kind !== 'organization' && options.kind !== 'individual') {
      throw invalidArgument('kind', "'organization' or 'individual'");
    }
    const hash = options.password == null ? null : await hashPassword(options.password);
    const before = await this.find(who);
    await this.store.saveUser(who, { kind: options.kind, passwordHash: hash, admin: options.admin, superUser: options.superUser }, this.now());
    const account = (await this.find(who))!;
    const changes: string[] = [];
    if (before === null) {
      changes.push('created');
    } else {
      if (before.kind !== account.kind) changes.push(`kind ${before.kind} -> ${account.kind}`);
      if (before.admin !== account.admin) changes.push(account.admin ? 'now an administrator' : 'no longer an administrator');
      if (before.superUser !== account.superUser) changes.push(account.superUser ? 'now a super user' : 'no longer a super user');
    }
    if (hash !== null) changes.push(before === null ? 'password set' : 'password changed (its sessions ended)');
    return { account, created: before === null, changes, state: await this.state(who) };
  }

  /** Disables an identity (a user, a principal's, or an external one): no sign-in, no token, no new content licensed. */
  async disable(email: string): Promise<void> {
    await this.store.disable(normalizeEmail(email), this.now());
  }

  /** Enables a disabled identity again; NOT_FOUND when it is not disabled (a removed user is added again instead). */
  async enable(email: string): Promise<void> {
    const who = normalizeEmail(email);
    if (!(await this.store.enable(who))) throw new RmsError('NOT_FOUND', `${who} is not disabled`);
  }

  /** Removes a local user: the account, its sessions and sign-ups go; a tombstone keeps its new content from being licensed. */
  async remove(email: string): Promise<void> {
    const who = normalizeEmail(email);
    if (!(await this.store.removeUser(who, this.now()))) throw new RmsError('NOT_FOUND', `${who} is not a user here`);
  }

  /** The account whose password this is; AUTHENTICATION_FAILED otherwise (same answer for an unknown user). */
  async signIn(email: string, password: string): Promise<Account> {
    let found: { user: UserRecord; state: IdentityState } | null;
    try {
      found = await this.store.userWithState(normalizeEmail(email));
    } catch (error) {
      // A database that cannot answer is not a wrong password.
      if (error instanceof RmsError && error.code === 'SERVICE_UNAVAILABLE') throw error;
      found = null;
    }
    const ok = await verifyPassword(password, found?.user.passwordHash ?? NO_ACCOUNT_HASH);
    // A disabled user is told the same as a wrong password, after the same work.
    if (!ok || found === null || found.state !== 'active') throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
    return toAccount(found.user);
  }

  /** A new service principal acting as `identity`; the secret is shown once and stored hashed. */
  async addServicePrincipal(identity: string): Promise<{ clientId: string; clientSecret: string }> {
    if (await this.find(identity) !== null) throw new RmsError('CONFLICT', `${normalizeEmail(identity)} is a user; a service principal needs an identity of its own`);
    const clientId = randomUUID();
    const clientSecret = randomBytes(32).toString('base64url');
    const who = normalizeEmail(identity);
    if (await this.store.isPrincipal(who) || !(await this.store.addPrincipal(clientId, who, secretHash(clientSecret), this.now()))) {
      throw new RmsError('CONFLICT', `${who} already has a service principal`);
    }
    return { clientId, clientSecret };
  }

  /** Every user, by address, with their roles and state. */
  listUsers(): Promise<UserListing[]> {
    return this.store.listUsers();
  }

  /** Every service principal (its client ID, identity and state; never its secret). */
  listPrincipals(): Promise<PrincipalListing[]> {
    return this.store.listPrincipals();
  }

  /**
   * Removes a service principal, by client ID or by the identity it acts as: its secret no longer
   * signs in, its tokens are refused, and (as for a removed user) content it publishes offline
   * from now on gets no use license. Answers the identity; NOT_FOUND when there is no such principal.
   */
  async removePrincipal(clientIdOrIdentity: string): Promise<string> {
    const key = clientIdOrIdentity.includes('@') ? normalizeEmail(clientIdOrIdentity) : clientIdOrIdentity;
    const identity = await this.store.removePrincipal(key, this.now());
    if (identity === null) throw new RmsError('NOT_FOUND', `no service principal has client ID or identity ${clientIdOrIdentity}`);
    return identity;
  }

  /** The identity a service principal acts as (an organization identity, never admin). */
  async signInServicePrincipal(clientId: string, clientSecret: string): Promise<Account> {
    const principal = await this.store.principal(String(clientId));
    if (principal === null || typeof clientSecret !== 'string' || !sameHash(secretHash(clientSecret), principal.secretHash)
      || (await this.store.state(principal.identity)) !== 'active') {
      throw new RmsError('AUTHENTICATION_FAILED', 'unknown client or wrong secret');
    }
    return { email: principal.identity, kind: 'organization', admin: false, superUser: false };
  }

  /**
   * Starts a self-service sign-up and says what to send to the address: a code, or (for an
   * address that may not sign up: an organization account, a principal, a disabled or removed
   * identity, which is the administrator's to add again) a note that an account exists. The
   * caller answers the client the same way in both cases, so sign-up does not tell who has an
   * account here. At most SIGNUP_SENDS_PER_ADDRESS messages per address per hour
   * (TOO_MANY_REQUESTS past that, for any address). Asking again sends a new code but keeps the
   * count of wrong tries until the code's window ends, so guessing costs at most five tries per
   * address per 15 minutes. Expired sign-ups are deleted here.
   */
  async startSignUp(email: string): Promise<SignUpMessage> {
    const who = normalizeEmail(email);
    const code = String(randomBytes(4).readUInt32LE(0) % 1_000_000).padStart(6, '0');
    const started = await this.store.startSignUp({
      email: who, codeHash: secretHash(`${who}:${code}`), now: this.now(), codeSeconds: SIGNUP_CODE_SECONDS,
      sendsPerAddress: SIGNUP_SENDS_PER_ADDRESS, sendWindowSeconds: SIGNUP_SEND_WINDOW_SECONDS, maxPending: MAX_PENDING_SIGNUPS,
    });
    switch (started) {
      case 'too-many-sends': throw new RmsError('TOO_MANY_REQUESTS', 'too many sign-up messages for this address; try again in an hour');
      case 'too-many-pending': throw new RmsError('TOO_MANY_REQUESTS', 'too many sign-ups are pending; try again later');
      case 'account-exists': return { kind: 'account-exists' };
      case 'code': return { kind: 'code', code };
    }
  }

  /** Completes a sign-up with the emailed code: an `individual` account with this password. */
  async completeSignUp(email: string, code: string, password: string): Promise<Account> {
    const who = normalizeEmail(email);
    const pending = await this.store.signUp(who);
    const refused = new RmsError('AUTHENTICATION_FAILED', 'the sign-up code is wrong or has expired');
    if (pending === null || pending.expiresAt < this.now() || pending.attempts >= SIGNUP_MAX_ATTEMPTS) throw refused;
    if (!sameHash(secretHash(`${who}:${String(code)}`), pending.codeHash)) {
      await this.store.countSignUpFailure(who);
      throw refused;
    }
    const hash = await hashPassword(password);
    // Checked again as it is recorded: an administrator may have made the address an organization account meanwhile.
    if (!(await this.store.completeSignUp(who, hash, this.now()))) throw refused;
    return (await this.find(who))!;
  }

  /** A long-lived refresh token for `identity`, stored hashed. */
  async issueRefreshToken(identity: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.storage.refreshTokens.add(secretHash(token), identity, this.now() + REFRESH_TOKEN_SECONDS);
    return token;
  }

  /** Exchanges a refresh token (one use: it is replaced) for the account it was issued to. */
  async redeemRefreshToken(token: string): Promise<Account> {
    const taken = await this.storage.refreshTokens.take(secretHash(String(token)));
    const account = taken === null || taken.expiresAt < this.now() ? null : await this.resolve(taken.identity);
    if (account === null) throw new RmsError('AUTHENTICATION_FAILED', 'the refresh token is unknown or expired');
    return account;
  }
}
