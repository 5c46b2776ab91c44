/**
 * AES-GCM with 16-byte tags (NIST SP 800-38D). Sealed messages are `ciphertext || tag`.
 * Keys are `SecretKey` handles of 16, 24 or 32 bytes. IVs may be 1 to 128 bytes (OpenSSL's
 * limit); use 12 (the only length GCM takes without hashing the IV), never twice under one key.
 */
import { invalidArgument, RmsError } from '../errors';
import { Bytes, native } from '../native';
import { optionalBytes, requireBytes, requireCapacity, requireInteger, THREAD_POOL_THRESHOLD } from './arguments';
import { aesKeyHandle, SecretKey } from './secret-key';

export const TAG_LENGTH = 16;
export const IV_LENGTH = 12;
export const MAX_IV_LENGTH = 128;

function checkIv(iv: unknown): Uint8Array {
  requireBytes('iv', iv);
  const bytes = iv as Uint8Array;
  if (bytes.length < 1 || bytes.length > MAX_IV_LENGTH) throw invalidArgument('iv', `1 to ${MAX_IV_LENGTH} bytes long (12 recommended)`);
  return bytes;
}

function authenticationFailed(): RmsError {
  return new RmsError('DECRYPTION_FAILED', 'AES-GCM authentication failed: wrong key, IV, data or tag');
}

/** Encrypts `plaintext` and returns `ciphertext || tag`. */
export function encrypt(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Buffer {
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  requireBytes('plaintext', plaintext);
  const aadBytes = optionalBytes('aad', aad);
  const out = Buffer.allocUnsafe(plaintext.length + TAG_LENGTH);
  native.gcmSeal(handle, iv, aadBytes, plaintext, out.subarray(plaintext.length), out.subarray(0, plaintext.length));
  return out;
}

/** Authenticates and decrypts `ciphertext || tag`; a mismatch throws `DECRYPTION_FAILED`. */
export function decrypt(key: SecretKey, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Buffer {
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  const { ciphertext, tag } = splitSealed(sealed);
  const aadBytes = optionalBytes('aad', aad);
  const out = Buffer.allocUnsafe(ciphertext.length);
  if (!native.gcmOpen(handle, iv, aadBytes, ciphertext, tag, out)) throw authenticationFailed();
  return out;
}

/** `encrypt` on the libuv thread pool when the plaintext is 64 KiB or more. */
export async function encryptAsync(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Buffer> {
  if (!(plaintext instanceof Uint8Array) || plaintext.length < THREAD_POOL_THRESHOLD) return encrypt(key, iv, plaintext, aad);
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  const aadBytes = optionalBytes('aad', aad);
  const out = Buffer.allocUnsafe(plaintext.length + TAG_LENGTH);
  await native.gcmSealAsync(handle, iv, aadBytes, plaintext, out.subarray(plaintext.length), out.subarray(0, plaintext.length));
  return out;
}

/** `decrypt` on the libuv thread pool when the input is 64 KiB or more. */
export async function decryptAsync(key: SecretKey, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Buffer> {
  if (!(sealed instanceof Uint8Array) || sealed.length < THREAD_POOL_THRESHOLD) return decrypt(key, iv, sealed, aad);
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  const { ciphertext, tag } = splitSealed(sealed);
  const aadBytes = optionalBytes('aad', aad);
  const out = Buffer.allocUnsafe(ciphertext.length);
  if (!(await native.gcmOpenAsync(handle, iv, aadBytes, ciphertext, tag, out))) throw authenticationFailed();
  return out;
}

/**
 * `encrypt` into a caller-provided buffer (at least plaintext.length + 16 bytes): no
 * allocation, which for large inputs is most of the cost. Returns the bytes written.
 */
export function encryptInto(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, output: Uint8Array, aad?: Uint8Array): number {
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  requireBytes('plaintext', plaintext);
  requireBytes('output', output);
  requireCapacity('output', output, plaintext.length + TAG_LENGTH);
  const n = plaintext.length;
  native.gcmSeal(handle, iv, optionalBytes('aad', aad), plaintext, output.subarray(n, n + TAG_LENGTH), output.subarray(0, n));
  return n + TAG_LENGTH;
}

/** `decrypt` into a caller-provided buffer (at least sealed.length - 16 bytes). Returns the bytes written. */
export function decryptInto(key: SecretKey, iv: Uint8Array, sealed: Uint8Array, output: Uint8Array, aad?: Uint8Array): number {
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  const { ciphertext, tag } = splitSealed(sealed);
  requireBytes('output', output);
  requireCapacity('output', output, ciphertext.length);
  if (!native.gcmOpen(handle, iv, optionalBytes('aad', aad), ciphertext, tag, output.subarray(0, ciphertext.length))) {
    throw authenticationFailed();
  }
  return ciphertext.length;
}

/** `encryptInto` on the libuv thread pool when the plaintext is 64 KiB or more. */
export async function encryptIntoAsync(key: SecretKey, iv: Uint8Array, plaintext: Uint8Array, output: Uint8Array,
  aad?: Uint8Array): Promise<number> {
  if (!(plaintext instanceof Uint8Array) || plaintext.length < THREAD_POOL_THRESHOLD) return encryptInto(key, iv, plaintext, output, aad);
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  requireBytes('output', output);
  requireCapacity('output', output, plaintext.length + TAG_LENGTH);
  const n = plaintext.length;
  await native.gcmSealAsync(handle, iv, optionalBytes('aad', aad), plaintext, output.subarray(n, n + TAG_LENGTH), output.subarray(0, n));
  return n + TAG_LENGTH;
}

/** `decryptInto` on the libuv thread pool when the input is 64 KiB or more. */
export async function decryptIntoAsync(key: SecretKey, iv: Uint8Array, sealed: Uint8Array, output: Uint8Array,
  aad?: Uint8Array): Promise<number> {
  if (!(sealed instanceof Uint8Array) || sealed.length < THREAD_POOL_THRESHOLD) return decryptInto(key, iv, sealed, output, aad);
  const handle = aesKeyHandle('key', key);
  checkIv(iv);
  const { ciphertext, tag } = splitSealed(sealed);
  requireBytes('output', output);
  requireCapacity('output', output, ciphertext.length);
  if (!(await native.gcmOpenAsync(handle, iv, optionalBytes('aad', aad), ciphertext, tag, output.subarray(0, ciphertext.length)))) {
    throw authenticationFailed();
  }
  return ciphertext.length;
}

function splitSealed(sealed: unknown): { ciphertext: Uint8Array; tag: Uint8Array } {
  requireBytes('sealed', sealed);
  const bytes = sealed as Uint8Array;
  if (bytes.length < TAG_LENGTH) throw invalidArgument('sealed', `at least ${TAG_LENGTH} bytes (ciphertext || tag)`);
  return { ciphertext: bytes.subarray(0, bytes.length - TAG_LENGTH), tag: bytes.subarray(bytes.length - TAG_LENGTH) };
}

// ---- batches ---------------------------------------------------------------------------

/**
 * Many records for one batch call: an array of byte arrays, or one buffer cut at `offsets`
 * (n + 1 ascending positions, the first usually 0), which avoids one object per record.
 */
export type BatchRecords = readonly Uint8Array[] | { readonly data: Uint8Array; readonly offsets: Uint32Array };

export interface BatchOptions {
  /**
   * One IV per record, `ivLength` bytes each, back to back. For `encryptBatch` it may be
   * left out: random 12-byte IVs are made and returned.
   */
  ivs?: Uint8Array;
  /** Bytes per IV in `ivs` (default 12). */
  ivLength?: number;
  /** Additional authenticated data shared by every record. */
  aad?: Uint8Array;
  /** Where to write the output (it must be large enough); a new Buffer when absent. */
  output?: Uint8Array;
}

export interface EncryptedBatch {
  /** The sealed records (`ciphertext || tag` each), back to back. */
  output: Uint8Array;
  /** n + 1 positions: record i is `output.subarray(offsets[i], offsets[i + 1])`. */
  offsets: Uint32Array;
  /** The IVs used, `ivLength` bytes per record. */
  ivs: Uint8Array;
}

export interface DecryptedBatch {
  /** The plaintexts, back to back; a record that failed authentication is all zeros. */
  output: Uint8Array;
  /** n + 1 positions: record i is `output.subarray(offsets[i], offsets[i + 1])`. */
  offsets: Uint32Array;
  /** `authentic[i]` is false when record i failed authentication. */
  authentic: boolean[];
}

interface PreparedBatch {
  handle: ReturnType<typeof aesKeyHandle>;
  records: Bytes | Bytes[];
  inputOffsets: Uint32Array | null;
  count: number;
  lengths: number[];
  ivs: Uint8Array;
  ivLength: number;
  aad: Uint8Array | null;
  output: Uint8Array;
  outputOffsets: Uint32Array;
}

function prepareBatch(key: SecretKey, records: BatchRecords, options: BatchOptions, sealing: boolean): PreparedBatch {
  const handle = aesKeyHandle('key', key);
  let lengths: number[];
  let nativeRecords: Bytes | Bytes[];
  let inputOffsets: Uint32Array | null = null;
  if (Array.isArray(records)) {
    const list = records as readonly Uint8Array[];
    lengths = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (!(r instanceof Uint8Array)) requireBytes(`records[${i}]`, r); // throws, naming the record
      lengths[i] = r!.length;
    }
    nativeRecords = list as Bytes[];
  } else {
    const { data, offsets } = records as { data: Uint8Array; offsets: Uint32Array };
    requireBytes('records.data', data);
    if (!(offsets instanceof Uint32Array) || offsets.length < 1) throw invalidArgument('records.offsets', 'a Uint32Array of n + 1 positions');
    lengths = [];
    for (let i = 0; i + 1 < offsets.length; i++) {
      if (offsets[i]! > offsets[i + 1]! || offsets[i + 1]! > data.length) {
        throw invalidArgument('records.offsets', `ascending and within records.data (at index ${i})`);
      }
      lengths.push(offsets[i + 1]! - offsets[i]!);
    }
    nativeRecords = data;
    inputOffsets = offsets;
  }
  const count = lengths.length;
  const ivLength = requireInteger('ivLength', options.ivLength ?? IV_LENGTH, 1, MAX_IV_LENGTH);
  let ivs: Uint8Array;
  if (options.ivs === undefined) {
    if (!sealing) throw invalidArgument('ivs', 'given to decryptBatch');
    ivs = Buffer.allocUnsafe(count * ivLength);
    native.randomFill(ivs);
  } else {
    ivs = requireBytes('ivs', options.ivs);
    if (ivs.length !== count * ivLength) throw invalidArgument('ivs', `${count * ivLength} bytes (one ${ivLength}-byte IV per record)`);
  }
  const outputOffsets = new Uint32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const length = lengths[i]!;
    if (!sealing && length < TAG_LENGTH) throw invalidArgument(`records[${i}]`, `at least ${TAG_LENGTH} bytes (ciphertext || tag)`);
    total += sealing ? length + TAG_LENGTH : length - TAG_LENGTH;
    if (total > 0xffffffff) throw invalidArgument('records', 'at most 4 GiB of output per batch');
    outputOffsets[i + 1] = total;
  }
  let output: Uint8Array;
  if (options.output === undefined) {
    output = Buffer.allocUnsafe(total);
  } else {
    output = requireBytes('output', options.output);
    requireCapacity('output', output, total);
  }
  return {
    handle, records: nativeRecords, inputOffsets, count, lengths, ivs, ivLength,
    aad: optionalBytes('aad', options.aad), output, outputOffsets,
  };
}

function totalInput(b: PreparedBatch): number {
  return b.lengths.reduce((sum, n) => sum + n, 0);
}

/**
 * Seals every record under `key` in one native call: the per-call cost of crossing into
 * native code and of setting up the cipher is paid once, not per record.
 */
export function encryptBatch(key: SecretKey, records: BatchRecords, options: BatchOptions = {}): EncryptedBatch {
  const b = prepareBatch(key, records, options, true);
  native.gcmSealBatch(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output);
  return { output: b.output, offsets: b.outputOffsets, ivs: b.ivs };
}

/** Opens every record; failures are reported per record in `authentic`, not thrown. */
export function decryptBatch(key: SecretKey, records: BatchRecords, options: BatchOptions & { ivs: Uint8Array }): DecryptedBatch {
  const b = prepareBatch(key, records, options, false);
  const status = new Uint8Array(b.count);
  native.gcmOpenBatch(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output, status);
  return { output: b.output, offsets: b.outputOffsets, authentic: Array.from(status, (s) => s === 1) };
}

/** `encryptBatch` spread over the libuv thread pool when the batch holds 64 KiB or more. */
export async function encryptBatchAsync(key: SecretKey, records: BatchRecords, options: BatchOptions = {}): Promise<EncryptedBatch> {
  const b = prepareBatch(key, records, options, true);
  if (totalInput(b) < THREAD_POOL_THRESHOLD) {
    native.gcmSealBatch(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output);
  } else {
    await native.gcmSealBatchAsync(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output);
  }
  return { output: b.output, offsets: b.outputOffsets, ivs: b.ivs };
}

/** `decryptBatch` spread over the libuv thread pool when the batch holds 64 KiB or more. */
export async function decryptBatchAsync(key: SecretKey, records: BatchRecords,
  options: BatchOptions & { ivs: Uint8Array }): Promise<DecryptedBatch> {
  const b = prepareBatch(key, records, options, false);
  const status = new Uint8Array(b.count);
  if (totalInput(b) < THREAD_POOL_THRESHOLD) {
    native.gcmOpenBatch(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output, status);
  } else {
    await native.gcmOpenBatchAsync(b.handle, b.ivs, b.ivLength, b.records, b.inputOffsets, b.aad, b.output, status);
  }
  return { output: b.output, offsets: b.outputOffsets, authentic: Array.from(status, (s) => s === 1) };
}
