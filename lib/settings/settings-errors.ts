/**
 * The settings' errors carry what an administrator needs to fix them as fields, so that a caller
 * (or `openrms config --json`) never parses a message: the file and line of a `.reg` file, the
 * hive, key and value of a setting.
 */
import { RmsError } from '../errors';
import { Hive } from './hive';

/** `INVALID_REG_FILE`: line `line` of `file` cannot be read (or holds a key that file may not set). */
export class InvalidRegFileError extends RmsError {
  constructor(readonly file: string, readonly line: number, readonly reason: string, options: { cause?: unknown } = {}) {
    super('INVALID_REG_FILE', `${file}, line ${line}: ${reason}`, options);
    this.name = 'InvalidRegFileError';
  }
}

/** Where a setting's data was found, so the error can say what to fix. */
export interface SettingLocation {
  /** The registry value: hive, key and value name ('' for the default value). */
  hive?: Hive;
  key?: string;
  value?: string;
  /** The `.reg` file and line that set it, when it came from one. */
  file?: string;
  line?: number;
  /** The environment variable it came from, when it came from one. */
  variable?: string;
}

/** `INVALID_SETTING`: the data of setting `setting` is not what MSIPC defines for it. */
export class InvalidSettingError extends RmsError {
  readonly hive: Hive | undefined;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly variable: string | undefined;

  constructor(readonly setting: string, readonly reason: string, location: SettingLocation = {}) {
    super('INVALID_SETTING', `${setting}: ${reason} (${describeLocation(location)})`);
    this.name = 'InvalidSettingError';
    this.hive = location.hive;
    this.key = location.key;
    this.value = location.value;
    this.file = location.file;
    this.line = location.line;
    this.variable = location.variable;
  }
}

/** `HKLM\SOFTWARE\Microsoft\MSIPC\Trace, set by /etc/openrms/registry/site.reg line 4`, or the variable. */
export function describeLocation(location: SettingLocation): string {
  if (location.variable !== undefined) return `environment variable ${location.variable}`;
  const value = location.value === undefined ? '' : `\\${location.value === '' ? '(Default)' : location.value}`;
  const where = location.hive === undefined ? 'the options passed in code' : `${location.hive}\\${location.key ?? ''}${value}`;
  return location.file === undefined ? where : `${where}, set by ${location.file} line ${location.line ?? 0}`;
}
