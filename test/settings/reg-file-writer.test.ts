/** The writer's format, and that the parser reads back exactly what it writes (random trees). */
import {
  applyRegFile, exportOperations, formatRegFile, Hive, parseRegFile, Registry, RegistryValue, writeRegFile,
} from '../../lib/settings';
import { SeededRandom } from '../support/seeded-random';

function roundTrip(registry: Registry, hives: Hive[]): Registry {
  const bytes = writeRegFile(hives.flatMap((hive) => exportOperations(registry, hive)));
  const read = new Registry();
  applyRegFile(read, parseRegFile(bytes, 'written.reg'));
  return read;
}

/** Every key of every hive with its values as (name, type, hex bytes): what two registries must share. */
function contents(registry: Registry, hives: Hive[]): unknown[] {
  return hives.flatMap((hive) => registry.walk(hive).map(({ keyPath, values }) => [
    hive, keyPath, values.map((entry) => [entry.name, entry.value.type, Buffer.from(entry.value.data).toString('hex')]),
  ]));
}

describe('the .reg writer', () => {
  it('writes Version 5.00 as UTF-16LE with a byte order mark, CRLF and a blank line after each key, leaving out keys only their subkeys make', () => {
    const registry = new Registry();
    registry.setValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC', 'Trace', RegistryValue.dword(1));
    registry.setValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing', '', RegistryValue.string('https://rms.contoso.com/_wmcs/Licensing'));
    const bytes = writeRegFile(exportOperations(registry, 'HKLM', 'SOFTWARE\\Microsoft\\MSIPC'));
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(bytes.subarray(2).toString('utf16le')).toBe([
      'Windows Registry Editor Version 5.00', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing]', '@="https://rms.contoso.com/_wmcs/Licensing"', '', '',
    ].join('\r\n'));
  });

  it('wraps hex data so that no line passes 80 columns, continuing with two spaces', () => {
    const registry = new Registry();
    registry.setValue('HKCU', 'Software\\Contoso', 'Blob', RegistryValue.binary(new Uint8Array(200).map((_, i) => i)));
    const lines = formatRegFile(exportOperations(registry, 'HKCU', 'Software\\Contoso')).split('\r\n').filter((line) => /^("Blob"| {2})/.test(line));
    expect(lines.length).toBeGreaterThan(5);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(lines.slice(0, -1).every((line) => line.endsWith(',\\'))).toBe(true);
    expect(lines.slice(1).every((line) => /^ {2}[0-9a-f]{2},/.test(line))).toBe(true);
  });

  it('writes as hex(N): the values a quoted string or dword: cannot hold exactly', () => {
    const registry = new Registry();
    registry.setValue('HKCU', 'K', 'lines', RegistryValue.string('a\r\nb'));
    registry.setValue('HKCU', 'K', 'no-nul', RegistryValue.raw(1, new Uint8Array([0x61, 0])));
    registry.setValue('HKCU', 'K', 'short-dword', RegistryValue.raw(4, new Uint8Array([1, 2])));
    registry.setValue('HKCU', 'K', 'expand', RegistryValue.expandString('%A%'));
    expect(formatRegFile(exportOperations(registry, 'HKCU', 'K')).split('\r\n').slice(3, 7)).toEqual([
      '"lines"=hex(1):61,00,0d,00,0a,00,62,00,00,00',
      '"no-nul"=hex(1):61,00',
      '"short-dword"=hex(4):01,02',
      '"expand"=hex(2):25,00,41,00,25,00,00,00',
    ]);
  });

  it('writes deletions as [-KEY] and "name"=-', () => {
    const text = formatRegFile([
      { kind: 'deleteKey', hive: 'HKCU', keyPath: 'Software\\Old', line: 0 },
      { kind: 'deleteValue', hive: 'HKCU', keyPath: 'Software\\New', name: 'gone', line: 0 },
      { kind: 'deleteValue', hive: 'HKCU', keyPath: 'Software\\New', name: '', line: 0 },
    ]);
    expect(text.split('\r\n')).toEqual(['Windows Registry Editor Version 5.00', '', '[-HKEY_CURRENT_USER\\Software\\Old]', '',
      '[HKEY_CURRENT_USER\\Software\\New]', '"gone"=-', '@=-', '', '']);
  });

  it('refuses a name with a line break, which no .reg file can hold', () => {
    const registry = new Registry();
    registry.setValue('HKCU', 'K', 'two\nlines', RegistryValue.string('x'));
    expect(() => formatRegFile(exportOperations(registry, 'HKCU'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('writer and parser together', () => {
  // Names exercise what the format escapes or could trip on: quotes, backslashes (values only),
  // brackets, semicolons, equals signs, spaces, case, non-Latin letters.
  const NAME_CHARS = ['a', 'B', 'z', '0', ' ', '"', ';', '=', '[', ']', '@', '-', '.', 'é', 'Ж', '中', '€', '\t'];
  const VALUE_NAME_CHARS = [...NAME_CHARS, '\\'];

  function name(random: SeededRandom, chars: readonly string[]): string {
    let text = '';
    const length = 1 + random.below(8);
    for (let i = 0; i < length; i++) text += random.pick(chars);
    return text;
  }

  function text(random: SeededRandom): string {
    const chars = [...VALUE_NAME_CHARS, '\\"', 'x', '%', '\u{1F600}'];
    let result = '';
    for (let i = random.below(20); i > 0; i--) result += random.pick(chars);
    return result;
  }

  function randomValue(random: SeededRandom): RegistryValue {
    const bytes = () => new Uint8Array(random.below(120)).map(() => random.below(256));
    switch (random.below(9)) {
      case 0: return RegistryValue.string(text(random));
      case 1: return RegistryValue.expandString(text(random));
      case 2: return RegistryValue.multiString(Array.from({ length: random.below(4) }, () => `${text(random)}x`));
      case 3: return RegistryValue.dword(random.below(2 ** 32));
      case 4: return RegistryValue.qword(BigInt(random.below(2 ** 32)) * BigInt(random.below(2 ** 32)));
      case 5: return RegistryValue.binary(bytes());
      case 6: return RegistryValue.raw(0, bytes());
      case 7: return RegistryValue.raw(random.below(2 ** 32), bytes());
      default: return RegistryValue.raw(random.pick([1, 2, 4, 7, 11]), bytes());
    }
  }

  function randomRegistry(random: SeededRandom): Registry {
    const registry = new Registry();
    const paths: Record<string, string[]> = { HKLM: [''], HKCU: [''] };
    for (let i = random.below(30); i >= 0; i--) {
      const hive = random.pick(['HKLM', 'HKCU'] as const);
      const parent = random.pick(paths[hive]!);
      const key = parent === '' ? name(random, NAME_CHARS) : `${parent}\\${name(random, NAME_CHARS)}`;
      registry.createKey(hive, key);
      paths[hive]!.push(key);
      for (let j = random.below(4); j > 0; j--) {
        registry.setValue(hive, key, random.below(6) === 0 ? '' : name(random, VALUE_NAME_CHARS), randomValue(random));
      }
    }
    return registry;
  }

  it('reads back exactly what it wrote, for 300 random registries', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const registry = randomRegistry(new SeededRandom(seed));
      const hives = registry.hives();
      expect({ seed, contents: contents(roundTrip(registry, hives), hives) }).toEqual({ seed, contents: contents(registry, hives) });
    }
  });
});
