/**
 * The scan every built-in detector makes: find candidates with a regular expression whose
 * matches have a bounded length (so the scan is linear in the text), and check each with the
 * identifier's own rule (a checksum, reserved ranges). A candidate that fails its check does not
 * hide a valid one starting inside it: the scan goes on from the next character.
 */
export function someCandidate(pattern: RegExp, text: string, isValid: (match: RegExpExecArray) => boolean): boolean {
  const scan = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  for (let m = scan.exec(text); m !== null; m = scan.exec(text)) {
    if (isValid(m)) return true;
    scan.lastIndex = m.index + 1;
  }
  return false;
}
