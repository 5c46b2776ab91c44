/**
 * How a bulk run tells its own finished work from anything else under an output's name, and
 * how it proves a protected file holds exactly its original.
 *
 * A file gets its output name only once complete (AtomicFile: on Linux an unnamed file is
 * linked in at the end; elsewhere a hidden temporary file is renamed), so a killed run leaves
 * finished outputs and nothing else under output names. A rerun takes an existing output as
 * finished when it is what the run would have written: for protect, an openrms protected file
 * whose container records the input's extension and size and whose length is exactly that of
 * a complete file of that size; for unprotect, a plain file of the size the container records.
 * Either must also be no older than its input (an input changed since is not done). Anything
 * else under the name is left alone and the input fails with FILE_EXISTS.
 */
import { createReadStream, Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';

import type { SecretKey } from '../crypto/secret-key';
import { RmsError } from '../errors';
import { readExactly } from '../format/pfile-reader';
import { readContainer } from '../format/protect-file';
import { createUnprotectStream } from '../format/protect-stream';
import { CIPHER_MODE, readStreamHeader, sealedLength, STREAM_HEADER_SIZE } from '../format/segment-cipher';

/** What is under an output's name: nothing, a finished output of this input, or something else. */
export type EarlierOutput = 'none' | 'finished' | 'other';

async function existing(output: string): Promise<Stats | null> {
  try {
    return await lstat(output);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

/** Whether `output` is a finished protected copy of the input file `input` (named `inputName`). */
export async function earlierProtectedOutput(output: string, inputName: string, input: Stats): Promise<EarlierOutput> {
  const stats = await existing(output);
  if (stats === null) return 'none';
  if (!stats.isFile() || stats.mtimeMs < input.mtimeMs) return 'other';
  const container = await readContainer(output).catch(() => null);
  if (container === null || container.cipherMode !== CIPHER_MODE) return 'other';
  const { info } = container;
  if (info.originalSize !== input.size || info.originalExtension !== path.extname(inputName)) return 'other';
  const handle = await open(output, 'r');
  try {
    const streamHeader = Buffer.alloc(STREAM_HEADER_SIZE);
    await readExactly(handle, streamHeader, STREAM_HEADER_SIZE, info.content.offset);
    const { segmentSize } = readStreamHeader(streamHeader);
    // A complete file ends with the last segment: any other length is not one this run wrote.
    return stats.size === info.content.offset + STREAM_HEADER_SIZE + sealedLength(input.size, segmentSize) ? 'finished' : 'other';
  } catch {
    return 'other';
  } finally {
    await handle.close();
  }
}

/** Whether `output` is a finished plain copy of a protected file (`input`) recording `originalSize`. */
export async function earlierPlainOutput(output: string, originalSize: number | null, input: Stats): Promise<EarlierOutput> {
  const stats = await existing(output);
  if (stats === null) return 'none';
  return stats.isFile() && stats.mtimeMs >= input.mtimeMs && stats.size === originalSize ? 'finished' : 'other';
}

/**
 * Whether the protected file `protectedFile`, decrypted with `contentKey` (every segment
 * authenticated), is byte for byte `plainFile`. False when it fails authentication.
 */
export async function sameContent(protectedFile: string, contentKey: SecretKey, plainFile: string): Promise<boolean> {
  const plain = await open(plainFile, 'r');
  const source = createReadStream(protectedFile);
  const decrypted = createUnprotectStream(contentKey);
  source.on('error', (error) => decrypted.destroy(error));
  source.pipe(decrypted);
  try {
    let position = 0;
    for await (const chunk of decrypted as AsyncIterable<Buffer>) {
      const original = Buffer.allocUnsafe(chunk.length);
      const { bytesRead } = await plain.read(original, 0, chunk.length, position);
      if (bytesRead !== chunk.length || !original.equals(chunk)) return false;
      position += chunk.length;
    }
    const { bytesRead } = await plain.read(Buffer.alloc(1), 0, 1, position);
    return bytesRead === 0;
  } catch (error) {
    if (error instanceof RmsError && (error.code === 'DECRYPTION_FAILED' || error.code === 'INVALID_FORMAT')) return false;
    throw error;
  } finally {
    source.destroy();
    await plain.close();
  }
}
