/** Reading the first bytes of a file, for `RuleSubject.head`. */
import { open } from 'node:fs/promises';

import { fileSystemError } from '../errors';

/** The first `length` bytes of `file` (all of it when shorter). */
export async function readFileHead(file: string, length: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(length);
    let filled = 0;
    // read() may return fewer bytes than asked before the end (pipes, some network file systems)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
      if (bytesRead === 0 || filled + bytesRead === length) return buffer.subarray(0, filled + bytesRead);
      filled += bytesRead;
    }
  } catch (error) {
    throw fileSystemError(error, file);
  } finally {
    await handle?.close();
  }
}
