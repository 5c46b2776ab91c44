/** The `.reg` grammar, edge by edge: encodings, line ends, data types, escapes, deletions, errors. */
import { applyRegFile, InvalidRegFileError, parseRegFile, Registry, RegistryValue } from '../../lib/settings';

const V5 = 'Windows Registry Editor Version 5.00';
const KEY = 'HKEY_CURRENT_USER\\Software\\Contoso';

function registryOf(input: string | Uint8Array, file = 'test.reg'): Registry {
  const registry = new Registry();
  applyRegFile(registry, parseRegFile(input, file));
  return registry;
}

function valueOf(input: string | Uint8Array, name: string, key = 'Software\\Contoso'): RegistryValue | undefined {
  return registryOf(input).getValue('HKCU', key, name)?.value;
}

function file(...lines: string[]): string {
  return [V5, '', `[${KEY}]`, ...lines, ''].join('\r\n');
}

/** The INVALID_REG_FILE error parsing `input` throws. */
function failure(input: string | Uint8Array, name = 'bad.reg'): InvalidRegFileError {
  try {
    parseRegFile(input, name);
  } catch (error) {
    if (error instanceof InvalidRegFileError) return error;
    throw error;
  }
  throw new Error('the file parsed');
}

describe('parseRegFile: encodings and line ends', () => {
  const text = file('"City"="Zürich €"');

  it('reads UTF-16LE with a byte order mark, and without one', () => {
    expect(valueOf(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'City')?.asString()).toBe('Zürich €');
    expect(valueOf(Buffer.from(text, 'utf16le'), 'City')?.asString()).toBe('Zürich €');
  });

  it('reads UTF-8 with a byte order mark, and without one', () => {
    expect(valueOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'City')?.asString()).toBe('Zürich €');
    expect(valueOf(Buffer.from(text, 'utf8'), 'City')?.asString()).toBe('Zürich €');
  });

  it('reads a REGEDIT4 file as Windows-1252 (ANSI), where 0x80 is the euro sign', () => {
    const ansi = Buffer.from(`REGEDIT4\r\n\r\n[${KEY}]\r\n"City"="Z\u00fcrich \u0080"\r\n`, 'latin1');
    expect(valueOf(ansi, 'City')?.asString()).toBe('Zürich €');
  });

  it('reads LF and CRLF line ends alike', () => {
    expect(valueOf(text.replace(/\r\n/g, '\n'), 'City')?.asString()).toBe('Zürich €');
  });

  it('names the line of a byte that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(`${V5}\n\n[${KEY}]\n"a"="`), Buffer.from([0xff]), Buffer.from('"\n')]);
    expect(failure(bytes)).toMatchObject({ code: 'INVALID_REG_FILE', file: 'bad.reg', line: 4 });
  });

  it('refuses UTF-16 big-endian and a file without the header', () => {
    expect(failure(Buffer.from([0xfe, 0xff, 0, 0x57])).line).toBe(1);
    expect(failure('[HKEY_CURRENT_USER\\Software]\r\n"a"="b"\r\n').line).toBe(1);
    expect(failure('Windows Registry Editor Version 4.00\r\n').line).toBe(1);
  });
});

describe('parseRegFile: values', () => {
  it('reads @= as the default value, the same value as an empty name', () => {
    const registry = registryOf(file('@="first"', '""="second"'));
    expect(registry.listValues('HKCU', 'Software\\Contoso').map((entry) => [entry.name, entry.value.asString()])).toEqual([['', 'second']]);
  });

  it('reads dword: with 1 to 8 hex digits in either case, and refuses more', () => {
    expect(valueOf(file('"a"=dword:7'), 'a')?.asDword()).toBe(7);
    expect(valueOf(file('"a"=dword:FFFFFFFF'), 'a')?.asDword()).toBe(0xffffffff);
    expect(failure(file('"a"=dword:100000000')).line).toBe(4);
    expect(failure(file('"a"=dword:seven')).line).toBe(4);
  });

  it('reads hex(b): and qword: as REG_QWORD, little-endian', () => {
    expect(valueOf(file('"a"=hex(b):00,e4,0b,54,02,00,00,00'), 'a')?.asQword()).toBe(10000000000n);
    expect(valueOf(file('"a"=qword:00000002540be400'), 'a')?.asQword()).toBe(10000000000n);
  });

  it('keeps the type and bytes of any hex(N):, including none', () => {
    const odd = valueOf(file('"a"=hex(ffff0001):01,2'), 'a');
    expect([odd?.type, odd?.typeName, odd?.data]).toEqual([0xffff0001, 'REG_TYPE_4294901761', new Uint8Array([1, 2])]);
    const none = valueOf(file('"a"=hex(0):'), 'a');
    expect([none?.typeName, none?.size]).toEqual(['REG_NONE', 0]);
    expect(valueOf(file('"a"=hex(4):2a,00,00,00'), 'a')?.asDword()).toBe(42);
    expect(valueOf(file('"a"=hex(1):61,00,0a,00,62,00,00,00'), 'a')?.asString()).toBe('a\nb');
  });

  it('reads hex continued over lines, with leading spaces or tabs, a comment and a final comma', () => {
    const value = valueOf(file('"a"=hex:01,02,\\', '  03,04,\\ ; the second line', '\t05,'), 'a');
    expect(value?.data).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
  });

  it('reads hex(2): and hex(7): of a Version 5.00 file as UTF-16LE', () => {
    expect(valueOf(file('"a"=hex(2):25,00,41,00,25,00,00,00'), 'a')?.asString()).toBe('%A%');
    expect(valueOf(file('"a"=hex(7):61,00,00,00,62,00,00,00,00,00'), 'a')?.asStrings()).toEqual(['a', 'b']);
  });

  it('unescapes \\\\ and \\" in names and data, and allows spaces around =', () => {
    const registry = registryOf(file('"C:\\\\Temp \\"x\\"" = "say \\"hi\\" to C:\\\\"'));
    expect(registry.listValues('HKCU', 'Software\\Contoso').map((entry) => [entry.name, entry.value.asString()])).toEqual([['C:\\Temp "x"', 'say "hi" to C:\\']]);
  });

  it('allows a comment after a value and after a key', () => {
    const registry = registryOf([V5, `[${KEY}] ; the key`, '"a"="b;c" ; not part of the data', '"n"=dword:1 ;one'].join('\n'));
    expect(registry.getValue('HKCU', 'Software\\Contoso', 'a')?.value.asString()).toBe('b;c');
    expect(registry.getValue('HKCU', 'Software\\Contoso', 'n')?.value.asDword()).toBe(1);
  });

  it('keeps the line each value starts on', () => {
    const registry = registryOf(file('"a"=hex:01,\\', '  02', '"b"="c"'), 'site.reg');
    expect(registry.getValue('HKCU', 'Software\\Contoso', 'a')?.origin).toEqual({ file: 'site.reg', line: 4 });
    expect(registry.getValue('HKCU', 'Software\\Contoso', 'b')?.origin).toEqual({ file: 'site.reg', line: 6 });
  });
});

describe('parseRegFile: keys and deletions', () => {
  it('accepts the short hive names, a trailing backslash, and a "]" inside a key name', () => {
    const registry = registryOf([V5, '[HKLM\\SOFTWARE\\Microsoft\\MSIPC\\]', '"Trace"=dword:1', '[HKCU\\a]b]', '"x"="y"'].join('\n'));
    expect(registry.getValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC', 'Trace')?.value.asDword()).toBe(1);
    expect(registry.listSubkeys('HKCU', '')).toEqual(['a]b']);
  });

  it('creates a key given without values', () => {
    expect(registryOf(file()).hasKey('HKCU', 'Software\\Contoso')).toBe(true);
  });

  it('deletes a value with "name"=- and the default with @=-', () => {
    const registry = registryOf(file('@="d"', '"a"="b"', '"c"="d"', '"A"=-', '@=-'));
    expect(registry.listValues('HKCU', 'Software\\Contoso').map((entry) => entry.name)).toEqual(['c']);
  });

  it('deletes a key with its subkeys, and skips values under the [-KEY] line', () => {
    const registry = registryOf([V5, `[${KEY}\\Old\\Deep]`, '"a"="b"', `[${KEY}\\Keep]`, `[-${KEY}\\old]`, '"ignored"="x"'].join('\n'));
    expect(registry.listSubkeys('HKCU', 'Software\\Contoso')).toEqual(['Keep']);
    expect(registry.getValue('HKCU', 'Software\\Contoso\\Old', 'ignored')).toBeUndefined();
  });

  it('refuses to delete a hive, an unknown hive and an empty key name', () => {
    expect(failure([V5, '[-HKEY_CURRENT_USER]'].join('\n')).line).toBe(2);
    expect(failure([V5, '', '[HKEY_PERFORMANCE_DATA\\x]'].join('\n')).line).toBe(3);
    expect(failure([V5, '[HKEY_CURRENT_USER\\a\\\\b]'].join('\n')).line).toBe(2);
  });
});

describe('parseRegFile: malformed lines', () => {
  const cases: [string, string[], number][] = [
    ['a value before any key', [V5, '"a"="b"'], 2],
    ['a single backslash in a string (a Windows path written as is)', [V5, `[${KEY}]`, '"Path"="C:\\Program Files"'], 3],
    ['a string not closed on its line', [V5, `[${KEY}]`, '"a"="b'], 3],
    ['a name without =', [V5, `[${KEY}]`, '"a" "b"'], 3],
    ['unknown data', [V5, `[${KEY}]`, '"a"=string:b'], 3],
    ['text after a string', [V5, `[${KEY}]`, '"a"="b" c'], 3],
    ['a bad hex byte on a continuation line', [V5, `[${KEY}]`, '"a"=hex:01,\\', '  02,zz'], 4],
    ['an empty hex byte', [V5, `[${KEY}]`, '"a"=hex:01,,02'], 3],
    ['a continuation past the end of the file', [V5, `[${KEY}]`, '"a"=hex:01,\\'], 3],
    ['a key line without "]"', [V5, `[${KEY}`], 2],
    ['a line that is nothing', [V5, `[${KEY}]`, 'Trace=1'], 3],
  ];
  it.each(cases)('refuses %s, naming the file and the line', (_, lines, line) => {
    const error = failure(lines.join('\r\n'), 'C:\\admin\\site.reg');
    expect(error).toBeInstanceOf(InvalidRegFileError);
    expect([error.code, error.file, error.line]).toEqual(['INVALID_REG_FILE', 'C:\\admin\\site.reg', line]);
    expect(error.message).toContain(`line ${line}`);
  });

  it('leaves the registry untouched when any line of the file is malformed', () => {
    const registry = registryOf(file('"a"="before"'));
    const bad = file('"a"="changed"', '"b"="new"', '"c"=dword:nope');
    expect(() => applyRegFile(registry, parseRegFile(bad, 'bad.reg'))).toThrow(InvalidRegFileError);
    expect(registry.listValues('HKCU', 'Software\\Contoso').map((entry) => entry.value.asString())).toEqual(['before']);
  });
});
