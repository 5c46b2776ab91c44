/**
 * Where the settings read the registry from: the `.reg` folders (reg-folders.ts) outside
 * Windows, the real registry through the addon's reader (windows-registry.ts) on Windows, behind
 * this one interface, so the settings never know which one they read.
 */
import { Hive } from './hive';
import { RegistryValue } from './registry-value';

/** The line of a `.reg` file a value was set by. */
export interface ValueOrigin {
  file: string;
  line: number;
}

export interface RegistryEntry {
  /** The value's name as written; '' is the key's default value (`@` in a `.reg` file). */
  readonly name: string;
  readonly value: RegistryValue;
  /** Where it was set, when it came from a `.reg` file. */
  readonly origin?: ValueOrigin;
}

export interface RegistrySource {
  /** The value `name` ('' for the default) of the key at `keyPath` below `hive`, if there is one. */
  getValue(hive: Hive, keyPath: string, name: string): RegistryEntry | undefined;
  /** The values of a key, in the order they were set; none when the key does not exist. */
  listValues(hive: Hive, keyPath: string): readonly RegistryEntry[];
  /** The names of a key's subkeys as written; none when the key does not exist. */
  listSubkeys(hive: Hive, keyPath: string): readonly string[];
  /**
   * The registry as a process of `arch` sees it, from a source that gives that view itself (the
   * Windows registry). Without it, `registryView` rewrites the key paths to `Wow6432Node`.
   */
  viewedBy?(arch: string): RegistrySource;
}
