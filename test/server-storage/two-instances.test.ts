/**
 * Two licensing service instances on one PostgreSQL database behind one public URL, as an
 * organisation runs them behind a load balancer (test/support/request-router.ts chooses which
 * instance answers each request): what one instance records, certifies, revokes or counts, the
 * other honours. And instances starting together on a new database: one migrates, the others
 * wait for it (an advisory lock) instead of racing it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { passwordTokenProvider, RmsAdministration, RmsClient } from '../../lib';
import { openDataFolder, RunningService, startService } from '../../lib/server';
import { MIGRATION_LOCK, POSTGRES_SCHEMA_VERSION } from '../../lib/server/storage/postgres-database';
import { codeOf } from '../support/error-code';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';
import { freePort, waitUntil } from '../support/real-binary';
import { RequestRouter, startRequestRouter } from '../support/request-router';

let postgres: PostgresServer;
let root: string;

beforeAll(async () => {
  postgres = await startPostgres();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-instances-'));
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** An instance on `db` with the data folder `name` under root, listening on a port of its own, known to clients as `publicUrl`. */
async function instance(name: string, db: string, publicUrl?: string): Promise<{ service: RunningService; port: number }> {
  const port = await freePort();
  const service = await startService({ dataDir: path.join(root, name), db, port, publicUrl, log: () => {} });
  return { service, port };
}

describe('two instances on one database', () => {
  let router: RequestRouter;
  let db: string;
  let a: { service: RunningService; port: number };
  let b: { service: RunningService; port: number };
  const clients: RmsClient[] = [];

  beforeAll(async () => {
    db = await postgres.createDatabase();
    router = await startRequestRouter();
    a = await instance('a', db, router.url);
    // Every instance signs with the same keys: a copy of the first one's keys folder.
    cpSync(path.join(root, 'a', 'keys'), path.join(root, 'b', 'keys'), { recursive: true });
    b = await instance('b', db, router.url);
    for (const who of ['alice', 'bob']) await a.service.accounts.addUser(`${who}@contoso.com`, { password: passwordOf(`${who}@contoso.com`) });
    await b.service.accounts.addUser('admin@contoso.com', { password: passwordOf('admin@contoso.com'), admin: true });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await a?.service.close();
    await b?.service.close();
    await router?.close();
  });

  /** `email` signed in (token, RAC and CLC) at the instance listening on `port`. */
  async function signIn(email: string, port: number, store: string): Promise<RmsClient> {
    router.use(port);
    const client = await RmsClient.signIn({ store: path.join(root, 'stores', store), serviceUrl: router.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
    clients.push(client);
    return client;
  }

  /** The PL of new content Alice has the instance on `port` sign, granting Bob VIEW. */
  async function publishThrough(alice: RmsClient, port: number): Promise<{ pl: string; cid: string }> {
    router.use(port);
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }), { online: true });
    serialized.contentKey.close();
    return { pl: serialized.publishingLicense, cid: serialized.contentId };
  }

  async function rightsAt(client: RmsClient, port: number, pl: string): Promise<readonly string[]> {
    router.use(port);
    const license = await client.getContentKey(pl);
    license.close();
    return license.rights;
  }

  const servedBy = (pathname: string): number[] => router.served.filter((s) => s.path.toLowerCase() === pathname).map((s) => s.port);

  it('licenses, at one instance, content published through the other to a user certified at the first, and both audit logs show it', async () => {
    const bob = await signIn('bob@contoso.com', a.port, 'bob-at-a');
    const alice = await signIn('alice@contoso.com', b.port, 'alice-at-b');
    const { pl, cid } = await publishThrough(alice, b.port);
    expect(await rightsAt(bob, a.port, pl)).toEqual(['VIEW']);
    expect([...new Set(servedBy('/_wmcs/certification'))]).toEqual([a.port, b.port]);
    expect(servedBy('/_wmcs/licensing/publish')).toEqual([b.port]);
    expect(servedBy('/_wmcs/licensing/eul')).toEqual([a.port]);
    expect((await b.service.audit.recent(10, cid)).map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['bob@contoso.com', 'use-license', 'issued'], ['alice@contoso.com', 'publish', 'issued'],
    ]);
  });

  it('lists at one instance a template an administrator created at the other', async () => {
    const admin = await signIn('admin@contoso.com', b.port, 'admin-at-b');
    const created = await new RmsAdministration(admin).createTemplate({ name: 'Shared - staff', grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    const bob = await signIn('bob@contoso.com', a.port, 'bob-templates');
    expect((await bob.getTemplates({ forceDownload: true })).map((t) => t.id)).toEqual([created.id]);
    expect(servedBy('/_wmcs/licensing/templates').slice(-2)).toEqual([b.port, a.port]);
  });

  it('refuses at one instance content revoked at the other', async () => {
    const alice = await signIn('alice@contoso.com', a.port, 'alice-revokes');
    const bob = await signIn('bob@contoso.com', b.port, 'bob-revoked');
    const { pl, cid } = await publishThrough(alice, a.port);
    expect(await rightsAt(bob, b.port, pl)).toEqual(['VIEW']);
    router.use(a.port);
    await alice.revoke({ contentId: cid });
    expect(await codeOf(rightsAt(bob, b.port, pl))).toBe('CONTENT_REVOKED');
    expect(servedBy(`/_wmcs/licensing/content/${cid}/revoke`)).toEqual([a.port]);
  });

  it('holds at one instance a sign-in lockout counted at the other', async () => {
    await a.service.accounts.addUser('kelly@contoso.com', { password: passwordOf('kelly@contoso.com') });
    const signIn = async (port: number, password: string): Promise<number> => {
      router.use(port);
      const answer = await fetch(`${router.url}/_wmcs/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', username: 'kelly@contoso.com', password }),
      });
      await answer.arrayBuffer();
      return answer.status;
    };
    for (let i = 0; i < 10; i++) expect(await signIn(a.port, `wrong-password-${i}`)).toBe(401);
    expect(await signIn(b.port, passwordOf('kelly@contoso.com'))).toBe(401);
    expect(await signIn(a.port, passwordOf('kelly@contoso.com'))).toBe(401);
  });

  it('refuses to start an instance whose keys are not those the database was first used with', async () => {
    // A data folder of its own: keys of its own.
    await expect(instance('stranger', db)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(a.service.folder.signingKey.thumbprint()) });
  });
});

describe('instances starting together on a new database', () => {
  it('wait while the migration lock is held, then start on the schema migrated once', async () => {
    const db = await postgres.createDatabase();
    const holder = new Client({ connectionString: db });
    await holder.connect();
    try {
      // Held by the test, as an instance migrating holds it.
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      openDataFolder(path.join(root, 'together-1'));
      for (const other of ['together-2', 'together-3']) cpSync(path.join(root, 'together-1', 'keys'), path.join(root, other, 'keys'), { recursive: true });
      const starting = [instance('together-1', db), instance('together-2', db), instance('together-3', db)];
      // Each waits for the lock, and none has touched the schema.
      await waitUntil(async () => (await holder.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0].n === 3,
      30_000, () => 'the instances did not wait for the migration lock');
      expect((await holder.query("SELECT to_regclass('openrms_schema') AS t")).rows[0].t).toBeNull();
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const started = await Promise.all(starting);
      try {
        expect((await holder.query('SELECT version FROM openrms_schema')).rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
        await started[0]!.service.accounts.addUser('first@contoso.com');
        expect(await started[2]!.service.accounts.find('first@contoso.com')).toMatchObject({ email: 'first@contoso.com' });
      } finally {
        for (const { service } of started) await service.close();
      }
    } finally {
      await holder.end();
    }
  });

  it('refuses a database whose schema is newer than this openrms knows', async () => {
    const db = await postgres.createDatabase();
    await (await instance('newer', db)).service.close();
    await postgres.query(db, 'UPDATE openrms_schema SET version = $1', [POSTGRES_SCHEMA_VERSION + 1]);
    await expect(instance('newer', db)).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
  });
});
