#!/usr/bin/env node
// Regenerates the publishing and use licenses of test/license/vectors/licenses.json after a
// format change (run `npm run build:ts` first). The keys, certificates, content key and times
// stay as they are; the PL is published offline by alice for bob (VIEW) and bob's UL issued.
// RSA-OAEP is randomized, so each run gives new `ck`/`egr` bytes: commit one run's output.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const openrms = require('../dist');
const { contentKeyId, openPolicy, plBinding, publishOffline, issueUl, verifyPl, verifySlc } = require('../dist/license');

const file = path.join(__dirname, '..', 'test', 'license', 'vectors', 'licenses.json');
const vectors = JSON.parse(readFileSync(file, 'utf8'));
const key = (name) => openrms.AsymmetricKey.importPem(vectors.keys[name]);
const contentKey = openrms.SecretKey.import(Buffer.from(vectors.contentKeyHex, 'hex'));
const slc = verifySlc(vectors.tokens.slc, { pinned: [key('service').thumbprint()], now: vectors.now });
const clc = openrms.decodeJws(vectors.tokens.clc).payload;

vectors.tokens.pl = publishOffline({
  owner: 'alice@contoso.com', contentId: '6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f', iat: 1795000000,
  policy: { template: null, grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], contentValidUntil: null, offlineDays: 7 },
  contentKey, wrappingKey: key('wrapping'), urls: clc.urls, signedData: { department: 'finance' },
}, key('alice'), vectors.tokens.clc);
const pl = verifyPl(vectors.tokens.pl, slc, { now: vectors.now });
vectors.tokens.ul = issueUl(key('service'), {
  pl, user: 'bob@contoso.com', racKey: key('bob'), rights: ['VIEW'], contentKey, iat: 1795000060,
  policy: openPolicy(pl.claims, contentKey),
});
vectors.derived = { plBinding: plBinding(pl.claims), contentKeyId: contentKeyId(contentKey) };
writeFileSync(file, `${JSON.stringify(vectors, null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
