/**
 * `openrms protect|unprotect PATH... --recursive` through the bulk engine, as a user runs it:
 * a folder protected with one license (the files share it), each file reported, a summary with
 * bytes and time, a rerun that finds the job done; classification rules deciding per file, and
 * `--dry-run` writing nothing; unprotecting the tree; a progress line only on a terminal.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { CliService } from '../support/cli-service';
import { runInTerminal } from './terminal';
import { ROOT } from '../support/built-package';

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
let cli: CliService;

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).sort();
}

function tree(name: string): string {
  const root = path.join(cli.root, name);
  mkdirSync(path.join(root, 'finance', 'Q1 reports'), { recursive: true });
  mkdirSync(path.join(root, 'public'), { recursive: true });
  writeFileSync(path.join(root, 'finance', 'Q1 reports', 'bilan été.txt'), 'Transfer to DE89 3704 0044 0532 0130 00 by Friday\n');
  writeFileSync(path.join(root, 'finance', 'ledger.csv'), 'a,b\n1,2\n');
  writeFileSync(path.join(root, 'public', 'readme.txt'), 'nothing secret\n');
  writeFileSync(path.join(root, 'public', 'empty.txt'), '');
  return root;
}

const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));

beforeAll(async () => {
  cli = await CliService.start([{ email: ALICE }, { email: BOB }]);
}, 120_000);
afterAll(() => cli?.cleanup());

describe('openrms protect --recursive', () => {
  it('protects a tree with one license, reports each file and a summary, and a rerun finds the job done', () => {
    const root = tree('bulk');
    const lines = jsonLines(cli.ok(['protect', root, '--recursive', '--grant', `${BOB}:VIEW,EXPORT`, '--jobs', '3', '--json'], { as: ALICE }));
    const done = lines.filter((l) => l.status === 'protected');
    expect(done).toHaveLength(4);
    expect(new Set(done.map((l) => l.contentId)).size).toBe(1);
    expect(lines.at(-1).summary).toMatchObject({ protected: 4, failed: 0, skipped: 0, bytes: expect.any(Number), ms: expect.any(Number) });
    expect(files(root)).toEqual([
      'finance/Q1 reports/bilan été.ptxt', 'finance/Q1 reports/bilan été.txt', 'finance/ledger.csv', 'finance/ledger.csv.pfile',
      'public/empty.ptxt', 'public/empty.txt', 'public/readme.ptxt', 'public/readme.txt',
    ]);
    // The same command again: everything is done already, nothing failed.
    const again = jsonLines(cli.ok(['protect', root, '--recursive', '--grant', `${BOB}:VIEW,EXPORT`, '--json'], { as: ALICE }));
    expect(again.at(-1).summary).toMatchObject({ protected: 0, failed: 0 });
    expect(files(root)).toHaveLength(8);

    // Bob gets plaintext copies of the whole tree.
    const out = path.join(cli.root, 'bob-copies');
    const unprotected = jsonLines(cli.ok(['unprotect', root, '--recursive', '--out', out, '--json'], { as: BOB }));
    expect(unprotected.at(-1).summary).toMatchObject({ unprotected: 4, failed: 0 });
    expect(readFileSync(path.join(out, 'finance', 'Q1 reports', 'bilan été.txt'), 'utf8')).toContain('DE89');
  });

  it('takes each file\'s license from rules, first match wins; --dry-run says so and writes nothing', () => {
    const root = tree('ruled');
    const rules = path.join(cli.root, 'rules.yaml');
    writeFileSync(rules, [
      'rules:',
      '  - name: payments',
      '    match: { content: [iban] }',
      `    grants: [ { to: "${BOB}", rights: [VIEW] } ]`,
      '  - name: finance',
      '    match: { path: "finance/**" }',
      `    grants: [ { to: "${BOB}", rights: [VIEW, EXPORT] } ]`,
      'default: { skip: "not classified" }',
      '',
    ].join('\n'));
    const before = files(root);
    const dry = cli.ok(['protect', root, '--recursive', '--rules', rules, '--dry-run'], { as: ALICE });
    expect(dry).toContain('bilan été.txt: rule "payments"');
    expect(dry).toContain('ledger.csv: rule "finance"');
    expect(dry).toContain('readme.txt: default -> skip (not classified)');
    expect(files(root)).toEqual(before);

    const lines = jsonLines(cli.ok(['protect', root, '--recursive', '--rules', rules, '--json'], { as: ALICE }));
    const status = Object.fromEntries(lines.filter((l) => l.source).map((l) => [path.basename(l.source), l.status]));
    expect(status).toEqual({ 'bilan été.txt': 'protected', 'ledger.csv': 'protected', 'empty.txt': 'skipped', 'readme.txt': 'skipped' });
    // The IBAN file was given VIEW only: Bob may not export it; the finance rule gave EXPORT.
    const refused = cli.run(['unprotect', path.join(root, 'finance', 'Q1 reports', 'bilan été.ptxt'), '--json'], { as: BOB });
    expect(refused.status).toBe(1);
    expect(jsonLines(refused.stdout)[0].error.code).toBe('RIGHT_NOT_GRANTED');
    cli.ok(['unprotect', path.join(root, 'finance', 'ledger.csv.pfile'), '--out', path.join(cli.root, 'ledger-copy')], { as: BOB });
  });

  it('refuses a malformed rules file with its line and column (exit 1), and --in-place with --out (exit 2)', () => {
    const bad = path.join(cli.root, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  - name: x\n    match: { size: "lots" }\n    template: T\n');
    const r = cli.run(['protect', cli.root, '--recursive', '--rules', bad, '--json'], { as: ALICE });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'INVALID_RULES', line: 3 });
    const usage = cli.run(['protect', cli.root, '--recursive', '--grant', `${BOB}:VIEW`, '--in-place', '--out', 'x'], { as: ALICE });
    expect(usage.status).toBe(2);
  });

  it('draws a progress line on a terminal and none when stderr is not one', () => {
    const root = tree('progress');
    const piped = cli.run(['protect', root, '--recursive', '--grant', `${BOB}:VIEW`], { as: ALICE });
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).toMatch(/4 protected, 0 failed, 0 skipped; .* in /);
    const root2 = tree('progress-tty');
    const shown = runInTerminal([process.execPath, path.join(ROOT, 'dist', 'cli', 'main.js'), 'protect', root2, '--recursive', '--grant', `${BOB}:VIEW`], [],
      { cwd: cli.root, env: { ...process.env, OPENRMS_HOME: cli.storeOf(ALICE) } });
    expect(shown.status).toBe(0);
    expect(shown.shown).toMatch(/\r.*files/);
  });
});
