#!/usr/bin/env node
// Lists the addon's C++ sources for binding.gyp, so it and CMakeLists.txt (which globs the
// same folders) can never disagree on what the addon is made of.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dirs = ['native/src/core', 'native/src/binding'];
const files = dirs.flatMap((dir) =>
  fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.cc')).sort().map((f) => `${dir}/${f}`));
process.stdout.write(files.join(' '));
