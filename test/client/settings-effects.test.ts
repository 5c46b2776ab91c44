/**
 * What each MSIPC setting does to the client (issue 10; docs/settings.md), with the settings
 * read from real `.reg` files in the machine-wide folder (OPENRMS_MACHINE_CONFIG) or passed in
 * code: ServiceLocation, LicensingRedirection, Trace, Federation, DisablePassportCertification,
 * FileProtection, and server mode.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  clientCredentialsTokenProvider, interactiveTokenProvider, passwordTokenProvider, RmsClient, ServiceAllowList, TokenRequest,
} from '../../lib';
import { startService } from '../../lib/server';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

let t: TestService;
let machine: string;
let stores = 0;
const savedEnv = { ...process.env };

/** Writes the machine-wide `.reg` file (HKLM) the next clients read. */
function machineReg(body: string): void {
  rmSync(machine, { recursive: true, force: true });
  mkdirSync(machine, { recursive: true });
  writeFileSync(path.join(machine, 'policy.reg'), `Windows Registry Editor Version 5.00\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`);
}

function store(): string {
  return path.join(t.root, 'stores', `s${++stores}`);
}

beforeAll(async () => {
  t = await startTestService();
  for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
  machine = mkdtempSync(path.join(os.tmpdir(), 'openrms-machine-'));
  process.env.OPENRMS_MACHINE_CONFIG = machine;
}, 60_000);

afterEach(() => machineReg(''));

afterAll(async () => {
  process.env = savedEnv;
  rmSync(machine, { recursive: true, force: true });
  await t?.cleanup();
});

describe('ServiceLocation', () => {
  it('signs in to the service EnterpriseCertification names when no URL is given', async () => {
    machineReg(`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\EnterpriseCertification]\n@="${t.service.url}/_wmcs/certification"`);
    const alice = await RmsClient.signIn({ store: store(), tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
    expect(alice.serviceUrl).toBe(t.service.url);
    alice.close();
  });

  it('says what is missing when neither a URL nor a ServiceLocation setting is there', async () => {
    expect(await RmsClient.signIn({ store: store(), tokenProvider: passwordTokenProvider('a@b.c', 'x') }).catch((e) => `${e.code} ${e.argument}`))
      .toBe('INVALID_ARGUMENT serviceUrl');
  });
});

describe('LicensingRedirection', () => {
  it('reaches a service that moved at its new URL, for the PL\'s licensing URL and the enrolled session alike', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-moved-'));
    const first = await startService({ dataDir: path.join(root, 'service'), port: 0, log: () => {} });
    await first.accounts.addUser('alice@contoso.com', { password: passwordOf('alice@contoso.com') });
    const aliceStore = path.join(root, 'alice');
    const signIn = (url: string) => RmsClient.signIn({ store: aliceStore, serviceUrl: url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
    const alice = await signIn(first.url);
    const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'alice@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
    s.contentKey.close();
    alice.close();
    const oldUrl = first.url;
    await first.close();
    // The same service (same keys and database), now elsewhere.
    const moved = await startService({ dataDir: path.join(root, 'service'), port: 0, log: () => {} });
    try {
      const before = RmsClient.open({ store: aliceStore, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
      expect(await codeOf(before.getContentKey(s.publishingLicense))).toBe('NEEDS_ONLINE');
      before.close();
      machineReg(`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\ServiceLocation\\LicensingRedirection]\n"${oldUrl}/_wmcs/licensing"="${moved.url}/_wmcs/licensing"`);
      const after = RmsClient.open({ store: aliceStore, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
      const license = await after.getContentKey(s.publishingLicense);
      expect(license.rights).toEqual(['VIEW']);
      license.close();
      after.close();
    } finally {
      await moved.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Trace', () => {
  it('traces enrolment, calls, publishing and consuming to the store\'s log and the diagnostics channel, never a secret', async () => {
    machineReg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC]\n"Trace"=dword:00000001');
    const published: unknown[] = [];
    const listener = (message: unknown): void => { published.push(message); };
    subscribe('openrms:trace', listener);
    try {
      const root = store();
      const alice = await RmsClient.signIn({ store: root, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
      const document = Buffer.from('the quarterly numbers, not for the trace');
      const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'alice@contoso.com', rights: ['VIEW'] }] }));
      const file = await alice.protectBuffer(document, serialized);
      const opened = await alice.unprotectBuffer(file);
      expect(opened.plaintext.equals(document)).toBe(true);
      const log = readFileSync(path.join(root, 'logs', 'trace.log'), 'utf8');
      const events = log.trim().split('\n').map((line) => JSON.parse(line).event);
      expect(events).toEqual(expect.arrayContaining(['enrol', 'http', 'serialize-license', 'get-content-key']));
      expect(published.length).toBe(events.length);
      const account = internals(alice).account;
      const keyPem = readFileSync(path.join(root, 'keys', readdirSync(path.join(root, 'keys'))[0]!), 'utf8');
      const secrets = [
        passwordOf('alice@contoso.com'), account.token!.accessToken, account.token!.refreshToken!, account.rac, account.clc!,
        serialized.contentKey.export().toString('hex'), serialized.contentKey.export().toString('base64'), serialized.contentKey.export().toString('base64url'),
        keyPem.split('\n')[3]!, 'quarterly numbers', serialized.publishingLicense.split('.')[2]!,
      ];
      for (const secret of secrets) expect(log).not.toContain(secret);
      serialized.contentKey.close();
      opened.license.close();
      alice.close();
    } finally {
      unsubscribe('openrms:trace', listener);
    }
  });

  it('writes nothing when Trace is off (the default)', async () => {
    const root = store();
    const alice = await RmsClient.signIn({ store: root, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
    expect(readdirSync(root)).not.toContain('logs');
    alice.close();
  });
});

describe('Federation', () => {
  const asks = (seen: TokenRequest[]) => interactiveTokenProvider((request) => {
    seen.push(request);
    return passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com'))(request);
  });

  it('never lets a sign-in ask a person unless EnableBrowser is set: NEEDS_UI, the provider not called', async () => {
    const seen: TokenRequest[] = [];
    const refused = await RmsClient.signIn({ store: store(), serviceUrl: t.service.url, tokenProvider: asks(seen) }).catch((e) => e);
    expect([refused.code, refused.hresult, refused.serviceUrl]).toEqual(['NEEDS_UI', 0x8004020e, t.service.url]);
    expect(seen).toEqual([]);
  });

  it('lets it with EnableBrowser, and hands the provider FederationHomeRealm', async () => {
    machineReg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Federation]\n"EnableBrowser"=dword:00000001\n"FederationHomeRealm"="urn:federation:contoso"');
    const seen: TokenRequest[] = [];
    const alice = await RmsClient.signIn({ store: store(), serviceUrl: t.service.url, tokenProvider: asks(seen) });
    expect(seen).toEqual([expect.objectContaining({ mayPrompt: true, homeRealm: 'urn:federation:contoso', serviceUrl: t.service.url })]);
    alice.close();
  });

  it('never asks a person in server mode, even with EnableBrowser set', async () => {
    machineReg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Federation]\n"EnableBrowser"=dword:00000001');
    expect(await codeOf(RmsClient.signIn({ mode: 'server', account: 'records-app', store: store(), serviceUrl: t.service.url, tokenProvider: asks([]) })))
      .toBe('NEEDS_UI');
  });
});

describe('DisablePassportCertification', () => {
  it('refuses an individual (consumer) identity: no enrolment, and no content opened by one enrolled before', async () => {
    await t.service.accounts.addUser('ivy@example.org', { kind: 'individual', password: passwordOf('ivy@example.org') });
    const alice = await t.signIn('alice@contoso.com', { store: store() });
    const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'ivy@example.org', rights: ['VIEW'] }] }));
    s.contentKey.close();
    const ivyStore = store();
    const ivyProvider = passwordTokenProvider('ivy@example.org', passwordOf('ivy@example.org'));
    const ivy = await RmsClient.signIn({ store: ivyStore, serviceUrl: t.service.url, tokenProvider: ivyProvider });
    ivy.close();
    const settings = { disablePassportCertification: true };
    const refused = await RmsClient.open({ store: ivyStore, settings }).getContentKey(s.publishingLicense).catch((e) => e);
    expect([refused.code, refused.hresult]).toEqual(['ACCESS_DISABLED_BY_POLICY', 0x800704ec]);
    const fresh = store();
    expect(await codeOf(RmsClient.signIn({ store: fresh, serviceUrl: t.service.url, tokenProvider: ivyProvider, settings }))).toBe('ACCESS_DISABLED_BY_POLICY');
    expect(existsSync(path.join(fresh, 'services'))).toBe(false);
    alice.close();
  });
});

describe('FileProtection', () => {
  it('refuses to protect a file type set to Off (FILE_ENCRYPT_BLOCKED) and protects the others', async () => {
    machineReg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\txt]\n"Encryption"="Off"\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\FileProtection\\*]\n"Encryption"="Pfile"');
    const alice = await t.signIn('alice@contoso.com', { store: store() });
    const dir = mkdtempSync(path.join(t.root, 'files-'));
    for (const name of ['notes.txt', 'notes.md']) writeFileSync(path.join(dir, name), 'notes');
    const license = alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] });
    const blocked = await alice.protectFile(path.join(dir, 'notes.txt'), license).catch((e) => e);
    expect([blocked.code, blocked.hresult]).toEqual(['FILE_ENCRYPT_BLOCKED', 0x80041002]);
    expect(readdirSync(dir).sort()).toEqual(['notes.md', 'notes.txt']);
    expect((await alice.protectFile(path.join(dir, 'notes.md'), license)).path).toMatch(/notes\.md\.pfile$/);
    alice.close();
  });
});

describe('server mode', () => {
  it('stores a service account\'s state in the machine-wide server folder and reads its Server\\<account> keys', async () => {
    const serverHome = mkdtempSync(path.join(os.tmpdir(), 'openrms-server-'));
    process.env.OPENRMS_SERVER_HOME = serverHome;
    try {
      const { clientId, clientSecret } = await t.service.accounts.addServicePrincipal('records-app@contoso.com');
      machineReg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Server\\records-app]\n"TemplateUpdateFrequencyInSeconds"=dword:00000e10');
      const app = await RmsClient.signIn({ mode: 'server', account: 'records-app', serviceUrl: t.service.url, tokenProvider: clientCredentialsTokenProvider(clientId, clientSecret) });
      expect(app.storeRoot).toBe(path.join(serverHome, 'records-app'));
      expect(app.identity).toBe('records-app@contoso.com');
      app.close();
      // A person's HKCU settings in the same folder are not a service account's.
      mkdirSync(path.join(serverHome, 'records-app', 'registry'), { recursive: true });
      writeFileSync(path.join(serverHome, 'records-app', 'registry', 'user.reg'),
        'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]\r\n"TemplateUpdateFrequencyInSeconds"=dword:00000001\r\n');
      const reopened = RmsClient.open({ mode: 'server', account: 'records-app' });
      expect(reopened.identity).toBe('records-app@contoso.com');
      expect(reopened.settings.templateUpdateIntervalSeconds).toBe(3600);
      reopened.close();
    } finally {
      delete process.env.OPENRMS_SERVER_HOME;
      rmSync(serverHome, { recursive: true, force: true });
    }
  });
});

describe('on-demand enrolment and the trust policy', () => {
  it('is still asked after a redirection: the new URL must be allowed', async () => {
    expect(new ServiceAllowList([t.service.url]).allows(new URL(`${t.service.url}/`))).toBe(true);
    expect(new ServiceAllowList([t.service.url]).allows(new URL('http://127.0.0.2:1'))).toBe(false);
  });
});
