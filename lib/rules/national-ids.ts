/**
 * National identification numbers the built-in detectors find, each checked with the rules its
 * issuer publishes, so that a number of the right shape that was never issued does not count.
 */
import { someCandidate } from './candidates';

/**
 * `us-ssn`: a US Social Security number written AAA-GG-SSSS or AAA GG SSSS (nine digits
 * without separators are left out: any nine-digit number would match). Never issued, so never
 * counted (SSA, "Social Security Number Randomization", 2011, and its rules before): area 000,
 * 666 and 900-999, group 00, serial 0000; and 078-05-1120 and 219-09-9999, numbers printed in
 * advertising that the SSA voided.
 */
const US_SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const VOIDED_SSNS = new Set(['078051120', '219099999']);

export function containsUsSsn(text: string): boolean {
  return someCandidate(US_SSN, text, (m) => isIssuableSsn(m[1]!, m[3]!, m[4]!));
}

export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000' && !VOIDED_SSNS.has(area + group + serial);
}

/**
 * `uk-nino`: a UK National Insurance number, two prefix letters, six digits and a suffix letter
 * A-D, with or without spaces (`AB123456C`, `AB 12 34 56 C`). HMRC's National Insurance Manual,
 * NIM39110: D, F, I, Q, U and V are never a prefix letter, O never the second one, and the
 * prefixes BG, GB, KN, NK, NT, TN and ZZ are not allocated.
 */
const UK_NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![A-Za-z0-9])/g;
const UNALLOCATED_NINO_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export function containsUkNino(text: string): boolean {
  return someCandidate(UK_NINO, text, (m) => !UNALLOCATED_NINO_PREFIXES.has(m[1]!));
}

/**
 * `fr-nir`: a French social security number (INSEE's NIR) and its key, 15 characters written
 * together or in the usual groups (`1 84 12 76 451 089 46`): sex 1 or 2, year, month (01-12, or
 * 20-42 and 50-99, the codes INSEE gives when the month of birth is unknown), department (two
 * digits, or 2A/2B for Corsica), commune, order number, and a key that must equal
 * 97 - (the first 13 digits mod 97), with 2A read as 19 and 2B as 18.
 */
const FR_NIR = /(?<![A-Za-z0-9])([12]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![A-Za-z0-9])/g;

export function containsFrNir(text: string): boolean {
  return someCandidate(FR_NIR, text, (m) => isValidNir(m[1]! + m[2]! + m[3]! + m[4]! + m[5]! + m[6]!, m[7]!));
}

/** `first13`: sex, year, month, department, commune, order; `key`: the two check digits. */
export function isValidNir(first13: string, key: string): boolean {
  const month = Number(first13.slice(3, 5));
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false;
  const digits = first13.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
  return 97 - Number(BigInt(digits) % 97n) === Number(key);
}
