/**
 * Real `.reg` files (test/fixtures/reg/README.md says where each comes from) read into the
 * registry they describe, and a Registry Editor export written back byte for byte.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { applyRegFile, exportOperations, formatRegFile, Hive, parseRegFile, Registry, RegistryValue, writeRegFile } from '../../lib/settings';
import { TESTDATA_DIR } from '../support/testdata';

const REG_DIR = path.join(TESTDATA_DIR, 'reg');

function fixture(name: string): Buffer {
  return readFileSync(path.join(REG_DIR, name));
}

function load(name: string): Registry {
  const registry = new Registry();
  applyRegFile(registry, parseRegFile(fixture(name), name));
  return registry;
}

function value(registry: Registry, hive: Hive, key: string, name: string): RegistryValue {
  const entry = registry.getValue(hive, key, name);
  if (entry === undefined) throw new Error(`no value ${hive}\\${key}\\${name}`);
  return entry.value;
}

const GADGET = 'Software\\Microsoft\\SideShow\\Gadgets\\{0F11B914-F461-4785-877C-482AB481CF7A}';

describe('real .reg files', () => {
  it('reads a Registry Editor export with wrapped hex(7) and hex(2) values', () => {
    const registry = load('windows-classic-samples/alarms.reg');
    expect(value(registry, 'HKCU', GADGET, 'OnlineOnly').asDword()).toBe(1);
    expect(value(registry, 'HKCU', GADGET, 'FriendlyName').asString()).toBe('Alarm Clock Sample');
    expect(value(registry, 'HKCU', GADGET, 'Endpoints').asStrings()).toEqual(['{A9A5353F-2D4B-47ce-93EE-759F3A7DDA4F}']);
    const icon = value(registry, 'HKCU', GADGET, 'Icon');
    expect(icon.typeName).toBe('REG_EXPAND_SZ');
    expect(icon.asString()).toBe('%ProgramFiles%\\Microsoft SDKs\\Windows\\v7.0\\Samples\\WinUI\\SideShow\\Alarms\\Alarms.ico');
    // the line each value starts on, continuation lines counted
    expect(registry.getValue('HKCU', GADGET, 'Icon')?.origin).toEqual({ file: 'windows-classic-samples/alarms.reg', line: 10 });
  });

  it('reads the UTF-16LE form of the export to the same registry as its text form', () => {
    const text = load('windows-classic-samples/alarms.reg');
    const binary = load('windows-classic-samples/alarms.utf16le.reg');
    expect(fixture('windows-classic-samples/alarms.utf16le.reg').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const entries = (registry: Registry) => registry.listValues('HKCU', GADGET).map((entry) => [entry.name, entry.value.typeName, Buffer.from(entry.value.data).toString('hex')]);
    expect(entries(binary)).toEqual(entries(text));
    expect(entries(text)).toHaveLength(4);
  });

  it('writes that registry back exactly as Registry Editor exported it', () => {
    const registry = load('windows-classic-samples/alarms.reg');
    const written = formatRegFile(exportOperations(registry, 'HKCU', GADGET));
    expect(written).toBe(fixture('windows-classic-samples/alarms.reg').toString('utf8').replace(/\n/g, '\r\n'));
    expect(writeRegFile(exportOperations(registry, 'HKCU', GADGET))).toEqual(fixture('windows-classic-samples/alarms.utf16le.reg'));
  });

  it('merges a key given several times into one', () => {
    const registry = load('windows-classic-samples/Associations.reg');
    const key = 'DeviceDisplayObject\\InterfaceClass\\{378DE44C-56EF-11D1-BC8C-00A0C91405DD}\\Shell\\ContextMenu.Sample';
    expect(registry.listValues('HKCR', key).map((entry) => [entry.name, entry.value.asString()])).toEqual([
      ['', 'Device Context Menu Sample Item'],
      ['CommandStateSync', ''],
      ['DefaultAppliesTo', ''],
      ['ExplorerCommandHandler', '{a05d3c0d-590b-49e5-92d7-053917a218b6}'],
    ]);
  });

  it('reads long hex: values over continuation lines, escapes and spaces around =', () => {
    const registry = load('windows-classic-samples/Install.reg');
    const appId = 'AppID\\{71F70024-0C44-4a05-A918-651F41EF8548}';
    const access = value(registry, 'HKCR', appId, 'AccessPermission');
    expect(access.typeName).toBe('REG_BINARY');
    expect(access.size).toBe(164);
    expect(Buffer.from(access.data).subarray(0, 4).toString('hex')).toBe('01000480');
    expect(value(registry, 'HKCR', appId, 'RunAs').asString()).toBe('nt authority\\localservice');
    expect(value(registry, 'HKCR', 'CLSID\\{8C19066A-643A-4586-92B2-A785B90D766F}\\InprocServer32', 'ThreadingModel').asString()).toBe('Free');
    expect(value(registry, 'HKLM', 'SOFTWARE\\Microsoft\\Function Discovery\\Categories\\Provider\\Sample.FDProvider', '00000000').asString())
      .toBe("<provider type='{8C19066A-643A-4586-92B2-A785B90D766F}' />");
  });

  it('reads a hand-written REGEDIT4 file with tabs and no blank line after the header', () => {
    const file = parseRegFile(fixture('windows-classic-samples/AppMem.Reg'), 'AppMem.Reg');
    expect(file.format).toBe('REGEDIT4');
    const registry = new Registry();
    applyRegFile(registry, file);
    const events = 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\AppMem';
    expect(value(registry, 'HKLM', events, 'EventMessageFile').asString()).toBe('%systemroot%\\system32\\appmem.dll');
    expect(value(registry, 'HKLM', events, 'TypesSupported').asDword()).toBe(7);
    expect(value(registry, 'HKLM', 'SYSTEM\\CurrentControlSet\\Services\\AppMem\\Performance', 'Collect').asString()).toBe('CollectAppMemPerformanceData');
  });

  it('stores the ANSI string data of a REGEDIT4 export as UTF-16LE', () => {
    const registry = load('regashii/complex-regedit4.reg');
    const key = 'Software\\regashii\\complex';
    expect(value(registry, 'HKCU', key, 'expand-sz-a').data).toEqual(new Uint8Array(Buffer.from('a\0', 'utf16le')));
    expect(value(registry, 'HKCU', key, 'expand-sz').asString()).toBe('');
    expect(value(registry, 'HKCU', key, 'multi-sz').asStrings()).toEqual([]);
    expect(value(registry, 'HKCU', key, 'multi-sz-a-b').asStrings()).toEqual(['a', 'b']);
    expect(value(registry, 'HKCU', key, 'qword-255').asQword()).toBe(255n);
    expect(value(registry, 'HKCU', key, 'dword-255').asDword()).toBe(255);
    expect(value(registry, 'HKCU', key, 'binary-a-b').data).toEqual(new Uint8Array([0x61, 0x62]));
    expect(value(registry, 'HKCU', key, 'sz-sp\\ec"ial').asString()).toBe('sp\\ec"ial');
  });

  it('keeps a REG_MULTI_SZ whether or not its final empty string was written', () => {
    const registry = load('regashii/multi-sz-separation-regedit4.reg');
    const key = 'Software\\regashii\\multi-sz-separation';
    expect(value(registry, 'HKCU', key, 'a').asStrings()).toEqual(['a']);
    expect(value(registry, 'HKCU', key, 'a-_').asStrings()).toEqual(['a']);
    expect(value(registry, 'HKCU', key, 'a-b').asStrings()).toEqual(['a', 'b']);
    expect(value(registry, 'HKCU', key, 'a-b-_').asStrings()).toEqual(['a', 'b']);
    // the bytes are kept as written (converted to UTF-16LE), even past the empty string
    expect(value(registry, 'HKCU', key, 'a-_-b').data).toEqual(new Uint8Array(Buffer.from('a\0\0b\0', 'utf16le')));
  });

  it('applies @=, "name"=- and [-KEY] in file order', () => {
    const registry = load('regashii/simple-regedit4.reg');
    const key = 'Software\\regashii\\simple';
    expect(registry.listValues('HKCU', key).map((entry) => entry.name)).toEqual(['', 'sz-a', 'dword-1', 'binary-a']);
    expect(value(registry, 'HKCU', key, '').asString()).toBe('default');
    expect(registry.hasKey('HKCU', 'Software\\regashii\\remove')).toBe(false);
  });

  it('matches keys and values without regard to case, and skips values under [-KEY]', () => {
    const registry = load('regashii/repetition-regedit5.reg');
    // deleted in its first spelling, then created again in another
    expect(registry.listSubkeys('HKCU', 'Software\\regashii')).toEqual(['repeated-kEy', 'repeated-value']);
    expect(registry.listValues('HKCU', 'Software\\regashii\\REPEATED-KEY').map((entry) => [entry.name, entry.value.asString()])).toEqual([['bar', '2'], ['baz', '3']]);
    expect(registry.listValues('HKCU', 'Software\\regashii\\repeated-value').map((entry) => [entry.name, entry.value.asString()])).toEqual([['fOo', '3']]);
  });

  it('replaces a key deleted and given again, with \\" escapes in the data', () => {
    const registry = load('conemu/Thumbnails.reg');
    const sequence = value(registry, 'HKCU', 'Software\\Far\\KeyMacros\\Shell\\CtrlShiftF1', 'Sequence').asString();
    expect(sequence).toBe('F11 $if (menu.Select("ConEmu Panel Views",2)<=0) MsgBox("ConEmu Panel Views","Plugin was not found in list!",1) $Exit $end Enter Home Enter');
    expect(registry.listSubkeys('HKCU', 'Software\\Far2\\KeyMacros\\Shell')).toEqual(['CtrlShiftF1', 'CtrlShiftF2']);
  });

  it('reads an ANSI REGEDIT4 file with CRLF, upper-case hex and commented-out values', () => {
    const bytes = fixture('conemu/Settings-ConEmu.reg');
    expect(bytes.includes(Buffer.from([0xab]))).toBe(true); // « as one Windows-1252 byte
    const registry = load('conemu/Settings-ConEmu.reg');
    const key = 'Software\\ConEmu\\.Vanilla';
    expect(value(registry, 'HKCU', key, 'ConInMode').asDword()).toBe(0xffffffff);
    expect(value(registry, 'HKCU', key, 'ExtendFontBoldIdx').data).toEqual(new Uint8Array([0x0c]));
    expect(value(registry, 'HKCU', key, 'BackGround Image').asString()).toBe('c:\\back.bmp');
    expect(registry.getValue('HKCU', key, 'bgImageColors')).toBeUndefined();
    expect(registry.listValues('HKCU', key)).toHaveLength(28) // one per line that starts with a quote;
  });
});
