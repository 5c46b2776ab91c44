#!/usr/bin/env node
// Builds the shipped addon with node-gyp (binding.gyp) into build/Release/openrms.node,
// incrementally when a build folder exists. node-gyp needs Node's build config (common.gypi)
// but must never download it: `--nodedir` points at the headers installed with this Node
// (npm passes npm_config_nodedir; otherwise <prefix>/include/node next to the executable).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  return null;
}

function nodeGyp(args) {
  const dir = nodeDir();
  const extra = dir ? [`--nodedir=${dir}`] : [];
  const bin = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  const result = spawnSync(process.execPath, [bin, ...args, ...extra], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`openrms: node-gyp ${args[0]} failed (needs g++, make, python3 and OpenSSL 3 development files)\n`);
    process.exit(result.status ?? 1);
  }
}

// binding.gyp lists the sources when it is configured: a source added or removed since then
// (a pull, a new file) needs a new configure, or the build links without it.
const sourcesFile = path.join(root, 'build', 'openrms-sources.txt');
const sources = spawnSync(process.execPath, [path.join(__dirname, 'native-sources.js')], { encoding: 'utf8' }).stdout;
const configuredWith = fs.existsSync(sourcesFile) ? fs.readFileSync(sourcesFile, 'utf8') : null;
const clean = process.argv.includes('--clean');
if (clean || !fs.existsSync(path.join(root, 'build', 'Makefile')) || configuredWith !== sources) {
  nodeGyp(['configure']);
  fs.writeFileSync(sourcesFile, sources);
}
nodeGyp(['build', '--jobs', String(Math.max(1, require('node:os').availableParallelism()))]);
