/**
 * What every command shares: option parsing (node:util parseArgs, strict: an unknown option is
 * INVALID_ARGUMENT naming it), `--json` output as one JSON object, `--store DIR` /
 * OPENRMS_HOME for the client store, and reading a password from stdin.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { Writable } from 'node:stream';

import { RmsError } from '../errors';
import { serverStoreRoot } from '../settings';
import { defaultStoreRoot } from '../store/store-root';

export interface CommandIo {
  out: Writable;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseCommand(command: string, args: readonly string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args], options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (cause) {
    throw new RmsError('INVALID_ARGUMENT', `${command}: ${(cause as Error).message}`, { cause });
  }
}

export function stringOption(p: Parsed, name: string): string | undefined {
  const value = p.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function storeRoot(p: Parsed, io: CommandIo): string {
  return stringOption(p, 'store') ?? defaultStoreRoot(io.env);
}

/** The options every command that opens a client takes: `--store DIR`, `--server-mode --account NAME`. */
export const CLIENT_OPTIONS = {
  store: { type: 'string' }, 'server-mode': { type: 'boolean' }, account: { type: 'string' },
} as const;

/**
 * The client a command opens: in client mode (the default) the user's store (`--store`,
 * OPENRMS_HOME, the user's data folder); with `--server-mode --account NAME` a service account's
 * (`--store`, else OPENRMS_SERVER_HOME/NAME, else the machine-wide server folder).
 */
export function clientOptions(p: Parsed, io: CommandIo): { store: string; mode: 'client' | 'server'; account?: string } {
  const account = stringOption(p, 'account');
  if (p.values['server-mode'] !== true) {
    if (account !== undefined) throw new RmsError('INVALID_ARGUMENT', '--account is for --server-mode');
    return { store: storeRoot(p, io), mode: 'client' };
  }
  if (account === undefined) throw new RmsError('INVALID_ARGUMENT', '--server-mode needs --account NAME (the service account)');
  return { store: stringOption(p, 'store') ?? serverStoreRoot(account, { env: io.env }), mode: 'server', account };
}

/** Writes `json` with --json, else the text lines. */
export function report(p: Parsed, io: CommandIo, json: unknown, text: string[]): void {
  io.out.write(p.values.json ? `${JSON.stringify(json)}\n` : `${text.join('\n')}\n`);
}

/** The first line of stdin, without its line ending: how --password-stdin reads a password. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw new RmsError('INVALID_ARGUMENT', 'no password on stdin');
  return password;
}

export function requireOne(command: string, p: Parsed, what: string): string {
  if (p.positionals.length !== 1) throw new RmsError('INVALID_ARGUMENT', `${command} takes exactly one ${what}`);
  return p.positionals[0]!;
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

/**
 * What a failed command prints on stderr: one line, `error: CODE: message`. An error that is
 * not an RmsError is a bug in openrms: `error: INTERNAL: message`, still one line; its stack
 * follows only when OPENRMS_DEBUG is set (to anything but "" or "0").
 */
export function failureReport(error: unknown, env: NodeJS.ProcessEnv): string {
  const line = error instanceof RmsError
    ? `error: ${error.code}: ${printable(error.message)}`
    : `error: INTERNAL: ${printable(describe(error))} (a bug in openrms; set ${DEBUG_VARIABLE}=1 to see where)`;
  const debug = env[DEBUG_VARIABLE] !== undefined && env[DEBUG_VARIABLE] !== '' && env[DEBUG_VARIABLE] !== '0';
  const stack = debug && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : '';
  return `${line}\n${stack}`;
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
