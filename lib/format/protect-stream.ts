/**
 * AES256-GCM-STREAM as Node streams: a `Transform` that protects (plaintext in, a whole PFILE
 * 3.0 file out) and one that unprotects, with backpressure (a chunk is sealed before the next
 * write is accepted) and `AbortSignal` cancellation; and WHATWG `ReadableStream` adapters.
 *
 * Each stream holds one chunk of segments (see `segmentsPerChunk`) plus the chunk being
 * pushed, whatever the content size. An unprotect stream releases a chunk only after every
 * segment in it authenticates; a consumer must still treat an error at the end (truncation,
 * a later segment that fails) as a failure of the whole content: what it already received
 * was authentic but incomplete. The file API (./protect-file.ts) never exposes such output.
 */
import { Duplex, Transform, TransformCallback, TransformOptions } from 'node:stream';
import { ReadableStream, WritableStream } from 'node:stream/web';

import { invalidArgument, RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, requireInteger } from '../crypto/arguments';
import { SecretKey } from '../crypto/secret-key';
import { checkOriginalSize } from './gcm-stream';
import { pfileInfoFromHeader, StreamedPfileInfo } from './pfile-reader';
import {
  buildProtectedPrefix, ProtectOptions, SegmentCipher, segmentsPerChunk, STREAM_HEADER_SIZE,
} from './segment-cipher';

export interface StreamOptions {
  /** Aborting destroys the stream with an `ABORTED` RmsError. */
  signal?: AbortSignal;
}

export interface ProtectStreamOptions extends ProtectOptions, StreamOptions {
  /**
   * The content's size, when known: recorded in the container, and checked at the end (a
   * stream that carries another number of bytes fails with INVALID_ARGUMENT).
   */
  originalSize?: number;
}

function aborted(signal: AbortSignal): RmsError {
  return new RmsError('ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** Destroys `stream` when `signal` aborts (at once if it already has). */
function watchSignal(stream: Duplex, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  if (!(signal instanceof AbortSignal)) throw invalidArgument('options.signal', 'an AbortSignal');
  const abort = () => stream.destroy(aborted(signal));
  if (signal.aborted) {
    process.nextTick(abort);
    return;
  }
  signal.addEventListener('abort', abort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', abort));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A fixed buffer that fills to one chunk: a full chunk is processed only once more input
 * arrives (or the input ends), since only then is it known whether it ends the content.
 */
class ChunkBuffer {
  private readonly buffer: Buffer;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  get full(): boolean {
    return this.filled === this.capacity;
  }

  /** Copies as much of `data` as fits; returns the bytes taken. */
  fill(data: Uint8Array): number {
    const n = Math.min(data.length, this.capacity - this.filled);
    this.buffer.set(data.subarray(0, n), this.filled);
    this.filled += n;
    return n;
  }

  /** The buffered bytes; valid until the next `fill` after `clear`. */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.filled);
    this.filled = 0;
    return bytes;
  }

  /** Feeds `data` through, calling `process` on each full chunk that more data follows. */
  async feed(data: Uint8Array, process: (chunk: Buffer) => Promise<void>): Promise<void> {
    let at = 0;
    while (at < data.length) {
      if (this.full) await process(this.take());
      at += this.fill(data.subarray(at));
    }
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw invalidArgument('chunk', 'a Buffer, Uint8Array or string (object mode is not supported)');
}

/**
 * A transform whose work is asynchronous (chunks sealed or opened on the thread pool): each
 * write is acknowledged only once consumed, which is what gives the stream its backpressure.
 */
abstract class ChunkedTransform extends Transform {
  private resumeReading: (() => void) | null = null;

  protected abstract consume(bytes: Uint8Array): Promise<void>;
  protected abstract finish(): Promise<void>;
  /** Wipes the key; called once the stream finishes or is destroyed. */
  protected abstract release(): void;

  /**
   * Pushes a processed chunk, then waits until the reader wants more: one large write must not
   * queue all of its output, so backpressure holds within a write as well as between writes.
   */
  protected async pushChunk(chunk: Buffer): Promise<void> {
    if (this.destroyed || this.push(chunk)) return;
    await new Promise<void>((resolve) => {
      this.resumeReading = resolve;
    });
  }

  override _read(size: number): void {
    const resume = this.resumeReading;
    this.resumeReading = null;
    resume?.();
    super._read(size);
  }

  override _transform(data: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const run = async () => this.consume(toBytes(data));
    run().then(() => callback(), (error) => callback(asError(error)));
  }

  override _flush(callback: TransformCallback): void {
    this.finish().then(() => {
      this.release();
      callback();
    }, (error) => callback(asError(error)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.release();
    // A chunk waiting for a reader that will never come: let its loop end.
    const resume = this.resumeReading;
    this.resumeReading = null;
    resume?.();
    callback(error);
  }
}

/** Plaintext in, a PFILE 3.0 file with AES256-GCM-STREAM content out. */
export class ProtectStream extends ChunkedTransform {
  private readonly cipher: SegmentCipher;
  private readonly prefix: Buffer | null;
  private readonly chunk: ChunkBuffer;
  private readonly originalSize: number | undefined;
  private nextIndex = 0;
  private total = 0;
  private prefixSent = false;

  constructor(contentKey: SecretKey, license: Uint8Array, options: ProtectStreamOptions = {}, transform: TransformOptions = {}) {
    super(transform);
    if (options.originalSize !== undefined) requireInteger('options.originalSize', options.originalSize, 0, Number.MAX_SAFE_INTEGER);
    const prefix = buildProtectedPrefix(requireBytes('license', license), options, options.originalSize);
    this.cipher = SegmentCipher.create(contentKey, prefix.bytes, prefix.layout);
    this.prefix = prefix.bytes;
    this.originalSize = options.originalSize;
    this.chunk = new ChunkBuffer(segmentsPerChunk(prefix.layout.segmentSize) * prefix.layout.segmentSize);
    watchSignal(this, options.signal);
  }

  private sendPrefix(): void {
    if (this.prefixSent) return;
    this.prefixSent = true;
    this.push(this.prefix);
  }

  private async seal(plaintext: Buffer, final: boolean): Promise<void> {
    const sealed = Buffer.allocUnsafe(this.cipher.sealedLength(plaintext.length, final));
    await this.cipher.sealAsync(plaintext, sealed, this.nextIndex, final);
    this.nextIndex += plaintext.length / this.cipher.segmentSize;
    await this.pushChunk(sealed);
  }

  protected async consume(bytes: Uint8Array): Promise<void> {
    this.sendPrefix();
    this.total += bytes.length;
    await this.chunk.feed(bytes, (full) => this.seal(full, false));
  }

  protected async finish(): Promise<void> {
    if (this.originalSize !== undefined && this.total !== this.originalSize) {
      throw invalidArgument('options.originalSize', `the content's size: the stream carried ${this.total} bytes`);
    }
    this.sendPrefix();
    await this.seal(this.chunk.take(), true);
  }

  protected release(): void {
    this.cipher.close();
  }
}

/**
 * A PFILE with AES256-GCM-STREAM content in, plaintext out. Emits `info` with the container
 * (version, original extension, license) once the header is read, before any plaintext.
 */
export class UnprotectStream extends ChunkedTransform {
  private readonly contentKey: SecretKey;
  private head: Buffer[] = [];
  private headLength = 0;
  /** Bytes the header needs, once known: a large license is collected without re-parsing. */
  private headNeeded: number = native.pfileMaxPrefix;
  private cipher: SegmentCipher | null = null;
  private chunk: ChunkBuffer | null = null;
  private info: StreamedPfileInfo | null = null;
  private nextIndex = 0;
  private plaintextTotal = 0;

  constructor(contentKey: SecretKey, options: StreamOptions = {}, transform: TransformOptions = {}) {
    super(transform);
    if (!(contentKey instanceof SecretKey)) throw invalidArgument('contentKey', 'a SecretKey');
    this.contentKey = contentKey;
    watchSignal(this, options.signal);
  }

  /**
   * Collects the header. The native parser needs the first 64 KiB (or the whole file when it
   * is shorter) to find the regions, then everything up to the first segment.
   */
  private readHeader(bytes: Uint8Array, ended: boolean): Uint8Array | null {
    if (bytes.length > 0) {
      this.head.push(Buffer.from(bytes));
      this.headLength += bytes.length;
    }
    if (this.headLength < this.headNeeded && !ended) return null;
    const head = Buffer.concat(this.head);
    this.head = [head];
    // Until the stream ends its size is unknown; the content's end is checked at the end.
    const header = native.parsePfileHeader(head.subarray(0, native.pfileMaxPrefix), ended ? head.length : Number.MAX_SAFE_INTEGER);
    const segmentsStart = header.content.offset + STREAM_HEADER_SIZE;
    if (head.length < segmentsStart) {
      this.headNeeded = segmentsStart;
      if (ended) throw new RmsError('INVALID_FORMAT', 'not a valid PFILE: the file ends inside its header');
      return null;
    }
    this.info = pfileInfoFromHeader(header, head);
    this.cipher = SegmentCipher.forFile(this.contentKey, head, header.content.offset).cipher;
    const segmentSize = this.cipher.segmentSize;
    this.chunk = new ChunkBuffer(segmentsPerChunk(segmentSize) * (segmentSize + 16));
    this.head = [];
    this.emit('info', this.info);
    return head.subarray(segmentsStart);
  }

  private async open(sealed: Buffer, final: boolean): Promise<void> {
    const cipher = this.cipher!;
    const plaintext = Buffer.allocUnsafe(cipher.plaintextLength(sealed.length, final));
    await cipher.openAsync(sealed, plaintext, this.nextIndex, final);
    this.nextIndex += sealed.length / (cipher.segmentSize + 16);
    this.plaintextTotal += plaintext.length;
    if (final) checkOriginalSize(this.info!, this.plaintextTotal);
    await this.pushChunk(plaintext);
  }

  protected async consume(bytes: Uint8Array): Promise<void> {
    const rest = this.cipher === null ? this.readHeader(bytes, false) : bytes;
    if (rest !== null) await this.chunk!.feed(rest, (full) => this.open(full, false));
  }

  protected async finish(): Promise<void> {
    if (this.cipher === null) {
      const rest = this.readHeader(new Uint8Array(0), true)!;
      await this.chunk!.feed(rest, (full) => this.open(full, false));
    }
    await this.open(this.chunk!.take(), true);
  }

  protected release(): void {
    this.cipher?.close();
  }
}

/** A `Transform` that protects the plaintext written to it under `contentKey`. */
export function createProtectStream(contentKey: SecretKey, license: Uint8Array, options: ProtectStreamOptions = {}): ProtectStream {
  return new ProtectStream(contentKey, license, options);
}

/** A `Transform` that authenticates and decrypts a protected file written to it. */
export function createUnprotectStream(contentKey: SecretKey, options: StreamOptions = {}): UnprotectStream {
  return new UnprotectStream(contentKey, options);
}

/** Pipes a WHATWG stream through a Node transform; errors and cancellation travel both ways. */
function throughWeb(input: ReadableStream<Uint8Array>, transform: Transform): ReadableStream<Uint8Array> {
  if (!(input instanceof ReadableStream)) throw invalidArgument('input', 'a WHATWG ReadableStream');
  const pair = Duplex.toWeb(transform) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
  return input.pipeThrough(pair);
}

/** Protects a WHATWG `ReadableStream` of plaintext; returns the protected file as a `ReadableStream`. */
export function protectWebStream(contentKey: SecretKey, license: Uint8Array, input: ReadableStream<Uint8Array>,
  options: ProtectStreamOptions = {}): ReadableStream<Uint8Array> {
  return throughWeb(input, new ProtectStream(contentKey, license, options));
}

/** Unprotects a WHATWG `ReadableStream` of a protected file; returns the plaintext as a `ReadableStream`. */
export function unprotectWebStream(contentKey: SecretKey, input: ReadableStream<Uint8Array>,
  options: StreamOptions = {}): ReadableStream<Uint8Array> {
  return throughWeb(input, new UnprotectStream(contentKey, options));
}
