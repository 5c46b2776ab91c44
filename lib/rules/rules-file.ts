/**
 * Reading a rules file (`--rules FILE`, docs/bulk.md "Rules"): YAML 1.2 or JSON, checked whole
 * before any file is touched. Anything wrong (syntax, an unknown key, a value of the wrong type,
 * a bad glob, pattern, email or right, a date in the past) is INVALID_RULES with the file, line
 * and column of the node at fault.
 */
import { open } from 'node:fs/promises';

import picomatch from 'picomatch';
import { isScalar, Node } from 'yaml';

import { fileSystemError, RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { ANYONE, Grant, MAX_OFFLINE_DAYS } from '../license/publishing-license';
import { COMMON_RIGHTS, normalizeRight, ROLES } from '../license/rights';
import { formatByteSize, parseByteSize } from './byte-size';
import { hasUtf16Bom, headText } from './head-text';
import { isContentDetector } from './content-detectors';
import { ContentMatcher } from './content-matcher';
import { InvalidRulesError } from './invalid-rules-error';
import { ActionSpec, Expiry, PathGlob, Rule, RuleConditions, Rules } from './rules';
import { Field, Located, RulesSource } from './rules-source';
import { compileUserRegex } from './user-regex';

/** Larger files are refused unread: a rules file is written by a person. */
export const MAX_RULES_FILE_BYTES = 1024 * 1024;
/** How many first bytes of a file content conditions look at, unless `contentWindow` says otherwise. */
export const DEFAULT_CONTENT_WINDOW = 64 * 1024;
/** The largest `contentWindow`: what every parallel job holds in memory, and what each pattern scans. */
export const MAX_CONTENT_WINDOW = 1024 * 1024;
/** How deeply `all`/`any` nest. */
export const MAX_CONTENT_NESTING = 8;

export interface ParseRulesOptions {
  /** The clock for refusing a past `expires` and for counting `expires: Nd` (default Date.now). */
  now?: () => number;
}

const TOP_KEYS = ['rules', 'default', 'contentWindow'] as const;
const ACTION_KEYS = ['template', 'grants', 'skip'] as const;
const RULE_KEYS = ['name', 'match', ...ACTION_KEYS, 'expires', 'offlineDays'] as const;
const DEFAULT_KEYS = [...ACTION_KEYS, 'expires', 'offlineDays'] as const;
const MATCH_KEYS = ['path', 'minSize', 'maxSize', 'content'] as const;
const GRANT_KEYS = ['to', 'rights', 'customRights'] as const;
const CONTENT_KEYS = ['regex', 'all', 'any'] as const;
const RIGHT_NAMES: readonly string[] = [...COMMON_RIGHTS, ...ROLES];
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The first MAX_RULES_FILE_BYTES + 1 bytes of `file`, read in order: one byte past the limit
 * tells a file too large without reading it all (readFile would take all of /dev/zero, or
 * refuse a file over 2 GiB with an I/O error), and a pipe (`--rules <(...)`) has no size to
 * look at first.
 */
async function readRulesFile(file: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(MAX_RULES_FILE_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw fileSystemError(error, file);
  } finally {
    await handle?.close();
  }
}

/** Reads and checks the rules file `file`. */
export async function loadRules(file: string, options: ParseRulesOptions = {}): Promise<Rules> {
  return parseRules(await readRulesFile(file), file, options);
}

/** Checks the rules in `content` (text, or the file's bytes: UTF-8, or UTF-16 with its byte order mark); `file` names it in errors. */
export function parseRules(content: string | Uint8Array, file: string, options: ParseRulesOptions = {}): Rules {
  const now = options.now ?? Date.now;
  const text = typeof content === 'string' ? content.replace(/^\uFEFF/, '') : decodeRulesFile(content, file);
  const source = RulesSource.parse(text, file);
  return new RulesReader(source, now()).rules(now);
}

function decodeRulesFile(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_RULES_FILE_BYTES) throw new InvalidRulesError(file, 1, 1, `a rules file of at most ${formatByteSize(MAX_RULES_FILE_BYTES)}`);
  if (hasUtf16Bom(bytes)) return headText(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('utf8');
  const reencoded = Buffer.from(text, 'utf8');
  if (!reencoded.equals(buffer)) {
    let at = 0;
    while (at < buffer.length && reencoded[at] === buffer[at]) at++;
    // Bytes that are not UTF-8 would reach globs and emails as U+FFFD: say where they are.
    const before = buffer.toString('utf8', 0, at).replace(/\uFFFD$/, '');
    const lines = before.split('\n');
    throw new InvalidRulesError(file, lines.length, lines[lines.length - 1]!.length + 1, 'bytes that are not UTF-8 (save the file as UTF-8)');
  }
  return text.replace(/^\uFEFF/, '');
}

/** The schema of a rules file, checked node by node. */
class RulesReader {
  constructor(private readonly source: RulesSource, private readonly nowMs: number) {}

  rules(now: () => number): Rules {
    const source: RulesSource = this.source;
    const top = source.fields(source.root, 'the rules file', TOP_KEYS);
    const rulesField = top.get('rules');
    if (rulesField === undefined) source.fail(source.root, 'the rules file needs a "rules" list');
    const names = new Set<string>();
    const rules = source.items(rulesField.value, 'rules', rulesField.key).map((node) => {
      const rule = this.rule(node);
      if (names.has(rule.name)) source.fail(node, `two rules are named "${rule.name}": names must be unique, dry runs and reports show them`);
      names.add(rule.name);
      return rule;
    });
    const defaultField = top.get('default');
    const defaultAction: ActionSpec = defaultField === undefined
      ? { skip: 'no rule matched' }
      : this.action(source.fields(defaultField.value, 'default', DEFAULT_KEYS, defaultField.key), defaultField.value, 'default', 'no rule matched');
    const windowField = top.get('contentWindow');
    const window = windowField === undefined ? DEFAULT_CONTENT_WINDOW : this.size(windowField, 'contentWindow', 1, MAX_CONTENT_WINDOW);
    return new Rules(source.file, rules, defaultAction, window, now);
  }

  private rule(node: Node): Rule {
    const source: RulesSource = this.source;
    const fields = source.fields(node, 'a rule', RULE_KEYS);
    const nameField = fields.get('name');
    if (nameField === undefined) source.fail(node, 'a rule needs a name');
    const name = this.text(nameField, 'name', 200);
    const matchField = fields.get('match');
    if (matchField === undefined) source.fail(node, `rule "${name}" needs a match (path, minSize, maxSize, content)`);
    return { name, match: this.conditions(matchField), action: this.action(fields, node, `rule "${name}"`, `rule ${name}`) };
  }

  private conditions(field: Field): RuleConditions {
    const source: RulesSource = this.source;
    const fields = source.fields(field.value, 'match', MATCH_KEYS, field.key);
    if (fields.size === 0) source.fail(field.value, 'match needs at least one of path, minSize, maxSize, content (the default applies to every file)', field.key);
    const conditions: RuleConditions = { paths: [] };
    const pathField = fields.get('path');
    if (pathField !== undefined) conditions.paths = source.oneOrMore(pathField.value, 'path', pathField.key).map((glob) => this.glob(glob));
    const min = fields.get('minSize');
    if (min !== undefined) conditions.minSize = this.size(min, 'minSize', 0, Number.MAX_SAFE_INTEGER);
    const max = fields.get('maxSize');
    if (max !== undefined) conditions.maxSize = this.size(max, 'maxSize', 0, Number.MAX_SAFE_INTEGER);
    if (conditions.minSize !== undefined && conditions.maxSize !== undefined && conditions.minSize > conditions.maxSize) {
      source.fail(max!.value, 'maxSize is smaller than minSize: no file would match', max!.key);
    }
    const content = fields.get('content');
    if (content !== undefined) {
      const matchers = source.oneOrMore(content.value, 'content', content.key).map((m) => this.contentMatcher(m, 1));
      conditions.content = matchers.length === 1 ? matchers[0] : { any: matchers };
    }
    return conditions;
  }

  private glob(node: Node): PathGlob {
    const source: RulesSource = this.source;
    const glob = source.string(node, 'path (a glob)').replace(/^(\.\/)+/, '');
    const refuse = (why: string): never => source.fail(node, `path "${glob}" ${why}`);
    if (glob === '') refuse('is empty');
    if (glob.startsWith('/')) refuse('is absolute: globs match paths relative to the folder being protected');
    if (glob.split('/').includes('..')) refuse('goes up with "..": globs match paths inside the folder being protected');
    let test: (path: string) => boolean;
    try {
      const options = { dot: false, strictBrackets: true };
      // picomatch turns a glob whose regular expression does not compile into one matching nothing
      if (picomatch.makeRe(glob, options).source === '$^') refuse('is not a glob picomatch can use');
      test = picomatch(glob, options);
    } catch (error) {
      if (error instanceof RmsError) throw error;
      refuse(`is not a valid glob (${error instanceof Error ? error.message : String(error)})`);
    }
    return { glob, test: test! };
  }

  private size(field: Field, what: string, min: number, max: number): number {
    const value = this.source.scalar(field.value, what, field.key);
    const bytes = typeof value === 'boolean' ? undefined : parseByteSize(value);
    if (bytes === undefined) this.source.fail(field.value, `${what} must be a size in bytes (4096, 64KiB, 1.5MB, 2GiB)`, field.key);
    if (bytes < min || bytes > max) this.source.fail(field.value, `${what} must be from ${formatByteSize(min)} to ${formatByteSize(max)}`, field.key);
    return bytes;
  }

  private contentMatcher(node: Node, depth: number): ContentMatcher {
    const source: RulesSource = this.source;
    if (depth > MAX_CONTENT_NESTING) source.fail(node, `all/any nested more than ${MAX_CONTENT_NESTING} deep`);
    if (isScalar(node)) {
      const name = source.string(node, 'a content condition');
      if (!isContentDetector(name)) source.fail(node, `unknown content detector "${name}" (iban, confidential, us-ssn, uk-nino, fr-nir; or { regex: ... })`);
      return { detector: name };
    }
    const fields = source.fields(node, 'a content condition', CONTENT_KEYS);
    if (fields.size !== 1) source.fail(node, 'a content condition is one of { regex: PATTERN }, { all: [...] }, { any: [...] }');
    const [kind, field] = [...fields][0]!;
    if (kind === 'regex') {
      const regex = compileUserRegex(source.string(field.value, 'regex', field.key));
      if ('refused' in regex) source.fail(field.value, `regex: ${regex.refused}`);
      return { regex };
    }
    const of = source.oneOrMore(field.value, kind, field.key).map((m) => this.contentMatcher(m, depth + 1));
    return kind === 'all' ? { all: of } : { any: of };
  }

  /** What a rule or the default does: exactly one of template, grants, skip. */
  private action(fields: Map<string, Field>, node: Located, what: string, skipReason: string): ActionSpec {
    const source: RulesSource = this.source;
    const given = ACTION_KEYS.filter((key) => fields.has(key));
    if (given.length !== 1) {
      source.fail(given.length === 0 ? node : fields.get(given[1]!)!.key, `${what} needs exactly one of template, grants or skip`);
    }
    const kind = given[0]!;
    const field = fields.get(kind)!;
    if (kind !== 'grants') {
      for (const key of ['expires', 'offlineDays']) {
        const extra = fields.get(key);
        if (extra !== undefined) source.fail(extra.key, `${key} goes with grants (a template carries its own validity and offline days)`);
      }
    }
    if (kind === 'template') return { template: this.text(field, 'template (a template ID or name)', 256) };
    if (kind === 'skip') {
      const value = source.scalar(field.value, 'skip', field.key);
      if (value === true) return { skip: skipReason };
      if (typeof value !== 'string') source.fail(field.value, 'skip must be true or a reason', field.key);
      return { skip: this.text(field, 'skip', 200) };
    }
    const action: { grants: Grant[]; expires?: Expiry; offlineDays?: number } = {
      grants: source.items(field.value, 'grants', field.key).flatMap((grant) => this.grants(grant)),
    };
    if (action.grants.length === 0) source.fail(field.value, 'grants must not be empty', field.key);
    const expires = fields.get('expires');
    if (expires !== undefined) action.expires = this.expiry(expires);
    const offline = fields.get('offlineDays');
    if (offline !== undefined) {
      const days = source.scalar(offline.value, 'offlineDays', offline.key);
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_OFFLINE_DAYS) {
        source.fail(offline.value, `offlineDays must be a whole number of days from 0 to ${MAX_OFFLINE_DAYS}`, offline.key);
      }
      action.offlineDays = days;
    }
    return action;
  }

  /** One grant entry: `{ to: EMAIL | [EMAIL...], rights: [...], customRights: [...] }`, one Grant per email. */
  private grants(node: Node): Grant[] {
    const source: RulesSource = this.source;
    const fields = source.fields(node, 'a grant', GRANT_KEYS);
    const to = fields.get('to');
    if (to === undefined) source.fail(node, 'a grant needs "to": an email address, a list of them, or ANYONE');
    const rights: string[] = [];
    const named = fields.get('rights');
    if (named !== undefined) {
      for (const item of source.oneOrMore(named.value, 'rights', named.key)) {
        const right = source.string(item, 'a right');
        if (!RIGHT_NAMES.includes(right.toUpperCase())) {
          source.fail(item, `unknown right "${right}" (one of ${RIGHT_NAMES.join(', ')}; an application's own right goes in customRights)`);
        }
        rights.push(right.toUpperCase());
      }
    }
    const custom = fields.get('customRights');
    if (custom !== undefined) {
      for (const item of source.oneOrMore(custom.value, 'customRights', custom.key)) {
        rights.push(this.checked(item, () => normalizeRight(source.string(item, 'a custom right')), 'a custom right is 1 to 256 characters from A-Z, a-z, 0-9, ".", "_" and "-"'));
      }
    }
    if (rights.length === 0) source.fail(node, 'a grant needs rights (or customRights)');
    return source.oneOrMore(to.value, 'to', to.key).map((item) => {
      const who = source.string(item, 'to');
      return { who: who.toUpperCase() === ANYONE ? ANYONE : this.checked(item, () => normalizeEmail(who), `"${who}" is not an email address`), rights: [...new Set(rights)] };
    });
  }

  /** `Nd` (days from the moment of the decision) or an ISO date, which must be in the future. */
  private expiry(field: Field): Expiry {
    const source: RulesSource = this.source;
    const value = source.scalar(field.value, 'expires', field.key);
    const days = typeof value === 'string' ? /^(\d{1,6})d$/i.exec(value) : null;
    if (days !== null) {
      if (Number(days[1]) === 0) source.fail(field.value, 'expires: 0d would make content nobody can open');
      return { days: Number(days[1]) };
    }
    const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
    if (!Number.isFinite(date.getTime())) source.fail(field.value, 'expires must be a number of days (30d) or an ISO date (2027-01-31, 2027-01-31T18:00:00Z)', field.key);
    if (date.getTime() <= this.nowMs) source.fail(field.value, `expires ${value} is in the past: nobody could open the content`);
    return { date };
  }

  /** A string of at most `max` characters without control characters (it is shown in reports). */
  private text(field: Field, what: string, max: number): string {
    const value = this.source.string(field.value, what, field.key);
    if (value.trim() === '' || value.length > max || CONTROL.test(value)) {
      this.source.fail(field.value, `${what} must be 1 to ${max} characters, without control characters`, field.key);
    }
    return value;
  }

  /** `check()`'s result; its INVALID_ARGUMENT becomes INVALID_RULES at `node`. */
  private checked<T>(node: Node, check: () => T, reason: string): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof RmsError && error.code === 'INVALID_ARGUMENT') this.source.fail(node, reason);
      throw error;
    }
  }
}
