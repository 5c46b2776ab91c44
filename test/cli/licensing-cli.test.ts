/**
 * The licensing scenario by hand, with the `openrms` command as a user types it: a service
 * started with `openrms serve`, users added beside it, each user with their own store.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

import { RmsClient } from '../../lib';
import { requireBuilt, ROOT } from '../support/built-package';
import { TESTDATA_DIR } from '../support/testdata';

const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
let root: string;
let serve: ChildProcess;
let url: string;

function openrms(args: string[], options: { input?: string; store?: string } = {}) {
  const env = { ...process.env, ...(options.store ? { OPENRMS_HOME: path.join(root, 'users', options.store) } : {}) };
  return spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: 'utf8', input: options.input ?? '', env, timeout: 60000 });
}

function ok(args: string[], options: { input?: string; store?: string } = {}): string {
  const result = openrms(args, options);
  if (result.status !== 0) throw new Error(`openrms ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** stderr of a command that must fail with `status` (1: it failed; 2: the command line is wrong). */
function failure(args: string[], options: { input?: string; store?: string } = {}, status = 1): string {
  const result = openrms(args, options);
  expect(result.status).toBe(status);
  return result.stderr;
}

/** The JSON lines a command over several files prints: one per file, then the summary. */
function jsonLines(stdout: string): Record<string, any>[] {
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
}

const data = () => path.join(root, 'service');

beforeAll(async () => {
  requireBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-cli-'));
  for (const who of ['alice', 'bob', 'carol', 'dave']) ok(['users', 'add', `${who}@contoso.com`, '--password-stdin', '--data', data()], { input: `pw-${who}-secret\n` });
  ok(['users', 'add', 'admin@contoso.com', '--password-stdin', '--admin', '--data', data()], { input: 'pw-admin-secret\n' });
  serve = spawn(process.execPath, [MAIN, 'serve', '--data', data(), '--listen', '127.0.0.1:0', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stderr!.resume();
  const [line] = await once(serve.stdout!, 'data') as [Buffer];
  url = JSON.parse(line.toString().split('\n')[0]!).url;
  for (const who of ['alice', 'bob', 'carol', 'dave', 'admin']) {
    const out = ok(['login', `${who}@contoso.com`, '--service', url, '--password-stdin', '--json'], { input: `pw-${who}-secret\n`, store: who });
    expect(JSON.parse(out)).toMatchObject({ identity: `${who}@contoso.com`, kind: 'organization' });
  }
  writeFileSync(path.join(root, 'plan.txt'), 'the plan\n'.repeat(100));
}, 120_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await once(serve, 'exit');
  }
  rmSync(root, { recursive: true, force: true });
});

describe('openrms licensing commands', () => {
  let protectedPlan: string;

  it('protects a file for bob (VIEW) and carol (VIEW, EDIT)', () => {
    const [file, summary] = jsonLines(ok(['protect', 'plan.txt', '--grant', 'bob@contoso.com:VIEW', '--grant', 'carol@contoso.com:VIEW,EDIT', '--json'], { store: 'alice' }));
    expect(file).toEqual({ source: 'plan.txt', status: 'protected', path: path.join(root, 'plan.ptxt'), contentId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(summary).toEqual({ summary: { protected: 1, failed: 0, skipped: 0 } });
    protectedPlan = file!.path;
    // inspect reads the openrms license in clear, without a key or the service.
    const inspected = JSON.parse(ok(['inspect', protectedPlan, '--json']));
    expect(inspected.license).toMatchObject({ format: 'jws', contentId: file!.contentId, owner: 'alice@contoso.com' });
    expect(inspected.license.licensingUrls.extranet).toBe(`${url}/_wmcs/licensing`);
  });

  it('shows each user exactly their rights', () => {
    expect(JSON.parse(ok(['rights', protectedPlan, '--json'], { store: 'bob' }))).toMatchObject({ rights: ['VIEW'], owner: 'alice@contoso.com' });
    expect(JSON.parse(ok(['rights', protectedPlan, '--json'], { store: 'carol' })).rights).toEqual(['EDIT', 'VIEW']);
    expect(JSON.parse(ok(['rights', protectedPlan, '--json'], { store: 'alice' })).rights).toEqual(['OWNER']);
    expect(failure(['rights', protectedPlan], { store: 'dave' })).toMatch(/^error: RIGHT_NOT_GRANTED: /);
    expect(ok(['rights', protectedPlan], { store: 'bob' })).toContain('bob@contoso.com may VIEW');
  });

  it('writes a plaintext copy for the owner, and nothing for a viewer', () => {
    mkdirSync(path.join(root, 'out-bob'));
    expect(failure(['unprotect', protectedPlan, '--out', 'out-bob'], { store: 'bob' })).toMatch(/^error: RIGHT_NOT_GRANTED: /);
    expect(readdirSync(path.join(root, 'out-bob'))).toEqual([]);
    mkdirSync(path.join(root, 'out-alice'));
    ok(['unprotect', protectedPlan, '--out', 'out-alice'], { store: 'alice' });
    expect(readFileSync(path.join(root, 'out-alice', 'plan.txt'), 'utf8')).toBe('the plan\n'.repeat(100));
  });

  it('refuses to protect with an expiry in the past (a usage error), and writes nothing', () => {
    writeFileSync(path.join(root, 'old.txt'), 'old news');
    expect(failure(['protect', 'old.txt', '--grant', 'bob@contoso.com:VIEW', '--expires', '2020-01-01'], { store: 'alice' }, 2))
      .toMatch(/^error: INVALID_ARGUMENT: --expires must be in the future \(2020-01-01 is 2020-01-01T00:00:00\.000Z, and it is /);
    expect(failure(['protect', 'old.txt', '--grant', 'bob@contoso.com:VIEW', '--expires', '0d'], { store: 'alice' }, 2)).toMatch(/^error: INVALID_ARGUMENT: --expires must be in the future/);
    expect(existsSync(path.join(root, 'old.ptxt'))).toBe(false);
  });

  it('refuses expired content', async () => {
    // Content whose validity has passed, made with the API (the command refuses to make it).
    const alice = RmsClient.open({ store: path.join(root, 'users', 'alice') });
    await alice.protectFile(path.join(root, 'old.txt'), alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: new Date('2020-01-01') }));
    alice.close();
    expect(failure(['rights', 'old.ptxt'], { store: 'bob' })).toMatch(/^error: VALIDITY_TIME_VIOLATION: /);
  });

  it('revokes content by path: no new license for anyone', () => {
    writeFileSync(path.join(root, 'memo.txt'), 'memo');
    ok(['protect', 'memo.txt', '--grant', 'bob@contoso.com:VIEW', '--offline-days', '0'], { store: 'alice' });
    ok(['rights', 'memo.ptxt'], { store: 'bob' });
    expect(failure(['revoke', 'memo.ptxt'], { store: 'bob' })).toMatch(/^error: ACCESS_DENIED: /);
    expect(ok(['revoke', 'memo.ptxt'], { store: 'alice' })).toMatch(/^revoked content [0-9a-f-]{36}/);
    expect(failure(['rights', 'memo.ptxt'], { store: 'bob' })).toMatch(/^error: CONTENT_REVOKED: /);
  });

  it('protects with a template an administrator made', () => {
    ok(['templates', 'add', 'Team read-only', '--grant', 'bob@contoso.com:VIEWER', '--offline-days', '1'], { store: 'admin' });
    expect(failure(['templates', 'add', 'Mine', '--grant', 'bob@contoso.com:VIEW'], { store: 'alice' })).toMatch(/^error: ACCESS_DENIED: /);
    expect(ok(['templates'], { store: 'alice' })).toContain('Team read-only');
    writeFileSync(path.join(root, 'notes.md'), '# notes');
    ok(['protect', 'notes.md', '--template', 'Team read-only', '--online', '--out', 'out-templated'], { store: 'alice' });
    expect(JSON.parse(ok(['rights', path.join('out-templated', 'notes.md.pfile'), '--json'], { store: 'bob' })).rights).toEqual(['REPLY', 'REPLYALL', 'VIEW', 'VIEWRIGHTSDATA']);
  });

  it('reports usage mistakes as INVALID_ARGUMENT with exit 2, and a failure of the work with exit 1', () => {
    expect(failure(['protect', 'plan.txt'], { store: 'alice' }, 2)).toMatch(/^error: INVALID_ARGUMENT: protect needs either --template or --grant/);
    expect(failure(['protect', 'plan.txt', '--grant', 'bob'], { store: 'alice' }, 2)).toMatch(/^error: INVALID_ARGUMENT: --grant must be/);
    expect(failure(['protect', 'plan.txt', '--grant', 'bob@contoso.com:VIEW', '--bogus'], { store: 'alice' }, 2)).toMatch(/^error: INVALID_ARGUMENT: protect: unknown option '--bogus'/);
    expect(failure(['rights', 'plan.txt'], { store: 'nobody' }, 1)).toMatch(/^error: NOT_SIGNED_IN: /);
  });

  it('refuses a right that does not exist, naming it and the valid ones, and takes an application\'s own right marked custom:', () => {
    writeFileSync(path.join(root, 'ledger.csv'), 'account,amount\n');
    const refused = openrms(['protect', 'ledger.csv', '--grant', 'bob@contoso.com:VIEW,READ_LEDGER', '--json'], { store: 'alice' });
    expect(refused.status).toBe(2);
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'INVALID_ARGUMENT', argument: '--grant',
      message: expect.stringMatching(/^--grant must be one of OWNER, VIEW, EDIT, .*; a role \(VIEWER, REVIEWER, AUTHOR, COOWNER\); .*"READ_LEDGER" is none of these \(an application's own right: custom:READ_LEDGER\)$/),
    });
    expect(existsSync(path.join(root, 'ledger.csv.pfile'))).toBe(false);
    // Roles in any case, common rights in any case, and the application's right kept as written.
    ok(['protect', 'ledger.csv', '--grant', 'bob@contoso.com:view,custom:Read_Ledger', '--grant', 'carol@contoso.com:reviewer'], { store: 'alice' });
    expect(JSON.parse(ok(['rights', 'ledger.csv.pfile', '--json'], { store: 'bob' })).rights).toEqual(['Read_Ledger', 'VIEW']);
    expect(JSON.parse(ok(['rights', 'ledger.csv.pfile', '--json'], { store: 'carol' })).rights).toEqual(['COMMENT', 'EDIT', 'FORWARD', 'REPLY', 'REPLYALL', 'VIEW', 'VIEWRIGHTSDATA']);
    expect(failure(['protect', 'ledger.csv', '--grant', 'bob@contoso.com:custom:VIEW'], { store: 'alice' }, 2)).toMatch(/VIEW is a common right or role, written without custom:/);
  });

  it('goes on past a file that fails, reports each file and a summary, and exits 1', () => {
    writeFileSync(path.join(root, 'f1.txt'), 'one');
    writeFileSync(path.join(root, 'f3.txt'), 'three');
    const result = openrms(['protect', 'f1.txt', 'missing.txt', 'f3.txt', '--grant', 'bob@contoso.com:VIEW', '--out', 'batch'], { store: 'alice' });
    expect(result.status).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^protected f1\.txt -> .*batch\/f1\.ptxt \(content ID [0-9a-f-]{36}\)$/),
      expect.stringMatching(/^protected f3\.txt -> .*batch\/f3\.ptxt \(content ID [0-9a-f-]{36}\)$/),
    ]);
    expect(result.stderr.split('\n')).toEqual(['error: FILE_NOT_FOUND: missing.txt: no such file: missing.txt', '2 protected, 1 failed, 0 skipped', '']);
    expect(readdirSync(path.join(root, 'batch')).sort()).toEqual(['f1.ptxt', 'f3.ptxt']);

    const json = openrms(['protect', 'f1.txt', 'missing.txt', 'f3.txt', '--grant', 'bob@contoso.com:VIEW', '--out', 'batch-json', '--json'], { store: 'alice' });
    expect(json.status).toBe(1);
    expect(json.stderr).toBe('');
    expect(jsonLines(json.stdout)).toEqual([
      { source: 'f1.txt', status: 'protected', path: path.join(root, 'batch-json', 'f1.ptxt'), contentId: expect.any(String) },
      { source: 'missing.txt', status: 'failed', error: { code: 'FILE_NOT_FOUND', message: 'no such file: missing.txt' } },
      { source: 'f3.txt', status: 'protected', path: path.join(root, 'batch-json', 'f3.ptxt'), contentId: expect.any(String) },
      { summary: { protected: 2, failed: 1, skipped: 0 } },
    ]);
  });

  it('refuses to protect a protected file again: FILE_ALREADY_PROTECTED, and nothing written', () => {
    const result = openrms(['protect', 'batch/f1.ptxt', '--grant', 'bob@contoso.com:VIEW', '--json'], { store: 'alice' });
    expect(result.status).toBe(1);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ source: 'batch/f1.ptxt', status: 'failed', error: { code: 'FILE_ALREADY_PROTECTED' } });
    expect(readdirSync(path.join(root, 'batch')).sort()).toEqual(['f1.ptxt', 'f3.ptxt']);
    // Another issuer's file too.
    expect(failure(['protect', path.join(TESTDATA_DIR, 'msft-pfile', 'CleanAlice.txt.pfile'), '--grant', 'bob@contoso.com:VIEW', '--out', 'batch'], { store: 'alice' }))
      .toMatch(/^error: FILE_ALREADY_PROTECTED: /);
    expect(readdirSync(path.join(root, 'batch')).sort()).toEqual(['f1.ptxt', 'f3.ptxt']);
  });

  it('unprotects several files, going on past those that fail', () => {
    const result = openrms(['unprotect', 'batch/f1.ptxt', 'batch/f3.ptxt', protectedPlan, '--out', 'bob-copies', '--json'], { store: 'bob' });
    expect(result.status).toBe(1);
    expect(jsonLines(result.stdout).map((line) => line.error?.code ?? line.summary)).toEqual(['RIGHT_NOT_GRANTED', 'RIGHT_NOT_GRANTED', 'RIGHT_NOT_GRANTED', { unprotected: 0, failed: 3, skipped: 0 }]);
    expect(existsSync(path.join(root, 'bob-copies', 'f1.txt'))).toBe(false);
    const owner = openrms(['unprotect', 'batch/f1.ptxt', 'nope.ptxt', 'batch/f3.ptxt', '--out', 'alice-copies'], { store: 'alice' });
    expect(owner.status).toBe(1);
    expect(owner.stdout).toMatch(/^unprotected batch\/f1\.ptxt -> .*alice-copies\/f1\.txt\nunprotected batch\/f3\.ptxt -> .*alice-copies\/f3\.txt\n$/);
    expect(owner.stderr).toBe('error: FILE_NOT_FOUND: nope.ptxt: no such file: nope.ptxt\n2 unprotected, 1 failed, 0 skipped\n');
    expect(readFileSync(path.join(root, 'alice-copies', 'f3.txt'), 'utf8')).toBe('three');
  });

  it('turns an individual into an organization user and back with users add, saying what changed', () => {
    const add = (...flags: string[]) => JSON.parse(ok(['users', 'add', 'ivy@example.org', '--data', data(), '--json', ...flags]));
    expect(add('--individual')).toMatchObject({ kind: 'individual', created: true, changes: ['created'] });
    expect(add('--organization')).toMatchObject({ kind: 'organization', created: false, changes: ['kind individual -> organization'] });
    expect(add()).toMatchObject({ kind: 'organization', changes: [] });
    expect(ok(['users', 'add', 'ivy@example.org', '--data', data(), '--individual'])).toBe('user ivy@example.org (individual): kind organization -> individual\n');
    expect(failure(['users', 'add', 'ivy@example.org', '--data', data(), '--individual', '--organization'], {}, 2)).toMatch(/^error: INVALID_ARGUMENT: users add: option '--organization' cannot be used with option '--individual'/);
  });

  it('logs in to the service an administrator\'s imported .reg file names, and asks for a license as a service account in server mode, from its own store', () => {
    const machine = path.join(root, 'machine-config');
    const serverHome = path.join(root, 'server-home');
    const env = { OPENRMS_MACHINE_CONFIG: machine, OPENRMS_SERVER_HOME: serverHome };
    const withEnv = (args: string[], input = '') => spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: 'utf8', input, env: { ...process.env, ...env }, timeout: 60000 });
    const reg = path.join(root, 'locations.reg');
    writeFileSync(reg, `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterpriseCertification]\r\n@="${url}/_wmcs/certification"\r\n`);
    expect(withEnv(['config', 'import', reg]).status).toBe(0);
    const login = withEnv(['login', 'dave@contoso.com', '--password-stdin', '--server-mode', '--account', 'batch', '--json'], 'pw-dave-secret\n');
    expect(login.stderr).toBe('');
    expect(JSON.parse(login.stdout)).toMatchObject({ identity: 'dave@contoso.com', service: url });
    expect(existsSync(path.join(serverHome, 'batch', 'services'))).toBe(true);
    const rights = withEnv(['rights', protectedPlan, '--server-mode', '--account', 'batch', '--json']);
    expect(rights.status).toBe(1);
    expect(JSON.parse(rights.stdout).error).toMatchObject({ code: 'RIGHT_NOT_GRANTED' });
    const account = withEnv(['rights', protectedPlan, '--account', 'batch']);
    expect([account.status, account.stderr]).toEqual([2, 'error: INVALID_ARGUMENT: --account must be given with --server-mode (it names a service account)\n']);
  });

  it('disables, enables and removes a user: a disabled user cannot sign in', () => {
    ok(['users', 'add', 'jo@contoso.com', '--password-stdin', '--data', data()], { input: 'pw-jo-secret\n' });
    expect(ok(['users', 'disable', 'jo@contoso.com', '--data', data()])).toMatch(/^jo@contoso\.com disabled: no sign-in/);
    expect(failure(['login', 'jo@contoso.com', '--service', url, '--password-stdin'], { input: 'pw-jo-secret\n', store: 'jo' })).toMatch(/^error: AUTHENTICATION_FAILED: /);
    expect(JSON.parse(ok(['users', 'enable', 'jo@contoso.com', '--data', data(), '--json']))).toEqual({ identity: 'jo@contoso.com', state: 'active' });
    ok(['login', 'jo@contoso.com', '--service', url, '--password-stdin'], { input: 'pw-jo-secret\n', store: 'jo' });
    expect(JSON.parse(ok(['users', 'remove', 'jo@contoso.com', '--data', data(), '--json']))).toEqual({ identity: 'jo@contoso.com', state: 'removed' });
    expect(failure(['users', 'enable', 'jo@contoso.com', '--data', data()])).toMatch(/^error: NOT_FOUND: /);
  });

  it('stops gracefully on SIGTERM, and bob still opens from his cached license', async () => {
    serve.kill('SIGTERM');
    const [code] = await once(serve, 'exit');
    expect(code).toBe(0);
    expect(JSON.parse(ok(['rights', protectedPlan, '--json', '--offline'], { store: 'bob' }))).toMatchObject({ rights: ['VIEW'], fromCache: true });
    expect(failure(['rights', 'memo.ptxt'], { store: 'bob' })).toMatch(/^error: NEEDS_ONLINE: /);
    expect(existsSync(path.join(root, 'plan.txt'))).toBe(true);
  });
});
