/**
 * `openrms ...` run in the test's own process, as the entry point runs it (lib/cli/main.ts
 * `run`): its exit code, stdout and stderr. For the administration commands run beside a
 * service (users, groups, keys, audit, backup), whose output is what a test checks.
 */
import { PassThrough, Readable } from 'node:stream';

import { run } from '../../lib/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collected(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

export async function openrms(args: readonly string[], o: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const stdout = collected(out);
  const stderr = collected(err);
  // The test's own data folder and database only: none from the environment the tests run in.
  const env = { ...process.env };
  delete env.OPENRMS_DATA;
  delete env.OPENRMS_DB;
  const code = await run(args, { out, err, stdin: Readable.from([o.input ?? '']), env: { ...env, ...o.env } });
  return { code, stdout: stdout(), stderr: stderr() };
}

/** The JSON a command that must succeed printed (`--json` is added). */
export async function openrmsJson<T = Record<string, unknown>>(args: readonly string[], o: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<T> {
  const result = await openrms([...args, '--json'], o);
  if (result.code !== 0) throw new Error(`openrms ${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
