/**
 * What a rule's `content:` asks of a file's first bytes: a built-in detector, a user pattern,
 * or all/any of several. A list in the file means any of them.
 */
import { CONTENT_DETECTORS } from './content-detectors';
import { UserRegex } from './user-regex';

export type ContentMatcher =
  | { readonly detector: string }
  | { readonly regex: UserRegex }
  | { readonly all: readonly ContentMatcher[] }
  | { readonly any: readonly ContentMatcher[] };

/**
 * Whether `text` satisfies `matcher`. `seen` keeps each detector's and pattern's answer for
 * this text, so rules that ask the same question of one file scan it once.
 */
export function contentMatches(matcher: ContentMatcher, text: string, seen: Map<string, boolean>): boolean {
  if ('all' in matcher) return matcher.all.every((m) => contentMatches(m, text, seen));
  if ('any' in matcher) return matcher.any.some((m) => contentMatches(m, text, seen));
  const key = 'detector' in matcher ? `detector ${matcher.detector}` : `regex ${matcher.regex.source}`;
  let found = seen.get(key);
  if (found === undefined) {
    found = 'detector' in matcher ? CONTENT_DETECTORS[matcher.detector]!(text) : matcher.regex.test(text);
    seen.set(key, found);
  }
  return found;
}
