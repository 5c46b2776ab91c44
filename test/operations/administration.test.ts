/**
 * The administration commands run beside a running service, on SQLite and on PostgreSQL:
 * `users list`, `principals list|remove`, `audit`, and how they (and `serve`) find the database:
 * `--db`, OPENRMS_DB, or the settings file's `db`.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { clientCredentialsTokenProvider, passwordTokenProvider, RmsClient } from '../../lib';
import { runServe } from '../../lib/cli/serve';
import { openDataFolder, RunningService, startService } from '../../lib/server';
import { openrms, openrmsJson } from '../support/cli-in-process';
import { codeOf } from '../support/error-code';
import { passwordOf } from '../support/licensing-service';
import { PostgresServer, startPostgres } from '../support/postgres';
import { rightsOf } from '../support/rights-of';

let root: string;
let postgres: PostgresServer;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-admin-'));
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface AuditEntryJson {
  id: number;
  at: string;
  actor: string;
  action: string;
  cid: string | null;
  outcome: string;
  reason: string | null;
  rights: string[] | null;
}

describe.each(['sqlite', 'postgres'] as const)('beside a service on %s', (database) => {
  let dataDir: string;
  let service: RunningService;
  const clients: RmsClient[] = [];
  /** `openrms ARGS --data DIR`: on PostgreSQL the database comes from the settings file, as `serve` found it. */
  const admin = <T = Record<string, unknown>>(...args: string[]): Promise<T> => openrmsJson<T>([...args, '--data', dataDir]);

  async function signIn(email: string): Promise<RmsClient> {
    const client = await RmsClient.signIn({ store: path.join(root, `${database}-${email}`), serviceUrl: service.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dataDir = path.join(root, database);
    if (database === 'postgres') {
      openDataFolder(dataDir);
      const file = path.join(dataDir, 'service.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), db: await postgres.createDatabase() }));
    }
    service = await startService({ dataDir, port: 0, log: () => {} });
    expect(service.storage.kind).toBe(database);
    for (const who of ['alice', 'bob', 'carol']) {
      const email = `${who}@contoso.com`;
      await openrmsJson(['users', 'add', email, '--password-stdin', ...(who === 'alice' ? ['--admin'] : []), '--data', dataDir], { input: `${passwordOf(email)}\n` });
    }
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.close();
  });

  it('lists the users with their roles and state', async () => {
    await admin('users', 'add', 'dave@contoso.com', '--super-user');
    await admin('users', 'disable', 'carol@contoso.com');
    const { users } = await admin<{ users: Record<string, unknown>[] }>('users', 'list');
    expect(users.map((u) => [u.email, u.kind, u.admin, u.superUser, u.hasPassword, u.state])).toEqual([
      ['alice@contoso.com', 'organization', true, false, true, 'active'],
      ['bob@contoso.com', 'organization', false, false, true, 'active'],
      ['carol@contoso.com', 'organization', false, false, true, 'disabled'],
      ['dave@contoso.com', 'organization', false, true, false, 'active'],
    ]);
    expect(users[0]!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await admin('users', 'enable', 'carol@contoso.com');
  });

  it('lists service principals without their secrets, and removes one: its secret no longer signs in, until it is made again', async () => {
    const made = await admin<{ clientId: string; clientSecret: string }>('principals', 'add', 'batch@contoso.com');
    const signIn = (clientId: string, secret: string): Promise<RmsClient> => RmsClient.signIn({
      store: path.join(root, `${database}-batch-${clientId}`), serviceUrl: service.url, tokenProvider: clientCredentialsTokenProvider(clientId, secret),
    });
    const batch = await signIn(made.clientId, made.clientSecret);
    expect(batch.identity).toBe('batch@contoso.com');
    batch.close();
    const listed = await admin<{ principals: Record<string, unknown>[] }>('principals', 'list');
    expect(listed.principals).toEqual([{ clientId: made.clientId, identity: 'batch@contoso.com', state: 'active', createdAt: expect.any(String) }]);
    expect(await admin('principals', 'remove', 'batch@contoso.com')).toEqual({ identity: 'batch@contoso.com', state: 'removed' });
    expect(await codeOf(signIn(made.clientId, made.clientSecret))).toBe('AUTHENTICATION_FAILED');
    expect((await admin<{ principals: unknown[] }>('principals', 'list')).principals).toEqual([]);
    const missing = await openrms(['principals', 'remove', made.clientId, '--data', dataDir, '--json']);
    expect([missing.code, JSON.parse(missing.stdout).error.code]).toEqual([1, 'NOT_FOUND']);
    // Made again, by client ID this time removed: a new principal for the identity signs in.
    const again = await admin<{ clientId: string; clientSecret: string }>('principals', 'add', 'batch@contoso.com');
    (await signIn(again.clientId, again.clientSecret)).close();
    await admin('principals', 'remove', again.clientId);
    expect(await codeOf(signIn(again.clientId, again.clientSecret))).toBe('AUTHENTICATION_FAILED');
  });

  it('finds audit entries by user, content and time, newest first, a page at a time', async () => {
    const alice = await signIn('alice@contoso.com');
    const bob = await signIn('bob@contoso.com');
    const carol = await signIn('carol@contoso.com');
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }), { online: true });
    serialized.contentKey.close();
    const cid = serialized.contentId;
    const pl = serialized.publishingLicense;
    expect(await rightsOf(bob, pl)).toEqual(['VIEW']);
    expect(await rightsOf(carol, pl)).toBe('RIGHT_NOT_GRANTED');
    expect(await rightsOf(bob, pl)).toEqual(['VIEW']);

    type Page = { entries: AuditEntryJson[]; next: number | null };
    const ofContent = await admin<Page>('audit', '--content', cid);
    expect(ofContent.entries.map((e) => [e.actor, e.action, e.outcome, e.rights, e.reason])).toEqual([
      ['bob@contoso.com', 'use-license', 'issued', ['VIEW'], null],
      ['carol@contoso.com', 'use-license', 'refused', null, 'RIGHT_NOT_GRANTED'],
      ['bob@contoso.com', 'use-license', 'issued', ['VIEW'], null],
      ['alice@contoso.com', 'publish', 'issued', null, null],
    ]);
    expect(ofContent.next).toBeNull();
    const bobs = await admin<Page>('audit', '--user', 'Bob@Contoso.com', '--content', cid);
    expect(bobs.entries.map((e) => e.actor)).toEqual(['bob@contoso.com', 'bob@contoso.com']);
    // A page of one, then the next from where it ended.
    const first = await admin<Page>('audit', '--content', cid, '--limit', '1');
    expect([first.entries.length, first.next]).toEqual([1, first.entries[0]!.id]);
    const second = await admin<Page>('audit', '--content', cid, '--limit', '2', '--before', String(first.next));
    expect(second.entries.map((e) => e.id)).toEqual(ofContent.entries.slice(1, 3).map((e) => e.id));
    expect((await admin<Page>('audit', '--content', cid, '--since', '1h')).entries).toHaveLength(4);
    expect((await admin<Page>('audit', '--content', cid, '--since', '2999-01-01')).entries).toEqual([]);
    expect((await admin<Page>('audit', '--user', 'carol@contoso.com')).entries.map((e) => e.action)).toEqual(['use-license', 'clc', 'certify']);
    for (const bad of [['--since', 'yesterday'], ['--limit', '0'], ['--user', 'not-an-address']]) {
      expect((await openrms(['audit', ...bad, '--data', dataDir])).code).toBe(2);
    }
  });
});

describe('where the commands find the database', () => {
  it('takes --db or OPENRMS_DB over the settings file, for the administration commands and for serve', async () => {
    const db = await postgres.createDatabase();
    const first = path.join(root, 'db-first');
    const second = path.join(root, 'db-second');
    await openrmsJson(['users', 'add', 'erin@contoso.com', '--password-stdin', '--data', first, '--db', db], { input: `${passwordOf('erin@contoso.com')}\n` });
    // Another data folder with the same keys (copied) sees the same users through OPENRMS_DB.
    openDataFolder(second);
    for (const key of ['signing.pem', 'wrapping.pem']) writeFileSync(path.join(second, 'keys', key), readFileSync(path.join(first, 'keys', key)), { mode: 0o600 });
    const listed = await openrmsJson<{ users: { email: string }[] }>(['users', 'list', '--data', second], { env: { OPENRMS_DB: db } });
    expect(listed.users.map((u) => u.email)).toEqual(['erin@contoso.com']);
    // Without either, the second folder's own SQLite database, which has no one.
    expect((await openrmsJson<{ users: unknown[] }>(['users', 'list', '--data', second])).users).toEqual([]);

    const out = new PassThrough();
    const signals = new EventEmitter();
    const serving = runServe({ data: second, db, listen: '127.0.0.1:0', json: true }, { out, stdin: Readable.from(['']), env: {} }, signals);
    const [line] = await once(out, 'data') as [Buffer];
    const { url } = JSON.parse(line.toString()) as { url: string };
    const erin = await RmsClient.signIn({ store: path.join(root, 'db-erin'), serviceUrl: url, tokenProvider: passwordTokenProvider('erin@contoso.com', passwordOf('erin@contoso.com')) });
    expect(erin.identity).toBe('erin@contoso.com');
    erin.close();
    signals.emit('SIGTERM');
    await serving;

    const bad = await openrms(['users', 'list', '--data', second, '--db', 'mysql://nope']);
    expect(bad.code).toBe(2);
  }, 60_000);
});
