/**
 * The attacks of issue 9 against a real service on loopback, kept as regression tests: a PL that
 * borrows another PL's key or grants, a recipient republishing the content key he legitimately
 * holds, content published by an account since disabled or removed, impossible times.
 */
import { decodeJws, keyWrap, PlClaims, RmsClient, SecretKey } from '../../lib';
import { publishOffline, publishRequestLabel, signJws } from '../../lib/license';
import { PL_TYPE } from '../../lib/license/publishing-license';
import { clientNetwork } from '../../lib/server/client-network';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { startTestService, TestService } from '../support/licensing-service';

let t: TestService;
let alice: RmsClient;
let bob: RmsClient;
let mallory: RmsClient;

const NOW = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  t = await startTestService();
  for (const who of ['alice', 'bob', 'mallory', 'frank', 'grace']) await t.addUser(`${who}@contoso.com`);
  alice = await t.signIn('alice@contoso.com');
  bob = await t.signIn('bob@contoso.com');
  mallory = await t.signIn('mallory@contoso.com');
}, 60_000);

afterAll(async () => {
  for (const c of [alice, bob, mallory]) c?.close();
  await t?.cleanup();
});

/** Alice's offline PL for `grants`, online every time (offline days 0), so each open asks the service. */
async function alicePublishes(grants: { who: string; rights: string[] }[]): Promise<{ pl: string; claims: PlClaims }> {
  const serialized = await alice.serializeLicense(alice.createLicense({ grants, offlineDays: 0 }));
  serialized.contentKey.close();
  return { pl: serialized.publishingLicense, claims: decodeJws<PlClaims>(serialized.publishingLicense).payload };
}

/** `client` signs `claims` as an offline PL of its own: its publishing key, its CLC embedded. */
function signedBy(client: RmsClient, claims: Omit<PlClaims, 'iss' | 'clc'>): string {
  const key = internals(client).key();
  return signJws({ ...claims, iss: key.thumbprint(), clc: internals(client).account.clc }, key, PL_TYPE);
}

async function open(client: RmsClient, pl: string): Promise<readonly string[]> {
  const license = await client.getContentKey(pl);
  try {
    return license.rights;
  } finally {
    license.close();
  }
}

async function lastRefusal(cid: string): Promise<string | null> {
  return (await t.service.audit.recent(1, cid))[0]?.reason ?? null;
}

describe('a PL cannot borrow another PL\'s key or grants (point 1)', () => {
  it('refuses the wrapped key and sealed grants of alice\'s PL spliced into a PL of mallory\'s, even after a valid request warmed the cache', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    expect(await open(bob, original.pl)).toEqual(['VIEW']);
    await alice.revoke({ publishingLicense: original.pl });
    expect(await codeOf(open(bob, original.pl))).toBe('CONTENT_REVOKED');

    // Mallory's own policy (no expiry, 65,535 offline days) around alice's key and grants, signed with his CLC.
    const spliced = signedBy(mallory, {
      ...original.claims, own: 'mallory@contoso.com', iat: NOW(), pol: { template: null, contentValidUntil: null, offlineDays: 65535 },
    });
    expect(await codeOf(open(bob, spliced))).toBe('LICENSE_SPLICED');
    expect(await lastRefusal(original.claims.cid)).toBe('LICENSE_SPLICED');
    // Bob, the grantee, trying the same with himself as owner.
    const bobs = signedBy(bob, { ...original.claims, own: 'bob@contoso.com', iat: NOW() });
    expect(await codeOf(open(bob, bobs))).toBe('LICENSE_SPLICED');
  });

  it('refuses a splice that keeps the owner but changes the clear policy or the content ID', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    // Only alice can sign as alice; what is tested here is the binding itself, so she splices her own PL.
    const longer = signedBy(alice, { ...original.claims, pol: { ...original.claims.pol, offlineDays: 365 } });
    expect(await codeOf(open(bob, longer))).toBe('LICENSE_SPLICED');
    const moved = signedBy(alice, { ...original.claims, cid: '0f0f0f0f-0000-4000-8000-000000000001' });
    expect(await codeOf(open(bob, moved))).toBe('LICENSE_SPLICED');
  });

  it('does not accept a PL\'s wrapped key as an online publishing request', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const answer = await internals(mallory).connection.callAuthenticated('POST', '/_wmcs/licensing/publish', {
      rac: internals(mallory).account.rac, contentId: original.claims.cid, wrappedKey: original.claims.ck,
      policy: { template: null, grants: [{ who: 'mallory@contoso.com', rights: ['OWNER'] }], contentValidUntil: null, offlineDays: 7 },
    }).then(() => 'published', (error: { code: string; message: string }) => `${error.code}: ${error.message}`);
    expect(answer).toMatch(/^INVALID_ARGUMENT: wrappedKey does not unwrap/);
  });
});

describe('revocation and ownership follow the content key (point 2)', () => {
  /** Bob's copy of the content key, as his VIEW use license gives it to him. */
  async function bobsKey(pl: string) {
    return (await bob.getContentKey(pl)).contentKey;
  }

  it('refuses the content key republished by a recipient under the same content ID with himself as owner', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const key = await bobsKey(original.pl);
    const republished = publishOffline({
      owner: 'bob@contoso.com', contentId: original.claims.cid, iat: NOW(), contentKey: key,
      policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['OWNER'] }, { who: 'ANYONE', rights: ['EXPORT'] }], contentValidUntil: null, offlineDays: 30 },
      wrappingKey: internals(bob).slc.wrappingKey, urls: original.claims.urls,
    }, internals(bob).key(), internals(bob).account.clc!);
    expect(await codeOf(open(bob, republished))).toBe('LICENSE_SPLICED');
    expect(await codeOf(open(mallory, republished))).toBe('LICENSE_SPLICED');
    key.close();
  });

  it('refuses the content key republished under a new content ID, and revocation reaches every PL of the key', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const key = await bobsKey(original.pl);
    const renamed = publishOffline({
      owner: 'bob@contoso.com', iat: NOW(), contentKey: key,
      policy: { template: null, grants: [{ who: 'ANYONE', rights: ['EXPORT'] }], contentValidUntil: null, offlineDays: 30 },
      wrappingKey: internals(bob).slc.wrappingKey, urls: original.claims.urls,
    }, internals(bob).key(), internals(bob).account.clc!);
    expect(await codeOf(open(mallory, renamed))).toBe('LICENSE_SPLICED');

    // Alice herself may publish her key again (a new policy for the same content); revoking reaches both PLs.
    const again = publishOffline({
      owner: 'alice@contoso.com', contentId: original.claims.cid, iat: NOW(), contentKey: key,
      policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW', 'PRINT'] }], contentValidUntil: null, offlineDays: 0 },
      wrappingKey: internals(alice).slc.wrappingKey, urls: original.claims.urls,
    }, internals(alice).key(), internals(alice).account.clc!);
    expect(await open(bob, again)).toEqual(['PRINT', 'VIEW']);
    await alice.revoke({ contentId: original.claims.cid });
    expect(await codeOf(open(bob, original.pl))).toBe('CONTENT_REVOKED');
    expect(await codeOf(open(bob, again))).toBe('CONTENT_REVOKED');
    key.close();
  });

  it('lets nobody lock the owner out by registering her content ID first with a key of their own', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const squat = await mallory.serializeLicense(mallory.createLicense({ grants: [{ who: 'mallory@contoso.com', rights: ['OWNER'] }] }));
    const squatted = publishOffline({
      owner: 'mallory@contoso.com', contentId: original.claims.cid, iat: NOW(), contentKey: squat.contentKey,
      policy: { template: null, grants: [{ who: 'mallory@contoso.com', rights: ['OWNER'] }], contentValidUntil: null, offlineDays: 0 },
      wrappingKey: internals(mallory).slc.wrappingKey, urls: original.claims.urls,
    }, internals(mallory).key(), internals(mallory).account.clc!);
    expect(await open(mallory, squatted)).toEqual(['OWNER']);
    await mallory.revoke({ contentId: original.claims.cid });
    // Alice's content, first seen after mallory's, opens; mallory's revocation reached only his own.
    expect(await open(bob, original.pl)).toEqual(['VIEW']);
    squat.contentKey.close();
  });
});

describe('a disabled or removed account stops publishing (point 3)', () => {
  it('licenses content seen before its publisher was disabled, refuses content first seen after, and again after removal', async () => {
    const frank = await t.signIn('frank@contoso.com');
    const publish = async () => {
      const s = await frank.serializeLicense(frank.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
      s.contentKey.close();
      return s.publishingLicense;
    };
    const seen = await publish();
    const unseen = await publish();
    const later = await publish();
    expect(await open(bob, seen)).toEqual(['VIEW']);

    await t.service.accounts.disable('frank@contoso.com');
    expect(await open(bob, seen)).toEqual(['VIEW']);
    expect(await codeOf(open(bob, unseen))).toBe('PUBLISHER_NOT_ALLOWED');
    expect(await lastRefusal(decodeJws<PlClaims>(unseen).payload.cid)).toBe('PUBLISHER_NOT_ALLOWED');
    expect(await codeOf(t.signIn('frank@contoso.com'))).toBe('AUTHENTICATION_FAILED');

    await t.service.accounts.enable('frank@contoso.com');
    expect(await open(bob, unseen)).toEqual(['VIEW']);

    await t.service.accounts.remove('frank@contoso.com');
    expect(await codeOf(open(bob, later))).toBe('PUBLISHER_NOT_ALLOWED');
    expect(await open(bob, seen)).toEqual(['VIEW']);
    frank.close();
  });

  it('refuses an old PL dated back inside the removed publisher\'s long-expired CLC', async () => {
    const grace = await t.signIn('grace@contoso.com');
    const clc = decodeJws<{ iat: number }>(internals(grace).account.clc!).payload;
    const s = await grace.serializeLicense(grace.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
    const claims = decodeJws<PlClaims>(s.publishingLicense).payload;
    const backdated = signedBy(grace, { ...claims, iat: clc.iat });
    await t.service.accounts.remove('grace@contoso.com');
    expect(await codeOf(open(bob, backdated))).toBe('PUBLISHER_NOT_ALLOWED');
    expect(await codeOf(open(bob, s.publishingLicense))).toBe('PUBLISHER_NOT_ALLOWED');
    s.contentKey.close();
    grace.close();
  });
});

describe('impossible values are refused at the boundary (point 9)', () => {
  it('refuses a PL with contentValidUntil 1e300 as INVALID_FORMAT, at the client and at the service', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const huge = signedBy(mallory, { ...original.claims, own: 'mallory@contoso.com', pol: { ...original.claims.pol, contentValidUntil: 1e300 } });
    expect(await codeOf(open(bob, huge))).toBe('INVALID_FORMAT');
    const response = await fetch(`${t.service.url}/_wmcs/licensing/eul`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${internals(bob).account.token!.accessToken}` },
      body: JSON.stringify({ pl: huge, rac: internals(bob).account.rac }),
    });
    expect(response.status).toBe(400);
    expect((await response.json() as { error: { code: string } }).error.code).toBe('INVALID_FORMAT');
  });

  it('refuses a PL issued at an impossible time, and an online policy with one, with a code naming the field', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    for (const iat of [1e300, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(await codeOf(open(bob, signedBy(mallory, { ...original.claims, own: 'mallory@contoso.com', iat })))).toBe('INVALID_FORMAT');
    }
    const contentId = '0f0f0f0f-0000-4000-8000-000000000002';
    const contentKey = SecretKey.generate();
    const answer = await internals(mallory).connection.callAuthenticated('POST', '/_wmcs/licensing/publish', {
      rac: internals(mallory).account.rac, contentId,
      wrappedKey: keyWrap.wrapKey(internals(mallory).slc.wrappingKey, contentKey, { label: publishRequestLabel(contentId) }).toString('base64url'),
      policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: 1e300, offlineDays: 7 },
    }).then(() => 'published', (error: { code: string; message: string }) => `${error.code}: ${error.message}`);
    expect(answer).toMatch(/^INVALID_ARGUMENT: policy\.contentValidUntil must be/);
    contentKey.close();
  });
});

describe('sign-up cannot be used to flood or to enumerate (point 6)', () => {
  let s: TestService;
  let clock = NOW();
  const ask = (email: string) => fetch(`${s.service.url}/_wmcs/individuals/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { error?: { code: string } }).error?.code ?? 'sent' }));

  beforeAll(async () => {
    s = await startTestService({ now: () => clock });
    await s.addUser('org@contoso.com');
  });
  afterAll(() => s.cleanup());

  it('sends at most three messages per address an hour, for an organization address and an unknown one alike', async () => {
    for (const email of ['org@contoso.com', 'new-person@example.org']) {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await ask(email));
      expect(answers.map((a) => `${a.status} ${a.code}`)).toEqual(['200 sent', '200 sent', '200 sent', '429 TOO_MANY_REQUESTS']);
    }
    clock += 3601;
    expect(await ask('new-person@example.org')).toEqual({ status: 200, code: 'sent' });
  });

  it('lets one client ask for ten sign-ups an hour, whatever addresses it names', async () => {
    clock += 3601;
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push((await ask(`flood-${i}@example.org`)).status);
    expect(answers.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(answers[10]).toBe(429);
  });

  it('deletes sign-ups nobody completed once their code has expired', async () => {
    clock += 3601;
    await ask('forgetful@example.org');
    const pending = () => s.service.storage.accounts.signUp('forgetful@example.org');
    expect(await pending()).not.toBeNull();
    clock += 15 * 60 + 1;
    await ask('someone-else@example.org');
    expect(await pending()).toBeNull();
  });
});

describe('clientNetwork, whom the per-client sign-up limit counts', () => {
  it('counts an IPv4 client by its address and an IPv6 client by its /64', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('::ffff:192.0.2.7');
    expect(clientNetwork('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork(undefined)).toBe('unknown');
  });
});

describe('an address removed and added again is a new account (review finding)', () => {
  it('publishes nothing new under a CLC issued to the account before, and does under its own', async () => {
    let clock = NOW();
    const s = await startTestService({ now: () => clock });
    try {
      await s.addUser('henry@contoso.com');
      await s.addUser('bob@contoso.com');
      const store = (name: string) => ({ store: `${s.root}/stores/${name}`, now: () => clock });
      const before = await s.signIn('henry@contoso.com', store('henry-before'));
      const publish = async (client: RmsClient) => {
        const serialized = await client.serializeLicense(client.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
        serialized.contentKey.close();
        return serialized.publishingLicense;
      };
      const old = await publish(before);
      clock += 60;
      await s.service.accounts.remove('henry@contoso.com');
      await s.addUser('henry@contoso.com');
      clock += 60;
      const bob = await s.signIn('bob@contoso.com', store('bob'));
      expect(await codeOf(open(bob, old))).toBe('PUBLISHER_NOT_ALLOWED');
      const after = await s.signIn('henry@contoso.com', store('henry-after'));
      expect(await open(bob, await publish(after))).toEqual(['VIEW']);
      for (const c of [before, after, bob]) c.close();
    } finally {
      await s.cleanup();
    }
  });
});

describe('claims the binding does not cover still have their types (fuzzing finding)', () => {
  it('refuses a validly signed PL whose sad, desc, ref, mode or urls are of another type, as INVALID_FORMAT', async () => {
    const original = await alicePublishes([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const broken: Partial<Record<keyof PlClaims, unknown>>[] = [
      { sad: 'abc' }, { sad: { a: 5 } }, { desc: 'x' }, { desc: [{ lang: 'en', name: 5, description: '' }] }, { ref: 5 }, { mode: {} }, { urls: 7 },
      { urls: { intranet: 5, extranet: null } },
    ];
    for (const change of broken) {
      const pl = signedBy(mallory, { ...original.claims, own: 'mallory@contoso.com', iat: NOW(), ...change } as Omit<PlClaims, 'iss' | 'clc'>);
      expect(`${JSON.stringify(change)} ${await codeOf(open(bob, pl))}`).toBe(`${JSON.stringify(change)} INVALID_FORMAT`);
    }
  });
});
