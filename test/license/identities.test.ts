/**
 * Identities are compared as the ASCII strings they are: only A-Z is folded, so an address
 * with a Kelvin sign or a dotted capital I is not another person's address.
 */
import { normalizeEmail } from '../../lib/license';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

describe('normalizeEmail', () => {
  it('folds ASCII upper case and trims ASCII spaces', () => {
    expect(normalizeEmail(' \tKELLY@Contoso.COM\r\n')).toBe('kelly@contoso.com');
  });

  it('keeps a Kelvin sign (U+212A) as it is, so it does not become a k', () => {
    expect(normalizeEmail('\u212Aelly@contoso.com')).toBe('\u212Aelly@contoso.com');
    expect(normalizeEmail('\u212AELLY@CONTOSO.COM')).toBe('\u212Aelly@contoso.com');
  });

  it('keeps a dotted capital I (U+0130) as it is', () => {
    expect(normalizeEmail('\u0130nes@contoso.com')).toBe('\u0130nes@contoso.com');
  });

  it('refuses non-ASCII spaces around an address instead of trimming them away', () => {
    for (const padded of ['\u00A0kelly@contoso.com', 'kelly@contoso.com\u3000']) {
      expect(() => normalizeEmail(padded)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('password sign-in', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('kelly@contoso.com');
  });
  afterAll(() => t.cleanup());

  const signIn = (username: string, password: string): Promise<Response> => fetch(`${t.service.url}/_wmcs/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', username, password }),
  });

  it('as the address with a Kelvin sign does not reach kelly\'s account, even with her password', async () => {
    const response = await signIn('\u212Aelly@contoso.com', passwordOf('kelly@contoso.com'));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('AUTHENTICATION_FAILED');
    expect(await t.service.accounts.find('\u212Aelly@contoso.com')).toBeNull();
  });

  it('in ASCII upper case reaches the same account', async () => {
    const response = await signIn('KELLY@Contoso.com', passwordOf('kelly@contoso.com'));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { identity: string }).identity).toBe('kelly@contoso.com');
  });

  it('adds an address with a Kelvin sign as a user of its own, leaving kelly\'s password as it was', async () => {
    await t.addUser('\u212Aelly@contoso.com');
    const other = await signIn('\u212Aelly@contoso.com', passwordOf('\u212Aelly@contoso.com'));
    expect(((await other.json()) as { identity: string }).identity).toBe('\u212Aelly@contoso.com');
    expect((await signIn('kelly@contoso.com', passwordOf('kelly@contoso.com'))).status).toBe(200);
  });
});
