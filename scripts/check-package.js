#!/usr/bin/env node
// `node scripts/check-package.js`: proves the package installs where there is no compiler.
// It packs the package as a release would (the prepack script builds dist/ and this platform's
// prebuild), installs the tarball in an empty folder with npm, with a PATH that holds node, npm
// and sh alone (no cc, c++, make or python3: a source build could not even start), and there:
//   - checks nothing was compiled and no database module was installed (better-sqlite3 is an
//     optional peer dependency);
//   - protects and opens content with the API and the `openrms` command, on the prebuilt addon;
//   - checks `openrms serve` names the package it needs;
//   - adds better-sqlite3 (the one this repository built, linked in) and runs `openrms demo`:
//     a service, two users, protect and open.
// CI runs it (.ci/run). The folder is removed when every step passed, kept otherwise.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openrms-package-'));
const app = path.join(work, 'app');
const bin = path.join(work, 'bin');

function fail(message) {
  process.stderr.write(`check-package: ${message}\n(the folder is left in ${work})\n`);
  process.exit(1);
}

function step(message) {
  process.stdout.write(`== ${message}\n`);
}

/** Runs a command, failing the check unless it exits 0; returns its stdout. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

// A PATH with node, npm and sh and nothing else. npm's script starts with `#!/usr/bin/env node`,
// which finds node here; npm runs install scripts with sh, with node_modules/.bin in front.
fs.mkdirSync(bin);
fs.symlinkSync(process.execPath, path.join(bin, 'node'));
fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
const npmOnPath = spawnSync('/bin/sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
if (npmOnPath === '') fail('npm is not on the PATH');
fs.symlinkSync(fs.realpathSync(npmOnPath), path.join(bin, 'npm'));
const bare = { ...process.env, PATH: bin };
for (const tool of ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python3', 'cmake']) {
  const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env: bare, encoding: 'utf8' });
  if (found.status === 0) fail(`${tool} is reachable through the bare PATH (${found.stdout.trim()})`);
}

step('npm pack (prepack: dist/ and this platform\'s prebuild)');
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] }))[0];
const tarball = path.join(work, packed.filename);
const host = `${process.platform}-${process.arch}`;
const files = new Set(packed.files.map((f) => f.path));
for (const needed of ['dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/server/index.js', 'dist/cli/main.js',
  `prebuilds/${host}/openrms.node`, 'binding.gyp', 'scripts/native-sources.js', 'scripts/find-libcrypto.js']) {
  if (!files.has(needed)) fail(`the tarball lacks ${needed}`);
}
const prebuilds = [...files].filter((f) => f.startsWith('prebuilds/')).sort();
process.stdout.write(`${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1e6).toFixed(1)} MB; ${prebuilds.join(', ')}\n`);

step(`npm install ${packed.filename} with PATH=${bin} (node, npm and sh only)`);
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'openrms-check', private: true })}\n`);
process.stdout.write(run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env: bare }));
const installed = path.join(app, 'node_modules', 'openrms');
if (fs.existsSync(path.join(installed, 'build'))) fail('the install compiled the addon (node_modules/openrms/build exists)');
if (fs.existsSync(path.join(app, 'node_modules', 'better-sqlite3'))) fail('the install brought better-sqlite3: the client must not need it');

step('protect and open with the API (the prebuilt addon, no service)');
const script = `
  const assert = require('node:assert');
  const crypto = require('node:crypto');
  const fs = require('node:fs');
  const openrms = require('openrms');
  (async () => {
    const key = openrms.SecretKey.generate();
    const text = Buffer.from('the plan, '.repeat(10000));
    const file = openrms.gcmStream.protectBuffer(key, Buffer.from('{"license":"opaque to the container"}'), text);
    assert.deepStrictEqual(openrms.gcmStream.unprotectBuffer(key, file).plaintext, text);
    fs.writeFileSync('plan.txt', text);
    const protectedFile = await openrms.protectFile('plan.txt', key, Buffer.from('license'), { outputDir: '.' });
    const opened = await openrms.unprotectFile(protectedFile.path, key, { outputPath: 'plan.copy.txt' });
    assert.deepStrictEqual(fs.readFileSync(opened.path), text);
    // AES-GCM against node:crypto's, so the addon's libcrypto answers as OpenSSL does.
    const iv = openrms.randomBytes(12);
    const sealed = openrms.aesGcm.encrypt(key, iv, text);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.export(), iv);
    decipher.setAuthTag(sealed.subarray(-16));
    assert.deepStrictEqual(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]), text);
    const signer = openrms.AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
    assert.ok(openrms.verify('PS256', signer, text, openrms.sign('PS256', signer, text)));
    console.log(JSON.stringify({ protected: protectedFile.path, openssl: openrms.nativeInfo.openssl, bytes: file.length }));
  })().catch((error) => { console.error(error); process.exit(1); });
`;
process.stdout.write(run('node', ['-e', script], { cwd: app, env: bare }));
const openrmsBin = path.join(app, 'node_modules', '.bin', 'openrms');
const inspected = JSON.parse(run(openrmsBin, ['inspect', 'plan.ptxt', '--json'], { cwd: app, env: bare }));
if (inspected.protected !== true) fail(`openrms inspect plan.ptxt does not see a protected file: ${JSON.stringify(inspected)}`);
process.stdout.write(`openrms inspect plan.ptxt: protected, PFILE ${inspected.container?.version ?? ''}\n`);

step('openrms serve without better-sqlite3');
const serve = spawnSync(openrmsBin, ['serve', '--data', 'service', '--listen', '127.0.0.1:0'], { cwd: app, env: bare, encoding: 'utf8', timeout: 60000 });
if (serve.status !== 1 || !/DEPENDENCY_NOT_INSTALLED: .*npm install better-sqlite3/.test(serve.stderr)) {
  fail(`openrms serve did not name better-sqlite3 (exit ${serve.status}):\n${serve.stdout}${serve.stderr}`);
}
process.stdout.write(serve.stderr);

step('openrms demo, with better-sqlite3 installed beside it');
fs.symlinkSync(path.join(root, 'node_modules', 'better-sqlite3'), path.join(app, 'node_modules', 'better-sqlite3'), 'dir');
const demo = JSON.parse(run(openrmsBin, ['demo', '--json'], { cwd: app, env: bare }));
if (demo.ok !== true) fail(`openrms demo: ${JSON.stringify(demo)}`);
process.stdout.write(`${demo.steps.map((s) => `${s.step}: ${s.detail}`).join('\n')}\n`);

fs.rmSync(work, { recursive: true, force: true });
step(`the package installs and works without a compiler (${host}, Node ${process.versions.node})`);
