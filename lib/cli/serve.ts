/**
 * `openrms serve [--data DIR] [--listen HOST:PORT] [--tls-cert F --tls-key F] [--public-url URL]
 * [--limit NAME=VALUE]...`: runs the licensing service until SIGINT or SIGTERM, then shuts down
 * gracefully. Logs are JSON lines on stderr; stdout gets one line (or JSON object) saying where
 * the service listens.
 */
import os from 'node:os';
import path from 'node:path';

import { invalidArgument } from '../errors';
import { startService } from '../server/service';
import { LIMIT_NAMES, ServiceLimits } from '../server/service-limits';
import { CommandIo, parseCommand, report, stringOption } from './command-line';

/** Where `serve` and `users add` keep the service's data unless told: ./openrms-data. */
export const DEFAULT_DATA_DIR = 'openrms-data';

export function dataDir(value: string | undefined, io: CommandIo): string {
  return path.resolve(value ?? io.env.OPENRMS_DATA ?? DEFAULT_DATA_DIR);
}

export function parseListen(value: string | undefined): { host: string; port: number } {
  if (value === undefined) return { host: '127.0.0.1', port: 8080 };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) throw invalidArgument('--listen', 'HOST:PORT, e.g. 127.0.0.1:8080');
  return { host: m[1] ?? m[2]!, port };
}

/** `--limit NAME=VALUE` options, each a ServiceLimits field; the service checks the values. */
function parseLimits(values: readonly string[]): ServiceLimits {
  const limits: ServiceLimits = {};
  for (const value of values) {
    const m = /^(\w+)=(\d+)$/.exec(value);
    const name = LIMIT_NAMES.find((known) => known === m?.[1]);
    if (m === null || name === undefined) throw invalidArgument('--limit', `NAME=INTEGER with NAME one of ${LIMIT_NAMES.join(', ')}`);
    limits[name] = Number(m[2]);
  }
  return limits;
}

export async function runServe(args: readonly string[], io: CommandIo, signals: NodeJS.EventEmitter = process): Promise<void> {
  // One pool thread per core for the signatures: libuv's default of 4 oversubscribes a small
  // machine and takes CPU from the event loop (measured in bench/scenarios/use-license-issuance.js).
  // Read when the pool first starts, which is after this line.
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
  const p = parseCommand('serve', args, {
    data: { type: 'string' }, listen: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
    'public-url': { type: 'string' }, limit: { type: 'string', multiple: true },
  });
  const cert = stringOption(p, 'tls-cert');
  const key = stringOption(p, 'tls-key');
  if ((cert === undefined) !== (key === undefined)) throw invalidArgument('--tls-cert/--tls-key', 'given together');
  const { host, port } = parseListen(stringOption(p, 'listen'));
  const service = await startService({
    dataDir: dataDir(stringOption(p, 'data'), io), host, port, publicUrl: stringOption(p, 'public-url'),
    limits: parseLimits((p.values.limit as string[] | undefined) ?? []),
    tls: cert === undefined ? undefined : { certFile: cert, keyFile: key! },
  });
  report(p, io, { url: service.url, dataDir: service.folder.dir }, [`openrms licensing service at ${service.url} (data: ${service.folder.dir}); Ctrl-C stops it`]);
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
