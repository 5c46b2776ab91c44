/**
 * A rules file is untrusted bytes until checked: seeded mutations of valid files (the examples
 * of docs/bulk.md, and one in JSON) either load, and then decide a file, or are refused with
 * INVALID_RULES at a line and column inside the file; never another exception, never a hang.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { InvalidRulesError, parseRules } from '../../lib/rules';
import { SeededRandom } from '../support/seeded-random';

const DOC = readFileSync(path.join(__dirname, '..', '..', 'docs', 'bulk.md'), 'utf8');
/** From "## Rules" to the next second-level heading. */
const RULES_SECTION = /^## Rules\n[\s\S]*?(?=^## |(?![\s\S]))/m.exec(DOC)?.[0] ?? '';
const DOC_EXAMPLES = [...RULES_SECTION.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

const JSON_EXAMPLE = JSON.stringify({
  contentWindow: '16KiB',
  rules: [
    { name: 'payroll', match: { path: ['finance/**/*.xlsx', '**/payroll*'], minSize: 1024, maxSize: '100MiB' }, template: 'Finance' },
    { name: 'ids', match: { content: { all: ['us-ssn', { any: ['confidential', { regex: '(?i)employee' }] }] } },
      grants: [{ to: ['hr@contoso.com'], rights: ['VIEW'], customRights: ['HR.AUDIT'] }], expires: '30d', offlineDays: 0 },
  ],
  default: { skip: 'not classified' },
}, null, 2);

const SEEDS = [...DOC_EXAMPLES.map((text, i) => [`docs/bulk.md example ${i + 1}`, text] as const), ['JSON', JSON_EXAMPLE] as const];

/** Pieces that mean something to YAML or to the rules schema, so mutations reach past the first line. */
const TOKENS = [
  ':', ': ', '- ', '{', '}', '[', ']', '"', "'", ',', '\n', '\n  ', '  ', '\t', '#', '&a ', '*a', '!!str ', '!x ', '? ', '|', '>',
  '---\n', 'iban', 'regex: ', '(?=x)', '\\1', '**', '{a,', '[z-a]', 'KiB', '0d', '2001-01-01', 'READ', 'to: ', 'null', '~', '\u0000', 'é', '\uFEFF',
];

/** Values of every YAML type, put where another value stood, so the schema meets wrong types everywhere. */
const VALUES = ['7', '-1', '1e400', '0.5', 'true', 'null', '[]', '{}', '[1, [2]]', '{ a: 1 }', '""', 'x', '"30d"', '30', '2001-01-01', 'ANYONE'];

/** `text` with the value after one of its `key: ` or `"key": ` replaced by one of VALUES. */
function replaceValue(text: Buffer, random: SeededRandom): Buffer {
  const source = text.toString('latin1');
  const starts = [...source.matchAll(/: /g)].map((m) => m.index + 2);
  if (starts.length === 0) return text;
  const start = random.pick(starts);
  const end = start + (/^[^,}\]\n]*/.exec(source.slice(start))?.[0].length ?? 0);
  return Buffer.concat([text.subarray(0, start), Buffer.from(random.pick(VALUES)), text.subarray(end)]);
}

function mutate(text: Buffer, random: SeededRandom): Buffer {
  const at = random.below(text.length + 1);
  switch (random.below(8)) {
    case 0: return Buffer.concat([text.subarray(0, at), Buffer.from([random.below(256)]), text.subarray(at)]);
    case 1: return Buffer.concat([text.subarray(0, at), text.subarray(Math.min(text.length, at + 1 + random.below(8)))]);
    case 2: return text.subarray(0, at);
    case 3: {
      const copy = Buffer.from(text);
      if (at < copy.length) copy[at] = copy[at]! ^ (1 << random.below(8));
      return copy;
    }
    case 4: case 5: return replaceValue(text, random);
    default: return Buffer.concat([text.subarray(0, at), Buffer.from(random.pick(TOKENS)), text.subarray(at)]);
  }
}

describe('the rules parser under mutation', () => {
  it('has the examples of docs/bulk.md to start from, and they load', () => {
    expect(DOC_EXAMPLES.length).toBeGreaterThanOrEqual(2);
    for (const [name, text] of SEEDS) expect({ name, rules: parseRules(text, name).rules.length > 0 }).toEqual({ name, rules: true });
  });

  it.each(SEEDS)('loads or refuses with a position every mutation of %s', async (name, text) => {
    const original = Buffer.from(text);
    const subject = { path: 'a/b.txt', relativePath: 'a/b.txt', size: 2048, head: async () => Buffer.from('CONFIDENTIAL DE89 3704 0044 0532 0130 00') };
    let refused = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const random = new SeededRandom(seed * 7919 + original.length);
      let bytes: Buffer = original;
      for (let n = 1 + random.below(3); n > 0; n--) bytes = mutate(bytes, random);
      let decided: unknown;
      try {
        decided = await parseRules(bytes, name).decide(subject);
      } catch (error) {
        if (!(error instanceof InvalidRulesError)) throw new Error(`seed ${seed}: ${String(error)}\n${bytes.toString()}`);
        const lineFeeds = bytes.filter((byte) => byte === 0x0a).length;
        expect({ seed, code: error.code, file: error.file, line: error.line >= 1 && error.line <= lineFeeds + 1, column: error.column >= 1 })
          .toEqual({ seed, code: 'INVALID_RULES', file: name, line: true, column: true });
        refused++;
        continue;
      }
      expect(decided).toHaveProperty('action');
    }
    // the mutations reach the schema: many files are refused, not all
    expect(refused).toBeGreaterThan(50);
    expect(refused).toBeLessThan(400);
  });
});
