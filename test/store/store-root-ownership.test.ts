/**
 * The client store keeps private keys and licenses, so it refuses a root another local user owns
 * (who could read or plant them) and tightens one the user left writable by others. Run as root,
 * the tests hand folders and links to uid 65534; run as anyone else, they use a system folder
 * that is not theirs, so the refusals are proven either way.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { RmsClient, StoreNotSecureError } from '../../lib';
import { ClientStore } from '../../lib/store';
import { checkEverythingOwned } from '../../lib/store/store-ownership';
import { requireBuilt, ROOT } from '../support/built-package';

const UID = process.getuid!();
const IS_ROOT = UID === 0;
const OTHER_UID = 65534; // nobody

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-store-owner-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A folder that exists and belongs to another user. */
function foreignFolder(): string {
  if (IS_ROOT) {
    const folder = path.join(dir, 'theirs');
    mkdirSync(folder, { mode: 0o700 });
    chownSync(folder, OTHER_UID, OTHER_UID);
    return folder;
  }
  const folder = ['/var/empty', '/tmp', '/usr', '/'].find((f) => existsSync(f) && statSync(f).uid !== UID);
  if (folder === undefined) throw new Error('no folder of another user found to test with');
  return folder;
}

/** A symbolic link, not the user's, to a folder that is the user's. */
function foreignLinkToOwnFolder(): string {
  const target = path.join(dir, 'mine');
  mkdirSync(target, { mode: 0o700 });
  const link = path.join(dir, 'their-link');
  symlinkSync(target, link);
  if (IS_ROOT) {
    lchownSync(link, OTHER_UID, OTHER_UID);
    return link;
  }
  // Without root no link can be given away; a system link (merged /usr) is one the user does not own.
  const systemLink = ['/bin', '/sbin', '/lib', '/etc/mtab'].find((l) => existsSync(l) && lstatSync(l).isSymbolicLink() && lstatSync(l).uid !== UID);
  if (systemLink === undefined) throw new Error('no symbolic link of another user found to test with');
  return systemLink;
}

function openrms(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 60000 });
}

/** A file to ask `rights` about: the store is opened before the file is read. */
function notProtected(): string {
  const file = path.join(dir, 'plan.txt');
  writeFileSync(file, 'not protected');
  return file;
}

function refusal(fn: () => unknown): StoreNotSecureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreNotSecureError) return error;
    throw error;
  }
  throw new Error('the store was used');
}

describe('the client store root must be the user\'s own', () => {
  it('refuses a root owned by another user, naming the folder, its owner and the expected uid', () => {
    const theirs = foreignFolder();
    const error = refusal(() => RmsClient.open({ store: theirs }));
    expect(error).toMatchObject({ code: 'STORE_NOT_SECURE', path: theirs, ownerUid: statSync(theirs).uid, expectedUid: UID });
    expect(error.ownerUid).not.toBe(UID);
  });

  it('writes nothing into a root owned by another user', () => {
    const theirs = foreignFolder();
    const before = readdirSync(theirs);
    expect(refusal(() => new ClientStore(theirs).setCurrent('service-1')).code).toBe('STORE_NOT_SECURE');
    expect(readdirSync(theirs)).toEqual(before);
  });

  it('refuses a link to a folder of another user, naming that folder', () => {
    const theirs = foreignFolder();
    const link = path.join(dir, 'link-to-theirs');
    symlinkSync(theirs, link);
    const error = refusal(() => RmsClient.open({ store: link }));
    expect(error).toMatchObject({ code: 'STORE_NOT_SECURE', path: theirs, ownerUid: statSync(theirs).uid, expectedUid: UID });
  });

  it('refuses a link owned by another user even when it points to the user\'s folder', () => {
    const link = foreignLinkToOwnFolder();
    const error = refusal(() => new ClientStore(link).current());
    expect(error).toMatchObject({ code: 'STORE_NOT_SECURE', path: link, ownerUid: lstatSync(link).uid, expectedUid: UID });
  });

  it('refuses a keys/ folder owned by another user inside the user\'s root', () => {
    if (!IS_ROOT) {
      // Without root no folder can be given away inside the user's root; a link owned by the
      // user to another user's folder stands for it.
      symlinkSync(foreignFolder(), path.join(dir, 'keys'));
    } else {
      mkdirSync(path.join(dir, 'keys'), { mode: 0o700 });
      chownSync(path.join(dir, 'keys'), OTHER_UID, OTHER_UID);
    }
    const error = refusal(() => new ClientStore(dir).current());
    expect(error.code).toBe('STORE_NOT_SECURE');
    expect(error.ownerUid).not.toBe(UID);
  });

  it('tightens a root writable by others to 0700 and uses it', () => {
    chmodSync(dir, 0o777);
    const store = new ClientStore(dir);
    store.setCurrent('service-1');
    expect(store.current()).toBe('service-1');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a root that was open to others when another user planted something in it', () => {
    chmodSync(dir, 0o777);
    mkdirSync(path.join(dir, 'services', 'planted'), { recursive: true, mode: 0o777 });
    const planted = path.join(dir, 'services', 'planted', 'account.json');
    writeFileSync(planted, '{}');
    if (IS_ROOT) {
      chownSync(planted, OTHER_UID, OTHER_UID);
      const error = refusal(() => new ClientStore(dir).current());
      expect(error).toMatchObject({ code: 'STORE_NOT_SECURE', path: planted, ownerUid: OTHER_UID, expectedUid: UID });
    } else {
      // Without root nothing can be given away; the same walk, asked on behalf of another uid, must refuse what is ours.
      const error = refusal(() => checkEverythingOwned(dir, UID + 1));
      expect(error).toMatchObject({ code: 'STORE_NOT_SECURE', ownerUid: UID, expectedUid: UID + 1 });
    }
  });

  it('says in a process warning that it tightened a root (the CLI shows it)', () => {
    requireBuilt();
    chmodSync(dir, 0o777);
    const result = openrms(['rights', notProtected(), '--store', dir]);
    expect(result.stderr).toContain(`[OPENRMS_STORE_TIGHTENED] Warning: the store folder ${dir} was writable by other users (mode 777); it is now 0700`);
    expect(result.stderr).toContain('error: NOT_SIGNED_IN: ');
  });

  it('tightens a keys/ folder writable by others to 0700', () => {
    mkdirSync(path.join(dir, 'keys'));
    chmodSync(path.join(dir, 'keys'), 0o777);
    new ClientStore(dir).current();
    expect(statSync(path.join(dir, 'keys')).mode & 0o777).toBe(0o700);
  });

  it('creates a missing root 0700', () => {
    const root = path.join(dir, 'new', 'openrms');
    new ClientStore(root).setCurrent('service-1');
    expect(statSync(root).mode & 0o777).toBe(0o700);
  });

  it('is reported by the CLI as one line with the code, without a stack trace', () => {
    requireBuilt();
    const result = openrms(['rights', notProtected(), '--store', foreignFolder()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: STORE_NOT_SECURE: the store folder .* belongs to uid \d+, not to this user \(uid \d+\); use a folder of your own\n$/);
  });
});
