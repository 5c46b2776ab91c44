/**
 * `openrms serve [--data DIR] [--db URL] [--listen HOST:PORT] [--tls-cert F --tls-key F] [--public-url URL]
 * [--limit NAME=VALUE]... [--workers N]`: runs the licensing service (N processes sharing the port
 * with --workers: lib/server/workers.ts) until SIGINT or SIGTERM, then shuts down
 * gracefully. Logs are JSON lines on stderr; stdout gets one line (or JSON object) saying where
 * the service listens.
 */
import os from 'node:os';

import { Command } from 'commander';

import { startService } from '../server/service';
import { runWorkers } from '../server/workers';
import { LIMIT_NAMES, ServiceLimits } from '../server/service-limits';
import { examples } from './command-tree';
import { CommandIo, JsonFlag, printable, report, usageError } from './command-line';
import { collect } from './license-options';
import { dataDir, dbOption } from './service-data';

export function parseListen(value: string | undefined): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: 8080 };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) throw usageError('--listen', 'HOST:PORT, e.g. 127.0.0.1:8080');
  return { host: m[1] ?? m[2]!, port };
}

/** `--limit NAME=VALUE` options, each a ServiceLimits field; the service checks the values. */
function parseLimits(values: readonly string[]): ServiceLimits {
  const limits: ServiceLimits = {};
  for (const value of values) {
    const m = /^(\w+)=(\d+)$/.exec(value);
    const name = LIMIT_NAMES.find((known) => known === m?.[1]);
    if (m === null || name === undefined) throw usageError('--limit', `NAME=INTEGER with NAME one of ${LIMIT_NAMES.join(', ')}`);
    limits[name] = Number(m[2]);
  }
  return limits;
}

interface ServeFlags extends JsonFlag {
  data?: string;
  db?: string;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  publicUrl?: string;
  limit?: string[];
  workers?: string;
}

function workerCount(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 256) throw usageError('--workers', 'a number of processes from 1 to 256');
  return Number(value);
}

export async function runServe(flags: ServeFlags, io: CommandIo, signals: NodeJS.EventEmitter = process): Promise<void> {
  // One pool thread per core for the signatures: libuv's default of 4 oversubscribes a small
  // machine and takes CPU from the event loop (measured in bench/scenarios/use-license-issuance.js).
  // Read when the pool first starts, which is after this line.
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
  const { tlsCert: cert, tlsKey: key } = flags;
  if ((cert === undefined) !== (key === undefined)) throw usageError('--tls-cert/--tls-key', 'given together');
  const { host, port } = parseListen(flags.listen);
  const limits = parseLimits(flags.limit ?? []);
  const workers = workerCount(flags.workers);
  const options = {
    dataDir: dataDir(flags.data, io), db: dbOption(flags, io), host, port, publicUrl: flags.publicUrl, limits,
    tls: cert === undefined ? undefined : { certFile: cert, keyFile: key! },
  };
  const service = workers === null ? await startService(options) : await runWorkers({ ...options, workers });
  const running = { url: service.url, dataDir: 'folder' in service ? service.folder.dir : service.dataDir };
  report(flags, io, { ...running, ...(workers === null ? {} : { workers }) },
    [`openrms licensing service at ${printable(running.url)} (data: ${printable(running.dataDir)}${workers === null ? '' : `; ${workers} workers`}); Ctrl-C stops it`]);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      void service.close().then(resolve);
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
}

export function serveCommand(io: CommandIo): Command {
  const command = new Command('serve')
    .summary('run the licensing service')
    .description('Run the licensing service until SIGINT or SIGTERM, then stop gracefully. Logs are JSON lines on stderr; '
      + 'stdout gets one line saying where it listens. Plain HTTP is served only on a loopback address.')
    .option('--data <dir>', 'its data folder: database, keys, service.json, outbox (default: OPENRMS_DATA, else ./openrms-data)')
    .option('--db <url>', "a PostgreSQL database instead of SQLite in --data, postgres://user@host:port/name (default: OPENRMS_DB, else service.json's db)")
    .option('--listen <host:port>', 'where to listen (default 127.0.0.1:8080; port 0: any free port)')
    .option('--tls-cert <file>', 'TLS certificate chain (PEM), with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM), with --tls-cert')
    .option('--public-url <url>', 'the URL clients reach it at, when not where it listens (behind a proxy)')
    .option('--limit <name=value>', `a limit (repeat): ${LIMIT_NAMES.join(', ')}`, collect)
    .option('--workers <n>', 'run N service processes sharing the port (Node cluster; limits per client are per process)')
    .option('--json', 'print where it listens as JSON')
    .action((flags: ServeFlags) => runServe(flags, io));
  return examples(command, [
    'openrms serve',
    'openrms serve --data /srv/openrms --listen 0.0.0.0:443 --tls-cert cert.pem --tls-key key.pem --public-url https://rms.contoso.com',
    'openrms serve --listen 127.0.0.1:0 --json --limit maxConnections=500',
    'openrms serve --db postgres://openrms@db.contoso.com/openrms --workers 4',
  ]);
}
