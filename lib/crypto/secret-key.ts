/**
 * A symmetric key (AES, or HMAC/HKDF input) held in native memory. The bytes are copied in
 * once, used by every call without crossing into JavaScript again, and wiped on `close()`,
 * when the object is collected, and when its thread or the process ends.
 */
import { invalidArgument } from '../errors';
import { native, NativeSecretKey } from '../native';
import { keyClosed, requireBytes, requireOneOf } from './arguments';

export type AesKeyLength = 16 | 24 | 32;
export const AES_KEY_LENGTHS: readonly AesKeyLength[] = [16, 24, 32];

export class SecretKey {
  /** @internal The native handle; lib/ passes it to native calls. */
  readonly handle: NativeSecretKey;

  private constructor(handle: NativeSecretKey) {
    this.handle = handle;
  }

  /** A new random key of `length` bytes (default 32: AES-256). */
  static generate(length: AesKeyLength = 32): SecretKey {
    requireOneOf('length', length, AES_KEY_LENGTHS);
    return new SecretKey(native.generateSecretKey(length));
  }

  /** Copies `bytes` (1 to 1024 bytes) into a native key. The caller may wipe its copy after. */
  static import(bytes: Uint8Array): SecretKey {
    requireBytes('bytes', bytes);
    if (bytes.length === 0 || bytes.length > 1024) throw invalidArgument('bytes', '1 to 1024 bytes long');
    return new SecretKey(native.createSecretKey(bytes));
  }

  /** @internal Wraps a handle made by native code (an unwrapped content key). */
  static fromHandle(handle: NativeSecretKey): SecretKey {
    return new SecretKey(handle);
  }

  /** Key length in bytes. */
  get length(): number {
    return this.handle.size;
  }

  get closed(): boolean {
    return this.handle.closed;
  }

  /** Wipes the key. Later use throws `KEY_CLOSED`; work already running finishes. */
  close(): void {
    this.handle.close();
  }

  /** A copy of the key bytes, for storage or interoperability. */
  export(): Buffer {
    return this.handle.export();
  }
}

/** The handle of an open AES key, checking type and length for `name`. */
export function aesKeyHandle(name: string, key: unknown): NativeSecretKey {
  if (!(key instanceof SecretKey)) throw invalidArgument(name, 'a SecretKey');
  if (key.closed) throw keyClosed();
  if (!AES_KEY_LENGTHS.includes(key.length as AesKeyLength)) {
    throw invalidArgument(name, `an AES key of 16, 24 or 32 bytes, got ${key.length}`);
  }
  return key.handle;
}
