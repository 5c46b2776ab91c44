#!/usr/bin/env node
// `npm run test:native`: configures, builds and runs the C++ unit tests of the crypto core
// through CMake and ctest (DESIGN 3). OPENRMS_SANITIZE=1 runs them under ASan + UBSan, in a
// build folder of its own so the two builds never reconfigure each other.
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const sanitize = process.env.OPENRMS_SANITIZE === '1';
// Outside build/, which `node-gyp rebuild` (and so prebuildify) deletes wholesale.
const buildDir = sanitize ? 'build-native-tests-asan' : 'build-native-tests';

const configure = ['-S', '.', '-B', buildDir, '-DOPENRMS_TESTS=ON', '-DOPENRMS_ADDON=OFF'];
if (sanitize) configure.push('-DOPENRMS_SANITIZE=ON');

const steps = [
  { name: 'configure', command: 'cmake', args: configure, cwd: root },
  { name: 'build', command: 'cmake', args: ['--build', buildDir, '--parallel', '2'], cwd: root },
  { name: 'test', command: 'ctest', args: ['--output-on-failure'], cwd: path.join(root, buildDir) },
];

for (const step of steps) {
  process.stdout.write(`\n> [${step.name}] ${step.command} ${step.args.join(' ')}\n`);
  const result = spawnSync(step.command, step.args, { cwd: step.cwd, stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`test-native: ${step.name} step could not start ${step.command}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    process.stderr.write(`test-native: ${step.name} step failed (${step.command} ${how})\n`);
    process.exit(result.status || 1);
  }
}
process.stdout.write(`\ntest-native: all native tests passed${sanitize ? ' under ASan + UBSan' : ''}\n`);
