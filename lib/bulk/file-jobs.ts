/**
 * What a bulk run does to one file: the checks that skip it, the protection or unprotection,
 * and the in-place replacement of the original. Each file ends as one result; a failure a
 * caller can act on (any RmsError, any file system error) is that file's result and the run
 * goes on.
 */
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import type { LicenseDescriptor } from '../client/license-descriptor';
import type { SerializedLicense } from '../client/publishing';
import type { RmsClient } from '../client/rms-client';
import { fileSystemError, invalidArgument, RmsError, RmsErrorCode } from '../errors';
import { protectedFileName, unprotectedFileName } from '../format/file-names';
import { hasPfileMagic } from '../format/pfile-reader';
import { readContainer, unprotectFile } from '../format/protect-file';
import { earlierPlainOutput, earlierProtectedOutput, sameContent } from './output-check';
import type { RunLicenses } from './run-licenses';
import type { WalkEntry } from './walk';

/** A file a protect run asks a license for. */
export interface BulkFile {
  path: string;
  /** Relative to the folder PATH it was found under (a PATH that is a file: its base name). */
  relativePath: string;
  size: number;
  /** Its first `length` bytes (default 64 KiB), fewer when it is shorter; read only when asked. */
  head(length?: number): Promise<Buffer>;
}

/**
 * The license to protect a file with: a descriptor (each distinct descriptor object is
 * serialized once per run, so the files given the same one share one PL and content key), a
 * license already serialized (the caller keeps and closes it), or `{ skip: reason }`.
 */
export type LicenseChoice = LicenseDescriptor | SerializedLicense | { skip: string };

export interface BulkFileResult {
  /** The file as the walk met it. */
  file: string;
  outcome: 'protected' | 'unprotected' | 'skipped' | 'failed';
  /** The file written (or found written by an earlier run). */
  output?: string;
  /** The file's size (0 when it could not be read). */
  bytes: number;
  /** Why it failed, or why it was skipped when a code says it (FILE_ENCRYPT_BLOCKED). */
  code?: RmsErrorCode;
  reason?: string;
  /** The content ID of the license it was protected under. */
  contentId?: string;
}

export interface JobContext {
  client: RmsClient;
  inPlace: boolean;
  /** Flush outputs to disk before they take their names. */
  durable: boolean;
  /** Absolute; outputs mirror each file's relative path under it. */
  outputDir?: string;
  licenses: RunLicenses;
  signal?: AbortSignal;
  chooseLicense(file: BulkFile): Promise<LicenseChoice>;
  serialize(descriptor: LicenseDescriptor): Promise<SerializedLicense>;
}

const HEAD_BYTES = 64 * 1024;
/** Bytes that tell a PFILE (see hasPfileMagic). */
const PFILE_MAGIC_BYTES = 6;

function skipped(file: string, bytes: number, reason: string, extra: Partial<BulkFileResult> = {}): BulkFileResult {
  return { file, outcome: 'skipped', bytes, reason, ...extra };
}

function failed(file: string, bytes: number, error: RmsError, extra: Partial<BulkFileResult> = {}): BulkFileResult {
  return { file, outcome: 'failed', bytes, code: error.code, reason: error.message, ...extra };
}

function outputPath(entry: WalkEntry, name: string, ctx: Pick<JobContext, 'outputDir'>): string {
  if (ctx.outputDir === undefined) return path.join(path.dirname(entry.path), name);
  return path.join(ctx.outputDir, path.dirname(entry.relativePath), name);
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What a job knows of its input after one look: its stats, and whether it starts as a protected file does. */
interface Input {
  stats: Stats;
  pfile: boolean;
}

const NOT_FOLLOWED = 'a symbolic link (not followed)';

/**
 * Opens the input once for its stats and first bytes; null when it is a link not to be
 * followed. O_NONBLOCK: a FIFO swapped in for the file after the walk saw it must not hold a
 * thread waiting for a writer (it is then not a regular file, and skipped). O_NOFOLLOW unless
 * the walk followed a link here: one swapped in since the walk listed the folder would
 * otherwise bring a file from anywhere into the tree (protected under the run's license, or
 * written out in plain).
 */
async function inspectInput(entry: WalkEntry): Promise<Input | null> {
  let handle;
  try {
    handle = await open(entry.path, constants.O_RDONLY | constants.O_NONBLOCK | (entry.followLink ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOOP' && !entry.followLink) return null;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { stats, pfile: false };
    const magic = Buffer.alloc(PFILE_MAGIC_BYTES);
    const { bytesRead } = await handle.read(magic, 0, magic.length, 0);
    return { stats, pfile: hasPfileMagic(magic.subarray(0, bytesRead)) };
  } finally {
    await handle.close();
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * Replaces `original` by `output` (complete, flushed, and checked by `verified`): the
 * original's name is removed only when it is still the very file that was read (same inode,
 * size, modification and change times), so a change made meanwhile is never lost. Otherwise
 * the output is removed and the original kept: IO_ERROR.
 */
async function replaceOriginal(original: string, before: Stats, output: string, verified: boolean): Promise<void> {
  if (verified && sameFile(before, await stat(original))) {
    await unlink(original);
    return;
  }
  await unlink(output).catch(() => undefined);
  throw new RmsError('IO_ERROR', `${original} changed while it was being copied: it is kept as it is, and the copy was removed`);
}

function notACopy(output: string, file: string): RmsError {
  return new RmsError('FILE_EXISTS', `${output} already exists and is not a finished copy of ${file}: it was left alone`);
}

/**
 * What a protect run does with a file before it asks for a license: pass it over or fail it
 * (`result`), finish an earlier in-place run that wrote `output` (`finish`), or protect it to
 * `output`. Nothing is written: a dry run asks this too, so it says what the run would do.
 */
export type ProtectStart = { result: BulkFileResult } | { finish: string } | { protect: string };

async function startProtect(entry: WalkEntry, ctx: StartContext, { stats: input, pfile }: Input): Promise<ProtectStart> {
  const file = entry.path;
  const name = path.basename(file);
  if (ctx.client.settings.fileProtectionFor(name) === 'Off') {
    return { result: skipped(file, input.size, `protecting ${name} is blocked by the administrator (FileProtection: Off for its type)`, { code: 'FILE_ENCRYPT_BLOCKED' }) };
  }
  // A file that starts as a PFILE but is not one (INVALID_FORMAT) fails: protecting it again could wrap a damaged protected file.
  if (pfile && (await readContainer(file)) !== null) return { result: skipped(file, input.size, 'already protected') };
  const output = outputPath(entry, protectedFileName(name), ctx);
  const earlier = await earlierProtectedOutput(output, name, input);
  if (earlier === 'other') return { result: failed(file, input.size, notACopy(output, file)) };
  if (earlier === 'finished') {
    return ctx.inPlace ? { finish: output } : { result: skipped(file, input.size, 'already protected by an earlier run', { output }) };
  }
  return { protect: output };
}

/** What `startProtect` needs of a run. */
export type StartContext = Pick<JobContext, 'client' | 'inPlace' | 'outputDir'>;

/** The start of a protect job for `entry` (see ProtectStart), for a dry run: nothing is written. */
export async function previewProtect(entry: WalkEntry, ctx: StartContext): Promise<ProtectStart> {
  return withInput(entry, (input) => startProtect(entry, ctx, input), (result) => ({ result }));
}

async function protectOne(entry: WalkEntry, ctx: JobContext, reading: (bytes: number) => void, inspected: Input): Promise<BulkFileResult> {
  const file = entry.path;
  const input = inspected.stats;
  const start = await startProtect(entry, ctx, inspected);
  if ('result' in start) return start.result;
  if ('finish' in start) {
    // An earlier in-place run was stopped between writing the protected file and removing the original: finish it.
    const output = start.finish;
    const written = await readContainer(output);
    if (written === null) return failed(file, input.size, notACopy(output, file));
    const lease = await ctx.licenses.acquire(written.info.license.bytes);
    try {
      if (!(await sameContent(output, lease.license.contentKey, file))) return failed(file, input.size, notACopy(output, file));
      await unlink(file);
    } finally {
      lease.release();
    }
    return { file, outcome: 'protected', output, bytes: input.size, contentId: lease.license.contentId, reason: 'finished an earlier run: the original was removed' };
  }
  const output = start.protect;
  const choice = await ctx.chooseLicense({ path: file, relativePath: entry.relativePath, size: input.size, head: (length = HEAD_BYTES) => readHead(file, length) });
  if ('skip' in choice) return skipped(file, input.size, String(choice.skip));
  const serialized = 'publishingLicense' in choice ? choice : await ctx.serialize(choice);
  if (ctx.outputDir !== undefined) await mkdir(path.dirname(output), { recursive: true });
  await ctx.client.protectFile(file, serialized, { outputPath: output, signal: ctx.signal, durable: ctx.durable, onProgress: reading, expectedInput: input });
  if (ctx.inPlace) await replaceOriginal(file, input, output, await sameContent(output, serialized.contentKey, file));
  return { file, outcome: 'protected', output, bytes: input.size, contentId: serialized.contentId };
}

async function unprotectOne(entry: WalkEntry, ctx: JobContext, reading: (bytes: number) => void, { stats: input, pfile }: Input): Promise<BulkFileResult> {
  const file = entry.path;
  const container = pfile ? await readContainer(file) : null;
  if (container === null) return skipped(file, input.size, 'not protected');
  const { info } = container;
  const output = outputPath(entry, unprotectedFileName(path.basename(file), info.originalExtension), ctx);
  const earlier = await earlierPlainOutput(output, info.originalSize, input);
  if (earlier === 'other') return failed(file, input.size, notACopy(output, file));
  const lease = await ctx.licenses.acquire(info.license.bytes);
  const { license } = lease;
  try {
    license.requireRight('EXPORT', 'a plaintext copy');
    const extra = { output, contentId: license.contentId };
    if (earlier === 'finished') {
      // A plain file of the right size is all the name says: another protected file of the
      // same name (a.ptxt and a.txt.pfile) or anyone's file could have put it there. Only its
      // content tells an earlier run's copy.
      if (!(await sameContent(file, license.contentKey, output))) return failed(file, input.size, notACopy(output, file));
      if (!ctx.inPlace) return skipped(file, input.size, 'already unprotected by an earlier run', extra);
      await unlink(file);
      return { file, outcome: 'unprotected', bytes: input.size, reason: 'finished an earlier run: the protected file was removed', ...extra };
    }
    if (ctx.outputDir !== undefined) await mkdir(path.dirname(output), { recursive: true });
    await unprotectFile(file, license.contentKey, { outputPath: output, signal: ctx.signal, durable: ctx.durable, onProgress: reading, expectedInput: input });
    // Decryption authenticated every segment and the size: the plain copy is verified as it is written.
    if (ctx.inPlace) await replaceOriginal(file, input, output, true);
    return { file, outcome: 'unprotected', bytes: input.size, ...extra };
  } finally {
    lease.release();
  }
}

/** A Node system error (it names its system call) or an RmsError; anything else is a bug and ends the run. */
function asFileFailure(error: unknown, file: string): RmsError | null {
  if (error instanceof RmsError) return error;
  if (typeof (error as { syscall?: unknown } | null)?.syscall === 'string') return fileSystemError(error, file);
  return null;
}

/**
 * Runs `job` on the input of `entry` once it is known to be a regular file; what the walk met
 * instead (a link, a FIFO, an error), and a file failure of the job, become a result through
 * `settle`.
 */
async function withInput<T>(entry: WalkEntry, job: (input: Input) => Promise<T>, settle: (result: BulkFileResult) => T): Promise<T> {
  const file = entry.path;
  switch (entry.kind) {
    case 'error': return settle(failed(file, 0, entry.error!));
    case 'folder': return settle(failed(file, 0, new RmsError('INVALID_ARGUMENT', `${file} is a folder: walk it with recursive`, { argument: 'paths' })));
    case 'symlink': return settle(skipped(file, 0, NOT_FOLLOWED));
    case 'special': return settle(skipped(file, 0, 'not a regular file'));
    default: break;
  }
  let input: Input | null = null;
  try {
    input = await inspectInput(entry);
    if (input === null) return settle(skipped(file, 0, NOT_FOLLOWED));
    if (!input.stats.isFile()) return settle(skipped(file, 0, 'not a regular file'));
    return await job(input);
  } catch (error) {
    const failure = asFileFailure(error, file);
    if (failure === null) throw error;
    return settle(failed(file, input?.stats.size ?? 0, failure));
  }
}

/** The result of one walk entry; `reading` hears the input bytes done of a file in flight. */
export async function runJob(operation: 'protect' | 'unprotect', entry: WalkEntry, ctx: JobContext,
  reading: (bytes: number) => void): Promise<BulkFileResult> {
  return withInput(entry, (input) => (operation === 'protect' ? protectOne(entry, ctx, reading, input) : unprotectOne(entry, ctx, reading, input)), (result) => result);
}

/** Checks what a license callback answered. */
export function checkChoice(choice: unknown): LicenseChoice {
  if (typeof choice === 'object' && choice !== null && ('skip' in choice || 'publishingLicense' in choice || 'grants' in choice)) {
    return choice as LicenseChoice;
  }
  throw invalidArgument('license', 'a function answering a license descriptor, a serialized license or { skip: reason }');
}
