/**
 * The administrator's settings: the MSIPC registry, read from `.reg` files on every platform
 * (DESIGN decision 9). docs/settings.md lists every setting.
 */
export { ClientSettings, DEFAULT_TEMPLATE_UPDATE_SECONDS, loadClientSettings, settingsPlace } from './client-settings';
export type { LoadSettingsOptions, SettingReport, SettingSource, SettingsOverrides, SettingsPlace } from './client-settings';
export { exportRegFolders, importRegFile, OWNED_FILE, setSetting, unsetSetting } from './config-files';
export type { ExportResult, FileWritten, SettingAddress, SetResult } from './config-files';
export { HIVE_LONG_NAMES, hiveNamed } from './hive';
export type { Hive } from './hive';
export { FILE_PROTECTION_MODES } from './msipc-settings';
export type { FileProtection, FileProtectionMode, LicensingRedirection, SettingsMode, TrustedServer } from './msipc-settings';
export { applyRegFile } from './reg-file';
export type { RegFile, RegFileFormat, RegOperation } from './reg-file';
export { parseRegFile } from './reg-file-parser';
export { exportOperations, formatRegFile, writeRegFile } from './reg-file-writer';
export { loadRegFolders } from './reg-folders';
export type { RegFolder } from './reg-folders';
export { Registry } from './registry';
export type { RegistryEntry, RegistrySource, ValueOrigin } from './registry-source';
export { REGISTRY_TYPES, RegistryValue } from './registry-value';
export { InvalidRegFileError, InvalidSettingError } from './settings-errors';
export { machineRegistryFolder, serverStoreRoot, userRegistryFolder } from './settings-folders';
export { registryView } from './wow64-view';
