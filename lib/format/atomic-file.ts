/**
 * An output file that appears complete or not at all: bytes go to a temporary file in the
 * target's folder (owner-only permissions), which is flushed to disk and renamed into place
 * by `commit`. `discard` (on any failure or abort) removes it. Without `overwrite`, the
 * final step is a hard link, which fails if the target appeared meanwhile, so an existing
 * file is never replaced by accident.
 */
import { randomBytes } from 'node:crypto';
import { FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';

export interface AtomicFileOptions {
  /** Replace an existing file at the target (default false: FILE_EXISTS). */
  overwrite?: boolean;
  /** Permissions of the finished file (default 0o644, less the umask). */
  mode?: number;
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
    try {
      for (let at = 0; at < data.length;) {
        const { bytesWritten } = await this.handle.write(data, at, data.length - at, this.position);
        at += bytesWritten;
        this.position += bytesWritten;
      }
    } catch (error) {
      throw fileSystemError(error, `cannot write ${this.target}`);
    }
  }

  get size(): number {
    return this.position;
  }

  /** Makes the file durable and puts it in place under its name. */
  async commit(): Promise<void> {
    try {
      await this.handle.chmod((this.options.mode ?? 0o644) & ~process.umask());
      await this.handle.sync();
      await this.handle.close();
      this.done = true;
      if (this.options.overwrite) {
        await rename(this.temporary, this.target);
      } else {
        await link(this.temporary, this.target);
        await unlink(this.temporary);
      }
    } catch (error) {
      await this.discard();
      throw fileSystemError(error, this.target);
    }
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
