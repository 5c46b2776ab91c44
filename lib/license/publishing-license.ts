/**
 * The publishing license (PL, docs/licenses.md): who may do what with one piece of content,
 * and its content key wrapped to the service. Signed by the owner's publishing key with the
 * owner's CLC embedded (offline publishing: no request to the service), or by the service
 * itself (online publishing). Content keys are wrapped with RSA-OAEP-256 in native code with
 * the content ID as label, so a wrapped key cannot be moved to another license.
 */
import { randomUUID } from 'node:crypto';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import * as aesGcm from '../crypto/aes-gcm';
import { randomBytes } from '../crypto/random';
import * as rsaOaep from '../crypto/rsa-oaep';
import { SecretKey } from '../crypto/secret-key';
import { invalidArgument, RmsError } from '../errors';
import {
  CERTIFICATE_VERSION, checkContentValidUntil, LicensingUrls, normalizeEmail, TimeOptions, verifyClc, VerifiedSlc,
} from './certificates';
import { decodeJws, signJws, verifyJws } from './jws';
import { expandRights } from './rights';

export const PL_TYPE = 'openrms-pl+jws';
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
   * The grants (who may do what), encrypted: AES-256-GCM under the content key, AAD = content
   * ID + ":grants", iv || ciphertext || tag, base64url. Like MSIPC's rights list, only the service
   * and holders of the content key read it: a protected file does not tell who else may open it.
   */
  egr: string;
  desc: Descriptor[];
  ref: string | null;
  /** Signed application data: name/value pairs in clear. */
  sad: Record<string, string>;
  /** Encrypted application data: AES-256-GCM under the content key (iv || ciphertext || tag, base64url), or null. */
  ead: string | null;
  mode: string;
  urls: LicensingUrls;
  /** The content key wrapped to the service's wrapping key (RSA-OAEP-256, label = content ID). */
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
  if (until !== null && !(Number.isInteger(until) && until > 0)) throw invalidArgument('policy.contentValidUntil', 'seconds since the epoch, or null');
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
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (typeof value !== 'string') throw invalidArgument(`${name}.${key}`, 'a string');
    out[key] = value;
  }
  return out;
}

/** JSON sealed under the content key: iv(12) || AES-256-GCM ciphertext || tag, base64url. */
function sealJson(contentKey: SecretKey, aad: string, value: unknown): string {
  const iv = randomBytes(12);
  const sealed = aesGcm.encrypt(contentKey, iv, Buffer.from(JSON.stringify(value)), Buffer.from(aad));
  return Buffer.concat([iv, sealed]).toString('base64url');
}

function openJson(contentKey: SecretKey, aad: string, sealed: string, what: string): unknown {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 12 + 16) throw new RmsError('INVALID_FORMAT', `the PL's ${what} are truncated`);
  const plaintext = aesGcm.decrypt(contentKey, bytes.subarray(0, 12), bytes.subarray(12), Buffer.from(aad));
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the PL's ${what} are not JSON`, { cause });
  }
}

function sealAppData(contentKey: SecretKey, cid: string, data: Record<string, string>): string | null {
  return Object.keys(data).length === 0 ? null : sealJson(contentKey, cid, data);
}

/** Reads the encrypted application data of a PL with its content key. */
export function openAppData(claims: PlClaims, contentKey: SecretKey): Record<string, string> {
  if (claims.ead === null) return {};
  return openJson(contentKey, claims.cid, claims.ead, 'encrypted application data') as Record<string, string>;
}

/** The whole policy of a PL, its grants decrypted with the content key (the service's side, or the owner's). */
export function openPolicy(claims: PlClaims, contentKey: SecretKey): Policy {
  const grants = openJson(contentKey, `${claims.cid}:grants`, claims.egr, 'grants');
  if (!Array.isArray(grants)) throw new RmsError('INVALID_FORMAT', "the PL's grants are not a list");
  return normalizePolicy({ ...claims.pol, grants: grants as Grant[] });
}

/** The claims of a new PL, its content key wrapped to `wrappingKey`. */
export function buildPlClaims(o: PublishOptions, signer: AsymmetricKey, clc: string | null): PlClaims {
  const owner = normalizeEmail(o.owner);
  if (typeof o.policy !== 'object' || o.policy === null || !Array.isArray(o.policy.grants)) throw invalidArgument('policy.grants', 'an array of grants');
  const grants = o.autoGrantOwner ? [...o.policy.grants, { who: owner, rights: ['OWNER'] }] : o.policy.grants;
  const policy = normalizePolicy({ ...o.policy, grants });
  const cid = o.contentId ?? randomUUID();
  if (!UUID.test(cid)) throw invalidArgument('contentId', 'a lower-case UUID without braces');
  const label = Buffer.from(cid);
  const { grants: sealedGrants, ...clearPolicy } = policy;
  return {
    ver: CERTIFICATE_VERSION, cid, own: owner, iss: signer.thumbprint(), iat: o.iat, pol: clearPolicy,
    egr: sealJson(o.contentKey, `${cid}:grants`, sealedGrants),
    desc: o.descriptors ?? [], ref: o.referralUrl ?? null, sad: appData('signedData', o.signedData),
    ead: sealAppData(o.contentKey, cid, appData('encryptedData', o.encryptedData)),
    mode: o.mode ?? 'AES256-GCM-STREAM', urls: o.urls,
    ck: rsaOaep.wrapKey(o.wrappingKey, o.contentKey, { label }).toString('base64url'), clc,
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
}

/**
 * Verifies a PL: signed by the service, or by the publishing key of a CLC the service issued
 * to the PL's owner. Anything else is BROKEN_CERT_CHAIN or INVALID_SIGNATURE.
 */
export function verifyPl(token: string, slc: VerifiedSlc, options: TimeOptions = {}): VerifiedPl {
  const { header, payload } = decodeJws<PlClaims>(token);
  if (payload.ver !== CERTIFICATE_VERSION) throw new RmsError('UNSUPPORTED_VERSION', `PL version ${String(payload.ver)} is not supported`);
  let publishedOffline = false;
  if (header.kid === slc.claims.sub) {
    verifyJws(token, slc.signingKey, PL_TYPE);
  } else {
    if (typeof payload.clc !== 'string') throw new RmsError('BROKEN_CERT_CHAIN', 'the PL is signed by neither the service nor a CLC');
    // The CLC must have been valid when the PL was published, not necessarily now.
    const clc = verifyClc(payload.clc, slc, { now: typeof payload.iat === 'number' ? payload.iat : options.now });
    if (header.kid !== clc.publishingKey.thumbprint()) throw new RmsError('BROKEN_CERT_CHAIN', 'the PL is not signed by its CLC\'s key');
    if (typeof payload.own !== 'string' || payload.own.trim().toLowerCase() !== clc.claims.sub) {
      throw new RmsError('BROKEN_CERT_CHAIN', 'the PL\'s owner is not its CLC\'s holder');
    }
    verifyJws(token, clc.publishingKey, PL_TYPE);
    publishedOffline = true;
  }
  if (payload.iss !== header.kid) throw new RmsError('BROKEN_CERT_CHAIN', 'the PL names another issuer than its signer');
  if (typeof payload.cid !== 'string' || !UUID.test(payload.cid)) throw new RmsError('INVALID_FORMAT', 'the PL has no valid content ID');
  if (typeof payload.ck !== 'string') throw new RmsError('INVALID_FORMAT', 'the PL has no content key');
  if (typeof payload.egr !== 'string') throw new RmsError('INVALID_FORMAT', 'the PL has no grants');
  if (typeof payload.own !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(payload.own)) throw new RmsError('INVALID_FORMAT', 'the PL has no valid owner');
  if (typeof payload.pol !== 'object' || payload.pol === null) throw new RmsError('INVALID_FORMAT', 'the PL has no policy');
  try {
    normalizePolicy({ ...payload.pol, grants: [] });
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the PL's policy is not valid: ${(cause as Error).message}`, { cause });
  }
  return { claims: payload, token, publishedOffline };
}

/** The service's side: the PL's content key, unwrapped with its wrapping private key into a native handle. */
export function unwrapPlContentKey(pl: VerifiedPl, wrappingPrivateKey: AsymmetricKey): SecretKey {
  return rsaOaep.unwrapKey(wrappingPrivateKey, Buffer.from(pl.claims.ck, 'base64url'), { label: Buffer.from(pl.claims.cid) });
}

/**
 * The rights a policy grants `identity`: its grants to that email and to ANYONE (an owner
 * holds OWNER only through a grant). An empty list means no access.
 */
export function grantedRights(policy: Pick<Policy, 'grants'>, identity: string): string[] {
  const who = normalizeEmail(identity);
  const rights = new Set<string>();
  for (const grant of policy.grants) {
    if (grant.who === ANYONE || grant.who === who) for (const right of grant.rights) rights.add(right);
  }
  return [...rights].sort();
}

/** Content valid-until check: VALIDITY_TIME_VIOLATION once the content has expired. */
export function checkContentValidity(policy: Pick<Policy, 'contentValidUntil'>, options: TimeOptions = {}): void {
  checkContentValidUntil(policy.contentValidUntil, options);
}
