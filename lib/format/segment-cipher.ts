/**
 * The AES256-GCM-STREAM layout that buffers, streams and files share. The content region of
 * a PFILE 3.0 file starts with a stream header, then the sealed segments:
 *
 *   "ORGCMS" (6)  version 1 (1)  reserved 0 (1)  segment size, u32 LE (4)  salt (32)
 *   segment 0 ciphertext || tag, segment 1 ..., each segment `segmentSize` bytes but the last
 *
 * The file key is HKDF-SHA256(content key, salt, "openrms AES256-GCM-STREAM v1"), derived in
 * native code so it never enters JavaScript; segment i uses nonce 0^4 || BE64(i) and binds
 * SHA-256 of every byte before the first segment (PFILE header, license, stream header), its
 * index and a last-segment flag (native/src/core/segment_stream.h).
 *
 * Content is sealed and opened in chunks of whole segments (`SegmentCipher`), so streams and
 * files hold one chunk at a time whatever the content size; a whole buffer is one chunk.
 */
import { availableParallelism } from 'node:os';

import { invalidArgument, RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, requireInteger, THREAD_POOL_THRESHOLD } from '../crypto/arguments';
import { sha256 } from '../crypto/digest';
import { randomBytes } from '../crypto/random';
import { aesKeyHandle, SecretKey } from '../crypto/secret-key';
import { buildPfileHeader } from './pfile-writer';

export const CIPHER_MODE = 'AES256-GCM-STREAM';
/** Default segment size (see docs/benchmarks.md for the measurement behind it). */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const MIN_SEGMENT_SIZE = 4096;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;
export const STREAM_HEADER_SIZE = 6 + 1 + 1 + 4 + 32;
const STREAM_MAGIC = Buffer.from('ORGCMS', 'latin1');
const STREAM_VERSION = 1;
const SALT_OFFSET = 12;
const FILE_KEY_INFO = Buffer.from('openrms AES256-GCM-STREAM v1', 'utf8');

/** What a protected file's container records besides the content. */
export interface ProtectOptions {
  /** The original file extension recorded in the container, e.g. ".txt". */
  originalExtension?: string;
  /** Segment size in bytes, 4 KiB to 16 MiB (default 64 KiB). */
  segmentSize?: number;
}

export interface StreamLayout {
  segmentSize: number;
  salt: Buffer;
}

/** Everything a protected file holds before its first segment, and the layout it names. */
export interface ProtectedPrefix {
  bytes: Buffer;
  layout: StreamLayout;
}

/**
 * Starts a protected file: PFILE 3.0 header (with `originalSize` when known), license and a
 * stream header with a fresh salt.
 */
export function buildProtectedPrefix(license: Uint8Array, options: ProtectOptions, originalSize?: number): ProtectedPrefix {
  const segmentSize = requireInteger('options.segmentSize', options.segmentSize ?? DEFAULT_SEGMENT_SIZE, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE);
  const header = buildPfileHeader({ originalExtension: options.originalExtension ?? '', license: requireBytes('license', license), originalSize });
  const salt = randomBytes(32);
  const streamHeader = Buffer.alloc(STREAM_HEADER_SIZE);
  STREAM_MAGIC.copy(streamHeader, 0);
  streamHeader[6] = STREAM_VERSION;
  streamHeader.writeUInt32LE(segmentSize, 8);
  salt.copy(streamHeader, SALT_OFFSET);
  return { bytes: Buffer.concat([header, streamHeader]), layout: { segmentSize, salt } };
}

/** True when a content region starts with openrms's stream header (any version). */
export function hasStreamMagic(content: Uint8Array): boolean {
  return content.length >= STREAM_MAGIC.length && STREAM_MAGIC.equals(content.subarray(0, STREAM_MAGIC.length));
}

/** Reads the stream header at the start of a content region (`content` may hold more). */
export function readStreamHeader(content: Uint8Array): StreamLayout {
  if (content.length < STREAM_HEADER_SIZE || !hasStreamMagic(content)) {
    throw new RmsError('INVALID_FORMAT', `the content is not ${CIPHER_MODE}`);
  }
  const header = Buffer.from(content.buffer, content.byteOffset, STREAM_HEADER_SIZE);
  if (header[6] !== STREAM_VERSION) throw new RmsError('UNSUPPORTED_VERSION', `${CIPHER_MODE} version ${header[6]} is not supported`);
  const segmentSize = header.readUInt32LE(8);
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
    throw new RmsError('INVALID_FORMAT', `segment size ${segmentSize} is out of range`);
  }
  return { segmentSize, salt: Buffer.from(header.subarray(SALT_OFFSET, STREAM_HEADER_SIZE)) };
}

/** Bytes of sealed segments for `plaintextLength` bytes of content (one 16-byte tag per segment). */
export function sealedLength(plaintextLength: number, segmentSize: number = DEFAULT_SEGMENT_SIZE): number {
  requireInteger('segmentSize', segmentSize, MIN_SEGMENT_SIZE, MAX_SEGMENT_SIZE);
  return native.segmentSealedSize(plaintextLength, segmentSize);
}

/** The cores, asked once: it is a system call, and a bulk run would ask it for every file. */
let cores: number | undefined;

/** Threads a chunk is spread over: the libuv pool, but no more than the cores. */
function chunkThreads(): number {
  const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  cores ??= availableParallelism();
  return Math.max(1, Math.min(Number.isInteger(pool) && pool > 0 ? pool : 4, cores));
}

/** Work per thread in one chunk: enough that a pool round trip costs little beside the AES. */
const BYTES_PER_THREAD = 1024 * 1024;
/** No chunk beyond this (unless one segment is larger), whatever the core count. */
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Segments per chunk for streams and files: about 1 MiB of work per thread, at most 8 MiB
 * (or one segment when segments are larger). Memory stays bounded by a few chunks.
 */
export function segmentsPerChunk(segmentSize: number): number {
  const wanted = Math.min(chunkThreads() * Math.max(segmentSize, BYTES_PER_THREAD), MAX_CHUNK_BYTES);
  return Math.max(1, Math.floor(wanted / segmentSize));
}

function decryptionFailed(output: Uint8Array): RmsError {
  output.fill(0);
  return new RmsError('DECRYPTION_FAILED',
    'the protected content failed authentication: it was changed, truncated, reordered, or made with another key');
}

/**
 * Seals and opens chunks of one protected file's segments under its file key. A chunk is
 * whole segments starting at segment `firstIndex`; the chunk with `final` set ends the file
 * (and may end with a shorter segment). Close it when the file is done: the key is wiped.
 */
export class SegmentCipher {
  private constructor(private readonly fileKey: SecretKey, private readonly digest: Buffer, readonly segmentSize: number) {}

  /** The cipher for the file whose bytes before the first segment are `prefix`. */
  static create(contentKey: SecretKey, prefix: Uint8Array, layout: StreamLayout): SegmentCipher {
    const handle = aesKeyHandle('contentKey', contentKey);
    if (contentKey.length !== 32) throw invalidArgument('contentKey', 'an AES-256 key (32 bytes)');
    const fileKey = SecretKey.fromHandle(native.deriveSecretKey(handle, layout.salt, FILE_KEY_INFO, 32));
    return new SegmentCipher(fileKey, sha256(prefix), layout.segmentSize);
  }

  /**
   * The cipher of an existing protected file, from its bytes through the stream header
   * (`head`) and the offset of its content region; also where its first segment starts.
   */
  static forFile(contentKey: SecretKey, head: Uint8Array, contentOffset: number): { cipher: SegmentCipher; segmentsStart: number } {
    const layout = readStreamHeader(head.subarray(contentOffset));
    const segmentsStart = contentOffset + STREAM_HEADER_SIZE;
    return { cipher: SegmentCipher.create(contentKey, head.subarray(0, segmentsStart), layout), segmentsStart };
  }

  /** Sealed bytes of a chunk of `plaintextLength` bytes. */
  sealedLength(plaintextLength: number, final: boolean): number {
    return native.segmentSealedSize(plaintextLength, this.segmentSize, final);
  }

  /** Plaintext bytes behind a sealed chunk; INVALID_FORMAT when a final chunk is truncated. */
  plaintextLength(sealedLength: number, final: boolean): number {
    return native.segmentPlaintextSize(sealedLength, this.segmentSize, final);
  }

  seal(input: Uint8Array, output: Uint8Array, firstIndex: number, final: boolean): void {
    native.segmentSeal(this.fileKey.handle, this.digest, this.segmentSize, input, output, firstIndex, final);
  }

  /** `seal` with the chunk's segments spread over the thread pool when it is 64 KiB or more. */
  async sealAsync(input: Uint8Array, output: Uint8Array, firstIndex: number, final: boolean): Promise<void> {
    if (input.length < THREAD_POOL_THRESHOLD) return this.seal(input, output, firstIndex, final);
    await native.segmentSealAsync(this.fileKey.handle, this.digest, this.segmentSize, input, output, firstIndex, final);
  }

  /** Opens a chunk; any segment that fails authentication is `DECRYPTION_FAILED` and `output` is zeroed. */
  open(input: Uint8Array, output: Uint8Array, firstIndex: number, final: boolean): void {
    if (!native.segmentOpen(this.fileKey.handle, this.digest, this.segmentSize, input, output, firstIndex, final)) {
      throw decryptionFailed(output);
    }
  }

  async openAsync(input: Uint8Array, output: Uint8Array, firstIndex: number, final: boolean): Promise<void> {
    if (input.length < THREAD_POOL_THRESHOLD) return this.open(input, output, firstIndex, final);
    if (!(await native.segmentOpenAsync(this.fileKey.handle, this.digest, this.segmentSize, input, output, firstIndex, final))) {
      throw decryptionFailed(output);
    }
  }

  close(): void {
    this.fileKey.close();
  }
}
