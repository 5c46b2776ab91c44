/**
 * The XrML reader on the Microsoft-made licenses, mutated many times by a seeded generator:
 * every outcome is either an INVALID_FORMAT RmsError or fields the mutated license really
 * states. The oracles below read the raw text with regular expressions, independently of the
 * reader, and skip what they cannot judge (a value written through an entity or CDATA).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { parsePfile, readXrmlLicense, RmsError, XrmlLicenseInfo } from '../../lib';
import { SeededRandom } from '../support/seeded-random';
import { TESTDATA_DIR } from '../support/testdata';

const FILES = ['CleanAlice.txt.pfile', 'android_template_01.ptxt', 'rmsSharingAliceTest.ptxt'];
const MUTATIONS_PER_FILE = 600;

/** Values a hostile or broken license might hold where a time, an ID, an address or a type is expected. */
const ODD_VALUES = [
  '', ' ', '12', '1 2', '2017', '2017-02-30T19:21', '2017-01-12T24:00', '2017-13-01T00:00', '2017-01-12T19:21+15:00',
  '+275760-09-13T00:00:00', '99999-01-01T00:00', '1e300', 'NaN', 'Jan 12 2017', '2017-01-12T19:21:60',
  'URL', 'url', 'Url', 'email', 'email_alias', 'MS-GUID', 'ms-guid', 'Windows', 'License-Acquisition-URL',
  'invalid', '{1c5e0307-e03d-4de3-af21-81bcf961e73c', '1C5E0307-E03D-4DE3-AF21-81BCF961E73C', 'someone@x',
  'mailto:a@b', 'ftp://x/', 'https://', 'licensing', 'https://ok.example/_wmcs', '&boom;', '&#0;', '<', '>', '"',
];
const ALPHABET = 'aZ09-:T.+{}/@ <>&"';

/** The first document (the license; certificates may follow), or all of a truncated one. */
function firstDocument(text: string): string {
  const end = text.indexOf('</XrML>');
  return end < 0 ? text : text.slice(0, end);
}

/** Where values live in the first document: element text and `type` attributes. */
function valueSpans(text: string): Array<[number, number]> {
  const first = firstDocument(text);
  const spans: Array<[number, number]> = [];
  for (const m of first.matchAll(/<(?:ISSUEDTIME|FROM|UNTIL|ID|ADDRESS|NAME)\b[^>]*>([^<]{0,200})</g)) {
    const start = m.index! + m[0].length - 1 - m[1]!.length;
    spans.push([start, start + m[1]!.length]);
  }
  for (const m of first.matchAll(/type="([^"]*)"/g)) spans.push([m.index! + 6, m.index! + 6 + m[1]!.length]);
  return spans;
}

function mutate(text: string, random: SeededRandom): string {
  let result = text;
  for (let n = 1 + random.below(3); n > 0; n--) {
    const spans = valueSpans(result);
    if (spans.length === 0) break;
    const [start, end] = random.pick(spans);
    const kind = random.below(10);
    if (kind < 5) {
      result = result.slice(0, start) + random.pick(ODD_VALUES) + result.slice(end);
    } else if (kind < 9) {
      const at = start + random.below(end - start + 1);
      result = result.slice(0, at) + random.pick([...ALPHABET]) + result.slice(at + random.below(2));
    } else {
      result = result.slice(0, start + random.below(end - start + 1));
    }
  }
  return result;
}

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/;
const PLAIN_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z?$/;

/** What the reader reported that the mutated license does not say. */
function untruths(text: string, info: XrmlLicenseInfo): string[] {
  const first = firstDocument(text);
  const found: string[] = [];
  const times: Array<[string, Date | null]> = [['ISSUEDTIME', info.issuedTime], ['UNTIL', info.validUntil]];
  for (const [element, date] of times) {
    const raw = new RegExp(`<${element}>([^<&]*)</${element}>`).exec(first)?.[1]?.trim();
    if (date === null || raw === undefined || /[+-]\d\d:?\d\d$/.test(raw)) continue;
    const written = PLAIN_TIME.exec(raw)?.[1];
    if (written !== date.toISOString().slice(0, 16)) found.push(`${element} "${raw}" reported as ${date.toISOString()}`);
  }
  const urlTyped = [...first.matchAll(/<ADDRESS type="([^"]*)">([^<&]*)<\/ADDRESS>/g)]
    .filter((m) => m[1]!.toLowerCase() === 'url').map((m) => m[2]!.trim());
  const urls = { 'issuer URL': info.issuer.url, 'intranet URL': info.licensingUrls.intranet, 'extranet URL': info.licensingUrls.extranet };
  for (const [name, url] of Object.entries(urls)) {
    if (url === null) continue;
    if (!urlTyped.includes(url)) found.push(`${name} "${url}" is no address of type URL`);
    if (!/^https?:$/.test(URL.canParse(url) ? new URL(url).protocol : '')) found.push(`${name} "${url}" is not an http(s) URL`);
  }
  if (info.referralUrl !== null && !urlTyped.includes(info.referralUrl)) found.push(`referral "${info.referralUrl}" is no address of type URL`);
  const id = /<WORK><OBJECT><ID type="([^"]*)">([^<&]*)<\/ID>/.exec(first);
  if (info.contentId !== null && id?.[1]!.toLowerCase() === 'ms-guid' && !GUID.test(info.contentId)) {
    found.push(`MS-GUID content ID "${id[2]}" reported as "${info.contentId}"`);
  }
  return found;
}

describe('mutated Microsoft XrML licenses', () => {
  it.each(FILES)('%s: every mutation is read truthfully or refused with INVALID_FORMAT', (file) => {
    const original = parsePfile(readFileSync(path.join(TESTDATA_DIR, 'msft-pfile', file))).license.text;
    const random = new SeededRandom(FILES.indexOf(file) + 1);
    const problems: string[] = [];
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
      const text = mutate(original, random);
      try {
        const info = readXrmlLicense(text);
        outcomes.read++;
        problems.push(...untruths(text, info).map((p) => `mutation ${i}: ${p}`));
      } catch (error) {
        outcomes.refused++;
        if (!(error instanceof RmsError) || error.code !== 'INVALID_FORMAT') problems.push(`mutation ${i}: threw ${String(error)}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Both outcomes happen often, so both checks above were exercised.
    expect(outcomes.read).toBeGreaterThan(MUTATIONS_PER_FILE / 10);
    expect(outcomes.refused).toBeGreaterThan(MUTATIONS_PER_FILE / 10);
  });
});
