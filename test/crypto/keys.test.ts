import * as crypto from 'node:crypto';

import { AsymmetricKey, RmsError, rsaOaep, SecretKey, sha256, sha256Async, hmacSha256, hmacSha256Async, hkdfSha256, aesGcm, randomBytes } from '../../lib';

describe('asymmetric keys', () => {
  const rsa = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
  const ec = AsymmetricKey.generate({ type: 'ec' });

  it('generates RSA-3072 on the thread pool', async () => {
    const key = await AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 3072 });
    expect(key.type).toBe('rsa');
    expect(key.bits).toBe(3072);
    expect(key.hasPrivate).toBe(true);
  });

  it.each([['rsa', rsa], ['ec', ec]] as const)('round-trips a %s key through PEM, DER and JWK, public and private', (_name, key) => {
    const thumbprint = key.thumbprint();
    for (const includePrivate of [false, true]) {
      const viaPem = AsymmetricKey.importPem(key.exportPem({ includePrivate }));
      const viaDer = AsymmetricKey.importDer(key.exportDer({ includePrivate }));
      const viaJwk = AsymmetricKey.importJwk(key.exportJwk({ includePrivate }));
      for (const k of [viaPem, viaDer, viaJwk]) {
        expect(k.thumbprint()).toBe(thumbprint);
        expect(k.hasPrivate).toBe(includePrivate);
      }
    }
    expect(key.exportPem({ includePrivate: true })).toContain('-----BEGIN PRIVATE KEY-----');
    expect(key.exportPem()).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it('exports keys node:crypto reads as the same key', () => {
    const theirs = crypto.createPublicKey(rsa.exportPem());
    expect(theirs.export({ format: 'jwk' })).toEqual(expect.objectContaining({ n: (rsa.exportJwk() as { n: string }).n }));
    const ecJwk = crypto.createPrivateKey(ec.exportPem({ includePrivate: true })).export({ format: 'jwk' });
    expect(ecJwk).toEqual(expect.objectContaining(ec.exportJwk({ includePrivate: true })));
  });

  it('computes the RFC 7638 section 3.1 thumbprint', () => {
    const key = AsymmetricKey.importJwk({
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    });
    expect(key.thumbprint()).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('refuses keys it must not use, each with a code', () => {
    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => AsymmetricKey.importPem(small as string)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => AsymmetricKey.importPem(p384 as string)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    const ed = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    expect(() => AsymmetricKey.importDer(ed)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    const encrypted = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    expect(() => AsymmetricKey.importPem(encrypted as string)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => AsymmetricKey.importDer(randomBytes(100))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => AsymmetricKey.importPem('not a key')).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    const jwk = rsa.exportJwk({ includePrivate: true }) as { d: string };
    const mismatched = { ...jwk, d: (ec.exportJwk({ includePrivate: true }) as { d: string }).d };
    expect(() => AsymmetricKey.importJwk(mismatched as never)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => AsymmetricKey.importJwk({ kty: 'EC', crv: 'P-256', x: '!!', y: 'AA' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'jwk.x' }));
    expect(() => AsymmetricKey.generate({ type: 'rsa', modulusLength: 1024 as 2048 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.modulusLength' }));
  });
});

describe('closed key handles', () => {
  it('refuse every use with KEY_CLOSED, for secret and asymmetric keys alike', async () => {
    const secret = SecretKey.generate();
    secret.close();
    expect(secret.closed).toBe(true);
    for (const use of [() => aesGcm.encrypt(secret, randomBytes(12), Buffer.alloc(1)), () => secret.export(), () => secret.length]) {
      expect(use).toThrow(expect.objectContaining({ code: 'KEY_CLOSED' }));
    }
    const pair = AsymmetricKey.generate({ type: 'ec' });
    pair.close();
    pair.close(); // idempotent
    for (const use of [() => pair.exportPem(), () => pair.type, () => pair.thumbprint()]) {
      expect(use).toThrow(expect.objectContaining({ code: 'KEY_CLOSED' }));
    }
    expect(() => rsaOaep.wrapKey(pair, SecretKey.generate())).toThrow(expect.objectContaining({ code: 'KEY_CLOSED' }));
  });

  it('lets work already on the thread pool finish when the key is closed under it', async () => {
    const key = SecretKey.generate();
    const iv = randomBytes(12);
    const plaintext = randomBytes(8 << 20);
    const pending = aesGcm.encryptAsync(key, iv, plaintext);
    key.close();
    const sealed = await pending;
    const again = SecretKey.import(Buffer.alloc(32));
    expect(sealed.length).toBe(plaintext.length + 16);
    again.close();
  });

  it('are RmsError instances thrown by native code itself', () => {
    const key = SecretKey.generate();
    const handle = key.handle;
    key.close();
    let thrown: unknown;
    try {
      // Straight to the binding, past the TypeScript checks.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('../../lib/native') as typeof import('../../lib/native')).native.gcmSeal(handle, randomBytes(12), null, Buffer.alloc(1), Buffer.alloc(16), Buffer.alloc(1));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RmsError);
    expect((thrown as RmsError).code).toBe('KEY_CLOSED');
  });
});

describe('RSA-OAEP-256 key wrapping', () => {
  const recipient = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });

  it('wraps a SecretKey that node:crypto can unwrap, and unwraps node:crypto output into a SecretKey', () => {
    const content = SecretKey.generate();
    const wrapped = rsaOaep.wrapKey(recipient.publicKey(), content, { label: Buffer.from('openrms') });
    const theirs = crypto.privateDecrypt({ key: recipient.exportPem({ includePrivate: true }), oaepHash: 'sha256',
      oaepLabel: Buffer.from('openrms') }, wrapped);
    expect(theirs.equals(content.export())).toBe(true);
    const fromThem = crypto.publicEncrypt({ key: recipient.exportPem(), oaepHash: 'sha256' }, theirs);
    expect(rsaOaep.unwrapKey(recipient, fromThem).export().equals(theirs)).toBe(true);
  });

  it('refuses a wrong label, a public key, and an oversized message', () => {
    const wrapped = rsaOaep.wrap(recipient, Buffer.from('k'.repeat(32)), { label: Buffer.from('a') });
    expect(() => rsaOaep.unwrap(recipient, wrapped, { label: Buffer.from('b') })).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    expect(() => rsaOaep.unwrap(recipient.publicKey(), wrapped)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
    expect(() => rsaOaep.wrap(recipient, Buffer.alloc(191))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(rsaOaep.wrap(recipient, Buffer.alloc(190)).length).toBe(256);
  });
});

describe('digests', () => {
  it('give the same answers on the thread pool for large inputs', async () => {
    const data = randomBytes(3 << 20);
    const key = randomBytes(32);
    expect((await sha256Async(data)).equals(sha256(data))).toBe(true);
    expect((await hmacSha256Async(key, data)).equals(hmacSha256(key, data))).toBe(true);
    expect((await hmacSha256Async(key, data.subarray(0, 10))).equals(hmacSha256(key, data.subarray(0, 10)))).toBe(true);
  });

  it('match the FIPS 180, RFC 4231 and RFC 5869 known answers', () => {
    expect(sha256(Buffer.from('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hmacSha256(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex'))
      .toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    const okm = hkdfSha256(Buffer.alloc(22, 0x0b), {
      salt: Buffer.from('000102030405060708090a0b0c', 'hex'), info: Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'), length: 42 });
    expect(okm.toString('hex')).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });
});
