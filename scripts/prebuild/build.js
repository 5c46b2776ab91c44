#!/usr/bin/env node
// `npm run prebuild:all [-- target...]`: builds prebuilds/<platform>-<arch>/openrms.node for the
// five targets of targets.js with CMake (CMakeLists.txt's addon, cross toolchains in cmake/),
// each in build-prebuilds/<target>, outside build/ where the working copy's own addon lives.
// Every binary is checked before it is copied: the OpenSSL headers it was compiled against are
// those of the libcrypto.a it links, no OpenSSL symbol is exported or imported, and a Windows
// one depends on nothing but Node and Windows's own DLLs. Needs scripts/prebuild/debian-packages.sh.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { TARGETS, selectTargets } = require('./targets');
const { checkExports, checkWindowsImports, ENTRY_POINTS } = require('./binary-checks');
const { headerVersion, libraryHasVersion } = require('./openssl-headers');

const root = path.join(__dirname, '..', '..');
const napiHeaders = require('node-api-headers');

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** Where each target's libcrypto.a and headers are. */
function openssl(name, target) {
  if (!target.windows) return { library: path.join(target.libdir, 'libcrypto.a'), include: '/usr/include' };
  const prefixes = run('bash', [path.join(__dirname, 'mingw-openssl.sh')]).trim().split('\n');
  const prefix = prefixes.find((p) => p.endsWith(`-${name}`));
  return { library: path.join(prefix, 'lib', 'libcrypto.a'), include: path.join(prefix, 'include') };
}

/**
 * A mingw delay-load import library for the Node-API functions, which a Windows addon takes
 * from NODE.EXE: resolved at first call, through cmake/win-delay-load-hook.cc, so that the
 * executable hosting the addon may have another name (Electron's).
 */
function nodeImportLibrary(target, buildDir) {
  const output = path.join(buildDir, 'libnode_api_delay.a');
  run(`${target.triplet}-dlltool`, ['-d', napiHeaders.def_paths.node_api_def, '-y', output]);
  return output;
}

function build(name) {
  const target = TARGETS[name];
  const buildDir = path.join(root, 'build-prebuilds', name);
  fs.mkdirSync(buildDir, { recursive: true });
  const ssl = openssl(name, target);
  const args = [
    '-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release',
    // binding.gyp's optimisation level, for the same code in a prebuild as in a source build.
    '-DCMAKE_CXX_FLAGS_RELEASE=-O2',
    '-DOPENRMS_ADDON=ON', '-DOPENRMS_TESTS=OFF',
    `-DCMAKE_JS_INC=${napiHeaders.include_dir}`,
    // As cmake-js does for Windows: the delay-load hook is one more source of the addon.
    `-DCMAKE_JS_SRC=${target.windows ? path.join(root, 'cmake', 'win-delay-load-hook.cc') : ''}`,
    `-DCMAKE_JS_LIB=${target.windows ? nodeImportLibrary(target, buildDir) : ''}`,
    `-DOPENSSL_CRYPTO_LIBRARY=${ssl.library}`, `-DOPENSSL_INCLUDE_DIR=${ssl.include}`,
    // FindOpenSSL names the library LIB_EAY under mingw and copies it over OPENSSL_CRYPTO_LIBRARY.
    ...(target.windows ? [`-DLIB_EAY=${ssl.library}`] : []),
  ];
  if (!target.windows) {
    // libstdc++'s templates have default visibility whatever -fvisibility says; a version
    // script keeps everything but the entry points local, as a Windows DLL is by dllexport.
    const versionScript = path.join(buildDir, 'exports.map');
    fs.writeFileSync(versionScript, `{ global: ${ENTRY_POINTS.join('; ')}; local: *; };\n`);
    args.push(`-DCMAKE_SHARED_LINKER_FLAGS=-Wl,--version-script=${versionScript}`);
  }
  if (target.toolchain) args.push(`-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', target.toolchain)}`);
  console.log(`== ${name}: configure`);
  run('cmake', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`== ${name}: build`);
  run('nice', ['-n', '10', 'cmake', '--build', buildDir, '--target', 'openrms', '-j', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });

  const headers = headerVersion(path.join(buildDir, 'compile_commands.json'));
  if (!libraryHasVersion(ssl.library, headers.text)) {
    throw new Error(`${name}: compiled against the headers of ${headers.text}, which is not the version of ${ssl.library}`);
  }
  const binary = path.join(buildDir, 'openrms.node');
  const strip = target.triplet === 'x86_64-linux-gnu' ? 'strip' : `${target.triplet}-strip`;
  // A DLL's exports are in its export table: the COFF symbol table --strip-unneeded leaves is not needed.
  run(strip, [target.windows ? '--strip-all' : '--strip-unneeded', binary]);
  checkExports(binary, target);
  if (target.windows) checkWindowsImports(binary, target);

  const out = path.join(root, 'prebuilds', name);
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(binary, path.join(out, 'openrms.node'));
  // What the smoke test compares nativeInfo.openssl with (it is not shipped: prebuilds/ holds the binary only).
  fs.writeFileSync(path.join(buildDir, 'openssl-headers.json'), `${JSON.stringify(headers)}\n`);
  console.log(`== ${name}: prebuilds/${name}/openrms.node (OpenSSL ${headers.version}, ${fs.statSync(binary).size} bytes)`);
}

let names;
try {
  names = selectTargets(process.argv.slice(2));
} catch (error) {
  console.error(`openrms: ${error.message}`);
  process.exit(2);
}
for (const name of names) build(name);
