/**
 * A service on PostgreSQL whose table another client holds locked (LOCK TABLE in a transaction
 * left open): a request that needs the table is answered SERVICE_UNAVAILABLE (503) once its
 * statement passes the database timeout (ServiceLimits.databaseTimeoutMs, set low here), the
 * pool's connections are free again for requests that do not need the table, and once the lock
 * is released the same request succeeds. Without the timeout, every pooled connection waited on
 * the lock for as long as it was held, and every request behind them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { RunningService, startService } from '../../lib/server';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';

let postgres: PostgresServer;
let root: string;
let db: string;
let service: RunningService;

const EMAIL = 'alice@contoso.com';

beforeAll(async () => {
  postgres = await startPostgres();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-db-timeout-'));
  db = await postgres.createDatabase();
  service = await startService({ dataDir: path.join(root, 'service'), db, port: 0, log: () => {}, limits: { databaseTimeoutMs: 500 } });
  await service.accounts.addUser(EMAIL, { password: passwordOf(EMAIL) });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await postgres?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A password sign-in, which counts the attempt in the limit_windows table first: its status and error code. */
async function signIn(): Promise<{ status: number; code?: string }> {
  const answer = await fetch(`${service.url}/_wmcs/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ grant_type: 'password', username: EMAIL, password: passwordOf(EMAIL) }),
  });
  const body = (await answer.json()) as { error?: { code: string } };
  return { status: answer.status, ...(body.error === undefined ? {} : { code: body.error.code }) };
}

async function ready(): Promise<number> {
  const answer = await fetch(`${service.url}/_wmcs/health/ready`, { headers: { connection: 'close' } });
  await answer.arrayBuffer();
  return answer.status;
}

describe('a table locked by another client of the database', () => {
  it('answers requests that need it SERVICE_UNAVAILABLE, frees the pool for the others, and serves them again once released', async () => {
    expect(await signIn()).toEqual({ status: 200 });
    const locker = new Client({ connectionString: db });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE limit_windows IN ACCESS EXCLUSIVE MODE');
      // More requests than the pool has connections (10): each is answered, none waits on the lock for good.
      const blocked = await Promise.all(Array.from({ length: 16 }, signIn));
      expect(new Set(blocked.map((b) => JSON.stringify(b)))).toEqual(new Set([JSON.stringify({ status: 503, code: 'SERVICE_UNAVAILABLE' })]));
      // The lock is still held: the connections the blocked requests took are back in the pool.
      expect(await ready()).toBe(200);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    expect(await signIn()).toEqual({ status: 200 });
    expect(service.storage.connections().waiting).toBe(0);
  }, 120_000);
});

describe('a request that outlasts its answer timeout', () => {
  it('is answered SERVICE_UNAVAILABLE with Retry-After at the timeout, and the service goes on answering', async () => {
    // The database would wait a minute; the answer timeout (ServiceLimits.answerTimeoutMs) does not.
    const patientDb = await postgres.createDatabase();
    const patient = await startService({
      dataDir: path.join(root, 'patient'), db: patientDb, port: 0, log: () => {},
      limits: { databaseTimeoutMs: 60_000, answerTimeoutMs: 300 },
    });
    try {
      await patient.accounts.addUser(EMAIL, { password: passwordOf(EMAIL) });
      const own = new Client({ connectionString: patientDb });
      await own.connect();
      try {
        await own.query('BEGIN');
        await own.query('LOCK TABLE limit_windows IN ACCESS EXCLUSIVE MODE');
        const answer = await fetch(`${patient.url}/_wmcs/oauth2/token`, {
          method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({ grant_type: 'password', username: EMAIL, password: passwordOf(EMAIL) }),
        });
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).not.toBeNull();
        expect(((await answer.json()) as { error: { code: string; message: string } }).error).toMatchObject({
          code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('did not answer within 300 ms'),
        });
        const live = await fetch(`${patient.url}/_wmcs/health/live`, { headers: { connection: 'close' } });
        expect(live.status).toBe(200);
        await own.query('ROLLBACK');
      } finally {
        await own.end();
      }
    } finally {
      await patient.close();
    }
  }, 120_000);
});
