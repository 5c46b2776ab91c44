/**
 * The license fuzzer (test/support/license-fuzzer.js; docs/licenses.md, "Fuzzing") over lib/:
 * validly signed PLs with spliced sealed parts or mutated claims, and ULs and certificates
 * mutated and signed again by the service, each either opening to exactly what was sealed for it
 * or refused with a coded RmsError. A fixed seed, so that a failure names a case to replay
 * (`node scripts/fuzz-licenses.js --seed 2026 --case N --kind K`); scripts/fuzz-licenses.js runs the same
 * cases over dist/ for as long as asked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import * as client from '../../lib';
import * as license from '../../lib/license';
import { buildPlClaims, unwrapPlContentKey } from '../../lib/license/publishing-license';
import { createLicenseFuzzer, LicenseFuzzKind } from '../support/license-fuzzer';

// The fuzzer plays the service too: it needs the license codecs the package's entry leaves out.
const openrms = { ...client, ...license };

const vectors = JSON.parse(readFileSync(path.join(__dirname, 'vectors', 'licenses.json'), 'utf8')) as {
  now: number;
  keys: Record<'service' | 'wrapping' | 'alice' | 'bob', string>;
  tokens: Record<'slc' | 'racAlice' | 'racBob' | 'clc' | 'pl' | 'ul', string>;
};
const SEED = 2026;
const fuzzer = createLicenseFuzzer({ ...openrms, buildPlClaims, unwrapPlContentKey }, vectors, SEED);

/** Runs `count` cases of `kind` (each throws a FuzzViolation naming itself if the property fails); the outcomes seen. */
function run(kind: LicenseFuzzKind, count: number): Record<string, number> {
  const before = { ...fuzzer.stats.outcomes };
  for (let i = 0; i < count; i++) fuzzer.run(i, kind);
  const seen: Record<string, number> = {};
  for (const [key, n] of Object.entries(fuzzer.stats.outcomes)) {
    if (key.startsWith(`${kind} `) && n > (before[key] ?? 0)) seen[key.slice(kind.length + 1)] = n - (before[key] ?? 0);
  }
  return seen;
}

describe('license fuzzing', () => {
  it('a ck, egr or ead moved into a PL that mallory, eve or the service signs is LICENSE_SPLICED unless the bound claims are its own', () => {
    const seen = run('splice', 1200);
    // Both answers were reached: refusals, and parts moved between two PLs of one binding opening.
    expect(Object.keys(seen).sort()).toEqual(['LICENSE_SPLICED', 'opened']);
  });

  it('a PL whose claims were changed as JSON and signed again opens to exactly its sealed key, grants and app data, or is refused with a code', () => {
    const seen = run('mutate-pl', 1200);
    // Some reached the binding and opened (nothing bound changed), some were refused there.
    expect(seen).toEqual(expect.objectContaining({ opened: expect.any(Number), LICENSE_SPLICED: expect.any(Number), INVALID_FORMAT: expect.any(Number) }));
  });

  it('a content key other than AES-256 wrapped under the right label is INVALID_FORMAT', () => {
    expect(Object.keys(run('content-key', 200)).sort()).toEqual(['INVALID_FORMAT', 'opened']);
  });

  it('a UL changed and signed again by the service is refused with a code, or holds the claims UlClaims declares and its own content key', () => {
    expect(run('mutate-ul', 400)).toEqual(expect.objectContaining({ accepted: expect.any(Number), INVALID_FORMAT: expect.any(Number) }));
  });

  it('a RAC, CLC or SLC changed and signed again by the service is refused with a code, or accepted whole (a changed CLC then signs a PL that opens)', () => {
    expect(run('mutate-certificate', 400)).toEqual(expect.objectContaining({ accepted: expect.any(Number), opened: expect.any(Number) }));
  });

  it('most PL cases got past the signature check to the binding', () => {
    const pls = ['splice', 'mutate-pl', 'content-key'].reduce((sum, kind) => sum + (fuzzer.stats.kinds[kind] ?? 0), 0);
    expect(fuzzer.stats.reachedBinding).toBeGreaterThan(pls / 2);
  });
});

describe('what the fuzzer found', () => {
  const key = (name: keyof typeof vectors.keys) => openrms.AsymmetricKey.importPem(vectors.keys[name]);
  const now = vectors.now;
  const slc = openrms.verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now });

  it('refuses a PL whose content key is not 32 bytes as INVALID_FORMAT (OAEP wraps 0 to 190 bytes)', () => {
    const pl = openrms.verifyPl(vectors.tokens.pl, slc, { now });
    const label = Buffer.from(`openrms-pl/content-key/${openrms.plBinding(pl.claims)}`);
    for (const length of [0, 1, 16, 24, 31, 33, 190]) {
      const ck = openrms.rsaOaep.wrap(key('wrapping'), Buffer.alloc(length, 7), { label }).toString('base64url');
      expect(() => unwrapPlContentKey({ ...pl, claims: { ...pl.claims, ck } }, key('wrapping'))).toThrow(
        expect.objectContaining({ code: 'INVALID_FORMAT' }));
    }
  });

  it('keeps application data named __proto__ when publishing', () => {
    const contentKey = openrms.SecretKey.generate();
    const data = JSON.parse('{"__proto__":"kept","b":"c"}') as Record<string, string>;
    const claims = buildPlClaims({
      owner: 'alice@contoso.com', policy: { template: null, grants: [], contentValidUntil: null, offlineDays: 0 }, contentKey,
      wrappingKey: key('wrapping'), urls: { intranet: null, extranet: null }, iat: now, signedData: data, encryptedData: data,
    }, key('alice'), vectors.tokens.clc);
    expect(Object.entries(claims.sad)).toEqual([['__proto__', 'kept'], ['b', 'c']]);
    expect(Object.entries(openrms.openAppData(claims, contentKey))).toEqual([['__proto__', 'kept'], ['b', 'c']]);
  });

  it.each([
    ['exp null (read as no expiry)', { exp: null }], ['exp a string', { exp: '1795604860' }], ['cid a number', { cid: 5 }],
    ['rac an object', { rac: {} }], ['a right that is not a string', { rights: ['VIEW', 5] }], ['a policy that is not one', { pol: { grants: 'x' } }],
  ])('refuses a service-signed UL with %s as INVALID_FORMAT', (_, change) => {
    const ul = { ...openrms.decodeJws(vectors.tokens.ul).payload, ...change };
    const token = openrms.signJws(ul, key('service'), 'openrms-ul+jws');
    expect(() => openrms.verifyUl(token, slc, 'bob@contoso.com', { now, ignoreLicenseExpiry: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });
});
