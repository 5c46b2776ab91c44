/**
 * Device keys a client may have certified (issue 16 attack review): the service certifies any
 * public key it can import, and then wraps every use license's content key to it and verifies
 * what it signs. An RSA key whose public exponent is 1 makes each wrap the padded content key in
 * the clear and each signature forgeable; an even one is no permutation; a 3072-bit one made each
 * wrap 40 times the cost of 65537's, on the service's event loop, and one over 64 bits with a
 * modulus over 3072 bits failed every use license as an internal error.
 */
import { generateKeyPairSync } from 'node:crypto';

import { startTestService, passwordOf, TestService } from '../support/licensing-service';

let t: TestService;
let token: string;

async function post(path: string, body: unknown, bearer?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${t.service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestService();
  await t.addUser('mallory@contoso.com');
  const answer = await post('/_wmcs/oauth2/token', { grant_type: 'password', username: 'mallory@contoso.com', password: passwordOf('mallory@contoso.com') });
  token = String(answer.body.access_token);
});
afterAll(async () => t.cleanup());

/** The public JWK of a new RSA key of `bits`, its exponent replaced by `exponent` (hex). */
function rsaJwkWithExponent(bits: number, exponent: string): Record<string, string> {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' }) as Record<string, string>;
  return { kty: 'RSA', n: jwk.n!, e: Buffer.from(exponent, 'hex').toString('base64url') };
}

const certify = (key: unknown) => post('/_wmcs/certification', { key }, token);

it('refuses to certify an RSA key whose public exponent is 1, even, or over 32 bits, with INVALID_ARGUMENT naming the exponent', async () => {
  for (const [bits, exponent] of [[2048, '01'], [2048, '010000'], [3072, `7f${'ff'.repeat(382)}`], [4096, `01${'00'.repeat(8)}01`], [2048, '0100000001']] as const) {
    const answer = await certify(rsaJwkWithExponent(bits, exponent));
    expect({ bits, exponent: exponent.slice(0, 12), status: answer.status, error: answer.body.error })
      .toEqual({ bits, exponent: exponent.slice(0, 12), status: 400, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('public exponent') } });
  }
});

it('certifies RSA keys whose exponent is 3, 65537 or 2^32 - 1', async () => {
  for (const exponent of ['03', '010001', 'ffffffff']) {
    expect((await certify(rsaJwkWithExponent(2048, exponent))).status).toBe(200);
  }
});
