/**
 * The licensing service's repositories, one suite run against both backends: SQLite in a data
 * folder and a real PostgreSQL server (test/support/postgres.ts). Each backend is opened twice
 * on one database where a test needs it, as two service instances (or `openrms users` beside
 * the service) would: what one counts or records, the other sees.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { openStorage, Storage } from '../../lib/server/storage/storage';
import { LimitWindow } from '../../lib/server/storage/limit-store';
import { TemplateColumns } from '../../lib/server/storage/template-store';
import { codeOf } from '../support/error-code';
import { PostgresServer, startPostgres } from '../support/postgres';

const NOW = 1_700_000_000;

interface Backend {
  /** A new empty database, opened; `again()` opens the same database a second time. */
  open(): Promise<{ storage: Storage; again(): Promise<Storage> }>;
}

let postgres: PostgresServer;
const opened: Storage[] = [];
const folders: string[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  for (const storage of opened) await storage.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  await postgres?.stop();
});

async function track(storage: Promise<Storage>): Promise<Storage> {
  opened.push(await storage);
  return opened[opened.length - 1]!;
}

const BACKENDS: [string, Backend][] = [
  ['SQLite', {
    open: async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'openrms-repo-'));
      folders.push(dataDir);
      return { storage: await track(openStorage({ dataDir })), again: () => track(openStorage({ dataDir })) };
    },
  }],
  ['PostgreSQL', {
    open: async () => {
      const db = await postgres.createDatabase();
      const dataDir = os.tmpdir();
      return { storage: await track(openStorage({ dataDir, db })), again: () => track(openStorage({ dataDir, db })) };
    },
  }],
];

function template(name: string, more: Partial<TemplateColumns> = {}): TemplateColumns {
  return { name, description: '', names: '{}', descriptions: '{}', policy: '{"grants":[],"contentValidDays":null,"offlineDays":0}', audience: '[]', ...more };
}

describe.each(BACKENDS)('on %s', (_, backend) => {
  let storage: Storage;
  let again: () => Promise<Storage>;
  beforeEach(async () => {
    ({ storage, again } = await backend.open());
  });

  describe('accounts', () => {
    it('creates a user with the defaults, keeps roles not given on update, and ends sessions on a new password only', async () => {
      const a = storage.accounts;
      await a.saveUser('alice@contoso.com', { passwordHash: 'hash-1', admin: true }, NOW);
      await storage.refreshTokens.add('token-1', 'alice@contoso.com', NOW + 60);
      await a.saveUser('alice@contoso.com', { passwordHash: null, kind: 'individual' }, NOW + 5);
      expect(await a.user('alice@contoso.com')).toEqual({
        email: 'alice@contoso.com', kind: 'individual', passwordHash: 'hash-1', admin: true, superUser: false, createdAt: NOW,
      });
      expect(await storage.refreshTokens.take('token-1')).toEqual({ identity: 'alice@contoso.com', expiresAt: NOW + 60 });
      await storage.refreshTokens.add('token-2', 'alice@contoso.com', NOW + 60);
      await a.saveUser('alice@contoso.com', { passwordHash: 'hash-2' }, NOW + 10);
      expect(await storage.refreshTokens.take('token-2')).toBeNull();
    });

    it('removes a user with its sessions and sign-ups, leaving a tombstone that disabling keeps and adding again clears', async () => {
      const a = storage.accounts;
      await a.saveUser('bob@contoso.com', { passwordHash: 'hash', kind: 'individual' }, NOW);
      await storage.refreshTokens.add('token', 'bob@contoso.com', NOW + 60);
      expect(await a.removeUser('bob@contoso.com', NOW + 1)).toBe(true);
      expect(await a.removeUser('bob@contoso.com', NOW + 2)).toBe(false);
      expect(await a.user('bob@contoso.com')).toBeNull();
      expect(await storage.refreshTokens.take('token')).toBeNull();
      await a.disable('bob@contoso.com', NOW + 3);
      expect(await a.state('bob@contoso.com')).toBe('removed');
      expect(await a.enable('bob@contoso.com')).toBe(false);
      await a.saveUser('bob@contoso.com', { passwordHash: null }, NOW + 4);
      expect(await a.userWithState('bob@contoso.com')).toMatchObject({ state: 'active', user: { createdAt: NOW + 4, kind: 'organization' } });
    });

    it('disables an identity and ends its sessions; enabling answers whether it was disabled', async () => {
      await storage.refreshTokens.add('token', 'app@contoso.com', NOW + 60);
      await storage.accounts.disable('app@contoso.com', NOW);
      expect(await storage.accounts.state('app@contoso.com')).toBe('disabled');
      expect(await storage.refreshTokens.take('token')).toBeNull();
      expect(await storage.accounts.enable('app@contoso.com')).toBe(true);
      expect(await storage.accounts.enable('app@contoso.com')).toBe(false);
    });

    it('keeps one service principal per identity', async () => {
      expect(await storage.accounts.addPrincipal('client-1', 'app@contoso.com', 'secret-hash', NOW)).toBe(true);
      expect(await storage.accounts.addPrincipal('client-2', 'app@contoso.com', 'other-hash', NOW)).toBe(false);
      expect(await storage.accounts.principal('client-1')).toEqual({ identity: 'app@contoso.com', secretHash: 'secret-hash' });
      expect(await storage.accounts.isPrincipal('app@contoso.com')).toBe(true);
    });
  });

  describe('sign-ups', () => {
    const request = (email: string, now = NOW) => ({
      email, codeHash: `code-of-${email}`, now, codeSeconds: 900, sendsPerAddress: 3, sendWindowSeconds: 3600, maxPending: 2,
    });

    it('counts three messages per address an hour, over instances asking at once', async () => {
      const other = await again();
      const starts = await Promise.all(Array.from({ length: 8 }, (__, i) => (i % 2 === 0 ? storage : other).accounts.startSignUp(request('ivy@example.org'))));
      expect(starts.filter((s) => s === 'code')).toHaveLength(3);
      expect(starts.filter((s) => s === 'too-many-sends')).toHaveLength(5);
      expect(await storage.accounts.startSignUp(request('ivy@example.org', NOW + 3600))).toBe('code');
    });

    it('tells an organization address that an account exists, and bounds the sign-ups pending', async () => {
      await storage.accounts.saveUser('carol@contoso.com', { passwordHash: null }, NOW);
      expect(await storage.accounts.startSignUp(request('carol@contoso.com'))).toBe('account-exists');
      expect(await storage.accounts.startSignUp(request('one@example.org'))).toBe('code');
      expect(await storage.accounts.startSignUp(request('two@example.org'))).toBe('code');
      expect(await storage.accounts.startSignUp(request('three@example.org'))).toBe('too-many-pending');
      // Expired sign-ups are purged as the next one starts.
      expect(await storage.accounts.startSignUp(request('three@example.org', NOW + 901))).toBe('code');
      expect(await storage.accounts.signUp('one@example.org')).toBeNull();
    });

    it('completes a sign-up as an individual, and never over an organization account made meanwhile', async () => {
      await storage.accounts.startSignUp(request('dan@example.org'));
      await storage.accounts.countSignUpFailure('dan@example.org');
      expect(await storage.accounts.signUp('dan@example.org')).toEqual({ codeHash: 'code-of-dan@example.org', expiresAt: NOW + 900, attempts: 1 });
      expect(await storage.accounts.completeSignUp('dan@example.org', 'dans-hash', NOW + 1)).toBe(true);
      expect(await storage.accounts.user('dan@example.org')).toMatchObject({ kind: 'individual', passwordHash: 'dans-hash' });

      await storage.accounts.startSignUp(request('erin@example.org'));
      await storage.accounts.saveUser('erin@example.org', { passwordHash: 'admins-choice' }, NOW + 2);
      expect(await storage.accounts.completeSignUp('erin@example.org', 'erins-hash', NOW + 3)).toBe(false);
      expect(await storage.accounts.user('erin@example.org')).toMatchObject({ kind: 'organization', passwordHash: 'admins-choice' });
      expect(await storage.accounts.signUp('erin@example.org')).not.toBeNull();
    });
  });

  describe('refresh tokens', () => {
    it('gives a token once, to one of two instances taking it at once', async () => {
      const other = await again();
      await storage.refreshTokens.add('token', 'alice@contoso.com', NOW + 60);
      const taken = await Promise.all([storage.refreshTokens.take('token'), other.refreshTokens.take('token')]);
      expect(taken.filter((t) => t !== null)).toEqual([{ identity: 'alice@contoso.com', expiresAt: NOW + 60 }]);
    });
  });

  describe('templates', () => {
    it('keeps default names unique whatever their case from A to Z, and finds and sorts them that way', async () => {
      await storage.templates.insert('id-1', template('Partners'), NOW);
      expect(await codeOf(storage.templates.insert('id-2', template('PARTNERS'), NOW))).toBe('CONFLICT');
      // Only A to Z fold: É and é are two letters, as in SQLite's NOCASE.
      await storage.templates.insert('id-3', template('Équipe'), NOW);
      await storage.templates.insert('id-4', template('équipe'), NOW);
      await storage.templates.insert('id-5', template('alpha'), NOW);
      expect((await storage.templates.find('pArTnErS'))?.id).toBe('id-1');
      expect((await storage.templates.find('id-3'))?.name).toBe('Équipe');
      expect((await storage.templates.list(false)).map((t) => t.name)).toEqual(['alpha', 'Partners', 'Équipe', 'équipe']);
    });

    it('applies changes made at once on two instances one after the other, each on what the other wrote', async () => {
      const other = await again();
      await storage.templates.insert('id-1', template('Shared'), NOW);
      await Promise.all(Array.from({ length: 10 }, (__, i) => (i % 2 === 0 ? storage : other).templates.update('id-1',
        (current) => ({ ...current, description: `${current.description}${i}` }), NOW + i)));
      const row = (await storage.templates.byId('id-1'))!;
      expect([...row.description].sort().join('')).toBe('0123456789');
      expect(row.revision).toBe(10);
      expect(await storage.templates.revision('id-1')).toBe(10);
    });

    it('refuses a rename onto a taken name and leaves the template as it was', async () => {
      await storage.templates.insert('id-1', template('One'), NOW);
      await storage.templates.insert('id-2', template('Two'), NOW);
      expect(await codeOf(storage.templates.update('id-2', (current) => ({ ...current, name: 'ONE' }), NOW + 1))).toBe('CONFLICT');
      expect(await storage.templates.byId('id-2')).toMatchObject({ name: 'Two', revision: 0 });
      expect(await storage.templates.update('missing', (current) => current, NOW)).toBeNull();
    });

    it('archives once: archiving again keeps the first time and lists the template as archived only', async () => {
      await storage.templates.insert('id-1', template('Old'), NOW);
      expect(await storage.templates.archive('id-1', NOW + 1)).toMatchObject({ archived_at: NOW + 1, revision: 1 });
      expect(await storage.templates.archive('id-1', NOW + 2)).toMatchObject({ archived_at: NOW + 1, revision: 2 });
      expect(await storage.templates.list(false)).toEqual([]);
      expect((await storage.templates.list(true)).map((t) => t.id)).toEqual(['id-1']);
      expect(await storage.templates.archive('missing', NOW)).toBeNull();
    });
  });

  describe('content registry', () => {
    it('keeps the first record of a key, whichever instance wrote it, and revokes an owner\'s content only', async () => {
      const other = await again();
      await storage.content.addIfNew({ keyId: 'key-1', cid: 'cid-1', owner: 'alice@contoso.com', registeredAt: NOW });
      await other.content.addIfNew({ keyId: 'key-1', cid: 'cid-2', owner: 'mallory@contoso.com', registeredAt: NOW + 1 });
      await other.content.addIfNew({ keyId: 'key-2', cid: 'cid-1', owner: 'bob@contoso.com', registeredAt: NOW + 2 });
      expect(await other.content.find('key-1')).toMatchObject({ cid: 'cid-1', owner: 'alice@contoso.com', revokedAt: null });
      await other.content.revoke('cid-1', 'alice@contoso.com', 'alice@contoso.com', NOW + 3);
      expect((await storage.content.byContentId('cid-1')).map((r) => [r.keyId, r.revokedAt, r.revokedBy]))
        .toEqual([['key-1', NOW + 3, 'alice@contoso.com'], ['key-2', null, null]]);
      await storage.content.revoke('cid-1', null, 'admin@contoso.com', NOW + 4);
      expect((await storage.content.byContentId('cid-1')).map((r) => r.revokedAt)).toEqual([NOW + 3, NOW + 4]);
    });
  });

  describe('audit', () => {
    it('answers the most recent entries first, by content ID, with their rights as a list', async () => {
      await storage.audit.append(NOW, { actor: 'bob@contoso.com', action: 'use-license', cid: 'cid-1', rights: ['VIEW', 'PRINT'], outcome: 'issued' });
      await storage.audit.append(NOW + 1, { actor: 'eve@contoso.com', action: 'use-license', cid: 'cid-1', outcome: 'refused', reason: 'RIGHT_NOT_GRANTED' });
      await storage.audit.append(NOW + 2, { actor: 'alice@contoso.com', action: 'certify', outcome: 'issued' });
      expect(await storage.audit.recent(10, 'cid-1')).toEqual([
        expect.objectContaining({ at: NOW + 1, actor: 'eve@contoso.com', rights: null, reason: 'RIGHT_NOT_GRANTED' }),
        expect.objectContaining({ at: NOW, actor: 'bob@contoso.com', rights: ['VIEW', 'PRINT'], outcome: 'issued', reason: null }),
      ]);
      expect((await storage.audit.recent(1)).map((e) => e.action)).toEqual(['certify']);
    });

    it('commits entries appended at once (more than one INSERT holds) each before its append resolves, in order', async () => {
      const count = 150;
      const appended = Array.from({ length: count }, (__, i) => storage.audit.append(NOW + i, { actor: `user${i}@contoso.com`, action: 'use-license', outcome: 'issued' }));
      // As each append resolves, its row is there to read, from another instance too.
      const other = await again();
      const seen = await Promise.all(appended.map(async (done, i) => {
        await done;
        return (await other.audit.query({ actor: `user${i}@contoso.com`, limit: 1 })).length;
      }));
      expect(seen).toEqual(new Array(count).fill(1));
      const all = await storage.audit.query({ since: NOW, limit: count });
      expect(all.map((e) => e.actor)).toEqual(Array.from({ length: count }, (__, i) => `user${count - 1 - i}@contoso.com`));
    });

    it('fails only the append the database refuses, not the others committed with it', async () => {
      // The actor column is NOT NULL on both databases: a row without one is refused.
      const batch = [
        storage.audit.append(NOW, { actor: 'fine@contoso.com', action: 'use-license', outcome: 'issued' }),
        storage.audit.append(NOW, { actor: null as unknown as string, action: 'use-license', outcome: 'issued' }),
      ];
      const outcomes = await Promise.allSettled(batch);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
      await storage.audit.append(NOW, { actor: 'after@contoso.com', action: 'use-license', outcome: 'issued' });
      expect((await storage.audit.recent(5)).map((e) => e.actor)).toEqual(['after@contoso.com', 'fine@contoso.com']);
    });
  });

  describe('limits', () => {
    const window: LimitWindow = { kind: 'sign-in', limit: 10, windowSeconds: 900 };

    it('counts at most the limit of events sent at once to two instances, and a count cleared on one is cleared on both', async () => {
      const other = await again();
      const taken = await Promise.all(Array.from({ length: 30 }, (__, i) => (i % 2 === 0 ? storage : other).limits.take(window, 'kelly@contoso.com', NOW)));
      expect(taken.filter(Boolean)).toHaveLength(10);
      expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 899)).toBe(false);
      // Other keys and other kinds count on their own.
      expect(await other.limits.take(window, 'lee@contoso.com', NOW)).toBe(true);
      expect(await other.limits.take({ ...window, kind: 'sign-up-client' }, 'kelly@contoso.com', NOW)).toBe(true);
      await other.limits.clear('sign-in', 'kelly@contoso.com');
      expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 1)).toBe(true);
    });

    it('opens a new window once the last one has passed', async () => {
      for (let i = 0; i < 10; i++) await storage.limits.take(window, 'kelly@contoso.com', NOW);
      expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 899)).toBe(false);
      expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 900)).toBe(true);
      for (let i = 0; i < 9; i++) expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 901)).toBe(true);
      expect(await storage.limits.take(window, 'kelly@contoso.com', NOW + 901)).toBe(false);
    });
  });

  describe('key pins', () => {
    it('pins the first key given for each purpose, whichever instance gives it', async () => {
      const other = await again();
      expect(await storage.keys.pin('signing', 'thumb-1')).toBe('thumb-1');
      expect(await other.keys.pin('signing', 'thumb-2')).toBe('thumb-1');
      expect(await other.keys.pin('wrapping', 'thumb-3')).toBe('thumb-3');
    });
  });
});
