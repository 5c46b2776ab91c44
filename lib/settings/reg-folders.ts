/**
 * The registry outside Windows: `.reg` files in two folders, the machine-wide one for HKLM and
 * the user's for HKCU. In each folder the files ending in `.reg` are read in the order of their
 * names (compared character by character, not by locale), and each file's operations apply over
 * the ones before, so a later file wins and may delete what an earlier one set. Every file is
 * parsed whole before anything is applied, and every file is checked before the registry is
 * built, so a malformed line or a key of the wrong hive (HKCU in a machine file, HKLM in a user
 * file) fails the whole load with the file and the line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { fileSystemError } from '../errors';
import { Hive, HIVE_LONG_NAMES } from './hive';
import { applyRegFile, RegFile } from './reg-file';
import { parseRegFile } from './reg-file-parser';
import { Registry } from './registry';
import { InvalidRegFileError } from './settings-errors';

export interface RegFolder {
  folder: string;
  /** The one hive its files may set. */
  hive: Hive;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false; // a dangling link
    throw fileSystemError(error, file);
  }
}

/**
 * Settings decide which services a client trusts and where it sends tokens, so only the files
 * an administrator (root) or the user could have written count: a folder or file (a link's
 * target too) that another user owns, or that group or others may write, is refused whole,
 * as ssh refuses such a configuration, rather than silently read or skipped. POSIX only:
 * Windows reads the real registry, whose ACLs are its own.
 */
function checkWritableOnlyByTrusted(target: string, file: string): void {
  if (process.platform === 'win32' || process.getuid === undefined) return;
  let stat;
  try {
    stat = statSync(target);
  } catch (error) {
    throw fileSystemError(error, target);
  }
  const uid = process.getuid();
  if (stat.uid !== 0 && stat.uid !== uid) throw new InvalidRegFileError(file, 1, `${target} belongs to uid ${stat.uid}, not to root or this user: refused`);
  if ((stat.mode & 0o022) !== 0) {
    throw new InvalidRegFileError(file, 1, `${target} may be written by other users (mode ${(stat.mode & 0o777).toString(8)}): refused, since anyone could change the settings`);
  }
}

/** The `.reg` files of a folder in the order they apply; none when it does not exist. */
export function regFilesIn(folder: string): string[] {
  let names: string[];
  try {
    // A link to a file counts: configuration management often links files into the folder.
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => /\.reg$/i.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFile(path.join(folder, entry.name)))))
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw fileSystemError(error, folder);
  }
  if (names.length > 0) checkWritableOnlyByTrusted(folder, folder);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((name) => path.join(folder, name));
}

/** Reads and parses one file, refusing a key outside `hive`. */
/**
 * No settings file comes near this (a full MSIPC export is a few KiB); every client reads every
 * file at start, so one huge file would cost every client its memory.
 */
export const MAX_REG_FILE_BYTES = 1024 * 1024;

export function readRegFile(file: string, hive: Hive): RegFile {
  checkWritableOnlyByTrusted(file, file);
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_REG_FILE_BYTES) throw new InvalidRegFileError(file, 1, `the file is over ${MAX_REG_FILE_BYTES} bytes, more than any settings file needs: refused`);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof InvalidRegFileError) throw error;
    throw fileSystemError(error, file);
  }
  return requireHive(parseRegFile(bytes, file), hive);
}

/** `regFile` if all its keys are in `hive`; else the first that is not, as INVALID_REG_FILE. */
export function requireHive(regFile: RegFile, hive: Hive): RegFile {
  const stray = regFile.operations.find((operation) => operation.hive !== hive);
  if (stray !== undefined) {
    throw new InvalidRegFileError(regFile.file, stray.line,
      `${HIVE_LONG_NAMES[stray.hive]} keys do not belong in this folder, which holds ${HIVE_LONG_NAMES[hive]} settings`);
  }
  return regFile;
}

/**
 * The registry the folders hold. `replacing` stands in for a file of that path (whether or not
 * it exists yet): how `openrms config` checks a change before writing it.
 */
export function loadRegFolders(folders: readonly RegFolder[], replacing: readonly RegFile[] = []): Registry {
  const files = folders.flatMap(({ folder, hive }) => {
    const paths = regFilesIn(folder);
    for (const replacement of replacing) {
      if (path.dirname(replacement.file) === folder && !paths.includes(replacement.file)) paths.push(replacement.file);
    }
    paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return paths.map((file) => {
      const replacement = replacing.find((candidate) => candidate.file === file);
      return replacement === undefined ? readRegFile(file, hive) : requireHive(replacement, hive);
    });
  });
  const registry = new Registry();
  for (const file of files) applyRegFile(registry, file);
  return registry;
}
