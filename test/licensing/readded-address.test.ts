/**
 * An address removed and added again is a new account (issue 9): found by the issue 10 review,
 * an access token issued to the address's previous holder still signed in as the new account for
 * the rest of its hour, long enough to get a RAC and a CLC for a device key of his own and so
 * publish and open content as the new account. Such a token is refused.
 */
import { AsymmetricKey, decodeJws } from '../../lib';
import { startTestService, TestService } from '../support/licensing-service';

let clock = Math.floor(Date.now() / 1000);
let t: TestService;

beforeAll(async () => {
  t = await startTestService({ now: () => clock });
}, 60_000);

afterAll(() => t?.cleanup());

async function post(path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${t.service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

async function accessToken(email: string, password: string): Promise<string> {
  const answer = await post('/_wmcs/oauth2/token', { grant_type: 'password', username: email, password });
  expect(answer.status).toBe(200);
  return String(answer.body.access_token);
}

async function certify(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const key = await AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 2048 });
  try {
    return await post('/_wmcs/certification', { key: key.publicKey().exportJwk() }, token);
  } finally {
    key.close();
  }
}

it('refuses an access token issued to the previous holder of an address removed and added again, and accepts the new account\'s', async () => {
  await t.service.accounts.addUser('bob@contoso.com', { password: 'password-of-the-first-bob' });
  const previous = await accessToken('bob@contoso.com', 'password-of-the-first-bob');
  await t.service.accounts.remove('bob@contoso.com');
  clock += 60;
  await t.service.accounts.addUser('bob@contoso.com', { password: 'password-of-the-second-bob' });
  clock += 60;

  // Still within its hour, but issued before this account existed.
  expect(decodeJws<{ exp: number }>(previous).payload.exp).toBeGreaterThan(clock);
  const refused = await certify(previous);
  expect(refused.status).toBe(401);
  expect(refused.body.error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });

  const current = await certify(await accessToken('bob@contoso.com', 'password-of-the-second-bob'));
  expect(current.status).toBe(200);
  expect(decodeJws<{ sub: string }>(String(current.body.rac)).payload.sub).toBe('bob@contoso.com');
});

it('keeps accepting a token issued in the second its account was created', async () => {
  await t.service.accounts.addUser('carol@contoso.com', { password: 'password-of-carol' });
  expect((await certify(await accessToken('carol@contoso.com', 'password-of-carol'))).status).toBe(200);
});
