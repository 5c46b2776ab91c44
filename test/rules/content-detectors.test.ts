/**
 * The built-in detectors against the rules they follow (ISO 13616 for IBANs, the SSA's, HMRC's
 * and INSEE's rules for national numbers), and user patterns on RE2: refused when they need
 * backtracking, linear on the inputs that make a backtracking engine explode.
 */
import { CONTENT_DETECTORS, parseRules, Rules } from '../../lib/rules';
import { SeededRandom } from '../support/seeded-random';

function finds(detector: string, text: string): boolean {
  return CONTENT_DETECTORS[detector]!(text);
}

describe('iban', () => {
  it('finds IBANs from the SWIFT registry examples, printed and electronic', () => {
    for (const iban of [
      'DE89 3704 0044 0532 0130 00', 'GB29 NWBK 6016 1331 9268 19', 'FR14 2004 1010 0505 0001 3M02 606',
      'NO93 8601 1117 947', 'NL91ABNA0417164300', 'MT84MALT011000012345MTLCAST001S',
    ]) {
      expect({ iban, found: finds('iban', `Please pay into ${iban}.`) }).toEqual({ iban, found: true });
    }
  });

  it('refuses an IBAN whose MOD 97-10 check fails (one digit changed, two swapped)', () => {
    expect(finds('iban', 'DE88 3704 0044 0532 0130 00')).toBe(false);
    expect(finds('iban', 'DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(finds('iban', 'DE89 3704 0044 0532 0103 00')).toBe(false);
  });

  it("refuses an IBAN of the wrong length for its country, or of a country without IBANs", () => {
    // DE's IBAN is 22 characters: one more or one less digit
    expect(finds('iban', 'DE89 3704 0044 0532 0130 001')).toBe(false);
    expect(finds('iban', 'DE89 3704 0044 0532 0130 0')).toBe(false);
    // a US "IBAN" whose MOD 97-10 check passes: the US has no IBANs
    expect(finds('iban', 'US71 SVBK US6S 3300 9673 86')).toBe(false);
  });

  it('refuses check digits 00, 01 and 99, which MOD 97 alone would let through', () => {
    // Check digits c and c + 97 leave the same remainder: ISO 13616 issues 02..98 only, so 00, 01
    // and 99 stand for 97, 98 and 02. Find German account numbers whose check digits are those.
    const checkDigits = (bban: string) => 98 - Number(BigInt(`${bban}131400`) % 97n);
    const bbanWith = (check: number) => {
      for (let n = 0; ; n++) {
        const bban = `3704004405320${String(n).padStart(5, '0')}`;
        if (checkDigits(bban) === check) return bban;
      }
    };
    for (const [issued, alias] of [['97', '00'], ['98', '01'], ['02', '99']] as const) {
      const bban = bbanWith(Number(issued));
      expect({ issued, found: finds('iban', `DE${issued}${bban}`) }).toEqual({ issued, found: true });
      expect({ alias, found: finds('iban', `DE${alias}${bban}`) }).toEqual({ alias, found: false });
    }
  });

  it('does not take an IBAN out of a longer run of letters and digits', () => {
    expect(finds('iban', 'XDE89370400440532013000')).toBe(false);
    expect(finds('iban', 'DE89370400440532013000X')).toBe(false);
  });

  it('finds a valid IBAN right after a candidate that fails', () => {
    expect(finds('iban', 'DE00 DE89 3704 0044 0532 0130 00')).toBe(true);
  });
});

describe('us-ssn', () => {
  it('finds an issuable number written with dashes or spaces', () => {
    expect(finds('us-ssn', 'SSN 123-45-6789.')).toBe(true);
    expect(finds('us-ssn', 'SSN 772 12 3456')).toBe(true);
    // assignable since the 2011 randomization
    expect(finds('us-ssn', 'SSN 773-12-3456')).toBe(true);
  });

  it('refuses the numbers the SSA never issues: area 000, 666, 900-999; group 00; serial 0000', () => {
    for (const ssn of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) {
      expect({ ssn, found: finds('us-ssn', `SSN ${ssn}`) }).toEqual({ ssn, found: false });
    }
  });

  it('refuses the voided advertising numbers, mixed separators and unseparated digits', () => {
    expect(finds('us-ssn', '078-05-1120')).toBe(false);
    expect(finds('us-ssn', '219-09-9999')).toBe(false);
    expect(finds('us-ssn', '123-45 6789')).toBe(false);
    expect(finds('us-ssn', '123456789')).toBe(false);
    expect(finds('us-ssn', 'phone 1-123-45-6789')).toBe(false);
  });
});

describe('uk-nino', () => {
  it('finds a number with or without spaces', () => {
    expect(finds('uk-nino', 'NINO: AB123456C')).toBe(true);
    expect(finds('uk-nino', 'NINO: JG 10 37 59 A')).toBe(true);
  });

  it('refuses the letters and prefixes HMRC does not allocate (NIM39110), and a suffix past D', () => {
    for (const nino of ['DA123456A', 'AD123456A', 'QQ123456C', 'AO123456A', 'BG123456A', 'GB123456A', 'NK123456A', 'TN123456A', 'ZZ123456A', 'AB123456E']) {
      expect({ nino, found: finds('uk-nino', `NINO ${nino}`) }).toEqual({ nino, found: false });
    }
  });
});

describe('fr-nir', () => {
  it('finds a NIR whose key checks, grouped or not, Corsica included', () => {
    expect(finds('fr-nir', 'NIR : 1 84 12 76 451 089 46')).toBe(true);
    expect(finds('fr-nir', 'NIR : 184127645108946')).toBe(true);
    expect(finds('fr-nir', 'NIR : 2 90 05 2A 004 123 52')).toBe(true);
  });

  it('refuses a wrong key, sex digit or month', () => {
    expect(finds('fr-nir', '1 84 12 76 451 089 47')).toBe(false);
    expect(finds('fr-nir', '2 90 05 2B 004 123 52')).toBe(false);
    // same digits with sex 3 and month 13: key recomputed, still refused
    const key = (digits: string) => String(97 - Number(BigInt(digits) % 97n)).padStart(2, '0');
    expect(finds('fr-nir', `3841276451089${key('3841276451089')}`)).toBe(false);
    expect(finds('fr-nir', `1841376451089${key('1841376451089')}`)).toBe(false);
  });
});

describe('confidential', () => {
  it('finds markings: capitals, a line that starts with it, a classification label', () => {
    expect(finds('confidential', 'Q3 results\nSTRICTLY CONFIDENTIAL\n')).toBe(true);
    expect(finds('confidential', 'Title\n** Highly Confidential - Finance **\nbody')).toBe(true);
    expect(finds('confidential', 'Classification: Confidential')).toBe(true);
    expect(finds('confidential', 'sensitivity = "company confidential"')).toBe(true);
  });

  it('does not take a sentence that only mentions the word for a marking', () => {
    expect(finds('confidential', 'Please keep this confidential between us.')).toBe(false);
    expect(finds('confidential', 'Confidentiality agreement, section 2')).toBe(false);
  });
});

describe('user patterns on RE2', () => {
  function oneRule(pattern: string): Rules {
    return parseRules(JSON.stringify({ rules: [{ name: 'r', match: { content: { regex: pattern } }, template: 'T' }] }), 'r.json');
  }

  async function matches(rules: Rules, text: string): Promise<boolean> {
    const bytes = Buffer.from(text);
    return (await rules.decide({ path: 'f', relativePath: 'f', size: bytes.length, head: async () => bytes })).rule === 'r';
  }

  it('takes RE2 syntax with inline flags', async () => {
    expect(await matches(oneRule('(?i)\\bconfidential\\b'), 'this is Confidential.')).toBe(true);
    expect(await matches(oneRule('(?i)\\bconfidential\\b'), 'confidentiality')).toBe(false);
    expect(await matches(oneRule('(?m)^Project: \\pL+$'), 'x\nProject: Été\ny')).toBe(true);
  });

  it('completes on the inputs that make a backtracking engine run for ages', async () => {
    // (a+)+$ and (a|aa)*c take exponential time in a backtracking engine on a run of a's that ends
    // badly; .*a.*a.*a.*b polynomial time on one long line. RE2 answers at once, without a time budget.
    const run = 'a'.repeat(64 * 1024 - 1);
    expect(await matches(oneRule('(a+)+$'), `${run}!`)).toBe(false);
    expect(await matches(oneRule('(a|aa)*c'), run)).toBe(false);
    expect(await matches(oneRule('.*a.*a.*a.*b'), run)).toBe(false);
  });
});

describe('detectors on arbitrary bytes', () => {
  it('answer true or false for any text, never throw', () => {
    const random = new SeededRandom(13);
    const alphabet = 'DE89 3704-0044AB12C\n2A0123456789 CONFIDENTIAL:\u0000\uFFFD';
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: random.below(400) }, () => alphabet[random.below(alphabet.length)]).join('');
      for (const [name, detector] of Object.entries(CONTENT_DETECTORS)) {
        expect({ name, result: typeof detector(text) }).toEqual({ name, result: 'boolean' });
      }
    }
  });
});
