/**
 * The service's data folder: its keys (PEM files, owner-only, generated on first start), its
 * settings file, the outbox where sign-up codes are written for want of a mail server, and
 * (unless the service runs on PostgreSQL) its SQLite database, `service.db`, opened by
 * storage/storage.ts. On SQLite everything the service knows lives here: back up the folder
 * and you have it all.
 */
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { KEY_PROFILES, KeyProfile } from '../crypto/key-profile';
import { DEFAULT_KEY_PROFILE, openKeysFolder, ServiceKeys, writePrivateFile } from './service-keys';

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
  /**
   * A postgres:// URL: the service's data in that PostgreSQL database (what `--db` gives, which
   * wins over it); null for SQLite in the data folder. Best without a password (PGPASSWORD or ~/.pgpass).
   */
  db: string | null;
  /**
   * The keys a new keys folder is made with: 'ec' (P-256, the default) or 'rsa' (RSA-2048). Keys
   * already in the folder are kept whatever it says; `openrms keys rotate --profile` changes them.
   */
  keyProfile: KeyProfile;
}

export const DEFAULT_SETTINGS: ServiceSettings = {
  name: 'openrms',
  individualsMayProtect: false,
  individualSignUp: true,
  accessTokenSeconds: 3600,
  oidc: null,
  db: null,
  keyProfile: DEFAULT_KEY_PROFILE,
};

export interface DataFolder {
  dir: string;
  /** The current signing key (keys.signing). */
  signingKey: AsymmetricKey;
  /** The current wrapping key (keys.wrapping). */
  wrappingKey: AsymmetricKey;
  /** The keys folder: current keys, key successions, earlier generations' wrapping keys (service-keys.ts). */
  keys: ServiceKeys;
  settings: ServiceSettings;
  outbox: string;
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
  if (s.db !== null && (typeof s.db !== 'string' || !/^postgres(ql)?:\/\//.test(s.db))) throw invalidArgument('service.json db', 'null or a postgres:// URL');
  if (!KEY_PROFILES.includes(s.keyProfile)) throw invalidArgument('service.json keyProfile', "'ec' or 'rsa'");
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

/**
 * Opens the data folder, creating what is missing (folder, keys, settings); with `given`, those
 * keys and settings instead of the folder's (a worker runs what its primary read: worker-keys.ts).
 */
export function openDataFolder(dir: string, given: { keys?: ServiceKeys; settings?: ServiceSettings } = {}): DataFolder {
  const root = path.resolve(dir);
  try {
    mkdirSync(path.join(root, 'keys'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(root, 'outbox'), { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    chmodSync(path.join(root, 'keys'), 0o700);
  } catch (error) {
    throw fileSystemError(error, root);
  }
  const settings = given.settings ?? loadSettings(path.join(root, 'service.json'));
  const keys = given.keys ?? openKeysFolder(path.join(root, 'keys'), settings.keyProfile);
  return { dir: root, signingKey: keys.signing, wrappingKey: keys.wrapping, keys, settings, outbox: path.join(root, 'outbox') };
}
