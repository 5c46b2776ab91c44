/**
 * The license test vectors of docs/licenses.md (test/license/vectors/licenses.json): every
 * token is what openrms signs for its payload, byte for byte, and the chain verifies and opens
 * as documented. Another implementation of the formats can check itself against the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { AsymmetricKey, decodeJws, RmsError, SecretKey } from '../../lib';
import {
  contentKeyId, openPolicy, openUlContentKey, plBinding, signJws, verifyClc, verifyPl, verifyRac, verifySlc, verifyUl,
} from '../../lib/license';
import { unwrapPlContentKey } from '../../lib/license/publishing-license';

const vectors = JSON.parse(readFileSync(path.join(__dirname, 'vectors', 'licenses.json'), 'utf8')) as {
  now: number;
  contentKeyHex: string;
  keys: Record<'service' | 'wrapping' | 'alice' | 'bob', string>;
  tokens: Record<'slc' | 'racAlice' | 'racBob' | 'clc' | 'pl' | 'ul', string>;
  derived: { plBinding: string; contentKeyId: string };
};
const key = (name: keyof typeof vectors.keys) => AsymmetricKey.importPem(vectors.keys[name]);
const now = vectors.now;

describe('license test vectors', () => {
  it.each([
    ['slc', 'service'], ['racAlice', 'service'], ['racBob', 'service'], ['clc', 'service'], ['pl', 'alice'], ['ul', 'service'],
  ] as const)('%s is the RS256 signature of its payload by the %s key, byte for byte', (token, signer) => {
    const { header, payload } = decodeJws(vectors.tokens[token]);
    expect(signJws(payload, key(signer), header.typ)).toBe(vectors.tokens[token]);
  });

  it('verifies the whole chain and opens the content key for bob only', () => {
    const slc = verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now });
    expect(verifyRac(vectors.tokens.racBob, slc, { now }).claims.sub).toBe('bob@contoso.com');
    expect(verifyClc(vectors.tokens.clc, slc, { now }).claims.sub).toBe('alice@contoso.com');
    const pl = verifyPl(vectors.tokens.pl, slc, { now });
    expect(pl.publishedOffline).toBe(true);
    expect(unwrapPlContentKey(pl, key('wrapping')).export().toString('hex')).toBe(vectors.contentKeyHex);
    const ul = verifyUl(vectors.tokens.ul, slc, 'bob@contoso.com', { now });
    expect(ul.claims.rights).toEqual(['VIEW']);
    expect(openUlContentKey(ul, key('bob')).export().toString('hex')).toBe(vectors.contentKeyHex);
    expect(() => openUlContentKey(ul, key('alice'))).toThrow(expect.objectContaining({ code: 'BROKEN_CERT_CHAIN' }));
  });

  it('binds the PL\'s sealed parts to its claims: the binding and content key ID are as recorded, the grants open only under them', () => {
    const slc = verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now });
    const pl = verifyPl(vectors.tokens.pl, slc, { now });
    expect(pl.claims.ver).toBe(2);
    expect(plBinding(pl.claims)).toBe(vectors.derived.plBinding);
    const contentKey = SecretKey.import(Buffer.from(vectors.contentKeyHex, 'hex'));
    expect(contentKeyId(contentKey)).toBe(vectors.derived.contentKeyId);
    expect(openPolicy(pl.claims, contentKey).grants).toEqual([{ who: 'bob@contoso.com', rights: ['VIEW'] }]);
    // The same sealed parts under another owner (what a splice does) no longer open.
    const other = { ...pl, claims: { ...pl.claims, own: 'mallory@contoso.com' } };
    expect(() => openPolicy(other.claims, contentKey)).toThrow(expect.objectContaining({ code: 'LICENSE_SPLICED' }));
    expect(() => unwrapPlContentKey(other, key('wrapping'))).toThrow(expect.objectContaining({ code: 'LICENSE_SPLICED' }));
  });
});

describe('mutated licenses', () => {
  // A seeded generator, so a failure names a mutation that can be replayed.
  function* mutations(token: string, count: number, seed: number): Generator<[number, string, string]> {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}"';
    for (let i = 0; i < count; i++) {
      const at = next() % token.length;
      const replacement = alphabet[next() % alphabet.length]!;
      if (replacement !== token[at]) yield [at, replacement, token.slice(0, at) + replacement + token.slice(at + 1)];
    }
  }

  it.each(['pl', 'ul'] as const)('refuses every one-character change of the %s with a coded RmsError', (name) => {
    const slc = verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now });
    const check = name === 'pl' ? (t: string) => verifyPl(t, slc, { now }) : (t: string) => verifyUl(t, slc, 'bob@contoso.com', { now });
    const codes = new Set<string>();
    for (const [at, replacement, mutated] of mutations(vectors.tokens[name], 1500, name === 'pl' ? 7 : 11)) {
      let outcome: unknown;
      try {
        check(mutated);
        outcome = 'accepted';
      } catch (error) {
        outcome = error;
      }
      if (!(outcome instanceof RmsError)) throw new Error(`changing character ${at} to ${replacement} gave ${String(outcome)}`);
      codes.add(outcome.code);
    }
    expect([...codes].filter((c) => !['INVALID_SIGNATURE', 'INVALID_FORMAT', 'BROKEN_CERT_CHAIN', 'UNSUPPORTED_VERSION'].includes(c))).toEqual([]);
  });
});
