/**
 * `runWorkers` (lib/server/workers.ts) from the compiled package, in a process of its own as
 * `openrms serve --workers N` runs it: its URL, its workers' process IDs at start, and the log
 * entries the primary and its workers write to stderr, read as they come.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { ROOT } from './built-package';
import { waitUntil } from './real-binary';

export interface WorkerCluster {
  child: ChildProcess;
  url: string;
  pids: number[];
  /** The log entries the primary and its workers wrote to stderr so far. */
  entries: Record<string, unknown>[];
  /** SIGTERM, and waits until the primary has stopped its workers and exited. */
  stop(): Promise<void>;
}

export async function startWorkerCluster(options: { workers: number; dataDir: string; db?: string }): Promise<WorkerCluster> {
  const script = `
    const { runWorkers } = require(${JSON.stringify(path.join(ROOT, 'dist', 'server'))});
    runWorkers({ ...${JSON.stringify(options)}, port: 0 }).then((w) => {
      process.stdout.write(JSON.stringify({ url: w.url, pids: w.pids() }) + '\\n');
      process.on('SIGTERM', () => w.close().then(() => process.exit(0)));
    }, (error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const entries: Record<string, unknown>[] = [];
  let pending = '';
  child.stderr!.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        entries.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        entries.push({ event: 'not-json', line });
      }
    }
  });
  const [line] = await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(() => { throw new Error(`runWorkers exited: ${JSON.stringify(entries)}`); }),
  ]) as [Buffer];
  const started = JSON.parse(line.toString().split('\n')[0]!) as { url: string; pids: number[] };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  return { child, url: started.url, pids: started.pids, entries, stop };
}

/** The pids of the workers started so far, the replaced ones included. */
export function workersStarted(cluster: WorkerCluster): Set<unknown> {
  return new Set(cluster.entries.filter((e) => e.event === 'worker-started').map((e) => e.pid));
}

/** Waits until the primary has started a worker in the place of `pid` (one not in `before`): the new worker's number and pid. */
export async function replacementOf(cluster: WorkerCluster, pid: number, before: Set<unknown>): Promise<{ worker: number; pid: number }> {
  let replacement: Record<string, unknown> | undefined;
  await waitUntil(async () => (replacement = cluster.entries.find((e) => e.event === 'worker-started' && !before.has(e.pid))) !== undefined, 60_000,
    () => `no worker replaced ${pid}: ${JSON.stringify(cluster.entries.slice(-5))}`);
  return { worker: replacement!.worker as number, pid: replacement!.pid as number };
}

/** Kills the worker `pid` with SIGKILL and waits until the primary has started another in its place. */
export async function killAndReplace(cluster: WorkerCluster, pid: number): Promise<{ worker: number; pid: number }> {
  const before = workersStarted(cluster);
  process.kill(pid, 'SIGKILL');
  return replacementOf(cluster, pid, before);
}
