import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { requireBuilt, ROOT, runNode } from '../support/built-package';

describe('the package entry points', () => {
  beforeAll(requireBuilt);

  it('loads with require() and with import, exposing the same API', () => {
    const cjs = runNode("const o = require('openrms'); console.log(Object.keys(o).sort().join(','))");
    const esm = runNode("import * as o from 'openrms'; console.log(Object.keys(o).filter((k) => k !== 'default').sort().join(','))", [], { module: true });
    expect(cjs.status).toBe(0);
    expect(esm.status).toBe(0);
    expect(esm.stdout).toBe(cjs.stdout);
    expect(cjs.stdout).toContain('aesGcm');
    expect(cjs.stdout).toContain('RmsError');
  });

  it('ships type declarations for both module systems', () => {
    for (const file of ['index.d.ts', 'index.d.mts', 'crypto/aes-gcm.d.ts', 'errors.d.ts']) {
      expect(existsSync(path.join(ROOT, 'dist', file))).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].require.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.'].import.types).toBe('./dist/index.d.mts');
  });

  it('packs dist, prebuilds, the native sources, both build files and the scripts binding.gyp runs, and nothing else', () => {
    const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const files: string[] = JSON.parse(result.stdout)[0].files.map((f: { path: string }) => f.path);
    const allowed = /^(dist\/|prebuilds\/|native\/src\/|binding\.gyp$|binding\.map$|scripts\/native-sources\.js$|scripts\/find-libcrypto\.js$|CMakeLists\.txt$|package\.json$|README\.md$|LICENSE$)/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    // binding.gyp runs these two scripts: without them an install with no prebuild cannot build.
    expect(files).toEqual(expect.arrayContaining(['binding.gyp', 'binding.map', 'scripts/native-sources.js', 'scripts/find-libcrypto.js', 'CMakeLists.txt', 'dist/index.js', 'native/src/core/aes_gcm.cc']));
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('native/test/'))).toBe(false);
  });
});
