/**
 * The EC profile end to end (docs/licenses.md "Key profiles"): a real service whose keys are
 * P-256 and clients whose device keys are P-256 protect, open online, and open offline from a
 * cached use license; the mixed worlds (an RSA service with EC devices, an EC service with RSA
 * devices) work; and content protected before `openrms keys rotate --profile ec` moves an RSA
 * service to EC keys still opens, for clients signed in before and after.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { decodeJws, RmsClient } from '../../lib';
import { openrmsJson } from '../support/cli-in-process';
import { codeOf } from '../support/error-code';
import { startTestService, TestService } from '../support/licensing-service';

const plain = Buffer.from('the quarterly numbers');

/** A service whose data folder's service.json asks for `keyProfile` before its first start. */
async function serviceWithProfile(keyProfile?: string): Promise<TestService> {
  if (keyProfile === undefined) return startTestService();
  const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-svc-'));
  mkdirSync(path.join(root, 'service'), { recursive: true });
  writeFileSync(path.join(root, 'service', 'service.json'), JSON.stringify({ keyProfile }));
  return startTestService({}, root);
}

const deviceKeyType = (client: RmsClient): string => client.defaultSession().deviceKey().type;
const wrapLengthOf = (pl: string): number => Buffer.from(decodeJws<{ ck: string }>(pl).payload.ck, 'base64url').length;

/** alice protects `plain` for bob (VIEW, 7 days offline), online (signed by the service) or with her CLC. */
async function protectForBob(alice: RmsClient, online: boolean): Promise<{ file: Buffer; pl: string }> {
  const license = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 7 }), { online });
  const file = await alice.protectBuffer(plain, license);
  license.contentKey.close();
  return { file, pl: license.publishingLicense };
}

describe('an EC service with EC devices', () => {
  let svc: TestService;
  const clients: RmsClient[] = [];
  beforeAll(async () => {
    svc = await serviceWithProfile();
    for (const who of ['alice', 'bob']) await svc.addUser(`${who}@contoso.com`);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await svc.cleanup();
  });

  it('makes P-256 keys for a new data folder, records the profile in service.json and signs its SLC with ES256', async () => {
    expect(svc.service.folder.signingKey.type).toBe('ec');
    expect(svc.service.folder.wrappingKey.type).toBe('ec');
    expect(JSON.parse(readFileSync(path.join(svc.root, 'service', 'service.json'), 'utf8')).keyProfile).toBe('ec');
    const { slc } = (await (await fetch(`${svc.service.url}/_wmcs/discovery`)).json()) as { slc: string };
    expect(decodeJws(slc).header.alg).toBe('ES256');
  });

  it('protects, opens online with a P-256 device key, then offline from the cached use license', async () => {
    const alice = await svc.signIn('alice@contoso.com');
    const bob = await svc.signIn('bob@contoso.com');
    clients.push(alice, bob);
    expect([deviceKeyType(alice), deviceKeyType(bob)]).toEqual(['ec', 'ec']);
    for (const online of [true, false]) {
      const { file, pl } = await protectForBob(alice, online);
      expect(decodeJws(pl).header.alg).toBe('ES256');
      // 65-byte ephemeral point || AES-KW of the 32-byte content key.
      expect(wrapLengthOf(pl)).toBe(105);
      const opened = await bob.unprotectBuffer(file);
      expect(opened.plaintext).toEqual(plain);
      expect(opened.license.fromCache).toBe(false);
      const offline = svc.reopen('bob@contoso.com', { offlineOnly: true });
      clients.push(offline);
      const again = await offline.unprotectBuffer(file);
      expect(again.plaintext).toEqual(plain);
      expect(again.license.fromCache).toBe(true);
    }
  });

  it('signs in a client asking for RSA device keys, and its content opens for EC devices and back', async () => {
    const carol = await svc.signIn('alice@contoso.com', { deviceKeyType: 'rsa', store: path.join(svc.root, 'users', 'alice-rsa') });
    clients.push(carol);
    expect(deviceKeyType(carol)).toBe('rsa');
    const { file } = await protectForBob(carol, false);
    expect((await svc.reopen('bob@contoso.com').unprotectBuffer(file)).plaintext).toEqual(plain);
  });

  it('refuses a device key type other than ec or rsa with INVALID_ARGUMENT', () => {
    expect(() => RmsClient.open({ store: path.join(svc.root, 'users', 'x'), deviceKeyType: 'dsa' as 'ec' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('an RSA service (service.json keyProfile rsa)', () => {
  let svc: TestService;
  const clients: RmsClient[] = [];
  beforeAll(async () => {
    svc = await serviceWithProfile('rsa');
    for (const who of ['alice', 'bob', 'carol']) await svc.addUser(`${who}@contoso.com`);
  }, 30_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await svc.cleanup();
  });

  it('makes RSA keys, and its clients RSA device keys unless they ask for EC', async () => {
    expect(svc.service.folder.signingKey.type).toBe('rsa');
    const alice = await svc.signIn('alice@contoso.com');
    clients.push(alice);
    expect(deviceKeyType(alice)).toBe('rsa');
  });

  it('certifies EC device keys and opens content for them, protected by RSA and EC devices', async () => {
    const alice = await svc.signIn('alice@contoso.com', { deviceKeyType: 'ec', store: path.join(svc.root, 'users', 'alice-ec') });
    const bob = await svc.signIn('bob@contoso.com', { deviceKeyType: 'ec' });
    clients.push(alice, bob);
    expect([deviceKeyType(alice), deviceKeyType(bob)]).toEqual(['ec', 'ec']);
    for (const online of [true, false]) {
      const { file, pl } = await protectForBob(alice, online);
      // Wrapped to the service's RSA wrapping key; signed by alice's EC key when offline.
      expect(wrapLengthOf(pl)).toBe(256);
      expect(decodeJws(pl).header.alg).toBe(online ? 'RS256' : 'ES256');
      expect((await bob.unprotectBuffer(file)).plaintext).toEqual(plain);
    }
  });

  it('keeps its RSA keys whatever service.json says, and opens content protected before `openrms keys rotate --profile ec` after it, wrapping new content to the EC key', async () => {
    const alice = svc.reopen('alice@contoso.com');
    const before = await protectForBob(alice, true);
    const beforeOffline = await protectForBob(alice, false);
    alice.close();
    // The same port after the restart: the clients' stores know the service by its URL.
    const port = Number(new URL(svc.service.url).port);
    await svc.stop();
    // A service.json of an earlier version, without keyProfile (so the default, ec): the folder keeps its RSA keys.
    writeFileSync(path.join(svc.root, 'service', 'service.json'), JSON.stringify({ name: 'openrms' }));
    const unchanged = await startTestService({ port }, svc.root);
    expect(unchanged.service.folder.signingKey.type).toBe('rsa');
    expect(unchanged.service.folder.wrappingKey.type).toBe('rsa');
    await unchanged.stop();
    const rotation = await openrmsJson<{ profile: string }>(['keys', 'rotate', '--data', path.join(svc.root, 'service'), '--profile', 'ec']);
    expect(rotation.profile).toBe('ec');
    const restarted = await startTestService({ port }, svc.root);
    try {
      expect(restarted.service.folder.signingKey.type).toBe('ec');
      expect(restarted.service.folder.wrappingKey.type).toBe('ec');
      // bob signed in before with an RSA device key; carol signs in now and gets an EC one.
      const bob = restarted.reopen('bob@contoso.com');
      clients.push(bob);
      for (const { file } of [before, beforeOffline]) expect((await bob.unprotectBuffer(file)).plaintext).toEqual(plain);
      const carol = await restarted.signIn('carol@contoso.com');
      clients.push(carol);
      expect(deviceKeyType(carol)).toBe('ec');
      const aliceAfter = restarted.reopen('alice@contoso.com');
      clients.push(aliceAfter);
      const after = await protectForBob(aliceAfter, true);
      expect(wrapLengthOf(after.pl)).toBe(105);
      expect(decodeJws(after.pl).header.alg).toBe('ES256');
      expect((await bob.unprotectBuffer(after.file)).plaintext).toEqual(plain);
    } finally {
      await restarted.stop();
    }
  }, 60_000);
});

describe('service.json keyProfile', () => {
  it('refuses a profile other than ec or rsa with INVALID_ARGUMENT, naming the setting', async () => {
    const error = await serviceWithProfile('dsa').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(String((error as Error).message)).toContain('keyProfile');
    expect(await codeOf(serviceWithProfile('dsa'))).toBe('INVALID_ARGUMENT');
  });
});
