/**
 * What every command shares: option parsing (node:util parseArgs, strict: an unknown option is
 * INVALID_ARGUMENT naming it), `--json` output as one JSON object, `--store DIR` /
 * OPENRMS_HOME for the client store, and reading a password from stdin.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { Writable } from 'node:stream';

import { RmsError } from '../errors';
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
