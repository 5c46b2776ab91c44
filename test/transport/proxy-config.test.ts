/**
 * Which proxy a request goes through (docs/discovery.md, "Proxies"): the environment variables
 * read as curl reads them, the NO_PROXY syntax, proxy URLs with credentials that never show, and
 * the ProxyServer / ProxyBypass settings from a real `.reg` file, OPENRMS_PROXY and code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

import { loadClientSettings, NoProxyList, parseProxyUrl, Proxies } from '../../lib';

const PASSWORD = 'pa:ss@w0rd/%';
const ENCODED = encodeURIComponent(PASSWORD);

function proxyOf(text: string) {
  const parsed = parseProxyUrl(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

/** Checks each row `[NO_PROXY list, URL, whether it goes direct]`, naming the row that fails. */
function expectBypass(rows: readonly (readonly [string, string, boolean])[]): void {
  const outcomes = rows.map(([list, url]) => {
    const parsed = NoProxyList.parse(list);
    if (!parsed.ok) throw new Error(parsed.reason);
    return [list, url, parsed.value.bypasses(new URL(url))];
  });
  expect(outcomes).toEqual(rows);
}

/** An RmsError with these fields whose message does not quote the password. */
const refusal = (fields: Record<string, unknown>) => expect.objectContaining({ ...fields, message: expect.not.stringContaining(ENCODED) });

describe('proxy URLs', () => {
  it('reads host and port, with http:// and port 80 when left out', () => {
    expect(proxyOf('http://proxy.corp.example:3128').origin).toBe('http://proxy.corp.example:3128');
    expect(proxyOf('proxy.corp.example:3128').origin).toBe('http://proxy.corp.example:3128');
    expect(proxyOf('http://proxy.corp.example').origin).toBe('http://proxy.corp.example:80');
    expect(proxyOf('http://[::1]:8080/')).toMatchObject({ hostname: '::1', port: 8080, origin: 'http://[::1]:8080' });
  });

  it('sends percent-decoded credentials as Basic Proxy-Authorization', () => {
    const proxy = proxyOf(`http://alice%40corp:${ENCODED}@127.0.0.1:3128`);
    expect(proxy.username).toBe('alice@corp');
    expect(proxy.proxyAuthorization()).toBe(`Basic ${Buffer.from(`alice@corp:${PASSWORD}`).toString('base64')}`);
    expect(proxyOf('http://127.0.0.1:3128').proxyAuthorization()).toBeUndefined();
  });

  it('never shows the password: not in its origin, JSON, inspection or description', () => {
    const proxy = proxyOf(`http://alice:${ENCODED}@127.0.0.1:3128`);
    const shown = [proxy.origin, JSON.stringify({ proxy }), inspect(proxy), inspect({ proxy }, { showHidden: true, depth: 5 }), proxy.describe()].join('\n');
    expect(shown).not.toContain(ENCODED);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString('base64'));
    expect(proxy.describe()).toBe('http://alice:***@127.0.0.1:3128');
  });

  it('refuses other schemes, paths and bad text without quoting the URL', () => {
    for (const text of [`https://u:${ENCODED}@proxy:443`, `socks5://u:${ENCODED}@proxy:1080`, `http://u:${ENCODED}@proxy:3128/path`, `http://u:${ENCODED}@:3128`, '', `http://u:%E0%A4%A@proxy:1`]) {
      const parsed = parseProxyUrl(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).not.toContain(ENCODED);
    }
    expect(() => Proxies.of({ https: `https://u:${ENCODED}@proxy:443` })).toThrow(refusal({ code: 'INVALID_ARGUMENT', argument: 'proxies.https' }));
  });
});

describe('NO_PROXY', () => {
  it('matches a name and every name below it, with or without a leading . or *.', () => {
    expectBypass(['corp.example', '.corp.example', '*.corp.example', 'CORP.example.'].flatMap((entry) => [
      [entry, 'https://corp.example/', true], [entry, 'https://rms.Corp.Example./_wmcs', true],
      [entry, 'https://notcorp.example/', false], [entry, 'https://corp.example.org/', false],
    ] as const));
  });

  it('matches * for every host, and skips empty entries and spaces', () => {
    expectBypass([['*', 'http://anything.example:81/', true], [' a.example , , b.example ', 'http://b.example/', true], ['', 'http://b.example/', false]]);
  });

  it('matches a host:port only on that port (the scheme default when the URL gives none)', () => {
    expectBypass([
      ['rms.example:8443', 'https://rms.example:8443/', true], ['rms.example:8443', 'https://rms.example/', false],
      ['rms.example:443', 'https://rms.example/', true], ['rms.example:80', 'http://rms.example/', true],
      ['[::1]:8443', 'https://[::1]:8443/', true], ['[::1]:8443', 'https://[::1]:9443/', false],
    ]);
  });

  it('matches an address by its value and a block by its prefix, never a name by an address', () => {
    expectBypass([
      ['127.0.0.1', 'http://127.0.0.1:8080/', true], ['0.0.1', 'http://127.0.0.1:8080/', false], ['::1', 'http://[0:0::1]:8080/', true],
      ['10.0.0.0/8', 'http://10.20.30.40/', true], ['10.0.0.0/8', 'http://11.0.0.1/', false], ['fd00::/8', 'https://[fd12::5]/', true],
      ['127.0.0.1', 'http://localhost/', false],
    ]);
  });

  it('refuses an entry that is no host, address, block or *', () => {
    for (const list of ['a.example, http://b.example', 'a b', '10.0.0.0/33', 'host:99999', '[not-v6]:80']) expect(NoProxyList.parse(list).ok).toBe(false);
  });
});

describe('the environment', () => {
  const url = (text: string) => new URL(text);

  it('takes HTTPS_PROXY for https services and HTTP_PROXY for http ones, the lower-case name first', () => {
    const proxies = Proxies.fromEnvironment({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'http://plain:3' });
    expect(proxies.proxyFor(url('https://rms.example/'))?.origin).toBe('http://lower:2');
    expect(proxies.proxyFor(url('http://rms.example/'))?.origin).toBe('http://plain:3');
    expect(Proxies.fromEnvironment({ HTTPS_PROXY: 'http://upper:1', https_proxy: '' }).proxyFor(url('https://rms.example/'))?.origin).toBe('http://upper:1');
    expect(Proxies.fromEnvironment({}).proxyFor(url('https://rms.example/'))).toBeUndefined();
  });

  it('leaves out the hosts NO_PROXY names', () => {
    const proxies = Proxies.fromEnvironment({ https_proxy: 'http://proxy:3128', NO_PROXY: '.intranet.example' });
    expect(proxies.proxyFor(url('https://rms.intranet.example/'))).toBeUndefined();
    expect(proxies.proxyFor(url('https://rms.cloud.example/'))?.origin).toBe('http://proxy:3128');
  });

  it('ignores HTTP_PROXY in upper case under CGI (REQUEST_METHOD set), where a client sets it with a Proxy: header', () => {
    expect(Proxies.fromEnvironment({ HTTP_PROXY: 'http://attacker:80', REQUEST_METHOD: 'GET' }).proxyFor(url('http://rms.example/'))).toBeUndefined();
    expect(Proxies.fromEnvironment({ http_proxy: 'http://proxy:80', REQUEST_METHOD: 'GET' }).proxyFor(url('http://rms.example/'))?.origin).toBe('http://proxy:80');
  });

  it('names a variable it cannot read, without quoting it', () => {
    expect(() => Proxies.fromEnvironment({ HTTPS_PROXY: `https://u:${ENCODED}@proxy:3128` })).toThrow(refusal({ code: 'INVALID_SETTING', variable: 'HTTPS_PROXY' }));
    expect(() => Proxies.fromEnvironment({ no_proxy: 'a b' })).toThrow(refusal({ code: 'INVALID_SETTING', variable: 'no_proxy' }));
  });
});

describe('the ProxyServer and ProxyBypass settings', () => {
  let machine: string;
  beforeEach(() => {
    machine = mkdtempSync(path.join(os.tmpdir(), 'openrms-proxy-settings-'));
  });
  afterEach(() => rmSync(machine, { recursive: true, force: true }));

  function settingsWith(reg: string, env: NodeJS.ProcessEnv = {}, overrides = {}) {
    writeFileSync(path.join(machine, 'proxy.reg'), `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Proxy]\r\n${reg}\r\n`);
    return loadClientSettings({ machineFolder: machine, storeRoot: path.join(machine, 'store'), env, overrides });
  }

  it('sends every service through ProxyServer, over HTTPS_PROXY and HTTP_PROXY, leaving out ProxyBypass over NO_PROXY', () => {
    const proxies = settingsWith(`"ProxyServer"="http://alice:${ENCODED}@proxy.corp.example:3128"\r\n"ProxyBypass"="rms.corp.example"`,
      { HTTPS_PROXY: 'http://other:1', HTTP_PROXY: 'http://other:2', NO_PROXY: '*' }).proxies;
    expect(proxies.proxyFor(new URL('https://cloud.example/'))?.origin).toBe('http://proxy.corp.example:3128');
    expect(proxies.proxyFor(new URL('http://cloud.example/'))?.proxyAuthorization()).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(proxies.proxyFor(new URL('https://rms.corp.example/'))).toBeUndefined();
  });

  it('falls back to the environment for what the settings leave unset', () => {
    const proxies = settingsWith('"ProxyBypass"="rms.corp.example"', { HTTPS_PROXY: 'http://envproxy:3128', NO_PROXY: '*' }).proxies;
    expect(proxies.proxyFor(new URL('https://cloud.example/'))?.origin).toBe('http://envproxy:3128');
    expect(proxies.proxyFor(new URL('https://rms.corp.example/'))).toBeUndefined();
    expect(proxies.proxyFor(new URL('http://cloud.example/'))).toBeUndefined();
  });

  it('takes OPENRMS_PROXY over the registry, and code over both', () => {
    const reg = '"ProxyServer"="http://registry:1"';
    expect(settingsWith(reg, { OPENRMS_PROXY: 'http://variable:2' }).proxies.https?.origin).toBe('http://variable:2');
    expect(settingsWith(reg, { OPENRMS_PROXY: 'http://variable:2' }, { proxyServer: 'http://code:3', proxyBypass: '' }).proxies.https?.origin).toBe('http://code:3');
  });

  it('refuses a bad ProxyServer when the proxies are asked for, naming file and line and never quoting it', () => {
    const settings = settingsWith(`"ProxyServer"="https://alice:${ENCODED}@proxy:3128"`);
    expect(settings.traceEnabled).toBe(false);
    expect(() => settings.proxies).toThrow(refusal({ code: 'INVALID_SETTING', setting: 'ProxyServer', line: 4 }));
  });

  it('shows the ProxyServer setting in the report with its password masked', () => {
    const line = settingsWith(`"ProxyServer"="http://alice:${ENCODED}@proxy:3128"`).report().find((entry) => entry.name === 'ProxyServer');
    expect(line).toMatchObject({ value: 'http://alice:***@proxy:3128', source: { kind: 'registry', key: 'SOFTWARE\\Microsoft\\MSIPC\\Proxy', value: 'ProxyServer' } });
  });
});
