/**
 * The Microsoft RMS sector cipher modes, for compatibility with content protected by MSIPC
 * and the RMS SDKs (openrms's own default is AES256-GCM-STREAM, in gcm-stream.ts). Each
 * sector is encrypted on its own, so content can be processed whole or block by block given
 * the block's number, like MSIPC's `IpcEncrypt` / `IpcDecrypt`. The constructions are in
 * docs/format.md; none of these modes authenticates the content.
 */
import { invalidArgument, RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, requireCapacity, requireInteger, requireOneOf, THREAD_POOL_THRESHOLD } from '../crypto/arguments';
import { aesKeyHandle, SecretKey } from '../crypto/secret-key';

export type SectorMode = 'MICROSOFT.CBC4K' | 'MICROSOFT.CBC512.NOPADDING' | 'MICROSOFT.ECB';
export const SECTOR_MODES: readonly SectorMode[] = ['MICROSOFT.CBC4K', 'MICROSOFT.CBC512.NOPADDING', 'MICROSOFT.ECB'];

/** Mode numbers shared with native/src/core/sector_cipher.h. */
const NATIVE_MODE: Record<SectorMode, number> = {
  'MICROSOFT.CBC4K': 0,
  'MICROSOFT.CBC512.NOPADDING': 1,
  'MICROSOFT.ECB': 2,
};
const BLOCK_SIZE: Record<SectorMode, number> = {
  'MICROSOFT.CBC4K': 4096,
  'MICROSOFT.CBC512.NOPADDING': 512,
  'MICROSOFT.ECB': 16,
};
const AES_BLOCK = 16;

function checkMode(mode: unknown): SectorMode {
  return requireOneOf('mode', mode, SECTOR_MODES);
}

/** The block size of `mode` (MSIPC's IPC_KI_BLOCK_SIZE): 4096, 512 or 16 bytes. */
export function blockSize(mode: SectorMode): number {
  return BLOCK_SIZE[checkMode(mode)];
}

/** Ciphertext length of `plaintextLength` bytes: CBC4K pads by 1..16 bytes, the others do not. */
export function ciphertextLength(mode: SectorMode, plaintextLength: number): number {
  checkMode(mode);
  requireInteger('plaintextLength', plaintextLength, 0, Number.MAX_SAFE_INTEGER);
  return mode === 'MICROSOFT.CBC4K' ? Math.floor(plaintextLength / AES_BLOCK) * AES_BLOCK + AES_BLOCK : plaintextLength;
}

function notAligned(name: string, message: string): RmsError {
  return new RmsError('NOT_BLOCK_ALIGNED', message, { argument: name });
}

function checkWhole(mode: SectorMode, input: Uint8Array, encrypting: boolean): void {
  const name = encrypting ? 'plaintext' : 'ciphertext';
  requireBytes(name, input);
  if (encrypting && mode === 'MICROSOFT.ECB') {
    throw new RmsError('UNSUPPORTED_ALGORITHM', 'MICROSOFT.ECB is decryption only', { argument: 'mode' });
  }
  if ((!encrypting || mode !== 'MICROSOFT.CBC4K') && input.length % AES_BLOCK !== 0) {
    throw notAligned(name, `${name} must be a multiple of 16 bytes in ${mode}, got ${input.length}`);
  }
  if (!encrypting && mode === 'MICROSOFT.CBC4K' && input.length === 0) {
    throw new RmsError('DECRYPTION_FAILED', 'MICROSOFT.CBC4K ciphertext cannot be empty');
  }
}

/** Encrypts whole content. */
export function encrypt(key: SecretKey, mode: SectorMode, plaintext: Uint8Array): Buffer {
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  checkWhole(mode, plaintext, true);
  const out = Buffer.allocUnsafe(ciphertextLength(mode, plaintext.length));
  return out.subarray(0, native.sectorEncrypt(handle, NATIVE_MODE[mode], plaintext, out));
}

/** Decrypts whole content; a bad CBC4K padding is `DECRYPTION_FAILED`. */
export function decrypt(key: SecretKey, mode: SectorMode, ciphertext: Uint8Array): Buffer {
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  checkWhole(mode, ciphertext, false);
  const out = Buffer.allocUnsafe(ciphertext.length);
  return out.subarray(0, native.sectorDecrypt(handle, NATIVE_MODE[mode], ciphertext, out));
}

/** `encrypt` with sectors spread over the libuv thread pool when the content is 64 KiB or more. */
export async function encryptAsync(key: SecretKey, mode: SectorMode, plaintext: Uint8Array): Promise<Buffer> {
  if (!(plaintext instanceof Uint8Array) || plaintext.length < THREAD_POOL_THRESHOLD) return encrypt(key, mode, plaintext);
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  checkWhole(mode, plaintext, true);
  const out = Buffer.allocUnsafe(ciphertextLength(mode, plaintext.length));
  return out.subarray(0, await native.sectorEncryptAsync(handle, NATIVE_MODE[mode], plaintext, out));
}

/** `decrypt` with sectors spread over the libuv thread pool when the content is 64 KiB or more. */
export async function decryptAsync(key: SecretKey, mode: SectorMode, ciphertext: Uint8Array): Promise<Buffer> {
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length < THREAD_POOL_THRESHOLD) return decrypt(key, mode, ciphertext);
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  checkWhole(mode, ciphertext, false);
  const out = Buffer.allocUnsafe(ciphertext.length);
  return out.subarray(0, await native.sectorDecryptAsync(handle, NATIVE_MODE[mode], ciphertext, out));
}

export interface BlockOptions {
  /** The last block of the content (CBC4K pads it). Default false. */
  final?: boolean;
  /** Where to write; a new Buffer when absent. */
  output?: Uint8Array;
}

function checkBlock(mode: SectorMode, index: number, input: Uint8Array, final: boolean, encrypting: boolean): void {
  requireInteger('blockNumber', index, 0, Number.MAX_SAFE_INTEGER);
  const name = encrypting ? 'plaintext' : 'ciphertext';
  requireBytes(name, input);
  if (typeof final !== 'boolean') throw invalidArgument('options.final', 'a boolean');
  const size = BLOCK_SIZE[mode];
  if (!final && input.length !== size) throw notAligned(name, `a block that is not final must be ${size} bytes, got ${input.length}`);
  if (encrypting && final && mode === 'MICROSOFT.CBC4K' && input.length >= size) {
    throw notAligned(name, `the final MICROSOFT.CBC4K block holds 0 to ${size - 1} bytes, got ${input.length}`);
  }
  if (input.length > size || ((!encrypting || mode !== 'MICROSOFT.CBC4K') && input.length % AES_BLOCK !== 0)) {
    throw notAligned(name, `a final block must be a multiple of 16 bytes up to ${size}, got ${input.length}`);
  }
}

/** Encrypts block `blockNumber` (IpcEncrypt). Returns the ciphertext of that block. */
export function encryptBlock(key: SecretKey, mode: SectorMode, blockNumber: number, plaintext: Uint8Array,
  options: BlockOptions = {}): Buffer {
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  if (mode === 'MICROSOFT.ECB') throw new RmsError('UNSUPPORTED_ALGORITHM', 'MICROSOFT.ECB is decryption only', { argument: 'mode' });
  const final = options.final ?? false;
  checkBlock(mode, blockNumber, plaintext, final, true);
  const needed = final && mode === 'MICROSOFT.CBC4K' ? ciphertextLength(mode, plaintext.length) : plaintext.length;
  const out = outputFor(options.output, needed);
  return Buffer.from(out.buffer, out.byteOffset, native.sectorEncryptBlock(handle, NATIVE_MODE[mode], blockNumber, final, plaintext, out));
}

/** Decrypts block `blockNumber` (IpcDecrypt). Returns the plaintext of that block. */
export function decryptBlock(key: SecretKey, mode: SectorMode, blockNumber: number, ciphertext: Uint8Array,
  options: BlockOptions = {}): Buffer {
  const handle = aesKeyHandle('key', key);
  checkMode(mode);
  const final = options.final ?? false;
  checkBlock(mode, blockNumber, ciphertext, final, false);
  const out = outputFor(options.output, ciphertext.length);
  return Buffer.from(out.buffer, out.byteOffset, native.sectorDecryptBlock(handle, NATIVE_MODE[mode], blockNumber, final, ciphertext, out));
}

function outputFor(output: Uint8Array | undefined, needed: number): Uint8Array {
  if (output === undefined) return Buffer.allocUnsafe(needed);
  requireBytes('options.output', output);
  requireCapacity('options.output', output, needed);
  return output;
}
