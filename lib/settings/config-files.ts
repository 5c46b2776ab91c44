/**
 * What `openrms config` writes. In each `.reg` folder openrms owns one file, `openrms.reg`:
 * `set` and `unset` rewrite it (whole, atomically), leaving every other file as its author wrote
 * it. `import FILE.reg` copies a file's HKLM keys into the machine folder and its HKCU keys into
 * the user's, under the file's own name, after checking that the whole file parses and that every
 * setting it sets is valid: one error and nothing is written. `export` writes what the folders
 * hold as one Registry Editor file.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { AtomicFile } from '../format/atomic-file';
import { loadClientSettings, SettingsPlace } from './client-settings';
import { Hive, HIVE_LONG_NAMES } from './hive';
import { foldName } from './key-path';
import { NamedSetting, scopeRoot, SETTING_NAMES, settingNamed } from './msipc-settings';
import { applyRegFile, RegFile, RegOperation } from './reg-file';
import { parseRegFile } from './reg-file-parser';
import { exportOperations, writeRegFile } from './reg-file-writer';
import { loadRegFolders, MAX_REG_FILE_BYTES, readRegFile } from './reg-folders';
import { Registry } from './registry';
import { RegistryValue } from './registry-value';
import { InvalidRegFileError, InvalidSettingError } from './settings-errors';
import { viewedKeyPath } from './wow64-view';

/** The file openrms owns in each folder. */
export const OWNED_FILE = 'openrms.reg';

/** Where a named setting is stored in a place: hive, key (as the process sees it) and value name. */
export interface SettingAddress {
  /** The name as given (`Trace`, `FileProtection\txt`). */
  setting: string;
  hive: Hive;
  key: string;
  value: string;
  /** The `openrms.reg` file that holds it. */
  file: string;
}

export interface SetResult extends SettingAddress {
  data: RegistryValue;
}

export interface FileWritten {
  hive: Hive;
  file: string;
  keys: number;
  values: number;
}

/** The setting `name` stands for, or INVALID_ARGUMENT listing the names there are. */
export function requireSetting(name: string): NamedSetting {
  const named = typeof name === 'string' ? settingNamed(name) : undefined;
  if (named === undefined) throw invalidArgument('NAME', `one of ${SETTING_NAMES.join(', ')}`);
  return named;
}

/** Where `name` lives in `place`; a list setting needs its entry (`TrustedServers\host`). */
export function settingAddress(place: SettingsPlace, name: string): SettingAddress {
  const named = requireSetting(name);
  let location: { hive: Hive; key: string; value: string };
  if (named.kind === 'scalar') {
    const root = scopeRoot(named.definition.scope, place.mode, place.account);
    location = { hive: root.hive, key: named.definition.key === '' ? root.key : `${root.key}\\${named.definition.key}`, value: named.definition.value };
  } else {
    if (named.entry === undefined) throw invalidArgument('NAME', `${named.definition.name}\\ENTRY (an entry of the list)`);
    const root = scopeRoot('machine', place.mode, place.account);
    const key = `${root.key}\\${named.definition.key}`;
    const subkeyValue = named.definition.subkeyValue;
    location = subkeyValue === undefined ? { hive: root.hive, key, value: named.entry } : { hive: root.hive, key: `${key}\\${named.entry}`, value: subkeyValue };
  }
  const key = viewedKeyPath(location.hive, location.key, place.arch);
  return { setting: name, hive: location.hive, key, value: location.value, file: path.join(folderOf(place, location.hive), OWNED_FILE) };
}

/** Stores `text` as the setting `name` in its `openrms.reg`, after checking it as the setting's data. */
export async function setSetting(place: SettingsPlace, name: string, text: string | undefined): Promise<SetResult> {
  const named = requireSetting(name);
  const address = settingAddress(place, name);
  const parsed = named.kind === 'scalar'
    ? (text === undefined ? undefined : named.definition.parse(text))
    : named.definition.parse(named.entry!, text ?? '');
  if (parsed === undefined) throw invalidArgument('VALUE', `given for ${name}`);
  if (!parsed.ok) throw new RmsError('INVALID_ARGUMENT', `${name}: ${parsed.reason}`, { argument: 'VALUE' });
  const data = named.definition.toRegistry(parsed.value);
  const registry = readOwnedFile(address.file, address.hive);
  registry.setValue(address.hive, address.key, address.value, data);
  await writeFiles([{ hive: address.hive, file: address.file, operations: exportOperations(registry, address.hive) }]);
  return { ...address, data };
}

/** Removes the setting `name` from its `openrms.reg`; NOT_FOUND when that file does not set it. */
export async function unsetSetting(place: SettingsPlace, name: string): Promise<SettingAddress> {
  const address = settingAddress(place, name);
  const registry = readOwnedFile(address.file, address.hive);
  if (!registry.deleteValue(address.hive, address.key, address.value)) {
    throw new RmsError('NOT_FOUND', `${name} is not set in ${address.file} (openrms config get ${name} says where its value comes from)`);
  }
  registry.pruneEmptyKeys(address.hive);
  await writeFiles([{ hive: address.hive, file: address.file, operations: exportOperations(registry, address.hive) }]);
  return address;
}

/**
 * Imports a `.reg` file: its HKLM keys into the machine folder and its HKCU keys into the user's,
 * each as a file of the same name (replacing an earlier import of it). Refused whole, before
 * anything is written, on any line that does not parse, a key of another hive, or a setting
 * whose data is invalid.
 */
export async function importRegFile(place: SettingsPlace, source: string): Promise<FileWritten[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw fileSystemError(error, source);
  }
  if (bytes.length > MAX_REG_FILE_BYTES) throw new InvalidRegFileError(source, 1, `the file is over ${MAX_REG_FILE_BYTES} bytes, more than any settings file needs: refused`);
  const regFile = parseRegFile(bytes, source);
  const name = /\.reg$/i.test(path.basename(source)) ? path.basename(source) : `${path.basename(source)}.reg`;
  if (name.toLowerCase() === OWNED_FILE) throw invalidArgument('FILE', `named otherwise than ${OWNED_FILE}, the file openrms config set writes`);
  const byHive = new Map<Hive, RegOperation[]>();
  for (const operation of regFile.operations) {
    if (operation.hive !== 'HKLM' && operation.hive !== 'HKCU') {
      throw new InvalidRegFileError(source, operation.line, `${HIVE_LONG_NAMES[operation.hive]} holds no settings openrms reads: only HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER keys are imported`);
    }
    if (operation.hive === 'HKCU' && place.userFolder === undefined) {
      throw new InvalidRegFileError(source, operation.line, 'server mode reads no HKEY_CURRENT_USER settings: import the file without --server-mode');
    }
    byHive.set(operation.hive, [...(byHive.get(operation.hive) ?? []), operation]);
  }
  const targets = [...byHive].map(([hive, operations]) => ({ hive, file: path.join(folderOf(place, hive), name), operations }));
  // Check the folders as they will be, so that no setting of the file is refused later.
  const replacing: RegFile[] = targets.map((target) => parseRegFile(writeRegFile(target.operations), target.file));
  const settings = loadClientSettings({ ...placeOptions(place), registry: loadRegFolders(place.folders, replacing) });
  const refused = settings.report().find((line) => line.error !== undefined && targets.some((target) => target.file === line.error?.file))?.error;
  if (refused !== undefined) {
    // Name the line of the administrator's file, not of the copy that was never written.
    const line = [...regFile.operations].reverse().find((operation) => operation.kind === 'value' && operation.hive === refused.hive
      && foldName(operation.keyPath) === foldName(refused.key ?? '') && foldName(operation.name) === foldName(refused.value ?? ''))?.line;
    throw new InvalidSettingError(refused.setting, refused.reason, { hive: refused.hive, key: refused.key, value: refused.value, file: source, line });
  }
  return writeFiles(targets);
}

export interface ExportResult {
  file: string;
  hives: readonly Hive[];
  keys: number;
  values: number;
}

/** Writes what the folders of `hives` hold to `target` as one Registry Editor file. */
export async function exportRegFolders(place: SettingsPlace, target: string, hives: readonly Hive[]): Promise<ExportResult> {
  for (const hive of hives) folderOf(place, hive);
  const registry = loadRegFolders(place.folders.filter((folder) => hives.includes(folder.hive)));
  const operations = hives.flatMap((hive) => exportOperations(registry, hive));
  await writeAtomically([{ file: target, bytes: writeRegFile(operations), folderMode: folderMode(undefined) }]);
  return { file: target, hives, ...count(operations) };
}

function placeOptions(place: SettingsPlace) {
  return { mode: place.mode, account: place.account, storeRoot: place.storeRoot, machineFolder: place.machineFolder, env: place.env, arch: place.arch };
}

function folderOf(place: SettingsPlace, hive: Hive): string {
  if (hive === 'HKLM') return place.machineFolder;
  if (hive === 'HKCU' && place.userFolder !== undefined) return place.userFolder;
  throw invalidArgument('hive', hive === 'HKCU' ? 'HKLM in server mode (a service account has no HKCU settings)' : 'HKLM or HKCU');
}

/** The registry `openrms.reg` holds (empty when there is no such file yet). */
function readOwnedFile(file: string, hive: Hive): Registry {
  const registry = new Registry();
  let regFile: RegFile;
  try {
    regFile = readRegFile(file, hive);
  } catch (error) {
    if (error instanceof RmsError && error.code === 'FILE_NOT_FOUND') return registry;
    throw error;
  }
  applyRegFile(registry, regFile);
  return registry;
}

function count(operations: readonly RegOperation[]): { keys: number; values: number } {
  return { keys: operations.filter((operation) => operation.kind === 'key').length, values: operations.filter((operation) => operation.kind === 'value').length };
}

/**
 * The mode of a settings folder openrms creates, asked for explicitly: the default (0777 less
 * the umask) is group-writable under the umask 002 many systems use, and such a folder is
 * refused when read (reg-folders.ts). The machine folder is for every user's clients to read;
 * the user's lives in the store, the owner's alone.
 */
function folderMode(hive: Hive | undefined): number {
  return hive === 'HKCU' ? 0o700 : 0o755;
}

async function writeFiles(targets: readonly { hive: Hive; file: string; operations: readonly RegOperation[] }[]): Promise<FileWritten[]> {
  await writeAtomically(targets.map((target) => ({ file: target.file, bytes: writeRegFile(target.operations), folderMode: folderMode(target.hive) })));
  return targets.map((target) => ({ hive: target.hive, file: target.file, ...count(target.operations) }));
}

/**
 * Every file written in full before any takes its name, so that a failure (a folder that is not
 * writable, a full disk) leaves all of them as they were.
 */
async function writeAtomically(files: readonly { file: string; bytes: Buffer; folderMode: number }[]): Promise<void> {
  const open: AtomicFile[] = [];
  try {
    for (const { file, bytes, folderMode: mode } of files) {
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode });
      } catch (error) {
        throw fileSystemError(error, path.dirname(file));
      }
      const output = await AtomicFile.create(file, { overwrite: true, mode: 0o644 });
      open.push(output);
      await output.write(bytes);
    }
    for (const output of open) await output.commit();
  } catch (error) {
    await Promise.all(open.map((output) => output.discard()));
    throw error;
  }
}
