/**
 * The OpenSSL headers an addon was compiled against are those of the libcrypto it links.
 * node-gyp puts Node's own include folder, which carries Node's OpenSSL headers, first on the
 * include path; binding.gyp removes it. Checked by preprocessing opensslv.h with the exact
 * include flags of the build (scripts/prebuild/openssl-headers.js), against the library
 * (find-libcrypto.js) and what the loaded addon reports. The prebuilds make the same check as
 * they are built, and their smoke test compares nativeInfo.openssl on each platform.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../support/built-package';

interface HeaderVersion {
  text: string;
  version: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { libraryHasVersion, preprocessVersion } = require('../../scripts/prebuild/openssl-headers') as {
  preprocessVersion(compiler: string, args: string[], cwd: string): HeaderVersion;
  libraryHasVersion(library: string, text: string): boolean;
};

/** The words of a `NAME := \` block of a node-gyp makefile, as make would pass them. */
function makeVariable(makefile: string, name: string): string[] {
  const block = new RegExp(`^${name} := \\\\\\n((?:\\t.*\\n)+)`, 'm').exec(makefile);
  if (block === null) throw new Error(`${name} is not in the makefile`);
  return block[1]!.split('\n').map((line) => line.trim().replace(/ \\$/, '').replace(/^'(.*)'$/, '$1'))
    .filter(Boolean).map((word) => word.replace('$(srcdir)', ROOT));
}

describe('the addon built by binding.gyp (build/Release)', () => {
  const makefile = path.join(ROOT, 'build', 'openrms.target.mk');

  test('was compiled against the headers of the libcrypto.a it links, whose version it reports as nativeInfo.openssl', () => {
    if (!existsSync(makefile)) throw new Error('build/openrms.target.mk is missing: run npm run build:native (npm test does)');
    const rules = readFileSync(makefile, 'utf8');
    const flags = [...makeVariable(rules, 'DEFS_Release'), ...makeVariable(rules, 'INCS_Release')];
    const headers = preprocessVersion(process.env.CXX ?? 'c++', flags, path.join(ROOT, 'build'));
    const library = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'find-libcrypto.js')], { encoding: 'utf8' });
    expect(libraryHasVersion(library, headers.text)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { native } = require('../../lib/native') as typeof import('../../lib/native');
    expect(native.opensslVersion).toBe(headers.version);
  });
});
