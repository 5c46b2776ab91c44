/** Random bytes from OpenSSL's CSPRNG (RAND_bytes). */
import { native } from '../native';
import { requireInteger } from './arguments';

export function randomBytes(size: number): Buffer {
  requireInteger('size', size, 0, 0x7fffffff);
  const out = Buffer.allocUnsafe(size);
  native.randomFill(out);
  return out;
}

/** Overwrites `buffer` with random bytes and returns it. */
export function randomFill<T extends Uint8Array>(buffer: T): T {
  native.randomFill(buffer);
  return buffer;
}
