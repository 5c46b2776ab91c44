import crypto from 'node:crypto';

import { AsymmetricKey } from '../../lib';
import { decodeJws, MAX_JWS_LENGTH, signJws, verifyJws } from '../../lib/license/jws';
import { native } from '../../lib/native';

const fails = (code: string) => expect.objectContaining({ code });
const rsa = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const ec = AsymmetricKey.generate({ type: 'ec' });
const payload = { sub: 'bob@example.com', rights: ['VIEW'], n: 1 };

function b64(value: object | Buffer): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
}

describe('JWS compact serialization', () => {
  it.each([['RS256', rsa], ['PS256', rsa], ['ES256', ec]] as const)('round-trips %s and names the key by thumbprint', (alg, key) => {
    const token = signJws(payload, key, 'openrms-test', alg);
    const decoded = verifyJws(token, key.publicKey(), 'openrms-test');
    expect(decoded.header).toEqual({ alg, kid: key.thumbprint(), typ: 'openrms-test' });
    expect(decoded.payload).toEqual(payload);
  });

  it('is RFC 7515 on the wire: node:crypto verifies ours and we verify node:crypto\'s', () => {
    const token = signJws(payload, rsa, 'openrms-test');
    const [h, p, s] = token.split('.');
    const pem = rsa.publicKey().exportPem();
    expect(crypto.verify('sha256', Buffer.from(`${h}.${p}`), pem, Buffer.from(s!, 'base64url'))).toBe(true);

    const header = b64({ alg: 'ES256', kid: ec.thumbprint(), typ: 'openrms-test' });
    const body = b64(payload);
    const signature = crypto.sign('sha256', Buffer.from(`${header}.${body}`), { key: ec.exportPem({ includePrivate: true }), dsaEncoding: 'ieee-p1363' });
    expect(verifyJws(`${header}.${body}.${b64(signature)}`, ec.publicKey()).payload).toEqual(payload);
  });

  it('verifies a token met again from memory, but never one that differs, another key, or another type', () => {
    const token = signJws({ ...payload, n: 2 }, ec, 'openrms-test');
    const verify = jest.spyOn(native, 'verify');
    try {
      verifyJws(token, ec, 'openrms-test');
      verifyJws(token, ec.publicKey(), 'openrms-test');
      expect(verify).toHaveBeenCalledTimes(1);
      // The same header and payload under a changed signature: verified (and refused), not remembered.
      const [h, p, sig] = token.split('.');
      const bytes = Buffer.from(sig!, 'base64url');
      bytes[5] = bytes[5]! ^ 1;
      const changed = `${h}.${p}.${bytes.toString('base64url')}`;
      expect(() => verifyJws(changed, ec, 'openrms-test')).toThrow(fails('INVALID_SIGNATURE'));
      expect(verify).toHaveBeenCalledTimes(2);
      const other = AsymmetricKey.generate({ type: 'ec' });
      expect(() => verifyJws(token, other, 'openrms-test')).toThrow(fails('INVALID_SIGNATURE'));
      expect(() => verifyJws(token, ec, 'openrms-other')).toThrow(fails('INVALID_FORMAT'));
    } finally {
      verify.mockRestore();
    }
  });

  it('refuses a changed byte in any part', () => {
    const token = signJws(payload, rsa, 'openrms-test');
    const [h, p, s] = token.split('.') as [string, string, string];
    const changedPayload = b64({ ...payload, rights: ['VIEW', 'EDIT'] });
    expect(() => verifyJws(`${h}.${changedPayload}.${s}`, rsa)).toThrow(fails('INVALID_SIGNATURE'));
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(() => verifyJws(`${h}.${p}.${flipped}`, rsa)).toThrow(fails('INVALID_SIGNATURE'));
    const otherHeader = b64({ alg: 'RS256', kid: rsa.thumbprint(), typ: 'openrms-other' });
    expect(() => verifyJws(`${otherHeader}.${p}.${s}`, rsa)).toThrow(fails('INVALID_SIGNATURE'));
  });

  it('refuses another key, a key the header does not name, and algorithm confusion', () => {
    const token = signJws(payload, rsa, 'openrms-test');
    const other = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
    expect(() => verifyJws(token, other)).toThrow(fails('INVALID_SIGNATURE'));
    // An EC token verified with an RSA key, and an RS256 header over an EC key.
    expect(() => verifyJws(signJws(payload, ec, 'openrms-test'), rsa)).toThrow(fails('INVALID_SIGNATURE'));
    const [, p, s] = token.split('.');
    const confused = b64({ alg: 'ES256', kid: rsa.thumbprint(), typ: 'openrms-test' });
    expect(() => verifyJws(`${confused}.${p}.${s}`, rsa)).toThrow(fails('INVALID_SIGNATURE'));
    expect(() => verifyJws(token, rsa, 'openrms-other')).toThrow(fails('INVALID_FORMAT'));
  });

  it.each([
    ['alg "none"', () => `${b64({ alg: 'none', kid: 'k', typ: 't' })}.${b64(payload)}.`],
    ['HS256', () => `${b64({ alg: 'HS256', kid: 'k', typ: 't' })}.${b64(payload)}.${b64(Buffer.alloc(32))}`],
    ['two parts', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}.${b64(payload)}`],
    ['padding', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}=.${b64(payload)}.${b64(Buffer.alloc(256))}`],
    ['standard base64', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}.${b64(payload)}.${Buffer.alloc(255, 0xfb).toString('base64')}`],
    ['non-canonical trailing bits', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}.${b64(payload)}.AB`],
    ['a JSON array payload', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}.${b64([1, 2])}.${b64(Buffer.alloc(256))}`],
    ['a payload that is not UTF-8', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't' })}.${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.AA`],
    ['no key ID', () => `${b64({ alg: 'RS256', typ: 't' })}.${b64(payload)}.${b64(Buffer.alloc(256))}`],
    ['critical extensions', () => `${b64({ alg: 'RS256', kid: 'k', typ: 't', crit: ['exp'] })}.${b64(payload)}.AA`],
    ['an oversized token', () => `${'A'.repeat(MAX_JWS_LENGTH)}.e30.AA`],
  ])('refuses %s as INVALID_FORMAT', (_name, make) => {
    expect(() => decodeJws(make())).toThrow(fails('INVALID_FORMAT'));
  });
});
