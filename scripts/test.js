#!/usr/bin/env node
// `npm test`: builds what the tests need (the addon with node-gyp, the TypeScript into dist/),
// then runs the jest suite and the native ctest suite. Both always run; the command fails
// if either fails.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { explainMissing, missingTools } = require('./prerequisites');

const root = path.join(__dirname, '..');

function step(name, command, args) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = result.status === 0;
  if (!ok) process.stderr.write(`== ${name} FAILED (exit ${result.status ?? result.signal})\n`);
  return ok;
}

// Every tool the builds and tests run is looked for before anything is built: a missing one is
// named with its install command, not discovered minutes later inside a build system's stack trace.
// The libraries (OpenSSL, GoogleTest) are judged when CMake configures (scripts/test-native.js).
const missing = missingTools(['compiler', 'make', 'python3', 'cmake', 'opensslCommand']);
if (missing.length > 0) {
  process.stderr.write(explainMissing(missing, 'npm test'));
  process.exit(1);
}

const node = process.execPath;
// A package's command-line script, from its package.json "bin" (not a deep require, which a
// package's "exports" may forbid).
function bin(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const { bin: bins } = require(manifest);
  return path.join(path.dirname(manifest), typeof bins === 'string' ? bins : bins[name]);
}

const built = step('build the addon (node-gyp)', node, [path.join(__dirname, 'build-native.js')]) &&
  step('compile TypeScript', node, [bin('typescript', 'tsc'), '-p', 'tsconfig.build.json']) &&
  step('write the ESM entry', node, [path.join(__dirname, 'write-esm-entry.js')]);
if (!built) process.exit(1);

const jest = step('jest suite', node, [bin('jest', 'jest'), ...process.argv.slice(2)]);
const native = step('native ctest suite', node, [path.join(__dirname, 'test-native.js')]);
process.stdout.write(`\njest: ${jest ? 'passed' : 'FAILED'}; native: ${native ? 'passed' : 'FAILED'}\n`);
process.exit(jest && native ? 0 : 1);
