import * as crypto from 'node:crypto';

import { aesCbc, aesEcb, aesGcm, randomBytes, RmsError, SecretKey, THREAD_POOL_THRESHOLD } from '../../lib';

const iv12 = () => randomBytes(12);

function expectCode(fn: () => unknown, code: string, argument?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RmsError);
  expect((thrown as RmsError).code).toBe(code);
  if (argument !== undefined) expect((thrown as RmsError).argument).toBe(argument);
}

describe('AES-GCM one-shot', () => {
  it('interoperates with node:crypto in both directions, with and without aad', () => {
    const raw = randomBytes(32);
    const key = SecretKey.import(raw);
    for (const aad of [undefined, Buffer.from('header')]) {
      const iv = iv12();
      const plaintext = randomBytes(1000);
      const sealed = aesGcm.encrypt(key, iv, plaintext, aad);
      const decipher = crypto.createDecipheriv('aes-256-gcm', raw, iv);
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(-16));
      expect(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]).equals(plaintext)).toBe(true);

      const cipher = crypto.createCipheriv('aes-256-gcm', raw, iv);
      if (aad) cipher.setAAD(aad);
      const theirs = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      expect(aesGcm.decrypt(key, iv, theirs, aad).equals(plaintext)).toBe(true);
    }
  });

  it('round-trips empty plaintext and rejects a flipped bit anywhere with DECRYPTION_FAILED', () => {
    const key = SecretKey.generate(16);
    const iv = iv12();
    const sealed = aesGcm.encrypt(key, iv, Buffer.alloc(0));
    expect(sealed.length).toBe(16);
    expect(aesGcm.decrypt(key, iv, sealed).length).toBe(0);
    const message = aesGcm.encrypt(key, iv, Buffer.from('attack at dawn'), Buffer.from('aad'));
    for (let i = 0; i < message.length; i++) {
      const bad = Buffer.from(message);
      bad[i] = bad[i]! ^ 0x80;
      expectCode(() => aesGcm.decrypt(key, iv, bad, Buffer.from('aad')), 'DECRYPTION_FAILED');
    }
    expectCode(() => aesGcm.decrypt(key, iv, message, Buffer.from('aae')), 'DECRYPTION_FAILED');
  });

  it('uses the thread pool for large inputs and gives the same bytes as the synchronous call', async () => {
    const key = SecretKey.generate();
    const iv = iv12();
    const plaintext = randomBytes(THREAD_POOL_THRESHOLD * 3 + 5);
    const sealed = await aesGcm.encryptAsync(key, iv, plaintext);
    expect(sealed.equals(aesGcm.encrypt(key, iv, plaintext))).toBe(true);
    expect((await aesGcm.decryptAsync(key, iv, sealed)).equals(plaintext)).toBe(true);
    sealed[10] = sealed[10]! ^ 1;
    await expect(aesGcm.decryptAsync(key, iv, sealed)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('writes into a caller-provided buffer, sync and on the thread pool, and refuses one too small', async () => {
    const key = SecretKey.generate();
    const iv = iv12();
    for (const size of [0, 100, THREAD_POOL_THRESHOLD * 2]) {
      const plaintext = randomBytes(size);
      const sealed = Buffer.alloc(size + 16 + 3);
      expect(aesGcm.encryptInto(key, iv, plaintext, sealed)).toBe(size + 16);
      expect(sealed.subarray(0, size + 16).equals(aesGcm.encrypt(key, iv, plaintext))).toBe(true);
      const again = Buffer.alloc(size + 16);
      expect(await aesGcm.encryptIntoAsync(key, iv, plaintext, again)).toBe(size + 16);
      expect(again.equals(sealed.subarray(0, size + 16))).toBe(true);
      const opened = Buffer.alloc(size);
      expect(aesGcm.decryptInto(key, iv, again, opened)).toBe(size);
      expect(opened.equals(plaintext)).toBe(true);
      expect(await aesGcm.decryptIntoAsync(key, iv, again, Buffer.alloc(size))).toBe(size);
      if (size > 0) {
        again[0] = again[0]! ^ 1;
        await expect(aesGcm.decryptIntoAsync(key, iv, again, opened)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
      }
    }
    expectCode(() => aesGcm.encryptInto(key, iv, Buffer.alloc(10), Buffer.alloc(25)), 'INVALID_ARGUMENT', 'output');
    expectCode(() => aesGcm.decryptInto(key, iv, Buffer.alloc(30), Buffer.alloc(13)), 'INVALID_ARGUMENT', 'output');
  });

  it('names the argument at fault before calling native code', () => {
    const key = SecretKey.generate();
    expectCode(() => aesGcm.encrypt(key, Buffer.alloc(0), Buffer.alloc(1)), 'INVALID_ARGUMENT', 'iv');
    expectCode(() => aesGcm.encrypt(key, Buffer.alloc(129), Buffer.alloc(1)), 'INVALID_ARGUMENT', 'iv');
    expectCode(() => aesGcm.encrypt(key, iv12(), 'text' as unknown as Buffer), 'INVALID_ARGUMENT', 'plaintext');
    expectCode(() => aesGcm.encrypt({} as SecretKey, iv12(), Buffer.alloc(1)), 'INVALID_ARGUMENT', 'key');
    expectCode(() => aesGcm.encrypt(SecretKey.import(randomBytes(20)), iv12(), Buffer.alloc(1)), 'INVALID_ARGUMENT', 'key');
    expectCode(() => aesGcm.decrypt(key, iv12(), Buffer.alloc(15)), 'INVALID_ARGUMENT', 'sealed');
    expectCode(() => SecretKey.generate(20 as 16), 'INVALID_ARGUMENT', 'length');
  });
});

describe('AES-GCM batch', () => {
  const records = Array.from({ length: 300 }, (_, i) => randomBytes(i % 7 === 0 ? 0 : 1 + (i * 37) % 2000));

  it('seals an array of records like one-shot calls with the same IVs, and opens them back', () => {
    const key = SecretKey.generate();
    const sealed = aesGcm.encryptBatch(key, records);
    expect(sealed.offsets.length).toBe(records.length + 1);
    records.forEach((r, i) => {
      const one = aesGcm.encrypt(key, sealed.ivs.subarray(i * 12, i * 12 + 12), r);
      expect(Buffer.from(sealed.output.subarray(sealed.offsets[i], sealed.offsets[i + 1])).equals(one)).toBe(true);
    });
    const opened = aesGcm.decryptBatch(key, { data: sealed.output, offsets: sealed.offsets }, { ivs: sealed.ivs });
    expect(opened.authentic.every(Boolean)).toBe(true);
    expect(Buffer.from(opened.output).equals(Buffer.concat(records))).toBe(true);
  });

  it('accepts one buffer plus offsets, and writes into a caller-provided output', () => {
    const key = SecretKey.generate(16);
    const data = Buffer.concat(records);
    const offsets = new Uint32Array(records.length + 1);
    records.forEach((r, i) => { offsets[i + 1] = offsets[i]! + r.length; });
    const output = Buffer.alloc(data.length + 16 * records.length + 7);
    const sealed = aesGcm.encryptBatch(key, { data, offsets }, { output, aad: Buffer.from('shared') });
    expect(sealed.output).toBe(output);
    const opened = aesGcm.decryptBatch(key, { data: output, offsets: sealed.offsets }, { ivs: sealed.ivs, aad: Buffer.from('shared') });
    expect(Buffer.from(opened.output).equals(data)).toBe(true);
  });

  it('reports a tampered record as not authentic, zeroes its plaintext, and opens the others', () => {
    const key = SecretKey.generate();
    const sealed = aesGcm.encryptBatch(key, records);
    const victim = 5;
    const at = sealed.offsets[victim]!;
    sealed.output[at] = sealed.output[at]! ^ 0x01;
    const opened = aesGcm.decryptBatch(key, { data: sealed.output, offsets: sealed.offsets }, { ivs: sealed.ivs });
    expect(opened.authentic.filter((a) => !a).length).toBe(1);
    expect(opened.authentic[victim]).toBe(false);
    expect(opened.output.subarray(opened.offsets[victim], opened.offsets[victim + 1]).every((b) => b === 0)).toBe(true);
    expect(Buffer.from(opened.output.subarray(opened.offsets[6], opened.offsets[7])).equals(records[6]!)).toBe(true);
  });

  it('gives identical results on the thread pool', async () => {
    const key = SecretKey.generate();
    const big = Array.from({ length: 2000 }, () => randomBytes(1024));
    const sync = aesGcm.encryptBatch(key, big);
    const pooled = await aesGcm.encryptBatchAsync(key, big, { ivs: sync.ivs });
    expect(Buffer.from(pooled.output).equals(Buffer.from(sync.output))).toBe(true);
    const opened = await aesGcm.decryptBatchAsync(key, { data: pooled.output, offsets: pooled.offsets }, { ivs: pooled.ivs });
    expect(opened.authentic.every(Boolean)).toBe(true);
  });

  it('refuses inconsistent inputs with the argument named', () => {
    const key = SecretKey.generate();
    expectCode(() => aesGcm.encryptBatch(key, records, { ivs: Buffer.alloc(12) }), 'INVALID_ARGUMENT', 'ivs');
    expectCode(() => aesGcm.encryptBatch(key, records, { output: Buffer.alloc(10) }), 'INVALID_ARGUMENT', 'output');
    expectCode(() => aesGcm.encryptBatch(key, { data: Buffer.alloc(10), offsets: Uint32Array.of(0, 11) }), 'INVALID_ARGUMENT', 'records.offsets');
    expectCode(() => aesGcm.decryptBatch(key, [Buffer.alloc(15)], { ivs: Buffer.alloc(12) }), 'INVALID_ARGUMENT', 'records[0]');
    expectCode(() => aesGcm.encryptBatch(key, [Buffer.alloc(1), 'x' as unknown as Buffer]), 'INVALID_ARGUMENT', 'records[1]');
  });
});

describe('AES-CBC and AES-ECB', () => {
  it('matches node:crypto with and without padding, sync and on the thread pool', async () => {
    const raw = randomBytes(32);
    const key = SecretKey.import(raw);
    const iv = randomBytes(16);
    for (const size of [0, 1, 15, 16, 17, 4096, THREAD_POOL_THRESHOLD + 16]) {
      const plaintext = randomBytes(size);
      const cipher = crypto.createCipheriv('aes-256-cbc', raw, iv);
      const theirs = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      expect(aesCbc.encrypt(key, iv, plaintext).equals(theirs)).toBe(true);
      expect((await aesCbc.encryptAsync(key, iv, plaintext)).equals(theirs)).toBe(true);
      expect((await aesCbc.decryptAsync(key, iv, theirs)).equals(plaintext)).toBe(true);
      if (size % 16 === 0) {
        const raw16 = aesCbc.encrypt(key, iv, plaintext, { padding: false });
        expect(raw16.equals(theirs.subarray(0, size))).toBe(true);
        expect(aesCbc.decrypt(key, iv, raw16, { padding: false }).equals(plaintext)).toBe(true);
      }
    }
  });

  it('refuses misaligned input with NOT_BLOCK_ALIGNED and a bad padding with DECRYPTION_FAILED', () => {
    const key = SecretKey.generate(16);
    const iv = randomBytes(16);
    expectCode(() => aesCbc.encrypt(key, iv, Buffer.alloc(17), { padding: false }), 'NOT_BLOCK_ALIGNED', 'plaintext');
    expectCode(() => aesCbc.decrypt(key, iv, Buffer.alloc(20)), 'NOT_BLOCK_ALIGNED', 'ciphertext');
    expectCode(() => aesEcb.encrypt(key, Buffer.alloc(15)), 'NOT_BLOCK_ALIGNED', 'data');
    expectCode(() => aesCbc.encrypt(key, randomBytes(8), Buffer.alloc(1)), 'INVALID_ARGUMENT', 'iv');
    const noPad = aesCbc.encrypt(key, iv, Buffer.alloc(32, 0x41), { padding: false });
    expectCode(() => aesCbc.decrypt(key, iv, noPad), 'DECRYPTION_FAILED');
  });

  it('computes the FIPS-197 AES-128 and AES-256 known answers with ECB', async () => {
    const plaintext = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const k128 = SecretKey.import(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
    const k256 = SecretKey.import(Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'));
    expect(aesEcb.encrypt(k128, plaintext).toString('hex')).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(aesEcb.encrypt(k256, plaintext).toString('hex')).toBe('8ea2b7ca516745bfeafc49904b496089');
    expect(aesEcb.decrypt(k256, Buffer.from('8ea2b7ca516745bfeafc49904b496089', 'hex')).equals(plaintext)).toBe(true);
    const big = Buffer.concat(Array.from({ length: 8192 }, () => plaintext));
    const out = await aesEcb.encryptAsync(k128, big);
    expect(out.subarray(-16).toString('hex')).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect((await aesEcb.decryptAsync(k128, out)).equals(big)).toBe(true);
  });
});
