/**
 * A bulk run in a process of its own, from the compiled package (dist/), as `openrms protect
 * --recursive` will run it: it prints one JSON line per file settled and a last line with the
 * summary, so a test can stop it with SIGKILL after any number of files, or run it with fewer
 * privileges than the test has.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

import type { BulkFileResult, BulkSummary } from '../../lib/bulk';
import { requireBuilt, ROOT } from './built-package';

export interface BulkProcessConfig {
  operation: 'protect' | 'unprotect';
  /** The signed-in user's store. */
  store: string;
  paths: string[];
  /** Protect: grants of the one license every file gets (the signed-in user is made owner). */
  grants?: { who: string; rights: string[] }[];
  inPlace?: boolean;
  jobs?: number;
}

const SCRIPT = `
const { RmsClient, runBulk } = require('./');
const config = JSON.parse(process.argv[1]);
const client = RmsClient.open({ store: config.store });
const license = config.grants ? client.createLicense({ grants: config.grants, autoGrantOwner: true }) : undefined;
const print = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
runBulk(client, {
  operation: config.operation, paths: config.paths, recursive: true, inPlace: config.inPlace, jobs: config.jobs,
  license: () => license, onEvent: (e) => { if (e.type === 'file') print(e); },
}).then((summary) => { print({ type: 'summary', ...summary }); client.close(); }, (error) => { console.error(error); process.exitCode = 1; });
`;

export interface BulkProcessOutcome {
  files: BulkFileResult[];
  summary: BulkSummary | null;
  signal: NodeJS.Signals | null;
  status: number | null;
  stderr: string;
}

/**
 * Starts the run; `command` (e.g. setpriv and its arguments) is put before node when given.
 * `killAfter(files)` is asked after each file line: true sends SIGKILL at once.
 */
export async function runBulkProcess(config: BulkProcessConfig, o: { command?: string[]; killAfter?: (files: number) => boolean; killAfterMs?: number } = {}): Promise<BulkProcessOutcome> {
  requireBuilt();
  const [program, ...args] = [...(o.command ?? []), process.execPath, '-e', SCRIPT, JSON.stringify(config)];
  const child: ChildProcess = spawn(program!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const files: BulkFileResult[] = [];
  let summary: BulkSummary | null = null;
  let stderr = '';
  let pending = '';
  const timer = o.killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), o.killAfterMs);
  child.stderr!.on('data', (data: Buffer) => { stderr += data.toString(); });
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const line = JSON.parse(pending.slice(0, end)) as { type: string } & BulkFileResult & BulkSummary;
      pending = pending.slice(end + 1);
      if (line.type === 'summary') summary = line;
      else files.push(line);
      if (line.type === 'file' && o.killAfter?.(files.length)) child.kill('SIGKILL');
    }
  });
  const [status, signal] = await once(child, 'close') as [number | null, NodeJS.Signals | null];
  if (timer !== null) clearTimeout(timer);
  return { files, summary, signal, status, stderr };
}
