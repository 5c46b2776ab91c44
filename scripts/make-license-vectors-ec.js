#!/usr/bin/env node
// Writes test/license/vectors/licenses-ec.json, the EC profile's license test vectors
// (docs/licenses.md "Test vectors"), after `npm run build:ts`. The keys are fixed: bob's is
// "Bob" of RFC 7518 Appendix C and the UL's ephemeral key that appendix's ephemeral key, the
// others P-256 keys whose d is SHA-256 of their name. The PL's and UL's wrapped content keys
// are made with those fixed ephemeral keys (lib/crypto/ecdh-es-vectors.ts), so they are the
// same bytes on every run; ES256 signatures are random (ECDSA), so each run signs anew and the
// test checks each token's header and payload byte for byte and its signature by verifying it.
'use strict';
const crypto = require('node:crypto');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const openrms = require('../dist');
const { wrapKeyWithEphemeral } = require('../dist/crypto/ecdh-es-vectors');
const {
  contentKeyId, issueClc, issueRac, issueSlc, issueUl, openPolicy, plBinding, publishOffline, signJws, verifyPl, verifySlc,
} = require('../dist/license');

/** A P-256 private key from its 32-byte d. */
function p256(d) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
  return openrms.AsymmetricKey.importJwk({ kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)), d: b64(d) });
}
const named = (name) => p256(crypto.createHash('sha256').update(`openrms EC test vector: ${name}`).digest());

const keys = {
  service: named('service signing key'),
  wrapping: named('service wrapping key'),
  alice: named('alice device key'),
  bob: p256(Buffer.from('VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw', 'base64url')),
};
const ephemeral = {
  pl: named('PL ephemeral key'),
  ul: p256(Buffer.from('0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo', 'base64url')),
};
const now = 1795000120;
const contentKeyHex = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const contentKey = openrms.SecretKey.import(Buffer.from(contentKeyHex, 'hex'));
const cid = '6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f';
const urls = { intranet: 'https://rms.contoso.com/_wmcs/licensing', extranet: null };
const year = 365 * 24 * 3600;

const slc = issueSlc({ name: 'Contoso', signingKey: keys.service, wrappingKey: keys.wrapping.publicKey(),
  urls: { ...urls, certification: 'https://rms.contoso.com/_wmcs/certification' }, iat: 1795000000, exp: 1795000000 + 10 * year });
const rac = (email, key) => issueRac(keys.service, { email, kind: 'organization', userKey: key.publicKey(), iat: 1795000000 });
const clc = issueClc(keys.service, { email: 'alice@contoso.com', userKey: keys.alice.publicKey(), wrappingKey: keys.wrapping.publicKey(),
  urls, iat: 1795000000, exp: 1795000000 + year });

/** `token` signed again by `key` with `ck` in place of its random wrap. */
function withWrap(token, key, ck) {
  const { header, payload } = openrms.decodeJws(token);
  return signJws({ ...payload, ck: ck.toString('base64url') }, key, header.typ);
}

const randomPl = publishOffline({
  owner: 'alice@contoso.com', contentId: cid, iat: 1795000000,
  policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: null, offlineDays: 7 },
  contentKey, wrappingKey: keys.wrapping.publicKey(), urls, signedData: { department: 'finance' },
}, keys.alice, clc);
const binding = plBinding(openrms.decodeJws(randomPl).payload);
const plWrap = wrapKeyWithEphemeral(keys.wrapping.publicKey(), contentKey, ephemeral.pl, { label: Buffer.from(`openrms-pl/content-key/${binding}`, 'ascii') });
const pl = withWrap(randomPl, keys.alice, plWrap);
const verifiedPl = verifyPl(pl, verifySlc(slc, { pinned: [keys.service.thumbprint()], now }), { now });
const ulWrap = wrapKeyWithEphemeral(keys.bob.publicKey(), contentKey, ephemeral.ul, { label: Buffer.from(cid) });
const ul = withWrap(issueUl(keys.service, {
  pl: verifiedPl, user: 'bob@contoso.com', racKey: keys.bob.publicKey(), rights: ['VIEW'], contentKey, iat: 1795000060,
  policy: openPolicy(verifiedPl.claims, contentKey),
}), keys.service, ulWrap);

const pem = (key) => key.exportPem({ includePrivate: true });
const vectors = {
  comment: 'openrms license test vectors, EC profile (docs/licenses.md). Private keys are test keys, published on purpose. ES256 is '
    + 'randomized: each token\'s header and payload are what openrms signs for them, byte for byte, and its signature verifies with '
    + 'the named key. The wrapped keys (ECDH-ES+A256KW) were made with the fixed ephemeral keys: wrapping again with them gives the '
    + 'same bytes, plWrapHex and ulWrapHex, which unwrap to contentKeyHex.',
  now, contentKeyHex,
  keys: Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, pem(key)])),
  ephemeral: Object.fromEntries(Object.entries(ephemeral).map(([name, key]) => [name, pem(key)])),
  tokens: { slc, racAlice: rac('alice@contoso.com', keys.alice), racBob: rac('bob@contoso.com', keys.bob), clc, pl, ul },
  derived: { plBinding: binding, contentKeyId: contentKeyId(contentKey), plWrapHex: plWrap.toString('hex'), ulWrapHex: ulWrap.toString('hex') },
};
const file = path.join(__dirname, '..', 'test', 'license', 'vectors', 'licenses-ec.json');
writeFileSync(file, `${JSON.stringify(vectors, null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
