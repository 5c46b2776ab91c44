/**
 * The licensing scenario end to end, against a real service on loopback: alice protects for bob
 * (VIEW) and carol (VIEW, EDIT); each opens with exactly those rights; dave is refused; expiry,
 * revocation, offline use, tampering, key binding, super users and individuals.
 */
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  aesGcm, COMMON_RIGHTS, decodeJws, readFileLicense, RmsClient,
} from '../../lib';
import { openUlContentKey, verifySlc, verifyUl } from '../../lib/license';
import { useLicenseName } from '../../lib/client/use-license-cache';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { startTestService, TestService } from '../support/licensing-service';
import { TESTDATA_DIR } from '../support/testdata';

let t: TestService;
let alice: RmsClient;
let bob: RmsClient;
let carol: RmsClient;
let dave: RmsClient;
let shared: string;

const DOCUMENT = Buffer.from('Board minutes, strictly confidential.\n'.repeat(500));

function requestCount(): number {
  return t.logs.filter((e) => e.event === 'request').length;
}

async function protectFor(grants: { who: string; rights: string[] }[], extra: Partial<{ offlineDays: number; contentValidUntil: Date }> = {}, name = 'minutes.txt'): Promise<string> {
  const file = path.join(t.root, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(file, DOCUMENT);
  const result = await alice.protectFile(file, alice.createLicense({ grants, autoGrantOwner: true, ...extra }));
  return result.path;
}

beforeAll(async () => {
  t = await startTestService();
  for (const who of ['alice', 'bob', 'carol', 'dave']) await t.addUser(`${who}@contoso.com`);
  await t.addUser('eve@contoso.com', { superUser: true });
  alice = await t.signIn('alice@contoso.com');
  bob = await t.signIn('bob@contoso.com');
  carol = await t.signIn('carol@contoso.com');
  dave = await t.signIn('dave@contoso.com');
  shared = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }, { who: 'carol@contoso.com', rights: ['VIEW', 'EDIT'] }]);
}, 60_000);

afterAll(async () => {
  for (const c of [alice, bob, carol, dave]) c?.close();
  await t?.cleanup();
});

describe('rights as granted', () => {
  it('lets bob view but not edit', async () => {
    const opened = await bob.unprotectBuffer(readFileSync(shared));
    expect(opened.plaintext.equals(DOCUMENT)).toBe(true);
    expect(opened.license.rights).toEqual(['VIEW']);
    expect(bob.accessCheck(opened.license, 'VIEW')).toBe(true);
    expect(bob.accessCheck(opened.license, 'EDIT')).toBe(false);
    expect(opened.license.owner).toBe('alice@contoso.com');
    opened.license.close();
  });

  it('streams the plaintext to bob for viewing', async () => {
    const { license, stream } = await bob.openFileStream(shared);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(DOCUMENT)).toBe(true);
    expect(license.rights).toEqual(['VIEW']);
    expect(license.contentKey.closed).toBe(true);
  });

  it('lets carol view and edit', async () => {
    const license = await carol.fileLicense(shared);
    expect(license.accessCheck('VIEW')).toBe(true);
    expect(license.accessCheck('EDIT')).toBe(true);
    expect(license.accessCheck('PRINT')).toBe(false);
    license.close();
  });

  it('refuses dave, who was granted nothing, and audits the refusal', async () => {
    expect(await codeOf(dave.fileLicense(shared))).toBe('RIGHT_NOT_GRANTED');
    const cid = decodeJws<{ cid: string }>((await readFileLicense(shared)).toString()).payload.cid;
    const refused = (await t.service.audit.recent(50, cid)).find((e) => e.actor === 'dave@contoso.com');
    expect(refused).toMatchObject({ action: 'use-license', outcome: 'refused', reason: 'RIGHT_NOT_GRANTED' });
  });

  it('makes alice the owner, with every right and the full policy', async () => {
    const license = await alice.fileLicense(shared);
    expect(license.rights).toEqual(['OWNER']);
    for (const right of COMMON_RIGHTS) expect(license.accessCheck(right)).toBe(true);
    expect(license.accessCheck('com.contoso.approve')).toBe(true);
    expect(license.policy?.grants.map((g) => g.who)).toEqual(['bob@contoso.com', 'carol@contoso.com', 'alice@contoso.com']);
    license.close();
  });

  it('does not tell a holder of the file who else may open it', async () => {
    const payload = Buffer.from((await readFileLicense(shared)).toString().split('.')[1]!, 'base64url').toString();
    expect(payload).not.toContain('carol@contoso.com');
    expect(payload).not.toContain('bob@contoso.com');
  });

  it('gives bob no policy (he lacks VIEWRIGHTSDATA)', async () => {
    const license = await bob.fileLicense(shared);
    expect(license.policy).toBeNull();
    license.close();
  });

  it('writes a plaintext copy only with EXPORT or OWNER, and nothing otherwise', async () => {
    const out = path.join(t.root, 'export-bob');
    require('node:fs').mkdirSync(out);
    const refused = await bob.unprotectFile(shared, { outputDir: out }).catch((e) => e);
    // The error says which right was asked for and which are held, as fields.
    expect(refused).toMatchObject({ code: 'RIGHT_NOT_GRANTED', hresult: 0x80040211, right: 'EXPORT', rightsHeld: ['VIEW'] });
    expect(readdirSync(out)).toEqual([]);
    const copy = await alice.unprotectFile(shared, { outputDir: out });
    expect(readFileSync(copy.path).equals(DOCUMENT)).toBe(true);
  });

  it('lets a super user open content nobody granted them', async () => {
    const eve = await t.signIn('eve@contoso.com');
    const license = await eve.fileLicense(shared);
    expect(license.rights).toEqual(['OWNER']);
    license.close();
    eve.close();
  });
});

describe('validity and revocation', () => {
  it('refuses content past its valid-until', async () => {
    const expired = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }], { contentValidUntil: new Date(Date.now() - 3600_000) });
    expect(await codeOf(bob.fileLicense(expired))).toBe('VALIDITY_TIME_VIOLATION');
  });

  it('refuses a revoked content ID online, and lets only the owner or an admin revoke', async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }, { who: 'carol@contoso.com', rights: ['VIEW'] }], { offlineDays: 0 });
    (await bob.fileLicense(file)).close();
    const pl = await readFileLicense(file);
    const cid = decodeJws<{ cid: string }>(pl.toString()).payload.cid;
    expect(await codeOf(bob.revoke({ contentId: cid }))).toBe('ACCESS_DENIED');
    const revoked = await alice.revoke({ publishingLicense: pl });
    expect(revoked.contentId).toBe(cid);
    expect(await codeOf(bob.fileLicense(file))).toBe('CONTENT_REVOKED');
    expect(await codeOf(carol.fileLicense(file))).toBe('CONTENT_REVOKED');
  });

  it("does not let a copied content ID revoke the owner's content", async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }], { offlineDays: 0 });
    const cid = decodeJws<{ cid: string }>((await readFileLicense(file)).toString()).payload.cid;
    // dave publishes offline a PL of his own that reuses alice's content ID, and revokes it.
    const copy = dave.createLicense({ grants: [{ who: 'dave@contoso.com', rights: ['OWNER'] }] });
    const daves = await dave.serializeLicense(copy);
    const forged = (await import('../../lib/license/publishing-license')).publishOffline({
      owner: 'dave@contoso.com', policy: { template: null, grants: [{ who: 'dave@contoso.com', rights: ['OWNER'] }], contentValidUntil: null, offlineDays: 0 },
      contentKey: daves.contentKey, wrappingKey: internals(dave).slc.wrappingKey, urls: internals(dave).slc.claims.urls, iat: Math.floor(Date.now() / 1000), contentId: cid,
    }, internals(dave).key(), internals(dave).account.clc!);
    await dave.revoke({ publishingLicense: forged });
    daves.contentKey.close();
    const license = await bob.fileLicense(file);
    expect(license.owner).toBe('alice@contoso.com');
    license.close();
  });

  it('revokes by content ID once the service knows the content', async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }], { offlineDays: 0 });
    (await bob.fileLicense(file)).close();
    const cid = decodeJws<{ cid: string }>((await readFileLicense(file)).toString()).payload.cid;
    await alice.revoke({ contentId: cid });
    expect(await codeOf(bob.fileLicense(file))).toBe('CONTENT_REVOKED');
    expect(await codeOf(alice.revoke({ contentId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
  });
});

describe('tampering and key binding', () => {
  function reencodePayload(token: string, change: (p: Record<string, unknown>) => void): string {
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    change(payload);
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  }

  it('refuses a PL whose policy was edited, and one with a changed signature byte', async () => {
    const pl = (await readFileLicense(shared)).toString();
    const widened = reencodePayload(pl, (p) => { (p.pol as { offlineDays: number }).offlineDays = 65535; });
    expect(await codeOf(dave.getContentKey(widened))).toBe('INVALID_SIGNATURE');
    const last = pl.length - 5;
    const flipped = pl.slice(0, last) + (pl[last] === 'A' ? 'B' : 'A') + pl.slice(last + 1);
    expect(['INVALID_SIGNATURE', 'BROKEN_CERT_CHAIN']).toContain(await codeOf(bob.getContentKey(flipped)));
  });

  it('refuses a UL with one byte changed, and never uses a tampered cached one', async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const license = await bob.fileLicense(file);
    license.close();
    const licenses = path.join(bob.storeRoot, 'services', bob.serviceId, 'licenses');
    const ulFile = path.join(licenses, `${useLicenseName({ cid: license.contentId, own: license.owner })}.jws`);
    const ul = readFileSync(ulFile, 'utf8');
    const promoted = reencodePayload(ul, (p) => { p.rights = ['OWNER']; });
    const slc = verifySlc(JSON.parse(readFileSync(path.join(bob.storeRoot, 'services', bob.serviceId, 'account.json'), 'utf8')).slc, { pinned: [bob.serviceId] });
    expect(() => verifyUl(promoted, slc, 'bob@contoso.com')).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    writeFileSync(ulFile, promoted);
    expect(await codeOf(bob.fileLicense(file, { offlineOnly: true }))).toBe('NEEDS_ONLINE');
  });

  it('reads a cached UL again once its file changed, even in place with its size and times put back, or is gone', async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    (await bob.fileLicense(file)).close();
    // Opened from the cache twice: the second time from what the client remembers of the file.
    (await bob.fileLicense(file, { offlineOnly: true })).close();
    (await bob.fileLicense(file, { offlineOnly: true })).close();
    const license = await bob.fileLicense(file, { offlineOnly: true });
    license.close();
    const ulFile = path.join(bob.storeRoot, 'services', bob.serviceId, 'licenses', `${useLicenseName({ cid: license.contentId, own: license.owner })}.jws`);
    const ul = readFileSync(ulFile, 'utf8');
    const before = statSync(ulFile);
    // One character of the signature changed, written over the same file, its times set back.
    const last = ul.length - 3;
    writeFileSync(ulFile, `${ul.slice(0, last)}${ul[last] === 'A' ? 'B' : 'A'}${ul.slice(last + 1)}`);
    utimesSync(ulFile, before.atime, before.mtime);
    expect(statSync(ulFile).size).toBe(before.size);
    expect(await codeOf(bob.fileLicense(file, { offlineOnly: true }))).toBe('NEEDS_ONLINE');
    // Fetched again, remembered again, then deleted: not opened from memory.
    (await bob.fileLicense(file)).close();
    (await bob.fileLicense(file, { offlineOnly: true })).close();
    rmSync(ulFile);
    expect(await codeOf(bob.fileLicense(file, { offlineOnly: true }))).toBe('NEEDS_ONLINE');
  });

  it("does not open bob's UL with carol's key", async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const license = await bob.fileLicense(file);
    license.close();
    const bobUl = readFileSync(path.join(bob.storeRoot, 'services', bob.serviceId, 'licenses', `${useLicenseName({ cid: license.contentId, own: license.owner })}.jws`), 'utf8');
    const claims = decodeJws<Parameters<typeof openUlContentKey>[0]['claims']>(bobUl).payload;
    const carolKey = internals(carol).key();
    expect(() => openUlContentKey({ claims, token: bobUl }, carolKey)).toThrow(expect.objectContaining({ code: 'BROKEN_CERT_CHAIN' }));
    // Even with the key check bypassed, carol's private key does not unwrap bob's content key.
    expect(() => openUlContentKey({ claims: { ...claims, rac: carolKey.thumbprint() }, token: bobUl }, carolKey))
      .toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    // Planted in carol's cache, bob's UL is not hers: refused, then dropped.
    const carolLicenses = path.join(carol.storeRoot, 'services', carol.serviceId, 'licenses');
    require('node:fs').mkdirSync(carolLicenses, { recursive: true });
    writeFileSync(path.join(carolLicenses, `${useLicenseName({ cid: license.contentId, own: license.owner })}.jws`), bobUl);
    expect(await codeOf(carol.fileLicense(file, { offlineOnly: true }))).toBe('NEEDS_ONLINE');
  });
});

describe('offline use', () => {
  it('publishes offline without a single request to the service', async () => {
    const before = requestCount();
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true }));
    const file = path.join(t.root, 'offline-published.txt');
    writeFileSync(file, DOCUMENT);
    await alice.protectFile(file, serialized);
    serialized.contentKey.close();
    expect(requestCount()).toBe(before);
  });

  it('protects many records with one reused content key, opened by the recipient', async () => {
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
    const records = Array.from({ length: 100 }, (_, i) => Buffer.from(`record ${i}: ${'x'.repeat(1000)}`));
    const sealed = aesGcm.encryptBatch(serialized.contentKey, records);
    serialized.contentKey.close();
    const license = await bob.getContentKey(serialized.publishingLicense);
    const opened = aesGcm.decryptBatch(license.contentKey, { data: sealed.output, offsets: sealed.offsets }, { ivs: sealed.ivs });
    expect(opened.authentic.every(Boolean)).toBe(true);
    expect(Buffer.from(opened.output).toString().startsWith('record 0: ')).toBe(true);
    license.close();
  });

  it('refuses to serialize a license that grants nobody anything', async () => {
    expect(await codeOf(alice.serializeLicense(alice.createLicense({ grants: [] })))).toBe('INVALID_ARGUMENT');
  });

  it('refuses to open content of a Microsoft service, naming why', async () => {
    expect(await codeOf(bob.fileLicense(path.join(TESTDATA_DIR, 'msft-pfile', 'CleanAlice.txt.pfile')))).toBe('SERVICE_NOT_TRUSTED');
  });

  it('publishes online when asked, signed by the service', async () => {
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }), { online: true });
    expect(decodeJws(serialized.publishingLicense).header.kid).toBe(alice.serviceId);
    const license = await bob.getContentKey(serialized.publishingLicense);
    expect(license.rights).toEqual(['VIEW']);
    license.close();
    serialized.contentKey.close();
  });

  it('notices the clock set back before a cached license was issued', async () => {
    const file = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    (await bob.fileLicense(file)).close();
    const past = t.reopen('bob@contoso.com', { now: () => Math.floor(Date.now() / 1000) - 86400 });
    expect(await codeOf(past.fileLicense(file))).toBe('CLOCK_ROLL_BACK_DETECTED');
    past.close();
  });

  it('after signing in again with a new key, fetches new licenses instead of failing on the old ones', async () => {
    const file = await protectFor([{ who: 'carol@contoso.com', rights: ['VIEW'] }]);
    (await carol.fileLicense(file)).close();
    const again = await t.signIn('carol@contoso.com');
    const license = await again.fileLicense(file);
    expect(license.fromCache).toBe(false);
    expect(license.rights).toEqual(['VIEW']);
    license.close();
    again.close();
  });

  it('renews the RAC and the CLC together when they near expiry, so offline publishing goes on', async () => {
    const later = t.reopen('alice@contoso.com', { now: () => Math.floor(Date.now() / 1000) + 25 * 86400 });
    const before = internals(later).account.clc;
    const serialized = await later.serializeLicense(later.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
    serialized.contentKey.close();
    expect(internals(later).account.clc).not.toBe(before);
    expect(internals(later).account.rac).not.toBe(internals(alice).account.rac);
    later.close();
  });

  it('keeps the private key and licenses owner-only', () => {
    const root = bob.storeRoot;
    expect(statSync(path.join(root, 'keys')).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(path.join(root, 'keys'))) expect(statSync(path.join(root, 'keys', f)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(root, 'services', bob.serviceId, 'account.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(root, 'services', bob.serviceId, 'account.json'), 'utf8')).not.toContain('PRIVATE');
  });

  // Last: it stops the service.
  it('with the service stopped, opens from the cached UL when allowed, NEEDS_ONLINE when the interval is 0', async () => {
    const week = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }], { offlineDays: 7 });
    const always = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }], { offlineDays: 0 });
    (await bob.fileLicense(week)).close();
    (await bob.fileLicense(always)).close();
    const notYet = await protectFor([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    await t.stop();
    const later = t.reopen('bob@contoso.com');
    const opened = await later.unprotectBuffer(readFileSync(week));
    expect(opened.license.fromCache).toBe(true);
    expect(opened.plaintext.equals(DOCUMENT)).toBe(true);
    opened.license.close();
    expect(await codeOf(later.fileLicense(always))).toBe('NEEDS_ONLINE');
    expect(await codeOf(later.fileLicense(notYet))).toBe('NEEDS_ONLINE');
    later.close();
  });
});
