#!/usr/bin/env node
/**
 * The `openrms` command. Every command reports failures as `error: CODE: message` on stderr
 * and exits non-zero; `--json` switches a command's output to one JSON object.
 */
import { RmsError } from '../errors';
import { VERSION } from '../version';
import { CommandIo, failureReport } from './command-line';
import { runConfig } from './config';
import { runDemo } from './demo';
import { runDiscover } from './discover';
import { runInspect } from './inspect';
import { runLogin, runSignUp } from './login';
import { runProtect, runUnprotect } from './protect';
import { runRevoke, runRights } from './rights';
import { runScp } from './scp';
import { runServe } from './serve';
import { runTemplates } from './templates';
import { runPrincipals, runUsers } from './users';

const HELP = `openrms ${VERSION}: rights management for Node.js and Electron (MSIPC lineage)

Usage: openrms <command> [options]       (every command also takes --json)

The licensing service:
  serve [--data DIR] [--listen HOST:PORT] [--tls-cert F --tls-key F] [--public-url URL] [--limit NAME=VALUE]...
                    run the service (default ./openrms-data, 127.0.0.1:8080; HTTP only on loopback)
  users add EMAIL [--password-stdin] [--admin] [--super-user] [--organization|--individual] [--data DIR]
                    add or update a user of the service (run beside it); says what changed
  users disable|enable|remove EMAIL [--data DIR]
                    stop (or restore) an identity's sign-in and its new content's licenses
  principals add IDENTITY [--data DIR]
                    a client ID and secret for a server application

A user (the store is --store DIR or OPENRMS_HOME; a service account's with
--server-mode --account NAME: OPENRMS_SERVER_HOME/NAME or the machine's server folder):
  login EMAIL [--service URL] --password-stdin [--ca FILE]
                    sign in (without --service: the service discovery finds);
                    gets the rights account and publishing certificates; --ca FILE
                    (the service's private CA) is remembered for later commands
  signup EMAIL --service URL [--code CODE --password-stdin]
                    self-service sign-up for individuals (the code arrives by mail)
  protect PATH... (--template ID|NAME | --grant EMAIL:RIGHT[,RIGHT]...)
          [--expires ISO-DATE|Nd] [--offline-days N] [--online] [--out DIR]
  unprotect PATH... [--out DIR]   write a plaintext copy (needs EXPORT or OWNER)
  rights PATH [--offline]         what you may do with a protected file
  revoke PATH|CONTENT-ID          stop the service issuing licenses for content
  templates [list] [--issuer URL] [--locale L] [--offline]
                    the templates you may protect with (docs/templates.md);
                    list --all: an administrator's view of every template, archived ones too
  templates refresh [--force] | templates export ID|NAME > Name.xml
                    download them now when due (--force: at once); a file for UnmanagedTemplates
  templates create --name N [--description D] [--name-LOCALE N] [--description-LOCALE D]
          --grant EMAIL:RIGHT[,RIGHT]... [--offline-days N] [--expires-after Nd] [--audience WHO]...
                    an administrator adds a template and gets its ID (templates add NAME ...: the same)
  templates update ID [the create options] | templates archive ID
                    an administrator changes (the options given) or retires a template

Finding the service (docs/discovery.md):
  discover [--email E] [--explain] [--fresh] [--ca FILE]
                    the service to publish to: registry, directory SCP, DNS SRV, cloud;
                    --explain prints every step, the server asked and what it answered
  scp register URL | scp remove [--ca FILE]
                    set or remove the AD RMS service connection point in the configured directory

Settings (the MSIPC registry as .reg files; docs/settings.md):
  config [list | get NAME | set NAME [VALUE] | unset NAME | import FILE.reg | export FILE.reg]
         [--machine|--user] [--server-mode --account NAME]

Without a service:
  demo              start a service in a temporary folder, protect a document for a
                    recipient and open it, and report what was done
  inspect FILE      whether FILE is protected, its container and license (no key needed)
  --version, --help
`;

type Command = (args: readonly string[], io: CommandIo) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  serve: (args, io) => runServe(args, io),
  users: runUsers,
  principals: runPrincipals,
  login: runLogin,
  signup: runSignUp,
  protect: runProtect,
  unprotect: runUnprotect,
  rights: runRights,
  revoke: runRevoke,
  templates: runTemplates,
  config: runConfig,
  discover: runDiscover,
  scp: runScp,
  inspect: (args, io) => runInspect(args, io.out),
  demo: async (args, io) => {
    const unknown = args.filter((a) => a !== '--json');
    if (unknown.length > 0) throw new RmsError('INVALID_ARGUMENT', `unknown option ${unknown[0]} for demo`);
    await runDemo({ json: args.includes('--json'), out: io.out });
  },
};

export async function main(argv: readonly string[], io: CommandIo = { out: process.stdout, stdin: process.stdin, env: process.env }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out.write(`${VERSION}\n`);
    return 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) throw new RmsError('INVALID_ARGUMENT', `unknown command "${command}"; run openrms --help`);
  await run(rest, io);
  return 0;
}

function report(error: unknown): number {
  process.stderr.write(failureReport(error, process.env));
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => { process.exitCode = report(error); },
  );
}
