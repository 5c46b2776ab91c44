/**
 * The EC profile's license test vectors (test/license/vectors/licenses-ec.json, docs/licenses.md
 * "Test vectors"): each token's header and payload are what openrms signs for that payload, byte
 * for byte, and its ES256 signature verifies with the named key (ECDSA is randomized, so the
 * signature bytes cannot be reproduced); the wrapped content keys are the bytes the fixed
 * ephemeral keys give, which node:crypto alone opens; and the chain verifies and opens for bob only.
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { AsymmetricKey, decodeJws, SecretKey, verify } from '../../lib';
import { wrapKeyWithEphemeral } from '../../lib/crypto/ecdh-es-vectors';
import { contentKeyId, openPolicy, openUlContentKey, plBinding, signJws, verifyClc, verifyPl, verifyRac, verifySlc, verifyUl } from '../../lib/license';
import { unwrapPlContentKey } from '../../lib/license/publishing-license';

type Token = 'slc' | 'racAlice' | 'racBob' | 'clc' | 'pl' | 'ul';
const vectors = JSON.parse(readFileSync(path.join(__dirname, 'vectors', 'licenses-ec.json'), 'utf8')) as {
  now: number;
  contentKeyHex: string;
  keys: Record<'service' | 'wrapping' | 'alice' | 'bob', string>;
  ephemeral: Record<'pl' | 'ul', string>;
  tokens: Record<Token, string>;
  derived: { plBinding: string; contentKeyId: string; plWrapHex: string; ulWrapHex: string };
};
const key = (name: keyof typeof vectors.keys) => AsymmetricKey.importPem(vectors.keys[name]);
const now = vectors.now;
const contentKey = () => SecretKey.import(Buffer.from(vectors.contentKeyHex, 'hex'));
const signingInput = (token: string) => token.split('.').slice(0, 2).join('.');
const wrapOf = (token: string) => Buffer.from(decodeJws<{ ck: string }>(token).payload.ck, 'base64url');

describe('EC license test vectors', () => {
  it.each([
    ['slc', 'service'], ['racAlice', 'service'], ['racBob', 'service'], ['clc', 'service'], ['pl', 'alice'], ['ul', 'service'],
  ] as const)('%s is the ES256 JWS openrms makes of its payload with the %s key: header and payload byte for byte, signature verifying', (token, signer) => {
    const { header, payload } = decodeJws(vectors.tokens[token]);
    expect(header.alg).toBe('ES256');
    expect(signingInput(signJws(payload, key(signer), header.typ))).toBe(signingInput(vectors.tokens[token]));
    const signature = Buffer.from(vectors.tokens[token].split('.')[2]!, 'base64url');
    expect(verify('ES256', key(signer), Buffer.from(signingInput(vectors.tokens[token]), 'ascii'), signature)).toBe(true);
  });

  it('gives the recorded wrapped keys byte for byte when wrapped again with the fixed ephemeral keys', () => {
    const label = Buffer.from(`openrms-pl/content-key/${vectors.derived.plBinding}`, 'ascii');
    const plWrap = wrapKeyWithEphemeral(key('wrapping'), contentKey(), AsymmetricKey.importPem(vectors.ephemeral.pl), { label });
    expect(plWrap.toString('hex')).toBe(vectors.derived.plWrapHex);
    expect(wrapOf(vectors.tokens.pl).toString('hex')).toBe(vectors.derived.plWrapHex);
    const ulWrap = wrapKeyWithEphemeral(key('bob'), contentKey(), AsymmetricKey.importPem(vectors.ephemeral.ul), { label: Buffer.from('6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f') });
    expect(ulWrap.toString('hex')).toBe(vectors.derived.ulWrapHex);
    expect(wrapOf(vectors.tokens.ul).toString('hex')).toBe(vectors.derived.ulWrapHex);
  });

  it('opens the UL\'s wrapped key with node:crypto alone (ECDH, HKDF-SHA256, AES-256 key wrap), as docs/licenses.md describes', () => {
    const wrapped = wrapOf(vectors.tokens.ul);
    const epk = wrapped.subarray(0, 65);
    const ephemeral = crypto.createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', x: epk.subarray(1, 33).toString('base64url'), y: epk.subarray(33).toString('base64url') } });
    const z = crypto.diffieHellman({ privateKey: crypto.createPrivateKey(vectors.keys.bob), publicKey: ephemeral });
    const kek = Buffer.from(crypto.hkdfSync('sha256', z, epk, Buffer.from(decodeJws<{ cid: string }>(vectors.tokens.ul).payload.cid), 32));
    const decipher = crypto.createDecipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    expect(Buffer.concat([decipher.update(wrapped.subarray(65)), decipher.final()]).toString('hex')).toBe(vectors.contentKeyHex);
  });

  it('verifies the whole chain and opens the content key for bob only', () => {
    const slc = verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now });
    expect(slc.wrappingKey.type).toBe('ec');
    expect(verifyRac(vectors.tokens.racBob, slc, { now }).claims.sub).toBe('bob@contoso.com');
    expect(verifyClc(vectors.tokens.clc, slc, { now }).claims.sub).toBe('alice@contoso.com');
    const pl = verifyPl(vectors.tokens.pl, slc, { now });
    expect(plBinding(pl.claims)).toBe(vectors.derived.plBinding);
    expect(contentKeyId(contentKey())).toBe(vectors.derived.contentKeyId);
    expect(unwrapPlContentKey(pl, key('wrapping')).export().toString('hex')).toBe(vectors.contentKeyHex);
    expect(openPolicy(pl.claims, contentKey()).grants).toEqual([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    const ul = verifyUl(vectors.tokens.ul, slc, 'bob@contoso.com', { now });
    expect(openUlContentKey(ul, key('bob')).export().toString('hex')).toBe(vectors.contentKeyHex);
    expect(() => openUlContentKey(ul, key('alice'))).toThrow(expect.objectContaining({ code: 'BROKEN_CERT_CHAIN' }));
  });
});
