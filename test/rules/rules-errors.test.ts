/**
 * A malformed rules file is refused whole, before any file is touched, with INVALID_RULES naming
 * the file and the line and column (1-based) of the node at fault.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { RMS_ERROR_CODES, RmsError } from '../../lib/errors';
import { InvalidRulesError, loadRules, parseRules } from '../../lib/rules';
import { codeOf } from '../support/error-code';

const NOW = Date.UTC(2030, 0, 1);

/** Where parsing `text` fails: code, file, line, column, and the message's reason. */
function failure(text: string | Buffer, file = 'rules.yaml'): { code: string; file: string; line: number; column: number; reason: string } {
  try {
    parseRules(text, file, { now: () => NOW });
  } catch (error) {
    if (error instanceof InvalidRulesError) return { code: error.code, file: error.file, line: error.line, column: error.column, reason: error.reason };
    throw error;
  }
  throw new Error('the rules parsed');
}

/** A rules file with one rule whose lines are `ruleLines` (indented under `  - `). */
function oneRule(...ruleLines: string[]): string {
  return ['rules:', ...ruleLines.map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`))].join('\n');
}

describe('INVALID_RULES', () => {
  it('is a code of openrms, and the error an RmsError carrying file, line and column', () => {
    expect(RMS_ERROR_CODES).toContain('INVALID_RULES');
    let caught: unknown;
    try {
      parseRules('rules: [', 'site.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RmsError);
    expect(caught).toMatchObject({ code: 'INVALID_RULES', file: 'site.yaml', line: 1 });
    expect((caught as Error).message).toMatch(/^site\.yaml, line 1, column \d+: /);
  });

  it('points at a YAML syntax error', () => {
    expect(failure('rules:\n  - name: a\n    match: { path: "x" \n')).toMatchObject({ line: 4, column: 1 });
    expect(failure('rules:\n  - name: "a\\q"\n')).toMatchObject({ line: 2, column: 13 });
    expect(failure('rules:\n\t- name: a\n')).toMatchObject({ line: 2, column: 1 });
  });

  it('points at a JSON syntax error', () => {
    expect(failure('{\n  "rules": [\n    {"name": "a",, "match": {}}\n  ]\n}', 'rules.json')).toMatchObject({ file: 'rules.json', line: 3 });
  });

  it('points at a duplicate key', () => {
    expect(failure(oneRule('name: a', 'match: { path: "*.txt" }', 'template: T', 'template: U'))).toMatchObject({ line: 5, column: 5 });
  });

  it('points at an unknown key, wherever it is', () => {
    expect(failure('rules: []\ndefaults: { skip: true }\n')).toMatchObject({ line: 2, column: 1, reason: expect.stringContaining('unknown key "defaults"') });
    expect(failure(oneRule('name: a', 'match: { paht: "*.txt" }', 'template: T'))).toMatchObject({ line: 3, column: 14 });
    expect(failure(oneRule('name: a', 'match: { path: "*.txt" }', 'grants: [ { to: a@b.c, right: [VIEW] } ]')))
      .toMatchObject({ line: 4, column: 28 });
  });

  it('points at a value of the wrong type', () => {
    expect(failure('rules: { name: a }\n')).toMatchObject({ line: 1, column: 8, reason: 'rules must be a list' });
    expect(failure(oneRule('name: [a]', 'match: { path: "*" }', 'template: T'))).toMatchObject({ line: 2, column: 11 });
    expect(failure(oneRule('name: a', 'match: { maxSize: lots }', 'template: T'))).toMatchObject({ line: 3, column: 23 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'grants: []'))).toMatchObject({ line: 4, column: 13 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'grants: [ { to: a@b.c, rights: [VIEW] } ]', 'offlineDays: "7"')))
      .toMatchObject({ line: 5, column: 18 });
  });

  it('points at a rule missing its parts, or with two actions', () => {
    expect(failure(oneRule('match: { path: "*" }', 'template: T'))).toMatchObject({ line: 2, column: 5, reason: 'a rule needs a name' });
    expect(failure(oneRule('name: a', 'template: T'))).toMatchObject({ line: 2, column: 5 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }'))).toMatchObject({ line: 2, column: 5 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'template: T', 'skip: true'))).toMatchObject({ line: 5, column: 5 });
    expect(failure(oneRule('name: a', 'match:', 'template: T'))).toMatchObject({ line: 3, column: 5 });
  });

  it('points at a template reference that is not an ID or name', () => {
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'template: { id: 7 }'))).toMatchObject({ line: 4, column: 15 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'template: 2024'))).toMatchObject({ line: 4, column: 15 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'template: ""'))).toMatchObject({ line: 4, column: 15 });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'template: T', 'expires: 30d'))).toMatchObject({ line: 5, column: 5 });
  });

  it('points at a bad glob', () => {
    for (const glob of ['finance/{a,b', 'finance/[ab', '/etc/*', '../other/*', '']) {
      expect({ glob, at: failure(oneRule('name: a', `match: { path: ["*.txt", "${glob}"] }`, 'template: T')) })
        .toMatchObject({ glob, at: { line: 3, column: 30 } });
    }
  });

  it('points at a pattern RE2 refuses: syntax, backreferences, lookaround, too large', () => {
    for (const regex of ['(unclosed', '(a)\\\\1', '(?=x)y', '(?<!x)y', 'x**', '[^a]{1000}[^b]{1000}[^c]{1000}[^d]{1000}[^e]{1000}[^f]{1000}', '']) {
      expect({ regex, at: failure(oneRule('name: a', `match: { content: [iban, { regex: "${regex}" }] }`, 'template: T')) })
        .toMatchObject({ regex, at: { line: 3, column: 39 } });
    }
  });

  it('points at an unknown detector or content condition', () => {
    expect(failure(oneRule('name: a', 'match: { content: [ibna] }', 'template: T'))).toMatchObject({ line: 3, column: 24 });
    expect(failure(oneRule('name: a', 'match: { content: { regex: x, all: [iban] } }', 'template: T'))).toMatchObject({ line: 3, column: 23 });
    expect(failure(oneRule('name: a', 'match: { content: { none: [iban] } }', 'template: T'))).toMatchObject({ line: 3, column: 25 });
  });

  it('points at an unknown right, and at a custom right that is not a right name', () => {
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'grants:', '  - to: bob@contoso.com', '    rights: [VIEW, READ]')))
      .toMatchObject({ line: 6, column: 24, reason: expect.stringContaining('unknown right "READ"') });
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'grants:', '  - to: bob@contoso.com', '    customRights: ["two words"]')))
      .toMatchObject({ line: 6, column: 24 });
  });

  it('points at an address that is not an email', () => {
    expect(failure(oneRule('name: a', 'match: { path: "*" }', 'grants:', '  - to: [bob@contoso.com, bob]', '    rights: [VIEW]')))
      .toMatchObject({ line: 5, column: 31 });
  });

  it('points at an expiry in the past or not a date, and at offline days out of range', () => {
    const withGrant = (...lines: string[]) => oneRule('name: a', 'match: { path: "*" }', 'grants: [ { to: a@b.c, rights: [VIEW] } ]', ...lines);
    expect(failure(withGrant('expires: 2029-12-31'))).toMatchObject({ line: 5, column: 14, reason: expect.stringContaining('in the past') });
    expect(failure(withGrant('expires: 0d'))).toMatchObject({ line: 5, column: 14 });
    expect(failure(withGrant('expires: soon'))).toMatchObject({ line: 5, column: 14 });
    expect(failure(withGrant('offlineDays: 70000'))).toMatchObject({ line: 5, column: 18 });
  });

  it('points at impossible sizes and content windows', () => {
    expect(failure(oneRule('name: a', 'match: { minSize: 2MiB, maxSize: 1MiB }', 'template: T'))).toMatchObject({ line: 3, column: 38 });
    expect(failure('contentWindow: 2GiB\nrules: []\n')).toMatchObject({ line: 1, column: 16 });
    expect(failure('contentWindow: 1.5\nrules: []\n')).toMatchObject({ line: 1, column: 16 });
  });

  it('points at the second of two rules with one name', () => {
    const text = ['rules:', '  - { name: a, match: { path: "*.x" }, template: T }', '  - { name: a, match: { path: "*.y" }, template: U }'].join('\n');
    expect(failure(text)).toMatchObject({ line: 3, column: 5 });
  });

  it('refuses aliases, unknown tags and several documents rather than half-supporting them', () => {
    expect(failure('rules:\n  - &r { name: a, match: { path: "*" }, template: T }\n  - *r\n')).toMatchObject({ line: 3, column: 5 });
    expect(failure('rules: !custom []\n')).toMatchObject({ line: 1, column: 8 });
    expect(failure('rules: []\n---\nrules: []\n')).toMatchObject({ line: 2, column: 1 });
  });

  it('points at bytes that are not UTF-8, and reads UTF-16 with its byte order mark', () => {
    const bad = Buffer.concat([Buffer.from('rules:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(failure(bad)).toMatchObject({ line: 2, column: 14 });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('rules:\n  - { name: a, match: { path: "*" }, template: T, oops: 1 }\n', 'utf16le')]);
    expect(failure(utf16)).toMatchObject({ line: 2, column: 51 });
  });

  it('refuses collections nested past what the parser can read, and files over 1 MiB', () => {
    for (const deep of [`rules: ${'['.repeat(100_000)}`, `rules: ${'['.repeat(20_000)}${']'.repeat(20_000)}`, `rules: ${'{a: '.repeat(20_000)}`]) {
      expect(failure(deep)).toMatchObject({ code: 'INVALID_RULES', line: 1, reason: 'collections nested too deeply to read' });
    }
    expect(failure(Buffer.alloc(1024 * 1024 + 1, 0x20))).toMatchObject({ code: 'INVALID_RULES', line: 1, column: 1 });
  });
});

describe('loadRules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-rules-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a rules file, and names it in the error of a malformed one', async () => {
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, oneRule('name: a', 'match: { path: "*" }', 'template: T'));
    expect((await loadRules(good)).rules.map((r) => r.name)).toEqual(['a']);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, oneRule('name: a', 'match: { path: "*" }', 'template: T', 'colour: red'));
    await expect(loadRules(bad)).rejects.toMatchObject({ code: 'INVALID_RULES', file: bad, line: 5, column: 5 });
  });

  it('gives FILE_NOT_FOUND for a rules file that is not there', async () => {
    expect(await codeOf(loadRules(path.join(dir, 'missing.yaml')))).toBe('FILE_NOT_FOUND');
  });
});
