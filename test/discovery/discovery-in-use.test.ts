/**
 * Discovery where it is used (issue 11; docs/discovery.md), against a real OpenLDAP slapd and a
 * real dnsmasq: `openrms scp register` / `scp remove` as the AD RMS console's SCP tab, then
 * `openrms discover --explain` showing each step against both servers; `RmsClient.signIn` and
 * `openrms login` without a service URL; and content whose licensing URLs no longer answer,
 * opened at the service discovery finds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';

import { passwordTokenProvider, RmsClient, ServiceAllowList, TokenProvider } from '../../lib';
import { main } from '../../lib/cli/main';
import { RunningService, startService } from '../../lib/server';
import { Dnsmasq, startDnsmasq } from '../support/dnsmasq';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';
import { ADMIN_DN, CONFIGURATION_NC, Slapd } from '../support/slapd';
import { TestCa } from '../support/test-ca';
import { DiscoveryServers, startDiscoveryServers } from './discovery-servers';

const SCP = `CN=SCP,CN=RightsManagementServices,CN=Services,${CONFIGURATION_NC}`;

let servers: DiscoveryServers;
let root: string;
let ca: TestCa;
let secure: TestService;
let slapd: Slapd;
let dns: Dnsmasq;

/** Runs `openrms ARGS` in this process with the environment `env` adds; its output, or its error. */
async function openrms(args: string[], o: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ out: string; error?: unknown }> {
  const chunks: Buffer[] = [];
  const out = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(Buffer.from(chunk)); done(); } });
  const saved = { ...process.env };
  Object.assign(process.env, o.env ?? {});
  try {
    await main(args, { out, stdin: Readable.from([o.input ?? '']), env: process.env });
    return { out: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    return { out: Buffer.concat(chunks).toString('utf8'), error };
  } finally {
    process.env = saved;
  }
}

beforeAll(async () => {
  servers = await startDiscoveryServers();
  ({ root, ca, secure, slapd, dns } = servers);
  await secure.addUser('alice@contoso.test');
}, 120_000);

afterAll(async () => {
  await servers?.stop();
});

describe('openrms scp and openrms discover', () => {
  it('registers the service connection point, which discover --explain then finds through the directory the DNS names', async () => {
    const passwordFile = path.join(root, 'admin-password');
    writeFileSync(passwordFile, `${slapd.adminPassword}\n`, { mode: 0o600 });
    // The administrator's password goes to the directory over StartTLS only.
    const admin = {
      OPENRMS_HOME: path.join(root, 'admin'), OPENRMS_DIRECTORY: slapd.url, OPENRMS_DIRECTORY_BIND_DN: ADMIN_DN, OPENRMS_DIRECTORY_PASSWORD_FILE: passwordFile,
      OPENRMS_DIRECTORY_STARTTLS: '1',
    };
    const certification = `${secure.service.url}/_wmcs/certification`;
    expect((await openrms(['scp', 'register', certification], { env: { ...admin, OPENRMS_DIRECTORY_STARTTLS: '0' } })).error).toMatchObject({ code: 'SERVICE_NOT_TRUSTED' });
    const registered = await openrms(['scp', 'register', certification, '--ca', ca.caFile], { env: admin });
    expect(registered).toEqual({ out: `registered the service connection point ${SCP} in ${slapd.url}: ${certification}\n` });
    // Another LDAP client (ldapsearch) sees what the console would have written.
    expect(slapd.ldapsearch(SCP, 'serviceBindingInformation')).toContain(`serviceBindingInformation: ${certification}`);

    const user = { OPENRMS_HOME: path.join(root, 'user'), OPENRMS_DNS_SERVERS: dns.server, OPENRMS_DIRECTORY_DOMAIN: 'corp.test' };
    const ldap = `ldap://localhost:${new URL(slapd.url).port}`;
    const explained = await openrms(['discover', '--explain', '--email', 'alice@contoso.test', '--ca', ca.caFile], { env: user });
    expect(explained.error).toBeUndefined();
    const lines = explained.out.split('\n');
    expect(lines).toContain(` 4. directory SRV _ldap._tcp.corp.test (${dns.server}): found: localhost:${new URL(slapd.url).port} (priority 0, weight 0)`);
    expect(lines).toContain(` 5. directory ${SCP} serviceBindingInformation (${ldap}): found: ${certification}`);
    expect(lines[6]).toMatch(new RegExp(`^ 6\\. service   GET ${secure.service.url}/_wmcs/discovery \\(${secure.service.url}\\): found: answers as "openrms" \\(service ID `));
    expect(lines).toContain(`service ${secure.service.url} (found by directory; cached until ${lines.find((line) => line.includes('cached until'))!.split('cached until ')[1]}`);

    const removed = await openrms(['scp', 'remove', '--ca', ca.caFile], { env: admin });
    expect(removed).toEqual({ out: `removed the service connection point ${SCP} from ${slapd.url}\n` });
    expect(slapd.ldapsearch(SCP, 'serviceBindingInformation')).toBe('');
    const again = await openrms(['discover', '--explain', '--fresh', '--email', 'alice@sales.contoso.test', '--ca', ca.caFile], { env: user });
    expect(again.out).toContain(` 4. directory ${SCP} serviceBindingInformation (${ldap}): not-found: no such object`);
    expect(again.out).toContain(`dns       SRV _rmsdisco._http._tcp.sales.contoso.test (${dns.server}): not-found: no such record`);
    expect(again.out).toContain(`dns       SRV _rmsdisco._http._tcp.contoso.test (${dns.server}): found: localhost:${new URL(secure.service.url).port}`);
    expect(again.out).toContain(`service ${secure.service.url} (found by dns;`);

    const json = JSON.parse((await openrms(['discover', '--json', '--email', 'alice@sales.contoso.test', '--ca', ca.caFile], { env: user })).out);
    expect(json).toMatchObject({ email: 'alice@sales.contoso.test', fromCache: true, service: { serviceUrl: secure.service.url, foundBy: 'dns' } });
  });

  it('fails with SERVICE_NOT_FOUND when nothing answers, after printing each step', async () => {
    const result = await openrms(['discover', '--explain', '--email', 'bob@corp.test'], { env: { OPENRMS_HOME: path.join(root, 'nobody'), OPENRMS_DNS_SERVERS: dns.server } });
    expect(result.error).toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    expect(result.out).toContain(`dns       SRV _rmsdisco._http._tcp.corp.test (${dns.server}): not-found: no such record`);
  });

  it('refuses scp register without a configured directory, naming the settings', async () => {
    const result = await openrms(['scp', 'register', 'https://rms.contoso.test/_wmcs/certification'], { env: { OPENRMS_HOME: path.join(root, 'nodir') } });
    expect(result.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'directory' });
  });
});

describe('the client', () => {
  it('signs in without a service URL at the service discovery finds for the email\'s domain', async () => {
    const alice = await RmsClient.signIn({
      store: path.join(root, 'alice'), email: 'alice@contoso.test', ca: readFileSync(ca.caFile), settings: { dnsServers: dns.server },
      tokenProvider: passwordTokenProvider('alice@contoso.test', passwordOf('alice@contoso.test')),
    });
    expect(alice.serviceUrl).toBe(secure.service.url);
    alice.close();
  });

  it('openrms login without --service signs in where discovery points', async () => {
    const result = await openrms(['login', 'alice@contoso.test', '--password-stdin', '--ca', ca.caFile, '--json'], {
      env: { OPENRMS_HOME: path.join(root, 'alice-cli'), OPENRMS_DNS_SERVERS: dns.server }, input: `${passwordOf('alice@contoso.test')}\n`,
    });
    expect(result.error).toBeUndefined();
    expect(JSON.parse(result.out)).toMatchObject({ identity: 'alice@contoso.test', service: secure.service.url });
  });

  it('opens content whose licensing URLs no longer answer at the service discovery finds, when it is the same service', async () => {
    // A service publishes, then moves to another port; its old URL answers nothing.
    const data = path.join(root, 'moving');
    const tls = { certFile: ca.certFile, keyFile: ca.keyFile };
    let moving: RunningService = await startService({ dataDir: data, port: 0, tls, log: () => {} });
    await moving.accounts.addUser('carol@fabrikam.test', { password: passwordOf('carol@fabrikam.test') });
    await moving.accounts.addUser('dave@fabrikam.test', { password: passwordOf('dave@fabrikam.test') });
    const caPem = readFileSync(ca.caFile);
    const carol = await RmsClient.signIn({
      store: path.join(root, 'carol'), serviceUrl: moving.url, ca: caPem, tokenProvider: passwordTokenProvider('carol@fabrikam.test', passwordOf('carol@fabrikam.test')),
    });
    const protectedFile = await carol.protectBuffer(Buffer.from('moved'), carol.createLicense({ grants: [{ who: 'dave@fabrikam.test', rights: ['VIEW'] }] }));
    carol.close();
    const oldUrl = moving.url;
    await moving.close();
    moving = await startService({ dataDir: data, port: 0, tls, log: () => {} });
    const home = await startTestService({}, path.join(root, 'home'));
    await home.addUser('dave@fabrikam.test');
    const movedDns = await startDnsmasq({ localDomains: ['fabrikam.test'], srv: [{ name: '_rmsdisco._http._tcp.fabrikam.test', target: 'localhost', port: Number(new URL(moving.url).port) }] });
    try {
      // Dave's application signs in wherever its trust policy lets the client enrol, each service with its own binding.
      const tokenProvider: TokenProvider = (request) =>
        passwordTokenProvider('dave@fabrikam.test', passwordOf('dave@fabrikam.test'), { ca: caPem, serviceUrl: request.serviceUrl })(request);
      const dave = await home.signIn('dave@fabrikam.test', {
        ca: caPem, settings: { dnsServers: movedDns.server }, trustPolicy: new ServiceAllowList([oldUrl, moving.url]), tokenProvider,
      });
      const opened = await dave.unprotectBuffer(protectedFile);
      expect(opened.plaintext.toString()).toBe('moved');
      opened.license.close();
      expect(dave.services().map((s) => s.url).sort()).toEqual([home.service.url, moving.url].sort());
      dave.close();
    } finally {
      await movedDns.stop();
      await moving.close();
      await home.cleanup();
    }
  });
});
