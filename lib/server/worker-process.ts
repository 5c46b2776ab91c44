/**
 * A worker of `runWorkers` (workers.ts), the script cluster forks: it waits for its options from
 * the primary, runs the service, and stops it when the primary asks, when it is sent SIGTERM
 * (systemd stops every process of the unit), or when the primary is gone. SIGINT is left to the
 * primary, which a terminal's Ctrl-C reaches too: it stops the workers in order.
 */
import cluster from 'node:cluster';

import { RmsError } from '../errors';
import { RunningService, startService } from './service';
import { keysFromMessage } from './worker-keys';
import { FromWorker, ToWorker } from './workers';

let service: RunningService | null = null;
let stopping = false;

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await service?.close();
  process.exit(0);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'openrms:start' && service === null) {
    // Inside the promise: keys that do not import are reported to the primary as any failure to start is.
    Promise.resolve().then(() => startService(message.options, { worker: cluster.worker?.id ?? 0, keys: keysFromMessage(message.keys), settings: message.settings })).then((started) => {
      service = started;
      if (stopping) return void started.close();
      void send({ type: 'openrms:started', url: started.url });
    }, (error: unknown) => {
      const e = error instanceof RmsError ? error : new RmsError('SERVICE_ERROR', String((error as Error)?.stack ?? error));
      void send({ type: 'openrms:failed', code: e.code, message: e.message }).then(() => process.exit(1));
    });
  } else if (message.type === 'openrms:stop') {
    void stop();
  }
});
process.on('SIGINT', () => {});
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
