/**
 * The licensing service's own behaviour: the Bearer challenge and token caching, templates and
 * who may change them, individuals' sign-up, service principals, an external OpenID Connect
 * issuer, its database and data folder, HTTP errors, TLS, and shutdown.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import {
  AsymmetricKey, clientCredentialsTokenProvider, RmsAdministration, ROLE_RIGHTS, decodeJws, passwordTokenProvider, RmsClient, sign,
} from '../../lib';
import { signJws } from '../../lib/license';
import { openDataFolder, startService } from '../../lib/server';
import { codeOf } from '../support/error-code';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(response: Response): Promise<any> {
  return response.json();
}

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'openrms-svc-test-'));
}

describe('authentication', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('alice@contoso.com');
  });
  afterAll(() => t.cleanup());

  it('answers an unauthenticated call with 401 and the Bearer challenge', async () => {
    const response = await fetch(`${t.service.url}/_wmcs/licensing/templates`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate'))
      .toBe(`Bearer authorization_uri="${t.service.url}/_wmcs/oauth2", resource="${t.service.url}"`);
    expect((await json(response)).error.code).toBe('AUTHENTICATION_FAILED');
  });

  it('calls the token provider with the challenge once, then reuses the token', async () => {
    const seen: unknown[] = [];
    const inner = passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com'));
    const client = await RmsClient.signIn({
      store: path.join(t.root, 'alice-counted'), serviceUrl: t.service.url,
      tokenProvider: async (challenge) => { seen.push(challenge); return inner(challenge); },
    });
    await client.getTemplates();
    await client.getTemplates();
    expect(seen).toEqual([{ authority: `${t.service.url}/_wmcs/oauth2`, resource: t.service.url, serviceUrl: t.service.url, mayPrompt: false, onDemand: false }]);
    client.close();
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    for (const [email, password] of [['alice@contoso.com', 'not-her-password'], ['nobody@contoso.com', 'whatever-password']]) {
      expect(await codeOf(RmsClient.signIn({
        store: path.join(t.root, 'refused'), serviceUrl: t.service.url, tokenProvider: passwordTokenProvider(email!, password!),
      }))).toBe('AUTHENTICATION_FAILED');
    }
  });

  it('refuses an address after 10 failed sign-ins, even with the right password', async () => {
    await t.addUser('locked@contoso.com');
    const signIn = (password: string) => fetch(`${t.service.url}/_wmcs/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'locked@contoso.com', password }),
    });
    expect((await signIn(passwordOf('locked@contoso.com'))).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await signIn(`wrong-password-${i}`)).status).toBe(401);
    expect((await signIn(passwordOf('locked@contoso.com'))).status).toBe(401);
  });

  it('refuses a token signed by another key, and a forged one naming the service', async () => {
    const forger = AsymmetricKey.generate({ type: 'ec' });
    const forged = signJws({ iss: t.service.url, aud: t.service.url, sub: 'alice@contoso.com', exp: Math.floor(Date.now() / 1000) + 600 }, forger, 'at+jwt');
    const response = await fetch(`${t.service.url}/_wmcs/licensing/templates`, { headers: { authorization: `Bearer ${forged}` } });
    expect(response.status).toBe(401);
  });

  it('reopens from the store with the refresh token, never the password', async () => {
    const store = path.join(t.root, 'alice-refresh');
    (await RmsClient.signIn({ store, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) })).close();
    const account = readFileSync(path.join(store, 'services', readdirSync(path.join(store, 'services'))[0]!, 'account.json'), 'utf8');
    expect(account).not.toContain(passwordOf('alice@contoso.com'));
    // Expire the stored access token: the client must renew it with the refresh token alone.
    const file = path.join(store, 'services', readdirSync(path.join(store, 'services'))[0]!, 'account.json');
    const parsed = JSON.parse(account);
    parsed.token.accessToken = 'expired.token.value';
    writeFileSync(file, JSON.stringify(parsed));
    const reopened = RmsClient.open({ store });
    expect((await reopened.getTemplates())).toEqual([]);
    reopened.close();
  });

  it('lets processes sharing a store renew an expired token together (one refresh, the others reuse it)', async () => {
    const store = path.join(t.root, 'alice-shared-store');
    const first = await RmsClient.signIn({ store, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) });
    first.close();
    const file = path.join(store, 'services', readdirSync(path.join(store, 'services'))[0]!, 'account.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    parsed.token.accessToken = 'expired.token.value';
    writeFileSync(file, JSON.stringify(parsed));
    // Four clients opened from the same store, as four `openrms` processes would be; no token provider.
    const clients = [0, 1, 2, 3].map(() => RmsClient.open({ store }));
    const outcomes = await Promise.all(clients.map((c) => codeOf(c.getTemplates())));
    expect(outcomes).toEqual(['NO_ERROR', 'NO_ERROR', 'NO_ERROR', 'NO_ERROR']);
    expect(readdirSync(path.join(store, 'locks'))).toEqual([]);
    for (const c of clients) c.close();
  });

  it('ends every refresh token when the password changes', async () => {
    const store = path.join(t.root, 'alice-password-change');
    (await RmsClient.signIn({ store, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) })).close();
    const file = path.join(store, 'services', readdirSync(path.join(store, 'services'))[0]!, 'account.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    parsed.token.accessToken = 'expired.token.value';
    writeFileSync(file, JSON.stringify(parsed));
    await t.service.accounts.addUser('alice@contoso.com', { password: passwordOf('alice@contoso.com') });
    expect(await codeOf(RmsClient.open({ store }).getTemplates())).toBe('NOT_SIGNED_IN');
  });

  it('tells a client with no way to get a token to sign in', async () => {
    const store = path.join(t.root, 'alice-signed-out');
    (await RmsClient.signIn({ store, serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('alice@contoso.com', passwordOf('alice@contoso.com')) })).close();
    const file = path.join(store, 'services', readdirSync(path.join(store, 'services'))[0]!, 'account.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    parsed.token = null;
    writeFileSync(file, JSON.stringify(parsed));
    expect(await codeOf(RmsClient.open({ store }).getTemplates())).toBe('NOT_SIGNED_IN');
  });

  it('lets a service principal sign in with its client ID and secret', async () => {
    const { clientId, clientSecret } = await t.service.accounts.addServicePrincipal('records-app@contoso.com');
    const app = await RmsClient.signIn({ store: path.join(t.root, 'app'), serviceUrl: t.service.url, tokenProvider: clientCredentialsTokenProvider(clientId, clientSecret) });
    expect(app.identity).toBe('records-app@contoso.com');
    const serialized = await app.serializeLicense(app.createLicense({ grants: [{ who: 'records-app@contoso.com', rights: ['VIEW'] }] }));
    const license = await app.getContentKey(serialized.publishingLicense);
    expect(license.rights).toEqual(['VIEW']);
    license.close();
    serialized.contentKey.close();
    app.close();
    expect(await codeOf(RmsClient.signIn({ store: path.join(t.root, 'app2'), serviceUrl: t.service.url, tokenProvider: clientCredentialsTokenProvider(clientId, 'wrong') })))
      .toBe('AUTHENTICATION_FAILED');
    // A principal cannot take a user's identity, nor a user a principal's.
    expect(await codeOf(t.service.accounts.addServicePrincipal('alice@contoso.com'))).toBe('CONFLICT');
    expect(await codeOf(t.service.accounts.addUser('records-app@contoso.com'))).toBe('CONFLICT');
  });
});

describe('templates', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('admin@contoso.com', { admin: true });
    await t.addUser('alice@contoso.com');
    await t.addUser('bob@contoso.com');
  });
  afterAll(() => t.cleanup());

  it('are created by admins only, listed signed, used to protect, and archived', async () => {
    const admin = await t.signIn('admin@contoso.com');
    const alice = await t.signIn('alice@contoso.com');
    const bob = await t.signIn('bob@contoso.com');
    const definition = { name: 'Finance - Confidential', description: 'finance team only', grants: [{ who: 'bob@contoso.com', rights: ['REVIEWER'] }], contentValidDays: 30, offlineDays: 3 };
    expect(await codeOf(new RmsAdministration(alice).createTemplate(definition))).toBe('ACCESS_DENIED');
    const created = await new RmsAdministration(admin).createTemplate(definition);
    expect(await codeOf(new RmsAdministration(admin).createTemplate(definition))).toBe('CONFLICT');
    const listed = await alice.getTemplates();
    expect(listed.map((x) => x.name)).toEqual(['Finance - Confidential']);

    const license = await alice.createLicenseFromTemplate('finance - confidential');
    expect(license.template).toBe(created.id);
    expect(license.contentValidUntil!.getTime()).toBeGreaterThan(Date.now() + 29 * 86400_000);
    const serialized = await alice.serializeLicense(license);
    const opened = await bob.getContentKey(serialized.publishingLicense);
    expect([...opened.rights].sort()).toEqual([...ROLE_RIGHTS.REVIEWER].sort());
    expect(opened.licenseValidUntil.getTime()).toBeLessThanOrEqual(Date.now() + 3 * 86400_000 + 5000);
    opened.close();

    const renamed = await new RmsAdministration(admin).updateTemplate(created.id, { ...definition, name: 'Finance - Restricted' });
    expect(renamed.name).toBe('Finance - Restricted');
    // Listing answers from the cache until the refresh interval passes (IpcGetTemplateList); forced, it downloads.
    expect((await alice.getTemplates()).map((x) => x.name)).toEqual(['Finance - Confidential']);
    expect((await alice.getTemplates({ forceDownload: true })).map((x) => x.name)).toEqual(['Finance - Restricted']);
    await new RmsAdministration(admin).archiveTemplate(created.id);
    expect(await alice.getTemplates({ forceDownload: true })).toEqual([]);
    expect(await codeOf(alice.createLicenseFromTemplate(created.id))).toBe('TEMPLATE_NOT_FOUND');
    // Content protected with an archived template still opens.
    const again = await bob.getContentKey(serialized.publishingLicense);
    again.close();
    serialized.contentKey.close();
    for (const c of [admin, alice, bob]) c.close();
  });

  it('refuses a template without grants', async () => {
    const admin = await t.signIn('admin@contoso.com');
    expect(await codeOf(new RmsAdministration(admin).createTemplate({ name: 'empty', grants: [] }))).toBe('INVALID_ARGUMENT');
    admin.close();
  });
});

describe('individuals', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('alice@contoso.com');
  });
  afterAll(() => t.cleanup());

  function codeFromOutbox(email: string): string {
    const text = readFileSync(path.join(t.service.folder.outbox, `${email}.txt`), 'utf8');
    return /code is (\d{6})/.exec(text)![1]!;
  }

  it('sign up by email and open content shared with that address, but may not protect', async () => {
    const alice = await t.signIn('alice@contoso.com');
    const serialized = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'Frank@Example.org', rights: ['VIEW'] }] }));

    await RmsClient.requestSignUp(t.service.url, 'frank@example.org');
    expect(await codeOf(RmsClient.completeSignUp(t.service.url, 'frank@example.org', '000000' === codeFromOutbox('frank@example.org') ? '111111' : '000000', 'franks-password')))
      .toBe('AUTHENTICATION_FAILED');
    await RmsClient.completeSignUp(t.service.url, 'frank@example.org', codeFromOutbox('frank@example.org'), 'franks-password');
    const frank = await RmsClient.signIn({ store: path.join(t.root, 'frank'), serviceUrl: t.service.url, tokenProvider: passwordTokenProvider('frank@example.org', 'franks-password') });
    expect(frank.identityKind).toBe('individual');
    const license = await frank.getContentKey(serialized.publishingLicense);
    expect(license.rights).toEqual(['VIEW']);
    license.close();

    const draft = frank.createLicense({ grants: [{ who: 'alice@contoso.com', rights: ['VIEW'] }] });
    expect(await codeOf(frank.serializeLicense(draft))).toBe('ACCESS_DENIED');
    expect(await codeOf(frank.serializeLicense(draft, { online: true }))).toBe('ACCESS_DENIED');
    serialized.contentKey.close();
    frank.close();
    alice.close();
  });

  it('keeps counting wrong codes when a new code is asked for, so codes cannot be guessed', async () => {
    await RmsClient.requestSignUp(t.service.url, 'gina@example.org');
    const wrong = (code: string) => (code === '000000' ? '000001' : '000000');
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(RmsClient.completeSignUp(t.service.url, 'gina@example.org', wrong(codeFromOutbox('gina@example.org')), 'ginas-password'))).toBe('AUTHENTICATION_FAILED');
    }
    await RmsClient.requestSignUp(t.service.url, 'gina@example.org');
    // The right code, but the five tries of this window are spent.
    expect(await codeOf(RmsClient.completeSignUp(t.service.url, 'gina@example.org', codeFromOutbox('gina@example.org'), 'ginas-password'))).toBe('AUTHENTICATION_FAILED');
  });

  it('cannot take over an organization account by signing up, and answers as for an unknown address', async () => {
    const ask = (email: string) => fetch(`${t.service.url}/_wmcs/individuals/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
    }).then(async (r) => `${r.status} ${await r.text()}`);
    expect(await ask('alice@contoso.com')).toBe(await ask('nobody-yet@example.org'));
    // Alice is told by mail that someone asked; there is no code to complete a sign-up with.
    const mail = readFileSync(path.join(t.service.folder.outbox, 'alice@contoso.com.txt'), 'utf8');
    expect(mail).toContain('already has an account');
    expect(mail).not.toMatch(/\d{6}/);
    for (const code of ['000000', '123456']) {
      expect(await codeOf(RmsClient.completeSignUp(t.service.url, 'alice@contoso.com', code, 'takeover-password'))).toBe('AUTHENTICATION_FAILED');
    }
    expect((await t.service.accounts.find('alice@contoso.com'))!.kind).toBe('organization');
  });
});

describe('an external OpenID Connect issuer', () => {
  it('is trusted for tokens signed with the keys its JWKS publishes', async () => {
    const idpKey = AsymmetricKey.generate({ type: 'ec' });
    const jwk = { ...idpKey.publicKey().exportJwk(), kid: 'idp-key-1' };
    const jwks = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    const root = tempDir();
    const dataDir = path.join(root, 'service');
    openDataFolder(dataDir);
    const settings = JSON.parse(readFileSync(path.join(dataDir, 'service.json'), 'utf8'));
    writeFileSync(path.join(dataDir, 'service.json'), JSON.stringify({ ...settings, oidc: { issuer, jwksUri: `${issuer}/keys`, audience: 'api://openrms' } }));
    const service = await startService({ dataDir, port: 0, log: () => {} });
    try {
      // Signed by the issuer's key and naming it by the issuer's own kid, as real issuers do.
      const idToken = (claims: Record<string, unknown>): string => {
        const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'idp-key-1', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ iss: issuer, aud: 'api://openrms', exp: Math.floor(Date.now() / 1000) + 600, ...claims })).toString('base64url');
        const input = `${header}.${payload}`;
        return `${input}.${sign('ES256', idpKey, Buffer.from(input)).toString('base64url')}`;
      };
      const grace = await RmsClient.signIn({ store: path.join(root, 'grace'), serviceUrl: service.url, tokenProvider: async () => idToken({ email: 'Grace@Fabrikam.com', email_verified: true }) });
      expect(grace.identity).toBe('grace@fabrikam.com');
      expect(grace.identityKind).toBe('organization');
      grace.close();
      expect(await codeOf(RmsClient.signIn({ store: path.join(root, 'mallory'), serviceUrl: service.url, tokenProvider: async () => idToken({ email: 'm@fabrikam.com', aud: 'api://other' }) })))
        .toBe('AUTHENTICATION_FAILED');
      // Names the issuer does not vouch for are not identities: an email counts only when email_verified is the boolean true.
      for (const claims of [{ preferred_username: 'grace@fabrikam.com' }, { email: 'grace@fabrikam.com', email_verified: false },
        { email: 'grace@fabrikam.com' }, { email: 'grace@fabrikam.com', email_verified: 'true' }, { email: 'grace@fabrikam.com', email_verified: 1 }]) {
        expect(await codeOf(RmsClient.signIn({ store: path.join(root, 'unverified'), serviceUrl: service.url, tokenProvider: async () => idToken(claims) })))
          .toBe('AUTHENTICATION_FAILED');
      }
      // A local administrator's address in an external token gives no administrator rights.
      await service.accounts.addUser('admin@fabrikam.com', { password: 'admin-password', admin: true });
      const external = await RmsClient.signIn({ store: path.join(root, 'ext-admin'), serviceUrl: service.url, tokenProvider: async () => idToken({ email: 'admin@fabrikam.com', email_verified: true }) });
      expect(await codeOf(new RmsAdministration(external).createTemplate({ name: 'x', grants: [{ who: 'ANYONE', rights: ['VIEW'] }] }))).toBe('ACCESS_DENIED');
      external.close();
    } finally {
      await service.close();
      jwks.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('data folder and database', () => {
  it('is created on first start with owner-only keys, and reopened with the same service identity', async () => {
    const root = tempDir();
    const first = await startTestService({}, root);
    const slc = decodeJws<{ sub: string }>((await json(await fetch(`${first.service.url}/_wmcs/discovery`))).slc).payload.sub;
    await first.stop();
    const dataDir = path.join(root, 'service');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const f of ['signing.pem', 'wrapping.pem']) expect(statSync(path.join(dataDir, 'keys', f)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'service.db')).mode & 0o777).toBe(0o600);
    const second = await startService({ dataDir, port: 0, log: () => {} });
    const again = decodeJws<{ sub: string }>((await json(await fetch(`${second.url}/_wmcs/discovery`))).slc).payload.sub;
    expect(again).toBe(slc);
    // While the service runs, SQLite's journal files exist too, and hold hashes: owner-only as well.
    await second.accounts.addUser('someone@contoso.com', { password: 'a-password-1' });
    const journal = readdirSync(dataDir).filter((f) => f.startsWith('service.db-'));
    expect(journal).toEqual(expect.arrayContaining(['service.db-wal', 'service.db-shm']));
    for (const f of journal) expect(statSync(path.join(dataDir, f)).mode & 0o777).toBe(0o600);
    await second.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a database from a newer openrms instead of misreading it', async () => {
    const root = tempDir();
    await (await startService({ dataDir: root, port: 0, log: () => {} })).close();
    const db = new Database(path.join(root, 'service.db'));
    db.pragma('user_version = 999');
    db.close();
    await expect(startService({ dataDir: root, port: 0, log: () => {} })).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a settings file that is not JSON', () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'service.json'), '{ nope');
    expect(() => openDataFolder(root)).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
    rmSync(root, { recursive: true, force: true });
  });
});

describe('HTTP', () => {
  let t: TestService;
  beforeAll(async () => { t = await startTestService(); });
  afterAll(() => t.cleanup());

  it('matches the registry-style paths without regard to case', async () => {
    const response = await fetch(`${t.service.url}/_wmcs/Certification`, { method: 'POST' });
    expect(response.status).toBe(401);
  });

  it('answers unknown paths and bad bodies with coded JSON errors', async () => {
    const missing = await fetch(`${t.service.url}/_wmcs/nothing`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('NOT_FOUND');
    const bad = await fetch(`${t.service.url}/_wmcs/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ not json' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('INVALID_FORMAT');
    const huge = await fetch(`${t.service.url}/_wmcs/oauth2/token`, { method: 'POST', body: 'x'.repeat(5 * 1024 * 1024) }).catch(() => null);
    if (huge !== null) expect(huge.status).toBe(413);
  });

  it('answers a request target that is not a path with 400, and keeps serving', async () => {
    const { port } = new URL(t.service.url);
    for (const target of ['http://a:b/', 'http://[/', '//x:99999/']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let data = '';
        socket.on('data', (d) => { data += d.toString(); });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    }
    expect((await fetch(`${t.service.url}/_wmcs/discovery`)).status).toBe(200);
  });

  it('logs each request as one structured entry', () => {
    const entry = t.logs.find((e) => e.event === 'request' && e.path === '/_wmcs/nothing');
    expect(entry).toMatchObject({ level: 'info', method: 'GET', status: 404, code: 'NOT_FOUND' });
    expect(typeof entry!.ms).toBe('number');
  });

  it('refuses plain HTTP on a non-loopback address', async () => {
    const root = tempDir();
    await expect(startService({ dataDir: root, host: '0.0.0.0', port: 0, log: () => {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    rmSync(root, { recursive: true, force: true });
  });

  it('serves HTTPS with a given certificate, trusted by the client through its CA option', async () => {
    const root = tempDir();
    const cert = path.join(root, 'cert.pem');
    const key = path.join(root, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const t2 = await startTestService({ tls: { certFile: cert, keyFile: key } }, root);
    try {
      expect(t2.service.url.startsWith('https://127.0.0.1:')).toBe(true);
      await t2.addUser('alice@contoso.com');
      expect(await codeOf(t2.signIn('alice@contoso.com'))).toBe('SERVICE_UNAVAILABLE');
      const alice = await t2.signIn('alice@contoso.com', { ca: readFileSync(cert) });
      expect(alice.serviceUrl).toBe(t2.service.url);
      alice.close();
    } finally {
      await t2.cleanup();
    }
  });

  it('lets a request in flight finish when shutting down, then closes its connection', async () => {
    const root = tempDir();
    // A grace period longer than the test's timeout: close() must finish because the answer
    // closed the connection, not because the grace period ran out.
    const t3 = await startTestService({ shutdownGraceMs: 10 * 60_000 }, root);
    await t3.addUser('alice@contoso.com');
    // scrypt keeps the sign-in in flight while close() begins.
    const signIn = fetch(`${t3.service.url}/_wmcs/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'alice@contoso.com', password: passwordOf('alice@contoso.com') }),
    });
    await new Promise((r) => setTimeout(r, 20));
    const closed = t3.service.close();
    const response = await signIn;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    await closed;
    rmSync(root, { recursive: true, force: true });
  });
});
