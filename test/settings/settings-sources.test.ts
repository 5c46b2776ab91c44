/** Where the registry comes from: the `.reg` folders, their order, their hives, the folders' defaults. */
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import {
  InvalidRegFileError, loadClientSettings, loadRegFolders, machineRegistryFolder, serverStoreRoot, userRegistryFolder,
} from '../../lib/settings';
import { settingsFolders, SettingsFolders, V5 } from './temp-folders';

const MSIPC = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]';

describe('the .reg folders', () => {
  let folders: SettingsFolders;
  beforeEach(() => {
    folders = settingsFolders();
  });
  afterEach(() => folders.remove());

  const load = () => loadRegFolders([{ folder: folders.machine, hive: 'HKLM' }, { folder: path.join(folders.home, 'registry'), hive: 'HKCU' }]);

  it('reads the files of a folder in name order, a later file winning', () => {
    folders.machineFile('50-site.reg', V5, MSIPC, '"Trace"=dword:00000001', '"Kept"="yes"');
    folders.machineFile('10-base.reg', V5, MSIPC, '"Trace"=dword:00000000', '"Base"="yes"');
    folders.machineFile('90-local.reg', V5, MSIPC, '"Trace"=dword:00000002', '"Base"=-');
    const registry = load();
    expect(registry.getValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC', 'Trace')).toMatchObject({ origin: { file: path.join(folders.machine, '90-local.reg'), line: 3 } });
    expect(registry.getValue('HKLM', 'SOFTWARE\\Microsoft\\MSIPC', 'Trace')?.value.asDword()).toBe(2);
    expect(registry.listValues('HKLM', 'SOFTWARE\\Microsoft\\MSIPC').map((entry) => entry.name)).toEqual(['Trace', 'Kept']);
  });

  it('reads only files ending in .reg, and a missing folder as empty', () => {
    folders.machineFile('site.reg.disabled', V5, MSIPC, '"Trace"=dword:00000001');
    folders.machineFile('notes.txt', 'not a .reg file');
    expect(load().hives()).toEqual([]);
    expect(loadRegFolders([{ folder: path.join(folders.machine, 'absent'), hive: 'HKLM' }]).hives()).toEqual([]);
  });

  it('refuses an HKCU key in a machine file, with the file and line, applying nothing', () => {
    folders.machineFile('10-good.reg', V5, MSIPC, '"Trace"=dword:00000001');
    const bad = folders.machineFile('20-mixed.reg', V5, MSIPC, '"Trace"=dword:00000000', '', '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]');
    expect(load).toThrow(InvalidRegFileError);
    expect(load).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file: bad, line: 5 }));
  });

  it('refuses an HKLM key in a user file, with the file and line', () => {
    const bad = folders.userFile('mine.reg', V5, MSIPC, '"Trace"=dword:00000001');
    expect(load).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file: bad, line: 2 }));
  });

  it('fails the load on a malformed file, naming it and its line', () => {
    const bad = folders.machineFile('site.reg', V5, MSIPC, '"EnterprisePublishing"="C:\\path"');
    expect(() => loadClientSettings({ env: folders.env })).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file: bad, line: 3 }));
  });

  it('refuses a file or folder other users may write, or that another user owns: anyone could change the settings', () => {
    const file = folders.machineFile('site.reg', V5, MSIPC, '"Trace"=dword:00000001');
    chmodSync(file, 0o666);
    expect(load).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file }));
    chmodSync(file, 0o644);
    chmodSync(folders.machine, 0o777);
    expect(load).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file: folders.machine }));
    chmodSync(folders.machine, 0o755);
    expect(load().hives()).toEqual(['HKLM']);
    if (process.getuid!() === 0) {
      chownSync(file, 65534, 65534);
      expect(load).toThrow(expect.objectContaining({ code: 'INVALID_REG_FILE', file, message: expect.stringContaining('uid 65534') }));
    }
  });

  it('reads a UTF-16LE file as Registry Editor saves it', () => {
    writeFileSync(path.join(folders.machine, 'exported.reg'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${V5}\r\n\r\n${MSIPC}\r\n"Trace"=dword:00000001\r\n`, 'utf16le')]));
    expect(loadClientSettings({ env: folders.env }).traceEnabled).toBe(true);
  });

  it('finds the user folder under OPENRMS_HOME and the machine folder at OPENRMS_MACHINE_CONFIG', () => {
    folders.userFile('mine.reg', V5, '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]', '"TemplateUpdateFrequency"=dword:00000003');
    const settings = loadClientSettings({ env: folders.env });
    expect(settings.storeRoot).toBe(folders.home);
    expect(settings.userFolder).toBe(path.join(folders.home, 'registry'));
    expect(settings.machineFolder).toBe(folders.machine);
    expect(settings.templateUpdateIntervalSeconds).toBe(3 * 86400);
  });
});

describe('the default folders', () => {
  it('puts machine-wide files in /etc/openrms/registry, or %ProgramData%\\openrms\\registry on Windows', () => {
    expect(machineRegistryFolder({ env: {}, platform: 'linux' })).toBe('/etc/openrms/registry');
    expect(machineRegistryFolder({ env: {}, platform: 'darwin' })).toBe('/etc/openrms/registry');
    expect(machineRegistryFolder({ env: { ProgramData: 'D:\\Data' }, platform: 'win32' })).toBe('D:\\Data\\openrms\\registry');
    expect(machineRegistryFolder({ env: { OPENRMS_MACHINE_CONFIG: '/srv/rms/registry' }, platform: 'linux' })).toBe('/srv/rms/registry');
  });

  it('puts the user files under the store root', () => {
    expect(userRegistryFolder('/home/ann/.local/share/openrms')).toBe('/home/ann/.local/share/openrms/registry');
  });

  it('puts a service account store in the machine-wide folder of each platform', () => {
    expect(serverStoreRoot('svc-rms', { env: {}, platform: 'linux' })).toBe('/var/lib/openrms/server/svc-rms');
    expect(serverStoreRoot('svc-rms', { env: {}, platform: 'darwin' })).toBe('/Library/Application Support/openrms/Server/svc-rms');
    expect(serverStoreRoot('S-1-5-20', { env: { ProgramData: 'C:\\ProgramData' }, platform: 'win32' })).toBe('C:\\ProgramData\\openrms\\Server\\S-1-5-20');
    expect(serverStoreRoot('svc-rms', { env: { OPENRMS_SERVER_HOME: '/srv/openrms' }, platform: 'linux' })).toBe('/srv/openrms/svc-rms');
  });

  it('refuses an account name that could leave the folder', () => {
    for (const account of ['..', '.', 'a/b', 'DOMAIN\\svc', '', 'x'.repeat(129)]) {
      expect(() => serverStoreRoot(account, { env: {}, platform: 'linux' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'account' }));
    }
  });
});
