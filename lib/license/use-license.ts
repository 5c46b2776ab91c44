/**
 * The use license (UL, docs/licenses.md): what one user may do with one piece of content,
 * issued by the service to that user's RAC, with the content key wrapped to the RAC key (so a
 * UL cached on disk is useless without the user's private key). Valid for the PL's offline
 * interval; the full policy only for the owner or a holder of VIEWRIGHTSDATA.
 */
import { AsymmetricKey } from '../crypto/asymmetric-key';
import * as keyWrap from '../crypto/key-wrap';
import { SecretKey } from '../crypto/secret-key';
import { invalidArgument, RmsError } from '../errors';
import {
  CERTIFICATE_VERSION, checkContentValidUntil, checkValidity, isEpochSeconds, TimeOptions, VerifiedSlc, verifyServiceSigned,
} from './certificates';
import { signJws, signJwsAsync } from './jws';
import { normalizePolicy, Policy, VerifiedPl } from './publishing-license';
import { expandRights, hasRight } from './rights';

export const UL_TYPE = 'openrms-ul+jws';
const DAY = 24 * 3600;

export interface UlClaims {
  ver: number;
  iss: string;
  /** The user it was issued to. */
  sub: string;
  /** Thumbprint of the RAC key the content key is wrapped to. */
  rac: string;
  cid: string;
  own: string;
  iat: number;
  /** License valid-until: iat + the offline interval (iat itself when 0: online every time). */
  exp: number;
  /** Content valid-until, or null. */
  cvu: number | null;
  rights: string[];
  /** The content key wrapped to the RAC key (RSA-OAEP-256 or ECDH-ES+A256KW by its type, label = content ID). */
  ck: string;
  /** The full policy, for the owner or a holder of VIEWRIGHTSDATA; null otherwise. */
  pol: Policy | null;
}

export interface IssueUlOptions {
  pl: VerifiedPl;
  /** The user, as their RAC names them, and the RAC's public key. */
  user: string;
  racKey: AsymmetricKey;
  rights: string[];
  /** The PL's content key, unwrapped by the service. */
  contentKey: SecretKey;
  /**
   * The policy that applies: the PL's, its grants decrypted (openPolicy), or for a PL made from a
   * template the template's current rules. Its offline days make `exp`; given whole to the owner
   * and VIEWRIGHTSDATA holders.
   */
  policy: Policy;
  iat: number;
}

/** The rights a UL carries: those given, expanded; at least one. */
function ulRights(o: IssueUlOptions): string[] {
  const rights = expandRights(o.rights);
  if (rights.length === 0) throw invalidArgument('rights', 'at least one right');
  return rights;
}

/** The UL's claims, with the content key wrapped to the RAC key (`wrappedKey`) as `ck`. */
function buildUlClaims(serviceKey: AsymmetricKey, o: IssueUlOptions, rights: string[], wrappedKey: Buffer): UlClaims {
  const pl = o.pl.claims;
  return {
    ver: CERTIFICATE_VERSION, iss: serviceKey.thumbprint(), sub: o.user, rac: o.racKey.thumbprint(), cid: pl.cid, own: pl.own,
    iat: o.iat, exp: o.iat + o.policy.offlineDays * DAY, cvu: pl.pol.contentValidUntil, rights,
    ck: wrappedKey.toString('base64url'),
    pol: hasRight(rights, 'VIEWRIGHTSDATA') ? o.policy : null,
  };
}

/** The service's side: signs a UL for one user. */
export function issueUl(serviceKey: AsymmetricKey, o: IssueUlOptions): string {
  const rights = ulRights(o);
  const wrapped = keyWrap.wrapKey(o.racKey, o.contentKey, { label: Buffer.from(o.pl.claims.cid) });
  return signJws(buildUlClaims(serviceKey, o, rights, wrapped), serviceKey, UL_TYPE);
}

/** issueUl with the key wrap (on EC) and the signature (on RSA) on the thread pool: what the service uses under load. */
export async function issueUlAsync(serviceKey: AsymmetricKey, o: IssueUlOptions): Promise<string> {
  const rights = ulRights(o);
  const wrapped = await keyWrap.wrapKeyAsync(o.racKey, o.contentKey, { label: Buffer.from(o.pl.claims.cid) });
  return signJwsAsync(buildUlClaims(serviceKey, o, rights, wrapped), serviceKey, UL_TYPE);
}

export interface VerifiedUl {
  claims: UlClaims;
  token: string;
}

export interface UlCheckOptions extends TimeOptions {
  /** Accept a UL past its license valid-until (a fresh one, just acquired online, is used once). */
  ignoreLicenseExpiry?: boolean;
}

/**
 * Verifies a UL: signed by the service, for this user, inside its validity. A UL past its
 * license valid-until is VALIDITY_TIME_VIOLATION (the client then needs to go online), as is
 * content past its valid-until.
 */
export function verifyUl(token: string, slc: VerifiedSlc, user: string, options: UlCheckOptions = {}): VerifiedUl {
  const payload = verifyServiceSigned<UlClaims>('UL', UL_TYPE, token, slc);
  if (payload.sub !== user) throw new RmsError('BROKEN_CERT_CHAIN', `the UL was issued to ${String(payload.sub)}, not ${user}`);
  checkUlFormat(payload);
  checkUlTimes(payload, options);
  return { claims: payload, token };
}

/**
 * The claims a UL's holder reads have the types UlClaims declares. The service's signature says
 * who made them, not that they are well-formed: `exp: null` would otherwise pass as "no expiry"
 * and `cid: 5` fail later as a TypeError.
 */
function checkUlFormat(c: UlClaims): void {
  const strings = [c.rac, c.cid, c.own, c.ck].every((value) => typeof value === 'string');
  const rights = Array.isArray(c.rights) && c.rights.every((right) => typeof right === 'string');
  const times = isEpochSeconds(c.iat) && isEpochSeconds(c.exp) && c.exp >= c.iat && (c.cvu === null || isEpochSeconds(c.cvu));
  if (!strings || !rights || !times) throw new RmsError('INVALID_FORMAT', 'the UL\'s claims are not those of a use license');
  if (c.pol === null) return;
  try {
    normalizePolicy(c.pol);
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the UL's policy is not valid: ${(cause as Error).message}`, { cause });
  }
}

/** A UL's validity at `now`: its license valid-until (unless ignored) and its content valid-until. */
export function checkUlTimes(claims: Pick<UlClaims, 'iat' | 'exp' | 'cvu'>, options: UlCheckOptions = {}): void {
  if (!options.ignoreLicenseExpiry) checkValidity('use license', { iat: claims.iat, exp: Math.max(claims.exp, claims.iat + 1) }, options);
  checkContentValidUntil(claims.cvu, options);
}

/** The content key of a UL, unwrapped with the user's RAC private key into a native handle. */
export function openUlContentKey(ul: VerifiedUl, racPrivateKey: AsymmetricKey): SecretKey {
  if (racPrivateKey.thumbprint() !== ul.claims.rac) {
    throw new RmsError('BROKEN_CERT_CHAIN', 'the UL was issued to another rights account key');
  }
  return keyWrap.unwrapKey(racPrivateKey, Buffer.from(ul.claims.ck, 'base64url'), { label: Buffer.from(ul.claims.cid) });
}
