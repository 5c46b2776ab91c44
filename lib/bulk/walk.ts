/**
 * The files a bulk run works on: the PATHs given and, when recursive, everything under the
 * folders among them, in a fixed order (each folder's names sorted by code unit, depth first),
 * so two runs over the same tree meet its files in the same order.
 *
 * The walk is a stream: it holds the sorted names of the folders on the current branch, never
 * the whole tree, so memory grows with the largest folder and the depth, not with the file
 * count. Symbolic links inside the tree are reported, not followed, unless asked; a link named
 * as a PATH is followed (the caller named it). Followed or not, no folder is entered twice
 * (by its device and inode), so a link cannot make a loop. A link put in the place of a file or
 * folder after its folder was listed is still a link, not followed (WalkEntry.followLink tells
 * the job whether to open through one). Temporary files that a killed
 * AtomicFile left (`.<name>.<hex>.partial`) are never inputs.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';
import { isPartialFileName } from '../format/atomic-file';

export interface WalkOptions {
  /** Walk into folders (default false: a folder among the PATHs is an entry of kind `folder`). */
  recursive?: boolean;
  /** Follow symbolic links found inside folders (default false: they are entries of kind `symlink`). */
  followSymlinks?: boolean;
  /** A folder never walked into (the output folder, when it lies inside the tree). */
  exclude?: string;
}

/**
 * One thing the walk met. `file`: a regular file (or a link to one, followed); `symlink`: a
 * link not followed; `special`: a FIFO, socket or device; `folder`: a folder PATH without
 * `recursive`; `error`: something that could not be read (a missing PATH, a folder that cannot
 * be listed, a dangling link followed), with its RmsError.
 */
export interface WalkEntry {
  kind: 'file' | 'symlink' | 'special' | 'folder' | 'error';
  /** The path: a PATH as given, or a name joined under it. */
  path: string;
  /** Relative to the folder PATH it was found under; a PATH that is a file: its base name. */
  relativePath: string;
  /**
   * Whether the file may be opened through a symbolic link at its name: it is a PATH as given,
   * or links are followed. When false, a link found there later was swapped in after the walk
   * listed the folder, and is not followed either.
   */
  followLink: boolean;
  error?: RmsError;
}

function folderKey(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

/**
 * A name that is not UTF-8 (from an old archive or a Windows share in another code page) comes
 * out of readdir with U+FFFD in place of its bytes, a name no file has: opening it would fail
 * with "no such file" for a file plainly there. Say what is wrong with it instead.
 */
async function unreadableName(full: string, name: string): Promise<RmsError | null> {
  if (!name.includes('\uFFFD')) return null;
  const found = await lstat(full).then(() => true, () => false);
  return found ? null : new RmsError('IO_ERROR', 'the name is not UTF-8 (its bytes show as U+FFFD), so the file cannot be opened by it: rename it');
}

/** What a directory entry is, following it when it is a link and links are followed. */
async function classify(full: string, entry: Dirent, follow: boolean): Promise<{ kind: 'dir' | WalkEntry['kind']; stats?: Stats; error?: RmsError }> {
  const unreadable = await unreadableName(full, entry.name);
  if (unreadable !== null) return { kind: 'error', error: unreadable };
  if (entry.isSymbolicLink()) {
    if (!follow) return { kind: 'symlink' };
    try {
      const stats = await stat(full);
      return { kind: stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'special', stats };
    } catch (error) {
      return { kind: 'error', error: fileSystemError(error, full) };
    }
  }
  if (entry.isDirectory()) {
    // The folder's identity, for the loop and exclusion checks; a folder gone meanwhile is an
    // error entry. lstat, not stat: the listing is already old, and a link put in the folder's
    // place since then must not lead the walk (and an in-place run) out of the tree.
    try {
      const stats = await (follow ? stat : lstat)(full);
      if (stats.isSymbolicLink()) return { kind: 'symlink' };
      return { kind: stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'special', stats };
    } catch (error) {
      return { kind: 'error', error: fileSystemError(error, full) };
    }
  }
  return { kind: entry.isFile() ? 'file' : 'special' };
}

interface Level {
  folder: string;
  relative: string;
  entries: Dirent[];
  next: number;
}

async function listFolder(folder: string): Promise<Dirent[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Walks the folder PATH `root` (already known to be a folder, identified by `rootStats`). */
async function* walkFolder(root: string, rootStats: Stats, o: WalkOptions, visited: Set<string>, excluded: string | null): AsyncGenerator<WalkEntry> {
  visited.add(folderKey(rootStats));
  const stack: Level[] = [];
  try {
    stack.push({ folder: root, relative: '', entries: await listFolder(root), next: 0 });
  } catch (error) {
    yield { kind: 'error', path: root, relativePath: '', followLink: true, error: fileSystemError(error, root) };
    return;
  }
  while (stack.length > 0) {
    const level = stack[stack.length - 1]!;
    const entry = level.entries[level.next++];
    if (entry === undefined) {
      stack.pop();
      continue;
    }
    const full = path.join(level.folder, entry.name);
    const relativePath = level.relative === '' ? entry.name : path.join(level.relative, entry.name);
    const found = await classify(full, entry, o.followSymlinks === true);
    if (found.kind === 'dir') {
      const key = folderKey(found.stats!);
      if (visited.has(key) || key === excluded) continue;
      visited.add(key);
      try {
        stack.push({ folder: full, relative: relativePath, entries: await listFolder(full), next: 0 });
      } catch (error) {
        yield { kind: 'error', path: full, relativePath, followLink: false, error: fileSystemError(error, full) };
      }
      continue;
    }
    if (found.kind === 'file' && isPartialFileName(entry.name)) continue;
    yield { kind: found.kind, path: full, relativePath, followLink: o.followSymlinks === true, ...(found.error === undefined ? {} : { error: found.error }) };
  }
}

/** The entries under `paths`, in order (see the module comment). */
export async function* walkPaths(paths: readonly string[], o: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>();
  const excluded = o.exclude === undefined ? null : await stat(o.exclude).then(folderKey, () => null);
  for (const given of paths) {
    let stats: Stats;
    try {
      stats = await stat(given);
    } catch (error) {
      yield { kind: 'error', path: given, relativePath: path.basename(given), followLink: true, error: fileSystemError(error, given) };
      continue;
    }
    if (!stats.isDirectory()) {
      yield { kind: stats.isFile() ? 'file' : 'special', path: given, relativePath: path.basename(given), followLink: true };
    } else if (!o.recursive) {
      yield { kind: 'folder', path: given, relativePath: path.basename(given), followLink: true };
    } else if (!visited.has(folderKey(stats))) {
      // A folder named twice, or inside another PATH already walked, is walked once.
      yield* walkFolder(given, stats, o, visited, excluded);
    }
  }
}
