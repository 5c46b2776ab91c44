#!/usr/bin/env node
// Prints the path of the static OpenSSL 3 libcrypto that binding.gyp links into the addon
// (DESIGN 2). OPENSSL_STATIC_LIBCRYPTO overrides the search; otherwise pkg-config's libdir,
// then the usual Debian / Fedora / Homebrew locations.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

function candidates() {
  const found = [];
  if (process.env.OPENSSL_STATIC_LIBCRYPTO) found.push(process.env.OPENSSL_STATIC_LIBCRYPTO);
  try {
    const libdir = execFileSync('pkg-config', ['--variable=libdir', 'libcrypto'], { encoding: 'utf8' }).trim();
    if (libdir) found.push(path.join(libdir, 'libcrypto.a'));
  } catch {
    // pkg-config missing or libcrypto.pc absent: fall through to the fixed list.
  }
  const triplet = `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  found.push(`/usr/lib/${triplet}/libcrypto.a`, '/usr/lib64/libcrypto.a', '/usr/lib/libcrypto.a',
    '/usr/local/lib/libcrypto.a', '/opt/homebrew/opt/openssl@3/lib/libcrypto.a', '/usr/local/opt/openssl@3/lib/libcrypto.a');
  return found;
}

const lib = candidates().find((p) => fs.existsSync(p));
if (!lib) {
  process.stderr.write('openrms: no static libcrypto.a found; install OpenSSL 3 development files ' +
    '(Debian: apt-get install libssl-dev) or set OPENSSL_STATIC_LIBCRYPTO\n');
  process.exit(1);
}
process.stdout.write(lib);
