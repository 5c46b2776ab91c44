/**
 * The service's data folder: its keys (PEM files, owner-only, generated on first start), its
 * settings file, the outbox where sign-up codes are written for want of a mail server, and
 * (unless the service runs on PostgreSQL) its SQLite database, `service.db`, opened by
 * storage/storage.ts. On SQLite everything the service knows lives here: back up the folder
 * and you have it all.
 */
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import { fileSystemError, invalidArgument, RmsError } from '../errors';

export interface OidcSettings {
  /** The external issuer (`iss` of its tokens). */
  issuer: string;
  /** Where its signing keys are published (JWKS). */
  jwksUri: string;
  /** The audience its tokens must name (default: the service's URL). */
  audience?: string;
}

export interface ServiceSettings {
  /** Shown in the SLC and the discovery document. */
  name: string;
  /** Whether individuals (self-service sign-up) may protect content, not only open it. */
  individualsMayProtect: boolean;
  /** Whether self-service sign-up ("RMS for individuals") is open. */
  individualSignUp: boolean;
  /** Lifetime of the access tokens the service issues. */
  accessTokenSeconds: number;
  /** Accept tokens from this OpenID Connect issuer too. */
  oidc: OidcSettings | null;
}

export const DEFAULT_SETTINGS: ServiceSettings = {
  name: 'openrms',
  individualsMayProtect: false,
  individualSignUp: true,
  accessTokenSeconds: 3600,
  oidc: null,
};

export interface DataFolder {
  dir: string;
  signingKey: AsymmetricKey;
  wrappingKey: AsymmetricKey;
  settings: ServiceSettings;
  outbox: string;
}

/** Writes `file` whole or not at all, readable by its owner only. */
function writePrivateFile(file: string, contents: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents, { mode: 0o600 });
  renameSync(temp, file);
}

function readKey(file: string): AsymmetricKey | null {
  try {
    return AsymmetricKey.importPem(readFileSync(file));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw fileSystemError(error, file);
  }
}

/**
 * The key in `file`, generated when missing. The new key takes the name with a hard link, which
 * fails if another process (`serve` and `users add` starting together) got there first: then
 * that process's key is the one, read back from the file.
 */
function loadOrCreateKey(file: string): AsymmetricKey {
  const existing = readKey(file);
  if (existing !== null) return existing;
  const key = AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, key.exportPem({ includePrivate: true }), { mode: 0o600 });
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

function checkSettings(value: unknown): ServiceSettings {
  if (typeof value !== 'object' || value === null) throw new RmsError('INVALID_FORMAT', 'service.json is not a JSON object');
  const s = { ...DEFAULT_SETTINGS, ...(value as Partial<ServiceSettings>) };
  if (typeof s.name !== 'string' || s.name === '') throw invalidArgument('service.json name', 'a non-empty string');
  for (const flag of ['individualsMayProtect', 'individualSignUp'] as const) {
    if (typeof s[flag] !== 'boolean') throw invalidArgument(`service.json ${flag}`, 'true or false');
  }
  if (!Number.isInteger(s.accessTokenSeconds) || s.accessTokenSeconds < 60) throw invalidArgument('service.json accessTokenSeconds', 'an integer of at least 60');
  if (s.oidc !== null && (typeof s.oidc?.issuer !== 'string' || typeof s.oidc?.jwksUri !== 'string')) {
    throw invalidArgument('service.json oidc', 'null or { issuer, jwksUri }');
  }
  return s;
}

function loadSettings(file: string): ServiceSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw fileSystemError(error, file);
    writePrivateFile(file, `${JSON.stringify(DEFAULT_SETTINGS, null, 2)}\n`);
    return { ...DEFAULT_SETTINGS };
  }
  try {
    return checkSettings(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof RmsError) throw cause;
    throw new RmsError('INVALID_FORMAT', `${file} is not valid JSON`, { cause });
  }
}

/** Opens the data folder, creating what is missing (folder, keys, settings). */
export function openDataFolder(dir: string): DataFolder {
  const root = path.resolve(dir);
  try {
    mkdirSync(path.join(root, 'keys'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(root, 'outbox'), { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    chmodSync(path.join(root, 'keys'), 0o700);
  } catch (error) {
    throw fileSystemError(error, root);
  }
  const settings = loadSettings(path.join(root, 'service.json'));
  const signingKey = loadOrCreateKey(path.join(root, 'keys', 'signing.pem'));
  const wrappingKey = loadOrCreateKey(path.join(root, 'keys', 'wrapping.pem'));
  return { dir: root, signingKey, wrappingKey, settings, outbox: path.join(root, 'outbox') };
}
