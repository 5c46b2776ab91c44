import crypto from 'node:crypto';

import { gcmStream, parsePfile, randomBytes, SecretKey } from '../../lib';

const license = Buffer.from('{"typ":"test-license"}');
const SEG = 4096;
const TAG = 16;

function protect(key: SecretKey, plaintext: Buffer, segmentSize = SEG): Buffer {
  return gcmStream.protectBuffer(key, license, plaintext, { originalExtension: '.txt', segmentSize });
}

/** Offsets of the sealed segments of a protected file. */
function segments(file: Buffer, segmentSize = SEG): Array<[number, number]> {
  const start = parsePfile(file).content.offset + gcmStream.STREAM_HEADER_SIZE;
  const out: Array<[number, number]> = [];
  for (let at = start; at < file.length; at += segmentSize + TAG) out.push([at, Math.min(file.length, at + segmentSize + TAG)]);
  return out;
}

const refused = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));

describe('AES256-GCM-STREAM buffers: round trips', () => {
  const key = SecretKey.generate();
  const sizes = [0, 1, 15, 16, 17, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 5 * SEG + 123];

  it.each(sizes)('round-trips %i bytes, sync and on the pool, and records the container fields', async (size) => {
    const plaintext = randomBytes(size);
    const file = protect(key, plaintext);
    expect(file.length).toBe(parsePfile(file).content.offset + gcmStream.STREAM_HEADER_SIZE + gcmStream.sealedLength(size, SEG));
    const { plaintext: opened, info } = gcmStream.unprotectBuffer(key, file);
    expect(opened.equals(plaintext)).toBe(true);
    expect(info.version).toBe('3.0');
    expect(info.originalExtension).toBe('.txt');
    expect(info.originalSize).toBe(size);
    expect(info.license.bytes.equals(license)).toBe(true);
    expect((await gcmStream.unprotectBufferAsync(key, file)).plaintext.equals(plaintext)).toBe(true);
  });

  it('round-trips 100 MiB with the default segment size on the thread pool', async () => {
    const plaintext = randomBytes(100 * 1024 * 1024 + 7);
    const file = await gcmStream.protectBufferAsync(key, license, plaintext);
    const { plaintext: opened } = await gcmStream.unprotectBufferAsync(key, file);
    expect(opened.equals(plaintext)).toBe(true);
  });

  it('never produces the same bytes twice for the same content (a fresh salt per file)', () => {
    const plaintext = randomBytes(100);
    expect(protect(key, plaintext).equals(protect(key, plaintext))).toBe(false);
  });
});

describe('AES256-GCM-STREAM buffers: tampering is detected and releases nothing', () => {
  const key = SecretKey.generate();
  const plaintext = randomBytes(4 * SEG + 100);
  const file = protect(key, plaintext);
  const segs = segments(file);
  const content = parsePfile(file).content.offset;

  it('refuses a flipped bit anywhere: header, license, stream header, ciphertext, tag', () => {
    const places = [20, 600, content + 3, content + 20, segs[0]![0] + 5, segs[2]![1] - 1, file.length - 1];
    for (const at of places) {
      const bad = Buffer.from(file);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => gcmStream.unprotectBuffer(key, bad)).toThrow();
      try {
        gcmStream.unprotectBuffer(key, bad);
      } catch (error) {
        expect(['DECRYPTION_FAILED', 'INVALID_FORMAT', 'UNSUPPORTED_VERSION']).toContain((error as { code: string }).code);
      }
    }
  });

  const cut = (f: Buffer, [a, b]: [number, number]) => Buffer.concat([f.subarray(0, a), f.subarray(b)]);
  const piece = (f: Buffer, [a, b]: [number, number]) => f.subarray(a, b);

  it('refuses a dropped segment', () => refused(() => gcmStream.unprotectBuffer(key, cut(file, segs[1]!))));

  it('refuses a duplicated segment', () => {
    const dup = Buffer.concat([file.subarray(0, segs[2]![0]), piece(file, segs[1]!), file.subarray(segs[2]![0])]);
    refused(() => gcmStream.unprotectBuffer(key, dup));
  });

  it('refuses reordered segments', () => {
    const swapped = Buffer.concat([file.subarray(0, segs[1]![0]), piece(file, segs[2]!), piece(file, segs[1]!), file.subarray(segs[3]![0])]);
    refused(() => gcmStream.unprotectBuffer(key, swapped));
  });

  it('refuses a file truncated at a segment boundary, and one cut inside a segment', () => {
    refused(() => gcmStream.unprotectBuffer(key, file.subarray(0, segs[3]![1])));
    expect(() => gcmStream.unprotectBuffer(key, file.subarray(0, segs[4]![0] + 3))).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });

  it('refuses a segment moved in from another file protected with the same key', () => {
    const other = protect(key, randomBytes(plaintext.length));
    const otherSegs = segments(other);
    const mixed = Buffer.concat([file.subarray(0, segs[1]![0]), piece(other, otherSegs[1]!), file.subarray(segs[1]![1])]);
    refused(() => gcmStream.unprotectBuffer(key, mixed));
  });

  it('refuses the right file under the wrong key, sync and on the pool', async () => {
    refused(() => gcmStream.unprotectBuffer(SecretKey.generate(), file));
    const big = await gcmStream.protectBufferAsync(key, license, randomBytes(1 << 20));
    big[big.length - 100] = big[big.length - 100]! ^ 1;
    await expect(gcmStream.unprotectBufferAsync(key, big)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('refuses content that is not AES256-GCM-STREAM, or with a segment size out of range', () => {
    const notStream = Buffer.from(file);
    notStream.write('XXXXXX', content, 'latin1');
    expect(() => gcmStream.unprotectBuffer(key, notStream)).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
    const badSize = Buffer.from(file);
    badSize.writeUInt32LE(16, content + 8);
    expect(() => gcmStream.unprotectBuffer(key, badSize)).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });

  it('checks its arguments', () => {
    expect(() => gcmStream.protectBuffer(SecretKey.generate(16), license, Buffer.alloc(1))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'contentKey' }));
    expect(() => gcmStream.protectBuffer(key, license, Buffer.alloc(1), { segmentSize: 100 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.segmentSize' }));
  });
});

describe('AES256-GCM-STREAM: the documented construction', () => {
  // docs/format.md, implemented with node:crypto alone: if openrms drifted from its own
  // documentation, this reader would stop opening its files.
  function openWithNodeCrypto(contentKey: Buffer, file: Buffer): Buffer {
    const contentOffset = parsePfile(file).content.offset;
    const streamHeader = file.subarray(contentOffset, contentOffset + 44);
    expect(streamHeader.subarray(0, 8).equals(Buffer.from('ORGCMS\x01\x00', 'latin1'))).toBe(true);
    const segmentSize = streamHeader.readUInt32LE(8);
    const fileKey = Buffer.from(crypto.hkdfSync('sha256', contentKey, streamHeader.subarray(12, 44), 'openrms AES256-GCM-STREAM v1', 32));
    const digest = crypto.createHash('sha256').update(file.subarray(0, contentOffset + 44)).digest();
    const parts: Buffer[] = [];
    const sealed = file.subarray(contentOffset + 44);
    for (let at = 0, index = 0; at < sealed.length; at += segmentSize + TAG, index++) {
      const segment = sealed.subarray(at, Math.min(sealed.length, at + segmentSize + TAG));
      const last = at + segment.length === sealed.length;
      const nonce = Buffer.alloc(12);
      nonce.writeBigUInt64BE(BigInt(index), 4);
      const aad = Buffer.alloc(41);
      digest.copy(aad);
      aad.writeBigUInt64BE(BigInt(index), 32);
      aad[40] = last ? 1 : 0;
      const decipher = crypto.createDecipheriv('aes-256-gcm', fileKey, nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(segment.subarray(segment.length - TAG));
      parts.push(decipher.update(segment.subarray(0, segment.length - TAG)), decipher.final());
    }
    return Buffer.concat(parts);
  }

  it.each([0, 1, SEG, 3 * SEG + 5])('opens a %i-byte file openrms protected', (size) => {
    const keyBytes = randomBytes(32);
    const plaintext = randomBytes(size);
    const file = protect(SecretKey.import(keyBytes), plaintext);
    expect(openWithNodeCrypto(keyBytes, file).equals(plaintext)).toBe(true);
  });
});
