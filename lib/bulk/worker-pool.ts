/**
 * A bounded pool: `jobs` workers take items from one iterator, one at a time each, so at most
 * `jobs` items are in flight and the iterator (a streaming walk) is read only as fast as
 * items are finished.
 */
import { availableParallelism } from 'node:os';

/**
 * The default number of files in flight: twice the cores, at least 4 and at most 16.
 *
 * A small file costs a dozen file-system calls (open, stat, read, write, link, close...), each
 * a round trip to the libuv thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
 * and little CPU. With one file per core, the pool and the event loop would each wait while
 * the other works; a couple of files per core, and never fewer than the pool's threads, keep
 * both busy. A large file gains nothing from more jobs, since its chunks are already spread
 * over the pool, and each job holds up to six chunk buffers (8 MiB at most each): the upper
 * bound keeps a run over large files to some hundreds of MiB.
 */
export function defaultJobs(): number {
  return Math.min(16, Math.max(4, 2 * availableParallelism()));
}

/**
 * Runs `work` on every item of `items` with at most `jobs` at once. `stop()` returning true
 * makes workers take no more items. A `work` that throws stops the pool: the other workers
 * finish their item, and the first error is thrown once all have.
 */
export async function runPool<T>(items: AsyncIterator<T>, jobs: number, work: (item: T) => Promise<void>,
  stop: () => boolean = () => false): Promise<void> {
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    try {
      while (failure === null && !stop()) {
        const next = await items.next();
        if (next.done) return;
        await work(next.value);
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
