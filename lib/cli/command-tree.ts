/**
 * The commander pieces every command shares: the options of a command that opens a client,
 * `--json`, examples at the end of its help, and the settings applied to the whole tree (strict
 * arguments, errors raised instead of printed, output to the command's streams).
 */
import { Command, CommanderError } from 'commander';

import { stopWhenReaderCloses } from './closed-output';
import { CommandIo, errorStream, UsageError } from './command-line';

/** `--json` and the options of a command that opens a client (`--store`, `--server-mode --account`). */
export function addClientOptions(command: Command): Command {
  return command
    .option('--store <dir>', 'the client store (default: OPENRMS_HOME, else your data folder)')
    .option('--server-mode', "a service account's store (MSIPC server mode: never prompts); needs --account")
    .option('--account <name>', 'the service account, with --server-mode')
    .option('--json', 'print JSON (errors too: {"error": {"code", "message", ...}})');
}

/** Adds "Examples:" to the end of the command's help. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`);
}

/** Help or the version was printed: the command is done, exit 0. */
export class HelpShown extends Error {
  constructor() {
    super('help shown');
    this.name = 'HelpShown';
  }
}

/** `openrms templates create`, as its help names it. */
function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * `GROUP NAME --help` (or `help GROUP NAME`) where NAME is no subcommand of GROUP: commander
 * shows GROUP's help and exits 0, as if the command existed; it is an unknown command (exit 2).
 */
function refuseHelpForUnknownCommand(group: Command): void {
  group.on('beforeHelp', () => {
    const [first, second] = group.args;
    const name = first === 'help' ? second : first;
    if (name === undefined || name.startsWith('-') || group.commands.some((c) => c.name() === name || c.aliases().includes(name))) return;
    group.error(`error: unknown command '${name}'`, { code: 'commander.unknownCommand' });
  });
}

/**
 * Applies to `command` and everything under it: no arguments beyond those declared, output to the
 * command's streams (a reader closing them ends the command: closed-output.ts), help only for
 * commands that exist, and each commander error raised as a UsageError naming the command and
 * where its help is (commander prints nothing itself; main decides text or JSON).
 */
export function configureTree(command: Command, io: CommandIo): void {
  if (command.parent === null) {
    stopWhenReaderCloses(io.out);
    stopWhenReaderCloses(errorStream(io));
  }
  if (command.commands.length > 0) refuseHelpForUnknownCommand(command);
  command
    .allowExcessArguments(false)
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => errorStream(io).write(s), outputError: () => undefined })
    .exitOverride((error: CommanderError) => {
      if (error.exitCode === 0) throw new HelpShown();
      const path = pathOf(command);
      // A group given no subcommand: commander has printed its help on stderr.
      const what = error.code === 'commander.help' ? 'a subcommand is needed' : error.message.replace(/^error: /, '').replace(/\n/g, ' ');
      const where = command.parent === null ? '' : `${path.slice(path.indexOf(' ') + 1)}: `;
      throw new UsageError(`${where}${what} (see: ${path} --help)`, { cause: error });
    });
  for (const sub of command.commands) configureTree(sub, io);
}
