/**
 * The administrator's TrustedServers (issue 11), from a real `.reg` file in the machine folder
 * (OPENRMS_MACHINE_CONFIG): with AllowTrustedServersOnly, a server that is not listed gets no
 * TCP connection and no token, whichever way the client is led to it (a sign-in, a PL's
 * licensing URL, a LicensingRedirection, a token authority). The services are real ones over
 * HTTPS under a test CA at 127.0.0.1; the server that must not be contacted is a listener at
 * 127.0.0.2 that records every connection it receives.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { clientCredentialsTokenProvider, passwordTokenProvider, RmsClient, RmsError, TokenRequest } from '../../lib';
import { startService } from '../../lib/server';
import { codeOf } from '../support/error-code';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';
import { RecordingListener, startRecordingListener } from '../support/recording-listener';
import { makeTestCa } from '../support/test-ca';

let root: string;
let machine: string;
let ca: Buffer;
let home: TestService;
let partner: TestService;
let listener: RecordingListener;
let stores = 0;
const savedEnv = { ...process.env };

const TRUSTED_SERVERS = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\TrustedServers';

/** Writes the machine-wide `.reg` file the next clients read (keys and values, one a line). */
function machineReg(...lines: string[]): void {
  rmSync(machine, { recursive: true, force: true });
  mkdirSync(machine, { recursive: true });
  writeFileSync(path.join(machine, 'policy.reg'), ['Windows Registry Editor Version 5.00', '', ...lines, ''].join('\r\n'));
}

/** AllowTrustedServersOnly with `entries` as the list, and any other keys after it. */
function trustOnly(entries: string[], ...more: string[]): void {
  machineReg(`[${TRUSTED_SERVERS}]`, '"AllowTrustedServersOnly"=dword:00000001', ...entries.map((entry, i) => `"server${i}"="${entry}"`), ...more);
}

function store(): string {
  return path.join(root, 'stores', `s${++stores}`);
}

function bobSignsIn(serviceUrl: string, tokenProvider = passwordTokenProvider('bob@contoso.com', passwordOf('bob@contoso.com'))): Promise<RmsClient> {
  return RmsClient.signIn({ store: store(), serviceUrl, tokenProvider, ca });
}

/** The RmsError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<RmsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof RmsError)) throw new Error(`expected an RmsError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-trust-'));
  const tls = makeTestCa(path.join(root, 'tls'), 'private');
  ca = readFileSync(tls.caFile);
  home = await startTestService({ tls });
  partner = await startTestService({ tls });
  for (const t of [home, partner]) for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
  listener = await startRecordingListener('127.0.0.2');
  machine = path.join(root, 'machine');
  process.env.OPENRMS_MACHINE_CONFIG = machine;
}, 60_000);

beforeEach(() => {
  machineReg();
  listener.connections.length = 0;
});

afterAll(async () => {
  process.env = savedEnv;
  await listener?.close();
  await home?.cleanup();
  await partner?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('AllowTrustedServersOnly', () => {
  it('refuses a sign-in at a server it does not list with SERVICE_NOT_TRUSTED naming it, before any connection', async () => {
    trustOnly(['https://127.0.0.1']);
    for (const url of [listener.url, `https://127.0.0.2:${listener.port}`]) {
      const error = await refusal(bobSignsIn(url));
      expect(error).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', serviceUrl: url, host: `127.0.0.2:${listener.port}` });
    }
    expect(listener.connections).toEqual([]);
    // The listed service is reached as before.
    const bob = await bobSignsIn(home.service.url);
    expect(bob.serviceUrl).toBe(home.service.url);
    bob.close();
  });

  it('reaches an https:// entry\'s server over TLS only: an http:// URL to it gets no connection', async () => {
    trustOnly(['https://127.0.0.2']);
    const error = await refusal(bobSignsIn(listener.url));
    expect(error).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', host: `127.0.0.2:${listener.port}` });
    expect(error.message).toContain('HTTPS only');
    expect(listener.connections).toEqual([]);
    // A DNS name entry trusts the server over HTTP too: the listener is reached (and hangs up).
    trustOnly(['127.0.0.2']);
    expect(await codeOf(bobSignsIn(listener.url))).toBe('SERVICE_UNAVAILABLE');
    expect(listener.connections).toHaveLength(1);
  });

  it('trusts the configured cloud service (ServiceLocation\\CloudService) whatever the list says', async () => {
    trustOnly(['rms.contoso.com'], '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\CloudService]', `@="${home.service.url}/_wmcs/licensing"`);
    const bob = await bobSignsIn(home.service.url);
    expect(bob.serviceUrl).toBe(home.service.url);
    bob.close();
    expect(await codeOf(bobSignsIn(listener.url))).toBe('SERVICE_NOT_TRUSTED');
  });

  it('is off unless set: every server is contacted, as before', async () => {
    machineReg(`[${TRUSTED_SERVERS}]`, '"AllowTrustedServersOnly"=dword:00000000', '"home"="https://127.0.0.1"');
    expect(await codeOf(bobSignsIn(listener.url))).toBe('SERVICE_UNAVAILABLE');
    expect(listener.connections).toHaveLength(1);
  });

  it('refuses a PL whose licensing URL names a server it does not list, whatever the application allows: no enrolment, no token', async () => {
    const alice = await partner.signIn('alice@contoso.com', { ca });
    const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 1 }));
    s.contentKey.close();
    alice.close();
    const [head, body, signature] = s.publishingLicense.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    // What a file made to lead its reader to another server carries: the partner's PL, its licensing URLs rewritten.
    const licensing = `https://127.0.0.2:${listener.port}/_wmcs/licensing`;
    const misled = [head, Buffer.from(JSON.stringify({ ...claims, urls: { intranet: licensing, extranet: licensing } })).toString('base64url'), signature].join('.');

    const signedIn = await bobSignsIn(home.service.url);
    signedIn.close();
    trustOnly(['https://127.0.0.1']);
    const asked: TokenRequest[] = [];
    const bob = RmsClient.open({
      store: signedIn.storeRoot, ca, trustPolicy: { allows: () => true },
      tokenProvider: (request) => {
        asked.push(request);
        // The application chose to sign in wherever it is asked: it binds its credentials to that service.
        return passwordTokenProvider('bob@contoso.com', passwordOf('bob@contoso.com'), { serviceUrl: request.serviceUrl })(request);
      },
    });
    expect(await refusal(bob.getContentKey(misled))).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', host: `127.0.0.2:${listener.port}` });
    expect(listener.connections).toEqual([]);
    expect(asked).toEqual([]);
    expect(bob.services().map((service) => service.url)).toEqual([home.service.url]);
    // The partner's own PL, at a listed server, is enrolled at on demand as the application allows.
    const license = await bob.getContentKey(s.publishingLicense);
    expect(license.rights).toEqual(['VIEW']);
    license.close();
    expect(asked.map((request) => request.serviceUrl)).toEqual([partner.service.url]);
    bob.close();
  });

  it('refuses a LicensingRedirection of an enrolled service to a server it does not list, before any connection', async () => {
    const alice = await home.signIn('alice@contoso.com', { ca });
    const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
    s.contentKey.close();
    alice.close();
    const signedIn = await bobSignsIn(home.service.url);
    signedIn.close();
    trustOnly(['https://127.0.0.1'], '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\LicensingRedirection]',
      `"${home.service.url}/_wmcs/licensing"="https://127.0.0.2:${listener.port}/_wmcs/licensing"`);
    const bob = RmsClient.open({ store: signedIn.storeRoot, ca });
    expect(await refusal(bob.getContentKey(s.publishingLicense))).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', host: `127.0.0.2:${listener.port}` });
    expect(listener.connections).toEqual([]);
    bob.close();
  });

  it('asks no token of an authority it does not list: the token provider is not called', async () => {
    const { service, stop } = await serviceChallengingFor(listener.url);
    try {
      trustOnly(['127.0.0.1']);
      const asked: TokenRequest[] = [];
      const error = await refusal(RmsClient.signIn({ store: store(), serviceUrl: service, tokenProvider: async (request) => { asked.push(request); return 'a token'; } }));
      expect(error).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', host: `127.0.0.2:${listener.port}` });
      expect(asked).toEqual([]);
      expect(listener.connections).toEqual([]);
    } finally {
      await stop();
    }
  });
});

describe('the built-in token providers', () => {
  it('send no password or client secret to an authority on another server than the challenging service\'s', async () => {
    const { service, stop } = await serviceChallengingFor(listener.url);
    try {
      for (const tokenProvider of [passwordTokenProvider('bob@contoso.com', 'the password'), clientCredentialsTokenProvider('app', 'the secret')]) {
        const error = await refusal(RmsClient.signIn({ store: store(), serviceUrl: service, tokenProvider }));
        // Refused before the provider runs: the challenge names another server's resource (or, for a
        // provider asked anyway, another authority); either way nothing reaches the listener.
        expect(error).toMatchObject({ code: 'AUTHORITY_NOT_TRUSTED' });
      }
      expect(listener.connections).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('refuse a request whose authority is on another server than the service that asks, whoever calls them', async () => {
    const request = { serviceUrl: home.service.url, authority: `${listener.url}/_wmcs/oauth2`, resource: home.service.url, mayPrompt: false };
    for (const tokenProvider of [passwordTokenProvider('bob@contoso.com', 'the password'), clientCredentialsTokenProvider('app', 'the secret')]) {
      expect(await refusal(tokenProvider(request))).toMatchObject({ code: 'AUTHORITY_NOT_TRUSTED', serviceUrl: listener.url, host: `127.0.0.2:${listener.port}` });
    }
    expect(listener.connections).toEqual([]);
  });
});

/** A free TCP port on 127.0.0.1, for a service whose public URL must be known before it starts. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real service at 127.0.0.1 that names `publicUrl` in its challenges (a service misconfigured
 * or taken over, sending its callers' credentials elsewhere); its URL is where it really listens.
 */
async function serviceChallengingFor(publicUrl: string): Promise<{ service: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const running = await startService({ dataDir: path.join(root, `elsewhere-${port}`), port, publicUrl, log: () => {} });
  await running.accounts.addUser('bob@contoso.com', { password: 'the password' });
  return { service: `http://127.0.0.1:${port}`, stop: () => running.close() };
}
