/**
 * LicensingRedirection and tokens (found by the issue 10 review): a session redirected to
 * another URL sent the access token and then the refresh token it had obtained at the enrolled
 * URL to the new one, unasked, which could then act as the user at the old service. A token
 * goes only to the URL it was obtained at.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

import { passwordTokenProvider, RmsClient } from '../../lib';
import { internals } from '../support/client-internals';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

let home: TestService;
let moved: TestService;

beforeAll(async () => {
  home = await startTestService();
  moved = await startTestService();
  for (const t of [home, moved]) for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
}, 60_000);

afterAll(async () => {
  await home?.cleanup();
  await moved?.cleanup();
});

/** A real forwarding proxy in front of `target` that keeps every request's authorization header and body. */
async function recordingProxy(target: string): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push(`${req.headers.authorization ?? ''} ${body.toString('utf8')}`);
      const forwarded = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

it('sends neither the access token nor the refresh token obtained at the enrolled URL to the URL a LicensingRedirection names', async () => {
  const alice = await home.signIn('alice@contoso.com');
  const published = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
  published.contentKey.close();
  alice.close();
  const bob = await home.signIn('bob@contoso.com', { store: path.join(home.root, 'stores', 'bob') });
  const token = internals(bob).account.token!;
  expect(token.refreshToken).toBeDefined();
  bob.close();

  const proxy = await recordingProxy(moved.service.url);
  try {
    const redirected = RmsClient.open({
      store: path.join(home.root, 'stores', 'bob'),
      tokenProvider: passwordTokenProvider('bob@contoso.com', passwordOf('bob@contoso.com')),
      settings: { licensingRedirection: { [`${home.service.url}/_wmcs/licensing`]: `${proxy.url}/_wmcs/licensing` } },
    });
    // The other service cannot license home's content; what matters is what it was sent meanwhile.
    await redirected.getContentKey(published.publishingLicense).catch(() => undefined);
    redirected.close();
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.filter((request) => request.includes(token.accessToken) || request.includes(token.refreshToken!))).toEqual([]);
  } finally {
    await proxy.close();
  }
});
