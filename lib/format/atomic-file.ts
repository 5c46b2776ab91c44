/**
 * An output file that appears complete or not at all: bytes go to a temporary file in the
 * target's folder (owner-only permissions), renamed into place by `commit` (after flushing it
 * to disk when `durable`, so a power cut cannot leave an empty file under the name).
 * `discard` (on any failure or abort) removes it. Without `overwrite`, the
 * final step is a hard link, which fails if the target appeared meanwhile, so an existing
 * file is never replaced by accident.
 */
import { randomBytes } from 'node:crypto';
import { FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';

/**
 * Largest single write. On Linux 6.18 ext4 (large folios), a 2 MiB write at a 2 MiB-aligned
 * offset gets a 2 MiB page-cache folio; on this VM a third of such 1 GiB runs stalled for 2-4 s
 * (versus 0.35 s), while 1 MiB writes never did (/tmp/io6-style runs recorded in
 * docs/benchmarks.md). Unprotected chunks are exactly such writes, so they go in halves.
 */
const MAX_WRITE = 1024 * 1024;

export interface AtomicFileOptions {
  /** Replace an existing file at the target (default false: FILE_EXISTS). */
  overwrite?: boolean;
  /** Permissions of the finished file (default 0o644, less the umask). */
  mode?: number;
  /** fsync the file before it takes its name (default false, like cp or gzip). */
  durable?: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw fileSystemError(error, file);
  }
}

export class AtomicFile {
  private position = 0;
  private done = false;

  private constructor(readonly target: string, readonly temporary: string, private readonly handle: FileHandle,
    private readonly options: AtomicFileOptions) {}

  static async create(target: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    // Refuse early, before any work; commit checks again without a race.
    if (!options.overwrite && (await exists(target))) throw new RmsError('FILE_EXISTS', `already exists: ${target}`);
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
    try {
      return new AtomicFile(target, temporary, await open(temporary, 'wx', 0o600), options);
    } catch (error) {
      throw fileSystemError(error, `cannot create a file in ${path.dirname(target)}`);
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
        const { bytesWritten } = await this.handle.write(data, at, Math.min(MAX_WRITE, data.length - at), position + at);
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
      await this.handle.chmod((this.options.mode ?? 0o644) & ~process.umask());
      if (this.options.durable) await this.handle.sync();
      await this.handle.close();
      this.done = true;
      if (this.options.overwrite) {
        await rename(this.temporary, this.target);
      } else {
        await this.linkIntoPlace();
      }
    } catch (error) {
      await this.discard();
      throw fileSystemError(error, this.target);
    }
  }

  /**
   * Gives the file its name only if the name is free. A file system without hard links (FAT,
   * some network shares) gets a check and a rename instead, with a small race.
   */
  private async linkIntoPlace(): Promise<void> {
    try {
      await link(this.temporary, this.target);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      if (await exists(this.target)) throw new RmsError('FILE_EXISTS', `already exists: ${this.target}`);
      await rename(this.temporary, this.target);
      return;
    }
    await unlink(this.temporary);
  }

  /** Removes the temporary file; safe to call more than once, never throws. */
  async discard(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.temporary).catch(() => undefined);
  }
}
