/**
 * AES256-GCM-STREAM in a PFILE 3.0 container, for buffers: protect and unprotect content held
 * in memory (the layout is in ./segment-cipher.ts and docs/format.md). A whole buffer is one
 * chunk; its segments are spread over the thread pool by the async forms.
 */
import { RmsError } from '../errors';
import { requireBytes, THREAD_POOL_THRESHOLD } from '../crypto/arguments';
import { SecretKey } from '../crypto/secret-key';
import { parsePfile, PfileInfo } from './pfile-reader';
import { buildProtectedPrefix, ProtectOptions, SegmentCipher } from './segment-cipher';

export {
  CIPHER_MODE, DEFAULT_SEGMENT_SIZE, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE, sealedLength, STREAM_HEADER_SIZE,
} from './segment-cipher';
export type { ProtectOptions } from './segment-cipher';

export interface UnprotectedContent {
  plaintext: Buffer;
  info: PfileInfo;
}

interface Prepared {
  file: Buffer;
  sealed: Buffer;
  cipher: SegmentCipher;
}

function prepareProtect(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array, options: ProtectOptions): Prepared {
  requireBytes('plaintext', plaintext);
  const prefix = buildProtectedPrefix(license, options, plaintext.length);
  const cipher = SegmentCipher.create(contentKey, prefix.bytes, prefix.layout);
  const file = Buffer.allocUnsafe(prefix.bytes.length + cipher.sealedLength(plaintext.length, true));
  prefix.bytes.copy(file, 0);
  return { file, sealed: file.subarray(prefix.bytes.length), cipher };
}

/** Protects `plaintext` under `contentKey` into a whole PFILE 3.0 file held in memory. */
export function protectBuffer(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array, options: ProtectOptions = {}): Buffer {
  const p = prepareProtect(contentKey, license, plaintext, options);
  try {
    p.cipher.seal(plaintext, p.sealed, 0, true);
  } finally {
    p.cipher.close();
  }
  return p.file;
}

/** `protectBuffer` with segments spread over the libuv thread pool when the content is 64 KiB or more. */
export async function protectBufferAsync(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array,
  options: ProtectOptions = {}): Promise<Buffer> {
  const p = prepareProtect(contentKey, license, plaintext, options);
  try {
    await p.cipher.sealAsync(plaintext, p.sealed, 0, true);
  } finally {
    p.cipher.close();
  }
  return p.file;
}

interface PreparedOpen {
  info: PfileInfo;
  sealed: Uint8Array;
  cipher: SegmentCipher;
  output: Buffer;
}

function prepareUnprotect(contentKey: SecretKey, file: Uint8Array): PreparedOpen {
  const info = parsePfile(requireBytes('file', file));
  const { cipher, segmentsStart } = SegmentCipher.forFile(contentKey, file, info.content.offset);
  try {
    const sealed = file.subarray(segmentsStart);
    const length = cipher.plaintextLength(sealed.length, true);
    return { info, sealed, cipher, output: Buffer.alloc(length) };
  } catch (error) {
    cipher.close();
    throw error;
  }
}

/**
 * The container's recorded size (when it has one) must be the content's. Checked after the
 * segments authenticate, so tampering reports as DECRYPTION_FAILED whatever the header says.
 */
export function checkOriginalSize(info: Pick<PfileInfo, 'originalSize'>, plaintextLength: number): void {
  if (info.originalSize !== null && info.originalSize !== plaintextLength) {
    throw new RmsError('INVALID_FORMAT', `the container records ${info.originalSize} bytes of content but holds ${plaintextLength}`);
  }
}

/** Authenticates and decrypts a whole PFILE held in memory; any tampering is `DECRYPTION_FAILED` and releases nothing. */
export function unprotectBuffer(contentKey: SecretKey, file: Uint8Array): UnprotectedContent {
  const p = prepareUnprotect(contentKey, file);
  try {
    p.cipher.open(p.sealed, p.output, 0, true);
    checkOriginalSize(p.info, p.output.length);
  } finally {
    p.cipher.close();
  }
  return { plaintext: p.output, info: p.info };
}

/** `unprotectBuffer` with segments spread over the libuv thread pool when the file is 64 KiB or more. */
export async function unprotectBufferAsync(contentKey: SecretKey, file: Uint8Array): Promise<UnprotectedContent> {
  if (!(file instanceof Uint8Array) || file.length < THREAD_POOL_THRESHOLD) return unprotectBuffer(contentKey, file);
  const p = prepareUnprotect(contentKey, file);
  try {
    await p.cipher.openAsync(p.sealed, p.output, 0, true);
    checkOriginalSize(p.info, p.output.length);
  } finally {
    p.cipher.close();
  }
  return { plaintext: p.output, info: p.info };
}
