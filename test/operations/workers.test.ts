/**
 * `openrms serve --workers N` (runWorkers, from the compiled package) when a worker dies:
 * - after `openrms keys rotate`, the worker that replaces a dead one runs the key generation the
 *   service started with, as the others do, so clients behind the one port meet one SLC; the
 *   new keys are used once the whole service restarts; so with service.json edited;
 * - killed in the middle of a load of 64 concurrent clients on PostgreSQL, only the requests in
 *   flight fail, the primary replaces the worker, and every use license a client received is on
 *   record in the audit log.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { decodeJws, passwordTokenProvider, RmsClient } from '../../lib';
import { Accounts } from '../../lib/server/accounts';
import { openDataFolder } from '../../lib/server/data-folder';
import { openStorage } from '../../lib/server/storage/storage';
import { requireBuilt } from '../support/built-package';
import { openrmsJson } from '../support/cli-in-process';
import { internals } from '../support/client-internals';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';
import { killAndReplace, replacementOf, startWorkerCluster, WorkerCluster, workersStarted } from '../support/worker-cluster';

let root: string;
let postgres: PostgresServer;
const clusters: WorkerCluster[] = [];
const clients: RmsClient[] = [];

beforeAll(async () => {
  requireBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-worker-deaths-'));
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  for (const cluster of clusters) await cluster.stop();
  await postgres?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function startCluster(options: { dataDir: string; db?: string }): Promise<WorkerCluster> {
  const cluster = await startWorkerCluster({ workers: 2, ...options });
  clusters.push(cluster);
  return cluster;
}

/** A data folder whose database (SQLite there, or `db`) knows `emails`, each with its test password. */
async function dataFolderWith(name: string, emails: string[], db?: string): Promise<string> {
  const dataDir = path.join(root, name);
  openDataFolder(dataDir);
  const storage = await openStorage({ dataDir, db });
  const accounts = new Accounts(storage, () => Math.floor(Date.now() / 1000));
  for (const email of emails) await accounts.addUser(email, { password: passwordOf(email) });
  await storage.close();
  return dataDir;
}

/** The signers of the SLCs `count` fresh connections are given (the primary hands connections to the workers in turn). */
async function slcSigners(url: string, count: number): Promise<Set<string>> {
  const signers = new Set<string>();
  for (let i = 0; i < count; i += 1) {
    const { slc } = (await (await fetch(`${url}/_wmcs/discovery`, { headers: { connection: 'close' } })).json()) as { slc: string };
    signers.add(decodeJws(slc).header.kid);
  }
  return signers;
}

describe('workers after a key rotation', () => {
  it('run the generation the service started with, a worker replaced since too, until the whole service restarts', async () => {
    const dataDir = await dataFolderWith('rotated', []);
    const cluster = await startCluster({ dataDir });
    const first = await slcSigners(cluster.url, 4);
    expect(first.size).toBe(1);
    const rotation = await openrmsJson<{ retired: { signing: string }; current: { signing: string } }>(['keys', 'rotate', '--data', dataDir]);
    expect(rotation.retired.signing).toBe([...first][0]);

    const replacement = await killAndReplace(cluster, cluster.pids[0]!);
    const logged = cluster.entries.length;
    expect(await slcSigners(cluster.url, 16)).toEqual(first);
    // Both workers answered those: the one that survived and the one started after the rotation.
    const served = new Set(cluster.entries.slice(logged).filter((e) => e.event === 'request').map((e) => e.worker));
    expect(served).toEqual(new Set([replacement.worker, cluster.entries.find((e) => e.event === 'worker-started' && e.pid === cluster.pids[1])!.worker]));

    await cluster.stop();
    const restarted = await startCluster({ dataDir });
    expect(await slcSigners(restarted.url, 8)).toEqual(new Set([rotation.current.signing]));
  }, 180_000);
});

describe('workers after service.json is edited', () => {
  it('run the settings the service started with, a worker replaced since too', async () => {
    const dataDir = await dataFolderWith('edited', []);
    const cluster = await startCluster({ dataDir });
    const names = async (count: number): Promise<Set<string>> => {
      const seen = new Set<string>();
      for (let i = 0; i < count; i += 1) {
        const { slc } = (await (await fetch(`${cluster.url}/_wmcs/discovery`, { headers: { connection: 'close' } })).json()) as { slc: string };
        seen.add(String(decodeJws(slc).payload.name));
      }
      return seen;
    };
    expect(await names(4)).toEqual(new Set(['openrms']));
    const settingsFile = path.join(dataDir, 'service.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), name: 'Contoso after the edit' }));
    await killAndReplace(cluster, cluster.pids[0]!);
    expect(await names(16)).toEqual(new Set(['openrms']));
  }, 180_000);
});

describe('a worker killed in the middle of a load on PostgreSQL', () => {
  it('fails only the requests in flight, is replaced, and loses no audit record of a use license a client received', async () => {
    const db = await postgres.createDatabase();
    const dataDir = await dataFolderWith('killed', ['alice@contoso.com', 'bob@contoso.com'], db);
    const cluster = await startCluster({ dataDir, db });
    const signIn = async (email: string): Promise<RmsClient> => {
      const client = await RmsClient.signIn({ store: path.join(root, 'stores', email), serviceUrl: cluster.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
      clients.push(client);
      return client;
    };
    const alice = await signIn('alice@contoso.com');
    const bob = await signIn('bob@contoso.com');
    const { rac, token } = internals(bob).account;
    // One PL per request, so each UL names content of its own and is matched to its own record.
    const pls: string[] = [];
    for (let i = 0; i < 448; i += 1) {
      const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
      s.contentKey.close();
      pls.push(s.publishingLicense);
    }
    const requestUl = async (pl: string): Promise<string | null> => {
      try {
        const response = await fetch(`${cluster.url}/_wmcs/licensing/eul`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token!.accessToken}` },
          body: JSON.stringify({ pl, rac }),
          // A connection the primary handed to the worker as it died is never answered.
          signal: AbortSignal.timeout(20_000),
        });
        return response.status === 200 ? ((await response.json()) as { ul: string }).ul : null;
      } catch {
        return null; // the connection was to the killed worker
      }
    };

    const victim = cluster.pids[0]!;
    const startedBefore = workersStarted(cluster);
    const exited = (): boolean => cluster.entries.some((e) => e.event === 'worker-exited' && e.pid === victim);
    const received: string[] = [];
    /** Requests that failed although they began after the primary had logged the worker's death. */
    const failedAfterExit: number[] = [];
    let failed = 0;
    let next = 0;
    let killedAt = -1;
    const client = async (): Promise<void> => {
      while (next < pls.length) {
        const n = next++;
        if (killedAt < 0 && received.length >= 64) {
          killedAt = received.length;
          process.kill(victim, 'SIGKILL');
        }
        const afterExit = exited();
        const ul = await requestUl(pls[n]!);
        if (ul !== null) received.push(ul);
        else {
          failed += 1;
          if (afterExit) failedAfterExit.push(n);
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, client));
    expect(killedAt).toBeGreaterThan(0);
    expect(received.length).toBeGreaterThan(killedAt);
    expect(failedAfterExit).toEqual([]);

    // Replaced: 64 clients at once are all served again.
    await replacementOf(cluster, victim, startedBefore);
    const again = await Promise.all(Array.from({ length: 64 }, async () => {
      const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
      s.contentKey.close();
      return requestUl(s.publishingLicense);
    }));
    expect(again.filter((ul) => ul === null)).toEqual([]);
    received.push(...(again as string[]));

    const issued = new Set((await postgres.query<{ cid: string }>(db, "SELECT cid FROM audit WHERE actor = 'bob@contoso.com' AND action = 'use-license' AND outcome = 'issued'"))
      .map((row) => row.cid));
    const missing = received.map((ul) => decodeJws<{ cid: string }>(ul).payload.cid).filter((cid) => !issued.has(cid));
    expect({ received: received.length, missing }).toEqual({ received: received.length, missing: [] });
  }, 300_000);
});
