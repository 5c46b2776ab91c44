/**
 * The file API, like MSIPC's IpcfEncryptFile / IpcfDecryptFile / IpcfIsFileEncrypted /
 * IpcfGetSerializedLicenseFromFile: protect a file to a new file (named by ./file-names.ts,
 * next to the input unless told otherwise), unprotect it back to its original name, tell
 * whether a file is protected, read its license without its content.
 *
 * Content moves in chunks of whole segments through a three-stage pipeline: while chunk k is
 * sealed (spread over the thread pool), the next chunks are read and the previous ones
 * written, a few at a time. Three input and three output buffers of one chunk each are all
 * the memory it takes, whatever the file size. Output goes through an AtomicFile: a failure, a tampered segment or an abort leaves
 * no output file, and the input is only ever opened for reading.
 */
import { FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { requireBytes } from '../crypto/arguments';
import { SecretKey } from '../crypto/secret-key';
import { AtomicFile } from './atomic-file';
import { OpenInput, openInput } from './input-file';
import { protectedFileName, unprotectedFileName } from './file-names';
import { checkOriginalSize } from './gcm-stream';
import { hasPfileMagic, PfileInfo, readExactly, readPfileHead } from './pfile-reader';
import {
  buildProtectedPrefix, CIPHER_MODE, hasStreamMagic, SegmentCipher, segmentsPerChunk, STREAM_HEADER_SIZE,
} from './segment-cipher';

export interface FileOutputOptions {
  /** Folder for the output file (default: the input's folder). */
  outputDir?: string;
  /** Full path of the output file (overrides the name rules and `outputDir`). */
  outputPath?: string;
  /** Replace an existing output file (default false: FILE_EXISTS). */
  overwrite?: boolean;
  /** Aborting stops the run with ABORTED and removes the partial output. */
  signal?: AbortSignal;
  /** Flush the output to disk before it takes its name (default false). */
  durable?: boolean;
  /** Called as each chunk is sealed or opened, with the input bytes done so far (for progress displays). */
  onProgress?: (inputBytesDone: number) => void;
  /**
   * The input as the caller checked it (device and inode, from a stat): when the file at
   * `source` is another one by the time it is opened (a link or a file swapped in since),
   * IO_ERROR and nothing is written. Bulk runs pass what they looked at, so that what they
   * protect is what they checked.
   */
  expectedInput?: { dev: number; ino: number };
}

export interface ProtectFileOptions extends FileOutputOptions {
  /** Segment size in bytes, 4 KiB to 16 MiB (default 64 KiB). */
  segmentSize?: number;
}

export interface ProtectFileResult {
  /** The protected file written. */
  path: string;
  originalSize: number;
  protectedSize: number;
}

export interface UnprotectFileResult {
  /** The plaintext file written. */
  path: string;
  info: PfileInfo;
  size: number;
}

/** What IpcfIsFileEncrypted answers: not protected, protected by openrms, or by another issuer. */
export type ProtectionStatus = 'not-protected' | 'protected' | 'protected-by-other-issuer';

function outputPathFor(source: string, name: string, options: FileOutputOptions): string {
  if (options.outputPath !== undefined) {
    if (typeof options.outputPath !== 'string' || options.outputPath === '') throw invalidArgument('options.outputPath', 'a file path');
    return path.resolve(options.outputPath);
  }
  if (options.outputDir !== undefined && (typeof options.outputDir !== 'string' || options.outputDir === '')) {
    throw invalidArgument('options.outputDir', 'a folder path');
  }
  return path.resolve(options.outputDir ?? path.dirname(source), name);
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RmsError('ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** One step of the pipeline: chunk k of the input region, and whether it ends the file. */
interface Chunk {
  index: number;
  position: number;
  length: number;
  final: boolean;
}

interface ChunkPlan {
  start: number;
  end: number;
  /** Input bytes per chunk (whole segments, sealed or not). */
  chunkLength: number;
  /** Output buffer size: the most one chunk can produce. */
  outputCapacity: number;
  /** Output bytes of a chunk. */
  outputLength(chunk: Chunk): number;
  process(chunk: Chunk, input: Buffer, output: Buffer): Promise<void>;
}

/**
 * Marks a promise that the loop awaits later as handled now: a read ahead or a write behind
 * that fails while the loop waits on something else must surface in the loop (and its
 * cleanup), not as an unhandled rejection that ends the process.
 */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * How many chunks are in flight at each stage. This VM's I/O latency is bursty (the same 2 MiB
 * write takes 0.3 to 4 ms); a queue of three chunks rides out a slow write or read without
 * stalling the cipher, at 3 input + 3 output chunk buffers of memory.
 */
const PIPELINE_DEPTH = 3;

/**
 * Runs a plan: up to PIPELINE_DEPTH chunks are read ahead and written behind while the
 * current chunk is processed. Chunk k uses buffer slot k % depth, which it takes over only
 * once chunk k - depth has been written (output) and processed (input). A failure waits for
 * the I/O in flight before it surfaces, so nothing touches a file after the caller has
 * discarded it.
 */
async function pipeChunks(input: FileHandle, output: AtomicFile, plan: ChunkPlan, options: FileOutputOptions): Promise<void> {
  const { signal, onProgress } = options;
  const count = Math.max(1, Math.ceil((plan.end - plan.start) / plan.chunkLength));
  const depth = Math.min(PIPELINE_DEPTH, count);
  // A file of one chunk gets buffers of its own size: a bulk run over many small files would
  // otherwise allocate (and collect) two whole chunks, megabytes, per file.
  const only: Chunk | null = count === 1 ? { index: 0, position: plan.start, length: plan.end - plan.start, final: true } : null;
  const inputs = Array.from({ length: depth }, () => Buffer.allocUnsafe(only?.length ?? plan.chunkLength));
  const outputs = Array.from({ length: depth }, () => Buffer.allocUnsafe(only === null ? plan.outputCapacity : plan.outputLength(only)));
  const read = async (index: number): Promise<Chunk> => {
    const position = plan.start + index * plan.chunkLength;
    const length = Math.min(plan.chunkLength, plan.end - position);
    await readExactly(input, inputs[index % depth]!, length, position);
    return { index, position, length, final: index === count - 1 };
  };
  const reads: Array<Promise<Chunk>> = [];
  const writes: Array<Promise<void>> = [];
  for (let index = 0; index < depth; index++) reads[index] = settledLater(read(index));
  let written = output.size;
  try {
    for (let index = 0; index < count; index++) {
      const slot = index % depth;
      const chunk = await reads[slot]!;
      checkSignal(signal);
      await writes[slot];
      const out = outputs[slot]!.subarray(0, plan.outputLength(chunk));
      await plan.process(chunk, inputs[slot]!.subarray(0, chunk.length), out);
      writes[slot] = settledLater(output.writeAt(out, written));
      written += out.length;
      onProgress?.(chunk.position + chunk.length - plan.start);
      if (index + depth < count) reads[slot] = settledLater(read(index + depth));
    }
    await Promise.all(writes);
  } catch (error) {
    await Promise.allSettled([...reads, ...writes]);
    throw error;
  }
  // A file that grew while it was read would lose its tail: refuse it.
  const { bytesRead } = await input.read(Buffer.alloc(1), 0, 1, plan.end);
  if (bytesRead !== 0) throw new RmsError('IO_ERROR', 'the file changed size while being read');
}

async function withOutput<T>(target: string, input: OpenInput, options: FileOutputOptions, write: (out: AtomicFile) => Promise<T>): Promise<T> {
  // The input is never replaced, whatever name (or link) the output is given.
  const out = await AtomicFile.create(target, {
    overwrite: options.overwrite === true, mode: input.mode, durable: options.durable === true, input: { dev: input.dev, ino: input.ino },
  });
  try {
    const result = await write(out);
    checkSignal(options.signal);
    await out.commit();
    return result;
  } catch (error) {
    await out.discard();
    throw fileSystemError(error, target);
  }
}

/**
 * Protects the file at `source` under `contentKey` with the serialized `license`, writing a
 * PFILE 3.0 file named by the name rules (report.txt -> report.ptxt) next to it or where
 * `options` say. Resolves with the path written.
 */
export async function protectFile(source: string, contentKey: SecretKey, license: Uint8Array,
  options: ProtectFileOptions = {}): Promise<ProtectFileResult> {
  requireBytes('license', license);
  checkSignal(options.signal);
  const target = outputPathFor(source, protectedFileName(path.basename(source)), options);
  const input = await openInput(source, options.expectedInput);
  try {
    const prefix = buildProtectedPrefix(license, { originalExtension: path.extname(source), segmentSize: options.segmentSize }, input.size);
    const cipher = SegmentCipher.create(contentKey, prefix.bytes, prefix.layout);
    try {
      const segmentSize = prefix.layout.segmentSize;
      const chunkLength = segmentsPerChunk(segmentSize) * segmentSize;
      return await withOutput(target, input, options, async (out) => {
        await out.write(prefix.bytes);
        await pipeChunks(input.handle, out, {
          start: 0, end: input.size, chunkLength,
          outputCapacity: cipher.sealedLength(chunkLength, true),
          outputLength: (chunk) => cipher.sealedLength(chunk.length, chunk.final),
          process: (chunk, plaintext, sealed) => cipher.sealAsync(plaintext, sealed, (chunk.position / segmentSize), chunk.final),
        }, options);
        return { path: target, originalSize: input.size, protectedSize: out.size };
      });
    } finally {
      cipher.close();
    }
  } finally {
    await input.handle.close();
  }
}

/**
 * Authenticates and decrypts the protected file at `source` with `contentKey` into a file
 * with its original name (report.ptxt -> report.txt). Tampering anywhere is DECRYPTION_FAILED
 * and no output file is left.
 */
export async function unprotectFile(source: string, contentKey: SecretKey, options: FileOutputOptions = {}): Promise<UnprotectFileResult> {
  checkSignal(options.signal);
  const input = await openInput(source, options.expectedInput);
  try {
    const { info, head } = await readPfileHead(input.handle, input.size, STREAM_HEADER_SIZE);
    const target = outputPathFor(source, unprotectedFileName(path.basename(source), info.originalExtension), options);
    const { cipher, segmentsStart } = SegmentCipher.forFile(contentKey, head, info.content.offset);
    try {
      const segmentSize = cipher.segmentSize;
      const sealedSegment = segmentSize + 16;
      const segments = segmentsPerChunk(segmentSize);
      return await withOutput(target, input, options, async (out) => {
        await pipeChunks(input.handle, out, {
          start: segmentsStart, end: input.size, chunkLength: segments * sealedSegment,
          outputCapacity: segments * segmentSize,
          outputLength: (chunk) => cipher.plaintextLength(chunk.length, chunk.final),
          process: (chunk, sealed, plaintext) => cipher.openAsync(sealed, plaintext, (chunk.position - segmentsStart) / sealedSegment, chunk.final),
        }, options);
        checkOriginalSize(info, out.size);
        return { path: target, info, size: out.size };
      });
    } finally {
      cipher.close();
    }
  } finally {
    await input.handle.close();
  }
}

/** A protected file's container, and its cipher mode when openrms wrote it (null otherwise). */
export interface ContainerHead {
  info: PfileInfo;
  cipherMode: string | null;
}

/**
 * Reads a file's container without its content: null when the file is not a PFILE. The
 * cipher mode of another issuer's file lives in its (encrypted) license: null here.
 */
export async function readContainer(file: string): Promise<ContainerHead | null> {
  const input = await openInput(file);
  try {
    const magic = Buffer.alloc(Math.min(input.size, 6));
    await readExactly(input.handle, magic, magic.length, 0);
    if (!hasPfileMagic(magic)) return null;
    const { info, head } = await readPfileHead(input.handle, input.size, STREAM_HEADER_SIZE);
    return { info, cipherMode: hasStreamMagic(head.subarray(info.content.offset)) ? CIPHER_MODE : null };
  } catch (error) {
    throw fileSystemError(error, file);
  } finally {
    await input.handle.close();
  }
}

/** Whether the file at `file` is protected, and by whom (like IpcfIsFileEncrypted). */
export async function fileProtectionStatus(file: string): Promise<ProtectionStatus> {
  const container = await readContainer(file);
  if (container === null) return 'not-protected';
  // openrms writes AES256-GCM-STREAM content; anything else came from another issuer.
  return container.cipherMode === CIPHER_MODE ? 'protected' : 'protected-by-other-issuer';
}

/** True when the file is protected, by openrms or another issuer. */
export async function isProtected(file: string): Promise<boolean> {
  return (await fileProtectionStatus(file)) !== 'not-protected';
}

/** The serialized publishing license of a protected file, read without its content (IpcfGetSerializedLicenseFromFile). */
export async function readFileLicense(file: string): Promise<Buffer> {
  const container = await readContainer(file);
  if (container === null) throw new RmsError('FILE_IS_NOT_ENCRYPTED', `not a protected file: ${file}`);
  return container.info.license.bytes;
}
