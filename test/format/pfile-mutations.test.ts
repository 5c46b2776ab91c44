/**
 * The PFILE reader on the Microsoft-made files, their headers mutated many times by a seeded
 * generator: every outcome is either an RmsError with a container code or a container whose
 * numbers are possible (regions inside the file, an original size a number holds exactly), and
 * the file reader and `openrms inspect` agree with the in-memory parser.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { isXrml, parsePfile, PfileInfo, readPfileInfo, readXrmlLicense, RmsError } from '../../lib';
import { inspectFile } from '../../lib/cli/inspect';
import { SeededRandom } from '../support/seeded-random';
import { TESTDATA_DIR } from '../support/testdata';

const FILES = ['CleanAlice.txt.pfile', 'android_template_01.ptxt', 'rmsSharingAliceTest.ptxt'];
const MUTATIONS_PER_FILE = 1500;
/** One mutation in this many is also written to disk and read by readPfileInfo and inspect. */
const ON_DISK_EVERY = 25;
const CONTAINER_CODES = ['INVALID_FORMAT', 'UNSUPPORTED_VERSION', 'FILE_IS_NOT_ENCRYPTED'];

/** Offsets of the header's integers (layout in docs/format.md). */
function headerFields(file: Buffer): { u32: number[]; originalSize: number | null } {
  const table = 18 + file.readUInt32LE(14);
  const v20 = file.readUInt32LE(6) === 2 && file.readUInt32LE(10) === 0;
  const tableFields = v20 ? [0, 4, 8, 12, 16, 20] : [0, 4, 8, 12, 16, 20, 32, 36];
  return { u32: [6, 10, 14, ...tableFields.map((f) => table + f)], originalSize: v20 ? null : table + 24 };
}

function mutate(original: Buffer, random: SeededRandom): Buffer {
  const file = Buffer.from(original);
  const fields = headerFields(original);
  for (let n = 1 + random.below(3); n > 0; n--) {
    const kind = random.below(10);
    if (kind < 5) {
      const at = random.pick(fields.u32);
      const old = file.readUInt32LE(at);
      const value = random.pick([0, 1, 0xffffffff, 0x7fffffff, 0x80000000, file.length, file.length - 1, file.length + 1,
        old + 1, old - 1, (old ^ (1 << random.below(32))) >>> 0, random.below(file.length)]);
      file.writeUInt32LE(value >>> 0, at);
    } else if (kind < 7 && fields.originalSize !== null) {
      const content = BigInt(file.length - original.readUInt32LE(fields.u32[8]!));
      file.writeBigUInt64LE(random.pick([content - 1n, content, content + 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 2n,
        BigInt(random.below(2 ** 31))]), fields.originalSize);
    } else if (kind < 9) {
      file[random.below(Math.min(file.length, 600))] = random.below(256);
    } else {
      return file.subarray(0, random.below(file.length));
    }
  }
  return file;
}

/** What a parsed container claims that cannot be. */
function impossibilities(file: Buffer, info: PfileInfo): string[] {
  const found: string[] = [];
  if (info.content.offset + info.content.length !== file.length) found.push(`content ${JSON.stringify(info.content)} in ${file.length} bytes`);
  if (info.license.bytes.length === 0) found.push('an empty license');
  // The size is checked against the content only once it authenticates (docs/format.md).
  if (info.originalSize !== null && !Number.isSafeInteger(info.originalSize)) found.push(`original size ${info.originalSize}`);
  return found;
}

type Outcome = { code: string } | { info: PfileInfo };

function outcomeOf(read: () => PfileInfo): Outcome {
  try {
    return { info: read() };
  } catch (error) {
    if (error instanceof RmsError) return { code: error.code };
    throw error;
  }
}

describe('mutated Microsoft PFILE headers', () => {
  it.each(FILES)('%s: every mutation is refused with a container code or read as a possible container', async (name) => {
    const original = readFileSync(path.join(TESTDATA_DIR, 'msft-pfile', name));
    const random = new SeededRandom(FILES.indexOf(name) + 101);
    const dir = mkdtempSync(path.join(tmpdir(), 'openrms-pfile-mutations-'));
    const problems: string[] = [];
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
      const file = mutate(original, random);
      let outcome: Outcome;
      try {
        outcome = outcomeOf(() => parsePfile(file));
      } catch (error) {
        problems.push(`mutation ${i}: parsePfile threw ${String(error)}`);
        continue;
      }
      if ('code' in outcome) {
        outcomes.refused++;
        if (!CONTAINER_CODES.includes(outcome.code)) problems.push(`mutation ${i}: code ${outcome.code}`);
      } else {
        outcomes.read++;
        problems.push(...impossibilities(file, outcome.info).map((p) => `mutation ${i}: ${p}`));
        const text = outcome.info.license.text;
        if (isXrml(text)) {
          try {
            readXrmlLicense(text);
          } catch (error) {
            if (!(error instanceof RmsError && error.code === 'INVALID_FORMAT')) problems.push(`mutation ${i}: readXrmlLicense threw ${String(error)}`);
          }
        }
      }
      if (i % ON_DISK_EVERY === 0) {
        const onDisk = path.join(dir, `${i}.pfile`);
        writeFileSync(onDisk, file);
        const fromDisk = await readPfileInfo(onDisk).then((info) => ({ info }), (error: unknown) => ({ code: (error as RmsError).code }));
        const same = 'code' in outcome ? 'code' in fromDisk && fromDisk.code === outcome.code : 'info' in fromDisk;
        if (!same) problems.push(`mutation ${i}: readPfileInfo gave ${JSON.stringify(fromDisk).slice(0, 80)}`);
        await inspectFile(onDisk).catch((error: unknown) => {
          if (!(error instanceof RmsError)) problems.push(`mutation ${i}: inspect threw ${String(error)}`);
        });
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Both outcomes happen often, so both checks above were exercised.
    expect(outcomes.read).toBeGreaterThan(MUTATIONS_PER_FILE / 20);
    expect(outcomes.refused).toBeGreaterThan(MUTATIONS_PER_FILE / 2);
  });
});
