import { AsymmetricKey, Jwk, rsaOaep } from '../../lib';
import { acceptsUnless, hex, loadWycheproof, sweep } from '../support/testdata';

describe.each([
  ['rsa_oaep_2048_sha256_mgf1sha256_test.json', 2048],
  ['rsa_oaep_3072_sha256_mgf1sha256_test.json', 3072],
])('Wycheproof %s', (file, bits) => {
  // These files have no `acceptable` vectors; any would fail the count check below.
  it('unwraps every valid ciphertext and refuses every invalid one with DECRYPTION_FAILED', () => {
    const data = loadWycheproof(file);
    const keys = new Map<unknown, AsymmetricKey>();
    const { failures, counts } = sweep(data, (group, t) => {
      let key = keys.get(group);
      if (key === undefined) {
        key = AsymmetricKey.importPem(group['privateKeyPem'] as string);
        keys.set(group, key);
      }
      return acceptsUnless(['DECRYPTION_FAILED'], () => {
        const message = rsaOaep.unwrap(key!, hex(t['ct']), { label: hex(t['label']) });
        if (!message.equals(hex(t['msg']))) throw new Error(`tcId ${t.tcId}: wrong message`);
      });
    });
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
    for (const key of keys.values()) expect(key.bits).toBe(bits);
  });

  it('imports the same private key from PEM, PKCS#8 DER and JWK', () => {
    const group = loadWycheproof(file).testGroups[0]!;
    const fromPem = AsymmetricKey.importPem(group['privateKeyPem'] as string);
    const fromDer = AsymmetricKey.importDer(hex(group['privateKeyPkcs8']));
    const fromJwk = AsymmetricKey.importJwk(group['privateKeyJwk'] as Jwk);
    expect(fromDer.thumbprint()).toBe(fromPem.thumbprint());
    expect(fromJwk.thumbprint()).toBe(fromPem.thumbprint());
    expect(fromJwk.exportDer({ includePrivate: true }).equals(fromPem.exportDer({ includePrivate: true }))).toBe(true);
  });
});
