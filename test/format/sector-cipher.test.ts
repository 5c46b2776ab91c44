import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { randomBytes, SecretKey, sectorCipher, SectorMode } from '../../lib';
import { TESTDATA_DIR } from '../support/testdata';

interface Vector {
  mode: SectorMode;
  key: string;
  plaintextLength: number;
  plaintext: string;
  ciphertext: string;
}

const vectors: Vector[] = JSON.parse(readFileSync(path.join(TESTDATA_DIR, 'cipher-modes', 'vectors.json'), 'utf8')).vectors;

describe('MICROSOFT.* sector modes against test/fixtures/cipher-modes/vectors.json', () => {
  it('covers every mode, AES-128 and AES-256', () => {
    expect(new Set(vectors.map((v) => v.mode))).toEqual(new Set(sectorCipher.SECTOR_MODES));
    expect(new Set(vectors.map((v) => v.key.length / 2))).toEqual(new Set([16, 32]));
  });

  it.each(vectors.map((v, i) => [`${v.mode} AES-${v.key.length * 4} ${v.plaintextLength} bytes (#${i})`, v] as const))(
    '%s: decrypts whole, block by block, on the pool, and (except ECB) encrypts to the vector',
    async (_name, v) => {
      const key = SecretKey.import(Buffer.from(v.key, 'hex'));
      const plaintext = Buffer.from(v.plaintext, 'hex');
      const ciphertext = Buffer.from(v.ciphertext, 'hex');
      expect(plaintext.length).toBe(v.plaintextLength);
      expect(sectorCipher.decrypt(key, v.mode, ciphertext).equals(plaintext)).toBe(true);
      expect((await sectorCipher.decryptAsync(key, v.mode, ciphertext)).equals(plaintext)).toBe(true);
      expect(ciphertext.length).toBe(sectorCipher.ciphertextLength(v.mode, plaintext.length));

      const size = sectorCipher.blockSize(v.mode);
      const blocks = Math.max(1, Math.ceil(ciphertext.length / size));
      const pieces: Buffer[] = [];
      for (let i = 0; i < blocks && ciphertext.length > 0; i++) {
        pieces.push(sectorCipher.decryptBlock(key, v.mode, i, ciphertext.subarray(i * size, (i + 1) * size), { final: i === blocks - 1 }));
      }
      expect(Buffer.concat(pieces).equals(plaintext)).toBe(true);

      if (v.mode !== 'MICROSOFT.ECB') {
        expect(sectorCipher.encrypt(key, v.mode, plaintext).equals(ciphertext)).toBe(true);
        expect((await sectorCipher.encryptAsync(key, v.mode, plaintext)).equals(ciphertext)).toBe(true);
        // IpcEncrypt-style: whole blocks, then the final call (for CBC4K: the 0..4095 bytes left).
        const out: Buffer[] = [];
        const whole = v.mode === 'MICROSOFT.CBC4K' ? Math.floor(plaintext.length / size) : Math.max(0, Math.ceil(plaintext.length / size) - 1);
        for (let i = 0; i < whole; i++) out.push(sectorCipher.encryptBlock(key, v.mode, i, plaintext.subarray(i * size, (i + 1) * size)));
        if (v.mode === 'MICROSOFT.CBC4K' || plaintext.length > 0) {
          out.push(sectorCipher.encryptBlock(key, v.mode, whole, plaintext.subarray(whole * size), { final: true }));
        }
        expect(Buffer.concat(out).equals(ciphertext)).toBe(true);
      }
    });
});

describe('sector modes: misuse and bad input', () => {
  const key = SecretKey.generate();

  it('refuses misaligned blocks and content with NOT_BLOCK_ALIGNED', () => {
    const code = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'NOT_BLOCK_ALIGNED' }));
    code(() => sectorCipher.encryptBlock(key, 'MICROSOFT.CBC4K', 0, Buffer.alloc(4095)));
    code(() => sectorCipher.encryptBlock(key, 'MICROSOFT.CBC4K', 3, Buffer.alloc(4096), { final: true }));
    code(() => sectorCipher.decryptBlock(key, 'MICROSOFT.CBC512.NOPADDING', 0, Buffer.alloc(500), { final: true }));
    code(() => sectorCipher.decryptBlock(key, 'MICROSOFT.CBC512.NOPADDING', 0, Buffer.alloc(256)));
    code(() => sectorCipher.encrypt(key, 'MICROSOFT.CBC512.NOPADDING', Buffer.alloc(100)));
    code(() => sectorCipher.decrypt(key, 'MICROSOFT.CBC4K', Buffer.alloc(4097)));
  });

  it('decrypts a block given only its number, in any order', () => {
    const plaintext = randomBytes(4096 * 5 + 77);
    const ciphertext = sectorCipher.encrypt(key, 'MICROSOFT.CBC4K', plaintext);
    for (const i of [3, 0, 4, 1]) {
      const block = sectorCipher.decryptBlock(key, 'MICROSOFT.CBC4K', i, ciphertext.subarray(i * 4096, (i + 1) * 4096));
      expect(block.equals(plaintext.subarray(i * 4096, (i + 1) * 4096))).toBe(true);
    }
    const wrongNumber = sectorCipher.decryptBlock(key, 'MICROSOFT.CBC4K', 2, ciphertext.subarray(3 * 4096, 4 * 4096));
    expect(wrongNumber.equals(plaintext.subarray(3 * 4096, 4 * 4096))).toBe(false);
  });

  it('refuses ECB encryption, a bad final padding, and unknown modes', () => {
    expect(() => sectorCipher.encrypt(key, 'MICROSOFT.ECB', Buffer.alloc(16))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    const ct = sectorCipher.encrypt(key, 'MICROSOFT.CBC4K', Buffer.alloc(100));
    ct[ct.length - 1] = ct[ct.length - 1]! ^ 0x55;
    expect(() => sectorCipher.decrypt(key, 'MICROSOFT.CBC4K', ct)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    expect(() => sectorCipher.blockSize('MICROSOFT.XTS' as SectorMode)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'mode' }));
  });

  it('gives the same bytes from the thread pool for large content, in both directions', async () => {
    const plaintext = randomBytes((4 << 20) + 1234);
    const sync = sectorCipher.encrypt(key, 'MICROSOFT.CBC4K', plaintext);
    const pooled = await sectorCipher.encryptAsync(key, 'MICROSOFT.CBC4K', plaintext);
    expect(pooled.equals(sync)).toBe(true);
    expect((await sectorCipher.decryptAsync(key, 'MICROSOFT.CBC4K', pooled)).equals(plaintext)).toBe(true);
    const aligned = plaintext.subarray(0, 4 << 20);
    const cbc512 = await sectorCipher.encryptAsync(key, 'MICROSOFT.CBC512.NOPADDING', aligned);
    expect(cbc512.equals(sectorCipher.encrypt(key, 'MICROSOFT.CBC512.NOPADDING', aligned))).toBe(true);
    expect((await sectorCipher.decryptAsync(key, 'MICROSOFT.CBC512.NOPADDING', cbc512)).equals(aligned)).toBe(true);
  });
});
