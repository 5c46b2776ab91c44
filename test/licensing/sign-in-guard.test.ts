/**
 * The password sign-in lockout (SignInGuard): attempts are counted before their scrypt hash,
 * so guesses sent together cannot all pass the check, both on the guard itself and through
 * the real service's token endpoint.
 */
import net from 'node:net';

import { RmsError } from '../../lib';
import { hashPassword, verifyPassword } from '../../lib/server/passwords';
import { SignInGuard } from '../../lib/server/sign-in-guard';
import { codeOf } from '../support/error-code';
import { temporarySqliteStorage, TemporaryStorage } from '../support/service-storage';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

const PASSWORD = 'kellys-password';

describe('SignInGuard', () => {
  let hash: string;
  let clock: number;
  let hashes: number;
  let guard: SignInGuard;
  let storage: TemporaryStorage;
  beforeAll(async () => {
    hash = await hashPassword(PASSWORD);
  });
  beforeEach(async () => {
    clock = 1_000_000;
    hashes = 0;
    // A database of its own per test: the counts are kept there.
    storage = await temporarySqliteStorage();
    guard = new SignInGuard(storage.storage.limits, () => clock, 2);
  });
  afterEach(() => storage.cleanup());

  /** A sign-in as `email`: a real scrypt verification of `password`, counted when it runs. */
  const signIn = (email: string, password: string): Promise<string> => guard.run(email, async () => {
    hashes++;
    if (!(await verifyPassword(password, hash))) throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
    return email;
  });

  it('hashes at most 10 of 60 wrong passwords and the right one sent together, and refuses the right one', async () => {
    const wrong = Array.from({ length: 60 }, (_, i) => codeOf(signIn('kelly@contoso.com', `wrong-password-${i}`)));
    const right = codeOf(signIn('kelly@contoso.com', PASSWORD));
    expect(await right).toBe('AUTHENTICATION_FAILED');
    expect(new Set(await Promise.all(wrong))).toEqual(new Set(['AUTHENTICATION_FAILED']));
    expect(hashes).toBe(10);
  });

  it('clears the count on a success, and counts again from there', async () => {
    for (let i = 0; i < 9; i++) expect(await codeOf(signIn('kelly@contoso.com', `wrong-password-${i}`))).toBe('AUTHENTICATION_FAILED');
    expect(await signIn('kelly@contoso.com', PASSWORD)).toBe('kelly@contoso.com');
    for (let i = 0; i < 10; i++) expect(await codeOf(signIn('kelly@contoso.com', `wrong-password-${i}`))).toBe('AUTHENTICATION_FAILED');
    hashes = 0;
    expect(await codeOf(signIn('kelly@contoso.com', PASSWORD))).toBe('AUTHENTICATION_FAILED');
    expect(hashes).toBe(0);
  });

  it('lets an address try again once the 15-minute window has passed', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => codeOf(signIn('kelly@contoso.com', `wrong-password-${i}`))));
    clock += 15 * 60 - 1;
    expect(await codeOf(signIn('kelly@contoso.com', PASSWORD))).toBe('AUTHENTICATION_FAILED');
    clock += 1;
    expect(await signIn('kelly@contoso.com', PASSWORD)).toBe('kelly@contoso.com');
  });

  it('counts an address in any ASCII case as one, and an address with a Kelvin sign as another', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => codeOf(signIn(i % 2 === 0 ? 'KELLY@contoso.com' : ' kelly@Contoso.com', `wrong-password-${i}`))));
    expect(await codeOf(signIn('Kelly@contoso.com', PASSWORD))).toBe('AUTHENTICATION_FAILED');
    // U+212A folds to `k` under toLowerCase(), but is another address, with a count of its own.
    expect(await signIn('\u212Aelly@contoso.com', PASSWORD)).toBe('\u212Aelly@contoso.com');
  });

  it('runs at most `concurrency` attempts at once, whatever the addresses', async () => {
    let running = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 8 }, (_, i) => guard.run(`user${i}@contoso.com`, async () => {
      most = Math.max(most, ++running);
      await verifyPassword(PASSWORD, hash);
      running--;
    })));
    expect(most).toBe(2);
  });
});

/**
 * Statuses of token requests sent pipelined on one connection: the service reads them in the
 * order written, so the last one reaches the guard after all the others, without waiting for
 * any answer. The last request asks the service to close the connection after answering it.
 */
function pipelinedSignIns(url: string, attempts: { username: string; password: string }[]): Promise<number[]> {
  const { hostname, port } = new URL(url);
  const requests = attempts.map(({ username, password }, i) => {
    const body = JSON.stringify({ grant_type: 'password', username, password });
    return ['POST /_wmcs/oauth2/token HTTP/1.1', `Host: ${hostname}:${port}`, 'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`, ...(i === attempts.length - 1 ? ['Connection: close'] : []), '', body].join('\r\n');
  });
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    // Writing without ending: a client's half-close makes node:http abandon requests not yet answered.
    const socket = net.connect(Number(port), hostname, () => socket.write(requests.join('')));
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      resolve([...Buffer.concat(received).toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
    });
  });
}

describe('the token endpoint under a burst of guesses', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('kelly@contoso.com');
  });
  afterAll(() => t.cleanup());

  it('refuses the right password sent together with 60 wrong ones', async () => {
    const username = 'kelly@contoso.com';
    const wrong = Array.from({ length: 60 }, (_, i) => ({ username, password: `wrong-password-${i}` }));
    const statuses = await pipelinedSignIns(t.service.url, [...wrong, { username, password: passwordOf(username) }]);
    expect(statuses).toEqual(Array(61).fill(401));
  });
});
