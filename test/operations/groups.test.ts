/**
 * Grants to groups, on SQLite and on PostgreSQL: content protected for a group address opens for
 * its members, through groups within groups, as `openrms groups` sets them beside the running
 * service; a member removed gets no further use license; and a caller signed in through an
 * external OpenID Connect issuer holds the groups its token's `groups` claim names.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { passwordTokenProvider, RmsClient } from '../../lib';
import { AsymmetricKey } from '../../lib/crypto/asymmetric-key';
import { sign } from '../../lib/crypto/signature';
import { openDataFolder, RunningService, startService } from '../../lib/server';
import { openrms, openrmsJson } from '../support/cli-in-process';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';
import { rightsOf } from '../support/rights-of';

let root: string;
let postgres: PostgresServer;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-groups-'));
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The PL of content `client` protects for `to` (VIEW, online every time: no use license kept). */
async function protectFor(client: RmsClient, to: string): Promise<string> {
  const serialized = await client.serializeLicense(client.createLicense({ grants: [{ who: to, rights: ['VIEW'] }], offlineDays: 0 }), { online: true });
  serialized.contentKey.close();
  return serialized.publishingLicense;
}

describe.each(['sqlite', 'postgres'] as const)('groups on %s', (database) => {
  let dataDir: string;
  let db: string | undefined;
  let service: RunningService;
  const clients: Record<string, RmsClient> = {};
  /** `openrms groups ...` beside the service, on its data. */
  const groups = (...args: string[]): Promise<Record<string, unknown>> => openrmsJson(['groups', ...args, '--data', dataDir, ...(db === undefined ? [] : ['--db', db])]);

  beforeAll(async () => {
    dataDir = path.join(root, database);
    db = database === 'postgres' ? await postgres.createDatabase() : undefined;
    service = await startService({ dataDir, db, port: 0, log: () => {} });
    for (const who of ['alice', 'bob', 'carol', 'dave']) {
      const email = `${who}@contoso.com`;
      await service.accounts.addUser(email, { password: passwordOf(email) });
      clients[who] = await RmsClient.signIn({ store: path.join(root, `${database}-${who}`), serviceUrl: service.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
    }
  }, 60_000);

  afterAll(async () => {
    for (const client of Object.values(clients)) client.close();
    await service?.close();
  });

  it('gives the rights of a grant to a group to its members, and to no one else', async () => {
    expect(await groups('add', 'Finance@Contoso.com', 'bob@contoso.com', 'carol@contoso.com')).toEqual({ group: 'finance@contoso.com', added: 2, members: 2 });
    const pl = await protectFor(clients.alice!, 'finance@contoso.com');
    expect(await rightsOf(clients.bob!, pl)).toEqual(['VIEW']);
    expect(await rightsOf(clients.carol!, pl)).toEqual(['VIEW']);
    expect(await rightsOf(clients.dave!, pl)).toBe('RIGHT_NOT_GRANTED');
    expect(await groups('members', 'finance@contoso.com')).toEqual({
      group: 'finance@contoso.com', members: [{ member: 'bob@contoso.com', addedAt: expect.any(String) }, { member: 'carol@contoso.com', addedAt: expect.any(String) }],
    });
  });

  it('stops licensing a member once removed from the group, at the next use license', async () => {
    const pl = await protectFor(clients.alice!, 'finance@contoso.com');
    expect(await rightsOf(clients.carol!, pl)).toEqual(['VIEW']);
    expect(await groups('remove', 'finance@contoso.com', 'carol@contoso.com')).toEqual({ group: 'finance@contoso.com', removed: 1, members: 1 });
    expect(await rightsOf(clients.carol!, pl)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(clients.bob!, pl)).toEqual(['VIEW']);
  });

  it('follows groups within groups, and a cycle between groups ends', async () => {
    await groups('add', 'staff@contoso.com', 'finance@contoso.com', 'dave@contoso.com');
    await groups('add', 'everyone@contoso.com', 'staff@contoso.com');
    // A cycle: everyone is in staff, staff in everyone.
    await groups('add', 'staff@contoso.com', 'everyone@contoso.com');
    const pl = await protectFor(clients.alice!, 'everyone@contoso.com');
    expect(await rightsOf(clients.bob!, pl)).toEqual(['VIEW']);
    expect(await rightsOf(clients.dave!, pl)).toEqual(['VIEW']);
    expect(await rightsOf(clients.carol!, pl)).toBe('RIGHT_NOT_GRANTED');
    expect((await groups('list')).groups).toEqual([
      { group: 'everyone@contoso.com', members: 1 }, { group: 'finance@contoso.com', members: 1 }, { group: 'staff@contoso.com', members: 3 },
    ]);
  });

  it('removes a whole group, and refuses a member that is not an address, naming the argument', async () => {
    const pl = await protectFor(clients.alice!, 'staff@contoso.com');
    expect(await rightsOf(clients.dave!, pl)).toEqual(['VIEW']);
    expect(await groups('remove', 'staff@contoso.com')).toEqual({ group: 'staff@contoso.com', removed: 3, members: 0 });
    expect(await rightsOf(clients.dave!, pl)).toBe('RIGHT_NOT_GRANTED');
    const bad = await openrms(['groups', 'add', 'staff@contoso.com', 'not an address', '--data', dataDir, '--json', ...(db === undefined ? [] : ['--db', db])]);
    expect([bad.code, JSON.parse(bad.stdout).error]).toEqual([1, expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'member' })]);
  });
});

describe("an external OpenID Connect issuer's groups claim", () => {
  const idpKey = AsymmetricKey.generate({ type: 'ec' });
  let jwks: http.Server;
  let issuer: string;
  let service: RunningService;
  let dataDir: string;
  const clients: RmsClient[] = [];

  /** A token of the issuer naming `email`, with `groups` when given. */
  function idToken(email: string, groups?: unknown): string {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'idp-key-1', typ: 'JWT' })).toString('base64url');
    const claims = { iss: issuer, aud: 'api://openrms', exp: Math.floor(Date.now() / 1000) + 600, email, email_verified: true, ...(groups === undefined ? {} : { groups }) };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('ES256', idpKey, Buffer.from(input)).toString('base64url')}`;
  }

  async function signInExternal(name: string, email: string, groups?: unknown): Promise<RmsClient> {
    const client = await RmsClient.signIn({ store: path.join(root, `oidc-${name}`), serviceUrl: service.url, tokenProvider: async () => idToken(email, groups) });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    jwks = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ ...idpKey.publicKey().exportJwk(), kid: 'idp-key-1' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    dataDir = path.join(root, 'oidc');
    openDataFolder(dataDir);
    const settingsFile = path.join(dataDir, 'service.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), oidc: { issuer, jwksUri: `${issuer}/keys`, audience: 'api://openrms' } }));
    service = await startService({ dataDir, port: 0, log: () => {} });
    await service.accounts.addUser('alice@contoso.com', { password: passwordOf('alice@contoso.com') });
    clients.push(await RmsClient.signIn({ store: path.join(root, 'oidc-alice'), serviceUrl: service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) }));
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.close();
    jwks?.close();
  });

  it('gives a grant to a group the claim names to the caller, and nothing to a caller whose claim does not name it', async () => {
    const pl = await protectFor(clients[0]!, 'research@fabrikam.com');
    // Entries that are not addresses (an issuer's group IDs or paths) name no group and are left out.
    const grace = await signInExternal('grace', 'grace@fabrikam.com', ['Research@Fabrikam.com', '/research', 'b3c0f0e2-8c1d-4a4e-9f57-2f8f3f3b7a10']);
    const heidi = await signInExternal('heidi', 'heidi@fabrikam.com', ['/research']);
    const ivan = await signInExternal('ivan', 'ivan@fabrikam.com');
    expect(await rightsOf(grace, pl)).toEqual(['VIEW']);
    expect(await rightsOf(heidi, pl)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(ivan, pl)).toBe('RIGHT_NOT_GRANTED');
  });

  it('ignores claimed groups that name a user, a principal or a group of this service: the issuer speaks for its own groups only', async () => {
    await service.accounts.addUser('ceo@contoso.com', { password: passwordOf('ceo@contoso.com') });
    await openrmsJson(['groups', 'add', 'board@contoso.com', 'ceo@contoso.com', '--data', dataDir]);
    const toCeo = await protectFor(clients[0]!, 'ceo@contoso.com');
    const toBoard = await protectFor(clients[0]!, 'board@contoso.com');
    const mallory = await signInExternal('mallory', 'mallory@fabrikam.com', ['ceo@contoso.com', 'board@contoso.com', 'alice@contoso.com']);
    expect(await rightsOf(mallory, toCeo)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(mallory, toBoard)).toBe('RIGHT_NOT_GRANTED');
  });

  it("counts the service's own groups that hold a group the claim names", async () => {
    await openrmsJson(['groups', 'add', 'all-staff@fabrikam.com', 'research@fabrikam.com', '--data', dataDir]);
    const pl = await protectFor(clients[0]!, 'all-staff@fabrikam.com');
    const judy = await signInExternal('judy', 'judy@fabrikam.com', ['research@fabrikam.com']);
    expect(await rightsOf(judy, pl)).toEqual(['VIEW']);
  });
});
