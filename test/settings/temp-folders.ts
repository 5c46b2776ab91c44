/** Temporary machine and user folders of real `.reg` files, for the settings tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const V5 = 'Windows Registry Editor Version 5.00';

export interface SettingsFolders {
  /** The machine-wide `.reg` folder (OPENRMS_MACHINE_CONFIG). */
  machine: string;
  /** The store root (OPENRMS_HOME); the user's `.reg` files are in its `registry` folder. */
  home: string;
  /** Writes a file into the machine folder (`lines` joined with CRLF). */
  machineFile(name: string, ...lines: string[]): string;
  /** Writes a file into the user's folder. */
  userFile(name: string, ...lines: string[]): string;
  /** The environment that points openrms at these folders. */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

export function settingsFolders(): SettingsFolders {
  const root = mkdtempSync(path.join(tmpdir(), 'openrms-settings-'));
  const machine = path.join(root, 'machine');
  const home = path.join(root, 'home');
  mkdirSync(machine);
  mkdirSync(home, { mode: 0o700 });
  const write = (folder: string, name: string, lines: string[]): string => {
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, name);
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    return file;
  };
  return {
    machine,
    home,
    machineFile: (name, ...lines) => write(machine, name, lines),
    userFile: (name, ...lines) => write(path.join(home, 'registry'), name, lines),
    env: { OPENRMS_MACHINE_CONFIG: machine, OPENRMS_HOME: home },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
