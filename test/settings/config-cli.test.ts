/**
 * `openrms config` end to end: the built command run as a process, with OPENRMS_HOME and
 * OPENRMS_MACHINE_CONFIG pointing at temporary folders, and the settings object reading what it
 * wrote.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { loadClientSettings, parseRegFile } from '../../lib/settings';
import { requireBuilt, ROOT } from '../support/built-package';
import { settingsFolders, SettingsFolders, V5 } from './temp-folders';

let folders: SettingsFolders;
beforeAll(requireBuilt);
beforeEach(() => {
  folders = settingsFolders();
});
afterEach(() => folders.remove());

function openrms(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'config', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60000, env: { PATH: process.env.PATH, ...folders.env },
  });
}

function json(...args: string[]) {
  const result = openrms(...args, '--json');
  expect({ stderr: result.stderr, status: result.status }).toEqual({ stderr: '', status: 0 });
  return JSON.parse(result.stdout);
}

function settings() {
  return loadClientSettings({ env: folders.env });
}

/** Every file under the two folders with its bytes, to show that a refused command wrote nothing. */
function snapshot(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const root of [folders.machine, folders.home]) {
    for (const name of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      const file = path.join(root, name);
      try {
        files[file] = readFileSync(file).toString('hex');
      } catch {
        files[file] = 'folder';
      }
    }
  }
  return files;
}

/** An administrator's export, as Registry Editor writes it: UTF-16LE with a byte order mark, CRLF. */
function adminFile(name: string, ...lines: string[]): string {
  const file = path.join(folders.home, '..', name);
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${[V5, '', ...lines].join('\r\n')}\r\n`, 'utf16le')]));
  return file;
}

describe('openrms config', () => {
  it('lists every setting with its default and the folders it reads', () => {
    const listed = json('list');
    expect(listed).toMatchObject({ mode: 'client', machineFolder: folders.machine, userFolder: path.join(folders.home, 'registry'), warnings: [] });
    expect(listed.settings.map((line: { name: string }) => line.name)).toEqual([
      'EnterpriseCertification', 'EnterprisePublishing', 'LicensingRedirection', 'Trace', 'TemplateUpdateFrequency', 'TemplateUpdateFrequencyInSeconds',
      'FederationHomeRealm', 'EnableBrowser', 'DisablePassportCertification', 'AllowTrustedServersOnly', 'TrustedServers', 'FileProtection',
      'ProxyServer', 'ProxyBypass',
      'CloudService', 'DnsServers', 'Directory', 'DirectoryDomain', 'DirectoryBindDn', 'DirectoryPasswordFile', 'DirectoryStartTls', 'ScpPath', 'DiscoveryCacheSeconds',
      'CAFile',
    ]);
    expect(listed.settings.every((line: { source: { kind: string } }) => line.source.kind === 'default')).toBe(true);
  });

  it('sets a machine setting in the machine folder\'s openrms.reg, which the settings then read', () => {
    const result = json('set', 'Trace', '1');
    const file = path.join(folders.machine, 'openrms.reg');
    expect(result).toMatchObject({ name: 'Trace', file, registry: 'HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Trace', type: 'REG_DWORD' });
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(settings().traceEnabled).toBe(true);
    expect(json('get', 'trace').settings).toEqual([{ name: 'Trace', value: true, source: expect.objectContaining({ kind: 'registry', file }) }]);
  });

  it('sets a user setting in the user folder, and list entries by NAME\\ENTRY', () => {
    json('set', 'TemplateUpdateFrequencyInSeconds', '90');
    json('set', 'FileProtection\\txt', 'Off');
    json('set', 'LicensingRedirection\\https://old.contoso.com/_wmcs/licensing', 'https://rms.fabrikam.com/_wmcs/licensing');
    expect(existsSync(path.join(folders.home, 'registry', 'openrms.reg'))).toBe(true);
    const s = settings();
    expect(s.templateUpdateIntervalSeconds).toBe(90);
    expect(s.fileProtectionFor('notes.TXT')).toBe('Off');
    expect(s.redirectLicensingUrl('https://old.contoso.com/_wmcs/licensing')).toBe('https://rms.fabrikam.com/_wmcs/licensing');
  });

  it('refuses data the setting does not take, and a folder the setting does not live in, writing nothing', () => {
    const before = snapshot();
    const zero = openrms('set', 'TemplateUpdateFrequency', '0');
    expect(zero.status).toBe(1);
    expect(zero.stderr).toMatch(/^error: INVALID_ARGUMENT: TemplateUpdateFrequency: must be at least 1 day/);
    expect(openrms('set', 'Trace', '1', '--user').stderr).toMatch(/^error: INVALID_ARGUMENT: Trace is a machine setting \(HKLM\)/);
    expect(openrms('set', 'Tracing', '1').stderr).toMatch(/^error: INVALID_ARGUMENT: NAME must be one of EnterpriseCertification/);
    expect(snapshot()).toEqual(before);
  });

  it('unsets what it set, and says NOT_FOUND for what openrms.reg does not hold', () => {
    json('set', 'Trace', '1');
    expect(json('unset', 'Trace')).toMatchObject({ name: 'Trace', removed: true, effective: { value: null } });
    expect(settings().traceEnabled).toBe(false);
    const again = openrms('unset', 'Trace');
    expect([again.status, again.stderr]).toEqual([1, expect.stringMatching(/^error: NOT_FOUND: Trace is not set in /)]);
  });

  it('notes when the value set is not the one in effect', () => {
    folders.machineFile('zz-site.reg', V5, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000000');
    const result = openrms('set', 'Trace', '1');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`note: the value in effect is false, from machine file ${path.join(folders.machine, 'zz-site.reg')} line 3`);
  });

  it('imports an administrator\'s .reg file, which changes what the settings object returns', () => {
    const before = settings();
    expect([before.enterprisePublishingUrl, before.traceEnabled, before.fileProtectionFor('a.pdf')]).toEqual([undefined, false, undefined]);
    const file = adminFile('contoso.reg',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing]', '@="https://rms.contoso.com/_wmcs/Licensing"', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\pdf]', '"Encryption"="Pfile"', '',
      '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]', '"DisablePassportCertification"=dword:00000001');
    const imported = json('import', file);
    expect(imported.files.map((written: { hive: string; file: string }) => [written.hive, written.file])).toEqual([
      ['HKLM', path.join(folders.machine, 'contoso.reg')], ['HKCU', path.join(folders.home, 'registry', 'contoso.reg')],
    ]);
    const after = settings();
    expect(after.enterprisePublishingUrl).toBe('https://rms.contoso.com/_wmcs/Licensing');
    expect(after.traceEnabled).toBe(true);
    expect(after.fileProtectionFor('a.pdf')).toBe('Pfile');
    expect(after.passportCertificationDisabled).toBe(true);
  });

  it('refuses a whole file with a malformed line, naming its file and line, and writes nothing', () => {
    const before = snapshot();
    const file = adminFile('broken.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001', '',
      '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]', '"TemplateUpdateFrequency"=dword:seven');
    const result = openrms('import', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`error: INVALID_REG_FILE: ${file}, line 7: dword: needs 1 to 8 hex digits\n`);
    expect(snapshot()).toEqual(before);
    expect(settings().traceEnabled).toBe(false);
  });

  it('refuses a whole file that sets a setting to invalid data, or keys of another hive', () => {
    const before = snapshot();
    const zeroFile = adminFile('zero.reg', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"=dword:00000001', '',
      '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]', '"TemplateUpdateFrequency"=dword:00000000');
    const zero = openrms('import', zeroFile);
    expect(zero.stderr).toMatch(/^error: INVALID_SETTING: TemplateUpdateFrequency: must be at least 1 day, not 0/);
    expect(zero.stderr).toContain(`set by ${zeroFile} line 7`);
    const classes = openrms('import', adminFile('classes.reg', '[HKEY_CLASSES_ROOT\\.txt]', '@="txtfile"'));
    expect(classes.stderr).toMatch(/^error: INVALID_REG_FILE: .*classes\.reg, line 3: HKEY_CLASSES_ROOT holds no settings/);
    expect(snapshot()).toEqual(before);
  });

  it('exports what the folders hold as a Registry Editor file, by hive', () => {
    json('set', 'Trace', '1');
    json('set', 'TemplateUpdateFrequency', '2');
    const all = path.join(folders.home, '..', 'all.reg');
    expect(json('export', all)).toMatchObject({ file: all, hives: ['HKLM', 'HKCU'], values: 2 });
    const exported = parseRegFile(readFileSync(all), all);
    expect(exported.operations.filter((operation) => operation.kind === 'value').map((operation) => [operation.hive, (operation as { name: string }).name]))
      .toEqual([['HKLM', 'Trace'], ['HKCU', 'TemplateUpdateFrequency']]);
    const machine = path.join(folders.home, '..', 'machine.reg');
    expect(json('export', machine, '--machine')).toMatchObject({ hives: ['HKLM'], values: 1 });
  });

  it('keeps a service account\'s settings under HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Server\\<account>', () => {
    const result = json('set', 'TemplateUpdateFrequency', '2', '--server-mode', '--account', 'svc-rms', '--store', path.join(folders.home, 'svc'));
    expect(result).toMatchObject({ file: path.join(folders.machine, 'openrms.reg'), registry: 'HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Server\\svc-rms\\TemplateUpdateFrequency' });
    const listed = json('list', '--server-mode', '--account', 'svc-rms', '--store', path.join(folders.home, 'svc'));
    expect(listed).toMatchObject({ mode: 'server', account: 'svc-rms' });
    expect(listed.userFolder).toBeUndefined();
    expect(listed.settings.find((line: { name: string }) => line.name === 'TemplateUpdateFrequency').value).toBe(2);
    expect(settings().templateUpdateIntervalSeconds).toBe(86400); // the user's settings are not the account's
  });

  it('shows refused and ignored data in the list, with where it is', () => {
    const file = folders.machineFile('site.reg', V5, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]', '"Trace"="yes"', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing]', '@="rms.contoso.com"');
    const listed = json('list');
    expect(listed.warnings).toEqual([expect.stringContaining(`set by ${file} line 3`)]);
    expect(listed.settings.find((line: { name: string }) => line.name === 'EnterprisePublishing').error)
      .toMatchObject({ code: 'INVALID_SETTING', hive: 'HKLM', key: 'SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing', value: '', file, line: 6 });
    const text = openrms('list');
    expect(text.stdout).toMatch(/EnterprisePublishing +error: INVALID_SETTING: /);
    expect(text.stdout).toMatch(/^warning: Trace is a REG_SZ, not a REG_DWORD/m);
    const get = openrms('get', 'EnterprisePublishing');
    expect([get.status, get.stderr]).toEqual([1, expect.stringMatching(/^error: INVALID_SETTING: EnterprisePublishing: "rms.contoso.com" is not a URL/)]);
  });
});
