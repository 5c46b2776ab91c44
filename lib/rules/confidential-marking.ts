/**
 * The `confidential` detector: a document marked confidential, as markings are written in
 * headers, footers and cover pages, rather than any sentence using the word:
 * - the word CONFIDENTIAL in capitals (`CONFIDENTIAL`, `STRICTLY CONFIDENTIAL`);
 * - a line that starts with "Confidential", after optional decoration (`*`, `#`, `-`, `[`, ...)
 *   and an optional "Strictly", "Highly", "Company" or "Business";
 * - a label naming it: `Classification: Confidential`, `Sensitivity = Highly Confidential`.
 * None of the patterns crosses a line or has two overlapping repetitions, so each runs in time
 * linear in the text.
 */
const QUALIFIER = '(?:(?:strictly|highly|company|business)[ \\t]+)?';
const MARKINGS: readonly RegExp[] = [
  /\bCONFIDENTIAL\b/,
  new RegExp(`^[ \\t*#>_=~\\-\\[(]*${QUALIFIER}confidential\\b`, 'im'),
  new RegExp(`\\b(?:classification|sensitivity|label|marking)[ \\t]*[:=][ \\t]*["']?${QUALIFIER}confidential\\b`, 'i'),
];

export function containsConfidentialMarking(text: string): boolean {
  return MARKINGS.some((marking) => marking.test(text));
}
