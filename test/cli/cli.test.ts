import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';

function openrms(...args: string[]) {
  requireBuilt();
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
}

/** Every command that does something, as typed after `openrms` (groups' subcommands included). */
const COMMANDS = [
  ['serve'], ['users', 'add'], ['users', 'disable'], ['users', 'enable'], ['users', 'remove'], ['principals', 'add'],
  ['login'], ['signup'], ['protect'], ['unprotect'], ['share'], ['rights'], ['revoke'],
  ['templates', 'list'], ['templates', 'refresh'], ['templates', 'export'], ['templates', 'create'], ['templates', 'add'],
  ['templates', 'update'], ['templates', 'archive'], ['discover'], ['scp', 'register'], ['scp', 'remove'],
  ['config', 'list'], ['config', 'get'], ['config', 'set'], ['config', 'unset'], ['config', 'import'], ['config', 'export'],
  ['demo'], ['inspect'],
];

describe('openrms CLI', () => {
  it('prints the package version', () => {
    for (const args of [['--version'], ['-v'], ['version']]) {
      const result = openrms(...args);
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(require('../../package.json').version);
    }
  });

  it('prints help naming its commands, with --help, help, and no arguments at all, and exits 0', () => {
    for (const args of [['--help'], ['help'], []]) {
      const result = openrms(...args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: openrms <command>');
      for (const [command] of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command!} `, 'm'));
    }
  });

  it.each(COMMANDS.map((c) => [c.join(' ')]))('gives help with examples for `%s`, as `CMD --help` and as `help CMD`', (command) => {
    const words = command.split(' ');
    const asOption = openrms(...words, '--help');
    expect(asOption.status).toBe(0);
    expect(asOption.stderr).toBe('');
    expect(asOption.stdout).toContain(`Usage: openrms ${command} `);
    expect(asOption.stdout).toMatch(/\nExamples:\n {2}\$ openrms /);
    const asCommand = openrms('help', ...words);
    expect(asCommand.status).toBe(0);
    expect(asCommand.stdout).toBe(asOption.stdout);
  });

  it('gives a group\'s help, listing its subcommands', () => {
    const result = openrms('help', 'templates');
    expect(result.status).toBe(0);
    for (const sub of ['list', 'refresh', 'export', 'create', 'add', 'update', 'archive']) expect(result.stdout).toMatch(new RegExp(`^  ${sub} `, 'm'));
  });

  it.each([
    ['an unknown command', ['frobnicate'], /^error: INVALID_ARGUMENT: unknown command 'frobnicate' \(see: openrms --help\)\n$/],
    ['an unknown option', ['rights', 'x.ptxt', '--bogus'], /^error: INVALID_ARGUMENT: rights: unknown option '--bogus' \(see: openrms rights --help\)\n$/],
    ['a misspelt option, with a suggestion', ['protect', 'x.txt', '--gran', 'bob@contoso.com:VIEW'], /^error: INVALID_ARGUMENT: protect: unknown option '--gran' \(Did you mean --grant\?\) \(see: openrms protect --help\)\n$/],
    ['a missing argument', ['inspect'], /^error: INVALID_ARGUMENT: inspect: missing required argument 'file'/],
    ['an argument too many', ['rights', 'a.ptxt', 'b.ptxt'], /^error: INVALID_ARGUMENT: rights: too many arguments/],
    ['an option without its value', ['protect', 'x.txt', '--grant'], /^error: INVALID_ARGUMENT: protect: option '--grant <email:rights>' argument missing/],
    ['an unknown subcommand', ['templates', 'frobnicate'], /^error: INVALID_ARGUMENT: templates list: too many arguments/],
    ['a group without its subcommand', ['users'], /^error: INVALID_ARGUMENT: users: a subcommand is needed \(see: openrms users --help\)\n$/m],
    ['a value an option does not take', ['protect', 'x.txt', '--grant', 'bob@contoso.com:VIEW', '--offline-days', 'many'], /^error: INVALID_ARGUMENT: --offline-days must be an integer from 0 to 65535\n$/],
    ['a right that does not exist', ['protect', 'x.txt', '--grant', 'bob@contoso.com:READ'], /^error: INVALID_ARGUMENT: --grant must be one of OWNER, VIEW, .*"READ" is none of these/],
    ['a --listen that is not HOST:PORT', ['serve', '--listen', 'everywhere'], /^error: INVALID_ARGUMENT: --listen must be HOST:PORT/],
  ])('exits 2 on a usage error: %s, saying so on stderr', (_what, args, message) => {
    const result = openrms(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 on a failure that is not a usage error', () => {
    const result = openrms('inspect', path.join(ROOT, 'no-such-file.ptxt'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: FILE_NOT_FOUND: /);
  });

  it('prints errors as JSON with --json, on stdout, with the data the error carries, usage errors too', () => {
    const usage = openrms('protect', 'x.txt', '--grant', 'bob@contoso.com:READ', '--json');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe('');
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('"READ" is none of these'), argument: '--grant', hresult: 0x80070057 },
    });
    const unknown = openrms('rights', 'x.ptxt', '--bogus', '--json');
    expect(unknown.status).toBe(2);
    expect(JSON.parse(unknown.stdout).error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("unknown option '--bogus'") });
    const failure = openrms('inspect', path.join(ROOT, 'no-such-file.ptxt'), '--json');
    expect(failure.status).toBe(1);
    expect(failure.stderr).toBe('');
    expect(JSON.parse(failure.stdout)).toEqual({ error: { code: 'FILE_NOT_FOUND', message: expect.stringContaining('no such file') } });
  });

  it('runs the demo round trip through a real service and reports it as JSON', () => {
    const result = openrms('demo', '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s: { step: string }) => s.step)).toEqual(
      ['start service', 'add users', 'alice signs in', 'alice protects', 'bob signs in', 'bob opens', 'bob checks EDIT',
        'bob exports', 'tamper check', 'offline reopen']);
    const detail = (step: string) => report.steps.find((s: { step: string }) => s.step === step).detail;
    expect(detail('bob opens')).toContain('rights VIEW;');
    expect(detail('bob exports')).toContain('RIGHT_NOT_GRANTED');
    expect(detail('offline reopen')).toContain('cached use license');
  });
});
