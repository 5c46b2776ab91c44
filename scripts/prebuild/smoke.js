// The smoke test of one prebuild, run by the Node of its own platform (run-smoke.sh: Debian's
// i386 and arm64 builds, node.exe under wine). Plain JavaScript over the built dist/ and the
// prebuild alone: PREBUILDS_ONLY makes node-gyp-build skip build/Release, so the addon loaded
// is prebuilds/<process.platform>-<process.arch>/openrms.node or nothing.
//
//   node smoke.js <expected OpenSSL version> <output file>
//
// Writes one JSON line to the output file (under wine, Node cannot write to a Linux pipe) and
// exits non-zero when a step fails.
'use strict';
process.env.PREBUILDS_ONLY = '1';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const [expectedOpenssl, outputFile] = process.argv.slice(2);
const steps = [];

function step(name, check) {
  check();
  steps.push(name);
}

function equalBytes(a, b, what) {
  if (!Buffer.from(a).equals(Buffer.from(b))) throw new Error(`${what}: the bytes differ`);
}

function main() {
    const root = path.join(__dirname, '..', '..');
  // The file node-gyp-build chose, which must be this platform's prebuild.
  const prebuild = path.relative(root, require(require.resolve('node-gyp-build', { paths: [root] })).path(root));
  if (prebuild !== path.join('prebuilds', `${process.platform}-${process.arch}`, 'openrms.node')) throw new Error(`loaded ${prebuild}`);

  const openrms = require(path.join(root, 'dist'));
  step('openssl', () => {
    if (openrms.nativeInfo.openssl !== expectedOpenssl) {
      throw new Error(`the addon runs OpenSSL ${openrms.nativeInfo.openssl}, its headers were ${expectedOpenssl}`);
    }
  });
  step('random bytes', () => {
    const a = openrms.randomBytes(32);
    const b = openrms.randomBytes(32);
    if (a.length !== 32 || a.equals(b) || a.equals(Buffer.alloc(32))) throw new Error('randomBytes gave the same or zero bytes');
  });
  step('AES-GCM against node:crypto', () => {
    const keyBytes = crypto.randomBytes(32);
    const iv = crypto.randomBytes(12);
    const aad = Buffer.from('openrms smoke');
    const plaintext = crypto.randomBytes(1000);
    const key = openrms.SecretKey.import(keyBytes);
    const sealed = openrms.aesGcm.encrypt(key, iv, plaintext, aad);
    const cipher = crypto.createCipheriv('aes-256-gcm', keyBytes, iv).setAAD(aad);
    const expected = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    equalBytes(sealed, expected, 'openrms and node:crypto AES-256-GCM');
    equalBytes(openrms.aesGcm.decrypt(key, iv, sealed, aad), plaintext, 'AES-GCM round trip');
    sealed[0] ^= 1;
    let refused = false;
    try {
      openrms.aesGcm.decrypt(key, iv, sealed, aad);
    } catch (error) {
      refused = error.code === 'DECRYPTION_FAILED';
    }
    if (!refused) throw new Error('a changed ciphertext was not refused with DECRYPTION_FAILED');
  });
  step('signature', () => {
    const data = Buffer.from('a publishing license');
    for (const [algorithm, options] of [['PS256', { type: 'rsa', modulusLength: 2048 }], ['ES256', { type: 'ec' }]]) {
      const key = openrms.AsymmetricKey.generate(options);
      const signature = openrms.sign(algorithm, key, data);
      if (!openrms.verify(algorithm, key.publicKey(), data, signature)) throw new Error(`${algorithm}: own signature refused`);
      if (openrms.verify(algorithm, key.publicKey(), Buffer.from('another license'), signature)) throw new Error(`${algorithm}: wrong data accepted`);
      // The host's OpenSSL agrees with the addon's: same signature format, same curve.
      const publicKey = crypto.createPublicKey(key.exportPem());
      const nodeOptions = algorithm === 'PS256'
        ? { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : { key: publicKey, dsaEncoding: 'ieee-p1363' };
      if (!crypto.verify('sha256', data, nodeOptions, signature)) throw new Error(`${algorithm}: node:crypto refused the signature`);
    }
  });
  step('PFILE round trip', () => {
    const contentKey = openrms.SecretKey.generate(32);
    const license = Buffer.from('<XrML>smoke</XrML>', 'utf16le');
    const plaintext = crypto.randomBytes(100000);
    const file = openrms.gcmStream.protectBuffer(contentKey, license, plaintext);
    if (!openrms.hasPfileMagic(file)) throw new Error('the protected buffer is not a PFILE');
    const { plaintext: opened } = openrms.gcmStream.unprotectBuffer(contentKey, file);
    equalBytes(opened, plaintext, 'PFILE round trip');
  });
  return { ok: true, platform: process.platform, arch: process.arch, node: process.version, openssl: openrms.nativeInfo.openssl, prebuild, steps };
}

let result;
try {
  result = main();
} catch (error) {
  result = { ok: false, platform: process.platform, arch: process.arch, node: process.version, steps, error: String(error && error.stack || error) };
  process.exitCode = 1;
}
fs.writeFileSync(outputFile, `${JSON.stringify(result)}\n`);
