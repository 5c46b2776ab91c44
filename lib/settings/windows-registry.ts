/**
 * The real registry, on Windows: a `RegistrySource` over the addon's registry reader
 * (native/src/binding/registry_functions.cc, built into the win32 binaries only). It reads
 * the view of a 64-bit or a 32-bit process as Windows gives it (KEY_WOW64_64KEY or
 * KEY_WOW64_32KEY), so a 32-bit process finds HKLM's MSIPC settings under `Wow6432Node` as a
 * 32-bit MSIPC client does, without the key-path rewriting the `.reg` folders need.
 */
import { RmsError } from '../errors';
import { Hive } from './hive';
import { joinKeyPath, splitKeyPath } from './key-path';
import { RegistryEntry, RegistrySource } from './registry-source';
import { RegistryValue } from './registry-value';
import { uses32BitView } from './wow64-view';

/** A value as the reader returns it: its name, type code and data bytes. */
type NativeEntry = [name: string, type: number, data: Buffer];

/** The reader's functions; each returns the Win32 error code when the key or value cannot be read. */
interface NativeRegistryReader {
  registryGetValue(hive: Hive, keyPath: string, name: string, view: 32 | 64): NativeEntry | number;
  registryListValues(hive: Hive, keyPath: string, view: 32 | 64): NativeEntry[] | number;
  registryListSubkeys(hive: Hive, keyPath: string, view: 32 | 64): string[] | number;
}

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;

function reader(): NativeRegistryReader {
  // Loaded on first use, so that the settings of other platforms never load the addon for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { native } = require('../native') as { native: Partial<NativeRegistryReader> };
  if (typeof native.registryGetValue !== 'function' || typeof native.registryListValues !== 'function' || typeof native.registryListSubkeys !== 'function') {
    throw new RmsError('NATIVE_ADDON_UNAVAILABLE', 'this build of the openrms addon has no registry reader: only the win32 builds have one');
  }
  return native as NativeRegistryReader;
}

function entryOf([name, type, data]: NativeEntry): RegistryEntry {
  return Object.freeze({ name, value: RegistryValue.raw(type, data) });
}

export class WindowsRegistry implements RegistrySource {
  private readonly native: NativeRegistryReader = reader();

  /** `view`: the registry of a 64-bit process (64) or of a 32-bit one (32); default, this process's. */
  constructor(readonly view: 32 | 64 = uses32BitView(process.arch) ? 32 : 64) {}

  /** The registry as a process of `arch` sees it: Windows redirects the 32-bit view itself. */
  viewedBy(arch: string): RegistrySource {
    const view = uses32BitView(arch) ? 32 : 64;
    return view === this.view ? this : new WindowsRegistry(view);
  }

  getValue(hive: Hive, keyPath: string, name: string): RegistryEntry | undefined {
    const result = this.native.registryGetValue(hive, checkedPath(keyPath), name, this.view);
    return typeof result === 'number' ? absent(result, hive, keyPath, undefined) : entryOf(result);
  }

  listValues(hive: Hive, keyPath: string): readonly RegistryEntry[] {
    const result = this.native.registryListValues(hive, checkedPath(keyPath), this.view);
    return typeof result === 'number' ? absent(result, hive, keyPath, []) : result.map(entryOf);
  }

  listSubkeys(hive: Hive, keyPath: string): readonly string[] {
    const result = this.native.registryListSubkeys(hive, checkedPath(keyPath), this.view);
    return typeof result === 'number' ? absent(result, hive, keyPath, []) : result;
  }
}

/** The path as Windows expects it: the same empty-segment check as the `.reg` folders. */
function checkedPath(keyPath: string): string {
  return joinKeyPath(splitKeyPath(keyPath));
}

/**
 * `none` when the key or value does not exist, as the `.reg` folders answer; any other
 * failure (a key the user may not read) is IO_ERROR naming the key, since silently reading no
 * settings would drop an administrator's policy.
 */
function absent<T>(status: number, hive: Hive, keyPath: string, none: T): T {
  if (status === ERROR_FILE_NOT_FOUND) return none;
  const reason = status === ERROR_ACCESS_DENIED ? 'access denied' : `Windows error ${status}`;
  throw new RmsError('IO_ERROR', `cannot read the registry key ${hive}\\${keyPath}: ${reason}`);
}
