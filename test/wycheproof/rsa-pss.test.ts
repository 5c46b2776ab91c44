import { AsymmetricKey, verify } from '../../lib';
import { hex, loadWycheproof, sweep } from '../support/testdata';

describe('Wycheproof rsa_pss_2048_sha256_mgf1_32_test.json (PS256)', () => {
  // PS256 fixes the salt at 32 bytes (RFC 7518 3.5); the file's vectors use exactly that.
  // It has no `acceptable` vectors; the count check below would catch any.
  it('accepts every valid signature and rejects every invalid one', () => {
    const data = loadWycheproof('rsa_pss_2048_sha256_mgf1_32_test.json');
    const keys = new Map<unknown, AsymmetricKey>();
    const { failures, counts } = sweep(data, (group, t) => {
      let key = keys.get(group);
      if (key === undefined) {
        // Through DER this time, so every import path meets real vectors.
        key = AsymmetricKey.importDer(hex(group['publicKeyDer']));
        keys.set(group, key);
      }
      return verify('PS256', key, hex(t['msg']), hex(t['sig']));
    });
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
  });
});
