/**
 * The Windows registry reader, for real: under wine, values written with `reg add` and a `.reg`
 * file imported with `regedit /s` are what loadClientSettings() reads through the win32
 * prebuilds (scripts/prebuild/registry-reader.js, run by node.exe); the ia32 build reads the
 * 32-bit view (Wow6432Node) as a 32-bit MSIPC client does, the x64 build the 64-bit one.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';
import { createWinePrefix, describeWithPrebuilds, PrebuildTarget, runOnPlatform, WinePrefix } from '../support/prebuilds';

const MSIPC = 'HKLM\\SOFTWARE\\Microsoft\\MSIPC';
const WOW64_MSIPC = 'HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC';
const IDENTITY = 'HKCU\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC';

const REG_FILE = `Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\LicensingRedirection]
"https://old.example.test/_wmcs/licensing"="https://new.example.test/_wmcs/licensing"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\txt]
"Encryption"="Pfile"

[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC\\FileProtection\\pdf]
"Encryption"="Native"

[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]
"DisablePassportCertification"=dword:00000001
`;

interface Read {
  name: string;
  value: unknown;
  key: string;
  valueName: string;
}

describeWithPrebuilds('settings from the Windows registry (under wine)', ['win32-x64', 'win32-ia32'], () => {
  let wine: WinePrefix;
  const wineCommand = (args: string[], loader = 'wine'): void => {
    execFileSync(loader, args, { env: wine.env, cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
  };

  beforeAll(() => {
    requireBuilt();
    wine = createWinePrefix();
    // reg.exe's /reg:64 and /reg:32 pick the view as a 64-bit or a 32-bit program would.
    wineCommand(['reg', 'add', `${MSIPC}\\ServiceLocation\\EnterprisePublishing`, '/ve', '/t', 'REG_SZ', '/d', 'https://rms64.example.test/_wmcs/licensing', '/f', '/reg:64']);
    wineCommand(['reg', 'add', MSIPC, '/v', 'Trace', '/t', 'REG_DWORD', '/d', '1', '/f', '/reg:64']);
    wineCommand(['reg', 'add', `${MSIPC}\\ServiceLocation\\EnterprisePublishing`, '/ve', '/t', 'REG_SZ', '/d', 'https://rms32.example.test/_wmcs/licensing', '/f', '/reg:32']);
    // Debian's `wine` starts the 32-bit regedit, whose HKLM\SOFTWARE is the 32-bit view: the
    // 64-bit loader imports the file as an administrator's 64-bit regedit does.
    const regFile = path.join(wine.env.WINEPREFIX!, 'msipc.reg');
    writeFileSync(regFile, REG_FILE);
    wineCommand(['regedit', '/s', regFile], '/usr/lib/wine/wine64');
    execFileSync('wineserver', ['-w'], { env: wine.env });
  }, 600_000);
  afterAll(() => wine?.dispose());

  function readSettings(target: PrebuildTarget): Read[] {
    const result = runOnPlatform(target, path.join(ROOT, 'scripts', 'prebuild', 'registry-reader.js'), [], wine.env, wine.env.WINEPREFIX!) as
      { ok: boolean; read?: Read[]; error?: string };
    if (!result.ok) throw new Error(result.error);
    return result.read!;
  }

  test('the x64 build reads the 64-bit view: what reg add /reg:64 wrote and the .reg file\'s HKLM\\SOFTWARE keys, not Wow6432Node', () => {
    expect(readSettings('win32-x64')).toEqual([
      { name: 'EnterprisePublishing', value: 'https://rms64.example.test/_wmcs/licensing', key: `${MSIPC}\\ServiceLocation\\EnterprisePublishing`, valueName: '' },
      { name: 'LicensingRedirection\\https://old.example.test/_wmcs/licensing', value: 'https://new.example.test/_wmcs/licensing',
        key: `${MSIPC}\\ServiceLocation\\LicensingRedirection`, valueName: 'https://old.example.test/_wmcs/licensing' },
      { name: 'Trace', value: true, key: MSIPC, valueName: 'Trace' },
      { name: 'DisablePassportCertification', value: true, key: IDENTITY, valueName: 'DisablePassportCertification' },
      { name: 'FileProtection\\txt', value: 'Pfile', key: `${MSIPC}\\FileProtection\\txt`, valueName: 'Encryption' },
    ]);
  }, 300_000);

  test('the ia32 build reads the 32-bit view, Wow6432Node, as a 32-bit MSIPC client does; HKCU is shared', () => {
    expect(readSettings('win32-ia32')).toEqual([
      { name: 'EnterprisePublishing', value: 'https://rms32.example.test/_wmcs/licensing', key: `${WOW64_MSIPC}\\ServiceLocation\\EnterprisePublishing`, valueName: '' },
      { name: 'DisablePassportCertification', value: true, key: IDENTITY, valueName: 'DisablePassportCertification' },
      { name: 'FileProtection\\pdf', value: 'Native', key: `${WOW64_MSIPC}\\FileProtection\\pdf`, valueName: 'Encryption' },
    ]);
  }, 300_000);
});
