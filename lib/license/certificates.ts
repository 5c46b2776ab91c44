/**
 * openrms's certificates (docs/licenses.md), JWS-signed JSON:
 *
 * - SLC, the service's licensor certificate: its signing and key-wrapping public keys and its
 *   URLs; self-signed, or signed by an organisation root.
 * - RAC, a user's rights account certificate: an identity bound to a public key the user's
 *   device made; signed by the service; 31 days.
 * - CLC, a client licensor certificate: lets a user publish offline; signed by the service,
 *   carries the SLC's wrapping key so content keys can be wrapped to the service.
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
  iat: number;
  exp: number;
}

export function issueSlc(o: IssueSlcOptions): string {
  const signer = o.root ?? o.signingKey;
  const claims: SlcClaims = {
    ver: CERTIFICATE_VERSION, iss: signer.thumbprint(), sub: o.signingKey.thumbprint(), name: o.name, iat: o.iat, exp: o.exp,
    keys: { sign: o.signingKey.exportJwk(), wrap: o.wrappingKey.exportJwk() }, urls: o.urls,
  };
  return signJws(claims, signer, SLC_TYPE);
}

export interface SlcTrust extends TimeOptions {
  /** Organisation roots; an SLC signed by one of them is trusted. */
  roots?: readonly AsymmetricKey[];
  /** Thumbprints of self-signed SLC signing keys trusted as they are (pinned at sign-in). */
  pinned?: readonly string[];
}

/** Verifies an SLC against the roots or pinned keys the caller trusts. */
export function verifySlc(token: string, trust: SlcTrust): VerifiedSlc {
  const { header, payload } = decodeJws<SlcClaims>(token);
  checkVersion('SLC', payload);
  const signingKey = publicKeyFromJwk(payload.keys?.sign, 'SLC signing key');
  const wrappingKey = publicKeyFromJwk(payload.keys?.wrap, 'SLC wrapping key');
  if (payload.sub !== signingKey.thumbprint()) throw brokenChain('the SLC does not name its own signing key');
  let signer: AsymmetricKey | undefined;
  if (header.kid === payload.sub) {
    if (!(trust.pinned ?? []).includes(payload.sub)) throw brokenChain(`the self-signed SLC ${payload.sub} is not trusted here`);
    signer = signingKey;
  } else {
    signer = (trust.roots ?? []).find((root) => root.thumbprint() === header.kid);
    if (signer === undefined) throw brokenChain(`the SLC is signed by ${header.kid}, which is not a trusted root`);
  }
  verifyJws(token, signer, SLC_TYPE);
  if (payload.iss !== header.kid) throw brokenChain('the SLC names another issuer than its signer');
  checkValidity('SLC', payload, trust);
  return { claims: payload, token, signingKey, wrappingKey };
}

/**
 * Verifies a token the SLC's service signed (its `kid` and `iss` the service, its signature
 * good, its version known) and returns its claims; validity times are the caller's to check.
 */
export function verifyServiceSigned<T extends { iss: string; ver: number }>(what: string, typ: string, token: string, slc: VerifiedSlc): T {
  const { header, payload } = decodeJws<T>(token);
  if (header.kid !== slc.claims.sub) throw brokenChain(`the ${what} was not issued by service ${slc.claims.sub}`);
  verifyJws(token, slc.signingKey, typ);
  if (payload.iss !== slc.claims.sub) throw brokenChain(`the ${what} names another issuer than its signer`);
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
  if (wrappingKey.thumbprint() !== slc.wrappingKey.thumbprint()) throw brokenChain('the CLC carries another wrapping key than its SLC');
  return { claims, token, publishingKey: publicKeyFromJwk(claims.key, 'CLC key'), wrappingKey };
}
