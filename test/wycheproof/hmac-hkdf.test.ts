import { hkdfSha256, hmacSha256, verifyHmacSha256 } from '../../lib';
import { acceptsUnless, hex, loadWycheproof, sweep } from '../support/testdata';

describe('Wycheproof hmac_sha256_test.json', () => {
  // Groups with tagSize 128 carry truncated tags: verifyHmacSha256 compares them with the
  // leading 16 bytes. No `acceptable` vectors in this file.
  it('verifies every valid tag, reproduces the full-length ones, and rejects every invalid tag', () => {
    const data = loadWycheproof('hmac_sha256_test.json');
    const { failures, counts } = sweep(data, (_group, t) => {
      const key = hex(t['key']);
      const msg = hex(t['msg']);
      const tag = hex(t['tag']);
      const ok = verifyHmacSha256(key, msg, tag);
      if (ok && tag.length === 32 && !hmacSha256(key, msg).equals(tag)) throw new Error(`tcId ${t.tcId}: MAC differs`);
      return ok;
    });
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
  });
});

describe('Wycheproof hkdf_sha256_test.json', () => {
  // The invalid vectors ask for more than 255 * 32 bytes: refused as INVALID_ARGUMENT.
  it('derives every valid output and refuses every invalid request', () => {
    const data = loadWycheproof('hkdf_sha256_test.json');
    const { failures, counts } = sweep(data, (_group, t) =>
      acceptsUnless(['INVALID_ARGUMENT'], () => {
        const okm = hkdfSha256(hex(t['ikm']), { salt: hex(t['salt']), info: hex(t['info']), length: t['size'] as number });
        if (!okm.equals(hex(t['okm']))) throw new Error(`tcId ${t.tcId}: wrong output`);
      }));
    expect(failures).toEqual([]);
    expect(counts['acceptable']).toBe(0);
  });
});
