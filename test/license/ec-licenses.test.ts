/**
 * Licenses in the EC profile (docs/licenses.md "Key profiles"): ES256 certificates, PLs and
 * ULs, content keys wrapped with ECDH-ES+A256KW to P-256 keys; and the mixed worlds, an RSA
 * service with EC users and an EC service with RSA users. The key wrap follows the recipient
 * key's type, the signature the signer's.
 */
import { AsymmetricKey, decodeJws, SecretKey } from '../../lib';
import { issueClc, issueRac, issueSlc, verifyClc, verifyRac, verifySlc } from '../../lib/license/certificates';
import { openPolicy, publishOffline, publishOnline, PublishOptions, unwrapPlContentKey, verifyPl } from '../../lib/license/publishing-license';
import { issueUl, openUlContentKey, verifyUl } from '../../lib/license/use-license';

const fails = (code: string) => expect.objectContaining({ code });
const now = 1_800_000_000;
const DAY = 24 * 3600;
const urls = { intranet: 'https://rms.example.com/_wmcs/licensing', extranet: null };
const keyOf = (type: 'rsa' | 'ec') => (type === 'ec' ? AsymmetricKey.generate({ type: 'ec' }) : AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 }));
const wrapLength = { rsa: 256, ec: 105 };

describe.each([
  ['an EC service with EC users', 'ec', 'ec'],
  ['an RSA service with EC users', 'rsa', 'ec'],
  ['an EC service with RSA users', 'ec', 'rsa'],
] as const)('%s', (_world, serviceType, userType) => {
  const service = { signing: keyOf(serviceType), wrapping: keyOf(serviceType) };
  const slcToken = issueSlc({ name: 'Example', signingKey: service.signing, wrappingKey: service.wrapping.publicKey(),
    urls: { ...urls, certification: null }, iat: now - DAY, exp: now + 365 * DAY });
  const slc = verifySlc(slcToken, { pinned: [service.signing.thumbprint()], now });
  const alice = keyOf(userType);
  const bob = keyOf(userType);
  const clcToken = issueClc(service.signing, { email: 'alice@example.com', userKey: alice.publicKey(), wrappingKey: service.wrapping.publicKey(),
    urls, iat: now - DAY, exp: now + 365 * DAY });
  const contentKey = SecretKey.generate();
  const options: PublishOptions = {
    owner: 'alice@example.com', contentKey, wrappingKey: slc.wrappingKey, urls, iat: now,
    policy: { template: null, contentValidUntil: null, offlineDays: 7, grants: [{ who: 'bob@example.com', rights: ['VIEW'] }] },
  };
  const signature = (type: 'rsa' | 'ec') => (type === 'ec' ? 'ES256' : 'RS256');

  it('signs certificates with the service key\'s algorithm and certifies users\' keys of either type', () => {
    expect(decodeJws(slcToken).header.alg).toBe(signature(serviceType));
    const rac = verifyRac(issueRac(service.signing, { email: 'bob@example.com', kind: 'organization', userKey: bob.publicKey(), iat: now }), slc, { now });
    expect(rac.userKey.type).toBe(userType);
    expect(decodeJws(rac.token).header.alg).toBe(signature(serviceType));
    expect(verifyClc(clcToken, slc, { now }).wrappingKey.type).toBe(serviceType);
  });

  it('publishes offline with the user\'s key, wrapping the content key to the service\'s wrapping key by its type', () => {
    const token = publishOffline(options, alice, clcToken);
    expect(decodeJws(token).header.alg).toBe(signature(userType));
    const pl = verifyPl(token, slc, { now });
    expect(Buffer.from(pl.claims.ck, 'base64url').length).toBe(wrapLength[serviceType]);
    expect(unwrapPlContentKey(pl, service.wrapping).export()).toEqual(contentKey.export());
  });

  it('issues a UL whose content key only the user\'s own key opens', () => {
    const pl = verifyPl(publishOnline(options, service.signing), slc, { now });
    expect(decodeJws(pl.token).header.alg).toBe(signature(serviceType));
    const serviceKey = unwrapPlContentKey(pl, service.wrapping);
    const ulToken = issueUl(service.signing, {
      pl, user: 'bob@example.com', racKey: bob.publicKey(), rights: ['VIEW'], contentKey: serviceKey, policy: openPolicy(pl.claims, serviceKey), iat: now,
    });
    const ul = verifyUl(ulToken, slc, 'bob@example.com', { now });
    expect(decodeJws(ulToken).header.alg).toBe(signature(serviceType));
    expect(Buffer.from(ul.claims.ck, 'base64url').length).toBe(wrapLength[userType]);
    expect(openUlContentKey(ul, bob).export()).toEqual(contentKey.export());
    expect(() => openUlContentKey(ul, alice)).toThrow(fails('BROKEN_CERT_CHAIN'));
  });
});

describe('wraps of the other profile', () => {
  it('refuses a PL whose content key was wrapped to a key of the other type as LICENSE_SPLICED', () => {
    const ecWrapping = AsymmetricKey.generate({ type: 'ec' });
    const rsaWrapping = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
    const signing = AsymmetricKey.generate({ type: 'ec' });
    const slc = verifySlc(issueSlc({ name: 'Example', signingKey: signing, wrappingKey: ecWrapping.publicKey(),
      urls: { ...urls, certification: null }, iat: now - DAY, exp: now + 365 * DAY }), { pinned: [signing.thumbprint()], now });
    const token = publishOnline({
      owner: 'alice@example.com', contentKey: SecretKey.generate(), wrappingKey: rsaWrapping.publicKey(), urls, iat: now,
      policy: { template: null, contentValidUntil: null, offlineDays: 7, grants: [] },
    }, signing);
    // Unwrapped with the EC key the SLC names: 256 bytes are no ECDH-ES wrap.
    expect(() => unwrapPlContentKey(verifyPl(token, slc, { now }), ecWrapping)).toThrow(fails('LICENSE_SPLICED'));
  });
});
