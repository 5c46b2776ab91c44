/**
 * A store holds the user's private keys and licenses, so its folder must be the user's alone:
 * a folder another local user owns, or may write to, lets that user read or plant keys and
 * licenses. Like ssh's StrictModes, a folder owned by someone else is refused, and one the user
 * owns but left writable by group or others is tightened to 0700.
 */
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';

/** `STORE_NOT_SECURE`: the store folder at `path` belongs to `ownerUid`, not to `expectedUid`. */
export class StoreNotSecureError extends RmsError {
  constructor(readonly path: string, readonly ownerUid: number, readonly expectedUid: number) {
    super('STORE_NOT_SECURE', `the store folder ${path} belongs to uid ${ownerUid}, not to this user (uid ${expectedUid}); use a folder of your own`);
    this.name = 'StoreNotSecureError';
  }
}

/** A store folder that was writable by group or others, and is now 0700. */
export interface TightenedFolder {
  path: string;
  /** Its permission bits before, e.g. 0o777. */
  previousMode: number;
}

const GROUP_OR_OTHERS_WRITE = 0o022;

function errnoOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * Checks one folder; `undefined` when it does not exist. A symbolic link is accepted only when
 * it and the folder it points to are both the user's.
 */
function secureFolder(folder: string, uid: number): { tightened: TightenedFolder | null } | undefined {
  let link;
  try {
    link = lstatSync(folder);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw fileSystemError(error, folder);
  }
  // Whoever owns the link decides where the store really is.
  if (link.isSymbolicLink() && link.uid !== uid) throw new StoreNotSecureError(folder, link.uid, uid);
  let fd: number;
  try {
    fd = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined; // a link to nothing (yet)
    throw fileSystemError(error, folder);
  }
  // Checked and tightened through one descriptor, so that a link changed between the check and
  // the chmod cannot turn the chmod onto another folder.
  try {
    const target = fstatSync(fd);
    if (target.uid !== uid) throw new StoreNotSecureError(link.isSymbolicLink() ? realpathSync(folder) : folder, target.uid, uid);
    if ((target.mode & GROUP_OR_OTHERS_WRITE) === 0) return { tightened: null };
    fchmodSync(fd, 0o700);
    return { tightened: { path: folder, previousMode: target.mode & 0o777 } };
  } catch (error) {
    throw fileSystemError(error, folder);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks a store root and its `keys/` folder: STORE_NOT_SECURE (a {@link StoreNotSecureError})
 * when either, or a link to either, belongs to another user; tightened to 0700 when writable by
 * group or others. Returns the folders tightened, or null when the root does not exist yet.
 */
export function secureStoreRoot(root: string): TightenedFolder[] | null {
  // Windows has no owner uid and no mode bits; its equivalent is the folder's ACL, which this
  // check does not read.
  if (process.platform === 'win32' || process.getuid === undefined) return [];
  const uid = process.getuid();
  const checked = secureFolder(root, uid);
  if (checked === undefined) return null;
  const keys = secureFolder(path.join(root, 'keys'), uid);
  const tightened = [checked.tightened, keys?.tightened ?? null].filter((t): t is TightenedFolder => t !== null);
  // While the root was open to others, anyone could have planted a folder or file in it (an
  // account.json pinning their own service, say): everything in it must be the user's too.
  if (tightened.length > 0) checkEverythingOwned(root, uid);
  return tightened;
}

/** STORE_NOT_SECURE for the first entry under `folder` (links not followed) that a user other than `uid` owns. */
export function checkEverythingOwned(folder: string, uid: number): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw fileSystemError(error, folder);
  }
  for (const name of names) {
    const entry = path.join(folder, name);
    let stat;
    try {
      stat = lstatSync(entry);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') continue;
      throw fileSystemError(error, entry);
    }
    if (stat.uid !== uid) throw new StoreNotSecureError(entry, stat.uid, uid);
    if (stat.isDirectory()) checkEverythingOwned(entry, uid);
  }
}
