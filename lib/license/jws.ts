/**
 * JWS compact serialization (RFC 7515) for openrms's certificates and licenses (DESIGN
 * decision 6): `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`, the header
 * `{"alg", "kid", "typ"}` and the payload a JSON object. Signing and verification run in native
 * code (lib/crypto/signature.ts); this module only frames the bytes, and is strict about them:
 * canonical base64url only, JSON objects only, a size cap, and the algorithm taken from the
 * verifier's key and expectations, never trusted from the header alone.
 */
import { invalidArgument, RmsError } from '../errors';
import { AsymmetricKey } from '../crypto/asymmetric-key';
import { sha256 } from '../crypto/digest';
import { LruCache } from '../lru-cache';
import { sign, signAsync, SignatureAlgorithm, SIGNATURE_ALGORITHMS, verify } from '../crypto/signature';

/** No openrms license or certificate comes near this; a token over it is refused unread. */
export const MAX_JWS_LENGTH = 1024 * 1024;

export interface JwsHeader {
  alg: SignatureAlgorithm;
  /** RFC 7638 thumbprint of the signing key. */
  kid: string;
  /** What the payload is, e.g. "openrms-ul+jwt". */
  typ: string;
}

export interface DecodedJws<T> {
  header: JwsHeader;
  payload: T;
  /** The bytes the signature covers: `header . payload` as ASCII. */
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function malformed(message: string, cause?: unknown): RmsError {
  return new RmsError('INVALID_FORMAT', `not a valid signed license: ${message}`, { cause });
}

function encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');
}

/** Decodes base64url, refusing padding, other alphabets and non-canonical trailing bits. */
function decode(part: string, what: string): Buffer {
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw malformed(`the ${what} is not base64url`);
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw malformed(`the ${what} is not canonical base64url`);
  return bytes;
}

function parseObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw malformed(`the ${what} is not JSON`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function algorithmFor(key: AsymmetricKey): SignatureAlgorithm {
  return key.type === 'ec' ? 'ES256' : 'RS256';
}

function signingInputFor(payload: object, key: AsymmetricKey, typ: string, alg: SignatureAlgorithm): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalidArgument('payload', 'a JSON object');
  if (!SIGNATURE_ALGORITHMS.includes(alg)) throw invalidArgument('alg', SIGNATURE_ALGORITHMS.join(', '));
  const header: JwsHeader = { alg, kid: key.thumbprint(), typ };
  return `${encode(Buffer.from(JSON.stringify(header)))}.${encode(Buffer.from(JSON.stringify(payload)))}`;
}

function joinToken(signingInput: string, signature: Uint8Array): string {
  const token = `${signingInput}.${encode(signature)}`;
  if (token.length > MAX_JWS_LENGTH) throw invalidArgument('payload', `small enough for a ${MAX_JWS_LENGTH}-byte token`);
  return token;
}

/** Signs `payload` with `key` (RS256 for RSA keys, ES256 for EC, or `alg`). */
export function signJws(payload: object, key: AsymmetricKey, typ: string, alg: SignatureAlgorithm = algorithmFor(key)): string {
  const signingInput = signingInputFor(payload, key, typ, alg);
  return joinToken(signingInput, sign(alg, key, Buffer.from(signingInput, 'ascii')));
}

/** signJws with the signature made on the thread pool: what a busy service uses, so that signing spreads over the cores. */
export async function signJwsAsync(payload: object, key: AsymmetricKey, typ: string,
  alg: SignatureAlgorithm = algorithmFor(key)): Promise<string> {
  const signingInput = signingInputFor(payload, key, typ, alg);
  return joinToken(signingInput, await signAsync(alg, key, Buffer.from(signingInput, 'ascii')));
}

/** Splits and parses a token without verifying it (to find the key it names). */
export function decodeJws<T = Record<string, unknown>>(token: string): DecodedJws<T> {
  if (typeof token !== 'string') throw invalidArgument('token', 'a string');
  if (token.length > MAX_JWS_LENGTH) throw malformed(`it is longer than ${MAX_JWS_LENGTH} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('it does not have three parts');
  const header = parseObject(decode(parts[0]!, 'header'), 'header');
  if (!SIGNATURE_ALGORITHMS.includes(header.alg as SignatureAlgorithm)) throw malformed(`algorithm ${String(header.alg)} is not accepted`);
  if (typeof header.kid !== 'string' || header.kid === '') throw malformed('the header has no key ID');
  if (typeof header.typ !== 'string') throw malformed('the header has no type');
  if ('crit' in header) throw malformed('critical header extensions are not supported');
  const payload = parseObject(decode(parts[1]!, 'payload'), 'payload');
  return {
    header: { alg: header.alg as SignatureAlgorithm, kid: header.kid, typ: header.typ },
    payload: payload as T,
    signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
    signature: decode(parts[2]!, 'signature'),
  };
}

/**
 * Verifies a token against `key` and returns it decoded. The header must name `key` (by
 * thumbprint), an algorithm that fits it, and `typ` when given; any other token is
 * `INVALID_SIGNATURE`, as is a signature that does not verify.
 */
export function verifyJws<T = Record<string, unknown>>(token: string, key: AsymmetricKey, typ?: string): DecodedJws<T> {
  const decoded = decodeJws<T>(token);
  const { alg, kid } = decoded.header;
  if (typ !== undefined && decoded.header.typ !== typ) throw malformed(`expected a ${typ}, got a ${decoded.header.typ}`);
  const fits = key.type === 'ec' ? alg === 'ES256' : alg === 'RS256' || alg === 'PS256';
  if (!fits || kid !== key.thumbprint() || !verifiedBefore(token, key, () => verify(alg, key, decoded.signingInput, decoded.signature))) {
    throw new RmsError('INVALID_SIGNATURE', `the ${decoded.header.typ} signature does not verify with key ${key.thumbprint()}`);
  }
  return decoded;
}

/**
 * Signatures this process has seen verify, by key and token digest. Whether a signature verifies
 * depends on the token's bytes and the key alone (validity times, trust and revocation are the
 * callers' checks, made at every use), so a token met again, a CLC behind every PL its owner
 * published, a use license opened again, is not verified again: on EC an ES256 verification
 * (60 us) was most of an open. Only successes are kept, so bad tokens cannot fill it; 4,096
 * entries of a hundred bytes each.
 */
const VERIFIED = new LruCache<string, true>(4096);

function verifiedBefore(token: string, key: AsymmetricKey, verifyNow: () => boolean): boolean {
  // decodeJws has checked the token is base64url and dots: ASCII.
  const id = `${key.thumbprint()}.${sha256(Buffer.from(token, 'ascii')).toString('base64url')}`;
  if (VERIFIED.get(id) !== undefined) return true;
  if (!verifyNow()) return false;
  VERIFIED.set(id, true);
  return true;
}
