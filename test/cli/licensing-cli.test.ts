/**
 * The licensing scenario by hand, with the `openrms` command as a user types it: a service
 * started with `openrms serve`, users added beside it, each user with their own store.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

import { requireBuilt, ROOT } from '../support/built-package';

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

function failure(args: string[], options: { input?: string; store?: string } = {}): string {
  const result = openrms(args, options);
  expect(result.status).not.toBe(0);
  return result.stderr;
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
    const out = JSON.parse(ok(['protect', 'plan.txt', '--grant', 'bob@contoso.com:VIEW', '--grant', 'carol@contoso.com:VIEW,EDIT', '--json'], { store: 'alice' }));
    expect(out.files).toHaveLength(1);
    protectedPlan = out.files[0].path;
    expect(path.basename(protectedPlan)).toBe('plan.ptxt');
    // inspect reads the openrms license in clear, without a key or the service.
    const inspected = JSON.parse(ok(['inspect', protectedPlan, '--json']));
    expect(inspected.license).toMatchObject({ format: 'jws', contentId: out.files[0].contentId, owner: 'alice@contoso.com' });
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

  it('refuses expired content', () => {
    writeFileSync(path.join(root, 'old.txt'), 'old news');
    ok(['protect', 'old.txt', '--grant', 'bob@contoso.com:VIEW', '--expires', '2020-01-01'], { store: 'alice' });
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

  it('reports usage mistakes as INVALID_ARGUMENT', () => {
    expect(failure(['protect', 'plan.txt'], { store: 'alice' })).toMatch(/^error: INVALID_ARGUMENT: protect needs either --template or --grant/);
    expect(failure(['protect', 'plan.txt', '--grant', 'bob'], { store: 'alice' })).toMatch(/^error: INVALID_ARGUMENT: --grant must be/);
    expect(failure(['protect', 'plan.txt', '--grant', 'bob@contoso.com:VIEW', '--bogus'], { store: 'alice' })).toMatch(/^error: INVALID_ARGUMENT: protect: Unknown option '--bogus'/);
    expect(failure(['rights', 'plan.txt'], { store: 'nobody' })).toMatch(/^error: NOT_SIGNED_IN: /);
  });

  it('turns an individual into an organization user and back with users add, saying what changed', () => {
    const add = (...flags: string[]) => JSON.parse(ok(['users', 'add', 'ivy@example.org', '--data', data(), '--json', ...flags]));
    expect(add('--individual')).toMatchObject({ kind: 'individual', created: true, changes: ['created'] });
    expect(add('--organization')).toMatchObject({ kind: 'organization', created: false, changes: ['kind individual -> organization'] });
    expect(add()).toMatchObject({ kind: 'organization', changes: [] });
    expect(ok(['users', 'add', 'ivy@example.org', '--data', data(), '--individual'])).toBe('user ivy@example.org (individual): kind organization -> individual\n');
    expect(failure(['users', 'add', 'ivy@example.org', '--data', data(), '--individual', '--organization'])).toMatch(/^error: INVALID_ARGUMENT: /);
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
    expect(rights.stderr).toMatch(/^error: RIGHT_NOT_GRANTED: /);
    expect(withEnv(['rights', protectedPlan, '--account', 'batch']).stderr).toMatch(/^error: INVALID_ARGUMENT: --account is for --server-mode/);
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
