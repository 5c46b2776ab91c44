/**
 * A bulk run over a tree someone else can write to, as an attacker would try it: links and
 * folders swapped in while the run is under way (after the walk listed their folder, or after
 * the job looked at the file), and outputs that collide. The swaps are made at fixed points of
 * the run through its own callbacks (the event of the file before, the license callback of the
 * file itself), so each race is met every time. Nothing outside the tree may be read into it,
 * written, or removed.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LicenseDescriptor, RmsClient } from '../../lib';
import { BulkEvent, BulkFileResult, BulkOptions, runBulk } from '../../lib/bulk';
import { digestTree, listTree, writeTree } from '../support/file-tree';
import { startTestService, TestService } from '../support/licensing-service';

const ALICE = 'alice@contoso.com';
const SECRET = 'the payroll of everyone';

let t: TestService;
let alice: RmsClient;
let license: LicenseDescriptor;
let dir: string;
let outside: string;

beforeAll(async () => {
  t = await startTestService();
  await t.addUser(ALICE);
  alice = await t.signIn(ALICE);
  license = alice.createLicense({ grants: [{ who: 'mallory@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true });
});
afterAll(async () => {
  alice.close();
  await t.cleanup();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-attack-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'openrms-outside-'));
  writeTree(outside, { 'secret.txt': SECRET });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/**
 * A run with one job (files met one after the other, in name order); `onFile(name)` runs when
 * the file `name` (relative to dir) has settled, before the walk takes the next entry.
 */
async function run(operation: 'protect' | 'unprotect', o: Partial<BulkOptions> & { onFile?: (name: string) => void } = {}) {
  const files: BulkFileResult[] = [];
  const summary = await runBulk(alice, {
    operation, paths: [dir], recursive: true, jobs: 1, license: () => license, ...o,
    onEvent: (e: BulkEvent) => {
      if (e.type !== 'file') return;
      files.push(e);
      o.onFile?.(path.relative(dir, e.file));
    },
  });
  return { summary, byName: Object.fromEntries(files.map((f) => [path.relative(dir, f.file), f])) };
}

/** Replaces `name` in dir by a symbolic link to `target`. */
function swapForLink(name: string, target: string): void {
  rmSync(path.join(dir, name), { recursive: true, force: true });
  symlinkSync(target, path.join(dir, name));
}

/** What the protected files under dir open to, by name. */
async function openedTree(): Promise<Record<string, string>> {
  const opened: Record<string, string> = {};
  for (const name of listTree(dir).filter((n) => n.endsWith('.ptxt'))) {
    try {
      const { plaintext, license: content } = await alice.unprotectBuffer(readFileSync(path.join(dir, name)));
      content.close();
      opened[name] = plaintext.toString();
    } catch {
      // a link to a folder, or not a protected file: nothing it could carry out
    }
  }
  return opened;
}

describe('a link swapped in for a file after the walk listed its folder', () => {
  for (const inPlace of [false, true]) {
    it(`is not followed${inPlace ? ' in place' : ''}: the file behind it is neither protected into the tree nor touched`, async () => {
      writeTree(dir, { 'a.txt': 'alpha', 'b.txt': 'bravo' });
      const { byName } = await run('protect', { inPlace, onFile: (name) => { if (name === 'a.txt') swapForLink('b.txt', path.join(outside, 'secret.txt')); } });
      expect(byName['b.txt']).toMatchObject({ outcome: 'skipped', reason: 'a symbolic link (not followed)' });
      expect(Object.values(await openedTree())).not.toContain(SECRET);
      expect(listTree(dir)).toEqual(inPlace ? ['a.ptxt', 'b.txt'] : ['a.ptxt', 'a.txt', 'b.txt']);
      expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(SECRET);
    });
  }

  it('is not followed by unprotect: a protected file elsewhere is not written out in plain into the tree', async () => {
    writeTree(dir, { 'a.txt': 'alpha', 'b.txt': 'bravo' });
    writeTree(outside, { 'payroll.txt': SECRET });
    // The tree and the file elsewhere share one license, as the files of one bulk run do.
    await run('protect', { inPlace: true });
    await runBulk(alice, { operation: 'protect', paths: [path.join(outside, 'payroll.txt')], license: () => license, inPlace: true });
    const { byName } = await run('unprotect', { onFile: (name) => { if (name === 'a.ptxt') swapForLink('b.ptxt', path.join(outside, 'payroll.ptxt')); } });
    expect(byName['b.ptxt']).toMatchObject({ outcome: 'skipped', reason: 'a symbolic link (not followed)' });
    expect(listTree(dir)).toEqual(['a.ptxt', 'a.txt', 'b.ptxt']);
  });
});

describe('a link swapped in for a file after its job looked at it', () => {
  it('fails the file (IO_ERROR), protecting nothing from behind the link', async () => {
    writeTree(dir, { 'a.txt': 'alpha' });
    const { byName } = await run('protect', {
      license: (file) => {
        swapForLink(path.basename(file.path), path.join(outside, 'secret.txt'));
        return license;
      },
    });
    expect(byName['a.txt']).toMatchObject({ outcome: 'failed', code: 'IO_ERROR' });
    expect(listTree(dir)).toEqual(['a.txt']);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(SECRET);
  });
});

describe('a link swapped in for a folder after the walk listed its parent', () => {
  it('is not walked into: nothing outside the tree is protected, written or removed, even in place', async () => {
    writeTree(dir, { 'a.txt': 'alpha', 'sub/x.txt': 'inside' });
    const before = digestTree(outside);
    const { byName } = await run('protect', { inPlace: true, onFile: (name) => { if (name === 'a.txt') swapForLink('sub', outside); } });
    expect(byName['sub']).toMatchObject({ outcome: 'skipped', reason: 'a symbolic link (not followed)' });
    expect(Object.keys(byName).sort()).toEqual(['a.txt', 'sub']);
    expect(digestTree(outside)).toEqual(before);
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });
});

describe('outputs that collide', () => {
  it('does not take a different plain file of the right size at the output name for an earlier run\'s copy (two protected files, one name)', async () => {
    // a.ptxt and a.txt.pfile both unprotect to a.txt; the first one met writes it.
    writeTree(dir, {
      'a.ptxt': await alice.protectBuffer(Buffer.from('hello'), license, { originalExtension: '.txt' }),
      'a.txt.pfile': await alice.protectBuffer(Buffer.from('world'), license, { originalExtension: '.txt' }),
    });
    const { summary, byName } = await run('unprotect');
    expect(byName['a.ptxt']).toMatchObject({ outcome: 'unprotected', output: path.join(dir, 'a.txt') });
    expect(byName['a.txt.pfile']).toMatchObject({ outcome: 'failed', code: 'FILE_EXISTS' });
    expect(summary).toMatchObject({ unprotected: 1, failed: 1, skipped: 0 });
    expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('hello');
  });

  it('does not take a plain file someone put at the output name for an earlier run\'s copy', async () => {
    writeTree(dir, { 'r.ptxt': await alice.protectBuffer(Buffer.from('the real report'), license, { originalExtension: '.txt' }) });
    // Same size as the original, written after the protected file: what a finished copy looks like.
    writeFileSync(path.join(dir, 'r.txt'), 'a decoy report!');
    const { byName } = await run('unprotect');
    expect(byName['r.ptxt']).toMatchObject({ outcome: 'failed', code: 'FILE_EXISTS' });
    expect(readFileSync(path.join(dir, 'r.txt'), 'utf8')).toBe('a decoy report!');
  });
});

describe('a folder renamed away while the run is in it', () => {
  it('fails the files it no longer finds, goes on, and touches nothing at the new place', async () => {
    writeTree(dir, { 'sub/a.txt': 'alpha', 'sub/b.txt': 'bravo', 'z.txt': 'zulu' });
    mkdirSync(path.join(outside, 'moved'));
    const { summary, byName } = await run('protect', {
      inPlace: true,
      onFile: (name) => { if (name === path.join('sub', 'a.txt')) renameSync(path.join(dir, 'sub'), path.join(outside, 'moved', 'sub')); },
    });
    expect(byName[path.join('sub', 'b.txt')]).toMatchObject({ outcome: 'failed', code: 'FILE_NOT_FOUND' });
    expect(byName['z.txt']).toMatchObject({ outcome: 'protected' });
    expect(summary).toMatchObject({ protected: 2, failed: 1 });
    expect(listTree(path.join(outside, 'moved'))).toEqual(['sub/a.ptxt', 'sub/b.txt']);
    unlinkSync(path.join(outside, 'moved', 'sub', 'a.ptxt'));
  });
});
