/**
 * Content-key wrap by key type (lib/crypto/key-wrap.ts): RSA-OAEP-256 to RSA keys, ECDH-ES+A256KW
 * (HKDF-SHA256, AES-256-KW) to P-256 keys. The EC construction is checked against node:crypto's
 * own ECDH, HKDF and AES key wrap in both directions, so it is the standard one, not merely
 * self-consistent.
 */
import * as crypto from 'node:crypto';

import { AsymmetricKey, ecdhEs, keyWrap, RmsError, SecretKey } from '../../lib';
import { wrapKeyWithEphemeral } from '../../lib/crypto/ecdh-es-vectors';

const rsa = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const ec = AsymmetricKey.generate({ type: 'ec' });
const otherEc = AsymmetricKey.generate({ type: 'ec' });
const label = Buffer.from('6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f');
const keyBytes = Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex');
const AES_KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

function codeOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof RmsError) return error.code;
    throw error;
  }
  return '<no error>';
}

/** The construction of docs/licenses.md written with node:crypto alone. */
function nodeUnwrap(recipient: AsymmetricKey, wrapped: Buffer, info: Buffer): Buffer {
  const epk = wrapped.subarray(0, 65);
  const ephemeral = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: epk.subarray(1, 33).toString('base64url'), y: epk.subarray(33).toString('base64url') }, format: 'jwk' });
  const z = crypto.diffieHellman({ privateKey: crypto.createPrivateKey(recipient.exportPem({ includePrivate: true })), publicKey: ephemeral });
  const kek = Buffer.from(crypto.hkdfSync('sha256', z, epk, info, 32));
  const decipher = crypto.createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return Buffer.concat([decipher.update(wrapped.subarray(65)), decipher.final()]);
}

function nodeWrap(recipient: AsymmetricKey, key: Buffer, info: Buffer): Buffer {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const epk = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const z = crypto.diffieHellman({ privateKey, publicKey: crypto.createPublicKey(recipient.exportPem()) });
  const kek = Buffer.from(crypto.hkdfSync('sha256', z, epk, info, 32));
  const cipher = crypto.createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return Buffer.concat([epk, cipher.update(key), cipher.final()]);
}

describe('key wrap by key type', () => {
  it.each([['rsa', 'RSA-OAEP-256', 256, rsa], ['ec', 'ECDH-ES+A256KW', 105, ec]] as const)(
    'wraps to a public %s key with %s (%d bytes) and unwraps with its private key', (_name, algorithm, length, key) => {
      const publicKey = AsymmetricKey.importPem(key.exportPem());
      expect(keyWrap.keyWrapAlgorithm(publicKey)).toBe(algorithm);
      const wrapped = keyWrap.wrapKey(publicKey, SecretKey.import(keyBytes), { label });
      expect(wrapped.length).toBe(length);
      expect(keyWrap.unwrapKey(key, wrapped, { label }).export()).toEqual(keyBytes);
    });

  it.each([['rsa', rsa], ['ec', ec]] as const)('wraps to a %s key on the thread pool (wrapKeyAsync) what unwrapKey opens, with the label bound, even if the key is closed meanwhile',
    async (_name, key) => {
      const secret = SecretKey.import(keyBytes);
      const pending = keyWrap.wrapKeyAsync(key, secret, { label });
      secret.close();
      const wrapped = await pending;
      expect(keyWrap.unwrapKey(key, wrapped, { label }).export()).toEqual(keyBytes);
      expect(codeOf(() => keyWrap.unwrapKey(key, wrapped))).toBe('DECRYPTION_FAILED');
      await expect(keyWrap.wrapKeyAsync(key, secret, { label })).rejects.toMatchObject({ code: 'KEY_CLOSED' });
    });

  it.each([16, 24, 32])('wraps a %d-byte AES key to an EC key in 65 + length + 8 bytes', (size) => {
    const wrapped = ecdhEs.wrapKey(ec, SecretKey.import(keyBytes.subarray(0, size)), { label });
    expect(wrapped.length).toBe(65 + size + 8);
    expect(ecdhEs.unwrapKey(ec, wrapped, { label }).export()).toEqual(keyBytes.subarray(0, size));
  });

  it.each([['rsa', rsa], ['ec', ec]] as const)('binds a %s wrap to its label: another label or none is DECRYPTION_FAILED', (_name, key) => {
    const wrapped = keyWrap.wrapKey(key, SecretKey.import(keyBytes), { label });
    expect(codeOf(() => keyWrap.unwrapKey(key, wrapped, { label: Buffer.from('6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5e') }))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => keyWrap.unwrapKey(key, wrapped))).toBe('DECRYPTION_FAILED');
  });

  it('refuses an EC wrap with any byte changed with DECRYPTION_FAILED', () => {
    const wrapped = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    const codes = new Set<string>();
    for (let i = 0; i < wrapped.length; i++) {
      for (const bit of [0x01, 0x40]) {
        const changed = Buffer.from(wrapped);
        changed[i]! ^= bit;
        codes.add(codeOf(() => keyWrap.unwrapKey(ec, changed, { label })));
      }
    }
    expect([...codes]).toEqual(['DECRYPTION_FAILED']);
  });

  it('refuses an EC wrap to another recipient with DECRYPTION_FAILED', () => {
    const wrapped = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    expect(codeOf(() => keyWrap.unwrapKey(otherEc, wrapped, { label }))).toBe('DECRYPTION_FAILED');
  });

  it('refuses an ephemeral point off P-256 (one of secp256k1, or y changed) with DECRYPTION_FAILED', () => {
    const wrapped = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    const k1 = crypto.createECDH('secp256k1');
    k1.generateKeys();
    const otherCurve = Buffer.concat([k1.getPublicKey(), wrapped.subarray(65)]);
    expect(codeOf(() => keyWrap.unwrapKey(ec, otherCurve, { label }))).toBe('DECRYPTION_FAILED');
    const offCurve = Buffer.from(wrapped);
    offCurve[64]! ^= 1;
    expect(codeOf(() => keyWrap.unwrapKey(ec, offCurve, { label }))).toBe('DECRYPTION_FAILED');
  });

  it('refuses a wrap made for the other key type with DECRYPTION_FAILED (its length fits no key of that type)', () => {
    const toRsa = keyWrap.wrapKey(rsa, SecretKey.import(keyBytes), { label });
    const toEc = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    expect(codeOf(() => keyWrap.unwrapKey(ec, toRsa, { label }))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => keyWrap.unwrapKey(rsa, toEc, { label }))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => keyWrap.unwrapKey(ec, Buffer.alloc(0), { label }))).toBe('DECRYPTION_FAILED');
  });

  it('refuses to unwrap with a public key, and ECDH-ES with an RSA key, with INVALID_KEY', () => {
    const wrapped = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    expect(codeOf(() => keyWrap.unwrapKey(AsymmetricKey.importPem(ec.exportPem()), wrapped, { label }))).toBe('INVALID_KEY');
    expect(codeOf(() => ecdhEs.wrapKey(rsa, SecretKey.import(keyBytes)))).toBe('INVALID_KEY');
    expect(codeOf(() => ecdhEs.wrapKey(ec, 'key' as unknown as SecretKey))).toBe('INVALID_ARGUMENT');
  });

  it('opens with node:crypto (ECDH, hkdfSync, id-aes256-wrap) what it wraps, and the other way round', () => {
    const wrapped = keyWrap.wrapKey(ec, SecretKey.import(keyBytes), { label });
    expect(nodeUnwrap(ec, wrapped, label)).toEqual(keyBytes);
    expect(keyWrap.unwrapKey(ec, nodeWrap(ec, keyBytes, label), { label }).export()).toEqual(keyBytes);
  });

  it('gives the bytes of RFC 7518 Appendix C\'s keys that node:crypto computes, for a fixed ephemeral key', () => {
    const bob = AsymmetricKey.importJwk({ kty: 'EC', crv: 'P-256', x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ',
      y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck', d: 'VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw' });
    const alice = AsymmetricKey.importJwk({ kty: 'EC', crv: 'P-256', x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0',
      y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps', d: '0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo' });
    const wrapped = wrapKeyWithEphemeral(bob, SecretKey.import(keyBytes), alice, { label });
    const z = crypto.diffieHellman({ privateKey: crypto.createPrivateKey(alice.exportPem({ includePrivate: true })), publicKey: crypto.createPublicKey(bob.exportPem()) });
    // RFC 7518 C: Z of these two keys.
    expect(z.toString('hex')).toBe('9e56d91d817135d372834283bf84269cfb316ea3da806a48f6daa7798cfe90c4');
    const epk = wrapped.subarray(0, 65);
    const cipher = crypto.createCipheriv('id-aes256-wrap', Buffer.from(crypto.hkdfSync('sha256', z, epk, label, 32)), AES_KW_IV);
    expect(wrapped).toEqual(Buffer.concat([epk, cipher.update(keyBytes), cipher.final()]));
    expect(epk.subarray(1, 33).toString('base64url')).toBe('gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0');
  });
});
