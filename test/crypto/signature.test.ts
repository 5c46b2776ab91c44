import * as crypto from 'node:crypto';

import { AsymmetricKey, randomBytes, sign, signAsync, SignatureAlgorithm, verify, verifyAsync, verifyBatch, verifyBatchAsync } from '../../lib';

const rsa = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const rsa2 = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const ec = AsymmetricKey.generate({ type: 'ec' });
const keyFor = (alg: SignatureAlgorithm) => (alg === 'ES256' ? ec : rsa);

describe('signatures', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('%s signatures verify here and in node:crypto, and fail when one bit changes', (alg) => {
    const data = randomBytes(333);
    const key = keyFor(alg);
    const sig = sign(alg, key, data);
    expect(verify(alg, key.publicKey(), data, sig)).toBe(true);
    const theirs = crypto.createPublicKey(key.exportPem());
    const options = alg === 'PS256' ? { key: theirs, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : alg === 'ES256' ? { key: theirs, dsaEncoding: 'ieee-p1363' as const } : theirs;
    expect(crypto.verify('sha256', data, options, sig)).toBe(true);
    const flipped = Buffer.from(sig);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
    expect(verify(alg, key, data, flipped)).toBe(false);
    expect(verify(alg, key, Buffer.concat([data, Buffer.of(0)]), sig)).toBe(false);
  });

  it.each(['RS256', 'PS256', 'ES256'] as const)('%s signs and verifies large data on the thread pool', async (alg) => {
    const data = randomBytes(2 << 20);
    const key = keyFor(alg);
    const sig = await signAsync(alg, key, data);
    expect(verify(alg, key, data, sig)).toBe(true);
    expect(await verifyAsync(alg, key.publicKey(), data, sig)).toBe(true);
    data[0] = data[0]! ^ 1;
    expect(await verifyAsync(alg, key, data, sig)).toBe(false);
    await expect(signAsync(alg, key.publicKey(), data)).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });

  it('verifies node:crypto ES256 (P1363) and PS256 signatures', () => {
    const data = Buffer.from('payload');
    const ecSig = crypto.sign('sha256', data, { key: ec.exportPem({ includePrivate: true }), dsaEncoding: 'ieee-p1363' });
    expect(verify('ES256', ec, data, ecSig)).toBe(true);
    const pss = crypto.sign('sha256', data, { key: rsa.exportPem({ includePrivate: true }), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    expect(verify('PS256', rsa, data, pss)).toBe(true);
    const derSig = crypto.sign('sha256', data, ec.exportPem({ includePrivate: true }));
    expect(verify('ES256', ec, data, derSig)).toBe(false); // DER is not the JWS encoding
  });

  it('refuses a key of the wrong type, and signing with a public key', () => {
    expect(() => sign('ES256', rsa, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'INVALID_KEY', argument: 'key' }));
    expect(() => verify('RS256', ec, Buffer.alloc(1), Buffer.alloc(64))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => sign('RS256', rsa.publicKey(), Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => sign('HS256' as 'RS256', rsa, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'algorithm' }));
  });

  it('batch verification gives one answer per item, the same on the thread pool as on this thread', async () => {
    const algs: SignatureAlgorithm[] = ['RS256', 'PS256', 'ES256'];
    const items = Array.from({ length: 200 }, (_, i) => {
      const algorithm = algs[i % 3]!;
      const key = algorithm === 'ES256' ? ec : i % 2 ? rsa : rsa2;
      const data = randomBytes(50 + i);
      const signature = sign(algorithm, key, data);
      if (i % 10 === 7) signature[0] = signature[0]! ^ 0xff; // every tenth item is forged
      return { algorithm, key, data, signature };
    });
    const expected = items.map((_, i) => i % 10 !== 7);
    expect(verifyBatch(items)).toEqual(expected);
    expect(await verifyBatchAsync(items)).toEqual(expected);
    expect(await verifyBatchAsync([])).toEqual([]);
    expect(() => verifyBatch([items[1]!, { ...items[0]!, key: ec }])).toThrow(expect.objectContaining({ code: 'INVALID_KEY', argument: 'items[1].key' }));
    expect(() => verifyBatch([{ ...items[0]!, algorithm: 'toString' as 'RS256' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'items[0].algorithm' }));
    expect(() => verifyBatch([{ ...items[0]!, data: 'x' as unknown as Buffer }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'items[0].data' }));
  });
});
