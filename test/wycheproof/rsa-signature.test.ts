import { AsymmetricKey, Jwk, verify } from '../../lib';
import { hex, loadWycheproof, sweep } from '../support/testdata';

describe.each([
  ['rsa_signature_2048_sha256_test.json', 2048],
  ['rsa_signature_3072_sha256_test.json', 3072],
])('Wycheproof %s (RS256)', (file, bits) => {
  // Policy for `acceptable`: openrms verifies PKCS#1 v1.5 by exact re-encoding (OpenSSL), so
  // it rejects every acceptable vector (they are legacy encodings, e.g. a DigestInfo without
  // the NULL parameter); the test pins that choice.
  it('accepts every valid signature, rejects every invalid one, and rejects the acceptable ones', () => {
    const data = loadWycheproof(file);
    const acceptable: Array<[number, boolean]> = [];
    const keys = new Map<unknown, AsymmetricKey>();
    const { failures, counts } = sweep(data, (group, t) => {
      let key = keys.get(group);
      if (key === undefined) {
        key = AsymmetricKey.importPem(group['publicKeyPem'] as string);
        keys.set(group, key);
      }
      return verify('RS256', key, hex(t['msg']), hex(t['sig']));
    }, (t, accepted) => acceptable.push([t.tcId, accepted]));
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(acceptable.length);
    expect(acceptable.filter(([, accepted]) => accepted)).toEqual([]);
    expect([...keys.values()].every((k) => k.bits === bits)).toBe(true);
  });

  it('reads the group keys identically from PEM, SPKI DER and JWK', () => {
    for (const group of loadWycheproof(file).testGroups) {
      const pem = AsymmetricKey.importPem(group['publicKeyPem'] as string);
      expect(AsymmetricKey.importDer(hex(group['publicKeyDer'])).thumbprint()).toBe(pem.thumbprint());
      expect(AsymmetricKey.importJwk(group['keyJwk'] as Jwk).thumbprint()).toBe(pem.thumbprint());
    }
  });
});
