/**
 * Attacks on what a client remembers it verified (issue 16 caches: verifyJws by key and token
 * digest, RmsClient's PLs by text, cached ULs by file stamp), against a real service. The holes
 * kept closed: PLs a publisher padded, and the ULs that carry their policy, filling a client's
 * memory (1,024 of either were over 100 MiB).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { RmsClient, SecretKey } from '../../lib';
import { publishOffline } from '../../lib/license';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { startTestService, TestService } from '../support/licensing-service';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Heap in use once garbage is collected (twice: weak references and finalizers settle on the second). */
function liveHeap(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** A PL `publisher` signs with the CLC it holds, for a new content key. */
function publishPadded(publisher: RmsClient, grants: { who: string; rights: string[] }[], offlineDays: number): string {
  const key = SecretKey.generate(32);
  try {
    return publishOffline({
      owner: publisher.identity, iat: Math.floor(Date.now() / 1000), contentKey: key,
      policy: { template: null, grants, contentValidUntil: null, offlineDays },
      wrappingKey: internals(publisher).slc.wrappingKey, urls: { intranet: null, extranet: null },
    }, internals(publisher).key(), internals(publisher).account.clc!);
  } finally {
    key.close();
  }
}

describe('memory a client keeps of the PLs it verified', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
  }, 60_000);
  afterAll(() => t.cleanup());

  it('does not keep tens of megabytes of PLs that a publisher padded to just under the per-PL limit', async () => {
    const alice = await t.signIn('alice@contoso.com');
    const bob = await t.signIn('bob@contoso.com');
    // About 60 KiB of sealed grants: a PL just under the 64 KiB a client remembers one of.
    const grants = Array.from({ length: 620 }, (_, i) => ({ who: `reader-${String(i).padStart(5, '0')}@contoso.com`, rights: ['VIEW'] }));
    const publish = (): string => publishPadded(alice, grants, 0);
    const sample = publish();
    expect(sample.length).toBeGreaterThan(56 * 1024);
    expect(sample.length).toBeLessThan(64 * 1024);
    // Offline only, bob's open stops at the missing cached UL: each PL is verified, and then refused.
    expect(await codeOf(bob.getContentKey(sample, { offlineOnly: true }))).toBe('NEEDS_ONLINE');

    const before = liveHeap();
    for (let i = 0; i < 1024; i += 1) {
      expect(await codeOf(bob.getContentKey(publish(), { offlineOnly: true }))).toBe('NEEDS_ONLINE');
    }
    const kept = liveHeap() - before;
    // 1,024 such PLs are 60 MiB of text alone; what a client keeps of them is bounded well under that.
    expect(kept).toBeLessThan(24 * 1024 * 1024);
    alice.close();
    bob.close();
  }, 120_000);

  it('does not keep tens of megabytes of cached ULs that carry a padded policy (VIEWRIGHTSDATA)', async () => {
    const alice = await t.signIn('alice@contoso.com');
    const bob = await t.signIn('bob@contoso.com');
    // A UL for a holder of VIEWRIGHTSDATA carries the policy with its grants: about 60 KiB here.
    const grants = [{ who: 'bob@contoso.com', rights: ['VIEW', 'VIEWRIGHTSDATA'] },
      ...Array.from({ length: 520 }, (_, i) => ({ who: `reader-${String(i).padStart(5, '0')}@contoso.com`, rights: ['VIEW'] }))];
    const pls = Array.from({ length: 1024 }, () => publishPadded(alice, grants, 1));
    const open = async (pl: string): Promise<number> => {
      const license = await bob.getContentKey(pl);
      license.close();
      return license.fromCache ? 1 : 0;
    };
    for (const pl of pls) await open(pl);
    const before = liveHeap();
    let fromCache = 0;
    for (const pl of pls) fromCache += await open(pl);
    expect(fromCache).toBe(pls.length);
    const kept = liveHeap() - before;
    expect(kept).toBeLessThan(24 * 1024 * 1024);
    alice.close();
    bob.close();
  }, 300_000);
});
