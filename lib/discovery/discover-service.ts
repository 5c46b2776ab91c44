/**
 * Finding the licensing service to publish to (issue 11), in MSIPC's order, stopping at the
 * first service that answers (returns its discovery document):
 *
 *   1. registry: `ServiceLocation\EnterpriseCertification`, then `...\EnterprisePublishing`;
 *   2. directory: the AD RMS service connection point (service-connection-point.ts) in the
 *      `Directory` setting's directory, else in those the `_ldap._tcp.<domain>` SRV records name;
 *   3. DNS: the `_rmsdisco._http._tcp.<domain>` SRV records of the user's email domain, then of
 *      each parent domain, each target asked for its discovery document;
 *   4. cloud: the `CloudService` setting.
 *
 * Every candidate is reached after the administrator's LicensingRedirection, through the
 * transport (so the trust policy is asked before any connection). What is found is cached
 * (discovery-cache.ts). Every step is reported, found or not, with the server and record asked.
 */
import { RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { ClientSettings } from '../settings';
import { ClientStore } from '../store/client-store';
import { ConnectionOptions } from '../transport/service-connection';
import { redirectedServiceUrl, serviceBaseOf } from '../client/service-session';
import { ldapUrlOf } from './directory-location';
import { DirectorySession } from './directory-session';
import { DiscoveryCache } from './discovery-cache';
import { fetchServiceDocument, ServiceDocument } from './discovery-document';
import { DiscoveredService, DiscoveryResult, DiscoveryStep, failedStep } from './discovery-steps';
import { MAX_SRV_TARGETS, SrvResolver, SrvTarget } from './dns-srv';
import { readScp, scpDn } from './service-connection-point';

export interface DiscoveryContext {
  readonly settings: ClientSettings;
  /** The options of a request to `url`: CA certificates, timeouts, and the trust policy the transport asks first. */
  http(url: string): ConnectionOptions;
  /** Where found services are remembered; without one nothing is. */
  readonly store?: ClientStore;
  /** Extra trusted CA certificates (PEM) for a directory's TLS certificate. */
  readonly ca?: string | Buffer;
  /** Seconds since the epoch. */
  now(): number;
}

export interface DiscoverOptions {
  /** The user's email: its domain is where DNS SRV records are looked up (and the directory's, without DirectoryDomain). */
  email?: string;
  /** Search again even when the cache holds a service for this search (what is found replaces it). */
  fresh?: boolean;
}

type Candidates = (search: Search) => AsyncGenerator<string>;

/** One run of discovery: its steps so far, and what they share. */
class Search {
  readonly steps: DiscoveryStep[] = [];
  private resolver: SrvResolver | undefined;

  constructor(readonly ctx: DiscoveryContext, readonly domain: string | undefined) {}

  note(step: DiscoveryStep): void {
    this.steps.push(step);
  }

  /** The SRV resolver of the `DnsServers` setting (the system's DNS servers without it). */
  srv(): SrvResolver {
    this.resolver ??= new SrvResolver(this.ctx.settings.dnsServers);
    return this.resolver;
  }

  /** Asks the service at `url` (after any LicensingRedirection) for its discovery document; undefined when it does not answer. */
  async probe(url: string): Promise<ServiceDocument | undefined> {
    const base = redirectedServiceUrl(this.ctx.settings, url);
    if (base !== url) {
      this.note({ source: 'registry', asked: `LicensingRedirection of ${url}/_wmcs/licensing`, outcome: 'found', detail: `the service moved to ${base}` });
    }
    const asked = `GET ${base}/_wmcs/discovery`;
    try {
      const document = await fetchServiceDocument(base, this.ctx.http(base));
      this.note({ source: 'service', asked, server: base, outcome: 'found', detail: `answers as ${JSON.stringify(document.name ?? '')} (service ID ${document.serviceId}) at ${document.serviceUrl}` });
      return document;
    } catch (error) {
      this.note(failedStep({ source: 'service', asked, server: base }, error));
      return undefined;
    }
  }

  /** A setting's value, or undefined with a failed step when the administrator's data is refused. */
  setting<T>(source: DiscoveryStep['source'], asked: string, read: () => T): { ok: true; value: T } | { ok: false } {
    try {
      return { ok: true, value: read() };
    } catch (error) {
      this.note(failedStep({ source, asked }, error));
      return { ok: false };
    }
  }

  /** SRV targets of `name`, noted as a step; an empty list when there are none or DNS failed. */
  async lookupSrv(source: DiscoveryStep['source'], name: string): Promise<SrvTarget[]> {
    const asked = `SRV ${name}`;
    let targets: SrvTarget[];
    let server = 'the system DNS servers';
    try {
      const resolver = this.srv();
      server = resolver.servers;
      targets = await resolver.lookup(name);
    } catch (error) {
      this.note(failedStep({ source, asked, server }, error));
      return [];
    }
    const described = targets.map((t) => `${t.name}:${t.port} (priority ${t.priority}, weight ${t.weight})`).join(', ');
    this.note(targets.length === 0
      ? { source, asked, server, outcome: 'not-found', detail: 'no such record' }
      : { source, asked, server, outcome: 'found', detail: described });
    return targets;
  }
}

async function* registryCandidates(search: Search): AsyncGenerator<string> {
  const settings = search.ctx.settings;
  const locations: [string, () => string | undefined][] = [
    ['ServiceLocation\\EnterpriseCertification', () => settings.enterpriseCertificationUrl],
    ['ServiceLocation\\EnterprisePublishing', () => settings.enterprisePublishingUrl],
  ];
  const seen = new Set<string>();
  for (const [asked, read] of locations) {
    const url = search.setting('registry', asked, read);
    if (!url.ok) continue;
    if (url.value === undefined) {
      search.note({ source: 'registry', asked, outcome: 'skipped', detail: 'not set' });
      continue;
    }
    const base = serviceBaseOf(url.value)!;
    search.note({ source: 'registry', asked, outcome: 'found', detail: url.value });
    if (!seen.has(base)) yield base;
    seen.add(base);
  }
}

/** The directories to ask: the `Directory` setting's, else the `_ldap._tcp` SRV targets of the domain. */
async function directoryUrls(search: Search, url: string | undefined, domain: string | undefined): Promise<string[]> {
  if (url !== undefined) {
    search.note({ source: 'directory', asked: 'Discovery\\Directory', outcome: 'found', detail: url });
    return [url];
  }
  const where = domain ?? search.domain;
  if (where === undefined) {
    search.note({ source: 'directory', asked: 'Discovery\\Directory', outcome: 'skipped', detail: 'not set, and no DirectoryDomain or email domain to look up _ldap._tcp records in' });
    return [];
  }
  return (await search.lookupSrv('directory', `_ldap._tcp.${where}`)).slice(0, MAX_SRV_TARGETS).map(ldapUrlOf);
}

async function* directoryCandidates(search: Search): AsyncGenerator<string> {
  const read = search.setting('directory', 'Discovery\\Directory and its settings', () => search.ctx.settings.directory);
  if (!read.ok) return;
  const d = read.value;
  for (const url of await directoryUrls(search, d.url, d.domain)) {
    const bound = d.bindDn === undefined ? 'anonymously' : `as ${d.bindDn}`;
    let session: DirectorySession;
    try {
      session = await DirectorySession.open({ url, startTls: d.startTls, bindDn: d.bindDn, passwordFile: d.passwordFile, ca: search.ctx.ca });
    } catch (error) {
      search.note(failedStep({ source: 'directory', asked: `bind ${bound}${d.startTls ? ' after StartTLS' : ''}`, server: url }, error));
      continue;
    }
    try {
      let dn: string;
      try {
        dn = await scpDn(session, d.scpPath);
      } catch (error) {
        search.note(failedStep({ source: 'directory', asked: 'root DSE configurationNamingContext', server: url }, error));
        continue;
      }
      const asked = `${dn} serviceBindingInformation`;
      let urls: string[] | null;
      try {
        urls = await readScp(session, dn);
      } catch (error) {
        search.note(failedStep({ source: 'directory', asked, server: url }, error));
        continue;
      }
      if (urls === null || urls.length === 0) {
        search.note({ source: 'directory', asked, server: url, outcome: 'not-found', detail: urls === null ? 'no such object' : 'holds no http(s) URL' });
      } else {
        search.note({ source: 'directory', asked, server: url, outcome: 'found', detail: urls.join(', ') });
        for (const found of urls) yield serviceBaseOf(found)!;
      }
      // The directory answered; its replicas hold the same objects.
      return;
    } finally {
      await session.close();
    }
  }
}

/** `sales.contoso.com` -> `sales.contoso.com`, `contoso.com` (never a top-level domain alone). */
function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

function hostOf(target: SrvTarget): string {
  return target.name.replace(/\.$/, '');
}

async function* dnsCandidates(search: Search): AsyncGenerator<string> {
  if (search.domain === undefined) {
    search.note({ source: 'dns', asked: 'SRV _rmsdisco._http._tcp.<domain>', outcome: 'skipped', detail: 'no email given, so no domain to look up' });
    return;
  }
  for (const domain of domainAndParents(search.domain)) {
    for (const target of (await search.lookupSrv('dns', `_rmsdisco._http._tcp.${domain}`)).slice(0, MAX_SRV_TARGETS)) {
      // Always HTTPS, whatever the port: a DNS answer is not authenticated, and must not be able
      // to have the client sign in over plain HTTP to a host it names.
      yield `https://${hostOf(target)}${target.port === 443 ? '' : `:${target.port}`}`;
    }
  }
}

async function* cloudCandidates(search: Search): AsyncGenerator<string> {
  const asked = 'ServiceLocation\\CloudService';
  const url = search.setting('cloud', asked, () => search.ctx.settings.cloudServiceUrl);
  if (!url.ok) return;
  if (url.value === undefined) {
    search.note({ source: 'cloud', asked, outcome: 'skipped', detail: 'not set' });
    return;
  }
  search.note({ source: 'cloud', asked, outcome: 'found', detail: url.value });
  yield serviceBaseOf(url.value)!;
}

const ORDER: [DiscoveredService['foundBy'], Candidates][] = [
  ['registry', registryCandidates], ['directory', directoryCandidates], ['dns', dnsCandidates], ['cloud', cloudCandidates],
];

/** What a search depends on, for its cache key: the domain and every setting discovery reads (a refused one by its error). */
function searchKey(settings: ClientSettings, domain: string | undefined): string {
  const read = (get: () => unknown): unknown => {
    try {
      return get() ?? null;
    } catch (error) {
      return { refused: error instanceof Error ? error.message : String(error) };
    }
  };
  return DiscoveryCache.keyOf([
    'publishing', domain ?? null, read(() => settings.enterpriseCertificationUrl), read(() => settings.enterprisePublishingUrl),
    read(() => settings.directory), read(() => settings.dnsServers), read(() => settings.cloudServiceUrl), read(() => settings.licensingRedirections),
  ]);
}

function domainOf(email: string | undefined): string | undefined {
  return email === undefined ? undefined : normalizeEmail(email).split('@')[1]!.replace(/\.$/, '');
}

/** Runs discovery (or answers from the cache): every step taken, and the service found, if any. */
export async function discoverService(ctx: DiscoveryContext, o: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const email = o.email === undefined ? undefined : normalizeEmail(o.email);
  const search = new Search(ctx, domainOf(email));
  const lifetime = search.setting('cache', 'Discovery\\DiscoveryCacheSeconds', () => ctx.settings.discoveryCacheSeconds);
  const cache = ctx.store === undefined || !lifetime.ok ? undefined : new DiscoveryCache(ctx.store, lifetime.value, ctx.now);
  const key = searchKey(ctx.settings, search.domain);
  if (cache !== undefined && !o.fresh) {
    const cached = cache.find(key);
    const asked = `${ctx.store!.root}/discovery.json`;
    if (cached !== undefined) {
      search.note({ source: 'cache', asked, outcome: 'found', detail: `${cached.serviceUrl}, found by ${cached.foundBy}, until ${new Date(cached.expiresAt! * 1000).toISOString()}` });
      return { email, steps: search.steps, service: cached, fromCache: true };
    }
    search.note({ source: 'cache', asked, outcome: 'not-found', detail: 'nothing cached for this search' });
  }
  for (const [foundBy, candidates] of ORDER) {
    for await (const url of candidates(search)) {
      const document = await search.probe(url);
      if (document === undefined) continue;
      const service: DiscoveredService = { ...document, foundBy, expiresAt: undefined };
      return { email, steps: search.steps, service: cache === undefined ? service : cache.keep(key, service), fromCache: false };
    }
  }
  return { email, steps: search.steps, service: undefined, fromCache: false };
}

/** Forgets the cached service of a search (it did not answer when the client used it). */
export function forgetDiscovered(ctx: DiscoveryContext, o: DiscoverOptions = {}): void {
  if (ctx.store === undefined) return;
  new DiscoveryCache(ctx.store, 0, ctx.now).forget(searchKey(ctx.settings, domainOf(o.email)));
}

/** The service a discovery found; SERVICE_NOT_FOUND, summing up every step that failed, when none. */
export function requireService(result: DiscoveryResult): DiscoveredService {
  if (result.service !== undefined) return result.service;
  const tried = result.steps.filter((step) => step.outcome !== 'skipped')
    .map((step) => `${step.source}: ${step.asked}${step.server === undefined ? '' : ` at ${step.server}`}: ${step.detail}`);
  throw new RmsError('SERVICE_NOT_FOUND', tried.length === 0
    ? `no licensing service found: nothing to search (no ServiceLocation, Directory or CloudService setting${result.email === undefined ? ', and no email' : ''}); run openrms discover --explain`
    : `no licensing service found (${tried.join('; ')}); run openrms discover --explain`);
}
