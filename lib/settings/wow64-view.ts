/**
 * The 32-bit view of the registry. On 64-bit Windows a 32-bit process that opens
 * `HKLM\SOFTWARE\Microsoft\MSIPC...` is given `HKLM\SOFTWARE\Wow6432Node\Microsoft\MSIPC...`, and
 * the RMS client deployment notes tell administrators to write the settings of 32-bit
 * applications there. A 32-bit (ia32) openrms reads its `.reg` files the same way, so one
 * deployment serves both kinds of process on every platform, as on Windows; it does not fall
 * back to the 64-bit key, since Windows does not. (The native Windows reader gets this from
 * Windows itself and is not wrapped.)
 */
import { Hive } from './hive';
import { isUnderKeyPath, joinKeyPath, splitKeyPath } from './key-path';
import { RegistryEntry, RegistrySource } from './registry-source';

const REDIRECTED = ['SOFTWARE', 'Microsoft', 'MSIPC'];
const WOW64_NODE = 'Wow6432Node';

/** Whether a process of architecture `arch` (a `process.arch` value) sees the 32-bit view. */
export function uses32BitView(arch: string): boolean {
  return arch === 'ia32';
}

/** The key a process of `arch` really reads when it asks for `keyPath` of `hive`. */
export function viewedKeyPath(hive: Hive, keyPath: string, arch: string): string {
  const segments = splitKeyPath(keyPath);
  if (!uses32BitView(arch) || hive !== 'HKLM' || !isUnderKeyPath(segments, REDIRECTED)) return keyPath;
  return joinKeyPath([segments[0]!, WOW64_NODE, ...segments.slice(1)]);
}

/** `source` as a process of `arch` sees it. */
export function registryView(source: RegistrySource, arch: string): RegistrySource {
  if (source.viewedBy !== undefined) return source.viewedBy(arch);
  if (!uses32BitView(arch)) return source;
  return {
    getValue: (hive: Hive, keyPath: string, name: string): RegistryEntry | undefined => source.getValue(hive, viewedKeyPath(hive, keyPath, arch), name),
    listValues: (hive: Hive, keyPath: string) => source.listValues(hive, viewedKeyPath(hive, keyPath, arch)),
    listSubkeys: (hive: Hive, keyPath: string) => source.listSubkeys(hive, viewedKeyPath(hive, keyPath, arch)),
  };
}
