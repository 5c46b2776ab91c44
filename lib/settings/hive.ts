/**
 * The registry's root keys. openrms reads settings from `HKLM` (machine-wide) and `HKCU` (the
 * user's); a `.reg` file may also name the other three roots Registry Editor knows, so that any
 * export parses, but the settings sources refuse them (nothing of openrms lives there).
 */
import { invalidArgument } from '../errors';

export type Hive = 'HKLM' | 'HKCU' | 'HKCR' | 'HKU' | 'HKCC';

/** Each hive's name as Registry Editor writes it in a `.reg` file. */
export const HIVE_LONG_NAMES: Readonly<Record<Hive, string>> = Object.freeze({
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKU: 'HKEY_USERS',
  HKCC: 'HKEY_CURRENT_CONFIG',
});

const BY_NAME: ReadonlyMap<string, Hive> = new Map(
  (Object.entries(HIVE_LONG_NAMES) as [Hive, string][]).flatMap(([short, long]) => [[short, short], [long, short]]),
);

/** The hive a short or long name stands for (`HKLM`, `hkey_local_machine`, ...), or undefined. */
export function hiveNamed(name: string): Hive | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** Like `hiveNamed`, for an argument: an unknown name is INVALID_ARGUMENT. */
export function requireHive(name: string, argument = 'hive'): Hive {
  const hive = typeof name === 'string' ? hiveNamed(name) : undefined;
  if (hive === undefined) throw invalidArgument(argument, 'HKLM, HKCU, HKCR, HKU or HKCC (or the HKEY_... name)');
  return hive;
}
