// The five platforms openrms ships a prebuilt addon for, and where each one's compiler and
// OpenSSL come from (docs/building.md, "Prebuilds"). Linux targets use Debian's multiarch
// libssl-dev of that architecture: its headers and its libcrypto.a come from one package
// version, which Debian requires to be the same for every architecture installed. Windows
// targets use a libcrypto built by mingw-openssl.sh, whose prefix holds both.
'use strict';

const TARGETS = Object.freeze({
  'linux-x64': { triplet: 'x86_64-linux-gnu', libdir: '/usr/lib/x86_64-linux-gnu' },
  'linux-ia32': { triplet: 'i686-linux-gnu', libdir: '/usr/lib/i386-linux-gnu', toolchain: 'toolchain-linux-ia32.cmake' },
  'linux-arm64': { triplet: 'aarch64-linux-gnu', libdir: '/usr/lib/aarch64-linux-gnu', toolchain: 'toolchain-linux-arm64.cmake' },
  'win32-x64': { triplet: 'x86_64-w64-mingw32', toolchain: 'toolchain-win32-x64.cmake', windows: true },
  'win32-ia32': { triplet: 'i686-w64-mingw32', toolchain: 'toolchain-win32-ia32.cmake', windows: true },
});

/** The targets named on the command line (all when none is), refusing an unknown name. */
function selectTargets(names) {
  const unknown = names.filter((name) => !(name in TARGETS));
  if (unknown.length > 0) {
    throw new Error(`unknown target ${unknown.join(', ')}: expected ${Object.keys(TARGETS).join(', ')}`);
  }
  return names.length > 0 ? names : Object.keys(TARGETS);
}

module.exports = { TARGETS, selectTargets };
