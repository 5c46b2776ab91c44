/**
 * Every MSIPC setting through `loadClientSettings`: its hive, key and value in each mode, its
 * default, bad data (refused with INVALID_SETTING naming where it is, or ignored with a warning),
 * the order code > environment > registry, and the 32-bit view.
 */
import * as path from 'node:path';

import { InvalidSettingError, loadClientSettings, LoadSettingsOptions } from '../../lib/settings';
import { settingsFolders, SettingsFolders, V5 } from './temp-folders';

const MSIPC = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]';
const LOCATION = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation]';
const USER_MSIPC = '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]';
const SERVER_MSIPC = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Server\\svc-rms]';

let folders: SettingsFolders;
beforeEach(() => {
  folders = settingsFolders();
});
afterEach(() => folders.remove());

function settings(options: LoadSettingsOptions = {}) {
  return loadClientSettings({ ...options, env: { ...folders.env, ...options.env } });
}

function machine(...lines: string[]): string {
  return folders.machineFile('site.reg', V5, ...lines);
}

/** The error asking for a setting throws. */
function refusal(ask: () => unknown): InvalidSettingError {
  try {
    ask();
  } catch (error) {
    if (error instanceof InvalidSettingError) return error;
    throw error;
  }
  throw new Error('the setting was accepted');
}

describe('defaults', () => {
  it('has MSIPC\'s defaults when nothing is set', () => {
    const s = settings();
    expect(s.mode).toBe('client');
    expect(s.enterpriseCertificationUrl).toBeUndefined();
    expect(s.enterprisePublishingUrl).toBeUndefined();
    expect(s.licensingRedirections).toEqual([]);
    expect(s.traceEnabled).toBe(false);
    expect(s.templateUpdateIntervalSeconds).toBe(86400);
    expect(s.federationHomeRealm).toBeUndefined();
    expect(s.browserEnabled).toBe(false);
    expect(s.passportCertificationDisabled).toBe(false);
    expect(s.trustedServers).toEqual({ allowTrustedServersOnly: false, servers: [] });
    expect(s.fileProtections).toEqual([]);
    expect(s.warnings).toEqual([]);
    expect(s.report().every((line) => line.source.kind === 'default')).toBe(true);
  });

  it('is immutable', () => {
    const s = settings();
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as unknown as { mode: string }).mode = 'server';
    }).toThrow(TypeError);
  });
});

describe('ServiceLocation', () => {
  it('reads EnterpriseCertification and EnterprisePublishing from their keys\' default values', () => {
    const file = machine(`${LOCATION.slice(0, -1)}\\EnterpriseCertification]`, '@="https://rms.contoso.com/_wmcs/Certification"',
      `${LOCATION.slice(0, -1)}\\EnterprisePublishing]`, '@="https://rms.contoso.com/_wmcs/Licensing"');
    const s = settings();
    expect(s.enterpriseCertificationUrl).toBe('https://rms.contoso.com/_wmcs/Certification');
    expect(s.enterprisePublishingUrl).toBe('https://rms.contoso.com/_wmcs/Licensing');
    expect(s.report().find((line) => line.name === 'EnterprisePublishing')?.source).toEqual({
      kind: 'registry', hive: 'HKLM', key: 'SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing', value: '', file, line: 5,
    });
  });

  it('refuses a service location that is not an http(s) URL, naming the hive, key, value, file and line', () => {
    const file = machine(`${LOCATION.slice(0, -1)}\\EnterprisePublishing]`, '@="ftp://rms.contoso.com/_wmcs/Licensing"');
    const s = settings();
    const error = refusal(() => s.enterprisePublishingUrl);
    expect(error).toMatchObject({ code: 'INVALID_SETTING', setting: 'EnterprisePublishing', hive: 'HKLM',
      key: 'SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing', value: '', file, line: 3 });
    expect(error.message).toContain('HKLM\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterprisePublishing\\(Default)');
    // only that setting fails
    expect(s.enterpriseCertificationUrl).toBeUndefined();
    expect(s.report().find((line) => line.name === 'EnterprisePublishing')?.error?.code).toBe('INVALID_SETTING');
  });

  it('refuses a service location of the wrong type', () => {
    machine(`${LOCATION.slice(0, -1)}\\EnterpriseCertification]`, '@=dword:00000001');
    expect(refusal(() => settings().enterpriseCertificationUrl).reason).toContain('REG_SZ');
  });
});

describe('LicensingRedirection', () => {
  const KEY = `${LOCATION.slice(0, -1)}\\LicensingRedirection]`;

  it('redirects each old licensing URL (value name) to the new one (data), intranet and extranet separately', () => {
    machine(KEY,
      '"https://corprights.contoso.com/_wmcs/licensing"="https://rms.fabrikam.com/_wmcs/licensing"',
      '"http://corprights/_wmcs/licensing"="https://rms.fabrikam.com/_wmcs/licensing"',
      '"https://extranet-only.contoso.com/_wmcs/licensing"="https://rms2.fabrikam.com/_wmcs/licensing"');
    const s = settings();
    expect(s.redirectLicensingUrl('https://CorpRights.contoso.com/_wmcs/Licensing/')).toBe('https://rms.fabrikam.com/_wmcs/licensing');
    expect(s.redirectLicensingUrl('http://corprights/_wmcs/licensing')).toBe('https://rms.fabrikam.com/_wmcs/licensing');
    // the intranet name of the third service has no entry: it is not redirected by its extranet one
    expect(s.redirectLicensingUrl('http://extranet-only/_wmcs/licensing')).toBeUndefined();
    expect(s.licensingRedirections).toHaveLength(3);
  });

  it('refuses an entry whose name or data is not a URL', () => {
    machine(KEY, '"contoso.com"="https://rms.fabrikam.com/_wmcs/licensing"');
    const error = refusal(() => settings().redirectLicensingUrl('https://contoso.com/_wmcs/licensing'));
    expect(error).toMatchObject({ setting: 'LicensingRedirection\\contoso.com', value: 'contoso.com' });
  });
});

describe('Trace', () => {
  it('reads HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Trace as a DWORD flag', () => {
    machine(MSIPC, '"Trace"=dword:00000001');
    expect(settings().traceEnabled).toBe(true);
  });

  it('ignores a Trace that is not a DWORD, with a warning naming where it is', () => {
    machine(MSIPC, '"Trace"="1"');
    const s = settings();
    expect(s.traceEnabled).toBe(false);
    expect(s.warnings).toEqual([expect.stringContaining('HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Trace')]);
    expect(s.warnings[0]).toContain('REG_SZ');
  });
});

describe('TemplateUpdateFrequency', () => {
  it('reads days in client mode from HKCU\\...\\Local Settings\\Software\\Microsoft\\MSIPC', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequency"=dword:00000007');
    expect(settings().templateUpdateIntervalSeconds).toBe(7 * 86400);
  });

  it('lets TemplateUpdateFrequencyInSeconds win over days', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequency"=dword:00000007', '"TemplateUpdateFrequencyInSeconds"=dword:0000003c');
    expect(settings().templateUpdateIntervalSeconds).toBe(60);
  });

  it('refuses 0 days or seconds (the minimum is 1) and a value that is not a DWORD', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequency"=dword:00000000');
    expect(refusal(() => settings().templateUpdateIntervalSeconds)).toMatchObject({ setting: 'TemplateUpdateFrequency', hive: 'HKCU' });
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequencyInSeconds"="60"');
    expect(refusal(() => settings().templateUpdateIntervalSeconds).setting).toBe('TemplateUpdateFrequencyInSeconds');
  });

  it('reads HKLM\\SOFTWARE\\Microsoft\\MSIPC\\Server\\<account> in server mode, and not HKCU', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequency"=dword:00000007');
    machine(SERVER_MSIPC, '"TemplateUpdateFrequency"=dword:00000002', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Server\\other]',
      '"TemplateUpdateFrequency"=dword:00000009');
    const server = settings({ mode: 'server', account: 'svc-rms', storeRoot: path.join(folders.home, 'svc') });
    expect(server.templateUpdateIntervalSeconds).toBe(2 * 86400);
    expect(server.userFolder).toBeUndefined();
    expect(settings().templateUpdateIntervalSeconds).toBe(7 * 86400);
  });
});

describe('Federation', () => {
  const KEY = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Federation]';

  it('reads FederationHomeRealm and EnableBrowser', () => {
    machine(KEY, '"FederationHomeRealm"="http://TreyADFS.trey.net/adfs/services/trust"', '"EnableBrowser"=dword:00000001');
    const s = settings();
    expect(s.federationHomeRealm).toBe('http://TreyADFS.trey.net/adfs/services/trust');
    expect(s.browserEnabled).toBe(true);
  });

  it('refuses a home realm that is not a URI', () => {
    machine(KEY, '"FederationHomeRealm"="trey adfs"');
    expect(refusal(() => settings().federationHomeRealm)).toMatchObject({ key: 'SOFTWARE\\Microsoft\\MSIPC\\Federation', value: 'FederationHomeRealm' });
  });
});

describe('DisablePassportCertification', () => {
  it('reads the user\'s flag in client mode and the account\'s in server mode', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"DisablePassportCertification"=dword:00000001');
    machine(SERVER_MSIPC, '"DisablePassportCertification"=dword:00000000');
    expect(settings().passportCertificationDisabled).toBe(true);
    expect(settings({ mode: 'server', account: 'svc-rms', storeRoot: folders.home }).passportCertificationDisabled).toBe(false);
  });

  it('is not read from the machine key in client mode', () => {
    machine(MSIPC, '"DisablePassportCertification"=dword:00000001');
    expect(settings().passportCertificationDisabled).toBe(false);
  });
});

describe('TrustedServers', () => {
  const KEY = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\TrustedServers]';

  it('reads AllowTrustedServersOnly and the host names and URLs, from the value name or its data', () => {
    machine(KEY, '"AllowTrustedServersOnly"=dword:00000001', '"adrms.contoso.com"=""', '"Partner"="https://rms.Fabrikam.com"');
    expect(settings().trustedServers).toEqual({
      allowTrustedServersOnly: true,
      servers: [{ entry: 'adrms.contoso.com', host: 'adrms.contoso.com' }, { entry: 'https://rms.Fabrikam.com', host: 'rms.fabrikam.com', url: 'https://rms.fabrikam.com/' }],
    });
  });

  it('refuses an entry that is neither a host name nor a URL', () => {
    machine(KEY, '"not a host"=""');
    expect(refusal(() => settings().trustedServers)).toMatchObject({ setting: 'TrustedServers\\not a host' });
  });
});

describe('FileProtection', () => {
  function protections(...keys: [string, string][]): void {
    machine(...keys.flatMap(([extension, data]) => [`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\${extension}]`, `"Encryption"=${data}`]));
  }

  it('gives each extension its key, the * key to other non-Office files, and . to files without an extension', () => {
    protections(['*', '"Pfile"'], ['TXT', '"Off"'], ['pdf', '"native"'], ['.', '"Off"']);
    const s = settings();
    expect(s.fileProtectionFor('notes.txt')).toBe('Off');
    expect(s.fileProtectionFor('report.PDF')).toBe('Native');
    expect(s.fileProtectionFor('data.csv')).toBe('Pfile');
    expect(s.fileProtectionFor('deck.pptx')).toBeUndefined(); // the wildcard does not cover Office formats
    expect(s.fileProtectionFor('Makefile')).toBe('Off');
  });

  it('ignores an Encryption value it does not know, with a warning, as the File API does', () => {
    protections(['txt', '"Strong"'], ['csv', 'dword:00000001']);
    const s = settings();
    expect(s.fileProtectionFor('a.txt')).toBeUndefined();
    expect(s.fileProtectionFor('a.csv')).toBeUndefined();
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[0]).toContain('FileProtection\\txt');
  });
});

describe('precedence: code, then environment, then registry', () => {
  beforeEach(() => {
    machine(MSIPC, '"Trace"=dword:00000000', '', `${LOCATION.slice(0, -1)}\\EnterprisePublishing]`, '@="https://registry.contoso.com/_wmcs/Licensing"');
  });

  it('takes the registry when nothing else sets a value', () => {
    expect(settings().enterprisePublishingUrl).toBe('https://registry.contoso.com/_wmcs/Licensing');
  });

  it('lets an environment variable win over the registry', () => {
    const s = settings({ env: { OPENRMS_ENTERPRISE_PUBLISHING: 'https://env.contoso.com/_wmcs/Licensing', OPENRMS_TRACE: '1' } });
    expect(s.enterprisePublishingUrl).toBe('https://env.contoso.com/_wmcs/Licensing');
    expect(s.traceEnabled).toBe(true);
    expect(s.report().find((line) => line.name === 'Trace')?.source).toEqual({ kind: 'environment', variable: 'OPENRMS_TRACE' });
  });

  it('lets an option passed in code win over both', () => {
    const s = settings({ env: { OPENRMS_TRACE: '1' }, overrides: { trace: false, enterprisePublishing: 'https://code.contoso.com/_wmcs/Licensing' } });
    expect(s.traceEnabled).toBe(false);
    expect(s.enterprisePublishingUrl).toBe('https://code.contoso.com/_wmcs/Licensing');
    expect(s.report().find((line) => line.name === 'Trace')?.source).toEqual({ kind: 'code' });
  });

  it('takes the frequency pair from the first source that sets either', () => {
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequencyInSeconds"=dword:0000003c');
    expect(settings({ env: { OPENRMS_TEMPLATE_UPDATE_FREQUENCY: '2' } }).templateUpdateIntervalSeconds).toBe(2 * 86400);
    expect(settings({ overrides: { templateUpdateFrequencyInSeconds: 30, templateUpdateFrequency: 5 } }).templateUpdateIntervalSeconds).toBe(30);
  });

  it('replaces a list setting whole when it is passed in code', () => {
    machine('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\TrustedServers]', '"registry.contoso.com"=""');
    expect(settings({ overrides: { trustedServers: ['code.contoso.com'] } }).trustedServers.servers.map((server) => server.host)).toEqual(['code.contoso.com']);
  });

  it('refuses a bad environment variable as INVALID_SETTING naming it, and a bad option as INVALID_ARGUMENT', () => {
    expect(refusal(() => settings({ env: { OPENRMS_TRACE: 'yes please' } }).traceEnabled)).toMatchObject({ variable: 'OPENRMS_TRACE' });
    expect(() => settings({ overrides: { templateUpdateFrequency: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'overrides.templateUpdateFrequency' }));
    expect(() => settings({ overrides: { fileProtection: { txt: 'Strong' as 'Off' } } })).toThrow(expect.objectContaining({ argument: 'overrides.fileProtection' }));
  });
});

describe('the 32-bit view', () => {
  it('reads HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC in an ia32 process', () => {
    const file = machine(MSIPC, '"Trace"=dword:00000000', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC]', '"Trace"=dword:00000001');
    expect(settings({ arch: 'x64' }).traceEnabled).toBe(false);
    const ia32 = settings({ arch: 'ia32' });
    expect(ia32.traceEnabled).toBe(true);
    expect(ia32.report().find((line) => line.name === 'Trace')?.source).toEqual({
      kind: 'registry', hive: 'HKLM', key: 'SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC', value: 'Trace', file, line: 6,
    });
  });

  it('does not fall back to the 64-bit key, and leaves HKCU as it is', () => {
    machine(MSIPC, '"Trace"=dword:00000001');
    folders.userFile('mine.reg', V5, USER_MSIPC, '"TemplateUpdateFrequency"=dword:00000004');
    const ia32 = settings({ arch: 'ia32' });
    expect(ia32.traceEnabled).toBe(false);
    expect(ia32.templateUpdateIntervalSeconds).toBe(4 * 86400);
  });

  it('redirects the server-mode keys too', () => {
    machine('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\MSIPC\\Server\\svc-rms]', '"TemplateUpdateFrequency"=dword:00000003');
    expect(settings({ arch: 'ia32', mode: 'server', account: 'svc-rms', storeRoot: folders.home }).templateUpdateIntervalSeconds).toBe(3 * 86400);
  });
});

describe('modes', () => {
  it('needs an account in server mode and refuses one in client mode', () => {
    expect(() => settings({ mode: 'server' })).toThrow(expect.objectContaining({ argument: 'account' }));
    expect(() => settings({ account: 'svc-rms' })).toThrow(expect.objectContaining({ argument: 'account' }));
  });

  it('keeps a server-mode store under OPENRMS_SERVER_HOME', () => {
    const s = loadClientSettings({ mode: 'server', account: 'svc-rms', env: { ...folders.env, OPENRMS_SERVER_HOME: path.join(folders.home, 'server') } });
    expect(s.storeRoot).toBe(path.join(folders.home, 'server', 'svc-rms'));
    expect(s.account).toBe('svc-rms');
  });
});
