import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { decodeLicense, parsePfile, readPfileInfo } from '../../lib';
import { TESTDATA_DIR } from '../support/testdata';

const MSFT = path.join(TESTDATA_DIR, 'msft-pfile');
const cleanAlice = readFileSync(path.join(MSFT, 'CleanAlice.txt.pfile'));

describe('reading the Microsoft-made PFILEs in test/fixtures/msft-pfile', () => {
  it.each([
    ['CleanAlice.txt.pfile', '3.0', { offset: 8388, length: 32 }, null, '<?xml version="1.0"?><XrML'],
    ['android_template_01.ptxt', '2.0', { offset: 48400, length: 8656 }, null, '<XrML xmlns="" version="1.2">'],
    ['rmsSharingAliceTest.ptxt', '2.1', { offset: 36943, length: 32 }, 20, '<?xml version="1.0"?><XrML version="1.2"'],
  ] as const)('%s: version %s, extension, license text and content region', async (file, version, content, originalSize, start) => {
    const info = await readPfileInfo(path.join(MSFT, file));
    expect(info.version).toBe(version);
    expect(info.originalExtension).toBe('.txt');
    expect(info.license.encoding).toBe('utf-8-bom');
    expect(info.license.text.startsWith(start)).toBe(true);
    expect(info.license.text.trimEnd().endsWith('</XrML>')).toBe(true);
    expect(info.content).toEqual(content);
    expect(info.originalSize).toBe(originalSize);
    // The in-memory parser agrees with the file reader.
    const inMemory = parsePfile(readFileSync(path.join(MSFT, file)));
    expect({ ...inMemory, license: inMemory.license.text }).toEqual({ ...info, license: info.license.text });
  });
});

describe('publishing license text encodings', () => {
  const xml = '<XrML version="1.2"/>';
  it.each([
    ['utf-8', Buffer.from(xml, 'utf8')],
    ['utf-8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')])],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')])],
    ['utf-16le', Buffer.from(xml, 'utf16le')],
  ] as const)('decodes %s', (encoding, bytes) => {
    expect(decodeLicense(bytes)).toEqual({ text: xml, encoding });
  });

  it('drops the trailing NULs Microsoft clients write after the XML', () => {
    expect(decodeLicense(Buffer.concat([Buffer.from(xml), Buffer.alloc(2)])).text).toBe(xml);
  });

  it('refuses bytes that are not text with INVALID_FORMAT', () => {
    expect(() => decodeLicense(Buffer.from([0x3c, 0xff, 0xfe, 0xfd, 0x80]))).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });
});

// Offsets in CleanAlice.txt.pfile (version 3.0, notice of 396 bytes): the offset table starts
// at 18 + 396 = 414.
const TABLE = 414;
const FIELD = { headerSize: 0, extOffset: 4, extLength: 8, plOffset: 12, plLength: 16, contentOffset: 20, metaOffset: 32, metaLength: 36 };

function lie(mutate: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(cleanAlice);
  mutate(copy);
  return copy;
}
const setField = (b: Buffer, field: keyof typeof FIELD, value: number) => b.writeUInt32LE(value, TABLE + FIELD[field]);

describe('headers that lie are refused with a code, never trusted', () => {
  it.each<[string, Buffer, string]>([
    ['an offset past the end', lie((b) => setField(b, 'plOffset', 9000)), 'INVALID_FORMAT'],
    ['a length over the file size', lie((b) => setField(b, 'plLength', 0x7fffffff)), 'INVALID_FORMAT'],
    ['a license larger than the cap', lie((b) => setField(b, 'plLength', 17 * 1024 * 1024)), 'INVALID_FORMAT'],
    ['an empty license', lie((b) => setField(b, 'plLength', 0)), 'INVALID_FORMAT'],
    ['overlapping regions', lie((b) => setField(b, 'extOffset', 460)), 'INVALID_FORMAT'],
    ['a region inside the header', lie((b) => setField(b, 'extOffset', 10)), 'INVALID_FORMAT'],
    ['a region over the content', lie((b) => setField(b, 'contentOffset', 8000)), 'INVALID_FORMAT'],
    ['a content offset past the end', lie((b) => setField(b, 'contentOffset', 9000)), 'INVALID_FORMAT'],
    ['a wrong offset-table size', lie((b) => setField(b, 'headerSize', 24)), 'INVALID_FORMAT'],
    ['a notice longer than the file', lie((b) => b.writeUInt32LE(0x00100000, 14)), 'INVALID_FORMAT'],
    // The original size: u64 at 24 in a 3.0 table. 2^53 would read as 2^53 + 1 does.
    ['an original size no JavaScript number holds', lie((b) => b.writeBigUInt64LE(2n ** 53n, TABLE + 24)), 'INVALID_FORMAT'],
    ['version 4.0', lie((b) => b.writeUInt32LE(4, 6)), 'UNSUPPORTED_VERSION'],
    ['version 3.1', lie((b) => b.writeUInt32LE(1, 10)), 'UNSUPPORTED_VERSION'],
    ['a file cut inside the header', cleanAlice.subarray(0, 430), 'INVALID_FORMAT'],
    ['a file cut inside the license', cleanAlice.subarray(0, 5000), 'INVALID_FORMAT'],
    ['no magic', lie((b) => b.write('.pfilX', 0)), 'FILE_IS_NOT_ENCRYPTED'],
    ['an empty file', Buffer.alloc(0), 'FILE_IS_NOT_ENCRYPTED'],
  ])('%s', (_name, bytes, code) => {
    expect(() => parsePfile(bytes)).toThrow(expect.objectContaining({ code }));
  });

  it('reports the same code when reading a lying file from disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'openrms-pfile-'));
    const file = path.join(dir, 'liar.pfile');
    writeFileSync(file, lie((b) => setField(b, 'plLength', 0x7fffffff)));
    await expect(readPfileInfo(file)).rejects.toMatchObject({ code: 'INVALID_FORMAT' });
  });
});
