/**
 * Every setting of the RMS client deployment notes (and the File API configuration page) that
 * openrms reads: where it lives, its type, the environment variable that overrides it, and how
 * its data is checked. The hives and keys are MSIPC's, unchanged:
 *
 *   machine settings   HKLM\SOFTWARE\Microsoft\MSIPC\...  in both modes
 *   identity settings  HKCU\Software\Classes\Local Settings\Software\Microsoft\MSIPC  in client mode,
 *                      HKLM\SOFTWARE\Microsoft\MSIPC\Server\<account>  in server mode
 *
 * Bad data is either refused (INVALID_SETTING when the setting is asked for) or ignored with a
 * warning, following MSIPC where it says: the File API ignores an Encryption value it does not
 * know, and a flag that is not a REG_DWORD is taken as unset. docs/settings.md has the table.
 */
import path from 'node:path';

import { isIP } from 'node:net';

import { NoProxyList, parseProxyUrl } from '../transport/proxy-config';
import { Hive } from './hive';
import { REGISTRY_TYPES, RegistryValue } from './registry-value';

export type SettingsMode = 'client' | 'server';

/** Where a setting lives: the machine's MSIPC key, or the identity's (see above). */
export type SettingScope = 'machine' | 'identity';

export const MSIPC_KEY = 'SOFTWARE\\Microsoft\\MSIPC';
export const CLIENT_IDENTITY_KEY = 'Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC';

/** The hive and key a scope's settings live under in `mode`. */
export function scopeRoot(scope: SettingScope, mode: SettingsMode, account: string | undefined): { hive: Hive; key: string } {
  if (scope === 'machine') return { hive: 'HKLM', key: MSIPC_KEY };
  if (mode === 'client') return { hive: 'HKCU', key: CLIENT_IDENTITY_KEY };
  return { hive: 'HKLM', key: `${MSIPC_KEY}\\Server\\${account ?? ''}` };
}

/** The File API's three protection modes (FileProtection\<EXT>\Encryption). */
export type FileProtectionMode = 'Off' | 'Native' | 'Pfile';
export const FILE_PROTECTION_MODES: readonly FileProtectionMode[] = ['Off', 'Native', 'Pfile'];

/**
 * Office formats, which the `*` wildcard does not cover (they are set only by their own key),
 * as the File API configuration page lists them.
 */
export const OFFICE_EXTENSIONS: ReadonlySet<string> = new Set([
  'doc', 'dot', 'xla', 'xls', 'xlt', 'pps', 'ppt', 'docm', 'docx', 'dotm', 'dotx', 'xlam', 'xlsb', 'xlsm', 'xlsx', 'xltm',
  'xltx', 'xps', 'potm', 'potx', 'ppsx', 'ppsm', 'pptm', 'pptx', 'thmx',
]);

/** What reading a setting's data gave: a value, a refusal, or data to ignore with a warning. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; ignored: boolean };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refused = (reason: string): Parsed<never> => ({ ok: false, reason, ignored: false });
const ignored = (reason: string): Parsed<never> => ({ ok: false, reason, ignored: true });

export interface SettingDefinition<T> {
  /** The name `openrms config` uses, and the value name in the registry. */
  readonly name: string;
  readonly scope: SettingScope;
  /** The key below the scope's root ('' for the root itself). */
  readonly key: string;
  /** The value name ('' for the key's default value). */
  readonly value: string;
  /** The environment variable that overrides the registry, if there is one. */
  readonly variable?: string;
  /** Reads the registry's data. */
  read(value: RegistryValue): Parsed<T>;
  /** Reads text (an environment variable, `openrms config set`). */
  parse(text: string): Parsed<T>;
  /** The registry value that stores `value`. */
  toRegistry(value: T): RegistryValue;
}

function stringOf(value: RegistryValue): string | undefined {
  return value.type === REGISTRY_TYPES.REG_SZ || value.type === REGISTRY_TYPES.REG_EXPAND_SZ ? value.asString() : undefined;
}

/** An absolute http(s) URL, as the service locations and redirections are. */
export function parseServiceUrl(text: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return refused(`${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refused(`${JSON.stringify(text)} is not an http or https URL`);
  // A service is reached at its origin, so URL credentials are never sent, only shown (config list, discover, errors): refused, never quoted.
  if (url.username !== '' || url.password !== '') return refused(`a service URL with a user name or password in it (${url.protocol}//${url.host}): credentials are never sent in a URL; remove them`);
  return ok(text.trim());
}

/** Any absolute URI (the federation home realm is an identifier, `http://adfs.../adfs/services/trust`). */
function parseUri(text: string): Parsed<string> {
  try {
    new URL(text.trim());
  } catch {
    return refused(`${JSON.stringify(text)} is not an absolute URI`);
  }
  return ok(text.trim());
}

function urlSetting(name: string, scope: SettingScope, key: string, value: string, variable: string, parse: (text: string) => Parsed<string>): SettingDefinition<string> {
  return {
    name, scope, key, value, variable, parse,
    read: (data) => {
      const text = stringOf(data);
      return text === undefined ? refused(`must be a REG_SZ, not a ${data.typeName}`) : parse(text);
    },
    toRegistry: (text) => RegistryValue.string(text),
  };
}

/** A DWORD read as on or off: any non-zero value is on, as MSIPC reads its flags. */
function flagSetting(name: string, scope: SettingScope, key: string, variable: string): SettingDefinition<boolean> {
  return {
    name, scope, key, value: name, variable,
    read: (data) => {
      const number = data.asDword();
      return number === undefined ? ignored(`is a ${data.typeName}, not a REG_DWORD; taken as not set`) : ok(number !== 0);
    },
    parse: (text) => {
      const word = text.trim().toLowerCase();
      if (word === 'true' || word === 'on') return ok(true);
      if (word === 'false' || word === 'off') return ok(false);
      return /^\d{1,10}$/.test(word) && Number(word) <= 0xffffffff ? ok(Number(word) !== 0) : refused(`${JSON.stringify(text)} is not 0 or 1`);
    },
    toRegistry: (on) => RegistryValue.dword(on ? 1 : 0),
  };
}

/** A DWORD count of days or seconds, at least 1 as the notes require. */
function countSetting(name: string, unit: string, variable: string): SettingDefinition<number> {
  const check = (count: number): Parsed<number> => (count >= 1 ? ok(count) : refused(`must be at least 1 ${unit}, not ${count}`));
  return {
    name, scope: 'identity', key: '', value: name, variable,
    read: (data) => {
      const number = data.asDword();
      return number === undefined ? refused(`must be a REG_DWORD number of ${unit}s, not a ${data.typeName}`) : check(number);
    },
    parse: (text) => (/^\d{1,10}$/.test(text.trim()) && Number(text) <= 0xffffffff ? check(Number(text)) : refused(`${JSON.stringify(text)} is not a whole number of ${unit}s`)),
    toRegistry: (count) => RegistryValue.dword(count),
  };
}

export const ENTERPRISE_CERTIFICATION = urlSetting('EnterpriseCertification', 'machine', 'ServiceLocation\\EnterpriseCertification', '',
  'OPENRMS_ENTERPRISE_CERTIFICATION', parseServiceUrl);
export const ENTERPRISE_PUBLISHING = urlSetting('EnterprisePublishing', 'machine', 'ServiceLocation\\EnterprisePublishing', '',
  'OPENRMS_ENTERPRISE_PUBLISHING', parseServiceUrl);
export const TRACE = flagSetting('Trace', 'machine', '', 'OPENRMS_TRACE');
export const TEMPLATE_UPDATE_FREQUENCY = countSetting('TemplateUpdateFrequency', 'day', 'OPENRMS_TEMPLATE_UPDATE_FREQUENCY');
export const TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS = countSetting('TemplateUpdateFrequencyInSeconds', 'second',
  'OPENRMS_TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS');
export const FEDERATION_HOME_REALM = urlSetting('FederationHomeRealm', 'machine', 'Federation', 'FederationHomeRealm',
  'OPENRMS_FEDERATION_HOME_REALM', parseUri);
export const ENABLE_BROWSER = flagSetting('EnableBrowser', 'machine', 'Federation', 'OPENRMS_ENABLE_BROWSER');
export const DISABLE_PASSPORT_CERTIFICATION = flagSetting('DisablePassportCertification', 'identity', '', 'OPENRMS_DISABLE_PASSPORT_CERTIFICATION');
export const ALLOW_TRUSTED_SERVERS_ONLY = flagSetting('AllowTrustedServersOnly', 'machine', 'TrustedServers', 'OPENRMS_ALLOW_TRUSTED_SERVERS_ONLY');

/*
 * openrms's own: the HTTP proxy of every service, `http://[user:password@]host[:port]`, and the
 * hosts reached without it, in NO_PROXY syntax, at `MSIPC\Proxy` (the value names are WinINet's
 * ProxyServer and ProxyBypass). The text is kept as written, since `openrms config set` writes it
 * back; a reason never quotes it, since a proxy URL may hold a password.
 */
export const PROXY_SERVER = urlSetting('ProxyServer', 'machine', 'Proxy', 'ProxyServer', 'OPENRMS_PROXY', (text) => {
  const parsed = parseProxyUrl(text);
  return parsed.ok ? ok(text.trim()) : refused(`the proxy URL ${parsed.reason}`);
});
export const PROXY_BYPASS = urlSetting('ProxyBypass', 'machine', 'Proxy', 'ProxyBypass', 'OPENRMS_NO_PROXY', (text) => {
  const parsed = NoProxyList.parse(text);
  return parsed.ok ? ok(text.trim()) : refused(parsed.reason);
});

/*
 * Discovery (docs/discovery.md). The cloud service sits beside MSIPC's other ServiceLocation
 * keys; the rest are openrms's own values under `MSIPC\Discovery`, for what Windows takes from
 * the machine's domain membership (its directory, its DNS servers).
 */

/** A text setting of `MSIPC\Discovery`, checked by `parse`. */
function discoverySetting(name: string, variable: string, parse: (text: string) => Parsed<string>): SettingDefinition<string> {
  return urlSetting(name, 'machine', 'Discovery', name, variable, parse);
}

/** DNS servers as `node:dns` `setServers` takes them: IP addresses, each with an optional port. */
function parseDnsServers(text: string): Parsed<string> {
  const servers = text.split(/[\s,;]+/).filter((server) => server !== '');
  if (servers.length === 0) return refused('names no DNS server');
  for (const server of servers) {
    // `[v6]:port`, `v4:port`, or an address alone (a bare IPv6 address has no port).
    const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(server);
    const address = match?.[1] ?? server;
    const port = match?.[2];
    if (isIP(address) === 0) return refused(`${JSON.stringify(server)} is not an IP address with an optional :port`);
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return refused(`${JSON.stringify(server)} has a port out of 1-65535`);
  }
  return ok(servers.join(','));
}

/** A directory server: an ldap:// or ldaps:// URL with a host and nothing after it. */
function parseDirectoryUrl(text: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return refused(`${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') return refused(`${JSON.stringify(text)} is not an ldap:// or ldaps:// URL`);
  if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.username !== '') {
    return refused(`${JSON.stringify(text)} must be ldap(s)://host[:port] and nothing more`);
  }
  return ok(text.trim().replace(/\/+$/, ''));
}

function parseDomain(text: string): Parsed<string> {
  const domain = text.trim().replace(/\.$/, '').toLowerCase();
  return HOST_NAME.test(domain) ? ok(domain) : refused(`${JSON.stringify(text)} is not a DNS domain`);
}

/** A distinguished name, or a path of RDNs below another: `attribute=value` parts separated by commas. */
function parseDn(text: string): Parsed<string> {
  const dn = text.trim();
  const parts = dn.split(/(?<!\\),/);
  return dn !== '' && parts.every((part) => /^\s*[A-Za-z][A-Za-z0-9-]*\s*=\s*\S/.test(part)) ? ok(dn) : refused(`${JSON.stringify(text)} is not a distinguished name (CN=...,CN=...)`);
}

function parseText(text: string): Parsed<string> {
  return text.trim() === '' ? refused('is empty') : ok(text.trim());
}

export const CLOUD_SERVICE = urlSetting('CloudService', 'machine', 'ServiceLocation\\CloudService', '', 'OPENRMS_CLOUD_SERVICE', parseServiceUrl);
export const DNS_SERVERS = discoverySetting('DnsServers', 'OPENRMS_DNS_SERVERS', parseDnsServers);
export const DIRECTORY = discoverySetting('Directory', 'OPENRMS_DIRECTORY', parseDirectoryUrl);
export const DIRECTORY_DOMAIN = discoverySetting('DirectoryDomain', 'OPENRMS_DIRECTORY_DOMAIN', parseDomain);
export const DIRECTORY_BIND_DN = discoverySetting('DirectoryBindDn', 'OPENRMS_DIRECTORY_BIND_DN', parseDn);
export const DIRECTORY_PASSWORD_FILE = discoverySetting('DirectoryPasswordFile', 'OPENRMS_DIRECTORY_PASSWORD_FILE', parseText);
export const DIRECTORY_START_TLS = flagSetting('DirectoryStartTls', 'machine', 'Discovery', 'OPENRMS_DIRECTORY_STARTTLS');
export const SCP_PATH = discoverySetting('ScpPath', 'OPENRMS_SCP_PATH', parseDn);

/** Seconds a discovered service is remembered; 0 runs discovery every time. */
export const DISCOVERY_CACHE_SECONDS: SettingDefinition<number> = {
  name: 'DiscoveryCacheSeconds', scope: 'machine', key: 'Discovery', value: 'DiscoveryCacheSeconds', variable: 'OPENRMS_DISCOVERY_CACHE_SECONDS',
  read: (data) => {
    const number = data.asDword();
    return number === undefined ? refused(`must be a REG_DWORD number of seconds, not a ${data.typeName}`) : ok(number);
  },
  parse: (text) => (/^\d{1,10}$/.test(text.trim()) && Number(text) <= 0xffffffff ? ok(Number(text)) : refused(`${JSON.stringify(text)} is not a whole number of seconds`)),
  toRegistry: (seconds) => RegistryValue.dword(seconds),
};

/** An absolute file path (a relative one would depend on the folder each process starts in). */
function parseAbsolutePath(text: string): Parsed<string> {
  return path.isAbsolute(text.trim()) ? ok(text.trim()) : refused(`${JSON.stringify(text)} is not an absolute file path`);
}

/** openrms's own: a PEM file of CA certificates trusted for every service's TLS besides Node's, at `MSIPC\TLS`. */
export const CA_FILE = urlSetting('CAFile', 'machine', 'TLS', 'CAFile', 'OPENRMS_CA', parseAbsolutePath);

/** The settings that hold one value each, in the order `openrms config list` shows them. */
export const SCALAR_SETTINGS: readonly SettingDefinition<unknown>[] = [
  ENTERPRISE_CERTIFICATION, ENTERPRISE_PUBLISHING, TRACE, TEMPLATE_UPDATE_FREQUENCY, TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS,
  FEDERATION_HOME_REALM, ENABLE_BROWSER, DISABLE_PASSPORT_CERTIFICATION, ALLOW_TRUSTED_SERVERS_ONLY, CA_FILE,
  CLOUD_SERVICE, DNS_SERVERS, DIRECTORY, DIRECTORY_DOMAIN, DIRECTORY_BIND_DN, DIRECTORY_PASSWORD_FILE, DIRECTORY_START_TLS, SCP_PATH,
  DISCOVERY_CACHE_SECONDS,
  PROXY_SERVER, PROXY_BYPASS,
] as readonly SettingDefinition<unknown>[];

/**
 * The settings that hold a list: one entry per value (LicensingRedirection, TrustedServers:
 * the entry is the value's name) or per subkey (FileProtection: the entry is the extension).
 */
export interface ListDefinition<T> {
  readonly name: string;
  readonly key: string;
  /** For an entry per subkey, the value read in each subkey. */
  readonly subkeyValue?: string;
  /** Reads one entry: its name and the registry's data. */
  read(entry: string, value: RegistryValue): Parsed<T>;
  /** Reads an entry's name and text (`openrms config set NAME\ENTRY TEXT`). */
  parse(entry: string, text: string): Parsed<T>;
  toRegistry(value: T): RegistryValue;
  /** How `openrms config` shows an entry's data. */
  describe(value: T): string;
}

/** A licensing redirection: the old licensing URL (the value's name) and the new one (its data). */
export interface LicensingRedirection {
  from: string;
  to: string;
}

export const LICENSING_REDIRECTION: ListDefinition<LicensingRedirection> = {
  name: 'LicensingRedirection',
  key: 'ServiceLocation\\LicensingRedirection',
  read(entry, value) {
    const text = stringOf(value);
    return text === undefined ? refused(`must be a REG_SZ, not a ${value.typeName}`) : this.parse(entry, text);
  },
  parse(entry, text) {
    const from = parseServiceUrl(entry);
    if (!from.ok) return refused(`the value name (the old licensing URL): ${from.reason}`);
    const to = parseServiceUrl(text);
    if (!to.ok) return refused(`the data (the new licensing URL): ${to.reason}`);
    return ok({ from: from.value, to: to.value });
  },
  toRegistry: (redirection) => RegistryValue.string(redirection.to),
  describe: (redirection) => redirection.to,
};

/** A trusted server: a DNS name, or a URL (whose https: says to use TLS). */
export interface TrustedServer {
  /** As written in the registry. */
  entry: string;
  /** Lower case. */
  host: string;
  /** The URL, when the entry is one. */
  url?: string;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function parseTrustedServer(text: string): Parsed<TrustedServer> {
  const entry = text.trim();
  if (HOST_NAME.test(entry)) return ok({ entry, host: entry.toLowerCase() });
  const url = parseServiceUrl(entry);
  if (!url.ok) return refused(`${JSON.stringify(text)} is neither a DNS name nor an http(s) URL`);
  return ok({ entry, host: new URL(entry).hostname.toLowerCase(), url: new URL(entry).href });
}

/**
 * The notes write a trusted server as a REG_SZ "<URL_or_HostName>": Registry Editor users put it
 * in the value's name (leaving the data empty) or in the data, so openrms takes the data when
 * there is some and the name otherwise.
 */
export const TRUSTED_SERVERS: ListDefinition<TrustedServer> = {
  name: 'TrustedServers',
  key: 'TrustedServers',
  read(entry, value) {
    const text = stringOf(value);
    if (text === undefined) return ignored(`is a ${value.typeName}, not a REG_SZ server entry; ignored`);
    return this.parse(entry, text);
  },
  parse: (entry, text) => parseTrustedServer(text.trim() === '' ? entry : text),
  toRegistry: (server) => RegistryValue.string(server.entry),
  describe: (server) => server.entry,
};

/** The protection of one file name extension. */
export interface FileProtection {
  /** The key's name: an extension without its dot (`txt`), `*` for any, `.` for none; lower case. */
  extension: string;
  mode: FileProtectionMode;
}

export const FILE_PROTECTION: ListDefinition<FileProtection> = {
  name: 'FileProtection',
  key: 'FileProtection',
  subkeyValue: 'Encryption',
  read(entry, value) {
    const text = stringOf(value);
    if (text === undefined) return ignored(`is a ${value.typeName}, not a REG_SZ; the file type keeps its default protection`);
    const parsed = this.parse(entry, text);
    // The File API configuration page: "Setting any other value ... results in default behavior."
    return parsed.ok ? parsed : ignored(`${parsed.reason}; the file type keeps its default protection`);
  },
  parse(entry, text) {
    if (!/^(\*|\.|[^.\\*]+)$/.test(entry)) return refused(`${JSON.stringify(entry)} is not an extension without its dot, * or .`);
    const mode = FILE_PROTECTION_MODES.find((candidate) => candidate.toLowerCase() === text.trim().toLowerCase());
    if (mode === undefined) return refused(`${JSON.stringify(text)} is not Off, Native or Pfile`);
    return ok({ extension: entry.toLowerCase(), mode });
  },
  toRegistry: (protection) => RegistryValue.string(protection.mode),
  describe: (protection) => protection.mode,
};

export const LIST_SETTINGS: readonly ListDefinition<unknown>[] = [LICENSING_REDIRECTION, TRUSTED_SERVERS, FILE_PROTECTION] as readonly ListDefinition<unknown>[];

/** A setting as `openrms config` names it: `Trace`, or `LicensingRedirection\<old URL>` for a list entry. */
export type NamedSetting =
  | { kind: 'scalar'; definition: SettingDefinition<unknown> }
  | { kind: 'list'; definition: ListDefinition<unknown>; entry: string | undefined };

/** The setting `name` stands for (compared without regard to case), or undefined. */
export function settingNamed(name: string): NamedSetting | undefined {
  const separator = name.indexOf('\\');
  const head = (separator === -1 ? name : name.slice(0, separator)).toLowerCase();
  if (separator === -1) {
    const scalar = SCALAR_SETTINGS.find((definition) => definition.name.toLowerCase() === head);
    if (scalar !== undefined) return { kind: 'scalar', definition: scalar };
  }
  const list = LIST_SETTINGS.find((definition) => definition.name.toLowerCase() === head);
  if (list === undefined) return undefined;
  const entry = separator === -1 ? undefined : name.slice(separator + 1);
  return entry === '' ? undefined : { kind: 'list', definition: list, entry };
}

/** Every name `openrms config` knows, for its messages. */
export const SETTING_NAMES: readonly string[] = [...SCALAR_SETTINGS.map((definition) => definition.name), ...LIST_SETTINGS.map((definition) => `${definition.name}\\ENTRY`)];
