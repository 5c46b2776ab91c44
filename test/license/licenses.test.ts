import { AsymmetricKey, gcmStream, SecretKey } from '../../lib';
import { issueClc, issueRac, issueSlc, verifyRac, verifySlc } from '../../lib/license/certificates';
import {
  checkContentValidity, grantedRights, openAppData, openPolicy, publishOffline, publishOnline, PublishOptions, unwrapPlContentKey, verifyPl,
} from '../../lib/license/publishing-license';
import { issueUl, openUlContentKey, verifyUl } from '../../lib/license/use-license';

const fails = (code: string) => expect.objectContaining({ code });
const rsa = () => AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const now = 1_800_000_000;
const DAY = 24 * 3600;
const urls = { intranet: 'https://rms.example.com/_wmcs/licensing', extranet: null };

describe('publishing and use licenses, end to end in code', () => {
  const service = { signing: rsa(), wrapping: rsa() };
  const slcToken = issueSlc({ name: 'Example', signingKey: service.signing, wrappingKey: service.wrapping.publicKey(),
    urls: { ...urls, certification: null }, iat: now - DAY, exp: now + 365 * DAY });
  const slc = verifySlc(slcToken, { pinned: [service.signing.thumbprint()], now });
  const users = { alice: rsa(), bob: rsa(), carol: rsa() };
  const rac = (name: keyof typeof users) => verifyRac(
    issueRac(service.signing, { email: `${name}@example.com`, kind: 'organization', userKey: users[name].publicKey(), iat: now }), slc, { now });
  const clc = issueClc(service.signing, { email: 'alice@example.com', userKey: users.alice.publicKey(), wrappingKey: service.wrapping.publicKey(),
    urls, iat: now - DAY, exp: now + 365 * DAY });

  const contentKey = SecretKey.generate();
  const options: PublishOptions = {
    owner: 'Alice@Example.com', contentKey, wrappingKey: slc.wrappingKey, urls, iat: now, autoGrantOwner: true,
    policy: {
      template: null, contentValidUntil: now + 30 * DAY, offlineDays: 7,
      grants: [{ who: 'bob@example.com', rights: ['VIEW'] }, { who: 'carol@example.com', rights: ['view', 'edit'] }],
    },
    signedData: { department: 'finance' }, encryptedData: { project: 'falcon' },
  };
  const plToken = publishOffline(options, users.alice, clc);
  const file = gcmStream.protectBuffer(contentKey, Buffer.from(plToken), Buffer.from('quarterly numbers'));

  function acquire(name: keyof typeof users, at = now) {
    const pl = verifyPl(plToken, slc, { now: at });
    const serviceKey = unwrapPlContentKey(pl, service.wrapping);
    const r = rac(name);
    const policy = openPolicy(pl.claims, serviceKey);
    const rights = grantedRights(policy, r.claims.sub);
    if (rights.length === 0) throw Object.assign(new Error('refused'), { code: 'RIGHT_NOT_GRANTED' });
    return issueUl(service.signing, { pl, user: r.claims.sub, racKey: r.userKey, rights, contentKey: serviceKey, policy, iat: at });
  }

  it('publishes offline with the CLC embedded, and the service verifies and unwraps it', () => {
    const pl = verifyPl(plToken, slc, { now });
    expect(pl.publishedOffline).toBe(true);
    expect(pl.claims).toMatchObject({ own: 'alice@example.com', mode: 'AES256-GCM-STREAM', sad: { department: 'finance' } });
    expect(pl.claims.cid).toMatch(/^[0-9a-f-]{36}$/);
    expect(pl.claims.ead).not.toContain('falcon');
    // Who else may open the content is not written in clear: the grants open with the content key only.
    expect(Buffer.from(plToken.split('.')[1]!, 'base64url').toString()).not.toContain('bob@example.com');
    expect(openPolicy(pl.claims, contentKey).grants.map((g) => g.who)).toEqual(['bob@example.com', 'carol@example.com', 'alice@example.com']);
    expect(() => openPolicy(pl.claims, SecretKey.generate())).toThrow(fails('LICENSE_SPLICED'));
    expect(openAppData(pl.claims, unwrapPlContentKey(pl, service.wrapping))).toEqual({ project: 'falcon' });
    expect(unwrapPlContentKey(pl, service.wrapping).export().equals(contentKey.export())).toBe(true);
  });

  it('gives each user exactly their rights, and opens the content with their own key only', () => {
    const policy = openPolicy(verifyPl(plToken, slc, { now }).claims, contentKey);
    expect(grantedRights(policy, 'bob@example.com')).toEqual(['VIEW']);
    expect(grantedRights(policy, 'carol@example.com')).toEqual(['EDIT', 'VIEW']);
    expect(grantedRights(policy, 'alice@example.com')).toEqual(['OWNER']);
    expect(grantedRights(policy, 'dave@example.com')).toEqual([]);

    const bobUl = verifyUl(acquire('bob'), slc, 'bob@example.com', { now });
    expect(bobUl.claims).toMatchObject({ rights: ['VIEW'], exp: now + 7 * DAY, cvu: now + 30 * DAY, pol: null });
    const key = openUlContentKey(bobUl, users.bob);
    expect(gcmStream.unprotectBuffer(key, file).plaintext.toString()).toBe('quarterly numbers');
    expect(() => openUlContentKey(bobUl, users.carol)).toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifyUl(bobUl.token, slc, 'carol@example.com', { now })).toThrow(fails('BROKEN_CERT_CHAIN'));

    const aliceUl = verifyUl(acquire('alice'), slc, 'alice@example.com', { now });
    expect(aliceUl.claims.rights).toEqual(['OWNER']);
    expect(aliceUl.claims.pol?.grants).toHaveLength(3);
  });

  it('ends offline use at the license valid-until and all use at the content valid-until', () => {
    const ul = acquire('bob');
    expect(() => verifyUl(ul, slc, 'bob@example.com', { now: now + 8 * DAY })).toThrow(fails('VALIDITY_TIME_VIOLATION'));
    expect(() => verifyUl(ul, slc, 'bob@example.com', { now: now + 31 * DAY, ignoreLicenseExpiry: true })).toThrow(fails('VALIDITY_TIME_VIOLATION'));
    expect(() => checkContentValidity(verifyPl(plToken, slc, { now }).claims.pol, { now: now + 31 * DAY })).toThrow(fails('VALIDITY_TIME_VIOLATION'));
  });

  it('refuses a PL or UL with one byte changed, or signed outside the chain', () => {
    const change = (token: string) => {
      const [h, p, s] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      claims.iat += 1;
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    };
    expect(() => verifyPl(change(plToken), slc, { now })).toThrow(fails('INVALID_SIGNATURE'));
    expect(() => verifyUl(change(acquire('bob')), slc, 'bob@example.com', { now })).toThrow(fails('INVALID_SIGNATURE'));
    // Bob signing a PL with Alice's CLC, and Alice's CLC claimed for a PL owned by Bob.
    expect(() => verifyPl(publishOffline(options, users.bob, clc), slc, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifyPl(publishOffline({ ...options, owner: 'bob@example.com' }, users.alice, clc), slc, { now }))
      .toThrow(fails('BROKEN_CERT_CHAIN'));
    expect(() => verifyPl(publishOffline(options, users.alice, 'not a token'), slc, { now })).toThrow(fails('INVALID_FORMAT'));
  });

  it('publishes online under the service\'s own signature', () => {
    const pl = verifyPl(publishOnline(options, service.signing), slc, { now });
    expect(pl.publishedOffline).toBe(false);
    expect(() => verifyPl(publishOnline(options, rsa()), slc, { now })).toThrow(fails('BROKEN_CERT_CHAIN'));
  });

  it('grants nothing to the owner of a license built from scratch unless asked', () => {
    const pl = verifyPl(publishOffline({ ...options, autoGrantOwner: false }, users.alice, clc), slc, { now });
    expect(grantedRights(openPolicy(pl.claims, contentKey), 'alice@example.com')).toEqual([]);
  });
});
