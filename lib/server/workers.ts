/**
 * `openrms serve --workers N`: N service processes sharing one port through Node's `cluster`.
 * The primary prepares the data folder (its keys are generated once, not by N processes at
 * once), pins the keys and migrates the database once, then forks the workers, handing each the
 * keys it read (worker-keys.ts: one key generation for the life of the service, rotation or not);
 * each opens the storage and runs `startService` on the same address, and the primary hands
 * them connections in turn (cluster's round-robin). A worker that dies is replaced. What the workers share lives in the database
 * (accounts, licenses on record, sign-in and sign-up counts); each worker's memory holds only
 * caches and its own share of the limits: the body budget, the connection caps and the sign-in
 * hashing slots are per worker (docs/operations.md, "Workers").
 */
import cluster, { Worker } from 'node:cluster';
import path from 'node:path';

import { invalidArgument, RmsError, RmsErrorCode } from '../errors';
import { openDataFolder, ServiceSettings } from './data-folder';
import { ServiceOptions } from './service';
import { pinKeys } from './service-keys';
import { LogEntry, serviceLog } from './service-log';
import { answerClusterMetrics } from './service-metrics';
import { openStorage } from './storage/storage';
import { KeysMessage, keysMessage } from './worker-keys';

/** What a worker is started with: ServiceOptions less what cannot cross a process boundary. */
export type WorkerServiceOptions = Omit<ServiceOptions, 'log' | 'now'>;

export interface WorkersOptions extends WorkerServiceOptions {
  /** How many service processes (1 to 256). */
  workers: number;
  /** Where the primary's own log entries go (default: stderr, as the workers' are). */
  log?: (entry: LogEntry) => void;
}

export interface RunningWorkers {
  /** The base URL, the same for every worker. */
  url: string;
  dataDir: string;
  /** The workers' process IDs now (a replaced worker has a new one). */
  pids(): number[];
  /** Asks every worker to stop as `RunningService.close()` does, and waits until they have exited. */
  close(): Promise<void>;
}

/** Messages between the primary and a worker (worker-process.ts). */
export type ToWorker = { type: 'openrms:start'; options: WorkerServiceOptions; keys: KeysMessage; settings: ServiceSettings } | { type: 'openrms:stop' };
export type FromWorker = { type: 'openrms:started'; url: string } | { type: 'openrms:failed'; code: RmsErrorCode; message: string };

const MAX_WORKERS = 256;
/** A worker that dies sooner than this after starting is replaced after a delay, doubling up to MAX_RESTART_DELAY_MS. */
const STEADY_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond the services' own grace period, how long close() waits before killing a worker. */
const STOP_MARGIN_MS = 5000;

/** The primary's Node flags, less a script it was given with -e or -p (which the workers would run instead of theirs). */
function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (['-e', '--eval', '-p', '--print'].includes(flag)) i++;
    else if (!/^--(eval|print|input-type)=/.test(flag)) kept.push(flag);
  }
  return kept;
}

export async function runWorkers(options: WorkersOptions): Promise<RunningWorkers> {
  const { workers: count, log: logTo, ...serviceOptions } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) throw invalidArgument('workers', `an integer from 1 to ${MAX_WORKERS}`);
  if (!cluster.isPrimary) throw new RmsError('INVALID_ARGUMENT', 'runWorkers is called in the primary process, not in a cluster worker');
  const log = serviceLog(logTo, { primary: process.pid });

  // Keys generated and pinned and the schema migrated here, once, before any worker races another
  // to it. Every worker, a replacement too, gets these keys from here (worker-keys.ts).
  const folder = openDataFolder(serviceOptions.dataDir);
  const storage = await openStorage({ dataDir: folder.dir, db: serviceOptions.db ?? folder.settings.db ?? undefined });
  try {
    await pinKeys(storage.keys, folder.keys, { keysDir: path.join(folder.dir, 'keys'), database: storage.location });
  } finally {
    await storage.close();
  }

  cluster.setupPrimary({ exec: path.join(__dirname, 'worker-process.js'), args: [], execArgv: workerExecArgv(process.execArgv) });
  const stopAnswering = answerClusterMetrics();
  const live = new Set<Worker>();
  let closing: Promise<void> | null = null;
  let restartDelay = FIRST_RESTART_DELAY_MS;

  /** Forks a worker and resolves with the URL it serves at, or rejects with why it could not start. */
  const fork = (): Promise<string> => {
    const worker = cluster.fork();
    live.add(worker);
    const startedAt = Date.now();
    const started = new Promise<string>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'openrms:started') resolve(message.url);
        else if (message.type === 'openrms:failed') reject(new RmsError(message.code, message.message));
      });
      worker.once('exit', (code, signal) => reject(new RmsError('SERVICE_UNAVAILABLE', `worker ${worker.id} exited at start (${signal ?? code})`)));
    });
    worker.once('online', () => worker.send({ type: 'openrms:start', options: serviceOptions, keys: keysMessage(folder.keys), settings: folder.settings } satisfies ToWorker));
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (closing !== null) return;
      const steady = Date.now() - startedAt >= STEADY_MS;
      const delay = steady ? 0 : restartDelay;
      restartDelay = steady ? FIRST_RESTART_DELAY_MS : Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
      log.write('warn', 'worker-exited', { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay });
      setTimeout(() => {
        if (closing === null) replace();
      }, delay).unref();
    });
    started.catch(() => worker.process.kill('SIGKILL'));
    return started.then((url) => {
      log.write('info', 'worker-started', { worker: worker.id, pid: worker.process.pid, url });
      return url;
    });
  };
  const replace = (): void => {
    fork().catch((error: RmsError) => log.write('error', 'worker-failed', { code: error.code, detail: error.message }));
  };

  const stop = (): Promise<void> => (closing ??= (async () => {
    const grace = (serviceOptions.shutdownGraceMs ?? 10_000) + STOP_MARGIN_MS;
    await Promise.all([...live].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const kill = setTimeout(() => worker.process.kill('SIGKILL'), grace);
      worker.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      worker.send({ type: 'openrms:stop' } satisfies ToWorker);
    })));
    stopAnswering();
    log.write('info', 'workers-stopped', {});
    log.flush();
  })());

  let url: string;
  try {
    [url] = await Promise.all(Array.from({ length: count }, fork)) as [string];
  } catch (error) {
    await stop();
    throw error;
  }
  log.write('info', 'workers-started', { url, workers: count, pids: [...live].map((w) => w.process.pid) });
  return { url, dataDir: folder.dir, pids: () => [...live].map((w) => w.process.pid!), close: stop };
}
