/**
 * Where a bulk run stands: files and bytes done, the totals once a counting walk has found
 * them, the rate since the start and the time left.
 */

/** A progress snapshot (what a progress display draws). */
export interface BulkProgress {
  /** Files settled, whatever their outcome. */
  filesDone: number;
  /** Every file the run will meet, once counted (the count runs beside the work). */
  filesTotal?: number;
  /** Bytes of the files settled, plus those read so far of files in flight. */
  bytesDone: number;
  /** Bytes of every file the run will meet, once counted. */
  bytesTotal?: number;
  /** Bytes per second since the start. */
  rate: number;
  /** Files per second since the start. */
  filesPerSecond: number;
  /** Seconds left, once the totals are known and some work is done. */
  etaSeconds?: number;
  /** Milliseconds since the start. */
  elapsedMs: number;
}

export class ProgressMeter {
  private filesDone = 0;
  private bytesSettled = 0;
  private readonly inFlight = new Map<object, number>();
  private totals: { files: number; bytes: number } | null = null;
  private readonly startedAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  setTotals(files: number, bytes: number): void {
    this.totals = { files, bytes };
  }

  /** Bytes read so far of the file `job` is working on. */
  reading(job: object, bytes: number): void {
    this.inFlight.set(job, bytes);
  }

  /** `job`'s file is settled; it weighed `bytes`. */
  settled(job: object, bytes: number): void {
    this.inFlight.delete(job);
    this.filesDone++;
    this.bytesSettled += bytes;
  }

  snapshot(): BulkProgress {
    let bytesDone = this.bytesSettled;
    for (const bytes of this.inFlight.values()) bytesDone += bytes;
    const elapsedMs = this.now() - this.startedAt;
    const seconds = elapsedMs / 1000;
    const rate = seconds > 0 ? bytesDone / seconds : 0;
    const filesPerSecond = seconds > 0 ? this.filesDone / seconds : 0;
    const progress: BulkProgress = { filesDone: this.filesDone, bytesDone, rate, filesPerSecond, elapsedMs };
    if (this.totals === null) return progress;
    const files = Math.max(this.totals.files, this.filesDone);
    const bytes = Math.max(this.totals.bytes, bytesDone);
    return { ...progress, filesTotal: files, bytesTotal: bytes, ...etaOf(files - this.filesDone, bytes - bytesDone, rate, filesPerSecond) };
  }
}

/**
 * Time left, the longer of the two estimates: by bytes (large files) and by files (small
 * files, whose cost is mostly per file). Unknown until something is done.
 */
function etaOf(filesLeft: number, bytesLeft: number, rate: number, filesPerSecond: number): { etaSeconds?: number } {
  if (filesLeft === 0) return { etaSeconds: 0 };
  const estimates = [];
  if (rate > 0) estimates.push(bytesLeft / rate);
  if (filesPerSecond > 0) estimates.push(filesLeft / filesPerSecond);
  return estimates.length === 0 ? {} : { etaSeconds: Math.max(...estimates) };
}
