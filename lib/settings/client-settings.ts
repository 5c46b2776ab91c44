/**
 * The settings a client runs with, read once into an immutable object (DESIGN decision 9).
 * Each setting is taken from the first of these that has it:
 *
 *   1. the options passed in code (`overrides`)
 *   2. its environment variable (OPENRMS_TRACE, ...; see msipc-settings.ts)
 *   3. the registry: Windows's on Windows, the `.reg` folders elsewhere (or the reader passed as
 *      `registry`), through the 32-bit view for an ia32 process
 *   4. MSIPC's default
 *
 * A list setting (LicensingRedirection, TrustedServers, FileProtection) passed in code replaces
 * the registry's list whole. A setting whose data is bad does not stop the load: asking for it
 * throws its INVALID_SETTING error, so one administrator's mistake fails only what depends on it;
 * data MSIPC ignores is ignored here too, with a line in `warnings`.
 */
import path from 'node:path';

import { invalidArgument } from '../errors';
import { defaultStoreRoot } from '../store/store-root';
import { describeProxyUrl, environmentNoProxy, environmentProxy, Proxies, proxyVariables } from '../transport/proxy-config';
import { Hive } from './hive';
import {
  ALLOW_TRUSTED_SERVERS_ONLY, CA_FILE, DISABLE_PASSPORT_CERTIFICATION, ENABLE_BROWSER, ENTERPRISE_CERTIFICATION, ENTERPRISE_PUBLISHING,
  FEDERATION_HOME_REALM, FILE_PROTECTION, FileProtection, FileProtectionMode, LICENSING_REDIRECTION, LicensingRedirection,
  ListDefinition, OFFICE_EXTENSIONS, scopeRoot, SettingDefinition, SettingsMode, TEMPLATE_UPDATE_FREQUENCY,
  TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS, TRACE, TRUSTED_SERVERS, TrustedServer,
  CLOUD_SERVICE, DIRECTORY, DIRECTORY_BIND_DN, DIRECTORY_DOMAIN, DIRECTORY_PASSWORD_FILE, DIRECTORY_START_TLS, DISCOVERY_CACHE_SECONDS, DNS_SERVERS, SCP_PATH,
  PROXY_BYPASS, PROXY_SERVER,
} from './msipc-settings';
import { platformRegistry } from './platform-registry';
import { RegFolder } from './reg-folders';
import { RegistrySource } from './registry-source';
import { describeLocation, InvalidSettingError, SettingLocation } from './settings-errors';
import { machineRegistryFolder, requireAccountName, serverStoreRoot, userRegistryFolder } from './settings-folders';
import { registryView, viewedKeyPath } from './wow64-view';

/** Settings passed in code: they win over the environment and the registry. */
export interface SettingsOverrides {
  enterpriseCertification?: string;
  enterprisePublishing?: string;
  /** Old licensing URL to new one; replaces the registry's LicensingRedirection list. */
  licensingRedirection?: Readonly<Record<string, string>>;
  trace?: boolean;
  /** Days between template downloads (at least 1). */
  templateUpdateFrequency?: number;
  /** Seconds between template downloads (at least 1); wins over days. */
  templateUpdateFrequencyInSeconds?: number;
  federationHomeRealm?: string;
  enableBrowser?: boolean;
  disablePassportCertification?: boolean;
  allowTrustedServersOnly?: boolean;
  /** DNS names or URLs; replaces the registry's TrustedServers list. */
  trustedServers?: readonly string[];
  /** An absolute path to a PEM file of CA certificates trusted for every service (openrms's `CAFile`). */
  caFile?: string;
  /** Extension (without its dot, `*` or `.`) to protection; replaces the registry's FileProtection keys. */
  fileProtection?: Readonly<Record<string, FileProtectionMode>>;
  /** The HTTP proxy of every service, `http://[user:password@]host[:port]`; wins over HTTPS_PROXY and HTTP_PROXY. */
  proxyServer?: string;
  /** The hosts reached without a proxy, NO_PROXY syntax; wins over NO_PROXY. */
  proxyBypass?: string;
  /** Discovery (docs/discovery.md): the cloud service's URL, tried last. */
  cloudService?: string;
  /** DNS servers discovery asks, `ip[:port]` or `[ipv6]:port`, comma-separated. */
  dnsServers?: string;
  /** The directory holding the service connection point, `ldap(s)://host[:port]`. */
  directory?: string;
  /** The domain whose `_ldap._tcp` SRV records name the directory (default: the user's email domain). */
  directoryDomain?: string;
  directoryBindDn?: string;
  /** A file holding the password of `directoryBindDn`. */
  directoryPasswordFile?: string;
  directoryStartTls?: boolean;
  /** The service connection point's DN below the configuration naming context. */
  scpPath?: string;
  /** Seconds a discovered service is remembered (0: never). */
  discoveryCacheSeconds?: number;
}

export interface LoadSettingsOptions {
  /** Client mode reads the user's settings (HKCU); server mode a service account's (default client). */
  mode?: SettingsMode;
  /** The service account, in server mode. */
  account?: string;
  /** The store root (default: OPENRMS_HOME or the user's data folder; in server mode `serverStoreRoot(account)`). */
  storeRoot?: string;
  /** The folder of machine-wide `.reg` files (default: `machineRegistryFolder()`). */
  machineFolder?: string;
  env?: NodeJS.ProcessEnv;
  /** The process architecture (default `process.arch`): `ia32` reads the 32-bit view. */
  arch?: string;
  platform?: NodeJS.Platform;
  overrides?: SettingsOverrides;
  /** Where the registry is read from (default: the `.reg` folders). */
  registry?: RegistrySource;
}

/** Where a setting's value came from. */
export type SettingSource =
  | { kind: 'code' }
  | { kind: 'environment'; variable: string }
  | { kind: 'registry'; hive: Hive; key: string; value: string; file?: string; line?: number }
  | { kind: 'default' };

/** One line of `openrms config list`. */
export interface SettingReport {
  /** The setting's name; an entry of a list setting is `LicensingRedirection\<old URL>`. */
  name: string;
  value: string | number | boolean | null;
  source: SettingSource;
  /** Why the data was refused: asking for the setting throws this. */
  error?: InvalidSettingError;
  /** Why the data was ignored. */
  warning?: string;
}

interface Resolved<T> {
  value: T | undefined;
  source: SettingSource;
  error?: InvalidSettingError;
  warning?: string;
}

interface ResolvedEntry<T> extends Resolved<T> {
  entry: string;
}

const DEFAULT: SettingSource = Object.freeze({ kind: 'default' });
const CODE: SettingSource = Object.freeze({ kind: 'code' });
const LAYER_RANK: Record<SettingSource['kind'], number> = { code: 3, environment: 2, registry: 1, default: 0 };

/** The AD RMS console's service connection point, below the configuration naming context. */
export const DEFAULT_SCP_PATH = 'CN=SCP,CN=RightsManagementServices,CN=Services';

export const DEFAULT_DISCOVERY_CACHE_SECONDS = 3600;

/** Where the service connection point is looked for (`ClientSettings.directory`). */
export interface DirectorySettings {
  readonly url: string | undefined;
  readonly domain: string | undefined;
  readonly bindDn: string | undefined;
  readonly passwordFile: string | undefined;
  readonly startTls: boolean;
  readonly scpPath: string;
}

interface DiscoverySettings {
  cloudService: Resolved<string>;
  dnsServers: Resolved<string>;
  directory: Resolved<string>;
  directoryDomain: Resolved<string>;
  directoryBindDn: Resolved<string>;
  directoryPasswordFile: Resolved<string>;
  directoryStartTls: Resolved<boolean>;
  scpPath: Resolved<string>;
  cacheSeconds: Resolved<number>;
}

/** The definitions of DiscoverySettings's fields, in their order (for the report). */
const DISCOVERY_DEFINITIONS = [
  CLOUD_SERVICE, DNS_SERVERS, DIRECTORY, DIRECTORY_DOMAIN, DIRECTORY_BIND_DN, DIRECTORY_PASSWORD_FILE, DIRECTORY_START_TLS, SCP_PATH, DISCOVERY_CACHE_SECONDS,
] as const;

/** MSIPC's template refresh interval when neither frequency is set (client 1.0.1784.0 and later). */
export const DEFAULT_TEMPLATE_UPDATE_SECONDS = 24 * 60 * 60;

/** Where the settings of a mode live: the store, the `.reg` folders, and the process they are read for. */
export interface SettingsPlace {
  mode: SettingsMode;
  /** The service account (server mode). */
  account: string | undefined;
  storeRoot: string;
  machineFolder: string;
  /** The user's `.reg` folder; none in server mode. */
  userFolder: string | undefined;
  /** The folders with the one hive each may set. */
  folders: readonly RegFolder[];
  env: NodeJS.ProcessEnv;
  arch: string;
}

/** The place `options` describe, with the defaults `loadClientSettings` uses. */
export function settingsPlace(options: Omit<LoadSettingsOptions, 'overrides' | 'registry'> = {}): SettingsPlace {
  const mode = options.mode ?? 'client';
  if (mode !== 'client' && mode !== 'server') throw invalidArgument('mode', '"client" or "server"');
  if (mode === 'client' && options.account !== undefined) throw invalidArgument('account', 'given only in server mode');
  const account = mode === 'server' ? requireAccountName(options.account) : undefined;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const storeRoot = options.storeRoot ?? (account === undefined ? defaultStoreRoot(env) : serverStoreRoot(account, { env, platform }));
  const machineFolder = options.machineFolder ?? machineRegistryFolder({ env, platform });
  // Server mode never reads HKCU: a service account has no user's settings (MSIPC's split).
  const userFolder = mode === 'client' ? userRegistryFolder(storeRoot) : undefined;
  const folders: RegFolder[] = [{ folder: machineFolder, hive: 'HKLM' }];
  if (userFolder !== undefined) folders.push({ folder: userFolder, hive: 'HKCU' });
  return { mode, account, storeRoot, machineFolder, userFolder, folders, env, arch: options.arch ?? process.arch };
}

export function loadClientSettings(options: LoadSettingsOptions = {}): ClientSettings {
  const place = settingsPlace(options);
  return new ClientSettings({ ...place, registry: options.registry ?? platformRegistry(place.folders), overrides: options.overrides ?? {} });
}

interface SettingsContext extends SettingsPlace {
  registry: RegistrySource;
  overrides: SettingsOverrides;
}

export class ClientSettings {
  readonly mode: SettingsMode;
  /** The service account (server mode). */
  readonly account: string | undefined;
  readonly storeRoot: string;
  readonly machineFolder: string;
  /** The user's `.reg` folder; none in server mode. */
  readonly userFolder: string | undefined;
  /** The process architecture the registry was read for. */
  readonly arch: string;
  /** Data that was ignored, each line naming the setting and where the data is. */
  readonly warnings: readonly string[];

  private readonly enterpriseCertification: Resolved<string>;
  private readonly enterprisePublishing: Resolved<string>;
  private readonly trace: Resolved<boolean>;
  private readonly updateDays: Resolved<number>;
  private readonly updateSeconds: Resolved<number>;
  private readonly federationHomeRealmSetting: Resolved<string>;
  private readonly enableBrowser: Resolved<boolean>;
  private readonly disablePassport: Resolved<boolean>;
  private readonly trustedOnly: Resolved<boolean>;
  private readonly caFileSetting: Resolved<string>;
  private readonly redirections: readonly ResolvedEntry<LicensingRedirection>[];
  private readonly servers: readonly ResolvedEntry<TrustedServer>[];
  private readonly protections: readonly ResolvedEntry<FileProtection>[];
  private readonly proxyServer: Resolved<string>;
  private readonly proxyBypass: Resolved<string>;
  /** HTTPS_PROXY, NO_PROXY and the others, as they were when the settings were read. */
  private readonly proxyEnvironment: NodeJS.ProcessEnv;
  private readonly discovery: DiscoverySettings;

  /** Use `loadClientSettings`. */
  constructor(context: SettingsContext) {
    this.mode = context.mode;
    this.account = context.account;
    this.storeRoot = context.storeRoot;
    this.machineFolder = context.machineFolder;
    this.userFolder = context.userFolder;
    this.arch = context.arch;
    const reader = new SettingsReader(context);
    const o = context.overrides;
    this.enterpriseCertification = reader.scalar(ENTERPRISE_CERTIFICATION, o.enterpriseCertification, 'enterpriseCertification');
    this.enterprisePublishing = reader.scalar(ENTERPRISE_PUBLISHING, o.enterprisePublishing, 'enterprisePublishing');
    this.trace = reader.scalar(TRACE, o.trace, 'trace');
    this.updateDays = reader.scalar(TEMPLATE_UPDATE_FREQUENCY, o.templateUpdateFrequency, 'templateUpdateFrequency');
    this.updateSeconds = reader.scalar(TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS, o.templateUpdateFrequencyInSeconds, 'templateUpdateFrequencyInSeconds');
    this.federationHomeRealmSetting = reader.scalar(FEDERATION_HOME_REALM, o.federationHomeRealm, 'federationHomeRealm');
    this.enableBrowser = reader.scalar(ENABLE_BROWSER, o.enableBrowser, 'enableBrowser');
    this.disablePassport = reader.scalar(DISABLE_PASSPORT_CERTIFICATION, o.disablePassportCertification, 'disablePassportCertification');
    this.trustedOnly = reader.scalar(ALLOW_TRUSTED_SERVERS_ONLY, o.allowTrustedServersOnly, 'allowTrustedServersOnly');
    this.caFileSetting = reader.scalar(CA_FILE, o.caFile, 'caFile');
    this.redirections = reader.list(LICENSING_REDIRECTION, o.licensingRedirection === undefined ? undefined : entriesOf(o.licensingRedirection, 'licensingRedirection'),
      'licensingRedirection');
    this.servers = reader.list(TRUSTED_SERVERS, o.trustedServers === undefined ? undefined : listOf(o.trustedServers, 'trustedServers').map((entry) => [entry, '']),
      'trustedServers', (name) => name.toLowerCase() !== ALLOW_TRUSTED_SERVERS_ONLY.value.toLowerCase());
    this.protections = reader.list(FILE_PROTECTION, o.fileProtection === undefined ? undefined : entriesOf(o.fileProtection, 'fileProtection'), 'fileProtection');
    this.discovery = {
      cloudService: reader.scalar(CLOUD_SERVICE, o.cloudService, 'cloudService'),
      dnsServers: reader.scalar(DNS_SERVERS, o.dnsServers, 'dnsServers'),
      directory: reader.scalar(DIRECTORY, o.directory, 'directory'),
      directoryDomain: reader.scalar(DIRECTORY_DOMAIN, o.directoryDomain, 'directoryDomain'),
      directoryBindDn: reader.scalar(DIRECTORY_BIND_DN, o.directoryBindDn, 'directoryBindDn'),
      directoryPasswordFile: reader.scalar(DIRECTORY_PASSWORD_FILE, o.directoryPasswordFile, 'directoryPasswordFile'),
      directoryStartTls: reader.scalar(DIRECTORY_START_TLS, o.directoryStartTls, 'directoryStartTls'),
      scpPath: reader.scalar(SCP_PATH, o.scpPath, 'scpPath'),
      cacheSeconds: reader.scalar(DISCOVERY_CACHE_SECONDS, o.discoveryCacheSeconds, 'discoveryCacheSeconds'),
    };
    this.proxyServer = reader.scalar(PROXY_SERVER, o.proxyServer, 'proxyServer');
    this.proxyBypass = reader.scalar(PROXY_BYPASS, o.proxyBypass, 'proxyBypass');
    this.proxyEnvironment = proxyVariables(context.env);
    this.warnings = Object.freeze([...reader.warnings]);
    Object.freeze(this);
  }

  /** `ServiceLocation\EnterpriseCertification`: where to get a rights account certificate. */
  get enterpriseCertificationUrl(): string | undefined {
    return valueOf(this.enterpriseCertification);
  }

  /** `ServiceLocation\EnterprisePublishing`: the licensing service to publish to. */
  get enterprisePublishingUrl(): string | undefined {
    return valueOf(this.enterprisePublishing);
  }

  /** `ServiceLocation\LicensingRedirection`, every entry. */
  get licensingRedirections(): readonly LicensingRedirection[] {
    return Object.freeze(entriesValue(this.redirections));
  }

  /**
   * Where a licensing URL read from a publishing license is redirected, or undefined. URLs are
   * compared without regard to case or a trailing slash; an intranet and an extranet URL of the
   * same old service are two entries, each redirected only by its own.
   */
  redirectLicensingUrl(url: string): string | undefined {
    if (typeof url !== 'string') throw invalidArgument('url', 'a licensing URL');
    const key = comparableUrl(url);
    return entriesValue(this.redirections).find((redirection) => comparableUrl(redirection.from) === key)?.to;
  }

  /** `Trace`: whether to trace (to the store's logs folder and diagnostics_channel). */
  get traceEnabled(): boolean {
    return valueOf(this.trace) ?? false;
  }

  /**
   * Seconds between template downloads: `TemplateUpdateFrequencyInSeconds`, else
   * `TemplateUpdateFrequency` days, from the first source (code, environment, registry) that
   * sets either; one day when none does.
   */
  get templateUpdateIntervalSeconds(): number {
    const seconds = this.updateSeconds;
    const days = this.updateDays;
    // Within one source seconds win over days (the notes: "the value to refresh templates in days is ignored").
    if (LAYER_RANK[days.source.kind] > LAYER_RANK[seconds.source.kind]) return valueOf(days)! * 86400;
    if (seconds.source.kind !== 'default') return valueOf(seconds)!;
    return DEFAULT_TEMPLATE_UPDATE_SECONDS;
  }

  /** `Federation\FederationHomeRealm`: handed to the token provider. */
  get federationHomeRealm(): string | undefined {
    return valueOf(this.federationHomeRealmSetting);
  }

  /** `Federation\EnableBrowser`: whether a sign-in may show a person a browser (default no). */
  get browserEnabled(): boolean {
    return valueOf(this.enableBrowser) ?? false;
  }

  /** `DisablePassportCertification`: refuse content licensed to an individual (consumer) identity. */
  get passportCertificationDisabled(): boolean {
    return valueOf(this.disablePassport) ?? false;
  }

  /** `TrustedServers`: whether only the listed servers are trusted, and the list. */
  get trustedServers(): { readonly allowTrustedServersOnly: boolean; readonly servers: readonly TrustedServer[] } {
    return Object.freeze({ allowTrustedServersOnly: valueOf(this.trustedOnly) ?? false, servers: Object.freeze(entriesValue(this.servers)) });
  }

  /** openrms's `TLS\CAFile` (OPENRMS_CA): a PEM file of CA certificates trusted for every service, besides Node's. */
  get caFile(): string | undefined {
    return valueOf(this.caFileSetting);
  }

  /**
   * The proxies of requests to services (docs/discovery.md): openrms's `ProxyServer` for every
   * service when it is set (a setting for openrms wins over the variables every program reads,
   * as git's http.proxy does), else HTTPS_PROXY for https services and HTTP_PROXY for http ones;
   * `ProxyBypass` when it is set, else NO_PROXY.
   */
  get proxies(): Proxies {
    const server = valueOf(this.proxyServer);
    const bypass = valueOf(this.proxyBypass);
    const configured = Proxies.of({ https: server, http: server, noProxy: bypass });
    return new Proxies({
      https: server === undefined ? environmentProxy(this.proxyEnvironment, 'https') : configured.https,
      http: server === undefined ? environmentProxy(this.proxyEnvironment, 'http') : configured.http,
      noProxy: bypass === undefined ? environmentNoProxy(this.proxyEnvironment) : configured.noProxy,
    });
  }

  /** `FileProtection\<EXT>\Encryption`, every key that sets one. */
  get fileProtections(): readonly FileProtection[] {
    return Object.freeze(entriesValue(this.protections));
  }

  /**
   * The protection the administrator set for files named like `fileName`, or undefined for the
   * file type's default: its extension's key, else (except for Office formats) the `*` key;
   * a name without an extension has the `.` key.
   */
  fileProtectionFor(fileName: string): FileProtectionMode | undefined {
    if (typeof fileName !== 'string') throw invalidArgument('fileName', 'a file name');
    // Windows drops trailing dots and spaces from a name ("report.txt." is report.txt): so must the check.
    const extension = path.extname(fileName.replace(/[. ]+$/, '')).slice(1).toLowerCase() || '.';
    const protections = entriesValue(this.protections);
    const own = protections.find((protection) => protection.extension === extension);
    if (own !== undefined) return own.mode;
    if (extension === '.' || OFFICE_EXTENSIONS.has(extension)) return undefined;
    return protections.find((protection) => protection.extension === '*')?.mode;
  }

  /** `ServiceLocation\\CloudService`: the cloud licensing service, discovery's last step. */
  get cloudServiceUrl(): string | undefined {
    return valueOf(this.discovery.cloudService);
  }

  /** `Discovery\\DnsServers`: the DNS servers discovery asks (`ip[:port]` each); undefined for the system's. */
  get dnsServers(): readonly string[] | undefined {
    return valueOf(this.discovery.dnsServers)?.split(',');
  }

  /**
   * Where discovery finds the service connection point: `Discovery\\Directory` (else the `_ldap._tcp`
   * SRV records of `DirectoryDomain`, else of the user's email domain), bound as `DirectoryBindDn`
   * with the password in `DirectoryPasswordFile` (anonymously without), over StartTLS when
   * `DirectoryStartTls` is on (an ldaps:// directory is TLS from the start), at `ScpPath` below
   * the configuration naming context.
   */
  get directory(): DirectorySettings {
    const d = this.discovery;
    return Object.freeze({
      url: valueOf(d.directory), domain: valueOf(d.directoryDomain), bindDn: valueOf(d.directoryBindDn), passwordFile: valueOf(d.directoryPasswordFile),
      startTls: valueOf(d.directoryStartTls) ?? false, scpPath: valueOf(d.scpPath) ?? DEFAULT_SCP_PATH,
    });
  }

  /** `Discovery\\DiscoveryCacheSeconds`: how long a discovered service is remembered (default an hour; 0 never). */
  get discoveryCacheSeconds(): number {
    return valueOf(this.discovery.cacheSeconds) ?? DEFAULT_DISCOVERY_CACHE_SECONDS;
  }

  /** Every setting with its value and where it came from, for `openrms config list`. */
  report(): SettingReport[] {
    const scalar = (name: string, resolved: Resolved<unknown>): SettingReport => reportOf(name, resolved, (value) => value as SettingReport['value']);
    const list = <T>(definition: ListDefinition<T>, entries: readonly ResolvedEntry<T>[]): SettingReport[] => (entries.length === 0
      ? [{ name: definition.name, value: null, source: DEFAULT }]
      : entries.map((entry) => reportOf(`${definition.name}\\${entry.entry}`, entry, (value) => definition.describe(value))));
    return [
      scalar(ENTERPRISE_CERTIFICATION.name, this.enterpriseCertification),
      scalar(ENTERPRISE_PUBLISHING.name, this.enterprisePublishing),
      ...list(LICENSING_REDIRECTION, this.redirections),
      scalar(TRACE.name, this.trace),
      scalar(TEMPLATE_UPDATE_FREQUENCY.name, this.updateDays),
      scalar(TEMPLATE_UPDATE_FREQUENCY_IN_SECONDS.name, this.updateSeconds),
      scalar(FEDERATION_HOME_REALM.name, this.federationHomeRealmSetting),
      scalar(ENABLE_BROWSER.name, this.enableBrowser),
      scalar(DISABLE_PASSPORT_CERTIFICATION.name, this.disablePassport),
      scalar(ALLOW_TRUSTED_SERVERS_ONLY.name, this.trustedOnly),
      ...list(TRUSTED_SERVERS, this.servers),
      ...list(FILE_PROTECTION, this.protections),
      reportOf(PROXY_SERVER.name, this.proxyServer, describeProxyUrl),
      scalar(PROXY_BYPASS.name, this.proxyBypass),
      ...Object.values(this.discovery).map((resolved: Resolved<unknown>, i) => scalar(DISCOVERY_DEFINITIONS[i]!.name, resolved)),
      scalar(CA_FILE.name, this.caFileSetting),
    ];
  }
}

function reportOf<T>(name: string, resolved: Resolved<T>, show: (value: T) => SettingReport['value']): SettingReport {
  return {
    name,
    value: resolved.value === undefined ? null : show(resolved.value),
    source: resolved.source,
    ...(resolved.error === undefined ? {} : { error: resolved.error }),
    ...(resolved.warning === undefined ? {} : { warning: resolved.warning }),
  };
}

function valueOf<T>(resolved: Resolved<T>): T | undefined {
  if (resolved.error !== undefined) throw resolved.error;
  return resolved.value;
}

/** A list setting's entries; the first refused entry is thrown, since the list is incomplete without it. */
function entriesValue<T>(entries: readonly ResolvedEntry<T>[]): T[] {
  const refused = entries.find((entry) => entry.error !== undefined);
  if (refused !== undefined) throw refused.error;
  return entries.flatMap((entry) => (entry.value === undefined ? [] : [entry.value]));
}

function comparableUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

function entriesOf(record: unknown, option: string): [string, string][] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw invalidArgument(`overrides.${option}`, 'an object of strings');
  return Object.entries(record).map(([name, text]) => {
    if (typeof text !== 'string') throw invalidArgument(`overrides.${option}`, 'an object of strings');
    return [name, text];
  });
}

function listOf(list: unknown, option: string): string[] {
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) throw invalidArgument(`overrides.${option}`, 'an array of strings');
  return list as string[];
}

/** Resolves settings through code, environment, registry and default, collecting warnings. */
class SettingsReader {
  readonly warnings: string[] = [];
  private readonly registry: RegistrySource;

  constructor(private readonly context: SettingsContext) {
    this.registry = registryView(context.registry, context.arch);
  }

  scalar<T>(definition: SettingDefinition<T>, override: T | undefined, option: string): Resolved<T> {
    if (override !== undefined) {
      const parsed = definition.parse(String(override));
      if (!parsed.ok || typeof parsed.value !== typeof override) throw invalidArgument(`overrides.${option}`, parsed.ok ? `a ${typeof parsed.value}` : `valid: ${parsed.reason}`);
      return { value: parsed.value, source: CODE };
    }
    const variable = definition.variable;
    const text = variable === undefined ? undefined : this.context.env[variable];
    if (variable !== undefined && text !== undefined && text !== '') {
      const source: SettingSource = { kind: 'environment', variable };
      const parsed = definition.parse(text);
      if (parsed.ok) return { value: parsed.value, source };
      return { value: undefined, source, error: new InvalidSettingError(definition.name, parsed.reason, { variable }) };
    }
    const { hive, key } = this.keyOf(definition.scope, definition.key);
    const entry = this.registry.getValue(hive, key, definition.value);
    if (entry === undefined) return { value: undefined, source: DEFAULT };
    const source = this.registrySource(hive, key, definition.value, entry.origin);
    return this.outcome(definition.name, definition.read(entry.value), source);
  }

  /**
   * A list setting: `override` entries, else one per value of its key (`include` picks them) or,
   * for an entry per subkey, one per subkey that has the value.
   */
  list<T>(definition: ListDefinition<T>, override: [string, string][] | undefined, option: string, include: (name: string) => boolean = () => true): ResolvedEntry<T>[] {
    if (override !== undefined) {
      return override.map(([entry, text]) => {
        const parsed = definition.parse(entry, text);
        if (!parsed.ok) throw invalidArgument(`overrides.${option}`, `valid: ${parsed.reason}`);
        return { entry, value: parsed.value, source: CODE };
      });
    }
    const { hive, key } = this.keyOf('machine', definition.key);
    const subkeyValue = definition.subkeyValue;
    if (subkeyValue === undefined) {
      return this.registry.listValues(hive, key).filter((value) => value.name !== '' && include(value.name)).map((value) => ({
        entry: value.name,
        ...this.outcome(`${definition.name}\\${value.name}`, definition.read(value.name, value.value), this.registrySource(hive, key, value.name, value.origin)),
      }));
    }
    return this.registry.listSubkeys(hive, key).flatMap((subkey) => {
      const entryKey = `${key}\\${subkey}`;
      const value = this.registry.getValue(hive, entryKey, subkeyValue);
      if (value === undefined) return [];
      const source = this.registrySource(hive, entryKey, subkeyValue, value.origin);
      return [{ entry: subkey, ...this.outcome(`${definition.name}\\${subkey}`, definition.read(subkey, value.value), source) }];
    });
  }

  /** The hive and full key of a setting in this mode (before the 32-bit view). */
  private keyOf(scope: 'machine' | 'identity', key: string): { hive: Hive; key: string } {
    const root = scopeRoot(scope, this.context.mode, this.context.account);
    return { hive: root.hive, key: key === '' ? root.key : `${root.key}\\${key}` };
  }

  /** A registry source names the key really read (the 32-bit view's, for an ia32 process). */
  private registrySource(hive: Hive, key: string, value: string, origin: { file: string; line: number } | undefined): SettingSource {
    return { kind: 'registry', hive, key: viewedKeyPath(hive, key, this.context.arch), value, ...(origin === undefined ? {} : { file: origin.file, line: origin.line }) };
  }

  private outcome<T>(setting: string, parsed: ReturnType<SettingDefinition<T>['read']>, source: SettingSource): Resolved<T> {
    if (parsed.ok) return { value: parsed.value, source };
    const location = locationOf(source);
    if (!parsed.ignored) return { value: undefined, source, error: new InvalidSettingError(setting, parsed.reason, location) };
    const warning = `${setting} ${parsed.reason} (${describeLocation(location)})`;
    this.warnings.push(warning);
    return { value: undefined, source: DEFAULT, warning };
  }
}

function locationOf(source: SettingSource): SettingLocation {
  if (source.kind === 'environment') return { variable: source.variable };
  if (source.kind !== 'registry') return {};
  return { hive: source.hive, key: source.key, value: source.value, file: source.file, line: source.line };
}
