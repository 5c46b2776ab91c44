/**
 * Bulk protection and unprotection (the RMS Protection Tool's job): every file under some
 * PATHs, `jobs` at a time, each reported as it settles, with progress and a summary
 * (docs/bulk.md). A failed file names its code and the run goes on; a killed run leaves every
 * input intact and no partial output, and the same run again finishes the job.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import type { LicenseDescriptor } from '../client/license-descriptor';
import type { SerializedLicense } from '../client/publishing';
import type { RmsClient } from '../client/rms-client';
import type { SerializeOptions } from '../client/client-options';
import { invalidArgument } from '../errors';
import { BulkFile, BulkFileResult, checkChoice, JobContext, LicenseChoice, runJob } from './file-jobs';
import { BulkProgress, ProgressMeter } from './progress-meter';
import { RunLicenses } from './run-licenses';
import { walkPaths, WalkOptions } from './walk';
import { defaultJobs, runPool } from './worker-pool';

export type BulkOperation = 'protect' | 'unprotect';

export interface BulkOptions {
  operation: BulkOperation;
  /** Files and folders. */
  paths: readonly string[];
  /** Walk into folders (default false: a folder PATH fails with INVALID_ARGUMENT). */
  recursive?: boolean;
  /** Follow symbolic links inside folders (default false: they are skipped). Links named as PATHs are followed. */
  followSymlinks?: boolean;
  /** Files in flight at once, 1 to 256 (default `defaultJobs()`: twice the cores, 4 to 16). */
  jobs?: number;
  /**
   * Replace each original by its output once the output is complete, flushed to disk and
   * verified (docs/bulk.md, "In place"). Default false: originals are never touched.
   */
  inPlace?: boolean;
  /**
   * Flush each output to disk (fsync, and its folder) before it takes its name. Default: with
   * `inPlace`, so that even a power cut cannot lose an original and its replacement both;
   * without, off (as cp and gzip), since originals stay.
   */
  durable?: boolean;
  /** Write outputs under this folder, mirroring each file's path under its PATH (default: beside each file). Not with `inPlace`. */
  outputDir?: string;
  /** Protect: the license for each file (rules plug in here). Called once per file to protect. */
  license?: (file: BulkFile) => LicenseChoice | Promise<LicenseChoice>;
  /** Protect: how descriptors are serialized (online: the service signs each PL). */
  serialize?: SerializeOptions;
  /** Stops taking files; files in flight fail with ABORTED (their outputs removed). */
  signal?: AbortSignal;
  /** Hears each file's result and progress snapshots. */
  onEvent?: (event: BulkEvent) => void;
}

export type BulkEvent = ({ type: 'file' } & BulkFileResult) | ({ type: 'progress' } & BulkProgress);

export interface BulkSummary {
  operation: BulkOperation;
  protected: number;
  unprotected: number;
  skipped: number;
  failed: number;
  /** Bytes of the files protected or unprotected (their inputs' sizes). */
  bytes: number;
  ms: number;
  /** Whether the signal stopped the run before every file was met. */
  aborted: boolean;
}

const MAX_JOBS = 256;

function checkOptions(o: BulkOptions): void {
  if (typeof o !== 'object' || o === null) throw invalidArgument('options', 'an object');
  if (o.operation !== 'protect' && o.operation !== 'unprotect') throw invalidArgument('options.operation', '"protect" or "unprotect"');
  if (!Array.isArray(o.paths) || o.paths.length === 0 || o.paths.some((p) => typeof p !== 'string' || p === '')) {
    throw invalidArgument('options.paths', 'a non-empty array of paths');
  }
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > MAX_JOBS)) throw invalidArgument('options.jobs', `an integer from 1 to ${MAX_JOBS}`);
  if (o.outputDir !== undefined && (typeof o.outputDir !== 'string' || o.outputDir === '')) throw invalidArgument('options.outputDir', 'a folder path');
  if (o.inPlace && o.outputDir !== undefined) throw invalidArgument('options.outputDir', 'left out with inPlace (in place, each output replaces its original)');
  if (o.operation === 'protect' && typeof o.license !== 'function') throw invalidArgument('options.license', 'a function choosing each file\'s license');
}

/**
 * Counts what the run will meet, beside it, for the totals of the progress display: the same
 * walk, one stat per file, nothing held. Stops when `running()` turns false.
 */
async function countFiles(paths: readonly string[], walk: WalkOptions, running: () => boolean): Promise<{ files: number; bytes: number } | null> {
  let files = 0;
  let bytes = 0;
  for await (const entry of walkPaths(paths, walk)) {
    if (!running()) return null;
    files++;
    if (entry.kind === 'file') bytes += await stat(entry.path).then((s) => s.size, () => 0);
  }
  return { files, bytes };
}

/** Serializes each distinct descriptor once in the run; the keys are wiped when it ends. */
class RunSerializer {
  private readonly serialized = new Map<LicenseDescriptor, Promise<SerializedLicense>>();

  constructor(private readonly client: RmsClient, private readonly options: SerializeOptions) {}

  serialize(descriptor: LicenseDescriptor): Promise<SerializedLicense> {
    let license = this.serialized.get(descriptor);
    if (license === undefined) {
      license = this.client.serializeLicense(descriptor, this.options);
      license.catch(() => undefined); // every file given this descriptor awaits it
      this.serialized.set(descriptor, license);
    }
    return license;
  }

  close(): void {
    for (const license of this.serialized.values()) license.then((s) => s.contentKey.close(), () => undefined);
  }
}

/**
 * Protects or unprotects every file under `options.paths` with `client`'s identity, and
 * resolves with what it did once every file has settled (or the signal stopped the run).
 * Rejects only for a bad option, or when a callback (`license`, `onEvent`) throws something
 * that is not an RmsError: a bug, which stops the run.
 */
export async function runBulk(client: RmsClient, options: BulkOptions): Promise<BulkSummary> {
  checkOptions(options);
  const { operation, signal, onEvent } = options;
  const outputDir = options.outputDir === undefined ? undefined : path.resolve(options.outputDir);
  const walk: WalkOptions = { recursive: options.recursive === true, followSymlinks: options.followSymlinks === true, exclude: outputDir };
  const meter = new ProgressMeter();
  const serializer = new RunSerializer(client, options.serialize ?? {});
  const licenses = new RunLicenses(client);
  const summary: BulkSummary = { operation, protected: 0, unprotected: 0, skipped: 0, failed: 0, bytes: 0, ms: 0, aborted: false };
  const ctx: JobContext = {
    client, inPlace: options.inPlace === true, durable: options.durable ?? options.inPlace === true, outputDir, licenses, signal,
    chooseLicense: async (file) => checkChoice(await options.license!(file)),
    serialize: (descriptor) => serializer.serialize(descriptor),
  };
  const progress = (): void => onEvent?.({ type: 'progress', ...meter.snapshot() });

  let running = true;
  const counted = countFiles(options.paths, walk, () => running).then((totals) => {
    if (totals !== null) meter.setTotals(totals.files, totals.bytes);
  }, () => undefined);
  const entries = walkPaths(options.paths, walk);
  try {
    await runPool(entries, options.jobs ?? defaultJobs(), async (entry) => {
      const job = {};
      const result = await runJob(operation, entry, ctx, (bytes) => {
        meter.reading(job, bytes);
        progress();
      });
      meter.settled(job, result.bytes);
      summary[result.outcome]++;
      if (result.outcome === 'protected' || result.outcome === 'unprotected') summary.bytes += result.bytes;
      onEvent?.({ type: 'file', ...result });
      progress();
    }, () => signal?.aborted === true);
  } finally {
    running = false;
    await entries.return(undefined);
    await counted;
    serializer.close();
    licenses.close();
  }
  summary.aborted = signal?.aborted === true;
  summary.ms = meter.snapshot().elapsedMs;
  progress();
  return summary;
}
