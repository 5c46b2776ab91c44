/**
 * Seeded mutations of the real `.reg` fixtures: whatever the bytes, parsing gives a file that
 * applies cleanly or an InvalidRegFileError naming the file and a line of it; never another
 * exception, and never a registry changed by a file that failed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { applyRegFile, InvalidRegFileError, parseRegFile, Registry } from '../../lib/settings';
import { SeededRandom } from '../support/seeded-random';
import { TESTDATA_DIR } from '../support/testdata';

const REG_DIR = path.join(TESTDATA_DIR, 'reg');
const FIXTURES = readdirSync(REG_DIR, { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.reg$/i.test(name))
  .sort()
  .map((name) => ({ name, bytes: readFileSync(path.join(REG_DIR, name)) }));

/** Pieces that mean something to the grammar, so mutations reach past the first line. */
const TOKENS = ['\\', '"', '[', ']', '[-', '=', '-', ';', '@', ',', '\r\n', '\n', 'hex(7):', 'hex:', 'dword:', 'hex(b):00,', '\\\r\n  ', 'ff', '\0', 'é'];

function mutate(bytes: Buffer, random: SeededRandom, wide: boolean): Buffer {
  const at = random.below(bytes.length + 1);
  const token = Buffer.from(random.pick(TOKENS), wide ? 'utf16le' : 'utf8');
  switch (random.below(6)) {
    case 0: return Buffer.concat([bytes.subarray(0, at), Buffer.from([random.below(256)]), bytes.subarray(at)]);
    case 1: return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + random.below(4)))]);
    case 2: return bytes.subarray(0, at);
    case 3: {
      const copy = Buffer.from(bytes);
      if (at < copy.length) copy[at] = copy[at]! ^ (1 << random.below(8));
      return copy;
    }
    default: {
      // keep a UTF-16 file aligned, so the token lands as characters
      const aligned = wide ? at - (at % 2) : at;
      return Buffer.concat([bytes.subarray(0, aligned), token, bytes.subarray(aligned)]);
    }
  }
}

function snapshot(registry: Registry): string {
  return JSON.stringify(registry.hives().map((hive) => registry.walk(hive).map(({ keyPath, values }) => [
    keyPath, values.map((entry) => [entry.name, entry.value.type, Buffer.from(entry.value.data).toString('hex')]),
  ])));
}

describe('the .reg parser under mutation', () => {
  it('has fixtures to mutate', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(FIXTURES.map((fixture) => [fixture.name, fixture] as const))('parses or refuses with file and line every mutation of %s', (_, fixture) => {
    const wide = fixture.bytes[0] === 0xff && fixture.bytes[1] === 0xfe;
    const base = new Registry();
    applyRegFile(base, parseRegFile(fixture.bytes, fixture.name));
    const before = snapshot(base);
    let refused = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const random = new SeededRandom(seed * 7919 + fixture.bytes.length);
      let bytes: Buffer = fixture.bytes;
      for (let n = 1 + random.below(3); n > 0; n--) bytes = mutate(bytes, random, wide);
      const registry = base.clone();
      try {
        applyRegFile(registry, parseRegFile(bytes, fixture.name));
      } catch (error) {
        if (!(error instanceof InvalidRegFileError)) throw new Error(`seed ${seed}: ${String(error)}`);
        const lineFeeds = bytes.filter((byte) => byte === 0x0a).length;
        expect({ seed, code: error.code, file: error.file, lineInFile: error.line >= 1 && error.line <= lineFeeds + 1 })
          .toEqual({ seed, code: 'INVALID_REG_FILE', file: fixture.name, lineInFile: true });
        expect(snapshot(registry)).toBe(before);
        refused++;
      }
    }
    // the mutations reach the grammar: many files are refused, not all
    expect(refused).toBeGreaterThan(20);
    expect(refused).toBeLessThan(400);
  });
});
