/**
 * Bulk protection of real trees against a real licensing service: what is protected, what is
 * skipped and why, what fails and that the run goes on, reruns that finish the job and touch
 * nothing twice, outputs in another folder, links, in-place replacement and its verification.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LicenseDescriptor, RmsClient, randomBytes } from '../../lib';
import { BulkEvent, BulkFileResult, BulkOptions, BulkProgress, runBulk, walkPaths } from '../../lib/bulk';
import { digest, digestTree, listTree, readTree, writeTree } from '../support/file-tree';
import { startTestService, TestService } from '../support/licensing-service';

const ALICE = 'alice@contoso.com';

let t: TestService;
let alice: RmsClient;
let license: LicenseDescriptor;
let dir: string;

beforeAll(async () => {
  t = await startTestService();
  await t.addUser(ALICE);
  // `.exe` is blocked by the administrator (FileProtection\exe\Encryption = Off).
  alice = await t.signIn(ALICE, { settings: { fileProtection: { exe: 'Off' } } });
  license = alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true });
});
afterAll(async () => {
  alice.close();
  await t.cleanup();
});
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-bulk-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a bulk protect of `paths` with alice's license; returns the summary and every event. */
async function protect(paths: string[], o: Partial<BulkOptions> = {}) {
  const events: BulkEvent[] = [];
  const summary = await runBulk(alice, {
    operation: 'protect', paths, recursive: true, license: () => license, ...o,
    onEvent: (e) => {
      events.push(e);
      o.onEvent?.(e);
    },
  });
  const files = events.filter((e): e is BulkEvent & { type: 'file' } => e.type === 'file');
  const byName = Object.fromEntries(files.map((f) => [path.relative(dir, f.file), f as BulkFileResult]));
  const progress = events.filter((e): e is BulkEvent & { type: 'progress' } => e.type === 'progress') as BulkProgress[];
  return { summary, files, byName, progress };
}

/** What alice reads in the protected file `file`. */
async function opened(file: string): Promise<Buffer> {
  const { plaintext, license: content } = await alice.unprotectBuffer(readFileSync(file));
  content.close();
  return plaintext;
}

const TREE = {
  'a.txt': 'alpha',
  'empty.txt': '',
  'with space.txt': 'spaced out',
  'ünïcødé 文件.md': 'unicode names',
  'nested/report.docx': randomBytes(70000),
  'nested/deeper/deep.txt': 'deep down',
  'tool.exe': 'MZ blocked',
};
const OUTPUTS: Record<string, string> = {
  'a.txt': 'a.ptxt', 'empty.txt': 'empty.ptxt', 'with space.txt': 'with space.ptxt', 'ünïcødé 文件.md': 'ünïcødé 文件.md.pfile',
  'nested/report.docx': 'nested/report.docx.pfile', 'nested/deeper/deep.txt': 'nested/deeper/deep.ptxt',
};

describe('bulk protect over a tree', () => {
  beforeEach(async () => {
    writeTree(dir, TREE);
    // A file protected before the run, a link, and a FIFO (which must not hang the run).
    writeTree(dir, { 'already.ptxt': await alice.protectBuffer(Buffer.from('done before'), license, { originalExtension: '.txt' }) });
    symlinkSync('a.txt', path.join(dir, 'link.txt'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  });

  it('protects every file of nested folders, unicode and spaces and empty ones included, each to a file that opens to its original', async () => {
    const before = readTree(dir);
    const { summary, byName } = await protect([dir], { jobs: 3 });
    for (const [input, output] of Object.entries(OUTPUTS)) {
      expect(byName[input]).toMatchObject({ outcome: 'protected', output: path.join(dir, output), bytes: before[input]!.length });
      expect(digest(await opened(path.join(dir, output)))).toBe(digest(before[input]!));
    }
    expect(summary).toMatchObject({ operation: 'protect', protected: 6, unprotected: 0, skipped: 4, failed: 0, aborted: false });
    expect(summary.bytes).toBe(Object.keys(OUTPUTS).reduce((sum, input) => sum + before[input]!.length, 0));
    // The originals are untouched, and nothing but the outputs was added.
    expect(digestTree(dir)).toMatchObject(digestTree(before));
    expect(listTree(dir)).toEqual([...Object.keys(before), 'link.txt', 'pipe', ...Object.values(OUTPUTS)].sort());
  });

  it('skips, with the reason, a protected file, a type the administrator blocks, a link and a FIFO', async () => {
    const { byName } = await protect([dir]);
    expect(byName['already.ptxt']).toMatchObject({ outcome: 'skipped', reason: 'already protected' });
    expect(byName['tool.exe']).toMatchObject({ outcome: 'skipped', code: 'FILE_ENCRYPT_BLOCKED', reason: expect.stringContaining('tool.exe') });
    expect(byName['link.txt']).toMatchObject({ outcome: 'skipped', reason: 'a symbolic link (not followed)' });
    expect(byName['pipe']).toMatchObject({ outcome: 'skipped', reason: 'not a regular file' });
    expect(existsSync(path.join(dir, 'tool.exe.pfile'))).toBe(false);
    expect(existsSync(path.join(dir, 'already.ptxt.pfile'))).toBe(false);
  });

  it('run again, protects nothing twice: each finished output is recognised and its input skipped', async () => {
    await protect([dir]);
    const after = digestTree(dir);
    const { summary, byName } = await protect([dir]);
    expect(summary).toMatchObject({ protected: 0, failed: 0, skipped: 4 + 2 * Object.keys(OUTPUTS).length });
    for (const [input, output] of Object.entries(OUTPUTS)) {
      expect(byName[input]).toMatchObject({ outcome: 'skipped', reason: 'already protected by an earlier run', output: path.join(dir, output) });
      expect(byName[output]).toMatchObject({ outcome: 'skipped', reason: 'already protected' });
    }
    expect(digestTree(dir)).toEqual(after);
  });

  it('reports progress: files and bytes done up to the totals counted beside the run', async () => {
    const { progress, files } = await protect([dir]);
    const last = progress[progress.length - 1]!;
    expect(last).toMatchObject({ filesDone: files.length, filesTotal: files.length, etaSeconds: 0 });
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.bytesDone).toBeGreaterThan(70000);
    for (let k = 1; k < progress.length; k++) expect(progress[k]!.filesDone).toBeGreaterThanOrEqual(progress[k - 1]!.filesDone);
  });
});

describe('bulk protect failures', () => {
  it('a missing PATH and a folder given without recursive fail by name with their code; the other PATHs are protected', async () => {
    writeTree(dir, { 'f1.txt': 'one', 'folder/inside.txt': 'in', 'f3.txt': 'three' });
    const paths = ['f1.txt', 'missing.txt', 'folder', 'f3.txt'].map((p) => path.join(dir, p));
    const { summary, byName } = await protect(paths, { recursive: false });
    expect(byName['f1.txt']).toMatchObject({ outcome: 'protected' });
    expect(byName['f3.txt']).toMatchObject({ outcome: 'protected' });
    expect(byName['missing.txt']).toMatchObject({ outcome: 'failed', code: 'FILE_NOT_FOUND', reason: expect.stringContaining('missing.txt') });
    expect(byName['folder']).toMatchObject({ outcome: 'failed', code: 'INVALID_ARGUMENT' });
    expect(summary).toMatchObject({ protected: 2, failed: 2 });
    expect(existsSync(path.join(dir, 'folder', 'inside.ptxt'))).toBe(false);
  });

  it('a file that disappears mid-run fails with FILE_NOT_FOUND, and the files after it are protected', async () => {
    writeTree(dir, { 'e1.txt': '1', 'e2.txt': '2', 'e3.txt': '3', 'e4.txt': '4' });
    let deleted = false;
    const { byName, summary } = await protect([dir], {
      jobs: 1,
      onEvent: (e) => {
        // When the first file is done, the walk has met e3 but the run has not opened it yet.
        if (e.type === 'file' && !deleted) {
          deleted = true;
          unlinkSync(path.join(dir, 'e3.txt'));
        }
      },
    });
    expect(byName['e3.txt']).toMatchObject({ outcome: 'failed', code: 'FILE_NOT_FOUND', reason: expect.stringContaining('e3.txt') });
    for (const name of ['e1.txt', 'e2.txt', 'e4.txt']) expect(byName[name]).toMatchObject({ outcome: 'protected' });
    expect(summary).toMatchObject({ protected: 3, failed: 1 });
  });

  it('an output name held by something else fails FILE_EXISTS and leaves that file alone', async () => {
    writeTree(dir, { 'b.txt': 'bee', 'b.ptxt': 'not a protected file' });
    const { byName } = await protect([path.join(dir, 'b.txt')]);
    expect(byName['b.txt']).toMatchObject({ outcome: 'failed', code: 'FILE_EXISTS', reason: expect.stringContaining('b.ptxt') });
    expect(readFileSync(path.join(dir, 'b.ptxt'), 'utf8')).toBe('not a protected file');
  });

  it('an output older than its input (the input changed since) is not taken as done', async () => {
    writeTree(dir, { 'c.txt': 'first version' });
    await protect([dir]);
    // The same size, so only the times tell; set ahead, as file times are only as fine as the kernel's clock tick.
    writeTree(dir, { 'c.txt': 'other version' });
    const later = new Date(Date.now() + 60000);
    utimesSync(path.join(dir, 'c.txt'), later, later);
    const { byName } = await protect([path.join(dir, 'c.txt')]);
    expect(byName['c.txt']).toMatchObject({ outcome: 'failed', code: 'FILE_EXISTS' });
  });

  it('stops taking files when its signal aborts, and says so', async () => {
    writeTree(dir, { 'x1.txt': '1', 'x2.txt': '2', 'x3.txt': '3' });
    const controller = new AbortController();
    const { summary } = await protect([dir], { jobs: 1, signal: controller.signal, onEvent: (e) => { if (e.type === 'file') controller.abort(); } });
    expect(summary).toMatchObject({ protected: 1, aborted: true });
    expect(listTree(dir)).toEqual(['x1.ptxt', 'x1.txt', 'x2.txt', 'x3.txt']);
  });
});

describe('bulk protect choices', () => {
  it('asks the license for each file, with its path relative to the PATH, its size and its first bytes, and skips what it says to skip', async () => {
    writeTree(dir, { 'public/readme.txt': 'anyone', 'secret/plan.txt': 'CONFIDENTIAL: the plan' });
    const asked: string[] = [];
    const { byName } = await protect([dir], {
      license: async (file) => {
        asked.push(`${file.relativePath} ${file.size} ${(await file.head(12)).toString()}`);
        return file.relativePath.startsWith('public') ? { skip: 'public (no rule)' } : license;
      },
    });
    expect(asked.sort()).toEqual([`${path.join('public', 'readme.txt')} 6 anyone`, `${path.join('secret', 'plan.txt')} 22 CONFIDENTIAL`]);
    expect(byName[path.join('public', 'readme.txt')]).toMatchObject({ outcome: 'skipped', reason: 'public (no rule)' });
    expect(byName[path.join('secret', 'plan.txt')]).toMatchObject({ outcome: 'protected' });
  });

  it('serializes one descriptor once: the files given it share one content ID', async () => {
    writeTree(dir, { 's1.txt': '1', 's2.txt': '2', 's3.txt': '3' });
    const other = alice.createLicense({ grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true });
    const { files } = await protect([dir], { license: (file) => (file.relativePath === 's3.txt' ? other : license) });
    const ids = Object.fromEntries(files.map((f) => [path.basename(f.file), f.contentId]));
    expect(ids['s1.txt']).toBe(ids['s2.txt']);
    expect(ids['s3.txt']).not.toBe(ids['s1.txt']);
  });

  it('writes outputs under outputDir mirroring the tree, and never walks into it when it lies inside the tree', async () => {
    writeTree(dir, { 'top.txt': 'top', 'sub/inner.txt': 'inner' });
    const out = path.join(dir, 'protected');
    const first = await protect([dir], { outputDir: out });
    expect(first.summary).toMatchObject({ protected: 2, skipped: 0, failed: 0 });
    expect(listTree(out)).toEqual(['sub/inner.ptxt', 'top.ptxt']);
    expect((await opened(path.join(out, 'sub', 'inner.ptxt'))).toString()).toBe('inner');
    const again = await protect([dir], { outputDir: out });
    expect(again.summary).toMatchObject({ protected: 0, skipped: 2, failed: 0 });
  });

  it('follows links when asked, entering no folder twice: a link to a parent folder makes no loop', async () => {
    writeTree(dir, { 'real/x.txt': 'x', 'outside.txt': 'linked' });
    symlinkSync('..', path.join(dir, 'real', 'up'));
    symlinkSync(path.join(dir, 'outside.txt'), path.join(dir, 'real', 'alias.txt'));
    const { byName, summary } = await protect([path.join(dir, 'real')], { followSymlinks: true });
    // real/up leads back to dir, whose real/ was already walked: outside.txt is met once, through it.
    expect(byName[path.join('real', 'x.txt')]).toMatchObject({ outcome: 'protected' });
    expect(byName[path.join('real', 'alias.txt')]).toMatchObject({ outcome: 'protected', output: path.join(dir, 'real', 'alias.ptxt') });
    expect(byName[path.join('real', 'up', 'outside.txt')]).toMatchObject({ outcome: 'protected' });
    expect(summary).toMatchObject({ protected: 3, failed: 0 });
  });

  it('meets the files of a tree in the same order on every walk: each folder sorted, depth first', async () => {
    writeTree(dir, { 'b/2.txt': '', 'b/1.txt': '', 'a.txt': '', 'c.txt': '', 'b/a/z.txt': '' });
    const walked = async () => {
      const names: string[] = [];
      for await (const entry of walkPaths([dir], { recursive: true })) names.push(entry.relativePath);
      return names;
    };
    const order = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/a/z.txt', 'c.txt'].map((p) => p.split('/').join(path.sep));
    expect(await walked()).toEqual(order);
    expect(await walked()).toEqual(order);
  });
});

describe('bulk protect in place', () => {
  it('replaces each original by its protected file, which opens to the original', async () => {
    writeTree(dir, { 'one.txt': 'first', 'sub/two.bin': randomBytes(200000) });
    const before = readTree(dir);
    const { summary } = await protect([dir], { inPlace: true });
    expect(summary).toMatchObject({ protected: 2, failed: 0 });
    expect(listTree(dir)).toEqual(['one.ptxt', 'sub/two.bin.pfile']);
    expect(digest(await opened(path.join(dir, 'one.ptxt')))).toBe(digest(before['one.txt']!));
    expect(digest(await opened(path.join(dir, 'sub', 'two.bin.pfile')))).toBe(digest(before['sub/two.bin']!));
  });

  it('keeps an original that changed while it was protected, removes its copy, and fails it with IO_ERROR', async () => {
    // Large enough for several chunks: the first progress report comes while it is being read.
    const big = randomBytes(24 * 1024 * 1024);
    writeTree(dir, { 'big.bin': big, 'small.txt': 'small' });
    let changed = false;
    const { byName } = await protect([dir], {
      inPlace: true, jobs: 1,
      onEvent: (e) => {
        if (e.type === 'progress' && e.filesDone === 0 && e.bytesDone > 0 && !changed) {
          changed = true;
          const fd = openSync(path.join(dir, 'big.bin'), 'r+');
          writeSync(fd, Buffer.from('changed meanwhile'), 0, 17, 0);
          closeSync(fd);
        }
      },
    });
    expect(changed).toBe(true);
    expect(byName['big.bin']).toMatchObject({ outcome: 'failed', code: 'IO_ERROR', reason: expect.stringContaining('big.bin') });
    expect(readFileSync(path.join(dir, 'big.bin')).subarray(0, 17).toString()).toBe('changed meanwhile');
    expect(byName['small.txt']).toMatchObject({ outcome: 'protected' });
    expect(listTree(dir)).toEqual(['big.bin', 'small.ptxt']);
  });

  it('finishes what a stopped run left: a complete protected file beside its original is opened, compared, and the original removed', async () => {
    writeTree(dir, { 'r.txt': 'left behind' });
    await protect([dir]);
    const { byName } = await protect([dir], { inPlace: true });
    expect(byName['r.txt']).toMatchObject({ outcome: 'protected', output: path.join(dir, 'r.ptxt'), reason: expect.stringContaining('earlier run') });
    expect(listTree(dir)).toEqual(['r.ptxt']);
    expect((await opened(path.join(dir, 'r.ptxt'))).toString()).toBe('left behind');
  });

  it('never removes an original that the protected file beside it does not open to', async () => {
    writeTree(dir, { 'r.txt': 'version one' });
    await protect([dir]);
    // Another content of the same size, dated before the protected file: only opening it tells.
    writeTree(dir, { 'r.txt': 'version two' });
    const earlier = new Date(Date.now() - 3600000);
    utimesSync(path.join(dir, 'r.txt'), earlier, earlier);
    const { byName } = await protect([dir], { inPlace: true });
    expect(byName['r.txt']).toMatchObject({ outcome: 'failed', code: 'FILE_EXISTS' });
    expect(readFileSync(path.join(dir, 'r.txt'), 'utf8')).toBe('version two');
    expect((await opened(path.join(dir, 'r.ptxt'))).toString()).toBe('version one');
  });

  it('refuses outputDir with inPlace, naming the option', async () => {
    await expect(runBulk(alice, { operation: 'protect', paths: [dir], inPlace: true, outputDir: path.join(dir, 'out'), license: () => license }))
      .rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'options.outputDir' });
  });
});
