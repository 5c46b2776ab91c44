import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync, truncateSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';

import {
  fileProtectionStatus, gcmStream, isProtected, parsePfile, protectedFileName, protectFile, randomBytes, readFileLicense,
  SecretKey, unprotectedFileName, unprotectFile,
} from '../../lib';
import { SegmentCipher, segmentsPerChunk } from '../../lib/format/segment-cipher';
import { native } from '../../lib/native';
import { requireBuilt, ROOT } from '../support/built-package';
import { TESTDATA_DIR } from '../support/testdata';

const license = Buffer.from('{"typ":"test-license"}');
const CHUNK = segmentsPerChunk(gcmStream.DEFAULT_SEGMENT_SIZE) * gcmStream.DEFAULT_SEGMENT_SIZE;
const fails = (code: string) => expect.objectContaining({ code });

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'openrms-files-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('file names', () => {
  it.each([
    ['report.txt', 'report.ptxt'], ['data.xml', 'data.pxml'], ['a.jpg', 'a.pjpg'], ['a.jpeg', 'a.pjpeg'], ['a.jpe', 'a.pjpe'],
    ['a.jfif', 'a.pjfif'], ['a.png', 'a.ppng'], ['a.tif', 'a.ptif'], ['a.tiff', 'a.ptiff'], ['a.bmp', 'a.pbmp'],
    ['a.gif', 'a.pgif'], ['part.jt', 'part.pjt'], ['paper.pdf', 'paper.ppdf'], ['SCAN.PDF', 'SCAN.pPDF'], ['Notes.TXT', 'Notes.pTXT'],
    ['deck.pptx', 'deck.pptx.pfile'], ['archive.tar.gz', 'archive.tar.gz.pfile'], ['README', 'README.pfile'], ['.bashrc', '.bashrc.pfile'],
    ['x.ptxt', 'x.ptxt.pfile'],
  ])('%s is protected as %s, and comes back under its name', (name, protectedName) => {
    expect(protectedFileName(name)).toBe(protectedName);
    expect(unprotectedFileName(protectedName, path.extname(name))).toBe(name);
  });

  it('never unprotects to the same name', () => {
    expect(unprotectedFileName('odd.bin', '.txt')).toBe('odd.bin.txt');
    expect(unprotectedFileName('odd', '')).toBe('odd.unprotected');
  });
});

describe('protectFile / unprotectFile', () => {
  const key = SecretKey.generate();

  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 65536 + 3])('round-trips %i bytes next to the input', async (size) => {
    const plaintext = randomBytes(size);
    const source = write('report.txt', plaintext);
    const result = await protectFile(source, key, license);
    expect(result).toEqual({ path: path.join(dir, 'report.ptxt'), originalSize: size, protectedSize: statSync(result.path).size });
    const file = readFileSync(result.path);
    expect(parsePfile(file)).toMatchObject({ version: '3.0', originalExtension: '.txt', originalSize: size });
    expect(gcmStream.unprotectBuffer(key, file).plaintext.equals(plaintext)).toBe(true);

    rmSync(source);
    const back = await unprotectFile(result.path, key);
    expect(back.path).toBe(source);
    expect(back.size).toBe(size);
    expect(readFileSync(source).equals(plaintext)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['report.ptxt', 'report.txt']);
  });

  it('round-trips a 100 MiB file', async () => {
    const plaintext = randomBytes(100 * 1024 * 1024 + 11);
    const source = write('big.bin', plaintext);
    const result = await protectFile(source, key, license);
    expect(result.path).toBe(`${source}.pfile`);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const back = await unprotectFile(result.path, key, { outputDir: out });
    expect(back.path).toBe(path.join(out, 'big.bin'));
    expect(readFileSync(back.path).equals(plaintext)).toBe(true);
  });

  it('writes to another folder or path, and keeps the input file mode', async () => {
    const source = write('photo.png', randomBytes(1000));
    chmodSync(source, 0o640);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    expect((await protectFile(source, key, license, { outputDir: out })).path).toBe(path.join(out, 'photo.ppng'));
    expect(statSync(path.join(out, 'photo.ppng')).mode & 0o777).toBe(0o640 & ~process.umask());
    const chosen = path.join(dir, 'chosen.bin');
    expect((await protectFile(source, key, license, { outputPath: chosen })).path).toBe(chosen);
    expect((await unprotectFile(chosen, key, { outputPath: path.join(out, 'again.png') })).path).toBe(path.join(out, 'again.png'));
  });

  it("gives the output the input's mode less the process's umask, replacing or not", async () => {
    const source = write('notes.txt', randomBytes(100));
    chmodSync(source, 0o666);
    const before = process.umask(0o027);
    try {
      const first = await protectFile(source, key, license);
      expect(statSync(first.path).mode & 0o777).toBe(0o640);
      process.umask(0o077);
      await protectFile(source, key, license, { overwrite: true });
      expect(statSync(first.path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(before);
    }
  });

  it('refuses to replace an existing file unless asked, and never replaces the input', async () => {
    const source = write('a.txt', Buffer.from('new content'));
    const existing = write('a.ptxt', Buffer.from('someone else\'s file'));
    await expect(protectFile(source, key, license)).rejects.toEqual(fails('FILE_EXISTS'));
    expect(readFileSync(existing, 'utf8')).toBe('someone else\'s file');
    await protectFile(source, key, license, { overwrite: true, durable: true });
    expect(gcmStream.unprotectBuffer(key, readFileSync(existing)).plaintext.toString()).toBe('new content');

    await expect(protectFile(source, key, license, { outputPath: source, overwrite: true })).rejects.toEqual(fails('INVALID_ARGUMENT'));
    await expect(unprotectFile(existing, key, { outputPath: existing, overwrite: true })).rejects.toEqual(fails('INVALID_ARGUMENT'));
    expect(readFileSync(source, 'utf8')).toBe('new content');
    expect(readdirSync(dir).sort()).toEqual(['a.ptxt', 'a.txt']);
  });

  it('reports missing inputs, folders and output folders with codes', async () => {
    await expect(protectFile(path.join(dir, 'missing.txt'), key, license)).rejects.toEqual(fails('FILE_NOT_FOUND'));
    await expect(protectFile(dir, key, license)).rejects.toEqual(fails('INVALID_ARGUMENT'));
    const source = write('a.txt', Buffer.from('x'));
    await expect(protectFile(source, key, license, { outputDir: path.join(dir, 'nowhere') })).rejects.toEqual(fails('FILE_NOT_FOUND'));
    await expect(unprotectFile(source, key)).rejects.toEqual(fails('FILE_IS_NOT_ENCRYPTED'));
    await expect(protectFile(source, key, 'license' as unknown as Buffer)).rejects.toEqual(fails('INVALID_ARGUMENT'));
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it.each([
    ['a flipped bit in the last chunk', (f: Buffer) => { f[f.length - 100]! ^= 1; return f; }, 'DECRYPTION_FAILED'],
    ['a flipped bit in the first chunk', (f: Buffer) => { f[parsePfile(f).content.offset + 100]! ^= 1; return f; }, 'DECRYPTION_FAILED'],
    ['a flipped bit in the license', (f: Buffer) => { f[f.indexOf(license) + 3]! ^= 1; return f; }, 'DECRYPTION_FAILED'],
    ['a truncated file', (f: Buffer) => f.subarray(0, f.length - 70000), 'DECRYPTION_FAILED'],
    ['a file whose last segment is cut shorter than a tag', (f: Buffer) => f.subarray(0, f.length - 110), 'INVALID_FORMAT'],
  ])('leaves no output for %s', async (_name, change, code) => {
    const plaintext = randomBytes(3 * CHUNK + 100);
    const source = write('secret.txt', plaintext);
    const { path: protectedPath } = await protectFile(source, key, license);
    rmSync(source);
    writeFileSync(protectedPath, change(readFileSync(protectedPath)));
    await expect(unprotectFile(protectedPath, key)).rejects.toEqual(fails(code));
    expect(readdirSync(dir)).toEqual(['secret.ptxt']);
  });

  it('fails cleanly when the input shrinks under a read-ahead, instead of crashing the process', async () => {
    const source = write('shrinking.txt', randomBytes(8 * CHUNK));
    // Cut the file when the first chunk is sealed: reads ahead are in flight or yet to come.
    const seal = SegmentCipher.prototype.sealAsync;
    const spy = jest.spyOn(SegmentCipher.prototype, 'sealAsync').mockImplementation(function (this: SegmentCipher, ...args) {
      if (spy.mock.calls.length === 1) truncateSync(source, CHUNK);
      return seal.apply(this, args);
    });
    try {
      await expect(protectFile(source, key, license)).rejects.toEqual(fails('IO_ERROR'));
    } finally {
      spy.mockRestore();
    }
    expect(readdirSync(dir)).toEqual(['shrinking.txt']);
  });

  it('refuses FIFOs and devices without waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    await expect(protectFile(fifo, key, license)).rejects.toEqual(fails('INVALID_ARGUMENT'));
    await expect(fileProtectionStatus(fifo)).rejects.toEqual(fails('INVALID_ARGUMENT'));
    await expect(readFileLicense('/dev/zero')).rejects.toEqual(fails('INVALID_ARGUMENT'));
  });

  it('leaves no output when aborted, before or during the run', async () => {
    const source = write('big.txt', randomBytes(64 * 1024 * 1024));
    const before = new AbortController();
    before.abort();
    await expect(protectFile(source, key, license, { signal: before.signal })).rejects.toEqual(fails('ABORTED'));
    const during = new AbortController();
    const run = protectFile(source, key, license, { signal: during.signal });
    setTimeout(() => during.abort(), 20);
    await expect(run).rejects.toEqual(fails('ABORTED'));
    expect(readdirSync(dir)).toEqual(['big.txt']);
  });

  it('leaves no output file when the process is killed mid-write', async () => {
    const source = write('huge.txt', randomBytes(256 * 1024 * 1024));
    const script = `
      const { protectFile, SecretKey } = require(${JSON.stringify(ROOT)});
      protectFile(${JSON.stringify(source)}, SecretKey.generate(), Buffer.from('l')).then(() => process.exit(3));
      setTimeout(() => process.stdout.write('started\\n'), 30);`;
    requireBuilt();
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The output was an unnamed O_TMPFILE file: nothing at all is left in the folder.
    expect(readdirSync(dir)).toEqual(['huge.txt']);
    expect(statSync(source).size).toBe(256 * 1024 * 1024);
  });
});

describe('protectFile / unprotectFile where O_TMPFILE is missing (other platforms, some file systems)', () => {
  const key = SecretKey.generate();
  beforeEach(() => jest.spyOn(native, 'openAnonymousFile').mockResolvedValue(-osConstants.errno.EOPNOTSUPP));
  afterEach(() => jest.restoreAllMocks());

  it('writes through a hidden named file, and removes it on failure', async () => {
    const plaintext = randomBytes(CHUNK + 5);
    const source = write('a.txt', plaintext);
    const { path: protectedPath } = await protectFile(source, key, license);
    expect(readdirSync(dir).sort()).toEqual(['a.ptxt', 'a.txt']);
    await expect(protectFile(source, key, license)).rejects.toEqual(fails('FILE_EXISTS'));
    await protectFile(source, key, license, { overwrite: true });
    rmSync(source);
    const bad = readFileSync(protectedPath);
    bad[bad.length - 1]! ^= 1;
    writeFileSync(protectedPath, bad);
    await expect(unprotectFile(protectedPath, key)).rejects.toEqual(fails('DECRYPTION_FAILED'));
    expect(readdirSync(dir)).toEqual(['a.ptxt']);
    expect(native.openAnonymousFile).toHaveBeenCalled();
  });
});

describe('isProtected / fileProtectionStatus / readFileLicense', () => {
  const key = SecretKey.generate();
  const msft = ['CleanAlice.txt.pfile', 'android_template_01.ptxt', 'rmsSharingAliceTest.ptxt'];

  it('tells plain files, openrms files and other issuers\' files apart', async () => {
    const plain = write('plain.txt', Buffer.from('hello'));
    const empty = write('empty', Buffer.alloc(0));
    const { path: ours } = await protectFile(plain, key, license);
    expect(await fileProtectionStatus(plain)).toBe('not-protected');
    expect(await fileProtectionStatus(empty)).toBe('not-protected');
    expect(await isProtected(plain)).toBe(false);
    expect(await fileProtectionStatus(ours)).toBe('protected');
    expect(await isProtected(ours)).toBe(true);
    for (const name of msft) {
      expect(await fileProtectionStatus(path.join(TESTDATA_DIR, 'msft-pfile', name))).toBe('protected-by-other-issuer');
    }
  });

  it('reads the license without the content, and refuses what is not protected', async () => {
    const { path: ours } = await protectFile(write('a.txt', randomBytes(100)), key, license);
    expect((await readFileLicense(ours)).equals(license)).toBe(true);
    for (const name of msft) {
      const file = path.join(TESTDATA_DIR, 'msft-pfile', name);
      expect((await readFileLicense(file)).equals(parsePfile(readFileSync(file)).license.bytes)).toBe(true);
    }
    await expect(readFileLicense(path.join(dir, 'a.txt'))).rejects.toEqual(fails('FILE_IS_NOT_ENCRYPTED'));
    await expect(readFileLicense(path.join(dir, 'none'))).rejects.toEqual(fails('FILE_NOT_FOUND'));
  });

  it('refuses a protected file whose header lies', async () => {
    const { path: ours } = await protectFile(write('a.txt', randomBytes(100)), key, license);
    const bad = readFileSync(ours);
    // The offset table follows the notice; its second field is the extension's offset.
    const table = 18 + bad.readUInt32LE(14);
    bad.writeUInt32LE(0xfffffff0, table + 4);
    writeFileSync(ours, bad);
    await expect(fileProtectionStatus(ours)).rejects.toEqual(fails('INVALID_FORMAT'));
  });
});
