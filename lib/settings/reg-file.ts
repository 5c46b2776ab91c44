/**
 * A `.reg` file read into the operations it stands for, in file order: create a key, delete a
 * key and its subkeys, set a value, delete a value. A file is parsed whole first (see
 * reg-file-parser.ts) and applied after, so a malformed line leaves the registry untouched.
 */
import { Hive } from './hive';
import { Registry } from './registry';
import { RegistryValue } from './registry-value';

interface Located {
  hive: Hive;
  keyPath: string;
  /** The line of the file the operation is on (for a value continued over lines, its first). */
  line: number;
}

export type RegOperation =
  | (Located & { kind: 'key' })
  | (Located & { kind: 'deleteKey' })
  | (Located & { kind: 'value'; name: string; value: RegistryValue })
  | (Located & { kind: 'deleteValue'; name: string });

/** `REGEDIT4` (ANSI, Windows 95/NT4) or `Windows Registry Editor Version 5.00` (Unicode). */
export type RegFileFormat = 'REGEDIT4' | 'REGEDIT5';

export interface RegFile {
  /** The name the file was read under, for errors and for where a value came from. */
  readonly file: string;
  readonly format: RegFileFormat;
  readonly operations: readonly RegOperation[];
}

/** Applies the file's operations in order; each value remembers its file and line. */
export function applyRegFile(registry: Registry, regFile: RegFile): void {
  for (const operation of regFile.operations) {
    switch (operation.kind) {
      case 'key':
        registry.createKey(operation.hive, operation.keyPath);
        break;
      case 'deleteKey':
        registry.deleteKey(operation.hive, operation.keyPath);
        break;
      case 'value':
        registry.setValue(operation.hive, operation.keyPath, operation.name, operation.value, { file: regFile.file, line: operation.line });
        break;
      case 'deleteValue':
        registry.deleteValue(operation.hive, operation.keyPath, operation.name);
        break;
    }
  }
}
