import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream } from 'node:stream/web';

import {
  createProtectStream, createUnprotectStream, gcmStream, parsePfile, protectWebStream, randomBytes, SecretKey,
  StreamedPfileInfo, unprotectWebStream,
} from '../../lib';
import { segmentsPerChunk } from '../../lib/format/segment-cipher';

const license = Buffer.from('{"typ":"test-license"}');
const SEG = 4096;
const CHUNK = segmentsPerChunk(SEG) * SEG;
const SEALED_CHUNK = segmentsPerChunk(SEG) * (SEG + 16);

/** Feeds `data` in pieces of uneven sizes, so chunk edges fall anywhere inside writes. */
function pieces(data: Buffer): Readable {
  const parts: Buffer[] = [];
  const sizes = [1, 7, 4095, 65536, 333, 100000];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - at);
    parts.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts, { objectMode: false });
}

function collector(): { sink: Writable; result: () => Buffer } {
  const parts: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } });
  return { sink, result: () => Buffer.concat(parts) };
}

async function protectThroughStream(key: SecretKey, plaintext: Buffer, options = {}): Promise<Buffer> {
  const out = collector();
  await pipeline(pieces(plaintext), createProtectStream(key, license, { segmentSize: SEG, originalExtension: '.txt', ...options }), out.sink);
  return out.result();
}

async function unprotectThroughStream(key: SecretKey, file: Buffer): Promise<{ plaintext: Buffer; info: StreamedPfileInfo | null }> {
  const out = collector();
  const stream = createUnprotectStream(key);
  let info: StreamedPfileInfo | null = null;
  stream.on('info', (i: StreamedPfileInfo) => { info = i; });
  await pipeline(pieces(file), stream, out.sink);
  return { plaintext: out.result(), info };
}

const fails = (code: string) => expect.objectContaining({ code });

describe('AES256-GCM-STREAM streams: round trips', () => {
  const key = SecretKey.generate();
  const sizes = [0, 1, SEG - 1, SEG, SEG + 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + SEG + 5];

  it.each(sizes)('round-trips %i bytes, and the stream and buffer forms read each other', async (size) => {
    const plaintext = randomBytes(size);
    const file = await protectThroughStream(key, plaintext);
    expect(gcmStream.unprotectBuffer(key, file).plaintext.equals(plaintext)).toBe(true);
    const { plaintext: opened, info } = await unprotectThroughStream(key, file);
    expect(opened.equals(plaintext)).toBe(true);
    expect(info).toMatchObject({ version: '3.0', originalExtension: '.txt', originalSize: null });
    const fromBuffer = gcmStream.protectBuffer(key, license, plaintext, { segmentSize: SEG });
    expect((await unprotectThroughStream(key, fromBuffer)).plaintext.equals(plaintext)).toBe(true);
  });

  it('records originalSize when given, and refuses a stream that carries another size', async () => {
    const plaintext = randomBytes(5000);
    const file = await protectThroughStream(key, plaintext, { originalSize: 5000 });
    expect(parsePfile(file).originalSize).toBe(5000);
    await expect(protectThroughStream(key, plaintext, { originalSize: 4999 })).rejects.toEqual(fails('INVALID_ARGUMENT'));
  });

  it('reads a header whose license is larger than the first 64 KiB', async () => {
    const bigLicense = Buffer.from(`{"grants":"${'x'.repeat(300 * 1024)}"}`);
    const plaintext = randomBytes(10000);
    const out = collector();
    await pipeline(pieces(plaintext), createProtectStream(key, bigLicense, { segmentSize: SEG }), out.sink);
    const { plaintext: opened, info } = await unprotectThroughStream(key, out.result());
    expect(opened.equals(plaintext)).toBe(true);
    expect(info!.license.bytes.equals(bigLicense)).toBe(true);
  });

  it('round-trips 8 MiB with the default segment size', async () => {
    const plaintext = randomBytes(8 * 1024 * 1024 + 3);
    const out = collector();
    await pipeline(pieces(plaintext), createProtectStream(key, license), out.sink);
    expect((await unprotectThroughStream(key, out.result())).plaintext.equals(plaintext)).toBe(true);
  });

  it('takes strings as UTF-8, like any Node writable', async () => {
    const out = collector();
    await pipeline(Readable.from(['héllo ', 'wörld']), createProtectStream(key, license), out.sink);
    expect(gcmStream.unprotectBuffer(key, out.result()).plaintext.toString('utf8')).toBe('héllo wörld');
  });
});

describe('AES256-GCM-STREAM streams: tampering', () => {
  const key = SecretKey.generate();
  const plaintext = randomBytes(3 * CHUNK + 100);
  let file: Buffer;
  let segmentsStart: number;
  beforeAll(async () => {
    file = await protectThroughStream(key, plaintext);
    segmentsStart = parsePfile(file).content.offset + gcmStream.STREAM_HEADER_SIZE;
  });

  it('fails with DECRYPTION_FAILED on a flipped bit in a later chunk, after releasing only authentic chunks', async () => {
    const bad = Buffer.from(file);
    bad[segmentsStart + 2 * SEALED_CHUNK + 10]! ^= 1;
    const out = collector();
    await expect(pipeline(pieces(bad), createUnprotectStream(key), out.sink)).rejects.toEqual(fails('DECRYPTION_FAILED'));
    const released = out.result();
    expect(released.length).toBeLessThanOrEqual(2 * CHUNK);
    expect(released.equals(plaintext.subarray(0, released.length))).toBe(true);
  });

  it.each([
    ['a file cut at a segment boundary', (f: Buffer) => f.subarray(0, segmentsStart + 3 * SEALED_CHUNK), 'DECRYPTION_FAILED'],
    ['a file cut inside a segment', (f: Buffer) => f.subarray(0, f.length - 5), 'DECRYPTION_FAILED'],
    ['a file cut at a chunk edge', (f: Buffer) => f.subarray(0, segmentsStart + SEALED_CHUNK), 'DECRYPTION_FAILED'],
    ['a file cut inside a tag', (f: Buffer) => f.subarray(0, segmentsStart + 3 * SEALED_CHUNK + 10), 'INVALID_FORMAT'],
    ['a file cut inside its header', (f: Buffer) => f.subarray(0, segmentsStart - 1), 'INVALID_FORMAT'],
    ['a file that is not a PFILE', () => Buffer.from('plain text, nothing protected'), 'FILE_IS_NOT_ENCRYPTED'],
    ['a dropped chunk', (f: Buffer) => Buffer.concat([f.subarray(0, segmentsStart + SEALED_CHUNK), f.subarray(segmentsStart + 2 * SEALED_CHUNK)]), 'DECRYPTION_FAILED'],
    ['swapped chunks', (f: Buffer) => Buffer.concat([f.subarray(0, segmentsStart), f.subarray(segmentsStart + SEALED_CHUNK, segmentsStart + 2 * SEALED_CHUNK),
      f.subarray(segmentsStart, segmentsStart + SEALED_CHUNK), f.subarray(segmentsStart + 2 * SEALED_CHUNK)]), 'DECRYPTION_FAILED'],
  ])('refuses %s', async (_name, change, code) => {
    await expect(unprotectThroughStream(key, change(file))).rejects.toEqual(fails(code));
  });

  it('refuses the wrong key', async () => {
    await expect(unprotectThroughStream(SecretKey.generate(), file)).rejects.toEqual(fails('DECRYPTION_FAILED'));
  });
});

describe('AES256-GCM-STREAM streams: backpressure and cancellation', () => {
  const key = SecretKey.generate();

  it('stops accepting writes while nobody reads, holding a bounded amount', async () => {
    const stream = createProtectStream(key, license, { segmentSize: SEG });
    const piece = randomBytes(64 * 1024);
    let written = 0;
    // Write until the stream asks us to wait, giving it time to seal what it has.
    for (let i = 0; i < 1000; i++) {
      const more = stream.write(piece);
      written += piece.length;
      await new Promise((resolve) => setImmediate(resolve));
      if (!more) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nothing read: it refused more after a few chunks, not after 64 MiB.
    expect(written).toBeLessThan(4 * CHUNK + 4 * piece.length);
    expect(stream.readableLength + stream.writableLength).toBeLessThan(4 * CHUNK + 4 * piece.length);
    stream.destroy();
  });

  it('holds back within one large write too, not only between writes', async () => {
    const stream = createProtectStream(key, license, { segmentSize: SEG });
    stream.write(randomBytes(32 * CHUNK));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Sealing stopped once the reader's buffer was full: not 32 chunks queued.
    expect(stream.readableLength).toBeLessThanOrEqual(3 * SEALED_CHUNK);
    const out = collector();
    stream.end();
    await pipeline(stream, out.sink);
    expect(out.result().length).toBeGreaterThan(32 * CHUNK);
  });

  it('refuses a header whose content offset would make it buffer gigabytes', async () => {
    const file = gcmStream.protectBuffer(key, license, randomBytes(100), { segmentSize: SEG });
    const table = 18 + file.readUInt32LE(14);
    file.writeUInt32LE(0xffffff00, table + 20); // contentOffset
    const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
    const stream = createUnprotectStream(key);
    await expect(pipeline(Readable.from([file]), stream, collector().sink)).rejects.toEqual(fails('INVALID_FORMAT'));
    const second = createUnprotectStream(key);
    await expect(pipeline(async function* () { yield file; yield* endless; }, second, collector().sink)).rejects.toEqual(fails('INVALID_FORMAT'));
  });

  it('aborts a running pipeline with ABORTED and releases its key', async () => {
    const controller = new AbortController();
    const endless = new Readable({ read() { this.push(randomBytes(64 * 1024)); } });
    const stream = createProtectStream(key, license, { signal: controller.signal });
    let received = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        received += chunk.length;
        if (received > 4 * 1024 * 1024) controller.abort();
        done();
      },
    });
    await expect(pipeline(endless, stream, sink)).rejects.toEqual(fails('ABORTED'));
    expect(stream.destroyed).toBe(true);
  });

  it('fails at once with a signal that has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const stream = createUnprotectStream(key, { signal: controller.signal });
    await expect(pipeline(Readable.from([Buffer.alloc(10)]), stream, collector().sink)).rejects.toEqual(fails('ABORTED'));
  });
});

describe('AES256-GCM-STREAM: WHATWG streams', () => {
  const key = SecretKey.generate();

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const part of stream) parts.push(part);
    return Buffer.concat(parts);
  }

  it('round-trips through ReadableStream adapters', async () => {
    const plaintext = randomBytes(CHUNK * 2 + 17);
    const web = Readable.toWeb(pieces(plaintext)) as unknown as ReadableStream<Uint8Array>;
    const file = await readAll(protectWebStream(key, license, web, { segmentSize: SEG }));
    const back = Readable.toWeb(Readable.from([file])) as unknown as ReadableStream<Uint8Array>;
    expect((await readAll(unprotectWebStream(key, back))).equals(plaintext)).toBe(true);
  });

  it('rejects the reader on tampered content', async () => {
    const file = gcmStream.protectBuffer(key, license, randomBytes(10000), { segmentSize: SEG });
    file[file.length - 1]! ^= 1;
    const back = Readable.toWeb(Readable.from([file])) as unknown as ReadableStream<Uint8Array>;
    await expect(readAll(unprotectWebStream(key, back))).rejects.toEqual(fails('DECRYPTION_FAILED'));
  });
});
