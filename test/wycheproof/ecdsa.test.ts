import { AsymmetricKey, Jwk, verify } from '../../lib';
import { hex, loadWycheproof, sweep } from '../support/testdata';

describe('Wycheproof ecdsa_secp256r1_sha256_p1363_test.json (ES256)', () => {
  // ES256 signatures are the 64-byte P1363 r || s of JWS; any other length is invalid.
  // The file has no `acceptable` vectors; the count check would catch any.
  it('accepts every valid signature and rejects every invalid one', () => {
    const data = loadWycheproof('ecdsa_secp256r1_sha256_p1363_test.json');
    const keys = new Map<unknown, AsymmetricKey>();
    let jwkGroups = 0;
    const { failures, counts } = sweep(data, (group, t) => {
      let key = keys.get(group);
      if (key === undefined) {
        // Through JWK where the file gives one (checked against the PEM form), else PEM.
        key = AsymmetricKey.importPem(group['publicKeyPem'] as string);
        if (group['publicKeyJwk'] !== undefined) {
          expect(AsymmetricKey.importJwk(group['publicKeyJwk'] as Jwk).thumbprint()).toBe(key.thumbprint());
          jwkGroups++;
        }
        keys.set(group, key);
      }
      return verify('ES256', key, hex(t['msg']), hex(t['sig']));
    });
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
    expect(keys.size).toBe(data.testGroups.length);
    expect(jwkGroups).toBeGreaterThan(0);
  });
});
