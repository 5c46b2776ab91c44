#!/usr/bin/env node
// The package's "prepack" script: `npm pack` and `npm publish` run it before reading the files.
// dist/ is compiled afresh (emptied first, so a module removed from lib/ does not ship from an
// old build), and the prebuilt addon of this machine's platform is built when prebuilds/ has
// none. The other platforms' prebuilds come from `npm run prebuild:all` (docs/building.md);
// packing ships whichever prebuilds/ holds.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

// Progress goes to stderr: `npm pack --json` prints its JSON on stdout, after this script's output.
const say = (line) => process.stderr.write(`${line}\n`);

function run(what, args) {
  say(`== prepack: ${what}`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`openrms prepack: ${what} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run('compile TypeScript into dist/', [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'tsconfig.build.json']);
run('write the ESM entry', [path.join(__dirname, 'write-esm-entry.js')]);

const host = `${process.platform}-${process.arch}`;
const hostPrebuild = path.join(root, 'prebuilds', host, 'openrms.node');
if (fs.existsSync(hostPrebuild)) {
  say(`== prepack: prebuilds/${host}/openrms.node is there`);
} else if (host in require('./prebuild/targets').TARGETS) {
  run(`build prebuilds/${host}`, [path.join(__dirname, 'prebuild', 'build.js'), host]);
} else {
  say(`== prepack: openrms has no prebuild for ${host}; the package builds from source there`);
}
const shipped = fs.existsSync(path.join(root, 'prebuilds')) ? fs.readdirSync(path.join(root, 'prebuilds')).sort() : [];
say(`== prepack: prebuilds packed: ${shipped.join(', ') || 'none'}`);
