/**
 * Bulk unprotection against a real licensing service: one request to the service per
 * publishing license however many files share it, plain copies that are the originals,
 * files that are not protected or whose rights do not allow a plain copy, in-place
 * replacement and reruns.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { randomBytes, RmsClient } from '../../lib';
import { BulkEvent, BulkFileResult, BulkOptions, runBulk } from '../../lib/bulk';
import { digestTree, listTree, writeTree } from '../support/file-tree';
import { startTestService, TestService } from '../support/licensing-service';

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';

let t: TestService;
let alice: RmsClient;
let bob: RmsClient;
let dir: string;

beforeAll(async () => {
  t = await startTestService();
  await t.addUser(ALICE);
  await t.addUser(BOB);
  alice = await t.signIn(ALICE);
  bob = await t.signIn(BOB);
});
afterAll(async () => {
  alice.close();
  bob.close();
  await t.cleanup();
});
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-bulk-un-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Use licenses the service issued. */
function useLicenseRequests(): number {
  return t.logs.filter((e) => e.event === 'request' && e.path === '/_wmcs/licensing/eul').length;
}

async function run(client: RmsClient, operation: 'protect' | 'unprotect', paths: string[], o: Partial<BulkOptions> = {}) {
  const files: BulkFileResult[] = [];
  const summary = await runBulk(client, {
    operation, paths, recursive: true, onEvent: (e: BulkEvent) => { if (e.type === 'file') files.push(e); }, ...o,
  });
  return { summary, byName: Object.fromEntries(files.map((f) => [path.relative(dir, f.file), f])) };
}

/** A tree of `count` files protected by alice under one license (one PL), originals removed. */
async function protectedTree(count: number, grants: { who: string; rights: string[] }[], offlineDays: number): Promise<Record<string, Buffer>> {
  const originals: Record<string, Buffer> = {};
  for (let k = 0; k < count; k++) originals[`f${k % 3}/doc ${k}.txt`] = randomBytes(100 + 997 * k);
  writeTree(dir, originals);
  const license = alice.createLicense({ grants, autoGrantOwner: true, offlineDays });
  const { summary } = await run(alice, 'protect', [dir], { inPlace: true, license: () => license });
  expect(summary).toMatchObject({ protected: count, failed: 0 });
  return originals;
}

describe('bulk unprotect', () => {
  it('asks the service once for many files under one publishing license, even with no offline use and files in flight at once', async () => {
    // offlineDays 0: no use license is kept on disk, so only the run's own cache can spare the requests.
    const originals = await protectedTree(12, [{ who: BOB, rights: ['VIEW', 'EXPORT'] }], 0);
    const out = path.join(dir, '..', `${path.basename(dir)}-out`);
    const before = useLicenseRequests();
    try {
      const { summary } = await run(bob, 'unprotect', [dir], { jobs: 4, outputDir: out });
      expect(summary).toMatchObject({ unprotected: 12, failed: 0, skipped: 0 });
      expect(useLicenseRequests() - before).toBe(1);
      expect(digestTree(out)).toEqual(digestTree(originals));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('fails each file with RIGHT_NOT_GRANTED when the license does not allow a plain copy (EXPORT), asking once, writing nothing', async () => {
    await protectedTree(4, [{ who: BOB, rights: ['VIEW'] }], 0);
    const before = useLicenseRequests();
    const { summary, byName } = await run(bob, 'unprotect', [dir]);
    expect(summary).toMatchObject({ unprotected: 0, failed: 4 });
    expect(Object.values(byName).every((f) => f.code === 'RIGHT_NOT_GRANTED')).toBe(true);
    expect(useLicenseRequests() - before).toBe(1);
    expect(listTree(dir).every((name) => name.endsWith('.ptxt'))).toBe(true);
  });

  it('skips files that are not protected', async () => {
    writeTree(dir, { 'plain.txt': 'plain' });
    const { byName } = await run(alice, 'unprotect', [dir]);
    expect(byName['plain.txt']).toMatchObject({ outcome: 'skipped', reason: 'not protected' });
  });

  it('in place: replaces each protected file by its original; run again, does nothing', async () => {
    const originals = await protectedTree(5, [{ who: BOB, rights: ['VIEW'] }], 30);
    const first = await run(alice, 'unprotect', [dir], { inPlace: true });
    expect(first.summary).toMatchObject({ unprotected: 5, failed: 0 });
    expect(digestTree(dir)).toEqual(digestTree(originals));
    const again = await run(alice, 'unprotect', [dir], { inPlace: true });
    expect(again.summary).toMatchObject({ unprotected: 0, failed: 0, skipped: 5 });
  });

  it('run again beside its outputs, recognises each finished plain copy and skips its protected file', async () => {
    await protectedTree(3, [{ who: BOB, rights: ['VIEW'] }], 30);
    await run(alice, 'unprotect', [dir]);
    const after = digestTree(dir);
    const { summary, byName } = await run(alice, 'unprotect', [dir]);
    expect(summary).toMatchObject({ unprotected: 0, failed: 0 });
    expect(byName[path.join('f0', 'doc 0.ptxt')]).toMatchObject({ outcome: 'skipped', reason: 'already unprotected by an earlier run' });
    expect(digestTree(dir)).toEqual(after);
    expect(readFileSync(path.join(dir, 'f0', 'doc 0.txt')).length).toBe(100);
  });
});
