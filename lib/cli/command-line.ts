/**
 * What every command shares: where it writes, how it reports failures (docs/cli.md, "Exit codes"
 * and "--json"), the options of a command that opens a client (`--store DIR`, `--server-mode
 * --account NAME`), and escaping text that came from a file or a service before a terminal sees it.
 */
import { Writable } from 'node:stream';

import { RmsError } from '../errors';
import { serverStoreRoot } from '../settings';
import { defaultStoreRoot } from '../store/store-root';

export interface CommandIo {
  out: Writable;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Where prompts, per-file failures and summaries go (default: process.stderr). */
  err?: Writable;
}

export function errorStream(io: CommandIo): Writable {
  return io.err ?? process.stderr;
}

/**
 * The command line itself is wrong: an unknown command or option, a missing or extra argument,
 * an option value that is not what the option takes. INVALID_ARGUMENT like any bad argument, and
 * the one failure that exits 2 instead of 1, so a script can tell a mistake in its own call from a
 * failure of the work.
 */
export class UsageError extends RmsError {
  constructor(message: string, options: { argument?: string; cause?: unknown } = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** A usage error naming `argument` and what was expected of it (as errors.ts's invalidArgument). */
export function usageError(argument: string, expected: string): UsageError {
  return new UsageError(`${argument} must be ${expected}`, { argument });
}

/**
 * A command that went on past failures (one path of several) and has reported each: nothing more
 * to print, the command exits 1.
 */
export class ReportedFailure extends Error {
  constructor(readonly failed: number) {
    super(`${failed} failed`);
    this.name = 'ReportedFailure';
  }
}

/** Options every command takes. */
export interface JsonFlag {
  json?: boolean;
}

/** The options of a command that opens a client. */
export interface ClientFlags extends JsonFlag {
  store?: string;
  serverMode?: boolean;
  account?: string;
}

export function storeRoot(flags: { store?: string }, io: CommandIo): string {
  return flags.store ?? defaultStoreRoot(io.env);
}

/**
 * The client a command opens: in client mode (the default) the user's store (`--store`,
 * OPENRMS_HOME, the user's data folder); with `--server-mode --account NAME` a service account's
 * (`--store`, else OPENRMS_SERVER_HOME/NAME, else the machine-wide server folder).
 */
export function clientOptions(flags: ClientFlags, io: CommandIo): { store: string; mode: 'client' | 'server'; account?: string } {
  const account = flags.account;
  if (flags.serverMode !== true) {
    if (account !== undefined) throw usageError('--account', 'given with --server-mode (it names a service account)');
    return { store: storeRoot(flags, io), mode: 'client' };
  }
  if (account === undefined) throw usageError('--server-mode', 'given with --account NAME (the service account)');
  return { store: flags.store ?? serverStoreRoot(account, { env: io.env }), mode: 'server', account };
}

/**
 * `value` as one line of JSON that is safe on a terminal too: JSON.stringify escapes C0 controls
 * but writes C1 controls, line separators and bidirectional overrides as they are; here they are
 * `\uXXXX` escapes, the same JSON value.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Writes `json` with --json, else the text lines. */
export function report(flags: JsonFlag, io: CommandIo, json: unknown, text: string[]): void {
  io.out.write(flags.json ? jsonLine(json) : `${text.join('\n')}\n`);
}

const MAX_PASSWORD_INPUT = 64 * 1024;

/** The first line of stdin, without its line ending: how --password-stdin reads a password. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // The first line is all that is wanted: reading stops there, or at a bound, so that `yes |` or
  // a large file on stdin cannot make the command hold all of it.
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const bytes = Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (bytes.includes(0x0a) || size > MAX_PASSWORD_INPUT) break;
  }
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password.length > MAX_PASSWORD_INPUT) throw new RmsError('INVALID_ARGUMENT', `the password on stdin is longer than ${MAX_PASSWORD_INPUT} bytes`, { argument: '--password-stdin' });
  if (password === '') throw new RmsError('INVALID_ARGUMENT', 'no password on stdin');
  return password;
}

/**
 * `text` with its control characters escaped (`\n`, `\u001b`, and the bidirectional
 * overrides that reorder what a terminal shows): text from a file or a service is printed
 * through this, so it cannot start a line of its own, move the cursor or disguise itself.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The environment variable that makes a failed command print the stack of its error. */
export const DEBUG_VARIABLE = 'OPENRMS_DEBUG';

function debugging(env: NodeJS.ProcessEnv): boolean {
  return env[DEBUG_VARIABLE] !== undefined && env[DEBUG_VARIABLE] !== '' && env[DEBUG_VARIABLE] !== '0';
}

/** The stack of `error` when OPENRMS_DEBUG is set, else nothing. */
export function debugStack(error: unknown, env: NodeJS.ProcessEnv): string {
  return debugging(env) && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : '';
}

/**
 * What a failed command prints on stderr: one line, `error: CODE: message`. An error that is
 * not an RmsError is a bug in openrms: `error: INTERNAL: message`, still one line; its stack
 * follows only when OPENRMS_DEBUG is set (to anything but "" or "0").
 */
export function failureReport(error: unknown, env: NodeJS.ProcessEnv): string {
  const line = error instanceof RmsError
    ? `error: ${error.code}: ${printable(error.message)}`
    : `error: INTERNAL: ${printable(describe(error))} (a bug in openrms; set ${DEBUG_VARIABLE}=1 to see where)`;
  return `${line}\n${debugStack(error, env)}`;
}

/** Fields of an error that say nothing to a caller of the command. */
const NOT_DATA = new Set(['code', 'message', 'name', 'stack', 'cause']);

/**
 * An error as --json prints it: `{code, message, ...}` with the data the error carries (the
 * argument at fault, the service URL and host, the right asked for and those held, a settings or
 * rules file's name, line and column, ...), so a script never parses the message. Not an
 * RmsError: code INTERNAL.
 */
export function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof RmsError)) return { code: 'INTERNAL', message: describe(error) };
  const data = Object.entries(error).filter(([name, value]) => !NOT_DATA.has(name) && value !== undefined);
  return { code: error.code, message: error.message, ...Object.fromEntries(data) };
}

/** A thrown value's message; anything can be thrown, even an object `String()` fails on. */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'a value that is not an Error';
  }
}
