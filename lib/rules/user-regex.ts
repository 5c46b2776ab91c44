/**
 * Regular expressions written in a rules file run on RE2 (re2js, a pure JavaScript port), not on
 * the JavaScript engine: RE2 matches in time linear in the text for every pattern it accepts, so
 * no pattern, however written, backtracks catastrophically over a file's bytes. It refuses the
 * features that need backtracking (backreferences, lookaround), which a rules file then reports
 * as INVALID_RULES. The other choices were worse: a JavaScript RegExp cannot be interrupted, so
 * a time budget needs a worker or a vm context per file; and "safe pattern" heuristics (star
 * height) miss polynomial cases such as `.*a.*a.*a` over a long line.
 *
 * Syntax: RE2's (https://github.com/google/re2/wiki/Syntax), with inline flags: `(?i)` for case
 * insensitivity, `(?s)` for `.` to match newlines, `(?m)` for `^` and `$` at line ends.
 */
import { RE2JS } from 're2js';

/** Longer patterns are refused: a rules file names markings and identifiers, not programs. */
export const MAX_PATTERN_LENGTH = 1000;
/** RE2's measure of a compiled pattern's cost; matching takes at most text length x this. */
export const MAX_PROGRAM_SIZE = 5000;

export interface UserRegex {
  readonly source: string;
  test(text: string): boolean;
}

/** The compiled pattern, or the reason it is refused. */
export function compileUserRegex(source: string): UserRegex | { refused: string } {
  if (source === '') return { refused: 'an empty pattern matches every file: remove the rule\'s content condition instead' };
  if (source.length > MAX_PATTERN_LENGTH) return { refused: `a pattern of at most ${MAX_PATTERN_LENGTH} characters` };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    const detail = (error as { getDescription?: () => string }).getDescription?.() ?? (error instanceof Error ? error.message : String(error));
    return { refused: `not a regular expression RE2 accepts (${detail}); backreferences and lookaround are not supported` };
  }
  if (compiled.programSize() > MAX_PROGRAM_SIZE) return { refused: `a pattern too large to match quickly (RE2 program size ${compiled.programSize()}, at most ${MAX_PROGRAM_SIZE})` };
  return { source, test: (text) => compiled.test(text) };
}
