/**
 * Key paths: backslash-separated names below a hive (`SOFTWARE\Microsoft\MSIPC`), the empty path
 * being the hive itself. Windows compares key and value names without regard to case; openrms
 * folds ASCII letters only, so that the comparison never depends on the locale.
 */
import { invalidArgument } from '../errors';

/** The form two names are compared in. */
export function foldName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `keyPath` split into its segments; an empty segment (`A\\B`, a leading `\`) is INVALID_ARGUMENT. */
export function splitKeyPath(keyPath: string, argument = 'keyPath'): string[] {
  if (typeof keyPath !== 'string') throw invalidArgument(argument, 'a key path string');
  if (keyPath === '') return [];
  const segments = keyPath.split('\\');
  if (segments.some((segment) => segment === '')) throw invalidArgument(argument, 'a key path without empty segments');
  return segments;
}

export function joinKeyPath(segments: readonly string[]): string {
  return segments.join('\\');
}

/** Whether `path` is `prefix` or below it, comparing as Windows does. */
export function isUnderKeyPath(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => foldName(segment) === foldName(path[i]!));
}
