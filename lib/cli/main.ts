#!/usr/bin/env node
/**
 * The `openrms` command (docs/cli.md), parsed by commander. Exit codes: 0 done, 1 failed (one
 * line `error: CODE: message` on stderr; with --json, `{"error": {...}}` on stdout), 2 the
 * command line is wrong (a UsageError: unknown command or option, missing or extra argument, a
 * bad option value). `main` runs a command and throws its failure; the entry point at the end
 * prints it and sets the exit code.
 */
import { Command } from 'commander';

import { VERSION } from '../version';
import { configureTree, HelpShown } from './command-tree';
import { CommandIo, debugStack, errorJson, failureReport, jsonLine, ReportedFailure, UsageError } from './command-line';
import { auditCommand } from './audit';
import { backupCommands } from './backup';
import { configCommand } from './config';
import { demoCommand } from './demo';
import { discoverCommand } from './discover';
import { groupsCommand } from './groups';
import { inspectCommand } from './inspect';
import { keysCommand } from './keys';
import { loginCommands } from './login';
import { protectCommands } from './protect';
import { rightsCommands } from './rights';
import { scpCommand } from './scp';
import { serveCommand } from './serve';
import { shareCommand } from './share';
import { LocalizedTexts, localizedSubcommand, takeLocalized, templatesCommand } from './templates';
import { usersCommands } from './users';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const NOTES = `
Every command takes --help (with examples) and --json: its output as JSON (lines of JSON for a
command over several files), errors included: {"error": {"code", "message", ...}} on stdout.
A user's store is --store DIR or OPENRMS_HOME; a service account's: --server-mode --account NAME.

Exit codes: 0 done; 1 failed (error: CODE: message on stderr); 2 the command line is wrong.
OPENRMS_DEBUG=1 adds the stack of an internal error. Every command, option and output: docs/cli.md.`;

/** The whole command tree, its actions writing to `io`. */
export function buildProgram(io: CommandIo, localized: LocalizedTexts): Command {
  const program = new Command('openrms')
    .usage('<command> [options]')
    .description(`openrms ${VERSION}: rights management for Node.js and Electron (MSIPC lineage)`)
    .version(VERSION, '-v, --version', 'print the version')
    .helpCommand('help [command...]', 'help for a command, e.g. help templates create')
    .addHelpText('after', NOTES);
  const commands = [
    serveCommand(io), ...usersCommands(io), groupsCommand(io), keysCommand(io), auditCommand(io), ...backupCommands(io),
    ...loginCommands(io), ...protectCommands(io), shareCommand(io), ...rightsCommands(io), templatesCommand(io, localized),
    discoverCommand(io), scpCommand(io), configCommand(io),
    demoCommand(io), inspectCommand(io),
  ];
  for (const command of commands) program.addCommand(command);
  program.command('version').summary('print the version').action(() => { io.out.write(`${VERSION}\n`); });
  configureTree(program, io);
  return program;
}

/**
 * The arguments commander is given: none is `--help` (the list of commands, exit 0, as gh does),
 * and `help A B` is `A B --help`, so a subcommand's help is one `help` away at any depth.
 */
function normalized(argv: readonly string[]): string[] {
  if (argv.length === 0) return ['--help'];
  if (argv[0] === 'help') return argv.length === 1 ? ['--help'] : [...argv.slice(1), '--help'];
  return [...argv];
}

/** Runs the command `argv` names; 0 when done, 1 when a command over several files reported failures. Other failures are thrown. */
export async function main(argv: readonly string[], io: CommandIo = { out: process.stdout, stdin: process.stdin, env: process.env }): Promise<number> {
  let args = normalized(argv);
  let localized: LocalizedTexts = { names: {}, descriptions: {} };
  if (localizedSubcommand(args)) {
    const taken = takeLocalized(args.slice(2));
    args = [...args.slice(0, 2), ...taken.rest];
    localized = taken;
  }
  try {
    await buildProgram(io, localized).parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof HelpShown) return 0;
    if (error instanceof ReportedFailure) return EXIT_FAILURE;
    throw error;
  }
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

/** Whether the command line asks for JSON: `--json` before any `--`. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Runs `argv` and prints its failure. With --json the error is a JSON object on stdout, where a
 * script already reads the command's output (and a command over several files puts each file's
 * failure); stderr then carries only the stack OPENRMS_DEBUG asks for.
 */
export async function run(argv: readonly string[], io: Required<CommandIo>): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    if (wantsJson(argv)) {
      io.out.write(jsonLine({ error: errorJson(error) }));
      io.err.write(debugStack(error, io.env));
    } else {
      io.err.write(failureReport(error, io.env));
    }
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  void run(process.argv.slice(2), { out: process.stdout, err: process.stderr, stdin: process.stdin, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
