/** The in-memory registry and its values, as Windows keeps them. */
import { hiveNamed, Registry, RegistryValue } from '../../lib/settings';

describe('Registry', () => {
  it('matches key and value names without regard to ASCII case, keeping the case first written', () => {
    const registry = new Registry();
    registry.setValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC', 'Trace', RegistryValue.dword(1));
    registry.setValue('HKLM', 'software\\MICROSOFT\\msipc', 'TRACE', RegistryValue.dword(2));
    expect(registry.listSubkeys('HKLM', 'Software')).toEqual(['Microsoft']);
    expect(registry.listValues('HKLM', 'SOFTWARE\\Microsoft\\MSIPC').map((entry) => [entry.name, entry.value.asDword()])).toEqual([['Trace', 2]]);
    expect(registry.walk('HKLM', 'software\\microsoft').map((key) => key.keyPath)).toEqual(['SOFTWARE\\Microsoft', 'SOFTWARE\\Microsoft\\MSIPC']);
  });

  it('keeps hives apart, and the default value under the empty name', () => {
    const registry = new Registry();
    registry.setValue('HKCU', 'Software\\A', '', RegistryValue.string('default'));
    expect(registry.getValue('HKLM', 'Software\\A', '')).toBeUndefined();
    expect(registry.getValue('HKCU', 'Software\\A', '')?.value.asString()).toBe('default');
    expect(registry.hives()).toEqual(['HKCU']);
  });

  it('deletes a key with its subkeys, and says whether it existed', () => {
    const registry = new Registry();
    registry.setValue('HKCU', 'A\\B\\C', 'x', RegistryValue.string('1'));
    registry.createKey('HKCU', 'A\\D');
    expect(registry.deleteKey('HKCU', 'a\\b')).toBe(true);
    expect(registry.deleteKey('HKCU', 'A\\B')).toBe(false);
    expect(registry.hasKey('HKCU', 'A\\B\\C')).toBe(false);
    expect(registry.listSubkeys('HKCU', 'A')).toEqual(['D']);
  });

  it('enumerates subkeys in the order Registry Editor exports them', () => {
    const registry = new Registry();
    for (const name of ['b', 'A', 'c']) registry.createKey('HKCU', `K\\${name}`);
    expect(registry.walk('HKCU', 'K').map((key) => key.keyPath)).toEqual(['K', 'K\\A', 'K\\b', 'K\\c']);
  });

  it('refuses a key path with an empty segment', () => {
    expect(() => new Registry().createKey('HKCU', 'A\\\\B')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('RegistryValue', () => {
  it('stores strings as UTF-16LE with one NUL, and reads them up to the first NUL', () => {
    expect(RegistryValue.string('Aé').data).toEqual(new Uint8Array([0x41, 0, 0xe9, 0, 0, 0]));
    expect(RegistryValue.raw(1, new Uint8Array(Buffer.from('ab\0cd', 'utf16le'))).asString()).toBe('ab');
    expect(RegistryValue.multiString(['a', 'b']).data).toEqual(new Uint8Array(Buffer.from('a\0b\0\0', 'utf16le')));
  });

  it('reads numbers only from values of their type and size', () => {
    expect(RegistryValue.dword(0xffffffff).asDword()).toBe(0xffffffff);
    expect(RegistryValue.raw(4, new Uint8Array([1, 0])).asDword()).toBeUndefined();
    expect(RegistryValue.qword(2n ** 64n - 1n).asQword()).toBe(2n ** 64n - 1n);
    expect(RegistryValue.string('1').asDword()).toBeUndefined();
    expect(() => RegistryValue.dword(2 ** 32)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names the types winnt.h defines, and any other by its code', () => {
    expect([RegistryValue.raw(0, new Uint8Array()).typeName, RegistryValue.raw(11, new Uint8Array(8)).typeName, RegistryValue.raw(0x20, new Uint8Array()).typeName])
      .toEqual(['REG_NONE', 'REG_QWORD', 'REG_TYPE_32']);
  });

  it('is immutable: changing the bytes given or read changes nothing', () => {
    const bytes = new Uint8Array([1, 2]);
    const value = RegistryValue.binary(bytes);
    bytes[0] = 9;
    value.data[1] = 9;
    expect(value.data).toEqual(new Uint8Array([1, 2]));
  });
});

describe('hive names', () => {
  it('accepts the short and the long names, in any case', () => {
    expect(['HKLM', 'HKEY_LOCAL_MACHINE', 'hkey_current_user', 'HKCU', 'HKEY_USERS'].map(hiveNamed)).toEqual(['HKLM', 'HKLM', 'HKCU', 'HKCU', 'HKU']);
    expect(hiveNamed('HKEY_PERFORMANCE_DATA')).toBeUndefined();
  });
});
