/** SHA-256, HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869). */
import { native } from '../native';
import { optionalBytes, requireBytes, requireInteger, THREAD_POOL_THRESHOLD } from './arguments';

export const SHA256_LENGTH = 32;
/** RFC 5869 2.3: at most 255 hash lengths of output. */
export const HKDF_SHA256_MAX_LENGTH = 255 * SHA256_LENGTH;

export function sha256(data: Uint8Array): Buffer {
  return native.sha256(requireBytes('data', data));
}

/** Hashes on the thread pool when `data` is 64 KiB or more. */
export async function sha256Async(data: Uint8Array): Promise<Buffer> {
  requireBytes('data', data);
  return data.length >= THREAD_POOL_THRESHOLD ? native.sha256Async(data) : native.sha256(data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return native.hmacSha256(requireBytes('key', key), requireBytes('data', data));
}

/** `hmacSha256` on the thread pool when `data` is 64 KiB or more. */
export async function hmacSha256Async(key: Uint8Array, data: Uint8Array): Promise<Buffer> {
  requireBytes('key', key);
  requireBytes('data', data);
  return data.length >= THREAD_POOL_THRESHOLD ? native.hmacSha256Async(key, data) : native.hmacSha256(key, data);
}

/**
 * Constant-time check of an HMAC-SHA256 tag. A tag of 16 to 31 bytes is a truncated MAC
 * (RFC 2104 section 5) and is compared with the leading bytes of the full one.
 */
export function verifyHmacSha256(key: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
  requireBytes('tag', tag);
  requireInteger('tag.length', tag.length, 16, SHA256_LENGTH);
  return native.hmacSha256Verify(requireBytes('key', key), requireBytes('data', data), tag);
}

export interface HkdfOptions {
  /** Optional salt; absent and empty are the same (RFC 5869 2.2). */
  salt?: Uint8Array;
  /** Optional context and application specific information. */
  info?: Uint8Array;
  /** Output length in bytes, 1 to 8160. */
  length: number;
}

export function hkdfSha256(ikm: Uint8Array, options: HkdfOptions): Buffer {
  requireBytes('ikm', ikm);
  const salt = optionalBytes('salt', options.salt);
  const info = optionalBytes('info', options.info);
  requireInteger('length', options.length, 1, HKDF_SHA256_MAX_LENGTH);
  return native.hkdfSha256(ikm, salt, info, options.length);
}
