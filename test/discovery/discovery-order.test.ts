/**
 * Discovery's order (issue 11; docs/discovery.md) against real servers: a licensing service on
 * loopback (HTTP, and HTTPS under a test CA), a real OpenLDAP slapd holding an AD RMS service
 * connection point, and a real dnsmasq answering SRV records. Each step of the order is proven
 * to be taken, and to stop the search when its service answers; the walk up parent domains, the
 * directory's credentials, LicensingRedirection of a discovered URL, and the cache's lifetime.
 */
import { writeFileSync } from 'node:fs';
import net, { AddressInfo } from 'node:net';
import path from 'node:path';

import { DiscoveryResult, RmsClient, SettingsOverrides } from '../../lib';
import { requireService } from '../../lib/discovery';
import { startDnsmasq } from '../support/dnsmasq';
import { freePort } from '../support/real-binary';
import { startTestService, TestService } from '../support/licensing-service';
import { CONFIGURATION_NC, READER_DN, Slapd, startSlapd } from '../support/slapd';
import { DiscoveryServers, startDiscoveryServers } from './discovery-servers';

let servers: DiscoveryServers;
let plain: TestService;
let guarded: Slapd;
let tlsSlapd: Slapd;
let deadUrl: string;
let stores = 0;

/** The LDIF of an AD RMS service connection point holding `url`, as the AD RMS console writes it. */
function scpLdif(url: string): string {
  const container = `CN=RightsManagementServices,CN=Services,${CONFIGURATION_NC}`;
  return `dn: ${container}\nobjectClass: container\ncn: RightsManagementServices\n\n`
    + `dn: CN=SCP,${container}\nobjectClass: serviceConnectionPoint\ncn: SCP\nserviceBindingInformation: ${url}\n`;
}

function discover(settings: SettingsOverrides, o: { email?: string; store?: string; now?: number } = {}): Promise<DiscoveryResult> {
  return RmsClient.discover({
    store: o.store ?? storeOf(`s${++stores}`), settings: { dnsServers: servers.dns.server, ...settings }, ca: servers.caPem, email: o.email,
    ...(o.now === undefined ? {} : { now: () => o.now! }),
  });
}

function storeOf(name: string): string {
  return path.join(servers.root, 'stores', name);
}

/** The steps as `source outcome asked`, for comparing the path a search took. */
function path_(result: DiscoveryResult): string[] {
  return result.steps.map((step) => `${step.source} ${step.outcome} ${step.asked}`);
}

beforeAll(async () => {
  servers = await startDiscoveryServers();
  const { root, ca, slapd } = servers;
  plain = await startTestService({}, path.join(root, 'plain'));
  deadUrl = `http://127.0.0.1:${await freePort()}`;
  slapd.ldapadd(scpLdif(`${plain.service.url}/_wmcs/certification`));
  guarded = await startSlapd({ anonymousReadDenied: true });
  guarded.ldapadd(scpLdif(`${plain.service.url}/_wmcs/certification`));
  tlsSlapd = await startSlapd({ anonymousReadDenied: true, tls: { certFile: ca.certFile, keyFile: ca.keyFile } });
  tlsSlapd.ldapadd(scpLdif(`${plain.service.url}/_wmcs/certification`));
}, 120_000);

afterAll(async () => {
  await guarded?.stop();
  await tlsSlapd?.stop();
  await plain?.cleanup();
  await servers?.stop();
});

describe('the order', () => {
  it('stops at the registry\'s ServiceLocation when that service answers, asking no directory or DNS server', async () => {
    const result = await discover({ enterpriseCertification: `${plain.service.url}/_wmcs/certification`, directory: servers.slapd.url }, { email: 'alice@contoso.test' });
    expect(result.service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'registry', certificationUrl: `${plain.service.url}/_wmcs/certification` });
    expect(path_(result)).toEqual([
      'cache not-found ' + `${result.steps[0]!.asked}`,
      'registry found ServiceLocation\\EnterpriseCertification',
      `service found GET ${plain.service.url}/_wmcs/discovery`,
    ]);
  });

  it('goes on to the directory\'s service connection point when the registry\'s service does not answer', async () => {
    const result = await discover({ enterprisePublishing: `${deadUrl}/_wmcs/licensing`, directory: servers.slapd.url });
    expect(result.service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'directory' });
    const failed = result.steps.find((step) => step.server === deadUrl)!;
    expect(failed).toMatchObject({ source: 'service', outcome: 'failed', error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(result.steps).toContainEqual({
      source: 'directory', asked: `CN=SCP,CN=RightsManagementServices,CN=Services,${CONFIGURATION_NC} serviceBindingInformation`,
      server: servers.slapd.url, outcome: 'found', detail: `${plain.service.url}/_wmcs/certification`,
    });
  });

  it('finds the directory through the _ldap._tcp SRV records of DirectoryDomain', async () => {
    const result = await discover({ directoryDomain: 'corp.test' });
    expect(result.service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'directory' });
    expect(result.steps).toContainEqual(expect.objectContaining({
      source: 'directory', asked: 'SRV _ldap._tcp.corp.test', server: servers.dns.server, outcome: 'found',
    }));
    expect(result.steps.some((step) => step.server === `ldap://localhost:${new URL(servers.slapd.url).port}`)).toBe(true);
  });

  it('never sends the bind password over plain LDAP: a bind needs ldaps:// or StartTLS, refused before any connection', async () => {
    const anonymous = await discover({ directory: guarded.url });
    expect(anonymous.service).toBeUndefined();
    expect(anonymous.steps).toContainEqual(expect.objectContaining({ source: 'directory', server: guarded.url, outcome: 'not-found' }));
    const passwordFile = path.join(servers.root, 'reader-password');
    writeFileSync(passwordFile, `${guarded.readerPassword}\n`, { mode: 0o600 });
    // A listener standing for a directory on the path: it must receive nothing.
    const received: Buffer[] = [];
    const listener = net.createServer((socket) => socket.on('data', (d: Buffer) => received.push(d)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `ldap://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      const refused = await discover({ directory: url, directoryBindDn: READER_DN, directoryPasswordFile: passwordFile });
      expect(refused.service).toBeUndefined();
      expect(refused.steps).toContainEqual(expect.objectContaining({ source: 'directory', server: url, outcome: 'failed', error: expect.objectContaining({ code: 'SERVICE_NOT_TRUSTED' }) }));
      expect(Buffer.concat(received).toString('latin1')).not.toContain(guarded.readerPassword);
      expect(received).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it('binds over StartTLS when DirectoryStartTls is on, checking the directory\'s certificate', async () => {
    const passwordFile = path.join(servers.root, 'tls-reader-password');
    writeFileSync(passwordFile, `${tlsSlapd.readerPassword}\n`, { mode: 0o600 });
    const settings = { directory: tlsSlapd.url, directoryBindDn: READER_DN, directoryPasswordFile: passwordFile, directoryStartTls: true };
    expect((await discover(settings)).service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'directory' });
    // Without the test CA, the directory's certificate is not trusted: nothing is bound or read.
    const untrusted = await RmsClient.discover({ store: storeOf('untrusted'), settings: { dnsServers: servers.dns.server, ...settings } });
    expect(untrusted.service).toBeUndefined();
    expect(untrusted.steps).toContainEqual(expect.objectContaining({
      source: 'directory', asked: `bind as ${READER_DN} after StartTLS`, server: tlsSlapd.url, outcome: 'failed', error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }),
    }));
  });

  it('walks up from the email\'s domain to the first parent with _rmsdisco SRV records, and reads that service\'s discovery document', async () => {
    const result = await discover({}, { email: 'alice@sales.eu.contoso.test' });
    expect(result.service).toMatchObject({ serviceUrl: servers.secure.service.url, foundBy: 'dns', licensingUrls: { intranet: `${servers.secure.service.url}/_wmcs/licensing` } });
    const securePort = new URL(servers.secure.service.url).port;
    expect(result.steps.filter((step) => step.source === 'dns' || step.source === 'service').map((step) => `${step.outcome} ${step.asked}`)).toEqual([
      'not-found SRV _rmsdisco._http._tcp.sales.eu.contoso.test',
      'not-found SRV _rmsdisco._http._tcp.eu.contoso.test',
      'found SRV _rmsdisco._http._tcp.contoso.test',
      `found GET https://localhost:${securePort}/_wmcs/discovery`,
    ]);
  });

  it('never asks for a top-level domain\'s records', async () => {
    const result = await discover({}, { email: 'bob@nowhere.empty.test' });
    expect(result.steps.filter((step) => step.source === 'dns').map((step) => step.asked)).toEqual([
      'SRV _rmsdisco._http._tcp.nowhere.empty.test', 'SRV _rmsdisco._http._tcp.empty.test',
    ]);
  });

  it('uses the configured cloud service last, after the DNS records were looked up', async () => {
    const result = await discover({ cloudService: plain.service.url }, { email: 'bob@empty.test' });
    expect(result.service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'cloud' });
    expect(result.steps.map((step) => step.source)).toEqual(['cache', 'registry', 'registry', 'directory', 'dns', 'cloud', 'service']);
  });

  it('fails with SERVICE_NOT_FOUND naming every record and server it asked when nothing answers', async () => {
    const result = await discover({ enterpriseCertification: deadUrl }, { email: 'bob@empty.test' });
    expect(result.service).toBeUndefined();
    let error: unknown;
    try {
      requireService(result);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    expect((error as Error).message).toContain(`_rmsdisco._http._tcp.empty.test at ${servers.dns.server}: no such record`);
    expect((error as Error).message).toContain(`GET ${deadUrl}/_wmcs/discovery at ${deadUrl}`);
  });

  it('reports a DNS server that does not answer as a failed step naming it', async () => {
    const silent = `127.0.0.1:${await freePort()}`;
    const result = await discover({ dnsServers: silent }, { email: 'bob@contoso.test' });
    expect(result.service).toBeUndefined();
    expect(result.steps).toContainEqual(expect.objectContaining({ source: 'dns', asked: 'SRV _rmsdisco._http._tcp.contoso.test', server: silent, outcome: 'failed' }));
  });
});

describe('redirection', () => {
  it('reaches a discovered service that moved at its LicensingRedirection target', async () => {
    const result = await discover({
      enterpriseCertification: `${deadUrl}/_wmcs/certification`,
      licensingRedirection: { [`${deadUrl}/_wmcs/licensing`]: `${plain.service.url}/_wmcs/licensing` },
    });
    expect(result.service).toMatchObject({ serviceUrl: plain.service.url, foundBy: 'registry' });
    expect(result.steps).toContainEqual(expect.objectContaining({ source: 'registry', asked: `LicensingRedirection of ${deadUrl}/_wmcs/licensing`, outcome: 'found' }));
    expect(result.steps.some((step) => step.server === deadUrl)).toBe(false);
  });
});

describe('the cache', () => {
  it('answers from the store for DiscoveryCacheSeconds, then searches again', async () => {
    const store = storeOf('cached');
    const settings = { cloudService: plain.service.url, discoveryCacheSeconds: 60 };
    const first = await discover(settings, { store, now: 1_000_000 });
    expect(first).toMatchObject({ fromCache: false, service: { foundBy: 'cloud', expiresAt: 1_000_060 } });
    const second = await discover(settings, { store, now: 1_000_059 });
    expect(second).toMatchObject({ fromCache: true, service: { serviceUrl: plain.service.url, foundBy: 'cloud' } });
    expect(second.steps.map((step) => `${step.source} ${step.outcome}`)).toEqual(['cache found']);
    const expired = await discover(settings, { store, now: 1_000_060 });
    expect(expired.fromCache).toBe(false);
    expect(expired.steps.some((step) => step.source === 'service')).toBe(true);
  });

  it('searches again at once when a setting that steers discovery changes', async () => {
    const store = storeOf('changed');
    await discover({ cloudService: plain.service.url }, { store, now: 2_000_000 });
    const changed = await discover({ cloudService: servers.secure.service.url }, { store, now: 2_000_001 });
    expect(changed).toMatchObject({ fromCache: false, service: { serviceUrl: servers.secure.service.url } });
  });

  it('keeps nothing when DiscoveryCacheSeconds is 0', async () => {
    const store = storeOf('uncached');
    const settings = { cloudService: plain.service.url, discoveryCacheSeconds: 0 };
    expect((await discover(settings, { store })).service?.expiresAt).toBeUndefined();
    expect((await discover(settings, { store })).fromCache).toBe(false);
  });
});

describe('what a DNS answer cannot do (review findings)', () => {
  it('never makes the client use plain HTTP, and tries at most 10 of the targets it names', async () => {
    const targets = Array.from({ length: 12 }, (_, i) => ({ name: '_rmsdisco._http._tcp.hostile.test', target: 'localhost', port: i === 0 ? 80 : 1 + i, priority: i }));
    const hostile = await startDnsmasq({ localDomains: ['hostile.test'], srv: targets });
    try {
      const result = await RmsClient.discover({ store: storeOf('hostile'), settings: { dnsServers: hostile.server }, email: 'x@hostile.test' });
      expect(result.service).toBeUndefined();
      const asked = result.steps.filter((step) => step.source === 'service').map((step) => step.asked);
      expect(asked).toHaveLength(10);
      expect(asked[0]).toBe('GET https://localhost:80/_wmcs/discovery');
      expect(asked.every((line) => line.startsWith('GET https://'))).toBe(true);
    } finally {
      await hostile.stop();
    }
  });
});
