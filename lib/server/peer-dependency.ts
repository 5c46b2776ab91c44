/**
 * The service's database driver is an optional peer dependency of openrms (docs/architecture.md,
 * "The package"): an application that only protects and opens content installs no database
 * module, so the driver is required when the service first opens its database, never when
 * openrms itself loads.
 */
import { RmsError } from '../errors';

/**
 * `require(name)`, or DEPENDENCY_NOT_INSTALLED naming the package when it cannot be resolved.
 * A package that resolves but fails to load (a native module built for another Node) keeps its
 * own error: installing it again would not help.
 */
export function requirePeer<T>(name: string, neededBy: string): T {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (cause) {
    throw new RmsError('DEPENDENCY_NOT_INSTALLED',
      `${neededBy} needs the package ${name}, which is not installed beside openrms: run npm install ${name}`,
      { dependency: name, cause });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(entry) as T;
}
