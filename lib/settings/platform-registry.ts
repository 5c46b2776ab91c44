/**
 * The registry the settings read by default: Windows's own on Windows, the `.reg` folders
 * everywhere else (where `folders` says).
 */
import { loadRegFolders, RegFolder } from './reg-folders';
import { RegistrySource } from './registry-source';
import { WindowsRegistry } from './windows-registry';

export function platformRegistry(folders: readonly RegFolder[]): RegistrySource {
  return process.platform === 'win32' ? new WindowsRegistry() : loadRegFolders(folders);
}
