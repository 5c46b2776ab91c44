/**
 * Deciding files with real rules and real files: path globs, size bounds, content conditions in
 * the first bytes, first match wins, the default, and the head read only when needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Decision, describeDecision, parseRules, readFileHead, Rules, RuleSubject } from '../../lib/rules';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-rules-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `relativePath` under the test root and returns it as a bulk walk would see it, counting head reads. */
function subject(relativePath: string, content: string | Buffer): RuleSubject & { headReads: number } {
  const file = path.join(root, ...relativePath.split('/'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  const size = Buffer.byteLength(content);
  const s = {
    path: file, relativePath, size, headReads: 0,
    head: (length: number) => {
      s.headReads++;
      return readFileHead(file, length);
    },
  };
  return s;
}

async function ruleFor(rules: Rules, relativePath: string, content: string | Buffer = 'x'): Promise<string | null> {
  return (await rules.decide(subject(relativePath, content))).rule;
}

const ISSUER_EXAMPLE_IBAN = 'DE89 3704 0044 0532 0130 00';

describe('rules: path globs', () => {
  const rules = parseRules(`
rules:
  - name: finance-sheets
    match: { path: "finance/**/*.xlsx" }
    template: Finance
  - name: env-files
    match: { path: ["**/.env", "secrets/*"] }
    template: Secrets
  - name: anything-txt
    match: { path: "**/*.txt" }
    template: Text
`, 'globs.yaml');

  it('matches a glob against the path relative to the root, at any depth under **', async () => {
    expect(await ruleFor(rules, 'finance/q1.xlsx')).toBe('finance-sheets');
    expect(await ruleFor(rules, 'finance/2024/eu/q1.xlsx')).toBe('finance-sheets');
    expect(await ruleFor(rules, 'hr/finance/q1.xlsx')).toBeNull();
    expect(await ruleFor(rules, 'finance/q1.xlsx.bak')).toBeNull();
  });

  it('takes any glob of a list', async () => {
    expect(await ruleFor(rules, 'app/.env')).toBe('env-files');
    expect(await ruleFor(rules, 'secrets/key.pem')).toBe('env-files');
  });

  it('matches dot files and dot folders only where the glob names the dot', async () => {
    expect(await ruleFor(rules, '.env')).toBe('env-files');
    expect(await ruleFor(rules, 'notes/.hidden.txt')).toBeNull();
    expect(await ruleFor(rules, '.git/notes.txt')).toBeNull();
    expect(await ruleFor(rules, 'notes/plain.txt')).toBe('anything-txt');
  });

  it('matches names with spaces and non-ASCII letters', async () => {
    expect(await ruleFor(rules, 'finance/Prévisions 2025/budget été.xlsx')).toBe('finance-sheets');
  });
});

describe('rules: size bounds', () => {
  const rules = parseRules(`
rules:
  - name: small
    match: { maxSize: 1KiB }
    template: Small
  - name: medium
    match: { minSize: 1.5 KB, maxSize: 2MiB }
    template: Medium
  - name: large
    match: { minSize: 3000000 }
    template: Large
`, 'sizes.yaml');

  it('applies inclusive bounds in binary and decimal units', async () => {
    expect(await ruleFor(rules, 'a', Buffer.alloc(0))).toBe('small');
    expect(await ruleFor(rules, 'b', Buffer.alloc(1024))).toBe('small');
    expect(await ruleFor(rules, 'c', Buffer.alloc(1025))).toBeNull();
    expect(await ruleFor(rules, 'd', Buffer.alloc(1500))).toBe('medium');
    expect(await ruleFor(rules, 'e', Buffer.alloc(2 * 1024 * 1024))).toBe('medium');
    expect(await ruleFor(rules, 'f', Buffer.alloc(2 * 1024 * 1024 + 1))).toBeNull();
    expect(await ruleFor(rules, 'g', Buffer.alloc(3_000_000))).toBe('large');
  });
});

describe('rules: content in the first bytes', () => {
  const rules = parseRules(`
rules:
  - name: bank-details
    match: { content: [iban] }
    grants: [ { to: finance@contoso.com, rights: [VIEW, PRINT] } ]
  - name: marked
    match: { content: [{ regex: "(?i)\\\\bproject\\\\s+bluebird\\\\b" }] }
    template: Bluebird
  - name: us-and-marked
    match: { content: { all: [us-ssn, confidential] } }
    template: HR
  - name: either-id
    match: { content: { any: [uk-nino, fr-nir] } }
    template: Personal
`, 'content.yaml');

  it('finds a built-in detector, a user pattern, and all/any combinations', async () => {
    expect(await ruleFor(rules, 'pay.txt', `Pay to ${ISSUER_EXAMPLE_IBAN} by Friday`)).toBe('bank-details');
    expect(await ruleFor(rules, 'plan.md', 'Notes on PROJECT  Bluebird, phase 2')).toBe('marked');
    expect(await ruleFor(rules, 'hr.txt', 'CONFIDENTIAL\nEmployee SSN: 123-45-6789')).toBe('us-and-marked');
    expect(await ruleFor(rules, 'hr2.txt', 'Employee SSN: 123-45-6789')).toBeNull();
    expect(await ruleFor(rules, 'uk.txt', 'NI number AB 12 34 56 C')).toBe('either-id');
    expect(await ruleFor(rules, 'fr.txt', 'NIR 1 84 12 76 451 089 46')).toBe('either-id');
  });

  it('reads UTF-16LE text that starts with its byte order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`IBAN: ${ISSUER_EXAMPLE_IBAN}`, 'utf16le')]);
    expect(await ruleFor(rules, 'notepad-unicode.txt', utf16)).toBe('bank-details');
    // the same bytes without the mark are not decoded as UTF-16
    expect(await ruleFor(rules, 'no-bom.txt', utf16.subarray(2))).toBeNull();
  });

  it('looks only at the content window: a pattern after it is not seen', async () => {
    const windowed = parseRules(`
contentWindow: 4KiB
rules:
  - name: bank-details
    match: { content: iban }
    template: Finance
`, 'window.yaml');
    expect(windowed.contentWindow).toBe(4096);
    expect(await ruleFor(windowed, 'early.txt', `${'.'.repeat(4000)} ${ISSUER_EXAMPLE_IBAN}`)).toBe('bank-details');
    expect(await ruleFor(windowed, 'late.txt', `${'.'.repeat(4096)} ${ISSUER_EXAMPLE_IBAN}`)).toBeNull();
    expect(parseRules('rules: []', 'default-window.yaml').contentWindow).toBe(64 * 1024);
  });

  it('reads the head only when a content condition is reached, and once however many there are', async () => {
    const lazy = parseRules(`
rules:
  - name: by-path
    match: { path: "*.pdf" }
    template: Pdf
  - name: marked
    match: { path: "*.txt", content: confidential }
    template: Confidential
  - name: bank
    match: { content: iban }
    template: Finance
`, 'lazy.yaml');
    const pdf = subject('report.pdf', 'CONFIDENTIAL');
    expect((await lazy.decide(pdf)).rule).toBe('by-path');
    expect(pdf.headReads).toBe(0);
    const other = subject('data.txt', 'nothing to see');
    expect((await lazy.decide(other)).rule).toBeNull();
    expect(other.headReads).toBe(1);
  });
});

describe('rules: order and default', () => {
  it('gives a file to the first rule that matches, not a later more specific one', async () => {
    const rules = parseRules(`
rules:
  - name: all-finance
    match: { path: "finance/**" }
    template: Finance
  - name: finance-marked
    match: { path: "finance/**", content: confidential }
    template: Confidential
`, 'order.yaml');
    expect(await ruleFor(rules, 'finance/a.txt', 'CONFIDENTIAL')).toBe('all-finance');
  });

  it('skips a file no rule matches when there is no default', async () => {
    const rules = parseRules('rules:\n  - name: pdf\n    match: { path: "*.pdf" }\n    template: Pdf\n', 'no-default.yaml');
    expect(await rules.decide(subject('a.doc', 'x'))).toEqual({ rule: null, action: { skip: 'no rule matched' } });
  });

  it('applies the default to a file no rule matches', async () => {
    const rules = parseRules(`
rules:
  - name: scratch
    match: { path: "tmp/**" }
    skip: scratch files are not kept
default: { template: General }
`, 'default.yaml');
    expect(await rules.decide(subject('docs/a.txt', 'x'))).toEqual({ rule: null, action: { template: 'General' } });
    expect(await rules.decide(subject('tmp/a.txt', 'x'))).toEqual({ rule: 'scratch', action: { skip: 'scratch files are not kept' } });
  });

  it('names the rule as the reason of a plain skip: true', async () => {
    const rules = parseRules('rules:\n  - name: logs\n    match: { path: "**/*.log" }\n    skip: true\n', 'skip.yaml');
    expect(await rules.decide(subject('var/app.log', 'x'))).toEqual({ rule: 'logs', action: { skip: 'rule logs' } });
  });
});

describe('rules: grants', () => {
  const now = Date.UTC(2030, 0, 1);
  const rules = parseRules(`
rules:
  - name: share
    match: { path: "**" }
    grants:
      - { to: [Bob@Contoso.com, carol@contoso.com], rights: [view, Print] }
      - { to: anyone, rights: [VIEWER], customRights: [CONTOSO.ARCHIVE] }
    expires: 30d
    offlineDays: 7
`, 'grants.yaml', { now: () => now });

  it('gives one grant per address, rights normalized, the expiry counted from the decision', async () => {
    const decision = await rules.decide(subject('a.txt', 'x'));
    expect(decision).toEqual({
      rule: 'share',
      action: {
        grants: [
          { who: 'bob@contoso.com', rights: ['VIEW', 'PRINT'] },
          { who: 'carol@contoso.com', rights: ['VIEW', 'PRINT'] },
          { who: 'ANYONE', rights: ['VIEWER', 'CONTOSO.ARCHIVE'] },
        ],
        expires: new Date(now + 30 * 24 * 3600 * 1000),
        offlineDays: 7,
      },
    });
    expect(describeDecision('a.txt', decision)).toBe(
      'a.txt: rule "share" -> grants bob@contoso.com: VIEW, PRINT; carol@contoso.com: VIEW, PRINT; ANYONE: VIEWER, CONTOSO.ARCHIVE'
      + ' (expires 2030-01-31T00:00:00.000Z, offline 7 days)');
  });

  it('keeps a fixed expiry date as written', async () => {
    const defaults = parseRules(`
rules: []
default:
  grants: [ { to: audit@contoso.com, rights: [VIEW] } ]
  expires: 2031-06-30
`, 'd.yaml', { now: () => now });
    const decision: Decision = await defaults.decide(subject('b.txt', 'x'));
    expect(decision.action).toEqual({ grants: [{ who: 'audit@contoso.com', rights: ['VIEW'] }], expires: new Date('2031-06-30') });
  });
});

describe('describeDecision', () => {
  it('says which rule decided and what it does, one line per file', () => {
    expect(describeDecision('finance/q1.xlsx', { rule: 'payroll', action: { template: 'Confidential - Finance' } }))
      .toBe('finance/q1.xlsx: rule "payroll" -> template "Confidential - Finance"');
    expect(describeDecision('x.bin', { rule: null, action: { skip: 'no rule matched' } })).toBe('x.bin: default -> skip (no rule matched)');
  });
});

describe('rules: JSON', () => {
  it('reads the same rules written as JSON', async () => {
    const rules = parseRules(JSON.stringify({
      rules: [{ name: 'payroll', match: { path: 'finance/**/*.xlsx', minSize: '1KiB' }, template: 'Finance' }],
      default: { skip: true },
    }), 'rules.json');
    expect(await ruleFor(rules, 'finance/pay.xlsx', Buffer.alloc(2048))).toBe('payroll');
    expect(await ruleFor(rules, 'finance/pay.xlsx', Buffer.alloc(10))).toBeNull();
  });
});
