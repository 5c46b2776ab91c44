'use strict';
/**
 * The licensing service for the benchmarks, in a process of its own, from dist/:
 *
 *   node bench/service-process.js DATA_DIR WORKERS [postgres://...]
 *
 * One worker is `startService` in this process, as `openrms serve` runs it; more are
 * `runWorkers` (this process the cluster's primary). Prints `{"url", "pids"}` (the processes
 * that serve) on one line once listening; logs on stderr; SIGTERM stops it as `openrms serve`
 * stops. Like `openrms serve`, it gives libuv's pool one thread per core unless told otherwise.
 */
const os = require('node:os');
const path = require('node:path');

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
const { startService, runWorkers } = require(path.join(__dirname, '..', 'dist', 'server'));

async function main() {
  const [dataDir, workers, db] = process.argv.slice(2);
  const count = Number(workers);
  const running = count === 1
    ? await startService({ dataDir, db, port: 0 }).then((s) => ({ url: s.url, pids: () => [process.pid], close: () => s.close() }))
    : await runWorkers({ dataDir, db, port: 0, workers: count });
  process.stdout.write(`${JSON.stringify({ url: running.url, pids: running.pids() })}\n`);
  const stop = () => running.close().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
