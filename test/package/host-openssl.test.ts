/**
 * The addon brings its own libcrypto and shows nothing of it, so it works in a host whose
 * OpenSSL is another: Node's built-in one, Electron's BoringSSL, or the shared libssl3 a
 * distribution's Node links (docs/electron.md). Proved inside Debian's own nodejs, whose OpenSSL
 * is the system's libcrypto.so.3: the dynamic linker binds none of the addon's symbols to it,
 * the addon reports the libcrypto inside it, and the two OpenSSLs agree on the same data. And
 * the binary itself: only the Node-API entry points exported, no OpenSSL symbol or library
 * imported.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';
import { loadedAddon } from '../support/consumer-folder';
import { DebianNode, debianNode } from '../support/debian-node';

const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
const OPENSSL_SYMBOL = /^(EVP|OPENSSL|CRYPTO|RSA|BN|EC|ERR|OSSL|SHA\d*|HMAC|RAND|SSL|TLS|X509|PEM|ASN1|BIO)_/;

/** The addon Node loads here, and this platform's prebuild when there is one (what the package ships). */
function addons(): string[] {
  const prebuild = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'openrms.node');
  return [...new Set([loadedAddon(), ...(existsSync(prebuild) ? [prebuild] : [])])];
}

/** The libcrypto version text a statically linked binary carries ("OpenSSL 3.0.20 7 Apr 2026"). */
function embeddedOpenssl(binary: string): string[] {
  return execFileSync('strings', ['-n', '8', binary], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n').filter((line) => /^OpenSSL \d+\.\d+\.\d+\S* +\d+ \w+ \d{4}$/.test(line));
}

describe.each(addons())('the addon %s', (addon) => {
  it('exports the Node-API entry points and nothing else', () => {
    const defined = execFileSync('nm', ['-D', '--defined-only', addon], { encoding: 'utf8' }).split('\n')
      .map((line) => line.trim().split(/\s+/)).filter((f) => f.length === 3 && f[1] !== 'A').map((f) => f[2]);
    expect(defined.sort()).toEqual(ENTRY_POINTS);
  });

  it('imports no OpenSSL symbol and needs no OpenSSL library', () => {
    const undefinedSymbols = execFileSync('nm', ['-D', '--undefined-only', addon], { encoding: 'utf8' }).split('\n')
      .map((line) => line.trim().split(/\s+/).pop()!).filter((name) => OPENSSL_SYMBOL.test(name));
    expect(undefinedSymbols).toEqual([]);
    const needed = [...execFileSync('objdump', ['-p', addon], { encoding: 'utf8' }).matchAll(/^\s+NEEDED\s+(\S+)$/gm)].map((m) => m[1]);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((lib) => /ssl|crypto/i.test(lib!))).toEqual([]);
  });

  it('carries one libcrypto, whose version nativeInfo reports', () => {
    const versions = embeddedOpenssl(addon);
    expect(versions).toHaveLength(1);
    const result = spawnSync(process.execPath, ['-p', `require(${JSON.stringify(addon)}).opensslVersion`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(versions[0]!.split(' ')[1]).toBe(result.stdout.trim());
  });
});

describe("inside Debian's nodejs, which links the system's shared libssl3", () => {
  let host: DebianNode;
  beforeAll(() => {
    requireBuilt();
    host = debianNode();
  });

  const runHost = (script: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(host.node, ['-e', script], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...host.env, ...env }, timeout: 120000, maxBuffer: 512 * 1024 * 1024,
    });

  it("runs on the system's libcrypto.so.3, not an OpenSSL of its own", () => {
    const libs = execFileSync('ldd', [host.libnode], { encoding: 'utf8', env: { ...process.env, ...host.env } });
    expect(libs).toMatch(/libcrypto\.so\.3 => \/(usr\/)?lib\/[^ ]+\/libcrypto\.so\.3/);
    expect(libs).toMatch(/libssl\.so\.3 => /);
  });

  it("loads the addon, which reports the libcrypto inside it and binds no symbol to the host's OpenSSL", () => {
    const addon = loadedAddon();
    const result = runHost(`
      const openrms = require('./dist');
      console.log(JSON.stringify({ ours: openrms.nativeInfo.openssl, node: process.version }));
    `, { LD_DEBUG: 'bindings' });
    const report = JSON.parse(result.stdout);
    expect(report.node).toMatch(/^v\d+\./);
    expect(report.node).not.toBe(process.version);
    expect(embeddedOpenssl(addon)[0]!.split(' ')[1]).toBe(report.ours);
    // The glibc loader logs every symbol binding: "binding file A [0] to B [0]: normal symbol `name'".
    const bindings = result.stderr.split('\n').filter((line) => line.includes('binding file '));
    const fromAddon = bindings.filter((line) => line.includes(`binding file ${addon} `));
    const toHostOpenssl = (line: string) => / to \S*lib(crypto|ssl)\.so\.3 /.test(line);
    // The host's OpenSSL is there and in use (libnode's symbols bind to it)...
    expect(bindings.some((line) => line.includes(path.basename(host.libnode)) && toHostOpenssl(line))).toBe(true);
    // ...and the addon, which was loaded and bound its libc and Node-API symbols, binds nothing to it.
    expect(fromAddon.length).toBeGreaterThan(0);
    expect(fromAddon.filter(toHostOpenssl)).toEqual([]);
    expect(fromAddon.filter((line) => OPENSSL_SYMBOL.test(/`([^']+)'/.exec(line)?.[1] ?? ''))).toEqual([]);
  });

  it("agrees with the host's OpenSSL: AES-GCM sealed by one opens with the other, a signature by one verifies with the other", () => {
    const result = runHost(`
      const assert = require('node:assert');
      const crypto = require('node:crypto');
      const openrms = require('./dist');
      const key = openrms.SecretKey.generate();
      const iv = openrms.randomBytes(12);
      const text = openrms.randomBytes(100000);
      const sealed = openrms.aesGcm.encrypt(key, iv, text);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key.export(), iv);
      decipher.setAuthTag(sealed.subarray(-16));
      assert.deepStrictEqual(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]), text);
      const cipher = crypto.createCipheriv('aes-256-gcm', key.export(), iv);
      const hostSealed = Buffer.concat([cipher.update(text), cipher.final(), cipher.getAuthTag()]);
      assert.deepStrictEqual(openrms.aesGcm.decrypt(key, iv, hostSealed), text);
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const signer = openrms.AsymmetricKey.importPem(privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const signature = openrms.sign('PS256', signer, text);
      assert.ok(crypto.verify('sha256', text, { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature));
      const file = openrms.gcmStream.protectBuffer(key, Buffer.from('license'), text);
      assert.deepStrictEqual(openrms.gcmStream.unprotectBuffer(key, file).plaintext, text);
      console.log('agreed');
    `);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('agreed\n');
  });
});
