/**
 * openrms's certificates (docs/licenses.md), JWS-signed JSON:
 *
 * - SLC, the service's licensor certificate: its signing and key-wrapping public keys and its
 *   URLs; self-signed, or signed by an organisation root.
 * - RAC, a user's rights account certificate: an identity bound to a public key the user's
 *   device made; signed by the service; 31 days.
 * - CLC, a client licensor certificate: lets a user publish offline; signed by the service,
 *   carries the SLC's wrapping key so content keys can be wrapped to the service.
 * - Key succession: when the service rotates its keys, its retiring signing key certifies the
 *   new generation (signing and wrapping keys). The SLC carries every succession from the
 *   service's first signing key to its current one, so a client that pinned an earlier key
 *   trusts the new one, and what earlier keys signed (RACs, CLCs, PLs, ULs) still verifies.
 *
 * Every check of a chain runs the signature in native code; a certificate that does not come
 * from the expected issuer is BROKEN_CERT_CHAIN, one outside its validity
 * VALIDITY_TIME_VIOLATION, one whose signature fails INVALID_SIGNATURE.
 */
import { AsymmetricKey, Jwk } from '../crypto/asymmetric-key';
import { invalidArgument, RmsError } from '../errors';
import { decodeJws, signJws, verifyJws } from './jws';
import { publicKeyFromJwk } from './key-cache';

export const CERTIFICATE_VERSION = 1;
export const SLC_TYPE = 'openrms-slc+jws';
export const RAC_TYPE = 'openrms-rac+jws';
export const CLC_TYPE = 'openrms-clc+jws';
export const SUCCESSION_TYPE = 'openrms-key-succession+jws';
/** RAC validity (DESIGN: 31 days, renewed before expiry). */
export const RAC_LIFETIME_SECONDS = 31 * 24 * 3600;
/** Clocks of clients and service may disagree by this much. */
export const CLOCK_SKEW_SECONDS = 300;

export type IdentityKind = 'organization' | 'individual';

export interface LicensingUrls {
  intranet: string | null;
  extranet: string | null;
}

export interface SlcClaims {
  ver: number;
  /** Thumbprint of the key that signed this SLC (its own signing key when self-signed). */
  iss: string;
  /** The service's identity: the thumbprint of its signing key. */
  sub: string;
  name: string;
  iat: number;
  exp: number;
  keys: { sign: Jwk; wrap: Jwk };
  urls: LicensingUrls & { certification: string | null };
  /**
   * The key successions from the service's first signing key to `sub`, oldest first (absent
   * before the first rotation): each a JWS signed by the key it retires.
   */
  prev?: string[];
}

/** One key rotation: the retiring signing key certifies the next generation of keys. */
export interface SuccessionClaims {
  ver: number;
  /** Thumbprint of the retiring signing key, which signs this statement. */
  iss: string;
  /** Thumbprint of the new signing key. */
  sub: string;
  iat: number;
  /** The retiring generation's public keys (its signing key is the signer's). */
  from: { sign: Jwk; wrap: Jwk };
  /** The new generation's public keys. */
  to: { sign: Jwk; wrap: Jwk };
}

export interface RacClaims {
  ver: number;
  iss: string;
  /** The identity, an email address in lower case. */
  sub: string;
  idk: IdentityKind;
  key: Jwk;
  iat: number;
  exp: number;
}

export interface ClcClaims {
  ver: number;
  iss: string;
  sub: string;
  /** The user's publishing key (the RAC key): what offline publishing licenses are signed with. */
  key: Jwk;
  /** The SLC's wrapping key: offline content keys are wrapped to it. */
  wrap: Jwk;
  urls: LicensingUrls;
  iat: number;
  exp: number;
}

/** A verified certificate: its claims and the token it came from. */
export interface Verified<T> {
  claims: T;
  token: string;
}

export interface VerifiedSlc extends Verified<SlcClaims> {
  signingKey: AsymmetricKey;
  wrappingKey: AsymmetricKey;
  /**
   * The service's identity, stable across key rotations: the thumbprint of its first signing
   * key (`sub` until the first rotation). Clients keep a service's state under this ID.
   */
  serviceId: string;
  /** Every signing key of the service by thumbprint, the current one and those it succeeded: what the service signed with any of them verifies. */
  signingKeys: ReadonlyMap<string, AsymmetricKey>;
  /** Every wrapping key of the service by thumbprint: a CLC carrying an earlier one still publishes (the service keeps its private key). */
  wrappingKeys: ReadonlyMap<string, AsymmetricKey>;
}

export interface TimeOptions {
  /** Seconds since the epoch to check validity at (default: now). */
  now?: number;
}

function nowSeconds(options: TimeOptions): number {
  return options.now ?? Math.floor(Date.now() / 1000);
}

function brokenChain(message: string): RmsError {
  return new RmsError('BROKEN_CERT_CHAIN', message);
}

/**
 * The last second openrms accepts as a time (9999-12-31T23:59:59Z): every date it reads must
 * also be one a JavaScript Date, an ISO string and a SQLite integer can hold, so that a claim
 * like `exp: 1e300` is refused as INVALID_FORMAT here instead of failing later as a RangeError.
 */
export const MAX_EPOCH_SECONDS = 253_402_300_799;

/** A time in whole seconds since the epoch, from 0 to MAX_EPOCH_SECONDS. */
export function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_SECONDS;
}

/** The certificate must be valid at `now`, allowing for clock skew. */
export function checkValidity(what: string, claims: { iat: unknown; exp: unknown }, options: TimeOptions): void {
  const now = nowSeconds(options);
  if (!isEpochSeconds(claims.iat) || !isEpochSeconds(claims.exp) || !(claims.exp > claims.iat)) {
    throw new RmsError('INVALID_FORMAT', `the ${what} has no valid issue and expiry times`);
  }
  if (claims.iat > now + CLOCK_SKEW_SECONDS) throw new RmsError('VALIDITY_TIME_VIOLATION', `the ${what} is not valid yet`);
  if (claims.exp <= now - CLOCK_SKEW_SECONDS) throw new RmsError('VALIDITY_TIME_VIOLATION', `the ${what} expired at ${new Date(claims.exp * 1000).toISOString()}`);
}

function requireString(what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new RmsError('INVALID_FORMAT', `the ${what} is missing`);
  return value;
}

function checkVersion(what: string, claims: { ver?: unknown }): void {
  if (claims.ver !== CERTIFICATE_VERSION) throw new RmsError('UNSUPPORTED_VERSION', `${what} version ${String(claims.ver)} is not supported`);
}

/**
 * Normalizes an email identity (ASCII letters in lower case, ASCII spaces trimmed); refuses
 * what cannot be one. Only ASCII is folded: toLowerCase() would make the Kelvin sign (U+212A)
 * a `k` and U+0130 an `i`, so an address an issuer vouched for would name another's account.
 */
export function normalizeEmail(email: unknown): string {
  if (typeof email !== 'string') throw invalidArgument('email', 'an email address');
  const normalized = email.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (!/^[^\s@]+@[^\s@]+$/.test(normalized) || normalized.length > 320) throw invalidArgument('email', 'an email address');
  return normalized;
}

export interface IssueSlcOptions {
  name: string;
  signingKey: AsymmetricKey;
  wrappingKey: AsymmetricKey;
  urls: SlcClaims['urls'];
  /** Sign with an organisation root instead of the SLC's own key. */
  root?: AsymmetricKey;
  /** The key successions leading to `signingKey`, oldest first (`issueKeySuccession`); none before the first rotation. */
  succession?: readonly string[];
  iat: number;
  exp: number;
}

export function issueSlc(o: IssueSlcOptions): string {
  const signer = o.root ?? o.signingKey;
  const claims: SlcClaims = {
    ver: CERTIFICATE_VERSION, iss: signer.thumbprint(), sub: o.signingKey.thumbprint(), name: o.name, iat: o.iat, exp: o.exp,
    keys: { sign: o.signingKey.exportJwk(), wrap: o.wrappingKey.exportJwk() }, urls: o.urls,
    ...(o.succession === undefined || o.succession.length === 0 ? {} : { prev: [...o.succession] }),
  };
  return signJws(claims, signer, SLC_TYPE);
}

/** A generation of the service's keys: the signing key and the wrapping key used with it. */
export interface KeyGeneration {
  signing: AsymmetricKey;
  wrapping: AsymmetricKey;
}

/** The retiring generation's signing key certifies the next generation (a key rotation). */
export function issueKeySuccession(retiring: KeyGeneration, next: KeyGeneration, iat: number): string {
  const claims: SuccessionClaims = {
    ver: CERTIFICATE_VERSION, iss: retiring.signing.thumbprint(), sub: next.signing.thumbprint(), iat,
    from: { sign: retiring.signing.exportJwk(), wrap: retiring.wrapping.exportJwk() },
    to: { sign: next.signing.exportJwk(), wrap: next.wrapping.exportJwk() },
  };
  return signJws(claims, retiring.signing, SUCCESSION_TYPE);
}

interface Thumbprints {
  sign: string;
  wrap: string;
}

/** The keys a succession chain names, by thumbprint, oldest generation first. */
export interface SuccessionChain {
  signing: Map<string, AsymmetricKey>;
  wrapping: Map<string, AsymmetricKey>;
  /** Each generation's two keys, oldest first, the current one last. */
  generations: Thumbprints[];
}

/**
 * Checks that the successions `prev` lead, each signed by the key before it, from the service's
 * first signing key to the generation `current`. Any break is BROKEN_CERT_CHAIN: a successor
 * that the key before it did not sign is no successor. The keys come back oldest first.
 */
export function verifySuccession(prev: unknown, current: KeyGeneration): SuccessionChain {
  if (prev !== undefined && (!Array.isArray(prev) || !prev.every((p) => typeof p === 'string'))) {
    throw new RmsError('INVALID_FORMAT', "the SLC's key successions are not a list of tokens");
  }
  const chain: SuccessionChain = { signing: new Map(), wrapping: new Map(), generations: [] };
  // The generation the previous statement certified, which the next one must retire.
  let certified: Thumbprints | null = null;
  for (const [i, token] of ((prev ?? []) as string[]).entries()) {
    const broken = (why: string, cause?: unknown): RmsError =>
      new RmsError('BROKEN_CERT_CHAIN', `key succession ${i + 1} of the SLC does not hold: ${why}`, { cause });
    let from: KeyGeneration;
    let to: Thumbprints;
    let header: { kid: string };
    let claims: SuccessionClaims;
    try {
      ({ header, payload: claims } = decodeJws<SuccessionClaims>(token));
      checkVersion('key succession', claims);
      from = { signing: publicKeyFromJwk(claims.from?.sign, 'retired signing key'), wrapping: publicKeyFromJwk(claims.from?.wrap, 'retired wrapping key') };
      to = { sign: publicKeyFromJwk(claims.to?.sign, 'successor signing key').thumbprint(), wrap: publicKeyFromJwk(claims.to?.wrap, 'successor wrapping key').thumbprint() };
    } catch (cause) {
      throw broken((cause as Error).message, cause);
    }
    if (certified !== null && (from.signing.thumbprint() !== certified.sign || from.wrapping.thumbprint() !== certified.wrap)) {
      throw broken('it retires other keys than the succession before it certified');
    }
    if (header.kid !== from.signing.thumbprint() || claims.iss !== header.kid) throw broken('it is not signed by the key it retires');
    if (claims.sub !== to.sign) throw broken('it does not name its successor key');
    try {
      verifyJws(token, from.signing, SUCCESSION_TYPE);
    } catch (cause) {
      throw broken(`its signature does not verify with the key it retires: ${(cause as Error).message}`, cause);
    }
    chain.signing.set(from.signing.thumbprint(), from.signing);
    chain.wrapping.set(from.wrapping.thumbprint(), from.wrapping);
    chain.generations.push({ sign: from.signing.thumbprint(), wrap: from.wrapping.thumbprint() });
    certified = to;
  }
  if (certified !== null && (current.signing.thumbprint() !== certified.sign || current.wrapping.thumbprint() !== certified.wrap)) {
    throw brokenChain("the SLC's keys are not those its last key succession certified");
  }
  chain.signing.set(current.signing.thumbprint(), current.signing);
  chain.wrapping.set(current.wrapping.thumbprint(), current.wrapping);
  chain.generations.push({ sign: current.signing.thumbprint(), wrap: current.wrapping.thumbprint() });
  return chain;
}

export interface SlcTrust extends TimeOptions {
  /** Organisation roots; an SLC signed by one of them is trusted. */
  roots?: readonly AsymmetricKey[];
  /**
   * Thumbprints of self-signed SLC signing keys trusted (pinned at sign-in): an SLC whose key
   * is one of them, or was certified through the SLC's key successions by one of them.
   */
  pinned?: readonly string[];
}

/**
 * The service ID an SLC claims (the first signing key of its successions, else its own), read
 * without checking anything: what a client pins at first sight, before verifying the SLC with it.
 */
export function claimedServiceId(token: string): string {
  const { payload } = decodeJws<Partial<SlcClaims>>(token);
  const first: unknown = Array.isArray(payload.prev) && typeof payload.prev[0] === 'string' ? decodeJws<{ iss?: unknown }>(payload.prev[0]).payload.iss : payload.sub;
  if (typeof first !== 'string') throw new RmsError('INVALID_FORMAT', 'the SLC names no service');
  return first;
}

/**
 * The signing keys an SLC names (its own and those of its key successions), read without
 * checking anything: for finding which stored service a key belongs to, whose SLC is then verified.
 */
export function slcKeyIds(token: string | undefined): string[] {
  if (token === undefined) return [];
  try {
    const { payload } = decodeJws<Partial<SlcClaims>>(token);
    const earlier = Array.isArray(payload.prev) ? payload.prev.map((p) => decodeJws<{ iss?: unknown }>(String(p)).payload.iss) : [];
    return [...earlier, payload.sub].filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

/** Verifies an SLC against the roots or pinned keys the caller trusts. */
export function verifySlc(token: string, trust: SlcTrust): VerifiedSlc {
  const { header, payload } = decodeJws<SlcClaims>(token);
  checkVersion('SLC', payload);
  const signingKey = publicKeyFromJwk(payload.keys?.sign, 'SLC signing key');
  const wrappingKey = publicKeyFromJwk(payload.keys?.wrap, 'SLC wrapping key');
  if (payload.sub !== signingKey.thumbprint()) throw brokenChain('the SLC does not name its own signing key');
  const chain = verifySuccession(payload.prev, { signing: signingKey, wrapping: wrappingKey });
  let signer: AsymmetricKey | undefined;
  if (header.kid === payload.sub) {
    // Pinned, or certified by a pinned key through the successions (a rotation since the pin).
    if (!(trust.pinned ?? []).some((pin) => chain.signing.has(pin))) throw brokenChain(`the self-signed SLC ${payload.sub} is not trusted here`);
    signer = signingKey;
  } else {
    signer = (trust.roots ?? []).find((root) => root.thumbprint() === header.kid);
    if (signer === undefined) throw brokenChain(`the SLC is signed by ${header.kid}, which is not a trusted root`);
  }
  verifyJws(token, signer, SLC_TYPE);
  if (payload.iss !== header.kid) throw brokenChain('the SLC names another issuer than its signer');
  checkValidity('SLC', payload, trust);
  return {
    claims: payload, token, signingKey, wrappingKey, serviceId: chain.signing.keys().next().value!, signingKeys: chain.signing, wrappingKeys: chain.wrapping,
  };
}

/**
 * Verifies a token the SLC's service signed (its `kid` and `iss` the service, its signature
 * good, its version known) and returns its claims; validity times are the caller's to check.
 */
export function verifyServiceSigned<T extends { iss: string; ver: number }>(what: string, typ: string, token: string, slc: VerifiedSlc): T {
  const { header, payload } = decodeJws<T>(token);
  // Its current key or one it rotated away from: what the service signed before a rotation stays valid.
  const key = slc.signingKeys.get(header.kid);
  if (key === undefined) throw brokenChain(`the ${what} was not issued by service ${slc.serviceId} (signed by ${header.kid})`);
  verifyJws(token, key, typ);
  if (payload.iss !== header.kid) throw brokenChain(`the ${what} names another issuer than its signer`);
  checkVersion(what, payload);
  return payload;
}

/** A certificate the service signed, valid now. */
function verifyIssuedBy<T extends { iss: string; iat: number; exp: number; ver: number }>(
  what: string, typ: string, token: string, slc: VerifiedSlc, options: TimeOptions): T {
  const payload = verifyServiceSigned<T>(what, typ, token, slc);
  checkValidity(what, payload, options);
  return payload;
}

/** Content valid-until (seconds, or null for none): VALIDITY_TIME_VIOLATION once passed. */
export function checkContentValidUntil(until: number | null, options: TimeOptions = {}): void {
  if (until !== null) checkValidity('content', { iat: 0, exp: until }, options);
}

export interface IssueRacOptions {
  email: string;
  kind: IdentityKind;
  /** The user's public key, made on the user's device. */
  userKey: AsymmetricKey;
  iat: number;
  exp?: number;
}

export function issueRac(slcSigningKey: AsymmetricKey, o: IssueRacOptions): string {
  if (o.kind !== 'organization' && o.kind !== 'individual') throw invalidArgument('kind', "'organization' or 'individual'");
  const claims: RacClaims = {
    ver: CERTIFICATE_VERSION, iss: slcSigningKey.thumbprint(), sub: normalizeEmail(o.email), idk: o.kind,
    key: o.userKey.exportJwk(), iat: o.iat, exp: o.exp ?? o.iat + RAC_LIFETIME_SECONDS,
  };
  return signJws(claims, slcSigningKey, RAC_TYPE);
}

export function verifyRac(token: string, slc: VerifiedSlc, options: TimeOptions = {}): Verified<RacClaims> & { userKey: AsymmetricKey } {
  const claims = verifyIssuedBy<RacClaims>('RAC', RAC_TYPE, token, slc, options);
  requireString('RAC identity', claims.sub);
  if (claims.idk !== 'organization' && claims.idk !== 'individual') throw new RmsError('INVALID_FORMAT', 'the RAC has no identity kind');
  return { claims, token, userKey: publicKeyFromJwk(claims.key, 'RAC key') };
}

export interface IssueClcOptions {
  email: string;
  userKey: AsymmetricKey;
  wrappingKey: AsymmetricKey;
  urls: LicensingUrls;
  iat: number;
  exp: number;
}

export function issueClc(slcSigningKey: AsymmetricKey, o: IssueClcOptions): string {
  const claims: ClcClaims = {
    ver: CERTIFICATE_VERSION, iss: slcSigningKey.thumbprint(), sub: normalizeEmail(o.email), key: o.userKey.exportJwk(),
    wrap: o.wrappingKey.exportJwk(), urls: o.urls, iat: o.iat, exp: o.exp,
  };
  return signJws(claims, slcSigningKey, CLC_TYPE);
}

export function verifyClc(token: string, slc: VerifiedSlc, options: TimeOptions = {}):
  Verified<ClcClaims> & { publishingKey: AsymmetricKey; wrappingKey: AsymmetricKey } {
  const claims = verifyIssuedBy<ClcClaims>('CLC', CLC_TYPE, token, slc, options);
  requireString('CLC identity', claims.sub);
  const wrappingKey = publicKeyFromJwk(claims.wrap, 'CLC wrapping key');
  if (!slc.wrappingKeys.has(wrappingKey.thumbprint())) throw brokenChain('the CLC carries a wrapping key its SLC does not name');
  return { claims, token, publishingKey: publicKeyFromJwk(claims.key, 'CLC key'), wrappingKey };
}
