/**
 * Classification rules, loaded: which template or grants each file gets (the File
 * Classification Infrastructure's job for RMS on Windows servers). Rules are tried in order and
 * the first whose every condition holds decides; when none does, the default does. A file's
 * first bytes are read only when a content condition is reached, so rules on paths and sizes
 * alone never open a file.
 */
import * as path from 'node:path';

import { Grant } from '../license/publishing-license';
import { ContentMatcher, contentMatches } from './content-matcher';
import { headText } from './head-text';

/** A file as the rules see it. */
export interface RuleSubject {
  /** The file's path as the caller opens it. */
  path: string;
  /** Its path relative to the root being walked: what `path` globs match (`/` or the platform's separator between folders). */
  relativePath: string;
  /** Its size in bytes. */
  size: number;
  /**
   * At least the first `length` bytes of the file, or all of it when it is shorter (more are
   * ignored). Called at most once per decision, and only when a rule with a content condition
   * is reached.
   */
  head: (length: number) => Promise<Uint8Array>;
}

/** Protect with a template, by ID or name (resolved when the license is made). */
export interface TemplateAction {
  template: string;
}

/** Protect with these grants (the protecting user is made owner, as `--grant` does). */
export interface GrantsAction {
  grants: Grant[];
  /** After this nobody opens the content. */
  expires?: Date;
  /** Days a use license may be used without going online again. */
  offlineDays?: number;
}

/** Leave the file as it is, for `skip`'s reason. */
export interface SkipAction {
  skip: string;
}

export type RuleAction = TemplateAction | GrantsAction | SkipAction;

export interface Decision {
  /** The rule that matched, or null when the default decided. */
  rule: string | null;
  action: RuleAction;
}

export interface PathGlob {
  readonly glob: string;
  test(relativePath: string): boolean;
}

/** `expires:` as written: a number of days from the moment of the decision, or a date. */
export type Expiry = { readonly days: number } | { readonly date: Date };

export type ActionSpec =
  | TemplateAction
  | { grants: Grant[]; expires?: Expiry; offlineDays?: number }
  | SkipAction;

export interface RuleConditions {
  /** Any of these globs; none means any path. */
  paths: readonly PathGlob[];
  /** Inclusive bounds in bytes. */
  minSize?: number;
  maxSize?: number;
  content?: ContentMatcher;
}

export interface Rule {
  readonly name: string;
  readonly match: RuleConditions;
  readonly action: ActionSpec;
}

const DAY_MS = 24 * 3600 * 1000;

export class Rules {
  /**
   * @param file where the rules came from, for messages.
   * @param contentWindow how many first bytes of a file content conditions look at.
   * @param now the clock `expires: Nd` counts from.
   */
  constructor(
    readonly file: string,
    readonly rules: readonly Rule[],
    readonly defaultAction: ActionSpec,
    readonly contentWindow: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The first rule that matches `subject` and what it does, or the default's. */
  async decide(subject: RuleSubject): Promise<Decision> {
    const relative = path.sep === '\\' ? subject.relativePath.split('\\').join('/') : subject.relativePath;
    let text: string | undefined;
    const seen = new Map<string, boolean>();
    for (const rule of this.rules) {
      const { paths, minSize, maxSize, content } = rule.match;
      if (paths.length > 0 && !paths.some((glob) => glob.test(relative))) continue;
      if ((minSize !== undefined && subject.size < minSize) || (maxSize !== undefined && subject.size > maxSize)) continue;
      if (content !== undefined) {
        text ??= headText((await subject.head(this.contentWindow)).subarray(0, this.contentWindow));
        if (!contentMatches(content, text, seen)) continue;
      }
      return { rule: rule.name, action: this.actionOf(rule.action) };
    }
    return { rule: null, action: this.actionOf(this.defaultAction) };
  }

  private actionOf(spec: ActionSpec): RuleAction {
    if (!('grants' in spec)) return { ...spec };
    const action: GrantsAction = { grants: spec.grants.map((g) => ({ who: g.who, rights: [...g.rights] })) };
    if (spec.expires !== undefined) {
      action.expires = 'days' in spec.expires ? new Date(this.now() + spec.expires.days * DAY_MS) : new Date(spec.expires.date);
    }
    if (spec.offlineDays !== undefined) action.offlineDays = spec.offlineDays;
    return action;
  }
}
