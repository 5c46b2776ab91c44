/**
 * Where the settings and the server-mode stores live on each platform.
 *
 *   machine-wide .reg files (HKLM)  OPENRMS_MACHINE_CONFIG, else /etc/openrms/registry (Linux,
 *                                   macOS), %ProgramData%\openrms\registry (Windows)
 *   the user's .reg files (HKCU)    <store root>/registry, so OPENRMS_HOME moves them
 *   a service account's store       OPENRMS_SERVER_HOME/<account>, else
 *   (server mode)                   /var/lib/openrms/server/<account> (Linux),
 *                                   /Library/Application Support/openrms/Server/<account> (macOS),
 *                                   %ProgramData%\openrms\Server\<account> (Windows)
 *
 * The machine-wide folders follow each platform's convention for configuration (/etc) and for
 * state kept by services (/var/lib, ProgramData), as MSIPC keeps server-mode state under
 * %ALLUSERSPROFILE%.
 */
import path from 'node:path';

import { invalidArgument } from '../errors';

/** The environment variables the folders are taken from. */
export const MACHINE_CONFIG_VARIABLE = 'OPENRMS_MACHINE_CONFIG';
export const SERVER_HOME_VARIABLE = 'OPENRMS_SERVER_HOME';

export interface PlatformOptions {
  env?: NodeJS.ProcessEnv;
  /** The platform whose conventions apply (default: this one). */
  platform?: NodeJS.Platform;
}

function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function programData(env: NodeJS.ProcessEnv): string {
  return env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
}

/** The folder of machine-wide `.reg` files (read for HKLM). */
export function machineRegistryFolder(options: PlatformOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths = pathsFor(platform);
  if (env[MACHINE_CONFIG_VARIABLE]) return paths.resolve(env[MACHINE_CONFIG_VARIABLE]);
  if (platform === 'win32') return paths.join(programData(env), 'openrms', 'registry');
  return '/etc/openrms/registry';
}

/** The folder of the user's `.reg` files (read for HKCU): `registry` under the store root. */
export function userRegistryFolder(storeRoot: string): string {
  if (typeof storeRoot !== 'string' || storeRoot === '') throw invalidArgument('storeRoot', 'a folder path');
  return path.join(storeRoot, 'registry');
}

/**
 * A service account's name as it may appear in a folder and a registry key: letters, digits and
 * `. _ - @ $`, at most 128 characters, not `.` or `..` (a Windows SID such as S-1-5-20 fits).
 */
export function requireAccountName(account: unknown): string {
  if (typeof account !== 'string' || !/^[A-Za-z0-9._@$-]{1,128}$/.test(account) || account === '.' || account === '..') {
    throw invalidArgument('account', 'a service account name of letters, digits and . _ - @ $ (at most 128)');
  }
  return account;
}

/** The store root of a service account in server mode. */
export function serverStoreRoot(account: string, options: PlatformOptions = {}): string {
  const name = requireAccountName(account);
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const paths = pathsFor(platform);
  if (env[SERVER_HOME_VARIABLE]) return paths.join(paths.resolve(env[SERVER_HOME_VARIABLE]), name);
  if (platform === 'win32') return paths.join(programData(env), 'openrms', 'Server', name);
  if (platform === 'darwin') return paths.join('/Library/Application Support/openrms/Server', name);
  return paths.join('/var/lib/openrms/server', name);
}
