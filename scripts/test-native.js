#!/usr/bin/env node
// `npm run test:native`: configures, builds and runs the C++ unit tests of the crypto core
// through CMake and ctest (DESIGN 3). OPENRMS_SANITIZE=1 runs them under ASan + UBSan, in a
// build folder of its own so the two builds never reconfigure each other.
// OPENRMS_NATIVE_BUILD_DIR names another build folder (relative to the repository).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { explainMissing, missingFromConfigure, missingTools } = require('./prerequisites');

const root = path.join(__dirname, '..');
const sanitize = process.env.OPENRMS_SANITIZE === '1';
// Outside build/, which `node-gyp rebuild` (and so prebuildify) deletes wholesale.
const buildDir = process.env.OPENRMS_NATIVE_BUILD_DIR || (sanitize ? 'build-native-tests-asan' : 'build-native-tests');
const forWhat = 'The native C++ suite (npm run test:native)';

// make only matters to CMake's default generator; someone who chose another brings its tool.
const generator = process.env.CMAKE_GENERATOR;
const tools = ['compiler', 'cmake', ...(!generator || generator.includes('Makefiles') ? ['make'] : [])];
const missing = missingTools(tools);
if (missing.length > 0) {
  process.stderr.write(`test-native: ${explainMissing(missing, forWhat)}`);
  process.exit(1);
}

const configure = ['-S', '.', '-B', buildDir, '-DOPENRMS_TESTS=ON', '-DOPENRMS_ADDON=OFF'];
if (sanitize) configure.push('-DOPENRMS_SANITIZE=ON');

const steps = [
  { name: 'configure', command: 'cmake', args: configure, cwd: root, explainsFailure: explainConfigure },
  { name: 'build', command: 'cmake', args: ['--build', buildDir, '--parallel', '2'], cwd: root },
  { name: 'test', command: 'ctest', args: ['--output-on-failure'], cwd: path.resolve(root, buildDir) },
];

// A library CMake could not find gets a sentence, with CMake's output kept in a file rather
// than printed: its call stack would otherwise bury the one line that matters.
function explainConfigure(output) {
  const libraries = missingFromConfigure(output);
  if (libraries.length === 0) return false;
  const log = path.resolve(root, buildDir, 'configure-output.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, output);
  process.stderr.write(`test-native: ${explainMissing(libraries, forWhat)}(CMake's own output: ${log})\n`);
  return true;
}

for (const step of steps) {
  process.stdout.write(`\n> [${step.name}] ${step.command} ${step.args.join(' ')}\n`);
  const capture = step.explainsFailure !== undefined;
  const result = spawnSync(step.command, step.args, {
    cwd: step.cwd, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    process.stderr.write(`test-native: ${step.name} step could not start ${step.command}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0 && capture && step.explainsFailure(`${result.stdout}${result.stderr}`)) process.exit(1);
  if (capture) process.stdout.write(`${result.stdout}${result.stderr}`);
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    process.stderr.write(`test-native: ${step.name} step failed (${step.command} ${how})\n`);
    process.exit(result.status || 1);
  }
}
process.stdout.write(`\ntest-native: all native tests passed${sanitize ? ' under ASan + UBSan' : ''}\n`);
