/**
 * AES256-GCM-STREAM in a PFILE 3.0 container, for buffers: protect and unprotect content
 * held in memory. The content region starts with a stream header, then the sealed segments:
 *
 *   "ORGCMS" (6)  version 1 (1)  reserved 0 (1)  segment size, u32 LE (4)  salt (32)
 *   segment 0 ciphertext || tag, segment 1 ..., each segment `segmentSize` bytes but the last
 *
 * The file key is HKDF-SHA256(content key, salt, "openrms AES256-GCM-STREAM v1"); segment i
 * uses nonce 0^4 || BE64(i) and binds SHA-256 of every byte before the first segment (PFILE
 * header, license, stream header), its index and a last-segment flag (native/src/core/segment_stream.h).
 */
import { invalidArgument, RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, requireInteger, THREAD_POOL_THRESHOLD } from '../crypto/arguments';
import { sha256 } from '../crypto/digest';
import { randomBytes } from '../crypto/random';
import { aesKeyHandle, SecretKey } from '../crypto/secret-key';
import { buildPfileHeader } from './pfile-writer';
import { parsePfile, PfileInfo } from './pfile-reader';

export const CIPHER_MODE = 'AES256-GCM-STREAM';
/** Default segment size (see docs/benchmarks.md for the measurement behind it). */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const MIN_SEGMENT_SIZE = 4096;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;
const STREAM_MAGIC = Buffer.from('ORGCMS', 'latin1');
const STREAM_VERSION = 1;
export const STREAM_HEADER_SIZE = 6 + 1 + 1 + 4 + 32;
const FILE_KEY_INFO = Buffer.from('openrms AES256-GCM-STREAM v1', 'utf8');

export interface ProtectOptions {
  /** The original file extension recorded in the container, e.g. ".txt". */
  originalExtension?: string;
  /** Segment size in bytes, 4 KiB to 16 MiB (default 64 KiB). */
  segmentSize?: number;
}

export interface UnprotectedContent {
  plaintext: Buffer;
  info: PfileInfo;
}

/** Bytes of sealed segments for `plaintextLength` bytes of content (one 16-byte tag per segment). */
export function sealedLength(plaintextLength: number, segmentSize: number = DEFAULT_SEGMENT_SIZE): number {
  requireInteger('segmentSize', segmentSize, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE);
  return native.segmentSealedSize(plaintextLength, segmentSize);
}

interface Prepared {
  file: Buffer;
  contentStart: number;
  fileKey: SecretKey;
  digest: Buffer;
  segmentSize: number;
}

function prepareProtect(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array, options: ProtectOptions): Prepared {
  const handle = aesKeyHandle('contentKey', contentKey);
  if (contentKey.length !== 32) throw invalidArgument('contentKey', 'an AES-256 key (32 bytes)');
  requireBytes('plaintext', plaintext);
  const segmentSize = requireInteger('options.segmentSize', options.segmentSize ?? DEFAULT_SEGMENT_SIZE, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE);
  const header = buildPfileHeader({ originalExtension: options.originalExtension ?? '', license: requireBytes('license', license),
    originalSize: plaintext.length });
  const salt = randomBytes(32);
  const streamHeader = Buffer.alloc(STREAM_HEADER_SIZE);
  STREAM_MAGIC.copy(streamHeader, 0);
  streamHeader[6] = STREAM_VERSION;
  streamHeader.writeUInt32LE(segmentSize, 8);
  salt.copy(streamHeader, 12);
  const prefix = Buffer.concat([header, streamHeader]);
  const file = Buffer.allocUnsafe(prefix.length + sealedLength(plaintext.length, segmentSize));
  prefix.copy(file, 0);
  const fileKey = SecretKey.fromHandle(native.deriveSecretKey(handle, salt, FILE_KEY_INFO, 32));
  return { file, contentStart: prefix.length, fileKey, digest: sha256(prefix), segmentSize };
}

/** Protects `plaintext` under `contentKey` into a whole PFILE 3.0 file held in memory. */
export function protectBuffer(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array, options: ProtectOptions = {}): Buffer {
  const p = prepareProtect(contentKey, license, plaintext, options);
  try {
    native.segmentSeal(p.fileKey.handle, p.digest, p.segmentSize, plaintext, p.file.subarray(p.contentStart));
  } finally {
    p.fileKey.close();
  }
  return p.file;
}

/** `protectBuffer` with segments spread over the libuv thread pool when the content is 64 KiB or more. */
export async function protectBufferAsync(contentKey: SecretKey, license: Uint8Array, plaintext: Uint8Array,
  options: ProtectOptions = {}): Promise<Buffer> {
  if (!(plaintext instanceof Uint8Array) || plaintext.length < THREAD_POOL_THRESHOLD) return protectBuffer(contentKey, license, plaintext, options);
  const p = prepareProtect(contentKey, license, plaintext, options);
  try {
    await native.segmentSealAsync(p.fileKey.handle, p.digest, p.segmentSize, plaintext, p.file.subarray(p.contentStart));
  } finally {
    p.fileKey.close();
  }
  return p.file;
}

interface PreparedOpen {
  info: PfileInfo;
  sealed: Uint8Array;
  fileKey: SecretKey;
  digest: Buffer;
  segmentSize: number;
  output: Buffer;
}

function prepareUnprotect(contentKey: SecretKey, file: Uint8Array): PreparedOpen {
  const handle = aesKeyHandle('contentKey', contentKey);
  const info = parsePfile(requireBytes('file', file));
  const start = info.content.offset;
  const header = Buffer.from(file.buffer, file.byteOffset + start, Math.min(STREAM_HEADER_SIZE, info.content.length));
  if (header.length < STREAM_HEADER_SIZE || !header.subarray(0, 6).equals(STREAM_MAGIC)) {
    throw new RmsError('INVALID_FORMAT', `the content is not ${CIPHER_MODE}`);
  }
  if (header[6] !== STREAM_VERSION) throw new RmsError('UNSUPPORTED_VERSION', `${CIPHER_MODE} version ${header[6]} is not supported`);
  const segmentSize = header.readUInt32LE(8);
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) throw new RmsError('INVALID_FORMAT', `segment size ${segmentSize} is out of range`);
  const sealed = file.subarray(start + STREAM_HEADER_SIZE);
  const plaintextLength = native.segmentPlaintextSize(sealed.length, segmentSize);
  const fileKey = SecretKey.fromHandle(native.deriveSecretKey(handle, header.subarray(12, 44), FILE_KEY_INFO, 32));
  const digest = sha256(file.subarray(0, start + STREAM_HEADER_SIZE));
  return { info, sealed, fileKey, digest, segmentSize, output: Buffer.alloc(plaintextLength) };
}

function refused(output: Buffer): RmsError {
  output.fill(0);
  return new RmsError('DECRYPTION_FAILED',
    'the protected content failed authentication: it was changed, truncated, reordered, or made with another key');
}

/** Authenticates and decrypts a whole PFILE held in memory; any tampering is `DECRYPTION_FAILED` and releases nothing. */
export function unprotectBuffer(contentKey: SecretKey, file: Uint8Array): UnprotectedContent {
  const p = prepareUnprotect(contentKey, file);
  try {
    if (!native.segmentOpen(p.fileKey.handle, p.digest, p.segmentSize, p.sealed, p.output)) throw refused(p.output);
  } finally {
    p.fileKey.close();
  }
  return { plaintext: p.output, info: p.info };
}

/** `unprotectBuffer` with segments spread over the libuv thread pool when the file is 64 KiB or more. */
export async function unprotectBufferAsync(contentKey: SecretKey, file: Uint8Array): Promise<UnprotectedContent> {
  if (!(file instanceof Uint8Array) || file.length < THREAD_POOL_THRESHOLD) return unprotectBuffer(contentKey, file);
  const p = prepareUnprotect(contentKey, file);
  try {
    if (!(await native.segmentOpenAsync(p.fileKey.handle, p.digest, p.segmentSize, p.sealed, p.output))) throw refused(p.output);
  } finally {
    p.fileKey.close();
  }
  return { plaintext: p.output, info: p.info };
}
