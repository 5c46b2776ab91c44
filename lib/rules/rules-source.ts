/**
 * A rules file read as a YAML 1.2 document (JSON is YAML), with the position of every node, so
 * that whatever is wrong in it is reported at its line and column. Aliases, tags and several
 * documents in one file are refused rather than half-supported: a rules file decides what gets
 * protected, and should mean what it visibly says.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';

import { InvalidRulesError } from './invalid-rules-error';

export type Located = Node | null | undefined;

const TOO_DEEP = 'collections nested too deeply to read';

/** A key of a mapping and its value node (null for `key:` with nothing after it). */
export interface Field {
  readonly key: Scalar;
  readonly value: Node | null;
}

export class RulesSource {
  private constructor(readonly file: string, private readonly lines: LineCounter, readonly root: Node | null) {}

  /** Parses `text`; a syntax error is INVALID_RULES at its position. */
  static parse(text: string, file: string): RulesSource {
    const lines = new LineCounter();
    let doc;
    try {
      doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2', strict: true });
    } catch (error) {
      // The parser recurses into nested collections: thousands of `[` overflow its stack.
      if (error instanceof RangeError) throw new InvalidRulesError(file, 1, 1, TOO_DEEP, { cause: error });
      throw error;
    }
    const source = new RulesSource(file, lines, doc.contents);
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem !== undefined) {
      // yaml reports its own stack overflow as an error where it happened
      const reason = problem.message.includes('call stack') ? TOO_DEEP : problem.message.split('\n')[0]!;
      throw source.errorAt(problem.pos[0], reason);
    }
    return source;
  }

  /** INVALID_RULES at `offset` of the text. */
  errorAt(offset: number, reason: string): InvalidRulesError {
    const { line, col } = this.lines.linePos(offset);
    return new InvalidRulesError(this.file, line, col, reason);
  }

  /** INVALID_RULES at `node`, or at `fallback` (a key whose value is missing, the enclosing mapping). */
  fail(node: Located, reason: string, fallback?: Located): never {
    const at = node?.range?.[0] ?? fallback?.range?.[0] ?? 0;
    throw this.errorAt(at, reason);
  }

  /** The fields of the mapping `node`, each key one of `allowed`. */
  fields(node: Located, what: string, allowed: readonly string[], fallback?: Located): Map<string, Field> {
    const map = this.plain(node, fallback);
    if (!isMap(map)) this.fail(map, `${what} must be a mapping of ${allowed.join(', ')}`, fallback);
    const fields = new Map<string, Field>();
    for (const pair of (map as YAMLMap).items) {
      const key = isPair(pair) ? pair.key : undefined;
      if (!isScalar(key) || typeof key.value !== 'string') this.fail(key as Located, `${what}: keys are names (${allowed.join(', ')})`, map);
      const name = key.value as string;
      if (!allowed.includes(name)) this.fail(key, `${what}: unknown key "${name}" (expected ${allowed.join(', ')})`);
      const value = pair.value as Node | null;
      fields.set(name, { key, value: value === null || (isScalar(value) && value.value === null) ? null : this.plain(value, key) });
    }
    return fields;
  }

  /** The items of the sequence `node`. */
  items(node: Located, what: string, fallback?: Located): Node[] {
    const seq = this.plain(node, fallback);
    if (!isSeq(seq)) this.fail(seq, `${what} must be a list`, fallback);
    return (seq as YAMLSeq).items.map((item) => this.plain(item as Node, seq));
  }

  /** `node` alone, or the items of `node` when it is a list: the fields that take one value or several. */
  oneOrMore(node: Located, what: string, fallback?: Located): Node[] {
    const items = isSeq(node) ? this.items(node, what, fallback) : [this.plain(node, fallback)];
    if (items.length === 0) this.fail(node, `${what} must not be an empty list`, fallback);
    return items;
  }

  /** The string scalar `node`. */
  string(node: Located, what: string, fallback?: Located): string {
    if (!isScalar(node) || typeof node.value !== 'string') this.fail(node, `${what} must be a string`, fallback);
    return (node as Scalar<string>).value;
  }

  /** A scalar's value (string, number, boolean), for fields that accept several types. */
  scalar(node: Located, what: string, fallback?: Located): string | number | boolean {
    if (!isScalar(node) || !['string', 'number', 'boolean'].includes(typeof node.value)) this.fail(node, `${what} must be a single value`, fallback);
    return (node as Scalar<string | number | boolean>).value;
  }

  /** `node`, refusing what this reader does not support. */
  private plain(node: Located, fallback: Located): Node {
    if (node === null || node === undefined) this.fail(node, 'a value is missing here', fallback);
    if (isAlias(node)) this.fail(node, 'aliases (*name) are not supported in a rules file: write the value out');
    return node as Node;
  }
}
