/**
 * One identity, many services (issue 10): a client signed in at its home service opens content
 * published at a partner's service after enrolling there on demand, when its trust policy allows
 * that service; the token provider is told which service asks; nothing is enrolled at a service
 * the policy does not allow, or one that answers as another service, or for another identity.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

import {
  passwordTokenProvider, RmsClient, RmsError, SecretKey, ServiceAllowList, TokenProvider, TokenRequest,
} from '../../lib';
import { publishOffline } from '../../lib/license';
import { ServiceConnection } from '../../lib/transport';
import { internals } from '../support/client-internals';
import { codeOf } from '../support/error-code';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

let home: TestService;
let partner: TestService;

beforeAll(async () => {
  home = await startTestService();
  partner = await startTestService();
  for (const t of [home, partner]) for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
  await partner.addUser('carol@fabrikam.com');
}, 60_000);

afterAll(async () => {
  await home?.cleanup();
  await partner?.cleanup();
});

let stores = 0;
/** Bob signed in at home, in a store of his own for each test. */
function bobAtHome(): Promise<RmsClient> {
  return home.signIn('bob@contoso.com', { store: path.join(home.root, 'stores', `bob-${++stores}`) });
}

/** Bob's credentials at whichever service asks, recording each request. */
function bobsProvider(seen: TokenRequest[], as = 'bob@contoso.com'): TokenProvider {
  return (request) => {
    seen.push(request);
    // An application that picks credentials per service binds each to the service it is for.
    return passwordTokenProvider(as, passwordOf(as), { serviceUrl: request.serviceUrl })(request);
  };
}

async function partnerDocument(): Promise<string> {
  const alice = await partner.signIn('alice@contoso.com');
  const s = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 1 }));
  s.contentKey.close();
  alice.close();
  return s.publishingLicense;
}

describe('a PL from a service the client has not met', () => {
  it('is SERVICE_NOT_TRUSTED, naming the service, unless the trust policy allows it; nothing is contacted or stored', async () => {
    const pl = await partnerDocument();
    const bob = await bobAtHome();
    const seen: TokenRequest[] = [];
    const reopened = RmsClient.open({ store: bob.storeRoot, tokenProvider: bobsProvider(seen) });
    const refusal = await reopened.getContentKey(pl).catch((error: RmsError) => error);
    expect(refusal).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', serviceUrl: partner.service.url, host: new URL(partner.service.url).host });
    expect(seen).toEqual([]);
    expect(reopened.services().map((s) => s.url)).toEqual([home.service.url]);
    reopened.close();
    bob.close();
  });

  it('opens after enrolling there on demand with the same device key, the token provider told which service asks', async () => {
    const pl = await partnerDocument();
    const signedIn = await bobAtHome();
    const seen: TokenRequest[] = [];
    const bob = RmsClient.open({
      store: signedIn.storeRoot, tokenProvider: bobsProvider(seen), trustPolicy: new ServiceAllowList([partner.service.url]),
    });
    const license = await bob.getContentKey(pl);
    expect(license.rights).toEqual(['VIEW']);
    license.close();
    expect(seen).toEqual([{
      serviceUrl: partner.service.url, authority: `${partner.service.url}/_wmcs/oauth2`, resource: partner.service.url, mayPrompt: false, onDemand: true,
    }]);
    expect(bob.services().map((s) => s.url).sort()).toEqual([home.service.url, partner.service.url].sort());
    // The default publishing service is still home: what bob protects is home's.
    expect(bob.serviceUrl).toBe(home.service.url);
    bob.close();

    // Later, without any trust policy: the partner is enrolled now, and the cached license opens offline.
    const later = RmsClient.open({ store: signedIn.storeRoot, offlineOnly: true });
    const again = await later.getContentKey(pl);
    expect(again.fromCache).toBe(true);
    again.close();
    later.close();
    signedIn.close();
  });

  it('refuses a service that answers as another service than the one that published the license', async () => {
    const pl = await partnerDocument();
    const claims = JSON.parse(Buffer.from(pl.split('.')[1]!, 'base64url').toString());
    expect(claims.urls.extranet).toBe(`${partner.service.url}/_wmcs/licensing`);
    // The PL is partner's; a policy that lets the client enrol anywhere still cannot make home answer for it.
    const signedIn = await bobAtHome();
    const bob = RmsClient.open({ store: signedIn.storeRoot, tokenProvider: bobsProvider([]), trustPolicy: { allows: () => true } });
    const forged = pl.replace(pl.split('.')[1]!, Buffer.from(JSON.stringify({ ...claims, urls: { intranet: `${home.service.url}/_wmcs/licensing`, extranet: null } })).toString('base64url'));
    expect(await bob.getContentKey(forged).catch((e: RmsError) => `${e.code} ${e.serviceUrl}`)).toBe(`SERVICE_NOT_TRUSTED ${home.service.url}`);
    bob.close();
    signedIn.close();
  });

  it('refuses an enrolment whose token signs in another identity, and stores nothing for it', async () => {
    const pl = await partnerDocument();
    const signedIn = await bobAtHome();
    const bob = RmsClient.open({
      store: signedIn.storeRoot, tokenProvider: bobsProvider([], 'carol@fabrikam.com'), trustPolicy: new ServiceAllowList([partner.service.url]),
    });
    expect(await codeOf(bob.getContentKey(pl))).toBe('AUTHENTICATION_FAILED');
    expect(bob.services().map((s) => s.url)).toEqual([home.service.url]);
    bob.close();
    signedIn.close();
  });
});

describe('the use-license cache', () => {
  it('keeps one license per content ID and owner: opening another owner\'s content with the same ID evicts nothing', async () => {
    await home.addUser('mallory@contoso.com');
    const alice = await home.signIn('alice@contoso.com', { store: path.join(home.root, 'stores', 'alice-cache') });
    const mallory = await home.signIn('mallory@contoso.com', { store: path.join(home.root, 'stores', 'mallory-cache') });
    const bob = await bobAtHome();
    const published = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 1 }));
    published.contentKey.close();
    (await bob.getContentKey(published.publishingLicense)).close();
    // Mallory publishes content of his own under alice's content ID, for bob too, and bob opens it.
    const key = SecretKey.generate();
    const m = internals(mallory);
    const sameId = publishOffline({
      owner: 'mallory@contoso.com', contentId: published.contentId, contentKey: key, iat: Math.floor(Date.now() / 1000),
      policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: null, offlineDays: 1 },
      wrappingKey: m.slc.wrappingKey, urls: m.slc.claims.urls,
    }, m.key(), m.account.clc!);
    key.close();
    (await bob.getContentKey(sameId)).close();
    // Offline, alice's content still opens from its own cached license.
    const offline = RmsClient.open({ store: bob.storeRoot, offlineOnly: true });
    const cached = await offline.getContentKey(published.publishingLicense);
    expect([cached.fromCache, cached.owner]).toEqual([true, 'alice@contoso.com']);
    cached.close();
    for (const c of [alice, mallory, bob, offline]) c.close();
  });
});

describe('credentials stay with their service (review finding)', () => {
  it('never hands the home password to a partner service, even one the trust policy allows', async () => {
    const pl = await partnerDocument();
    const signedIn = await bobAtHome();
    // One password provider for everything, as an application might write it: it answers no enrolment on demand.
    const provider = passwordTokenProvider('bob@contoso.com', passwordOf('bob@contoso.com'));
    const atHome = RmsClient.open({ store: signedIn.storeRoot, tokenProvider: provider, trustPolicy: new ServiceAllowList([partner.service.url]) });
    const tokenCalls = () => partner.logs.filter((e) => e.event === 'request' && e.path === '/_wmcs/oauth2/token').length;
    const before = tokenCalls();
    const refused = (await atHome.getContentKey(pl).catch((e: RmsError) => e)) as RmsError;
    expect([refused.code, refused.serviceUrl]).toEqual(['AUTHORITY_NOT_TRUSTED', partner.service.url]);
    expect(tokenCalls()).toBe(before);
    atHome.close();
    signedIn.close();
  });

  it('does not ask a token provider for a token for another service than the one that challenged', async () => {
    const seen: TokenRequest[] = [];
    const impostor = http.createServer((req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer authorization_uri="${home.service.url}/_wmcs/oauth2", resource="${home.service.url}"`, 'content-type': 'application/json' });
      res.end('{"error":{"code":"AUTHENTICATION_FAILED","message":"sign in"}}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
    try {
      const connection = new ServiceConnection(url, { tokenProvider: async (request) => { seen.push(request); return 'token'; } });
      expect(await codeOf(connection.callAuthenticated('GET', '/_wmcs/licensing/templates'))).toBe('AUTHORITY_NOT_TRUSTED');
      expect(seen).toEqual([]);
    } finally {
      impostor.close();
    }
  });
});

describe('refresh tokens stay with their authority (review finding)', () => {
  it('does not redeem a stored refresh token at an authority a challenge points to elsewhere', async () => {
    const received: string[] = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); }).on('end', () => { received.push(body); res.writeHead(400).end(); });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
    const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const service = http.createServer((req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer authorization_uri="${collectorUrl}/oauth2", resource="${serviceUrl}"`, 'content-type': 'application/json' });
      res.end('{"error":{"code":"AUTHENTICATION_FAILED","message":"sign in"}}');
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', () => resolve()));
    const serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    try {
      const connection = new ServiceConnection(serviceUrl, {
        token: { accessToken: 'expired', expiresAt: 1, refreshToken: 'the-refresh-token', authority: `${serviceUrl}/_wmcs/oauth2` },
      });
      expect(await codeOf(connection.callAuthenticated('GET', '/_wmcs/licensing/templates'))).toBe('NOT_SIGNED_IN');
      expect(received).toEqual([]);
    } finally {
      collector.close();
      service.close();
    }
  });
});
