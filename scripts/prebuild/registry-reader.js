// Run by a Windows Node (under wine, by test/prebuild/windows-registry.test.ts): loads the
// client settings the way an application does, from the real registry through the win32
// prebuild's reader, and writes what it read as JSON to the file named by its argument
// (under wine, Node cannot write to a Linux pipe).
'use strict';
process.env.PREBUILDS_ONLY = '1';
const fs = require('node:fs');
const path = require('node:path');

const { loadClientSettings } = require(path.join(__dirname, '..', '..', 'dist'));

let result;
try {
  const settings = loadClientSettings();
  const read = settings.report().filter((line) => line.source.kind === 'registry').map((line) => ({
    name: line.name, value: line.value, key: `${line.source.hive}\\${line.source.key}`, valueName: line.source.value,
  }));
  result = { ok: true, arch: process.arch, read };
} catch (error) {
  result = { ok: false, arch: process.arch, error: String(error && error.stack || error) };
}
fs.writeFileSync(process.argv[2], `${JSON.stringify(result, null, 1)}\n`);
