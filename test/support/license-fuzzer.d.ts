/** Types of license-fuzzer.js (plain JavaScript, so that scripts/fuzz-licenses.js runs it over dist/). */
export type LicenseFuzzKind = 'splice' | 'mutate-pl' | 'content-key' | 'mutate-ul' | 'mutate-certificate';
export const KINDS: readonly LicenseFuzzKind[];

export interface LicenseFuzzStats {
  cases: number;
  /** Cases run of each kind. */
  kinds: Record<string, number>;
  /** `<kind> <outcome>` (an RmsError code, `opened` or `accepted`) to its count. */
  outcomes: Record<string, number>;
  /** PL cases that passed verifyPl and reached the binding (unwrapPlContentKey). */
  reachedBinding: number;
}

export interface LicenseFuzzer {
  /**
   * Runs case `index` of the seed (of `kind` when given, else of a kind the case draws) and
   * returns its kind; throws a FuzzViolation naming the case when the property fails.
   */
  run(index: number, kind?: LicenseFuzzKind): LicenseFuzzKind;
  readonly stats: LicenseFuzzStats;
}

export class FuzzViolation extends Error {
  details: Record<string, unknown>;
}

export function createLicenseFuzzer(lib: object, vectors: unknown, seed: number): LicenseFuzzer;
