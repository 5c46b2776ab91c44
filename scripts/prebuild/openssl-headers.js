// Which OpenSSL a build really compiled against. node-gyp puts Node's own include folder, with
// Node's OpenSSL headers, before any other, so an addon can be compiled against the headers of
// one OpenSSL and link the libcrypto.a of another (binding.gyp removes that folder). The only
// sure answer is the compiler's: this preprocesses opensslv.h with the exact flags the build
// used for a source of the crypto core, read from compile_commands.json (CMake) or from the
// node-gyp makefile of the target.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PROBE = '#include <openssl/opensslv.h>\nopenrms_text OPENSSL_VERSION_TEXT\nopenrms_version OPENSSL_VERSION_STR\n';

/** `{ text, version }` of the opensslv.h that `compiler args...` (a compile command) sees. */
function preprocessVersion(compiler, args, cwd) {
  const output = execFileSync(compiler, [...args, '-E', '-P', '-x', 'c++', '-'], { cwd, input: PROBE, encoding: 'utf8' });
  const text = /^openrms_text "([^"]+)"/m.exec(output);
  const version = /^openrms_version "([^"]+)"/m.exec(output);
  if (!text || !version) throw new Error(`no OpenSSL version in what ${compiler} preprocessed`);
  return { text: text[1], version: version[1] };
}

/** The words of a command, with each `@file` (CMake's response files for mingw) read from `cwd`. */
function expandResponseFiles(words, cwd) {
  return words.flatMap((word) => (word.startsWith('@')
    ? fs.readFileSync(path.resolve(cwd, word.slice(1)), 'utf8').split(/\s+/).filter(Boolean).map((w) => w.replace(/^"(.*)"$/, '$1'))
    : [word]));
}

/** The flags of a compile command that decide what a header resolves to. */
function includeFlags(words) {
  const kept = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i];
    if (['-I', '-isystem', '-iquote', '-include', '-D', '-U', '--sysroot'].includes(word)) kept.push(word, words[++i]);
    else if (/^(-I|-isystem|-D|-U|--sysroot=|-m)/.test(word)) kept.push(word);
  }
  return kept;
}

/** The headers' version for a CMake build, from its compile_commands.json. */
function headerVersion(compileCommands) {
  const entries = JSON.parse(fs.readFileSync(compileCommands, 'utf8'));
  const entry = entries.find((candidate) => /native\/src\/core\/[^/]+\.cc$/.test(candidate.file));
  if (!entry) throw new Error(`${compileCommands} lists no source of native/src/core`);
  const words = entry.arguments ?? entry.command.split(/\s+/).filter(Boolean);
  return preprocessVersion(words[0], includeFlags(expandResponseFiles(words.slice(1), entry.directory)), entry.directory);
}

/** Whether the static library carries `text` (its own OPENSSL_VERSION_TEXT, as OpenSSL_version() returns it). */
function libraryHasVersion(library, text) {
  return fs.readFileSync(library).includes(Buffer.from(`${text}\0`));
}

module.exports = { headerVersion, includeFlags, libraryHasVersion, preprocessVersion };
