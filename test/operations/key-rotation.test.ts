/**
 * Key rotation (`openrms keys rotate`) with real services and clients: the service signs with a
 * new key after a restart, what the old key signed still verifies, content protected before
 * still opens, clients that pinned the old key move to the new one because the old key
 * certified it, and a successor the pinned key did not certify is refused.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { passwordTokenProvider, RmsClient } from '../../lib';
import { AsymmetricKey } from '../../lib/crypto/asymmetric-key';
import { SecretKey } from '../../lib/crypto/secret-key';
import { sign } from '../../lib/crypto/signature';
import { issueKeySuccession, issueSlc, SUCCESSION_TYPE, verifySlc } from '../../lib/license/certificates';
import { decodeJws } from '../../lib/license/jws';
import { publishOnline } from '../../lib/license/publishing-license';
import { RunningService, startService } from '../../lib/server';
import { openKeysFolder, rotateKeys } from '../../lib/server/service-keys';
import { openrmsJson } from '../support/cli-in-process';
import { codeOf } from '../support/error-code';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';
import { freePort } from '../support/real-binary';
import { RequestRouter, startRequestRouter } from '../support/request-router';
import { rightsOf } from '../support/rights-of';

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-rotation-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The PL of new content `client` protects for `to` (VIEW, online every time), signed by the service (`online`) or with its CLC. */
async function protectFor(client: RmsClient, to: string, online: boolean): Promise<string> {
  const serialized = await client.serializeLicense(client.createLicense({ grants: [{ who: to, rights: ['VIEW'] }], offlineDays: 0 }), { online });
  serialized.contentKey.close();
  return serialized.publishingLicense;
}

const signerOf = (token: string): string => decodeJws(token).header.kid;

async function discoveredSlc(url: string): Promise<string> {
  return ((await (await fetch(`${url}/_wmcs/discovery`)).json()) as { slc: string }).slc;
}

const rsaKey = (): AsymmetricKey => AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });

/** A JWS of `claims` whose header names `kid` but whose signature is `signer`'s. */
function forgedJws(claims: object, kid: string, signer: AsymmetricKey, typ: string): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('RS256', signer, Buffer.from(input)).toString('base64url')}`;
}

/** The service ID a client stored and the signing key its pinned SLC names. */
function pinOf(client: RmsClient): { serviceId: string; key: string } {
  const session = client.defaultSession();
  return { serviceId: session.serviceId, key: session.slc.claims.sub };
}

describe('a service whose keys are rotated', () => {
  const dataDir = (): string => path.join(root, 'service');
  // Clients reach the service through a router that stays up while the service restarts on
  // another port: the service shares this process, and a connection it closed at the restart
  // could still look open here when the next request is sent on it.
  let router: RequestRouter;
  let service: RunningService;
  const pls: Record<string, string> = {};
  let firstKey: string;
  const clients: RmsClient[] = [];

  async function start(): Promise<RunningService> {
    const port = await freePort();
    const started = await startService({ dataDir: dataDir(), port, publicUrl: router.url, log: () => {} });
    router.use(port);
    return started;
  }

  async function signIn(email: string): Promise<RmsClient> {
    const client = await RmsClient.signIn({ store: path.join(root, 'stores', email), serviceUrl: service.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
    clients.push(client);
    return client;
  }

  /** The same user's store opened again, as a later process would: what it pinned is what is on disk. */
  function reopen(email: string): RmsClient {
    const client = RmsClient.open({ store: path.join(root, 'stores', email) });
    clients.push(client);
    return client;
  }

  async function restartRotated(): Promise<{ retired: { signing: string }; current: { signing: string; wrapping: string } }> {
    await service.close();
    const rotation = await openrmsJson<{ retired: { signing: string }; current: { signing: string; wrapping: string } }>(['keys', 'rotate', '--data', dataDir()]);
    service = await start();
    return rotation;
  }

  beforeAll(async () => {
    router = await startRequestRouter();
    service = await start();
    for (const who of ['alice', 'bob', 'carol', 'dave']) await service.accounts.addUser(`${who}@contoso.com`, { password: passwordOf(`${who}@contoso.com`) });
    firstKey = service.folder.signingKey.thumbprint();
    const alice = await signIn('alice@contoso.com');
    const bob = await signIn('bob@contoso.com');
    await signIn('dave@contoso.com');
    pls.online = await protectFor(alice, 'bob@contoso.com', true);
    pls.offline = await protectFor(alice, 'bob@contoso.com', false);
    pls.forDave = await protectFor(alice, 'dave@contoso.com', true);
    expect(await rightsOf(bob, pls.online)).toEqual(['VIEW']);
    for (const client of clients.splice(0)) client.close();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.close();
    await router?.close();
  });

  it('signs with a new key after a restart, and its SLC carries the succession the old key signed', async () => {
    const rotation = await restartRotated();
    expect(rotation.retired.signing).toBe(firstKey);
    expect(rotation.current.signing).not.toBe(firstKey);
    expect(service.folder.signingKey.thumbprint()).toBe(rotation.current.signing);
    const slc = verifySlc(await discoveredSlc(service.url), { pinned: [firstKey] });
    expect(slc.claims.sub).toBe(rotation.current.signing);
    expect(slc.serviceId).toBe(firstKey);
    expect(slc.claims.prev).toHaveLength(1);
    expect(decodeJws(slc.claims.prev![0]!).header).toMatchObject({ kid: firstKey, typ: SUCCESSION_TYPE });
  });

  it('opens content protected before the rotation for a client signed in before it, which then pins the new key', async () => {
    const bob = reopen('bob@contoso.com');
    expect(pinOf(bob)).toEqual({ serviceId: firstKey, key: firstKey });
    expect(await rightsOf(bob, pls.online!)).toEqual(['VIEW']);
    expect(await rightsOf(bob, pls.offline!)).toEqual(['VIEW']);
    const current = service.folder.signingKey.thumbprint();
    // The UL came signed by the new key; the client checked the succession and moved its pin, on disk too.
    expect(pinOf(bob)).toEqual({ serviceId: firstKey, key: current });
    expect(pinOf(reopen('bob@contoso.com'))).toEqual({ serviceId: firstKey, key: current });
  });

  it('lets a client signed in before the rotation protect new content, online and with its old CLC, which others open', async () => {
    const alice = reopen('alice@contoso.com');
    const online = await protectFor(alice, 'bob@contoso.com', true);
    expect(signerOf(online)).toBe(service.folder.signingKey.thumbprint());
    // The CLC the old key issued still publishes: the service keeps the wrapping key it carries.
    const offline = await protectFor(alice, 'bob@contoso.com', false);
    expect(decodeJws<{ iss: string }>(decodeJws<{ clc: string }>(offline).payload.clc).payload.iss).toBe(firstKey);
    const bob = reopen('bob@contoso.com');
    expect(await rightsOf(bob, online)).toEqual(['VIEW']);
    expect(await rightsOf(bob, offline)).toEqual(['VIEW']);
    pls.afterFirst = online;
  });

  it('enrols a client after the rotation under the same service ID, and it opens old and new content', async () => {
    const carol = await signIn('carol@contoso.com');
    expect(pinOf(carol)).toEqual({ serviceId: firstKey, key: service.folder.signingKey.thumbprint() });
    const alice = reopen('alice@contoso.com');
    const old = await protectFor(alice, 'carol@contoso.com', true);
    expect(await rightsOf(carol, pls.online!)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(carol, old)).toEqual(['VIEW']);
  });

  it('after a second rotation, a client that pinned only the first key opens content of all three generations', async () => {
    const alice = reopen('alice@contoso.com');
    const middle = await protectFor(alice, 'dave@contoso.com', true);
    const middleKey = signerOf(middle);
    await restartRotated();
    const newest = await protectFor(reopen('alice@contoso.com'), 'dave@contoso.com', true);
    expect(new Set([firstKey, middleKey, signerOf(newest)]).size).toBe(3);
    const dave = reopen('dave@contoso.com');
    expect(pinOf(dave).key).toBe(firstKey);
    for (const pl of [pls.forDave!, middle, newest]) expect(await rightsOf(dave, pl)).toEqual(['VIEW']);
    expect(pinOf(dave)).toEqual({ serviceId: firstKey, key: service.folder.signingKey.thumbprint() });
    expect(openKeysFolder(path.join(dataDir(), 'keys')).retiredWrapping.size).toBe(2);
  });

  it('refuses, with BROKEN_CERT_CHAIN, a service at its URL whose successor key the pinned key did not certify', async () => {
    const bob = reopen('bob@contoso.com');
    const pinned = pinOf(bob);
    const real = verifySlc(await discoveredSlc(service.url), { pinned: [firstKey] });
    const impostor = { signing: rsaKey(), wrapping: rsaKey() };
    const now = Math.floor(Date.now() / 1000);
    // A succession claiming to retire the pinned key but signed by the impostor, and one whose
    // retiring key is a stranger's: neither is the pinned key's word.
    const forged = forgedJws({
      ver: 1, iss: pinned.key, sub: impostor.signing.thumbprint(), iat: now,
      from: { sign: real.signingKey.exportJwk(), wrap: real.wrappingKey.exportJwk() }, to: { sign: impostor.signing.exportJwk(), wrap: impostor.wrapping.exportJwk() },
    }, pinned.key, impostor.signing, SUCCESSION_TYPE);
    const urls = real.claims.urls;
    const slcWith = (prev: string[]): string => issueSlc({ name: 'openrms', signingKey: impostor.signing, wrappingKey: impostor.wrapping, urls, iat: now, exp: now + 3600, succession: prev });
    const shown = [slcWith([...(real.claims.prev ?? []), forged]), slcWith([issueKeySuccession({ signing: rsaKey(), wrapping: rsaKey() }, impostor, now)])];
    for (const slc of shown) expect(() => verifySlc(slc, { pinned: [pinned.key] })).toThrow(expect.objectContaining({ code: 'BROKEN_CERT_CHAIN' }));

    // At the service's address, the impostor answers discovery with such an SLC and shows a PL its key signed.
    let slcShown = shown[0]!;
    const fake = http.createServer((req, res) => {
      res.writeHead(req.url === '/_wmcs/discovery' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/_wmcs/discovery' ? { protocol: 1, name: 'openrms', slc: slcShown, licensing: urls } : { error: { code: 'NOT_FOUND', message: 'no' } }));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    router.use((fake.address() as AddressInfo).port);
    try {
      const key = SecretKey.generate(32);
      const pl = publishOnline({
        owner: 'mallory@contoso.com', policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: null, offlineDays: 0 },
        contentKey: key, wrappingKey: impostor.wrapping, urls: { intranet: urls.intranet, extranet: urls.extranet }, iat: now, contentId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      }, impostor.signing);
      key.close();
      for (const slc of shown) {
        slcShown = slc;
        expect(await codeOf(bob.getContentKey(pl))).toBe('BROKEN_CERT_CHAIN');
      }
      expect(pinOf(reopen('bob@contoso.com'))).toEqual(pinned);
    } finally {
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('a rotation on PostgreSQL, instances sharing the database', () => {
  let postgres: PostgresServer;
  const dirs = { a: '', b: '' };
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await postgres?.stop();
  });

  it('moves the database to the new keys: an instance restarted with the old keys folder is refused until it gets the rotated one', async () => {
    const db = await postgres.createDatabase();
    dirs.a = path.join(root, 'pg-a');
    dirs.b = path.join(root, 'pg-b');
    a = await startService({ dataDir: dirs.a, db, port: 0, log: () => {} });
    cpSync(path.join(dirs.a, 'keys'), path.join(dirs.b, 'keys'), { recursive: true });
    b = await startService({ dataDir: dirs.b, db, port: 0, log: () => {} });
    await a.accounts.addUser('erin@contoso.com', { password: passwordOf('erin@contoso.com') });
    const erin = await RmsClient.signIn({ store: path.join(root, 'stores', 'erin'), serviceUrl: b.url, tokenProvider: passwordTokenProvider('erin@contoso.com', passwordOf('erin@contoso.com')) });
    const before = await protectFor(erin, 'erin@contoso.com', true);
    erin.close();

    // Rotated beside the running instances, on their database.
    const rotation = await openrmsJson<{ current: { signing: string; wrapping: string } }>(['keys', 'rotate', '--data', dirs.a, '--db', db]);
    expect(await postgres.query(db, 'SELECT purpose, thumbprint FROM service_keys ORDER BY purpose')).toEqual([
      { purpose: 'signing', thumbprint: rotation.current.signing }, { purpose: 'wrapping', thumbprint: rotation.current.wrapping },
    ]);
    await a.close();
    a = await startService({ dataDir: dirs.a, db, port: 0, log: () => {} });
    await b.close();
    await expect(startService({ dataDir: dirs.b, db, port: 0, log: () => {} })).rejects.toMatchObject({ code: 'CONFLICT' });
    rmSync(path.join(dirs.b, 'keys'), { recursive: true });
    cpSync(path.join(dirs.a, 'keys'), path.join(dirs.b, 'keys'), { recursive: true });
    b = await startService({ dataDir: dirs.b, db, port: 0, log: () => {} });
    expect(b.folder.signingKey.thumbprint()).toBe(rotation.current.signing);
    // The content protected before opens at the instance restarted with the rotated keys.
    const erinAtA = await RmsClient.signIn({ store: path.join(root, 'stores', 'erin-a'), serviceUrl: a.url, tokenProvider: passwordTokenProvider('erin@contoso.com', passwordOf('erin@contoso.com')) });
    try {
      expect(await rightsOf(erinAtA, before)).toEqual(expect.arrayContaining(['VIEW']));
    } finally {
      erinAtA.close();
    }
  }, 60_000);
});

describe('the keys folder', () => {
  it('finishes a rotation interrupted part way at its next opening, and keys rotate finishes it instead of rotating twice', () => {
    const dir = path.join(root, 'pending', 'keys');
    const before = openKeysFolder(dir);
    const next = { signing: rsaKey(), wrapping: rsaKey() };
    // What rotateKeys writes before applying anything, and the first step applied (the
    // succession), as a crash right after it leaves the folder: the keys are still the old ones.
    const succession = [issueKeySuccession(before, next, 1)];
    writeFileSync(path.join(dir, 'rotation.json'), JSON.stringify({
      signing: next.signing.exportPem({ includePrivate: true }), wrapping: next.wrapping.exportPem({ includePrivate: true }),
      retiredWrapping: before.wrapping.exportPem({ includePrivate: true }), succession,
    }), { mode: 0o600 });
    writeFileSync(path.join(dir, 'succession.json'), JSON.stringify(succession));
    const resumed = rotateKeys(dir, 2);
    expect(resumed).toEqual({
      retired: { signing: before.signing.thumbprint(), wrapping: before.wrapping.thumbprint() },
      current: { signing: next.signing.thumbprint(), wrapping: next.wrapping.thumbprint() }, resumed: true,
    });
    const after = openKeysFolder(dir);
    expect([after.signing.thumbprint(), after.succession]).toEqual([next.signing.thumbprint(), succession]);
    expect([...after.retiredWrapping.keys()]).toEqual([before.wrapping.thumbprint()]);
    expect(existsSync(path.join(dir, 'rotation.json'))).toBe(false);
  });

  it('refuses to open a keys folder whose earlier wrapping key is missing, naming the file', () => {
    const dir = path.join(root, 'lost', 'keys');
    openKeysFolder(dir);
    const rotation = rotateKeys(dir, 1);
    rmSync(path.join(dir, 'retired', `wrapping-${rotation.retired.wrapping}.pem`));
    expect(() => openKeysFolder(dir)).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(rotation.retired.wrapping) }));
  });
});
