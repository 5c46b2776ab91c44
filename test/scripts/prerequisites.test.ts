/**
 * `npm test` and `npm run test:native` on a machine that lacks part of the system software
 * they need: they must name what is missing and its install command, and exit non-zero,
 * instead of leaving a build system's stack trace to explain it. Each case runs the real
 * script; tools are removed by running it with a PATH that lacks them, libraries by a CMake
 * toolchain file (given by the CMAKE_TOOLCHAIN_FILE environment variable, CMake 3.21+) that
 * makes the real CMakeLists.txt look for them in an empty folder.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ROOT } from '../support/built-package';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'openrms-prerequisites-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function runScript(script: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts', script)], {
    cwd: ROOT, encoding: 'utf8', env: { HOME: process.env.HOME, ...env }, timeout: 120000,
  });
}

/** A folder holding links to `commands` as found on this machine's PATH, and nothing else. */
function pathWith(commands: string[]): string {
  const dir = path.join(scratch, 'bin');
  mkdirSync(dir);
  for (const command of commands) {
    const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, path.join(dir, command));
  }
  return dir;
}

/**
 * A toolchain file that re-roots every find_package, find_path and find_library of the
 * configure into an empty folder, so CMake finds no library unless `found` names its
 * result variables (find_* keeps a variable that is already set).
 */
function toolchainHidingLibraries(found: Record<string, string> = {}): string {
  const root = path.join(scratch, 'empty-root');
  mkdirSync(root);
  const file = path.join(scratch, 'hide-libraries.cmake');
  writeFileSync(file, [
    `set(CMAKE_FIND_ROOT_PATH "${root}")`,
    ...['INCLUDE', 'LIBRARY', 'PACKAGE'].map((kind) => `set(CMAKE_FIND_ROOT_PATH_MODE_${kind} ONLY)`),
    ...Object.entries(found).map(([name, value]) => `set(${name} "${value}")`),
    '',
  ].join('\n'));
  return file;
}

/** Where CMake itself finds OpenSSL on this machine (a configure without the tests). */
function opensslAsCMakeFindsIt(): Record<string, string> {
  const build = path.join(scratch, 'find-openssl');
  const configured = spawnSync('cmake', ['-S', ROOT, '-B', build, '-DOPENRMS_TESTS=OFF', '-DOPENRMS_ADDON=OFF'], { encoding: 'utf8' });
  expect(configured.status).toBe(0);
  const cache = readFileSync(path.join(build, 'CMakeCache.txt'), 'utf8');
  const value = (name: string): string => cache.match(new RegExp(`^${name}:[A-Z]+=(.*)$`, 'm'))![1]!;
  return { OPENSSL_INCLUDE_DIR: value('OPENSSL_INCLUDE_DIR'), OPENSSL_CRYPTO_LIBRARY: value('OPENSSL_CRYPTO_LIBRARY') };
}

describe('a missing system prerequisite of the native suite', () => {
  it('test:native names cmake and `apt-get install -y cmake` when cmake is not on PATH, before configuring', () => {
    const result = runScript('test-native.js', { PATH: pathWith(['c++', 'g++', 'make']) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CMake 3.20 or later');
    expect(result.stderr).toContain('sudo apt-get install -y cmake\n');
    expect(result.stderr).toContain('macOS: brew install cmake');
    expect(result.stdout).not.toContain('[configure]');
  });

  it('npm test names every missing tool in one install command and builds nothing', () => {
    const result = runScript('test.js', { PATH: pathWith([]) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('sudo apt-get install -y g++ make python3 cmake openssl\n');
    expect(result.stdout).not.toContain('== build the addon');
  });

  it('test:native names libssl-dev, not CMake\'s call stack, when CMake cannot find OpenSSL', () => {
    const build = path.join(scratch, 'build');
    const result = runScript('test-native.js', {
      PATH: process.env.PATH, CMAKE_TOOLCHAIN_FILE: toolchainHidingLibraries(), OPENRMS_NATIVE_BUILD_DIR: build,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the OpenSSL 3 development files');
    expect(result.stderr).toContain('sudo apt-get install -y libssl-dev\n');
    expect(`${result.stdout}${result.stderr}`).not.toContain('Call Stack');
    // CMake's own account is kept for whoever wants it.
    expect(readFileSync(path.join(build, 'configure-output.log'), 'utf8')).toContain('Could NOT find OpenSSL');
  });

  it('test:native names libgtest-dev when CMake finds OpenSSL but not GoogleTest', () => {
    const result = runScript('test-native.js', {
      PATH: process.env.PATH,
      CMAKE_TOOLCHAIN_FILE: toolchainHidingLibraries(opensslAsCMakeFindsIt()),
      OPENRMS_NATIVE_BUILD_DIR: path.join(scratch, 'build'),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GoogleTest');
    expect(result.stderr).toContain('sudo apt-get install -y libgtest-dev\n');
    expect(result.stderr).not.toContain('libssl-dev');
    expect(`${result.stdout}${result.stderr}`).not.toContain('Call Stack');
  });
});
