import { AsymmetricKey } from '../../lib';
import {
  issueClc, issueRac, issueSlc, normalizeEmail, RAC_LIFETIME_SECONDS, verifyClc, verifyRac, verifySlc,
} from '../../lib/license/certificates';
import { jwkThumbprint } from '../../lib/crypto/asymmetric-key';
import { publicKeyFromJwk } from '../../lib/license/key-cache';

const fails = (code: string) => expect.objectContaining({ code });
const rsa = () => AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });

const now = 1_800_000_000;
const year = 365 * 24 * 3600;
const urls = { intranet: 'https://rms.example.com/_wmcs/licensing', extranet: null, certification: 'https://rms.example.com/_wmcs/certification' };

describe('certificates: SLC, RAC, CLC', () => {
  const signing = rsa();
  const wrapping = rsa();
  const root = rsa();
  const user = AsymmetricKey.generate({ type: 'ec' });
  const selfSigned = issueSlc({ name: 'Example RMS', signingKey: signing, wrappingKey: wrapping, urls, iat: now, exp: now + year });
  const slc = verifySlc(selfSigned, { pinned: [signing.thumbprint()], now });

  it('trusts a self-signed SLC only when pinned, and a root-signed one only under that root', () => {
    expect(slc.claims).toMatchObject({ name: 'Example RMS', sub: signing.thumbprint(), iss: signing.thumbprint() });
    expect(slc.wrappingKey.thumbprint()).toBe(wrapping.thumbprint());
    expect(() => verifySlc(selfSigned, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
    const underRoot = issueSlc({ name: 'Example RMS', signingKey: signing, wrappingKey: wrapping, urls, iat: now, exp: now + year, root });
    expect(verifySlc(underRoot, { roots: [root.publicKey()], now }).claims.iss).toBe(root.thumbprint());
    expect(() => verifySlc(underRoot, { roots: [rsa()], now })).toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifySlc(underRoot, { pinned: [signing.thumbprint()], now })).toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifySlc(selfSigned, { pinned: [signing.thumbprint()], now: now + 2 * year })).toThrow(fails('VALIDITY_TIME_VIOLATION'));
  });

  it('issues a 31-day RAC bound to the user\'s key, and checks it against its service', () => {
    const rac = issueRac(signing, { email: ' Bob@Example.com ', kind: 'organization', userKey: user.publicKey(), iat: now });
    const verified = verifyRac(rac, slc, { now: now + 3600 });
    expect(verified.claims).toMatchObject({ sub: 'bob@example.com', idk: 'organization', exp: now + RAC_LIFETIME_SECONDS });
    expect(verified.userKey.thumbprint()).toBe(user.thumbprint());
    expect(() => verifyRac(rac, slc, { now: now + RAC_LIFETIME_SECONDS + 3600 })).toThrow(fails('VALIDITY_TIME_VIOLATION'));
    expect(() => verifyRac(rac, slc, { now: now - 3600 })).toThrow(fails('VALIDITY_TIME_VIOLATION'));

    const otherService = rsa();
    const otherSlc = verifySlc(issueSlc({ name: 'Other', signingKey: otherService, wrappingKey: wrapping, urls, iat: now, exp: now + year }),
      { pinned: [otherService.thumbprint()], now });
    expect(() => verifyRac(rac, otherSlc, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
  });

  it('refuses a RAC with one byte changed, or re-signed by a key that is not the service\'s', () => {
    const rac = issueRac(signing, { email: 'bob@example.com', kind: 'individual', userKey: user.publicKey(), iat: now });
    const [h, p, s] = rac.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory@example.com' })).toString('base64url');
    expect(() => verifyRac(`${h}.${swapped}.${s}`, slc, { now })).toThrow(fails('INVALID_SIGNATURE'));
    const forged = issueRac(rsa(), { email: 'bob@example.com', kind: 'individual', userKey: user.publicKey(), iat: now });
    expect(() => verifyRac(forged, slc, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
  });

  it('issues a CLC that carries its SLC\'s wrapping key, and refuses one with another', () => {
    const clc = issueClc(signing, { email: 'alice@example.com', userKey: user.publicKey(), wrappingKey: wrapping, urls, iat: now, exp: now + year });
    const verified = verifyClc(clc, slc, { now });
    expect(verified.publishingKey.thumbprint()).toBe(user.thumbprint());
    expect(verified.wrappingKey.thumbprint()).toBe(wrapping.thumbprint());
    const wrong = issueClc(signing, { email: 'alice@example.com', userKey: user.publicKey(), wrappingKey: rsa(), urls, iat: now, exp: now + year });
    expect(() => verifyClc(wrong, slc, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifyRac(clc, slc, { now })).toThrow(fails('INVALID_FORMAT'));
  });

  it('normalizes identities and refuses what cannot be one', () => {
    expect(normalizeEmail('  Carol@Example.COM')).toBe('carol@example.com');
    for (const bad of ['', 'no-at-sign', 'a b@c', 42]) expect(() => normalizeEmail(bad)).toThrow(fails('INVALID_ARGUMENT'));
  });
});

describe('key cache', () => {
  it('computes RFC 7638 thumbprints from the JWK alone, and refuses private JWKs', () => {
    for (const key of [rsa(), AsymmetricKey.generate({ type: 'ec' })]) {
      expect(jwkThumbprint(key.exportJwk())).toBe(key.thumbprint());
      expect(publicKeyFromJwk(key.exportJwk(), 'k')).toBe(publicKeyFromJwk(key.exportJwk(), 'k'));
      expect(() => publicKeyFromJwk(key.exportJwk({ includePrivate: true }), 'k')).toThrow(fails('INVALID_ARGUMENT'));
    }
  });
});
