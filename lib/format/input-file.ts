/**
 * Opening a file to read: only regular files, and never blocking on a FIFO or device (which
 * would hold a libuv thread until a writer appears). Errors become RmsErrors with codes.
 */
import { constants as fsConstants } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';

import { fileSystemError, invalidArgument, RmsError } from '../errors';

export interface OpenInput {
  handle: FileHandle;
  size: number;
  mode: number;
  dev: number;
  ino: number;
}

/**
 * Opens `source`; with `expected` (a device and inode the caller found there), a file that is
 * now another one (a link or a file swapped in since) is refused with IO_ERROR.
 */
export async function openInput(source: string, expected?: { dev: number; ino: number }): Promise<OpenInput> {
  if (typeof source !== 'string' || source === '') throw invalidArgument('source', 'a file path');
  let handle: FileHandle | undefined;
  try {
    // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; regular files
    // read the same either way, and anything but a regular file is refused just below.
    handle = await open(source, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const stats = await handle.stat();
    if (!stats.isFile()) throw new RmsError('INVALID_ARGUMENT', `not a regular file: ${source}`, { argument: 'source' });
    if (expected !== undefined && (stats.dev !== expected.dev || stats.ino !== expected.ino)) {
      throw new RmsError('IO_ERROR', `${source} was replaced (by a link or another file) after it was checked: left alone`);
    }
    return { handle, size: stats.size, mode: stats.mode & 0o777, dev: stats.dev, ino: stats.ino };
  } catch (error) {
    await handle?.close();
    throw fileSystemError(error, source);
  }
}
