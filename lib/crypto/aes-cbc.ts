/**
 * AES-CBC with PKCS#7 padding (the default) or without padding, 16-byte IVs. Unauthenticated:
 * openrms uses it only inside the MICROSOFT.* content modes, for compatibility. A wrong
 * padding on decryption is `DECRYPTION_FAILED`, like every other decryption failure.
 */
import { invalidArgument, RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, requireLength, THREAD_POOL_THRESHOLD } from './arguments';
import { aesKeyHandle, SecretKey } from './secret-key';

export const IV_LENGTH = 16;
export const BLOCK_LENGTH = 16;

export interface CbcOptions {
  /** PKCS#7 padding (default true). Without it, inputs must be whole 16-byte blocks. */
  padding?: boolean;
}

interface CbcCall {
  handle: ReturnType<typeof aesKeyHandle>;
  iv: Uint8Array;
  input: Uint8Array;
  output: Buffer;
  padding: boolean;
}

function prepare(key: SecretKey, iv: Uint8Array, input: Uint8Array, options: CbcOptions, encrypting: boolean): CbcCall {
  const handle = aesKeyHandle('key', key);
  requireLength('iv', requireBytes('iv', iv), [IV_LENGTH]);
  requireBytes(encrypting ? 'plaintext' : 'ciphertext', input);
  const padding = options.padding ?? true;
  if (typeof padding !== 'boolean') throw invalidArgument('options.padding', 'a boolean');
  if ((!encrypting || !padding) && input.length % BLOCK_LENGTH !== 0) {
    const name = encrypting ? 'plaintext' : 'ciphertext';
    throw new RmsError('NOT_BLOCK_ALIGNED', `${name} must be a multiple of 16 bytes, got ${input.length}`, { argument: name });
  }
  const outputLength = encrypting && padding ? (Math.floor(input.length / BLOCK_LENGTH) + 1) * BLOCK_LENGTH : input.length;
  return { handle, iv, input, output: Buffer.allocUnsafe(outputLength), padding };
}

export function encrypt(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, options: CbcOptions = {}): Buffer {
  const c = prepare(key, iv, plaintext, options, true);
  return c.output.subarray(0, native.cbcEncrypt(c.handle, c.iv, c.input, c.output, c.padding));
}

export function decrypt(key: SecretKey, iv: Uint8Array, ciphertext: Uint8Array, options: CbcOptions = {}): Buffer {
  const c = prepare(key, iv, ciphertext, options, false);
  return c.output.subarray(0, native.cbcDecrypt(c.handle, c.iv, c.input, c.output, c.padding));
}

/** `encrypt` on the libuv thread pool when the input is 64 KiB or more. */
export async function encryptAsync(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, options: CbcOptions = {}): Promise<Buffer> {
  const c = prepare(key, iv, plaintext, options, true);
  if (c.input.length < THREAD_POOL_THRESHOLD) return c.output.subarray(0, native.cbcEncrypt(c.handle, c.iv, c.input, c.output, c.padding));
  return c.output.subarray(0, await native.cbcEncryptAsync(c.handle, c.iv, c.input, c.output, c.padding));
}

/** `decrypt` on the libuv thread pool when the input is 64 KiB or more. */
export async function decryptAsync(key: SecretKey, iv: Uint8Array, ciphertext: Uint8Array, options: CbcOptions = {}): Promise<Buffer> {
  const c = prepare(key, iv, ciphertext, options, false);
  if (c.input.length < THREAD_POOL_THRESHOLD) return c.output.subarray(0, native.cbcDecrypt(c.handle, c.iv, c.input, c.output, c.padding));
  return c.output.subarray(0, await native.cbcDecryptAsync(c.handle, c.iv, c.input, c.output, c.padding));
}
