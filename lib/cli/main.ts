#!/usr/bin/env node
/**
 * The `openrms` command. Every command reports failures as `error: CODE: message` on stderr
 * and exits non-zero; `--json` switches a command's output to one JSON object.
 */
import { RmsError } from '../errors';
import { VERSION } from '../version';
import { runDemo } from './demo';
import { runInspect } from './inspect';

const HELP = `openrms ${VERSION}: rights management for Node.js and Electron (MSIPC lineage)

Usage: openrms <command> [options]

Commands:
  demo [--json]     protect a sample document for a recipient and open it again, with
                    real keys and real cryptography, and report what was done
  inspect FILE [--json]
                    say whether FILE is protected, and show its container and what its
                    publishing license says (no key or service needed)
  --version         print the version
  --help            print this help

More commands (serve, login, protect, unprotect, rights, revoke) arrive with the licensing
service; see README.md.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'demo') {
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length > 0) throw new RmsError('INVALID_ARGUMENT', `unknown option ${unknown[0]} for demo`);
    await runDemo({ json: rest.includes('--json'), out: process.stdout });
    return 0;
  }
  if (command === 'inspect') {
    await runInspect(rest, process.stdout);
    return 0;
  }
  throw new RmsError('INVALID_ARGUMENT', `unknown command "${command}"; run openrms --help`);
}

function report(error: unknown): number {
  if (error instanceof RmsError) {
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`error: INTERNAL: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  }
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => { process.exitCode = report(error); },
  );
}
