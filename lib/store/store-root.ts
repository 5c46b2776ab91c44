/**
 * Where the client store lives: `--store DIR`, else `OPENRMS_HOME`, else the platform's usual
 * per-user data folder (`$XDG_DATA_HOME/openrms` or `~/.local/share/openrms` on Linux,
 * `~/Library/Application Support/openrms` on macOS, `%LOCALAPPDATA%\openrms` on Windows).
 */
import os from 'node:os';
import path from 'node:path';

export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENRMS_HOME) return path.resolve(env.OPENRMS_HOME);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'openrms');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'openrms');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'openrms');
}
