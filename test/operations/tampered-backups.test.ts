/**
 * `openrms restore` of a backup that was damaged or edited after `openrms backup` wrote it: each
 * is refused with the code docs/operations.md ("Backups and restore") gives for it, and the
 * service's database is left exactly as it was (its schema and every row, compared before and
 * after), with no file of the attempt left in the data folder.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import { startService } from '../../lib/server';
import { openrms, openrmsJson } from '../support/cli-in-process';
import { passwordOf } from '../support/licensing-service';

let root: string;
let dataDir: string;
let backup: string;

/** The database's schema and every table's rows, in one string. */
function dump(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const schema = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY name").all() as { type: string; name: string }[];
    const rows = schema.filter((s) => s.type === 'table').map((s) => [s.name, db.prepare(`SELECT * FROM "${s.name}" ORDER BY rowid`).all()]);
    return JSON.stringify({ schema, rows, version: db.pragma('user_version', { simple: true }) });
  } finally {
    db.close();
  }
}

/** A copy of the good backup, changed by `tamper`. */
function tampered(name: string, tamper: (file: string) => void): string {
  const file = path.join(root, `${name}.db`);
  copyFileSync(backup, file);
  tamper(file);
  return file;
}

function edit(sql: string): (file: string) => void {
  return (file) => {
    const db = new Database(file);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
}

/** SQL that makes `table` again from its rows alone: the same columns, without its keys and types. */
function rebuilt(table: string): string {
  return `CREATE TABLE copied AS SELECT * FROM ${table}; DROP TABLE ${table}; ALTER TABLE copied RENAME TO ${table};`;
}

/** Flips every byte of `file` from `offset` for `length` bytes. */
function flip(offset: number, length: number): (file: string) => void {
  return (file) => {
    const bytes = readFileSync(file);
    for (let i = offset; i < offset + length; i += 1) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(file, bytes);
  };
}

function pageSize(file: string): number {
  return readFileSync(file).readUInt16BE(16);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-tampered-'));
  dataDir = path.join(root, 'service');
  const service = await startService({ dataDir, port: 0, log: () => {} });
  for (const who of ['alice', 'bob']) await service.accounts.addUser(`${who}@contoso.com`, { password: passwordOf(`${who}@contoso.com`) });
  await service.audit.record({ actor: 'alice@contoso.com', action: 'certify', outcome: 'issued' });
  backup = path.join(root, 'good.db');
  await openrmsJson(['backup', '--out', backup, '--data', dataDir]);
  // The database now differs from the backup: a restore that went through would show.
  await service.accounts.addUser('carol@contoso.com', { password: passwordOf('carol@contoso.com') });
  await service.close();
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('restore of a tampered backup', () => {
  it.each([
    ['bytes flipped in the file header', () => tampered('header', flip(0, 16)), 'INVALID_FORMAT'],
    ['bytes flipped in a page of the schema', () => tampered('schema-page', (f) => flip(100, 12)(f)), 'INVALID_FORMAT'],
    ['bytes flipped in a table page', () => tampered('table-page', (f) => flip(pageSize(f), 12)(f)), 'INVALID_FORMAT'],
    ['a table dropped', () => tampered('dropped', edit('DROP TABLE templates')), 'INVALID_FORMAT'],
    ['a column dropped', () => tampered('column', edit('ALTER TABLE templates DROP COLUMN audience')), 'INVALID_FORMAT'],
    ['a table openrms always had dropped', () => tampered('dropped-users', edit('DROP TABLE users')), 'INVALID_FORMAT'],
    ['a key pin edited', () => tampered('pin', edit("UPDATE service_keys SET thumbprint = 'AAAA' || substr(thumbprint, 5) WHERE purpose = 'signing'")), 'CONFLICT'],
    ['a truncated file', () => tampered('truncated', (f) => truncateSync(f, Math.floor(readFileSync(f).length / 2))), 'INVALID_FORMAT'],
    ['a file cut inside its header', () => tampered('stub', (f) => truncateSync(f, 50)), 'INVALID_FORMAT'],
    ['a file that is not SQLite', () => tampered('text', (f) => writeFileSync(f, 'not a database\n'.repeat(400))), 'INVALID_FORMAT'],
    ['a table rebuilt without its key and a row repeated', () => tampered('repeated', edit(`${rebuilt('users')} INSERT INTO users SELECT * FROM users`)), 'INVALID_FORMAT'],
    ['a table rebuilt and a row ID that is not a number', () => tampered('text-id', edit(`${rebuilt('audit')} UPDATE audit SET id = 'one'`)), 'INVALID_FORMAT'],
    ['the audit log\'s ID counter set to its end', () => tampered('counter', edit("UPDATE sqlite_sequence SET seq = 9223372036854775807 WHERE name = 'audit'")), 'INVALID_FORMAT'],
  ])('refuses %s with its code and leaves the database as it was', async (_what, make, code) => {
    const database = path.join(dataDir, 'service.db');
    const before = dump(database);
    const files = readdirSync(dataDir).sort();
    const result = await openrms(['restore', make(), '--data', dataDir, '--json']);
    expect({ exit: result.code, code: (JSON.parse(result.stdout) as { error: { code: string } }).error.code }).toEqual({ exit: 1, code });
    expect(dump(database)).toBe(before);
    expect(readdirSync(dataDir).sort()).toEqual(files);
  });
});
