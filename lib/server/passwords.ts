/**
 * Password hashing for the service's local users: scrypt (RFC 7914) through node:crypto, which
 * is OpenSSL's. A hash records its own parameters, so they can be raised later without
 * invalidating stored hashes: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url).
 */
import { scrypt, timingSafeEqual } from 'node:crypto';

import { randomBytes } from '../crypto/random';
import { invalidArgument } from '../errors';

/** N = 2^15, r = 8, p = 1: OWASP's scrypt floor, about 32 MiB and 50-100 ms per hash. */
const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, log2n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N: 2 ** log2n, r, p, maxmem: 256 * 2 ** log2n * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function checkPasswordShape(password: unknown): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw invalidArgument('password', `a string of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordShape(password);
  const salt = randomBytes(16);
  const hash = await derive(password, salt, LOG2_N, R, P);
  return ['scrypt', LOG2_N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`; false for anything malformed. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt' || typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return false;
  const [log2n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2n, r, p].every(Number.isInteger) || log2n > 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const actual = await derive(password, Buffer.from(parts[4]!, 'base64url'), log2n, r, p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
