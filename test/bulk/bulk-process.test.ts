/**
 * Bulk runs in processes of their own (the compiled package), as the CLI runs them: killed
 * with SIGKILL at random moments and run again, with and without in-place replacement; and
 * run without the privilege to read a file.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { randomBytes, RmsClient } from '../../lib';
import { protectedFileName } from '../../lib/format/file-names';
import { BulkProcessConfig, runBulkProcess } from '../support/bulk-process';
import { listTree, writeTree } from '../support/file-tree';
import { startTestService, TestService } from '../support/licensing-service';
import { SeededRandom } from '../support/seeded-random';

const ALICE = 'alice@contoso.com';
const MiB = 1024 * 1024;
const GRANTS = [{ who: 'bob@contoso.com', rights: ['VIEW'] }];
const storeOfAlice = () => path.join(t.root, 'users', ALICE);

let t: TestService;
let alice: RmsClient;
let dir: string;

beforeAll(async () => {
  t = await startTestService();
  await t.addUser(ALICE);
  alice = await t.signIn(ALICE);
});
afterAll(async () => {
  alice.close();
  await t.cleanup();
});
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-bulk-process-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Large files (several chunks each) met first, then small ones in nested folders: a kill after
 * a few small files lands while the large ones are being written.
 */
function makeTree(random: SeededRandom): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let k = 0; k < 3; k++) files[`a-large/part${k}.bin`] = randomBytes(12 * MiB + random.below(MiB));
  for (let k = 0; k < 24; k++) files[`d${k % 3}/sub${k % 2}/file ${k}.txt`] = randomBytes(random.below(6000));
  writeTree(dir, files);
  return files;
}

/** What alice reads in the protected file `file`. */
async function opened(file: string): Promise<Buffer> {
  const { plaintext, license } = await alice.unprotectBuffer(readFileSync(file));
  license.close();
  return plaintext;
}

/**
 * The state a killed run may leave: every original is intact or (in place) replaced by a
 * complete protected file that opens to it; no name is there that is neither; every protected
 * file present is complete and opens to its original.
 */
async function checkState(originals: Record<string, Buffer>, inPlace: boolean): Promise<{ done: number }> {
  const outputs = new Map(Object.keys(originals).map((name) => [protectedFileName(name), name]));
  let done = 0;
  for (const name of listTree(dir)) {
    const original = outputs.get(name);
    if (original !== undefined) {
      expect({ name, opensToOriginal: (await opened(path.join(dir, name))).equals(originals[original]!) }).toEqual({ name, opensToOriginal: true });
      done++;
    } else {
      expect({ name, intactInput: originals[name]?.equals(readFileSync(path.join(dir, name))) }).toEqual({ name, intactInput: true });
    }
  }
  for (const name of Object.keys(originals)) {
    const kept = existsSync(path.join(dir, name));
    const replaced = existsSync(path.join(dir, protectedFileName(name)));
    expect({ name, present: inPlace ? kept || replaced : kept }).toEqual({ name, present: true });
  }
  return { done };
}

async function killAndRerun(seed: number, inPlace: boolean): Promise<void> {
  const random = new SeededRandom(seed);
  const originals = makeTree(random);
  const count = Object.keys(originals).length;
  const config: BulkProcessConfig = { operation: 'protect', store: storeOfAlice(), paths: [dir], grants: GRANTS, inPlace, jobs: 4 };
  // Moments: a few milliseconds after start (often before any file), then after k files settled.
  const moments = [{ killAfterMs: 50 + random.below(400) }, ...[1, 2, 3].map(() => ({ killAfterFiles: 1 + random.below(count / 3) }))];
  let killedMidRun = 0;
  for (const moment of moments) {
    const run = await runBulkProcess(config, 'killAfterMs' in moment
      ? { killAfterMs: moment.killAfterMs }
      : { killAfter: (files) => files >= moment.killAfterFiles });
    if (run.summary === null) {
      expect(run.signal).toBe('SIGKILL');
      killedMidRun++;
    }
    await checkState(originals, inPlace);
  }
  expect(killedMidRun).toBeGreaterThanOrEqual(3);
  // The same command again finishes the job, protecting each file exactly once.
  const finish = await runBulkProcess(config);
  expect(finish.summary).toMatchObject({ failed: 0 });
  expect(await checkState(originals, inPlace)).toEqual({ done: count });
  const expected = Object.keys(originals).map(protectedFileName);
  expect(listTree(dir)).toEqual((inPlace ? expected : [...expected, ...Object.keys(originals)]).sort());
  const again = await runBulkProcess(config);
  expect(again.summary).toMatchObject({ protected: 0, failed: 0 });
}

describe('a bulk run killed with SIGKILL', () => {
  it('leaves every input intact and no partial output; run again, it protects each file once', async () => {
    await killAndRerun(13, false);
  }, 180000);

  it('in place: every original is intact or replaced by a complete protected file; run again, it finishes the replacement', async () => {
    await killAndRerun(31, true);
  }, 180000);
});

describe('a bulk run without the privilege to read a file', () => {
  it('fails that file with IO_ERROR, naming it, and protects the others', async () => {
    writeTree(dir, { 'r1.txt': 'one', 'secret.txt': 'no reading', 'r2.txt': 'two' });
    chmodSync(path.join(dir, 'secret.txt'), 0o000);
    // root reads any file: as root, the run gets a bounding set without the two capabilities that allow it (util-linux setpriv).
    const command = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--'] : [];
    const run = await runBulkProcess({ operation: 'protect', store: storeOfAlice(), paths: [dir], grants: GRANTS }, { command });
    expect(run.stderr).toBe('');
    const byName = Object.fromEntries(run.files.map((f) => [path.basename(f.file), f]));
    expect(byName['secret.txt']).toMatchObject({ outcome: 'failed', code: 'IO_ERROR', reason: expect.stringContaining('secret.txt') });
    expect(byName['r1.txt']).toMatchObject({ outcome: 'protected' });
    expect(byName['r2.txt']).toMatchObject({ outcome: 'protected' });
    expect(run.summary).toMatchObject({ protected: 2, failed: 1 });
    chmodSync(path.join(dir, 'secret.txt'), 0o600);
    expect(readFileSync(path.join(dir, 'secret.txt'), 'utf8')).toBe('no reading');
    expect(existsSync(path.join(dir, 'secret.ptxt'))).toBe(false);
  });
});
