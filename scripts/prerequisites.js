// The system software the native builds need (the addon through node-gyp, the C++ suite
// through CMake), and what to say when some is missing: which one, the one command that
// installs it on Debian/Ubuntu, and what to do elsewhere. Tools are looked up on PATH before
// anything runs; libraries are judged by CMake itself (the real configure step), whose words
// are then turned into that sentence, so the check can never disagree with the build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const PREREQUISITES = {
  compiler: {
    what: 'a C++17 compiler (g++ or clang++; CXX names another)',
    debian: 'g++',
    elsewhere: 'Fedora: sudo dnf install gcc-c++; macOS: xcode-select --install',
  },
  make: {
    what: 'make',
    debian: 'make',
    elsewhere: 'Fedora: sudo dnf install make; macOS: xcode-select --install',
  },
  python3: {
    what: 'Python 3 (node-gyp runs on it)',
    debian: 'python3',
    elsewhere: 'Fedora: sudo dnf install python3; macOS: brew install python',
  },
  cmake: {
    what: 'CMake 3.20 or later (builds and runs the C++ suite)',
    debian: 'cmake',
    elsewhere: 'Fedora: sudo dnf install cmake; macOS: brew install cmake; or https://cmake.org/download/',
  },
  opensslCommand: {
    what: 'the openssl command (a test makes its TLS certificate with it)',
    debian: 'openssl',
    elsewhere: 'Fedora: sudo dnf install openssl; macOS: brew install openssl@3',
  },
  openssl: {
    what: 'the OpenSSL 3 development files (headers and libcrypto)',
    debian: 'libssl-dev',
    elsewhere: 'Fedora: sudo dnf install openssl-devel; macOS: brew install openssl@3, then export OPENSSL_ROOT_DIR=$(brew --prefix openssl@3)',
  },
  gtest: {
    what: 'GoogleTest (the C++ suite is written with it)',
    debian: 'libgtest-dev',
    elsewhere: 'Fedora: sudo dnf install gtest-devel; macOS: brew install googletest',
  },
};

/** The full path of `command` on `env.PATH`, or null. */
function onPath(command, env) {
  if (command.includes(path.sep)) return isExecutable(command) ? command : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, command))) return path.join(dir, command);
  }
  return null;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// Each tool, as the build that uses it looks for it: CMake and make honour CXX, and otherwise
// CMake tries c++, g++ and clang++ in turn; node-gyp honours PYTHON, then python3.
const TOOL_PRESENT = {
  compiler: (env) => (env.CXX ? onPath(env.CXX.trim().split(/\s+/)[0], env) !== null : ['c++', 'g++', 'clang++'].some((c) => onPath(c, env))),
  make: (env) => onPath('make', env) !== null,
  python3: (env) => (env.PYTHON ? onPath(env.PYTHON, env) : onPath('python3', env)) !== null,
  cmake: (env) => onPath('cmake', env) !== null && onPath('ctest', env) !== null,
  opensslCommand: (env) => onPath('openssl', env) !== null,
};

/** The keys of the tools among `names` that `env` cannot run. */
function missingTools(names, env = process.env) {
  return names.filter((name) => !TOOL_PRESENT[name](env));
}

// CMake's own words (3.20 and later) when its compiler detection, its generator or a
// find_package(... REQUIRED) fails.
const CONFIGURE_FAILURES = [
  [/No CMAKE_CXX_COMPILER could be found|The CMAKE_CXX_COMPILER:[\s\S]*?was not found in the PATH/, 'compiler'],
  [/unable to find a build program corresponding to "Unix Makefiles"/, 'make'],
  [/Could NOT find OpenSSL/, 'openssl'],
  [/Could NOT find GTest|Could not find a package configuration file provided by "GTest"/, 'gtest'],
];

/** The keys of the prerequisites whose absence made a CMake configure print `output`. */
function missingFromConfigure(output) {
  return CONFIGURE_FAILURES.filter(([pattern]) => pattern.test(output)).map(([, name]) => name);
}

/** What to tell a person who lacks `names`: each one, then one install command for them all. */
function explainMissing(names, forWhat) {
  const lines = [`${forWhat} needs software this machine lacks:`];
  for (const name of names) lines.push(`  - ${PREREQUISITES[name].what}`);
  const packages = names.map((name) => PREREQUISITES[name].debian).join(' ');
  lines.push(`Install on Debian/Ubuntu with:`, `  sudo apt-get install -y ${packages}`, 'Elsewhere:');
  for (const name of names) lines.push(`  - ${PREREQUISITES[name].debian}: ${PREREQUISITES[name].elsewhere}`);
  lines.push('Prerequisites: README.md, "Try it on a fresh clone".');
  return `${lines.join('\n')}\n`;
}

module.exports = { missingTools, missingFromConfigure, explainMissing };
