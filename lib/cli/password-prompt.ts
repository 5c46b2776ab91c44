/**
 * Where a command gets a password: typed at a terminal without echo, or the first line of stdin
 * with `--password-stdin` (for scripts). Neither (stdin is not a terminal and no
 * --password-stdin) is a usage error rather than a read of whatever stdin holds.
 */
import { StringDecoder } from 'node:string_decoder';

import { RmsError } from '../errors';
import { CommandIo, errorStream, readPasswordFromStdin, usageError } from './command-line';

type TerminalInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export function isTerminal(stdin: NodeJS.ReadableStream): boolean {
  const input = stdin as TerminalInput;
  return input.isTTY === true && typeof input.setRawMode === 'function';
}

/**
 * Reads one line from the terminal with echo off (raw mode: the terminal shows nothing typed).
 * Backspace and Ctrl-U edit; Ctrl-C and Ctrl-D on an empty line abort, since raw mode delivers
 * them as characters instead of signals.
 */
export function promptHidden(prompt: string, io: CommandIo): Promise<string> {
  const input = io.stdin as TerminalInput;
  const err = errorStream(io);
  const decoder = new StringDecoder('utf8');
  // Echo goes off before the prompt shows: a password typed (or pasted) as soon as it shows is never echoed.
  input.setRawMode!(true);
  err.write(prompt);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      err.write('\n');
    };
    const onData = (chunk: Buffer | string): void => {
      for (const c of typeof chunk === 'string' ? chunk : decoder.write(chunk)) {
        if (c === '\r' || c === '\n') {
          finish();
          resolve(typed);
          return;
        }
        if (c === '\u0003' || (c === '\u0004' && typed === '')) {
          finish();
          reject(new RmsError('ABORTED', 'no password given (interrupted)'));
          return;
        }
        if (c === '\u007f' || c === '\b') typed = [...typed].slice(0, -1).join('');
        else if (c === '\u0015') typed = '';
        else if (c >= ' ') typed += c;
      }
    };
    input.on('data', onData);
  });
}

export interface PasswordSource {
  /** The command, for the message when there is no way to get a password. */
  command: string;
  /** `--password-stdin` was given. */
  fromStdin: boolean;
  /** A new password: typed twice at a terminal, and both must match. */
  confirm?: boolean;
}

/** The password, from stdin (--password-stdin) or typed at the terminal. */
export async function readPassword(io: CommandIo, source: PasswordSource): Promise<string> {
  if (source.fromStdin) return readPasswordFromStdin(io.stdin);
  if (!isTerminal(io.stdin)) {
    throw usageError('--password-stdin', `given when stdin is not a terminal: ${source.command} reads the password typed at a terminal, or the first line of stdin with --password-stdin`);
  }
  const password = await promptHidden(source.confirm ? 'New password: ' : 'Password: ', io);
  if (password === '') throw new RmsError('INVALID_ARGUMENT', 'no password typed', { argument: 'password' });
  if (source.confirm && (await promptHidden('Type it again: ', io)) !== password) {
    throw new RmsError('INVALID_ARGUMENT', 'the two passwords typed differ', { argument: 'password' });
  }
  return password;
}
