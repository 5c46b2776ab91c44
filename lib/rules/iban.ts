/**
 * The `iban` detector: an International Bank Account Number (ISO 13616-1), in its electronic
 * form (`DE89370400440532013000`) or its printed form, in groups of four separated by one space
 * (`DE89 3704 0044 0532 0130 00`). A candidate counts only if
 * - its country code is one the SWIFT IBAN Registry (the ISO 13616 registration authority) lists,
 *   and it has exactly that country's length,
 * - its check digits are 02 to 98 and the ISO 7064 MOD 97-10 check gives 1 (ISO 13616-1, 7.2:
 *   move the first four characters to the end, read A-Z as 10-35, the number mod 97 is 1),
 * - and it is not part of a longer run of letters and digits.
 */
import { someCandidate } from './candidates';

/** IBAN length per country, from the SWIFT IBAN Registry (2024 releases). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** A country code and two check digits, not preceded by a letter or digit. */
const IBAN_START = /(?<![A-Za-z0-9])([A-Z]{2})(\d{2})/g;
const ALPHANUMERIC = /[A-Za-z0-9]/;
const IBAN_CHARACTER = /[A-Z0-9]/;

/** Whether `text` holds a valid IBAN. */
export function containsIban(text: string): boolean {
  return someCandidate(IBAN_START, text, (m) => readIban(text, m.index) !== undefined);
}

/** The IBAN (electronic form) starting at `start` of `text`, if one that checks starts there. */
export function readIban(text: string, start: number): string | undefined {
  const length = IBAN_LENGTHS[text.slice(start, start + 2)];
  if (length === undefined) return undefined;
  let iban = text.slice(start, start + 4);
  let at = start + 4;
  while (iban.length < length && at < text.length) {
    const c = text[at]!;
    if (IBAN_CHARACTER.test(c)) {
      iban += c;
      at++;
    } else if (c === ' ' && iban.length % 4 === 0 && IBAN_CHARACTER.test(text[at + 1] ?? '')) {
      // the printed form: one space between groups of four
      at++;
    } else {
      break;
    }
  }
  if (iban.length !== length || ALPHANUMERIC.test(text[at] ?? '')) return undefined;
  return isValidIban(iban) ? iban : undefined;
}

/** ISO 13616-1: check digits 02-98, and MOD 97-10 over the rearranged IBAN gives 1. */
export function isValidIban(iban: string): boolean {
  const check = Number(iban.slice(2, 4));
  if (!(check >= 2 && check <= 98)) return false;
  let remainder = 0;
  for (const c of iban.slice(4) + iban.slice(0, 4)) {
    const code = c.charCodeAt(0);
    // digits count as one decimal digit, letters A-Z as the two digits 10-35
    remainder = code <= 0x39 ? (remainder * 10 + (code - 0x30)) % 97 : (remainder * 100 + (code - 55)) % 97;
  }
  return remainder === 1;
}
