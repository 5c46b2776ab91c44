/** What `openrms config` writes, called in process: the 32-bit view, re-imports, links, names. */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { importRegFile, loadClientSettings, parseRegFile, setSetting, settingsPlace, unsetSetting } from '../../lib/settings';
import { settingsFolders, SettingsFolders, V5 } from './temp-folders';

let folders: SettingsFolders;
beforeEach(() => {
  folders = settingsFolders();
});
afterEach(() => folders.remove());

function place(arch = 'x64') {
  return settingsPlace({ env: folders.env, arch });
}

function adminFile(name: string, ...lines: string[]): string {
  const file = path.join(folders.home, '..', name);
  writeFileSync(file, `${[V5, '', ...lines].join('\r\n')}\r\n`);
  return file;
}

describe('setSetting and unsetSetting', () => {
  it('write the 32-bit key from a 32-bit process, which reads it back', async () => {
    const result = await setSetting(place('ia32'), 'Trace', '1');
    expect(result.key).toBe('SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC');
    expect(loadClientSettings({ env: folders.env, arch: 'ia32' }).traceEnabled).toBe(true);
    expect(loadClientSettings({ env: folders.env, arch: 'x64' }).traceEnabled).toBe(false);
  });

  it('keep the other values of openrms.reg, and drop the keys a removal empties', async () => {
    await setSetting(place(), 'FileProtection\\txt', 'Off');
    await setSetting(place(), 'FileProtection\\pdf', 'pfile');
    await unsetSetting(place(), 'FileProtection\\txt');
    const file = parseRegFile(readFileSync(path.join(folders.machine, 'openrms.reg')), 'openrms.reg');
    expect(file.operations.map((operation) => `${operation.kind} ${operation.keyPath}`)).toEqual([
      'key SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\pdf', 'value SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\pdf',
    ]);
    expect(loadClientSettings({ env: folders.env }).fileProtections).toEqual([{ extension: 'pdf', mode: 'Pfile' }]);
  });

  it('need the entry of a list setting', async () => {
    await expect(setSetting(place(), 'TrustedServers', 'adrms.contoso.com')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'NAME' });
    await setSetting(place(), 'TrustedServers\\adrms.contoso.com', undefined);
    expect(loadClientSettings({ env: folders.env }).trustedServers.servers.map((server) => server.host)).toEqual(['adrms.contoso.com']);
  });
});

describe('importRegFile', () => {
  it('replaces an earlier import of the same name', async () => {
    const file = adminFile('site.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001');
    await importRegFile(place(), file);
    adminFile('site.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Federation]', '"EnableBrowser"=dword:00000001');
    await importRegFile(place(), file);
    const s = loadClientSettings({ env: folders.env });
    expect([s.traceEnabled, s.browserEnabled]).toEqual([false, true]);
    expect(readdirSync(folders.machine)).toEqual(['site.reg']);
  });

  it('keeps deletions of the imported file, applied in the folder\'s order', async () => {
    folders.machineFile('10-base.reg', V5, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001');
    await importRegFile(place(), adminFile('20-quiet.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=-'));
    expect(loadClientSettings({ env: folders.env }).traceEnabled).toBe(false);
  });

  it('refuses a file named openrms.reg, which set and unset own', async () => {
    await expect(importRegFile(place(), adminFile('openrms.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]')))
      .rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'FILE' });
  });
});

describe('the folders', () => {
  it('read a .reg file linked into the folder', () => {
    const target = adminFile('linked.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001');
    symlinkSync(target, path.join(folders.machine, 'linked.reg'));
    symlinkSync(path.join(folders.home, 'missing.reg'), path.join(folders.machine, 'dangling.reg'));
    expect(loadClientSettings({ env: folders.env }).traceEnabled).toBe(true);
  });
});
