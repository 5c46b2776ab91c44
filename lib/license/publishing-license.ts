/**
 * The publishing license (PL, docs/licenses.md): who may do what with one piece of content,
 * and its content key wrapped to the service. Signed by the owner's publishing key with the
 * owner's CLC embedded (offline publishing: no request to the service), or by the service
 * itself (online publishing).
 *
 * Its sealed parts (the wrapped content key, the encrypted grants and application data) are
 * bound to the PL they were made for: the key wrap's label and the AES-GCM AAD carry a digest of
 * the PL's content ID, owner, signer and clear policy (`plBinding`). Copied into any other PL,
 * whoever signs it, they no longer open, so nobody can borrow another PL's key or grants under a
 * policy of their own.
 */
import { randomUUID } from 'node:crypto';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import * as aesGcm from '../crypto/aes-gcm';
import { randomBytes } from '../crypto/random';
import * as keyWrap from '../crypto/key-wrap';
import { SecretKey } from '../crypto/secret-key';
import { invalidArgument, RmsError } from '../errors';
import { sha256 } from '../crypto/digest';
import {
  CLOCK_SKEW_SECONDS, checkContentValidUntil, isEpochSeconds, LicensingUrls, normalizeEmail, TimeOptions, verifyClc, VerifiedSlc,
} from './certificates';
import { decodeJws, signJws, verifyJws } from './jws';
import { expandRights } from './rights';

export const PL_TYPE = 'openrms-pl+jws';
/**
 * Version 2 binds the sealed parts to the PL (`plBinding`). Version 1 PLs, whose key and grants
 * could be spliced into another PL, are refused as UNSUPPORTED_VERSION.
 */
export const PL_VERSION = 2;
export const ANYONE = 'ANYONE';
export const MAX_OFFLINE_DAYS = 65535;

export interface Grant {
  /** An email address, or ANYONE. */
  who: string;
  rights: string[];
}

export interface Policy {
  /** The template the policy came from, when it did. */
  template: string | null;
  grants: Grant[];
  /** Seconds since the epoch after which nobody opens the content; null for no limit. */
  contentValidUntil: number | null;
  /** Days a use license may be used offline: 0 means online every time. */
  offlineDays: number;
}

export interface Descriptor {
  lang: string;
  name: string;
  description: string;
}

/** The policy as a PL carries it in clear: everything but the grants. */
export type PlPolicy = Omit<Policy, 'grants'>;

export interface PlClaims {
  ver: number;
  /** The content ID: a UUID, lower case, without braces. */
  cid: string;
  own: string;
  iss: string;
  iat: number;
  /** The policy without its grants, in clear: the client checks validity offline with it. */
  pol: PlPolicy;
  /**
   * The grants (who may do what), encrypted: AES-256-GCM under the content key, AAD =
   * `sealContext(binding, 'grants')`, iv || ciphertext || tag, base64url. Like MSIPC's rights
   * list, only the service and holders of the content key read it: a protected file does not
   * tell who else may open it.
   */
  egr: string;
  desc: Descriptor[];
  ref: string | null;
  /** Signed application data: name/value pairs in clear. */
  sad: Record<string, string>;
  /** Encrypted application data: AES-256-GCM under the content key, AAD = `sealContext(binding, 'app-data')` (iv || ciphertext || tag, base64url), or null. */
  ead: string | null;
  mode: string;
  urls: LicensingUrls;
  /** The content key wrapped to the service's wrapping key (RSA-OAEP-256 or ECDH-ES+A256KW by its type, label = `sealContext(binding, 'content-key')`). */
  ck: string;
  /** The owner's CLC when published offline. */
  clc: string | null;
}

export interface PublishOptions {
  owner: string;
  policy: Policy;
  contentKey: SecretKey;
  /** The SLC wrapping key (from the CLC when offline). */
  wrappingKey: AsymmetricKey;
  urls: LicensingUrls;
  iat: number;
  mode?: string;
  contentId?: string;
  descriptors?: Descriptor[];
  referralUrl?: string | null;
  signedData?: Record<string, string>;
  encryptedData?: Record<string, string>;
  /**
   * Add a grant of OWNER to the owner. As in MSIPC, a license built from scratch gives its
   * owner nothing the policy does not grant, unless asked to (IPC_LI_OWNER / auto-grant).
   */
  autoGrantOwner?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A policy in canonical form; INVALID_ARGUMENT names what is wrong. */
export function normalizePolicy(policy: Policy): Policy {
  if (typeof policy !== 'object' || policy === null) throw invalidArgument('policy', 'a policy');
  if (!Array.isArray(policy.grants)) throw invalidArgument('policy.grants', 'an array of grants');
  const offline = policy.offlineDays;
  if (!Number.isInteger(offline) || offline < 0 || offline > MAX_OFFLINE_DAYS) throw invalidArgument('policy.offlineDays', 'an integer from 0 to 65535');
  const until = policy.contentValidUntil;
  if (until !== null && !(isEpochSeconds(until) && until > 0)) throw invalidArgument('policy.contentValidUntil', 'seconds since the epoch (up to year 9999), or null');
  const grants = policy.grants.map((g, i) => {
    if (typeof g !== 'object' || g === null || !Array.isArray(g.rights)) throw invalidArgument(`policy.grants[${i}]`, '{ who, rights: [...] }');
    return { who: g.who === ANYONE ? ANYONE : normalizeEmail(g.who), rights: expandRights(g.rights) };
  });
  if (policy.template !== undefined && policy.template !== null && typeof policy.template !== 'string') throw invalidArgument('policy.template', 'a template ID or null');
  return {
    template: policy.template ?? null,
    grants,
    contentValidUntil: until,
    offlineDays: offline,
  };
}

function appData(name: string, data: Record<string, string> | undefined): Record<string, string> {
  // fromEntries defines every name as the object's own: `out[key] = value` would drop a `__proto__`.
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => {
    if (typeof value !== 'string') throw invalidArgument(`${name}.${key}`, 'a string');
    return [key, value];
  }));
}

/** What a PL's sealed parts are bound to: the claims that say whose content it is and under which policy. */
export type PlBindingClaims = Pick<PlClaims, 'ver' | 'cid' | 'own' | 'iss' | 'pol'>;

/**
 * The binding of a PL, base64url(SHA-256) of its version, content ID, owner, signer (`iss`, the
 * signing key's thumbprint) and clear policy, as a JSON array so that no two claim sets encode
 * alike. It is not stored: every reader recomputes it from the claims it is about to trust.
 */
export function plBinding(c: PlBindingClaims): string {
  const pol = c.pol;
  const fields = ['openrms-pl', c.ver, c.cid, c.own, c.iss, pol.template, pol.contentValidUntil, pol.offlineDays];
  return sha256(Buffer.from(JSON.stringify(fields), 'utf8')).toString('base64url');
}

type SealedPart = 'content-key' | 'grants' | 'app-data';

/** The key wrap's label or AES-GCM AAD of one sealed part of the PL with this binding. */
function sealContext(binding: string, part: SealedPart): Buffer {
  return Buffer.from(`openrms-pl/${part}/${binding}`, 'ascii');
}

/**
 * The label of a content key a client wraps to the service to ask it to publish (online
 * publishing). Distinct from every PL's label, so a `ck` copied out of a PL is never accepted as
 * a publishing request, nor the reverse.
 */
export function publishRequestLabel(contentId: string): Buffer {
  return Buffer.from(`openrms-publish-request/${contentId}`, 'ascii');
}

/** JSON sealed under the content key: iv(12) || AES-256-GCM ciphertext || tag, base64url. */
function sealJson(contentKey: SecretKey, aad: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const sealed = aesGcm.encrypt(contentKey, iv, Buffer.from(JSON.stringify(value)), aad);
  return Buffer.concat([iv, sealed]).toString('base64url');
}

function openJson(contentKey: SecretKey, aad: Buffer, sealed: string, what: string): unknown {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 12 + 16) throw new RmsError('INVALID_FORMAT', `the PL's ${what} are truncated`);
  let plaintext: Buffer;
  try {
    plaintext = aesGcm.decrypt(contentKey, bytes.subarray(0, 12), bytes.subarray(12), aad);
  } catch (cause) {
    // GCM cannot tell a wrong key from a wrong binding: either way the part is not this license's.
    if (cause instanceof RmsError && cause.code === 'DECRYPTION_FAILED') throw spliced(`its ${what} do not open under its content key and claims`, cause);
    throw cause;
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the PL's ${what} are not JSON`, { cause });
  }
}

function spliced(why: string, cause?: unknown): RmsError {
  return new RmsError('LICENSE_SPLICED', `the publishing license is not whole: ${why}`, { cause });
}

/** Reads the encrypted application data of a PL with its content key. */
export function openAppData(claims: PlClaims, contentKey: SecretKey): Record<string, string> {
  if (claims.ead === null) return {};
  return openJson(contentKey, sealContext(plBinding(claims), 'app-data'), claims.ead, 'encrypted application data') as Record<string, string>;
}

/** The whole policy of a PL, its grants decrypted with the content key (the service's side, or the owner's). */
export function openPolicy(claims: PlClaims, contentKey: SecretKey): Policy {
  const grants = openJson(contentKey, sealContext(plBinding(claims), 'grants'), claims.egr, 'grants');
  if (!Array.isArray(grants)) throw new RmsError('INVALID_FORMAT', "the PL's grants are not a list");
  try {
    return normalizePolicy({ ...claims.pol, grants: grants as Grant[] });
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the PL's grants are not valid: ${(cause as Error).message}`, { cause });
  }
}

/** The claims of a new PL, its content key wrapped to `wrappingKey` and its sealed parts bound to it. */
export function buildPlClaims(o: PublishOptions, signer: AsymmetricKey, clc: string | null): PlClaims {
  const owner = normalizeEmail(o.owner);
  if (typeof o.policy !== 'object' || o.policy === null || !Array.isArray(o.policy.grants)) throw invalidArgument('policy.grants', 'an array of grants');
  if (!isEpochSeconds(o.iat)) throw invalidArgument('iat', 'seconds since the epoch');
  const grants = o.autoGrantOwner ? [...o.policy.grants, { who: owner, rights: ['OWNER'] }] : o.policy.grants;
  const policy = normalizePolicy({ ...o.policy, grants });
  const cid = o.contentId ?? randomUUID();
  if (!UUID.test(cid)) throw invalidArgument('contentId', 'a lower-case UUID without braces');
  const { grants: sealedGrants, ...clearPolicy } = policy;
  const bound: PlBindingClaims = { ver: PL_VERSION, cid, own: owner, iss: signer.thumbprint(), pol: clearPolicy };
  const binding = plBinding(bound);
  const encryptedData = appData('encryptedData', o.encryptedData);
  return {
    ver: bound.ver, cid, own: bound.own, iss: bound.iss, iat: o.iat, pol: clearPolicy,
    egr: sealJson(o.contentKey, sealContext(binding, 'grants'), sealedGrants),
    desc: o.descriptors ?? [], ref: o.referralUrl ?? null, sad: appData('signedData', o.signedData),
    ead: Object.keys(encryptedData).length === 0 ? null : sealJson(o.contentKey, sealContext(binding, 'app-data'), encryptedData),
    mode: o.mode ?? 'AES256-GCM-STREAM', urls: o.urls,
    ck: keyWrap.wrapKey(o.wrappingKey, o.contentKey, { label: sealContext(binding, 'content-key') }).toString('base64url'), clc,
  };
}

/** Offline publishing: signed with the owner's publishing (RAC) private key, the CLC embedded. */
export function publishOffline(o: PublishOptions, publishingKey: AsymmetricKey, clc: string): string {
  return signJws(buildPlClaims(o, publishingKey, clc), publishingKey, PL_TYPE);
}

/** Online publishing: the service signs. */
export function publishOnline(o: PublishOptions, serviceKey: AsymmetricKey): string {
  return signJws(buildPlClaims(o, serviceKey, null), serviceKey, PL_TYPE);
}

export interface VerifiedPl {
  claims: PlClaims;
  token: string;
  publishedOffline: boolean;
  /** `plBinding(claims)`, computed once when the PL is verified. */
  binding: string;
}

/**
 * Verifies a PL: signed by the service, or by the publishing key of a CLC the service issued
 * to the PL's owner. Anything else is BROKEN_CERT_CHAIN or INVALID_SIGNATURE. Whether its sealed
 * parts belong to it is checked when they are opened (`unwrapPlContentKey`, `openPolicy`).
 */
export interface PlCheckOptions extends TimeOptions {
  /**
   * Refuse a PL dated ahead of `now` (the service does: its clock is the reference). A client
   * does not: a PL from the future there usually means its own clock went back, which the
   * client reports as CLOCK_ROLL_BACK_DETECTED when it matters.
   */
  refuseFutureIssue?: boolean;
}

export function verifyPl(token: string, slc: VerifiedSlc, options: PlCheckOptions = {}): VerifiedPl {
  const { header, payload } = decodeJws<PlClaims>(token);
  if (payload.ver !== PL_VERSION) {
    throw new RmsError('UNSUPPORTED_VERSION', `PL version ${String(payload.ver)} is not supported (this openrms reads version ${PL_VERSION}); protect the content again`);
  }
  // The signer chooses iat; the CLC is checked at that time, so it must at least be a real time, and not ahead of us.
  if (!isEpochSeconds(payload.iat)) throw new RmsError('INVALID_FORMAT', 'the PL has no valid issue time');
  if (options.refuseFutureIssue && payload.iat > (options.now ?? Math.floor(Date.now() / 1000)) + CLOCK_SKEW_SECONDS) {
    throw new RmsError('VALIDITY_TIME_VIOLATION', 'the PL is dated in the future');
  }
  let publishedOffline = false;
  // Signed by the service with its current key, or one it rotated away from (content published before the rotation).
  const serviceKey = slc.signingKeys.get(header.kid);
  if (serviceKey !== undefined) {
    verifyJws(token, serviceKey, PL_TYPE);
  } else {
    if (typeof payload.clc !== 'string') throw new RmsError('BROKEN_CERT_CHAIN', 'the PL is signed by neither the service nor a CLC');
    // The CLC must have been valid when the PL was published, not necessarily now: whether its
    // holder may still publish is the service's decision when it first sees the content.
    const clc = verifyClc(payload.clc, slc, { now: payload.iat });
    if (header.kid !== clc.publishingKey.thumbprint()) throw new RmsError('BROKEN_CERT_CHAIN', 'the PL is not signed by its CLC\'s key');
    if (payload.own !== clc.claims.sub) throw new RmsError('BROKEN_CERT_CHAIN', 'the PL\'s owner is not its CLC\'s holder');
    verifyJws(token, clc.publishingKey, PL_TYPE);
    publishedOffline = true;
  }
  if (payload.iss !== header.kid) throw new RmsError('BROKEN_CERT_CHAIN', 'the PL names another issuer than its signer');
  if (typeof payload.cid !== 'string' || !UUID.test(payload.cid)) throw new RmsError('INVALID_FORMAT', 'the PL has no valid content ID');
  if (typeof payload.ck !== 'string') throw new RmsError('INVALID_FORMAT', 'the PL has no content key');
  if (typeof payload.egr !== 'string') throw new RmsError('INVALID_FORMAT', 'the PL has no grants');
  if (payload.ead !== null && typeof payload.ead !== 'string') throw new RmsError('INVALID_FORMAT', 'the PL\'s encrypted application data is not a string');
  checkUnboundClaims(payload);
  if (typeof payload.own !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(payload.own)) throw new RmsError('INVALID_FORMAT', 'the PL has no valid owner');
  if (typeof payload.pol !== 'object' || payload.pol === null) throw new RmsError('INVALID_FORMAT', 'the PL has no policy');
  try {
    normalizePolicy({ ...payload.pol, grants: [] });
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the PL's policy is not valid: ${(cause as Error).message}`, { cause });
  }
  return { claims: payload, token, publishedOffline, binding: plBinding(payload) };
}

const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string';

/**
 * The claims the binding does not cover (the signature does) still have their declared types:
 * a reader spreads `sad` and shows `desc` and `urls`, so `sad: "abc"` or `urls: 7` is
 * INVALID_FORMAT here rather than garbage (or a TypeError) later.
 */
function checkUnboundClaims(c: PlClaims): void {
  const sad = c.sad as unknown;
  const desc = c.desc as unknown;
  const urls = c.urls as unknown as Record<string, unknown> | null;
  const ok = typeof sad === 'object' && sad !== null && !Array.isArray(sad) && Object.values(sad).every((v) => typeof v === 'string')
    && Array.isArray(desc) && desc.every((d: unknown) => typeof d === 'object' && d !== null
      && ['lang', 'name', 'description'].every((k) => typeof (d as Record<string, unknown>)[k] === 'string'))
    && isStringOrNull(c.ref) && typeof c.mode === 'string'
    && typeof urls === 'object' && urls !== null && !Array.isArray(urls) && isStringOrNull(urls.intranet ?? null) && isStringOrNull(urls.extranet ?? null)
    && isStringOrNull(c.clc ?? null);
  if (!ok) throw new RmsError('INVALID_FORMAT', 'the PL\'s descriptors, application data, referral, mode or URLs are not of their types');
}

/**
 * The service's side: the PL's content key, unwrapped with its wrapping private key into a
 * native handle. A key wrapped for another PL (another binding) does not unwrap: LICENSE_SPLICED.
 */
export function unwrapPlContentKey(pl: VerifiedPl, wrappingPrivateKey: AsymmetricKey): SecretKey {
  const label = sealContext(plBinding(pl.claims), 'content-key');
  let key: SecretKey;
  try {
    key = keyWrap.unwrapKey(wrappingPrivateKey, Buffer.from(pl.claims.ck, 'base64url'), { label });
  } catch (cause) {
    if (cause instanceof RmsError && cause.code === 'DECRYPTION_FAILED') throw spliced('its content key was wrapped for another license', cause);
    throw cause;
  }
  // OAEP wraps any message of up to 190 bytes and AES-KW any AES key; AES-256 is the only key a PL's content opens with.
  const length = key.length;
  if (length !== 32) {
    key.close();
    throw new RmsError('INVALID_FORMAT', `the PL's content key is ${length} bytes, not an AES-256 key (32 bytes)`);
  }
  return key;
}

/**
 * The rights a policy grants `identity`: its grants to that email, to ANYONE, and to any of the
 * `groups` the identity is a member of (addresses, in lower case). An owner holds OWNER only
 * through a grant. An empty list means no access.
 */
export function grantedRights(policy: Pick<Policy, 'grants'>, identity: string, groups: ReadonlySet<string> = new Set()): string[] {
  const who = normalizeEmail(identity);
  const rights = new Set<string>();
  for (const grant of policy.grants) {
    if (grant.who === ANYONE || grant.who === who || groups.has(grant.who)) for (const right of grant.rights) rights.add(right);
  }
  return [...rights].sort();
}

/** Content valid-until check: VALIDITY_TIME_VIOLATION once the content has expired. */
export function checkContentValidity(policy: Pick<Policy, 'contentValidUntil'>, options: TimeOptions = {}): void {
  checkContentValidUntil(policy.contentValidUntil, options);
}
