/**
 * Test data that no one on the project wrote (Wycheproof, the cipher-mode vectors, files made
 * by Microsoft's clients) is kept in the repository, each set with its licence and origin in
 * test/fixtures/<set>/, so the tests pass on any clone.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const TESTDATA_DIR = path.join(__dirname, '..', 'fixtures');

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}

export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export function loadWycheproof(file: string): WycheproofFile {
  return JSON.parse(readFileSync(path.join(TESTDATA_DIR, 'wycheproof', file), 'utf8')) as WycheproofFile;
}

export function hex(value: unknown): Buffer {
  return Buffer.from(value as string, 'hex');
}

/**
 * Runs `accepts` on every vector of a Wycheproof file and returns the disagreements:
 * a `valid` vector that is not accepted, an `invalid` one that is. `acceptable` vectors are
 * handed to `onAcceptable` with the outcome so each test states its own policy.
 */
export function sweep(
  data: WycheproofFile,
  accepts: (group: WycheproofGroup, test: WycheproofTest) => boolean,
  onAcceptable: (test: WycheproofTest, accepted: boolean) => void = () => undefined,
): { failures: string[]; counts: Record<string, number> } {
  const failures: string[] = [];
  const counts: Record<string, number> = { valid: 0, invalid: 0, acceptable: 0 };
  for (const group of data.testGroups) {
    for (const test of group.tests) {
      counts[test.result] = (counts[test.result] ?? 0) + 1;
      const accepted = accepts(group, test);
      if (test.result === 'valid' && !accepted) failures.push(`tcId ${test.tcId} (valid: ${test.comment}) was rejected`);
      if (test.result === 'invalid' && accepted) failures.push(`tcId ${test.tcId} (invalid: ${test.comment}) was accepted`);
      if (test.result === 'acceptable') onAcceptable(test, accepted);
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total !== data.numberOfTests) failures.push(`ran ${total} vectors, the file declares ${data.numberOfTests}`);
  return { failures, counts };
}

/** True when `fn` returns normally, false when it throws an RmsError with one of `codes`. */
export function acceptsUnless(codes: string[], fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== undefined && codes.includes(code)) return false;
    throw error;
  }
}
