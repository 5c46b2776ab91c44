import { aesGcm, SecretKey } from '../../lib';
import { acceptsUnless, hex, loadWycheproof, sweep } from '../support/testdata';

describe('Wycheproof aes_gcm_test.json', () => {
  // AES-GCM has no `acceptable` vectors in this file; any that appeared would be reported.
  // IVs longer than 128 bytes (the 2056-bit groups) are beyond OpenSSL 3's GCM provider:
  // openrms refuses them up front with INVALID_ARGUMENT, which the issue allows ("the core
  // may refuse sizes it does not support, with a clear error"); those vectors are checked
  // for exactly that refusal instead of a round trip.
  it('encrypts every valid vector to its ciphertext and tag, and rejects every invalid one', () => {
    const data = loadWycheproof('aes_gcm_test.json');
    const acceptable: number[] = [];
    let refusedLongIvs = 0;
    const { failures, counts } = sweep(data, (group, t) => {
      if (hex(t['iv']).length > aesGcm.MAX_IV_LENGTH) {
        const key = SecretKey.import(hex(t['key']));
        expect(() => aesGcm.encrypt(key, hex(t['iv']), hex(t['msg']))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'iv' }));
        refusedLongIvs++;
        return t.result === 'valid';
      }
      const key = SecretKey.import(hex(t['key']));
      const iv = hex(t['iv']);
      const aad = hex(t['aad']);
      const sealed = Buffer.concat([hex(t['ct']), hex(t['tag'])]);
      try {
        // An IV of zero bytes is refused as an argument; every other failure must be
        // DECRYPTION_FAILED.
        const opened = acceptsUnless(['DECRYPTION_FAILED', 'INVALID_ARGUMENT'], () => {
          const plaintext = aesGcm.decrypt(key, iv, sealed, aad);
          if (!plaintext.equals(hex(t['msg']))) throw new Error(`tcId ${t.tcId}: wrong plaintext`);
        });
        if (opened && t.result === 'valid') {
          const resealed = aesGcm.encrypt(key, iv, hex(t['msg']), aad);
          if (!resealed.equals(sealed)) throw new Error(`tcId ${t.tcId}: encryption differs (group ivSize ${group['ivSize']})`);
        }
        return opened;
      } finally {
        key.close();
      }
    }, (t) => acceptable.push(t.tcId));
    expect(failures).toEqual([]);
    expect(acceptable).toEqual([]);
    expect(refusedLongIvs).toBe(data.testGroups.filter((g) => (g['ivSize'] as number) > 1024).reduce((n, g) => n + g.tests.length, 0));
    expect(counts['valid']).toBeGreaterThan(200);
  });
});
