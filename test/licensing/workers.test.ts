/**
 * `runWorkers` (lib/server/workers.ts): two service processes sharing one port through Node's
 * cluster, on one SQLite database, run from the compiled package in a process of their own (as
 * `openrms serve --workers 2` runs them). A protect/open round trip goes through them; a worker
 * killed with SIGKILL is replaced; and killing one in the middle of a load loses no audit record
 * of a use license a client received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { decodeJws, passwordTokenProvider, RmsClient } from '../../lib';
import { Accounts } from '../../lib/server/accounts';
import { openDataFolder } from '../../lib/server/data-folder';
import { openStorage } from '../../lib/server/storage/storage';
import { requireBuilt } from '../support/built-package';
import { internals } from '../support/client-internals';
import { passwordOf } from '../support/licensing-service';
import { waitUntil } from '../support/real-binary';
import { startWorkerCluster, WorkerCluster } from '../support/worker-cluster';

let root: string;
let dataDir: string;
let cluster: WorkerCluster;
const clients: RmsClient[] = [];

async function signIn(email: string): Promise<RmsClient> {
  const client = await RmsClient.signIn({ store: path.join(root, 'stores', email), serviceUrl: cluster.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  requireBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-workers-'));
  dataDir = path.join(root, 'service');
  openDataFolder(dataDir);
  const storage = await openStorage({ dataDir });
  const accounts = new Accounts(storage, () => Math.floor(Date.now() / 1000));
  for (const email of ['alice@contoso.com', 'bob@contoso.com']) await accounts.addUser(email, { password: passwordOf(email) });
  await storage.close();
  cluster = await startWorkerCluster({ workers: 2, dataDir });
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('two workers on one SQLite database', () => {
  it('serve a protect/open round trip, and both workers answer on the one port', async () => {
    expect(cluster.pids).toHaveLength(2);
    const document = Buffer.from('Merger terms, not for release.\n'.repeat(50));
    const alice = await signIn('alice@contoso.com');
    const bob = await signIn('bob@contoso.com');
    const protectedDocument = await alice.protectBuffer(document, alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
    const opened = await bob.unprotectBuffer(protectedDocument);
    expect(opened.plaintext.equals(document)).toBe(true);
    expect(opened.license.rights).toEqual(['VIEW']);
    opened.license.close();
    // Fresh connections, handed out in turn: both workers serve.
    for (let i = 0; i < 8; i += 1) await fetch(`${cluster.url}/_wmcs/health/live`, { headers: { connection: 'close' } });
    const served = new Set(cluster.entries.filter((e) => e.event === 'request').map((e) => e.worker));
    expect(served.size).toBe(2);
  }, 60_000);

  it('replaces a worker killed with SIGKILL, and the metrics are summed over the workers again', async () => {
    const [killed] = cluster.pids;
    process.kill(killed!, 'SIGKILL');
    await waitUntil(async () => cluster.entries.some((e) => e.event === 'worker-started' && !cluster.pids.includes(e.pid as number)), 30_000,
      () => `no worker replaced ${killed}: ${JSON.stringify(cluster.entries.slice(-5))}`);
    expect(cluster.entries.find((e) => e.event === 'worker-exited')).toMatchObject({ level: 'warn', pid: killed, signal: 'SIGKILL' });
    expect((await fetch(`${cluster.url}/_wmcs/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${cluster.url}/metrics`)).text();
    expect(metrics).toContain('openrms_database_connections{state="open"} 2');
  }, 60_000);

  it('loses no audit record of a use license a client received when a worker is killed mid-load', async () => {
    const alice = await signIn('alice@contoso.com');
    const bob = await signIn('bob@contoso.com');
    const { rac, token } = internals(bob).account;
    // One PL per request, so each UL names content of its own and is matched to its own record.
    const pls: string[] = [];
    for (let i = 0; i < 240; i += 1) {
      const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
      s.contentKey.close();
      pls.push(s.publishingLicense);
    }
    const received: string[] = [];
    let failed = 0;
    let next = 0;
    let killedAt = -1;
    const victim = cluster.entries.filter((e) => e.event === 'worker-started').map((e) => e.pid as number).at(-1)!;
    const load = async (): Promise<void> => {
      while (next < pls.length) {
        const pl = pls[next++]!;
        if (killedAt < 0 && received.length >= 40) {
          killedAt = received.length;
          process.kill(victim, 'SIGKILL');
        }
        try {
          const response = await fetch(`${cluster.url}/_wmcs/licensing/eul`, {
            method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token!.accessToken}` },
            body: JSON.stringify({ pl, rac }),
            // A connection the primary handed to the worker as it died is never answered.
            signal: AbortSignal.timeout(10_000),
          });
          if (response.status === 200) received.push(((await response.json()) as { ul: string }).ul);
          else failed += 1;
        } catch {
          failed += 1; // the connection was to the killed worker
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, load));
    expect(killedAt).toBeGreaterThan(0);
    expect(received.length).toBeGreaterThan(killedAt);
    await waitUntil(async () => cluster.entries.some((e) => e.event === 'worker-exited' && e.pid === victim), 30_000, () => `worker ${victim} did not exit`);

    const storage = await openStorage({ dataDir });
    try {
      const issued = new Set((await storage.audit.recent(100_000))
        .filter((e) => e.actor === 'bob@contoso.com' && e.action === 'use-license' && e.outcome === 'issued').map((e) => e.cid));
      const missing = received.map((ul) => decodeJws<{ cid: string }>(ul).payload.cid).filter((cid) => !issued.has(cid));
      expect({ received: received.length, missing }).toEqual({ received: received.length, missing: [] });
    } finally {
      await storage.close();
    }
  }, 120_000);
});
