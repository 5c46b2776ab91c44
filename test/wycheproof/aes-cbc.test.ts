import { aesCbc, SecretKey } from '../../lib';
import { acceptsUnless, hex, loadWycheproof, sweep } from '../support/testdata';

describe('Wycheproof aes_cbc_pkcs5_test.json', () => {
  // No `acceptable` vectors in this file. Invalid vectors carry a bad PKCS#7 padding: their
  // decryption must fail with DECRYPTION_FAILED (the code does not reveal the padding).
  it('round-trips every valid vector and refuses every invalid one', () => {
    const data = loadWycheproof('aes_cbc_pkcs5_test.json');
    const { failures, counts } = sweep(data, (_group, t) => {
      const key = SecretKey.import(hex(t['key']));
      try {
        const iv = hex(t['iv']);
        const ct = hex(t['ct']);
        const opened = acceptsUnless(['DECRYPTION_FAILED', 'NOT_BLOCK_ALIGNED'], () => {
          if (!aesCbc.decrypt(key, iv, ct).equals(hex(t['msg']))) throw new Error(`tcId ${t.tcId}: wrong plaintext`);
        });
        if (opened && t.result === 'valid' && !aesCbc.encrypt(key, iv, hex(t['msg'])).equals(ct)) {
          throw new Error(`tcId ${t.tcId}: encryption differs`);
        }
        return opened;
      } finally {
        key.close();
      }
    });
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
  });
});
