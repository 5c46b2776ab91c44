/**
 * `openrms share` (issue 13, "Sharing"): alice protects a file for named people and gets, for each,
 * the note to send with it; a recipient with no account follows the note (signs up as an
 * individual with the code the service mails, signs in) and opens the file.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../support/built-package';
import { CliService } from '../support/cli-service';

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const FRANK = 'frank@example.org';
let cli: CliService;
let restarted: ChildProcess | undefined;

beforeAll(async () => {
  cli = await CliService.start([{ email: ALICE }, { email: BOB }]);
  writeFileSync(path.join(cli.root, 'report.txt'), 'the quarterly report\n');
}, 120_000);

afterAll(async () => {
  if (restarted !== undefined && restarted.exitCode === null) {
    restarted.kill('SIGTERM');
    await once(restarted, 'exit');
  }
  await cli?.cleanup();
});

interface Shared {
  path: string;
  owner: string;
  serviceUrl: string;
  individualSignUp: boolean | null;
  recipients: { email: string; rights: string[]; signIn: string; signUp: string[] | null; note: string }[];
}

function share(args: string[]): Shared {
  return JSON.parse(cli.ok(['share', ...args, '--json'], { as: ALICE })) as Shared;
}

/** A command the note gives, run as `who` would type it (its words: the note quotes none here). */
function follow(command: string, who: string, input = ''): string {
  const [openrms, ...args] = command.split(' ');
  expect(openrms).toBe('openrms');
  return cli.ok(args, { as: who, input });
}

const outbox = (email: string) => readFileSync(path.join(cli.root, 'service', 'outbox', `${email}.txt`), 'utf8');

describe('openrms share', () => {
  let shared: Shared;

  it('protects the file for the recipients, the sender keeping OWNER, and prints the note for each', () => {
    const text = cli.ok(['share', 'report.txt', '--to', `${BOB},${FRANK}`, '--rights', 'VIEW,EXPORT', '--message', 'The figures, as promised.\nAlice', '--out', 'text'], { as: ALICE });
    const url = cli.url;
    expect(text).toMatch(/^shared report\.txt -> .*text\/report\.ptxt \(content ID [0-9a-f-]{36}\); alice@contoso\.com keeps OWNER\n/);
    expect(text).toContain(`  ${BOB} may EXPORT, VIEW\n  ${FRANK} may EXPORT, VIEW\n`);
    expect(text).toContain([
      `--- to ${FRANK} ---`,
      'The figures, as promised.',
      'Alice',
      '',
      'alice@contoso.com shared report.ptxt with you, protected with openrms: you may EXPORT, VIEW.',
      'To open it:',
      `  1. If you have no account at ${url}, sign up as an individual: the first command mails you a code, the second takes it and a new password.`,
      `       openrms signup ${FRANK} --service ${url}`,
      `       openrms signup ${FRANK} --service ${url} --code CODE`,
      `  2. Sign in, once: openrms login ${FRANK} --service ${url}`,
      '  3. Open report.ptxt in an application that uses openrms. `openrms rights report.ptxt` shows what you may do with it; '
      + '`openrms unprotect report.ptxt` writes a copy without protection.',
    ].join('\n'));

    shared = share(['report.txt', '--to', `${BOB},${FRANK}`, '--rights', 'VIEW,EXPORT', '--expires', '30d']);
    expect(shared).toMatchObject({ owner: ALICE, serviceUrl: cli.url, individualSignUp: true });
    expect(shared.recipients.map((r) => [r.email, r.rights])).toEqual([[BOB, ['EXPORT', 'VIEW']], [FRANK, ['EXPORT', 'VIEW']]]);
    expect(JSON.parse(cli.ok(['rights', shared.path, '--json'], { as: ALICE })).rights).toEqual(['OWNER']);
    expect(JSON.parse(cli.ok(['rights', shared.path, '--json'], { as: BOB })).rights).toEqual(['EXPORT', 'VIEW']);
    const inspected = JSON.parse(cli.ok(['inspect', shared.path, '--json']));
    expect(Date.parse(inspected.license.validUntil) - Date.parse(inspected.license.issuedTime)).toBe(30 * 86_400_000);
  });

  it('lets a recipient without an account follow the note: sign up, sign in, open the file', () => {
    const frank = shared.recipients.find((r) => r.email === FRANK)!;
    expect(frank.signUp).toHaveLength(2);
    follow(frank.signUp![0]!, FRANK);
    const code = /code is (\d{6})/.exec(outbox(FRANK))![1]!;
    follow(`${frank.signUp![1]!.replace('CODE', code)} --password-stdin`, FRANK, 'franks-password\n');
    follow(`${frank.signIn} --password-stdin`, FRANK, 'franks-password\n');
    expect(JSON.parse(cli.ok(['rights', shared.path, '--json'], { as: FRANK }))).toMatchObject({ rights: ['EXPORT', 'VIEW'], owner: ALICE });
    cli.ok(['unprotect', shared.path, '--out', 'franks-copy'], { as: FRANK });
    expect(readFileSync(path.join(cli.root, 'franks-copy', 'report.txt'), 'utf8')).toBe('the quarterly report\n');
  });

  it('gives VIEW alone unless --rights says otherwise', () => {
    const viewOnly = share(['report.txt', '--to', BOB, '--out', 'view-only']);
    expect(viewOnly.recipients).toEqual([expect.objectContaining({ email: BOB, rights: ['VIEW'], note: expect.not.stringContaining('unprotect') })]);
    expect(JSON.parse(cli.ok(['rights', viewOnly.path, '--json'], { as: BOB })).rights).toEqual(['VIEW']);
  });

  it('refuses what it cannot share: no recipient, a right that does not exist, a protected file', () => {
    const usage = (args: string[]): string => {
      const r = cli.run(['share', ...args], { as: ALICE });
      expect(r.status).toBe(2);
      return r.stderr;
    };
    expect(usage(['report.txt'])).toMatch(/^error: INVALID_ARGUMENT: share: required option '--to <emails>' not specified/);
    expect(usage(['report.txt', '--to', 'bob'])).toMatch(/^error: INVALID_ARGUMENT: --to must be email addresses, comma-separated \("bob" is not one\)/);
    expect(usage(['report.txt', '--to', BOB, '--rights', 'VIEW,READ'])).toMatch(/^error: INVALID_ARGUMENT: --rights must be one of OWNER, VIEW, .*"READ" is none of these/);
    expect(usage(['report.txt', '--to', BOB, '--expires', '2001-01-01'])).toMatch(/^error: INVALID_ARGUMENT: --expires must be in the future/);
    const before = readdirSync(path.join(cli.root, 'text'));
    const again = cli.run(['share', shared.path, '--to', BOB, '--out', 'text'], { as: ALICE });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^error: FILE_ALREADY_PROTECTED: /);
    expect(readdirSync(path.join(cli.root, 'text'))).toEqual(before);
  });

  it('shares with the service down, its note hedging on sign-ups it could not ask about', async () => {
    await cli.stop();
    const offline = share(['report.txt', '--to', FRANK, '--out', 'offline']);
    expect(existsSync(offline.path)).toBe(true);
    expect(offline.individualSignUp).toBeNull();
    expect(offline.recipients[0]!.note).toContain('sign up as an individual (if the service takes sign-ups): ');
  });

  it('tells recipients to ask the sender for an account when the service takes no sign-ups', async () => {
    const settings = path.join(cli.root, 'service', 'service.json');
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), individualSignUp: false }));
    restarted = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--data', path.join(cli.root, 'service'),
      '--listen', new URL(cli.url).host], { stdio: ['ignore', 'pipe', 'ignore'] });
    await once(restarted.stdout!, 'data');
    const closed = share(['report.txt', '--to', 'gus@example.org', '--out', 'closed']);
    expect(closed.individualSignUp).toBe(false);
    expect(closed.recipients[0]).toMatchObject({ signUp: null });
    expect(closed.recipients[0]!.note).toContain(`1. If you have no account at ${cli.url}, ask ${ALICE} to have one made: this service takes no sign-ups from individuals.`);
    expect(closed.recipients[0]!.note).not.toContain('openrms signup');
  });
});
