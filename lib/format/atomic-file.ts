/**
 * An output file that appears complete or not at all.
 *
 * On Linux the bytes go to an unnamed file in the target's folder (O_TMPFILE), which gets its
 * name only in `commit`: a run that fails, is aborted, or whose process is killed outright
 * (SIGKILL, power cut) leaves nothing behind. Where O_TMPFILE is missing (other platforms,
 * some file systems) a hidden `.<name>.<random>.partial` file stands in, removed on failure
 * (only a killed process can leave it). Either way the output name never holds a partial
 * file, and the file is created with owner-only permissions until it is complete.
 *
 * Without `overwrite`, the name is given with a hard link, which fails if the target appeared
 * meanwhile, so an existing file is never replaced by accident; with it, by a rename. With
 * `durable`, the file is flushed to disk first.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { constants } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { fileSystemError, RmsError } from '../errors';
import { native } from '../native';

const openFd = promisify(fs.open);
const writeFd = promisify(fs.write);
const fchmod = promisify(fs.fchmod);
const fsync = promisify(fs.fsync);
const closeFd = promisify(fs.close);

/**
 * Largest single write. On Linux 6.18 ext4 (large folios), a 2 MiB write at a 2 MiB-aligned
 * offset gets a 2 MiB page-cache folio. On a VM with free page reporting (virtio-balloon) such
 * folios come from blocks the hypervisor has unbacked, and a third of such 1 GiB runs stalled
 * for 2-4 s (versus 0.35 s), while 1 MiB writes never did (docs/format.md, "Output safety";
 * bench/page-reporting.js). Unprotected chunks are exactly such writes, so they go in halves.
 */
const MAX_WRITE = 1024 * 1024;

export interface AtomicFileOptions {
  /** Replace an existing file at the target (default false: FILE_EXISTS). */
  overwrite?: boolean;
  /** Permissions of the finished file (default 0o644, less the umask). */
  mode?: number;
  /** fsync the file before it takes its name (default false, like cp or gzip). */
  durable?: boolean;
  /** The file being read to make this one (device and inode): refused as the target, whatever name or link leads to it. */
  input?: { dev: number; ino: number };
}

/** What is at `file` now, or null when nothing is. */
async function statOrNull(file: string): Promise<{ dev: number; ino: number } | null> {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw fileSystemError(error, file);
  }
}

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** A -errno from the native calls as the error Node would have thrown. */
function errnoError(result: number, what: string): Error & { code: string } {
  const code = ERRNO_NAMES[-result] ?? `E${-result}`;
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

function randomName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
}

/** Whether `name` is the temporary file of an unfinished AtomicFile (only a killed process leaves one behind). */
export function isPartialFileName(name: string): boolean {
  return /^\..+\.[0-9a-f]{12}\.partial$/.test(name);
}

let procFd: boolean | undefined;
function procFdAvailable(): boolean {
  procFd ??= process.platform === 'linux' && fs.existsSync('/proc/self/fd');
  return procFd;
}

/** fsyncs a folder, so a name just given in it survives a power cut. */
async function syncFolder(folder: string): Promise<void> {
  const fd = await openFd(folder, 'r');
  try {
    await fsync(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Errors that mean "no O_TMPFILE here": use a named temporary file instead. */
const NO_ANONYMOUS_FILES = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EISDIR', 'EINVAL', 'ENOSYS']);

function finalMode(options: AtomicFileOptions): number {
  return (options.mode ?? 0o644) & 0o777;
}

export class AtomicFile {
  private position = 0;
  private open = true;

  /** `temporary` is null for an unnamed (O_TMPFILE) file. */
  private constructor(readonly target: string, private readonly temporary: string | null, private readonly fd: number,
    private readonly options: AtomicFileOptions) {}

  static async create(target: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    // Refuse early, before any work (one look at the target for both checks: a bulk run makes
    // thousands of files); commit checks again without a race.
    const existing = await statOrNull(target);
    if (existing !== null && options.input !== undefined && existing.dev === options.input.dev && existing.ino === options.input.ino) {
      throw new RmsError('INVALID_ARGUMENT', `the output would replace the input: ${target}`, { argument: 'options.outputPath' });
    }
    if (existing !== null && !options.overwrite) throw new RmsError('FILE_EXISTS', `already exists: ${target}`);
    const folder = path.dirname(target);
    // Naming an unnamed file goes through /proc/self/fd: without /proc (a chroot, a minimal
    // container) use a named temporary file from the start, not fail at the end. An unnamed
    // file is made with its final permissions (the kernel applies the umask): no other process
    // can open it before it has a name, so it needs no private phase and no fchmod at the end.
    if (procFdAvailable()) {
      const fd = await native.openAnonymousFile(folder, finalMode(options));
      if (fd >= 0) return new AtomicFile(target, null, fd, options);
      const error = errnoError(fd, `cannot create a file in ${folder}`);
      if (!NO_ANONYMOUS_FILES.has(error.code)) throw fileSystemError(error, `cannot create a file in ${folder}`);
    }
    const temporary = randomName(target);
    try {
      return new AtomicFile(target, temporary, await openFd(temporary, 'wx', 0o600), options);
    } catch (cause) {
      throw fileSystemError(cause, `cannot create a file in ${folder}`);
    }
  }

  /** Appends `data` (all of it). */
  async write(data: Uint8Array): Promise<void> {
    await this.writeAt(data, this.position);
  }

  /** Writes all of `data` at `position`; writes to distinct ranges may run at once. */
  async writeAt(data: Uint8Array, position: number): Promise<void> {
    this.position = Math.max(this.position, position + data.length);
    try {
      for (let at = 0; at < data.length;) {
        const { bytesWritten } = await writeFd(this.fd, data, at, Math.min(MAX_WRITE, data.length - at), position + at);
        at += bytesWritten;
      }
    } catch (error) {
      throw fileSystemError(error, `cannot write ${this.target}`);
    }
  }

  /** The end of the furthest byte written. */
  get size(): number {
    return this.position;
  }

  /** Puts the finished file in place under its name. */
  async commit(): Promise<void> {
    try {
      if (this.temporary !== null) await fchmod(this.fd, finalMode(this.options) & ~process.umask());
      if (this.options.durable) await fsync(this.fd);
      if (this.temporary === null) {
        await this.nameAnonymous();
      } else {
        await this.close();
        if (this.options.overwrite) await rename(this.temporary, this.target);
        else await this.linkIntoPlace(this.temporary);
      }
    } catch (error) {
      await this.discard();
      throw fileSystemError(error, this.target);
    }
    // The file is in place; a durable one also needs its name on disk.
    if (this.options.durable) {
      await syncFolder(path.dirname(this.target)).catch((error: unknown) => {
        throw fileSystemError(error, `cannot flush ${path.dirname(this.target)}`);
      });
    }
  }

  private async nameAnonymous(): Promise<void> {
    if (!this.options.overwrite) {
      const result = await native.linkAnonymousFile(this.fd, this.target);
      if (result !== 0) throw errnoError(result, this.target);
      await this.close();
      return;
    }
    // Replacing: a hidden name first (the file is complete by now), then an atomic rename.
    const hidden = randomName(this.target);
    const result = await native.linkAnonymousFile(this.fd, hidden);
    if (result !== 0) throw errnoError(result, this.target);
    await this.close();
    try {
      await rename(hidden, this.target);
    } catch (error) {
      await unlink(hidden).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Gives the file its name only if the name is free. A file system without hard links (FAT,
   * some network shares) gets a check and a rename instead, with a small race.
   */
  private async linkIntoPlace(temporary: string): Promise<void> {
    try {
      await link(temporary, this.target);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      if ((await statOrNull(this.target)) !== null) throw new RmsError('FILE_EXISTS', `already exists: ${this.target}`);
      await rename(temporary, this.target);
      return;
    }
    await unlink(temporary);
  }

  private async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await closeFd(this.fd);
  }

  /** Drops the unfinished file; safe to call more than once, never throws. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    if (this.temporary !== null) await unlink(this.temporary).catch(() => undefined);
  }
}
