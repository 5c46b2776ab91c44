/**
 * The openrms command as a careless user or a hostile tree meets it: output piped into a
 * reader that stops early (`| head`), a rerun that finds most files done, help asked for a
 * command that does not exist, a rules file that never ends or is huge, a file name that is not
 * UTF-8. Each runs the real command (dist/) against a real service.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../support/built-package';
import { CliService } from '../support/cli-service';

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
let cli: CliService;

beforeAll(async () => {
  cli = await CliService.start([{ email: ALICE }]);
}, 120_000);
afterAll(() => cli?.cleanup());

const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

/** A folder of `count` small text files under the service's root. */
function folder(name: string, count: number): string {
  const root = path.join(cli.root, name);
  mkdirSync(root, { recursive: true });
  for (let k = 0; k < count; k++) writeFileSync(path.join(root, `f${k}.txt`), `file ${k}\n`);
  return root;
}

/** Runs openrms as alice with its stdout a pipe whose reader has gone (`openrms ... | head -0`). */
async function withStdoutClosed(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: cli.root, env: { ...process.env, OPENRMS_HOME: cli.storeOf(ALICE) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Closed at once: node takes far longer to start than this, so every write the command makes meets a closed pipe.
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => { stderr += data.toString(); });
  const [status] = await once(child, 'close') as [number | null];
  return { status, stderr };
}

describe('output read by a reader that stops (| head)', () => {
  it('ends a bulk protect quietly, exit 1, with no stack on the terminal', async () => {
    const root = folder('piped', 20);
    const r = await withStdoutClosed(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });

  it('ends help quietly too', async () => {
    const r = await withStdoutClosed(['protect', '--help']);
    expect(r.stderr).toBe('');
  });
});

describe('files a bulk run passes over', () => {
  it('are reported as skipped with their reason, not as I/O errors, in JSON and in text', () => {
    const root = folder('rerun', 2);
    cli.ok(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`], { as: ALICE });
    const again = jsonLines(cli.ok(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`, '--json'], { as: ALICE }));
    expect(again.find((l) => l.source === path.join(root, 'f0.ptxt'))).toEqual({ source: path.join(root, 'f0.ptxt'), status: 'skipped', reason: 'already protected' });
    expect(again.find((l) => l.source === path.join(root, 'f0.txt'))).toEqual({ source: path.join(root, 'f0.txt'), status: 'skipped', reason: 'already protected by an earlier run' });
    const text = cli.run(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`], { as: ALICE });
    expect(text.status).toBe(0);
    expect(text.stderr).toContain(`skipped: ${path.join(root, 'f0.ptxt')}: already protected\n`);
    expect(text.stderr).not.toContain('IO_ERROR');
  });
});

describe('--dry-run', () => {
  it('says what the run would do with files it passes over: already protected, done by an earlier run, in the way of an output', () => {
    const root = folder('dry', 3);
    cli.ok(['protect', path.join(root, 'f0.txt'), '--grant', `${BOB}:VIEW`], { as: ALICE });
    writeFileSync(path.join(root, 'f2.ptxt'), 'not a protected file, in the way of f2.txt\'s');
    const rules = path.join(cli.root, 'dry-rules.yaml');
    writeFileSync(rules, `rules:\n  - name: all\n    match: { path: "**" }\n    grants: [ { to: "${BOB}", rights: [VIEW] } ]\n`);
    const lines = jsonLines(cli.ok(['protect', root, '--recursive', '--rules', rules, '--dry-run', '--json'], { as: ALICE }));
    const byName = Object.fromEntries(lines.map((l) => [path.basename(l.source), l]));
    expect(byName['f0.ptxt']).toMatchObject({ status: 'skipped', reason: 'already protected' });
    expect(byName['f0.txt']).toMatchObject({ status: 'skipped', reason: 'already protected by an earlier run' });
    expect(byName['f1.txt']).toMatchObject({ rule: 'all' });
    expect(byName['f2.txt']).toMatchObject({ status: 'failed', error: { code: 'FILE_EXISTS' } });
    const text = cli.ok(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`, '--dry-run'], { as: ALICE });
    expect(text).toContain(`${path.join(root, 'f0.ptxt')}: skipped (already protected)\n`);
    expect(text).toContain(`${path.join(root, 'f1.txt')}: would be protected\n`);
    // And the run does what the dry run said.
    const run = jsonLines(cli.run(['protect', root, '--recursive', '--rules', rules, '--json'], { as: ALICE }).stdout);
    expect(Object.fromEntries(run.filter((l) => l.source).map((l) => [path.basename(l.source), l.status]))).toEqual({
      'f0.ptxt': 'skipped', 'f0.txt': 'skipped', 'f1.txt': 'protected', 'f2.ptxt': 'protected', 'f2.txt': 'failed',
    });
  });
});

describe('help for a command that does not exist', () => {
  for (const args of [['help', 'bogus'], ['bogus', '--help'], ['help', 'templates', 'bogus'], ['templates', 'bogus', '--help'], ['templates', 'help', 'bogus']]) {
    it(`is a usage error (exit 2), not the parent's help: openrms ${args.join(' ')}`, () => {
      const r = cli.run(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: INVALID_ARGUMENT: (templates: )?unknown command 'bogus' \(see: openrms (templates )?--help\)\n$/);
      const json = cli.run([...args, '--json']);
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("unknown command 'bogus'") });
    });
  }

  it('still shows the help of commands that exist, at any depth', () => {
    expect(cli.run(['help', 'templates', 'list'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: openrms templates list/) });
    expect(cli.run(['templates', '--help'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: openrms templates/) });
    expect(cli.run(['help'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: openrms <command>/) });
  });
});

describe('a rules file that is not one a person wrote', () => {
  it('refuses an endless one (/dev/zero) as INVALID_RULES after reading past the limit, not all of it', () => {
    const r = cli.run(['protect', folder('endless', 1), '--recursive', '--rules', '/dev/zero', '--json'], { as: ALICE });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'INVALID_RULES', reason: 'a rules file of at most 1 MiB' });
  });

  it('refuses one over 2 GiB as too large a rules file (INVALID_RULES), like any over the limit', () => {
    const huge = path.join(cli.root, 'huge.yaml');
    writeFileSync(huge, 'rules: []\n');
    // Sparse: no disk used.
    truncateSync(huge, 3 * 1024 ** 3);
    const r = cli.run(['protect', folder('huge', 1), '--recursive', '--rules', huge, '--json'], { as: ALICE });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'INVALID_RULES', file: huge, reason: 'a rules file of at most 1 MiB' });
  });
});

describe('a file whose name is not UTF-8', () => {
  it('fails saying so, not "no such file", and the others are protected', () => {
    const root = folder('latin1', 1);
    // "café.txt" as Latin-1 wrote it: é is the single byte E9.
    writeFileSync(Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'from an old share');
    const r = cli.run(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`, '--json'], { as: ALICE });
    expect(r.status).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.find((l) => l.status === 'failed').error).toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('not UTF-8') });
    expect(lines.at(-1).summary).toMatchObject({ protected: 1, failed: 1 });
  });
});
