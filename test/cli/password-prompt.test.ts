/**
 * Passwords typed at a terminal (login, signup, users add), on a real pseudo-terminal: the prompt
 * appears, what is typed is not echoed, and the password works; without a terminal, a script must
 * say --password-stdin.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../support/built-package';
import { CliService, cliPasswordOf } from '../support/cli-service';
import { runInTerminal } from './terminal';

const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const ALICE = 'alice@contoso.com';
let cli: CliService;

beforeAll(async () => {
  cli = await CliService.start([{ email: ALICE }]);
}, 120_000);

afterAll(async () => {
  await cli?.cleanup();
});

/** `openrms ARGS` on a terminal, as `store`'s user. */
function typed(args: string[], answers: { after: string; type: string }[], store = 'tty') {
  return runInTerminal([process.execPath, MAIN, ...args], answers, { cwd: cli.root, env: { ...process.env, OPENRMS_HOME: path.join(cli.root, 'users', store) } });
}

const data = () => path.join(cli.root, 'service');

describe('a password typed at a terminal', () => {
  it('is echoed by the terminal unless the program turns echo off (what the tests below look for)', () => {
    const echoed = runInTerminal([process.execPath, '-e', "process.stdout.write('Password: '); process.stdin.once('data', () => process.exit(0))"],
      [{ after: 'Password: ', type: 'hunter2-hunter2\r' }], { cwd: cli.root, env: process.env });
    expect(echoed.shown).toContain('hunter2-hunter2');
  });

  it('signs in with openrms login: asked for without echo, never shown', () => {
    const password = cliPasswordOf(ALICE);
    const result = typed(['login', ALICE, '--service', cli.url], [{ after: 'Password: ', type: `${password}\r` }]);
    expect(result.status).toBe(0);
    expect(result.shown).toMatch(/^Password: \r\nsigned in to .* as alice@contoso\.com \(organization\)/);
    expect(result.shown).not.toContain(password);
  });

  it('lets backspace correct what was typed', () => {
    const password = cliPasswordOf(ALICE);
    const result = typed(['login', ALICE, '--service', cli.url], [{ after: 'Password: ', type: `${password}x\u007f\r` }], 'tty-backspace');
    expect(result.status).toBe(0);
  });

  it('gives a new user a password with openrms users add, typed twice, that then signs in', () => {
    const result = typed(['users', 'add', 'zoe@contoso.com', '--data', data()],
      [{ after: 'New password: ', type: 'zoes-new-password\r' }, { after: 'Type it again: ', type: 'zoes-new-password\r' }]);
    expect(result.status).toBe(0);
    expect(result.shown).toContain('user zoe@contoso.com (organization): created, password set');
    expect(result.shown).not.toContain('zoes-new-password');
    cli.ok(['login', 'zoe@contoso.com', '--service', cli.url, '--password-stdin'], { as: 'zoe@contoso.com', input: 'zoes-new-password\n' });
  });

  it('refuses two passwords that differ, and adds nobody', () => {
    const result = typed(['users', 'add', 'yan@contoso.com', '--data', data()],
      [{ after: 'New password: ', type: 'yans-new-password\r' }, { after: 'Type it again: ', type: 'yans-other-password\r' }]);
    expect(result.status).toBe(1);
    expect(result.shown).toContain('error: INVALID_ARGUMENT: the two passwords typed differ');
    expect(cli.run(['users', 'enable', 'yan@contoso.com', '--data', data()]).stderr).toMatch(/^error: NOT_FOUND: /);
  });

  it('signs up an individual with the code from the mail and a new password typed twice', () => {
    cli.ok(['signup', 'frank@example.org', '--service', cli.url]);
    const code = /code is (\d{6})/.exec(readFileSync(path.join(data(), 'outbox', 'frank@example.org.txt'), 'utf8'))![1]!;
    const result = typed(['signup', 'frank@example.org', '--service', cli.url, '--code', code],
      [{ after: 'New password: ', type: 'franks-password\r' }, { after: 'Type it again: ', type: 'franks-password\r' }]);
    expect(result.status).toBe(0);
    expect(result.shown).toContain('frank@example.org signed up');
    expect(result.shown).not.toContain('franks-password');
    const login = typed(['login', 'frank@example.org', '--service', cli.url], [{ after: 'Password: ', type: 'franks-password\r' }], 'frank');
    expect(login.shown).toContain('as frank@example.org (individual)');
  });

  it('stops at Ctrl-C without signing in', () => {
    const result = typed(['login', ALICE, '--service', cli.url], [{ after: 'Password: ', type: 'half\u0003' }], 'tty-interrupted');
    expect(result.status).toBe(1);
    expect(result.shown).toContain('error: ABORTED: ');
  });
});

describe('without a terminal', () => {
  it.each([
    ['login', ['login', ALICE, '--service', 'http://127.0.0.1:9']],
    ['signup --code', ['signup', 'gus@example.org', '--service', 'http://127.0.0.1:9', '--code', '123456']],
    ['users add --password', ['users', 'add', 'gus@contoso.com', '--password', '--data', 'nowhere']],
  ])('%s without --password-stdin is a usage error saying how to give the password', (_command, args) => {
    const result = cli.run(args, { input: 'not read\n' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: INVALID_ARGUMENT: --password-stdin must be given when stdin is not a terminal: .* reads the password typed at a terminal, or the first line of stdin with --password-stdin\n$/);
  });

  it('adds a user without a password when none is asked for, as before', () => {
    expect(cli.ok(['users', 'add', 'hal@contoso.com', '--data', data()])).toBe('user hal@contoso.com (organization): created (no password set: use --password or --password-stdin)\n');
  });
});
