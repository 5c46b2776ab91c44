/**
 * The service's keys folder (`<data>/keys`, docs/operations.md "Keys and key rotation"):
 *
 * - `signing.pem`, `wrapping.pem`: the current generation, generated on first start. The
 *   signing key signs the SLC, RACs, CLCs, online PLs, ULs, templates and access tokens; the
 *   wrapping key's public half is in the SLC, and content keys are wrapped to it.
 * - `succession.json`: one key succession per rotation, oldest first, each signed by the
 *   signing key it retired (license/certificates.ts). The SLC carries them, so clients that
 *   pinned an earlier key trust the new one and what earlier keys signed still verifies.
 * - `retired/wrapping-<thumbprint>.pem`: the wrapping key of every earlier generation. Content
 *   published before a rotation has its key wrapped to one of them: they are kept for good.
 *
 * The keys are of one profile (docs/licenses.md "Key profiles"): `ec`, P-256 (ES256 signatures,
 * ECDH-ES wraps), or `rsa`, RSA-2048 (RS256, RSA-OAEP-256). The profile is chosen when keys are
 * made: service.json's keyProfile for a new folder's first keys, `rotateKeys`'s profile for a
 * new generation (else the current one's type). A folder's keys are whatever it holds.
 *
 * A retired signing key is not kept: nothing needs its private half once it has certified its
 * successor (its public half is in the succession). A rotation is written first as one file,
 * `rotation.json`, then applied file by file; a rotation interrupted (a crash, a full disk) is
 * applied at the next opening of the folder, so the folder never holds half of one.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

import { AsymmetricKey, jwkThumbprint } from '../crypto/asymmetric-key';
import { generateProfileKey, KeyProfile } from '../crypto/key-profile';
import { fileSystemError, RmsError } from '../errors';
import { issueKeySuccession, SuccessionClaims, verifySuccession } from '../license/certificates';
import { decodeJws } from '../license/jws';
import { KeyPins, KeyPurpose } from './storage/key-pins';

export interface ServiceKeys {
  signing: AsymmetricKey;
  wrapping: AsymmetricKey;
  /** The key successions from the first signing key to `signing`, oldest first; empty before the first rotation. */
  succession: readonly string[];
  /** The wrapping keys of earlier generations, by thumbprint: content published before a rotation opens with them. */
  retiredWrapping: ReadonlyMap<string, AsymmetricKey>;
}

/** A rotation written whole before it is applied (`rotation.json`). */
interface PendingRotation {
  signing: string;
  wrapping: string;
  /** The generation retired: its wrapping key, kept under retired/. */
  retiredWrapping: string;
  /** succession.json as it is once the rotation is applied. */
  succession: string[];
}

/** New deployments' profile: see docs/licenses.md "Key profiles" for why EC. */
export const DEFAULT_KEY_PROFILE: KeyProfile = 'ec';

const SIGNING = 'signing.pem';
const WRAPPING = 'wrapping.pem';
const SUCCESSION = 'succession.json';
const PENDING = 'rotation.json';
const RETIRED = 'retired';

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `file` whole or not at all (on disk before its name is), readable by its owner only. */
export function writePrivateFile(file: string, contents: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    syncFolder(path.dirname(file));
  } catch (error) {
    rmSync(temp, { force: true });
    throw fileSystemError(error, file);
  }
}

function readFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw fileSystemError(error, file);
  }
}

function readKey(file: string): AsymmetricKey | null {
  const pem = readFile(file);
  if (pem === null) return null;
  try {
    return AsymmetricKey.importPem(pem);
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `${file} is not a PEM private key`, { cause });
  }
}

/**
 * The key in `file`, generated when missing. The new key takes the name with a hard link, which
 * fails if another process (`serve` and `users add` starting together) got there first: then
 * that process's key is the one, read back from the file.
 */
function loadOrCreateKey(file: string, profile: KeyProfile): AsymmetricKey {
  const existing = readKey(file);
  if (existing !== null) return existing;
  const key = generateProfileKey(profile);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, key.exportPem({ includePrivate: true }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, file);
    return key;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw fileSystemError(error, file);
    key.close();
    return readKey(file)!;
  } finally {
    rmSync(temp, { force: true });
  }
}

function retiredFile(dir: string, thumbprint: string): string {
  return path.join(dir, RETIRED, `wrapping-${thumbprint}.pem`);
}

function readSuccession(dir: string): string[] {
  const file = path.join(dir, SUCCESSION);
  const text = readFile(file);
  if (text === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `${file} is not valid JSON`, { cause });
  }
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) throw new RmsError('INVALID_FORMAT', `${file} is not a list of key successions`);
  return value;
}

/** Applies a rotation written in rotation.json: each step writes known contents, so applying it again changes nothing. */
function applyPending(dir: string): void {
  const file = path.join(dir, PENDING);
  const text = readFile(file);
  if (text === null) return;
  let pending: PendingRotation;
  try {
    pending = JSON.parse(text) as PendingRotation;
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `${file} (a key rotation not yet applied) is not valid JSON: restore the keys folder from its backup`, { cause });
  }
  const retired = AsymmetricKey.importPem(pending.retiredWrapping);
  try {
    writePrivateFile(retiredFile(dir, retired.thumbprint()), pending.retiredWrapping);
  } finally {
    retired.close();
  }
  writePrivateFile(path.join(dir, SUCCESSION), `${JSON.stringify(pending.succession, null, 2)}\n`);
  writePrivateFile(path.join(dir, WRAPPING), pending.wrapping);
  writePrivateFile(path.join(dir, SIGNING), pending.signing);
  rmSync(file, { force: true });
  syncFolder(dir);
}

function makeFolders(dir: string): void {
  try {
    mkdirSync(path.join(dir, RETIRED), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileSystemError(error, dir);
  }
}

/**
 * Opens the keys folder `dir`, generating the first keys (of `profile`) when there are none and
 * finishing a rotation that was interrupted. The successions must lead to the current keys, and every
 * earlier generation's wrapping key must be there (FILE_NOT_FOUND naming it otherwise: content
 * published under it could not be opened).
 */
export function openKeysFolder(dir: string, profile: KeyProfile = DEFAULT_KEY_PROFILE): ServiceKeys {
  makeFolders(dir);
  applyPending(dir);
  const signing = loadOrCreateKey(path.join(dir, SIGNING), profile);
  const wrapping = loadOrCreateKey(path.join(dir, WRAPPING), profile);
  const succession = readSuccession(dir);
  let chain: ReturnType<typeof verifySuccession>;
  try {
    chain = verifySuccession(succession, { signing, wrapping });
  } catch (cause) {
    throw new RmsError('CONFLICT', `the keys in ${dir} are not those its ${SUCCESSION} leads to (${(cause as Error).message}): restore the keys folder from its backup`, { cause });
  }
  const retiredWrapping = new Map<string, AsymmetricKey>();
  for (const thumbprint of chain.wrapping.keys()) {
    if (thumbprint === wrapping.thumbprint()) continue;
    const key = readKey(retiredFile(dir, thumbprint));
    if (key === null || key.thumbprint() !== thumbprint) {
      throw new RmsError('FILE_NOT_FOUND', `${retiredFile(dir, thumbprint)} is missing or holds another key: content published before that key was rotated `
        + 'cannot be opened without it; restore it from the backup of the keys folder');
    }
    retiredWrapping.set(thumbprint, key);
  }
  return { signing, wrapping, succession, retiredWrapping };
}

export interface Rotation {
  /** Thumbprints of the generation retired. */
  retired: { signing: string; wrapping: string };
  /** Thumbprints of the new generation. */
  current: { signing: string; wrapping: string };
  /** Whether this call finished a rotation another one started (interrupted, or running at the same time) instead of rotating again. */
  resumed: boolean;
}

function thumbprints(keys: { signing: AsymmetricKey; wrapping: AsymmetricKey }): { signing: string; wrapping: string } {
  return { signing: keys.signing.thumbprint(), wrapping: keys.wrapping.thumbprint() };
}

function closeAll(keys: ServiceKeys): void {
  for (const key of [keys.signing, keys.wrapping, ...keys.retiredWrapping.values()]) key.close();
}

/** The last rotation of `keys`, as its succession names it. */
function lastRotation(keys: ServiceKeys, resumed: boolean): Rotation {
  const { payload } = decodeJws<SuccessionClaims>(keys.succession[keys.succession.length - 1]!);
  return { retired: { signing: payload.iss, wrapping: jwkThumbprint(payload.from.wrap) }, current: thumbprints(keys), resumed };
}

/**
 * Rotates the keys in `dir`: a new signing key and a new wrapping key of `profile` (default: the
 * current signing key's type), certified by the current signing key (`now` dates the succession). The rotation is written whole to rotation.json,
 * created exclusively, then applied: a rotation found pending (interrupted, or another one
 * running now) is finished instead of starting a second. Running services go on with the keys
 * they started with until they are restarted.
 */
export function rotateKeys(dir: string, now: number, profile?: KeyProfile): Rotation {
  makeFolders(dir);
  const pendingFile = path.join(dir, PENDING);
  if (readFile(pendingFile) !== null) return finishRotation(dir);
  const before = openKeysFolder(dir);
  const nextProfile = profile ?? before.signing.type;
  const next = { signing: generateProfileKey(nextProfile), wrapping: generateProfileKey(nextProfile) };
  const pending: PendingRotation = {
    signing: next.signing.exportPem({ includePrivate: true }),
    wrapping: next.wrapping.exportPem({ includePrivate: true }),
    retiredWrapping: before.wrapping.exportPem({ includePrivate: true }),
    succession: [...before.succession, issueKeySuccession(before, next, now)],
  };
  closeAll(before);
  next.signing.close();
  next.wrapping.close();
  const temp = `${pendingFile}.${process.pid}.tmp`;
  try {
    writePrivateFile(temp, JSON.stringify(pending));
    // The link fails when another rotation got there first: that one is then the rotation.
    linkSync(temp, pendingFile);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw fileSystemError(error, pendingFile);
    return finishRotation(dir);
  } finally {
    rmSync(temp, { force: true });
  }
  syncFolder(dir);
  applyPending(dir);
  const after = openKeysFolder(dir);
  const rotation = lastRotation(after, false);
  closeAll(after);
  return rotation;
}

function finishRotation(dir: string): Rotation {
  applyPending(dir);
  const after = openKeysFolder(dir);
  const rotation = lastRotation(after, true);
  closeAll(after);
  return rotation;
}

/**
 * Pins the keys' thumbprints in the database (KeyPins): at first start, or moved on from an
 * earlier generation of these keys after a rotation. Keys the database does not know at all (a
 * keys folder lost and made anew, another service's) are refused with CONFLICT: content and
 * licenses on record belong to the keys pinned.
 */
export async function pinKeys(pins: KeyPins, keys: ServiceKeys, where: { keysDir: string; database: string }): Promise<void> {
  const chain = verifySuccession(keys.succession, keys);
  const generations: [KeyPurpose, string, ReadonlySet<string>][] = [
    ['signing', keys.signing.thumbprint(), new Set(chain.signing.keys())],
    ['wrapping', keys.wrapping.thumbprint(), new Set(chain.wrapping.keys())],
  ];
  for (const [purpose, thumbprint, earlier] of generations) {
    let pinned = await pins.pin(purpose, thumbprint);
    // A rotation the database has not heard of yet (run with the database out of reach, or this the first instance restarted since).
    if (pinned !== thumbprint && earlier.has(pinned) && await pins.advance(purpose, pinned, thumbprint)) pinned = thumbprint;
    if (pinned !== thumbprint) {
      throw new RmsError('CONFLICT', `the ${purpose} key in ${where.keysDir} is ${thumbprint}, but the database ${where.database} belongs to key ${pinned}: `
        + 'restore that keys folder, or give every instance on this database the same keys folder (after a rotation, the rotated one)');
    }
  }
}
