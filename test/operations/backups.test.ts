/**
 * `openrms backup` and `openrms restore` on a real service's SQLite database: a backup taken
 * while the service issues licenses is whole and consistent; a restore is refused while the
 * service runs, replaces the data when it is stopped (keeping what it replaced), and refuses what
 * is not a backup of this service.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import { passwordTokenProvider, RmsClient } from '../../lib';
import { RunningService, startService } from '../../lib/server';
import { openrms, openrmsJson } from '../support/cli-in-process';
import { passwordOf } from '../support/licensing-service';
import { freePort } from '../support/real-binary';
import { RequestRouter, startRequestRouter } from '../support/request-router';
import { rightsOf } from '../support/rights-of';

let root: string;
let dataDir: string;
let service: RunningService;
// The clients reach the service through a router that stays up while the service restarts.
let router: RequestRouter;
let pl: string;
const clients: RmsClient[] = [];

async function start(): Promise<RunningService> {
  const port = await freePort();
  const started = await startService({ dataDir, port, publicUrl: router.url, log: () => {} });
  router.use(port);
  return started;
}

function usersIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT email FROM users ORDER BY email').pluck().all() as string[];
  } finally {
    db.close();
  }
}

function auditCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM audit').pluck().get() as number;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-backups-'));
  dataDir = path.join(root, 'service');
  router = await startRequestRouter();
  service = await start();
  for (const who of ['alice', 'bob']) await service.accounts.addUser(`${who}@contoso.com`, { password: passwordOf(`${who}@contoso.com`) });
  for (const who of ['alice', 'bob']) {
    clients.push(await RmsClient.signIn({ store: path.join(root, who), serviceUrl: service.url, tokenProvider: passwordTokenProvider(`${who}@contoso.com`, passwordOf(`${who}@contoso.com`)) }));
  }
  const serialized = await clients[0]!.serializeLicense(clients[0]!.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }), { online: true });
  serialized.contentKey.close();
  pl = serialized.publishingLicense;
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await service?.close();
  await router?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('backup', () => {
  it('copies the database whole while the service issues licenses, owner-only', async () => {
    const file = path.join(root, 'while-running.db');
    const before = auditCount(path.join(dataDir, 'service.db'));
    let issuing = true;
    const issued: number[] = [];
    const load = (async () => {
      while (issuing) issued.push((await rightsOf(clients[1]!, pl)).length);
    })();
    // Licenses are being issued (and audited) while the backup runs.
    while (issued.length < 3) await new Promise((resolve) => setImmediate(resolve));
    const summary = await openrmsJson<{ file: string; bytes: number; schema: number }>(['backup', '--out', file, '--data', dataDir]);
    issuing = false;
    await load;
    expect(summary).toMatchObject({ file, schema: 5 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      copy.close();
    }
    expect(usersIn(file)).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    expect(auditCount(file)).toBeGreaterThan(before);
    expect(auditCount(file)).toBeLessThanOrEqual(auditCount(path.join(dataDir, 'service.db')));
  });

  it('never overwrites a file, and leaves a PostgreSQL database to pg_dump', async () => {
    const file = path.join(root, 'exists.db');
    writeFileSync(file, 'mine');
    const exists = await openrms(['backup', '--out', file, '--data', dataDir, '--json']);
    expect([exists.code, JSON.parse(exists.stdout).error.code]).toEqual([1, 'FILE_EXISTS']);
    const postgres = await openrms(['backup', '--out', path.join(root, 'pg.db'), '--data', dataDir, '--db', 'postgres://openrms@127.0.0.1/openrms', '--json']);
    expect([postgres.code, JSON.parse(postgres.stdout).error.message]).toEqual([2, expect.stringContaining('pg_dump')]);
  });
});

describe('restore', () => {
  const backup = (): string => path.join(root, 'restorable.db');

  beforeAll(async () => {
    await openrmsJson(['backup', '--out', backup(), '--data', dataDir]);
  });

  it('is refused while the service has the database open', async () => {
    const refused = await openrms(['restore', backup(), '--data', dataDir, '--json']);
    expect([refused.code, JSON.parse(refused.stdout).error.code]).toEqual([1, 'CONFLICT']);
    expect(await rightsOf(clients[1]!, pl)).toEqual(['VIEW']);
  });

  it('replaces the data with the backup once the service is stopped, and keeps what it replaced', async () => {
    await service.close();
    await openrmsJson(['users', 'add', 'mallory@contoso.com', '--data', dataDir]);
    const summary = await openrmsJson<{ previous: string; rows: Record<string, number> }>(['restore', backup(), '--data', dataDir]);
    expect(summary.rows.users).toBe(2);
    expect(usersIn(path.join(dataDir, 'service.db'))).toEqual(['alice@contoso.com', 'bob@contoso.com']);
    expect(usersIn(summary.previous)).toContain('mallory@contoso.com');
    service = await start();
    // The content on record in the backup still opens, and the audit log goes on from the backup's last ID.
    const before = (await service.storage.audit.recent(1))[0]!.id;
    expect(await rightsOf(clients[1]!, pl)).toEqual(['VIEW']);
    expect((await service.storage.audit.recent(1))[0]!.id).toBe(before + 1);
  });

  it('rebuilds the service on a new data folder from a copy of its keys folder and a backup', async () => {
    const fresh = path.join(root, 'rebuilt');
    const missingKeys = await openrms(['restore', backup(), '--data', fresh, '--json']);
    expect([missingKeys.code, JSON.parse(missingKeys.stdout).error.code]).toEqual([1, 'NOT_FOUND']);
    cpSync(path.join(dataDir, 'keys'), path.join(fresh, 'keys'), { recursive: true });
    const summary = await openrmsJson<{ previous: string | null }>(['restore', backup(), '--data', fresh]);
    expect(summary.previous).toBeNull();
    await service.close();
    dataDir = fresh;
    service = await start();
    expect(await rightsOf(clients[1]!, pl)).toEqual(['VIEW']);
  });

  it("refuses what is not a backup of this service's keys, and a database from a newer openrms", async () => {
    const refusedAs = async (file: string): Promise<string> => {
      const result = await openrms(['restore', file, '--data', path.join(root, 'other'), '--json']);
      return JSON.parse(result.stdout).error.code as string;
    };
    // Another data folder (other keys) given this service's backup.
    const other = await startService({ dataDir: path.join(root, 'other'), port: 0, log: () => {} });
    await other.close();
    expect(await refusedAs(backup())).toBe('CONFLICT');
    const text = path.join(root, 'not-a-database.db');
    writeFileSync(text, 'this is not SQLite, but it is long enough to look like a file someone might have given by mistake'.repeat(20));
    expect(await refusedAs(text)).toBe('INVALID_FORMAT');
    const newer = path.join(root, 'newer.db');
    copyFileSync(backup(), newer);
    const db = new Database(newer);
    db.pragma('user_version = 999');
    db.close();
    expect(await refusedAs(newer)).toBe('UNSUPPORTED_VERSION');
    expect(existsSync(path.join(root, 'other', 'service.db'))).toBe(true);
  });
});
