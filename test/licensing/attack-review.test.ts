/**
 * Holes found by attacking the issue 9 change against a real service, kept closed: a user made
 * an individual still publishing with the CLC he held, a removed address signing itself up
 * again, two services on one database recording one content key at once, sign-ins queued
 * without bound, and PLs with large sealed grants filling the service's memory.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { decodeJws, passwordTokenProvider, PlClaims, RmsClient, RmsError, SecretKey } from '../../lib';
import { publishOffline } from '../../lib/license';
import { ContentRegistry } from '../../lib/server/content-registry';
import { openDatabase } from '../../lib/server/database';
import { hashPassword, verifyPassword } from '../../lib/server/passwords';
import { SignInGuard } from '../../lib/server/sign-in-guard';
import { SqlContentStore } from '../../lib/server/storage/content-store';
import { SqliteDatabase } from '../../lib/server/storage/sqlite-database';
import { requireBuilt, ROOT } from '../support/built-package';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { temporarySqliteStorage } from '../support/service-storage';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

const NOW = () => Math.floor(Date.now() / 1000);

/** `client`'s offline PL for a new content key, signed with the CLC it holds (no request to the service). */
function publishWithHeldClc(client: RmsClient, grants: { who: string; rights: string[] }[]): string {
  const key = SecretKey.generate(32);
  try {
    return publishOffline({
      owner: client.identity, iat: NOW(), contentKey: key, policy: { template: null, grants, contentValidUntil: null, offlineDays: 0 },
      wrappingKey: internals(client).slc.wrappingKey, urls: { intranet: null, extranet: null },
    }, internals(client).key(), internals(client).account.clc!);
  } finally {
    key.close();
  }
}

/** The rights a fresh use license gives `client` (its content key closed at once). */
async function rightsOf(client: RmsClient, pl: string): Promise<readonly string[]> {
  const license = await client.getContentKey(pl);
  license.close();
  return license.rights;
}

describe('who may still publish', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    for (const who of ['alice', 'bob', 'dave']) await t.addUser(`${who}@contoso.com`);
  }, 60_000);
  afterAll(() => t.cleanup());

  it('refuses new content of a user made an individual (who may not protect here) under the CLC he still holds, and keeps licensing what it saw before', async () => {
    const alice = await t.signIn('alice@contoso.com');
    const bob = await t.signIn('bob@contoso.com');
    const before = publishWithHeldClc(alice, [{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    expect(await rightsOf(bob, before)).toEqual(['VIEW']);

    await t.service.accounts.addUser('alice@contoso.com', { kind: 'individual' });
    const after = publishWithHeldClc(alice, [{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    expect(await codeOf(rightsOf(bob, after))).toBe('PUBLISHER_NOT_ALLOWED');
    expect(await rightsOf(bob, before)).toEqual(['VIEW']);
    alice.close();
    bob.close();
  });

  it('does not let a removed address sign itself up again: the outbox says an account exists, and no code completes it', async () => {
    await t.service.accounts.remove('dave@contoso.com');
    await RmsClient.requestSignUp(t.service.url, 'dave@contoso.com');
    const mail = readFileSync(path.join(t.service.folder.outbox, 'dave@contoso.com.txt'), 'utf8');
    expect(mail).toMatch(/already has an account/);
    expect(mail).not.toMatch(/Your code is/);
    // Had a sign-up been started before the change, completing it now is refused all the same.
    expect(await codeOf(t.service.accounts.completeSignUp('dave@contoso.com', '000000', 'a-password-of-his-own'))).toBe('AUTHENTICATION_FAILED');
  });
});

describe('two services on one database', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-registry-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers LICENSE_SPLICED, not a database error, when the other service recorded the same new key under another content ID first', async () => {
    const file = path.join(dir, 'service.db');
    const [one, other] = [openDatabase(file), openDatabase(file)];
    try {
      const here = new ContentRegistry(new SqlContentStore(new SqliteDatabase(one, file)), NOW);
      const there = new ContentRegistry(new SqlContentStore(new SqliteDatabase(other, file)), NOW);
      const first = { keyId: 'key-1', cid: '0f0f0f0f-0000-4000-8000-000000000001', owner: 'mallory@contoso.com' };
      const second = { ...first, cid: '0f0f0f0f-0000-4000-8000-000000000002' };
      // The other service records the key after this one found it unknown, before this one inserts.
      expect(await codeOf(here.admit(second, async () => { await there.admit(first); }))).toBe('LICENSE_SPLICED');
      // The same claim recorded meanwhile is simply the record.
      const samekey = { ...first, keyId: 'key-2' };
      expect(await here.admit(samekey, async () => { await there.admit(samekey); })).toMatchObject({ keyId: 'key-2', cid: first.cid, owner: first.owner });
    } finally {
      one.close();
      other.close();
    }
  });
});

describe('sign-ins waiting for a hash', () => {
  it('refuses a sign-in past the waiting bound with SERVICE_UNAVAILABLE, neither hashed nor counted against its address', async () => {
    const hash = await hashPassword('kellys-password');
    let hashes = 0;
    const { storage, cleanup } = await temporarySqliteStorage();
    const guard = new SignInGuard(storage.limits, () => 1_000_000, 1, 2);
    const signIn = (email: string, password: string): Promise<string> => guard.run(email, async () => {
      hashes++;
      if (!(await verifyPassword(password, hash))) throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
      return email;
    });
    // One hashing and two waiting: the queue is full.
    const queued = ['a', 'b', 'c'].map((who) => codeOf(signIn(`${who}@contoso.com`, 'wrong-password')));
    const refused = await Promise.all(Array.from({ length: 12 }, () => codeOf(signIn('kelly@contoso.com', 'wrong-password'))));
    expect(new Set(refused)).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expect(await Promise.all(queued)).toEqual(Array(3).fill('AUTHENTICATION_FAILED'));
    expect(hashes).toBe(3);
    // Twelve refusals, none counted: kelly is not locked out.
    expect(await signIn('kelly@contoso.com', 'kellys-password')).toBe('kelly@contoso.com');
    await cleanup();
  });

  it('answers 503 with Retry-After to a burst of sign-ins past the queue, and still signs a user in afterwards', async () => {
    const t = await startTestService();
    try {
      await t.addUser('kelly@contoso.com');
      const burst = await Promise.all(Array.from({ length: 120 }, async (_, i) => {
        const response = await fetch(`${t.service.url}/_wmcs/oauth2/token`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'password', username: `nobody-${i}@contoso.com`, password: 'wrong-password' }),
        });
        await response.arrayBuffer();
        return { status: response.status, retryAfter: response.headers.get('retry-after') };
      }));
      const unavailable = burst.filter((answer) => answer.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      expect(unavailable.every((answer) => answer.retryAfter !== null)).toBe(true);
      expect(burst.every((answer) => answer.status === 503 || answer.status === 401)).toBe(true);
      const kelly = await t.signIn('kelly@contoso.com');
      expect(kelly.identity).toBe('kelly@contoso.com');
      kelly.close();
    } finally {
      await t.cleanup();
    }
  }, 120_000);
});

describe('openrms serve and PLs with large sealed grants', () => {
  const MiB = 1024 * 1024;
  let root: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    requireBuilt();
    root = mkdtempSync(path.join(os.tmpdir(), 'openrms-large-pl-'));
  });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(root, { recursive: true, force: true });
  });

  /** The service process's resident memory, from /proc/<pid>/status. */
  function rssOf(pid: number): number {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  }

  it('keeps no opened content of a PL over 16 KiB: 150 use licenses for PLs of 9,000 grants each grow the service by less than 128 MiB', async () => {
    const main = path.join(ROOT, 'dist', 'cli', 'main.js');
    const data = path.join(root, 'data');
    const added = spawnSync(process.execPath, [main, 'users', 'add', 'mallory@contoso.com', '--password-stdin', '--data', data],
      { input: `${passwordOf('mallory@contoso.com')}\n`, encoding: 'utf8' });
    expect(added.status).toBe(0);
    child = spawn(process.execPath, [main, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [line] = await once(child.stdout!, 'data') as [Buffer];
    const url = (JSON.parse(line.toString().split('\n')[0]!) as { url: string }).url;
    const mallory = await RmsClient.signIn({
      store: path.join(root, 'mallory'), serviceUrl: url, tokenProvider: passwordTokenProvider('mallory@contoso.com', passwordOf('mallory@contoso.com')),
    });
    // Each PL is a new content key whose sealed grants (about 0.6 MB) name 9,000 recipients and mallory.
    const grants = [...Array.from({ length: 9000 }, (_, i) => ({ who: `recipient-number-${i}@example.com`, rights: ['VIEW'] })),
      { who: 'mallory@contoso.com', rights: ['VIEW'] }];
    const useLicense = async (): Promise<void> => {
      const pl = publishWithHeldClc(mallory, grants);
      expect(pl.length).toBeGreaterThan(900_000);
      expect(decodeJws<PlClaims>(pl).payload.own).toBe('mallory@contoso.com');
      expect(await rightsOf(mallory, pl)).toEqual(['VIEW']);
    };
    await useLicense();
    const before = rssOf(child.pid!);
    for (let i = 0; i < 150; i++) await useLicense();
    expect(rssOf(child.pid!) - before).toBeLessThan(128 * MiB);
    mallory.close();
  }, 180_000);
});
