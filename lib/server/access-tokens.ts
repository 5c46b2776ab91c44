/**
 * Bearer tokens (DESIGN decision 8). The service issues its own for its local users and
 * service principals: JWS signed with its signing key, `typ` `at+jwt` (RFC 9068), naming the
 * service as issuer and audience. It can also accept tokens from one external OpenID Connect
 * issuer, verified with the keys that issuer publishes (JWKS), the identity taken from the
 * `email` claim when `email_verified` is `true`, else `upn`, and the group addresses in its
 * `groups` claim, which grants to those groups give rights through (groups.ts). External
 * identities are never administrators or super users here: those roles belong to the service's
 * own accounts. After a key rotation, tokens the service signed with its earlier key are
 * accepted until they expire.
 */
import { AsymmetricKey, Jwk } from '../crypto/asymmetric-key';
import { RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { verify } from '../crypto/signature';
import { decodeJws, signJwsAsync } from '../license/jws';
import { OidcSettings } from './data-folder';
import { requestJson, serviceError } from '../transport/http-json';
import { LruCache } from '../lru-cache';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
const JWKS_REFRESH_MS = 60_000;

export interface TokenIdentity {
  email: string;
  /** Who issued the token: the service itself, or the external issuer. */
  issuer: 'local' | 'external';
  /** When the service issued it (local tokens): a token older than the account it names was another person's. */
  issuedAt?: number;
  /** The group addresses of the external issuer's `groups` claim (external tokens). */
  groups?: string[];
}

/**
 * Group addresses taken from one token's `groups` claim. An issuer with more groups for a user
 * sends an overage claim instead (Entra ID does past 200), which names no group.
 */
export const MAX_CLAIMED_GROUPS = 500;

/**
 * The entries of a `groups` claim that are email addresses, normalized: grants name addresses,
 * so an issuer's group IDs or paths (`/finance`, a GUID) match none and are left out.
 */
function claimedGroups(claim: unknown): string[] {
  if (!Array.isArray(claim)) return [];
  const groups = new Set<string>();
  for (const entry of claim.slice(0, MAX_CLAIMED_GROUPS)) {
    if (typeof entry !== 'string' || !entry.includes('@')) continue;
    try {
      groups.add(normalizeEmail(entry));
    } catch {
      // Not an address: names no group a grant can.
    }
  }
  return [...groups];
}

function refused(message: string, cause?: unknown): RmsError {
  return new RmsError('AUTHENTICATION_FAILED', message, { cause });
}

function checkTimes(claims: Record<string, unknown>, now: number): void {
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw refused('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf > now + 300) throw refused('the token is not valid yet');
}

function audienceIncludes(aud: unknown, expected: string): boolean {
  return aud === expected || (Array.isArray(aud) && aud.includes(expected));
}

/** Keys of the external issuer, fetched from its JWKS and refreshed when an unknown key ID appears. */
class ExternalKeys {
  private keys = new Map<string, AsymmetricKey>();
  private fetchedAt = 0;
  /** The fetch in flight: requests arriving meanwhile wait for it instead of finding no keys. */
  private refreshing: Promise<void> | null = null;

  constructor(private readonly settings: OidcSettings) {}

  async key(kid: string): Promise<AsymmetricKey> {
    let key = this.keys.get(kid);
    if (key === undefined && this.refreshing !== null) {
      await this.refreshing;
      key = this.keys.get(kid);
    }
    if (key === undefined && Date.now() - this.fetchedAt > JWKS_REFRESH_MS) {
      this.refreshing ??= this.refresh().finally(() => { this.refreshing = null; });
      await this.refreshing;
      key = this.keys.get(kid);
    }
    if (key === undefined) throw refused(`the token is signed with key ${kid}, which ${this.settings.issuer} does not publish`);
    return key;
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = Date.now();
    const url = new URL(this.settings.jwksUri);
    const response = await requestJson('GET', url, undefined, {}, { timeoutMs: 10_000 });
    if (response.status !== 200) throw serviceError(response, url);
    const body = response.body;
    const keys = new Map<string, AsymmetricKey>();
    for (const jwk of Array.isArray((body as { keys?: unknown }).keys) ? (body as { keys: Jwk[] }).keys : []) {
      try {
        const key = AsymmetricKey.importJwk(jwk);
        // Keyed by our own thumbprint (what verifyJws checks) and by the issuer's kid (what its tokens name).
        keys.set(key.thumbprint(), key);
        if (typeof (jwk as { kid?: unknown }).kid === 'string') keys.set((jwk as unknown as { kid: string }).kid, key);
      } catch {
        // A key type openrms cannot use is skipped, as RFC 7517 section 5 asks.
      }
    }
    this.keys = keys;
  }
}

/** Verified tokens are remembered until they expire: a busy client sends the same one many times. */
const VERIFIED_TOKENS = 10_000;

export class AccessTokens {
  private readonly external: ExternalKeys | null;
  private readonly verified = new LruCache<string, TokenIdentity & { exp: number }>(VERIFIED_TOKENS);

  /**
   * `earlierKeys`: the service's signing keys by thumbprint, those it rotated away from included
   * (the SLC's `signingKeys`): tokens it signed with them are accepted until they expire.
   */
  constructor(private readonly signingKey: AsymmetricKey, private readonly serviceUrl: () => string,
    private readonly oidc: OidcSettings | null, private readonly earlierKeys: ReadonlyMap<string, AsymmetricKey> = new Map()) {
    this.external = oidc === null ? null : new ExternalKeys(oidc);
  }

  async issue(email: string, lifetimeSeconds: number, now: number): Promise<string> {
    const url = this.serviceUrl();
    return signJwsAsync({ iss: url, aud: url, sub: email, iat: now, exp: now + lifetimeSeconds }, this.signingKey, ACCESS_TOKEN_TYPE);
  }

  /** The identity a bearer token proves; AUTHENTICATION_FAILED for anything else. */
  async verify(token: string, now: number): Promise<TokenIdentity> {
    const known = this.verified.get(token);
    if (known !== undefined && known.exp > now) return { email: known.email, issuer: known.issuer, issuedAt: known.issuedAt, groups: known.groups };
    const { identity, exp } = await this.verifyFully(token, now);
    this.verified.set(token, { ...identity, exp });
    return identity;
  }

  private async verifyFully(token: string, now: number): Promise<{ identity: TokenIdentity; exp: number }> {
    let header;
    try {
      header = decodeJws(token).header;
    } catch (cause) {
      throw refused('the token is not a signed token', cause);
    }
    const ownKey = header.kid === this.signingKey.thumbprint() ? this.signingKey : this.earlierKeys.get(header.kid);
    if (ownKey !== undefined) {
      const claims = this.verifyWith(token, ownKey, ACCESS_TOKEN_TYPE);
      checkTimes(claims, now);
      if (claims.iss !== this.serviceUrl() || !audienceIncludes(claims.aud, this.serviceUrl())) throw refused('the token was issued for another service');
      return { identity: { email: normalizeEmail(claims.sub), issuer: 'local', issuedAt: claims.iat as number }, exp: claims.exp as number };
    }
    if (this.external === null || this.oidc === null) throw refused('the token was not issued by this service');
    const claims = this.verifyWith(token, await this.external.key(header.kid), header.typ);
    checkTimes(claims, now);
    if (claims.iss !== this.oidc.issuer) throw refused(`the token was issued by ${String(claims.iss)}, not ${this.oidc.issuer}`);
    if (!audienceIncludes(claims.aud, this.oidc.audience ?? this.serviceUrl())) throw refused('the token was issued for another audience');
    // Only an address the issuer vouches for: `email` when `email_verified` is the boolean true
    // (OpenID Connect Core 5.1; a missing claim, "true" or 1 vouches for nothing), or Entra's `upn`.
    // `preferred_username` is whatever the user typed, and names no one.
    const email = claims.email !== undefined && claims.email_verified === true ? claims.email : claims.upn;
    try {
      return { identity: { email: normalizeEmail(email), issuer: 'external', groups: claimedGroups(claims.groups) }, exp: claims.exp as number };
    } catch (cause) {
      throw refused('the token names no email identity', cause);
    }
  }

  private verifyWith(token: string, key: AsymmetricKey, typ: string): Record<string, unknown> {
    const { signingInput, signature, header, payload } = decodeJws(token);
    const fits = key.type === 'ec' ? header.alg === 'ES256' : header.alg === 'RS256' || header.alg === 'PS256';
    if (header.typ !== typ || !fits || !verify(header.alg, key, signingInput, signature)) throw refused('the token signature does not verify');
    return payload;
  }
}
