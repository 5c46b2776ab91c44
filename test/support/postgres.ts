/**
 * A throwaway PostgreSQL server for tests (Debian's `postgresql` package, which `.ci/run`
 * installs): a cluster made by initdb in a temporary folder, served on a free loopback port,
 * stopped and removed by `stop()`. initdb and postgres refuse to run as root, so when the tests
 * run as root they run as the package's `postgres` user. As with the other real servers
 * (real-binary.ts), a missing PostgreSQL fails the test, naming the package; it never skips.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { freePort, startChildServer } from './real-binary';

export interface PostgresServer {
  /** `postgres://openrms@127.0.0.1:PORT`, no database named. */
  url: string;
  /** Creates an empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Runs `sql` in the database at `url` (the test's own view, beside the service's). */
  query<R = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

const SUPERUSER = 'openrms';

/** The newest installed PostgreSQL's bin folder, or an Error naming the package. */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // None installed.
  }
  if (versions.length === 0) {
    throw new Error('PostgreSQL is not installed: this test needs the Debian package postgresql (apt-get install postgresql; .ci/run installs it)');
  }
  return path.join(root, versions[0]!, 'bin');
}

/** The user the server runs as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: `${url}/postgres` });
  try {
    await client.connect();
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binaries();
  const user = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-pg-'));
  if ('uid' in user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  const port = await freePort();
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}`;
  // Durability is not what these tests prove: fsync off keeps a 2-core machine's disk out of them.
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'];
  const server = await startChildServer(path.join(bin, 'postgres'), args, dir, () => canConnect(url), user);
  let databases = 0;
  const query = async <R>(target: string, sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = new Client({ connectionString: target });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  };
  return {
    url,
    createDatabase: async () => {
      const name = `openrms_test_${++databases}`;
      await query(`${url}/postgres`, `CREATE DATABASE ${name}`);
      return `${url}/${name}`;
    },
    query,
    // The server's stop removes its folder, the cluster with it.
    stop: () => server.stop(),
  };
}
