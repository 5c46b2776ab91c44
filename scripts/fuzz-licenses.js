#!/usr/bin/env node
// Long runs of the license fuzzer (test/support/license-fuzzer.js; docs/licenses.md, "Fuzzing")
// over dist/ (run `npm run build:ts` first): validly signed PLs with spliced sealed parts or
// mutated claims, ULs and certificates mutated and signed again by the service.
//
//   node scripts/fuzz-licenses.js --seconds 600 [--seed N]   cases 0, 1, 2, ... of seed N until the time is up
//   node scripts/fuzz-licenses.js --seed N --case I [--kind K] replays one case (K as the jest test forces it)
//
// Prints the cases run, per kind, and the outcomes seen (an RmsError code, or opened/accepted).
// A case that breaks the property is printed with its seed and number, and the exit code is 1.
'use strict';
const path = require('node:path');

const root = path.join(__dirname, '..');
const { createLicenseFuzzer, FuzzViolation, KINDS } = require(path.join(root, 'test', 'support', 'license-fuzzer.js'));
const vectors = require(path.join(root, 'test', 'license', 'vectors', 'licenses.json'));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`--${name} needs a whole number, got ${process.argv[at + 1]}\n`);
    process.exit(2);
  }
  return value;
}

const kindAt = process.argv.indexOf('--kind');
const kind = kindAt === -1 ? undefined : process.argv[kindAt + 1];
if (kind !== undefined && !KINDS.includes(kind)) {
  process.stderr.write(`--kind needs one of ${KINDS.join(', ')}, got ${kind}\n`);
  process.exit(2);
}

let lib;
try {
  // The package's entry leaves out the license codecs the service uses; the fuzzer plays the service too.
  lib = {
    ...require(path.join(root, 'dist')), ...require(path.join(root, 'dist', 'license')),
    ...require(path.join(root, 'dist', 'license', 'publishing-license.js')),
  };
} catch (error) {
  process.stderr.write(`cannot load dist/ (run \`npm run build:ts\` first): ${error.message}\n`);
  process.exit(2);
}

const seed = option('seed', Date.now() % 2 ** 31);
const replay = option('case', -1);
const seconds = option('seconds', 60);
const fuzzer = createLicenseFuzzer(lib, vectors, seed);

function report() {
  const { cases, kinds, outcomes, reachedBinding } = fuzzer.stats;
  process.stdout.write(`seed ${seed}: ${cases} cases, ${reachedBinding} PLs reached the binding\n`);
  for (const [kind, n] of Object.entries(kinds).sort()) process.stdout.write(`  ${kind}: ${n}\n`);
  process.stdout.write('outcomes:\n');
  for (const [key, n] of Object.entries(outcomes).sort()) process.stdout.write(`  ${key}: ${n}\n`);
}

let index = replay >= 0 ? replay : 0;
const deadline = Date.now() + seconds * 1000;
let nextProgress = Date.now() + 60_000;
try {
  do {
    fuzzer.run(index++, kind);
    if (Date.now() >= nextProgress) {
      process.stdout.write(`${fuzzer.stats.cases} cases so far\n`);
      nextProgress += 60_000;
    }
  } while (replay < 0 && Date.now() < deadline);
} catch (error) {
  if (!(error instanceof FuzzViolation)) throw error;
  process.stdout.write(`VIOLATION ${error.message}\nreplay: node scripts/fuzz-licenses.js --seed ${seed} --case ${index - 1} --kind ${error.details.kind}\n`);
  report();
  process.exit(1);
}
report();
