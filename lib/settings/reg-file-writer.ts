/**
 * Writes `.reg` files the way Registry Editor exports them: `Windows Registry Editor Version
 * 5.00`, UTF-16LE with a byte order mark, CRLF line ends, a blank line after each key; strings
 * as "quoted text", REG_DWORD as dword:, everything else as hex(N): bytes wrapped with a trailing
 * backslash once a line reaches 77 columns (so no line passes 80), continuation lines indented
 * by two spaces. reg-file-parser.ts reads back exactly what this writes.
 */
import { invalidArgument } from '../errors';
import { Hive, HIVE_LONG_NAMES } from './hive';
import { foldName } from './key-path';
import { RegOperation } from './reg-file';
import { Registry } from './registry';
import { decodeUtf16, REGISTRY_TYPES, RegistryValue } from './registry-value';

export const REG_FILE_HEADER = 'Windows Registry Editor Version 5.00';

/** The column at which Registry Editor breaks a line of hex bytes. */
const WRAP_COLUMN = 77;

/**
 * The operations that recreate the key at `keyPath` of `hive` with its values and subkeys. A key
 * with neither values nor its own line to keep (it has subkeys, which create it) is left out, so
 * an export of a hive does not open with a line for every key above the settings.
 */
export function exportOperations(registry: Registry, hive: Hive, keyPath = ''): RegOperation[] {
  const keys = registry.walk(hive, keyPath);
  return keys.flatMap(({ keyPath: path, values }, i): RegOperation[] => {
    const hasSubkeys = i + 1 < keys.length && keys[i + 1]!.keyPath.startsWith(path === '' ? '' : `${path}\\`);
    if (values.length === 0 && hasSubkeys) return [];
    return [
      { kind: 'key', hive, keyPath: path, line: 0 },
      ...values.map((entry): RegOperation => ({ kind: 'value', hive, keyPath: path, name: entry.name, value: entry.value, line: 0 })),
    ];
  });
}

/** The text of a Version 5.00 file holding `operations` (lines end in CRLF). */
export function formatRegFile(operations: readonly RegOperation[]): string {
  const lines = [REG_FILE_HEADER];
  let current: string | null = null;
  for (const operation of operations) {
    const key = keyName(operation.hive, operation.keyPath);
    if (operation.kind === 'deleteKey') {
      lines.push('', `[-${key}]`);
      current = null;
      continue;
    }
    if (current === null || foldName(current) !== foldName(key) || operation.kind === 'key') {
      lines.push('', `[${key}]`);
      current = key;
    }
    if (operation.kind === 'value') lines.push(valueLine(operation.name, operation.value));
    else if (operation.kind === 'deleteValue') lines.push(`${nameText(operation.name)}=-`);
  }
  lines.push('', '');
  return lines.join('\r\n');
}

/** `text` as Registry Editor stores a Version 5.00 file: a byte order mark, then UTF-16LE. */
export function encodeRegFile(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A whole file: `formatRegFile` encoded with `encodeRegFile`. */
export function writeRegFile(operations: readonly RegOperation[]): Buffer {
  return encodeRegFile(formatRegFile(operations));
}

function keyName(hive: Hive, keyPath: string): string {
  if (/[\r\n]/.test(keyPath)) throw invalidArgument('keyPath', 'a key name without line breaks (a .reg file cannot hold one)');
  return keyPath === '' ? HIVE_LONG_NAMES[hive] : `${HIVE_LONG_NAMES[hive]}\\${keyPath}`;
}

function nameText(name: string): string {
  if (/[\r\n]/.test(name)) throw invalidArgument('name', 'a value name without line breaks (a .reg file cannot hold one)');
  return name === '' ? '@' : `"${escape(name)}"`;
}

function escape(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`);
}

function valueLine(name: string, value: RegistryValue): string {
  const prefix = `${nameText(name)}=`;
  const text = quotableString(value);
  if (text !== undefined) return `${prefix}"${escape(text)}"`;
  const dword = value.asDword();
  if (dword !== undefined) return `${prefix}dword:${dword.toString(16).padStart(8, '0')}`;
  const type = value.type === REGISTRY_TYPES.REG_BINARY ? 'hex:' : `hex(${value.type.toString(16)}):`;
  return prefix + type + hexBytes(value.data, prefix.length + type.length);
}

/** A REG_SZ's text when `"text"` stores exactly its bytes: one final NUL, no other, no line break. */
function quotableString(value: RegistryValue): string | undefined {
  if (value.type !== REGISTRY_TYPES.REG_SZ || value.size % 2 !== 0 || value.size < 2) return undefined;
  const text = decodeUtf16(value.data);
  const body = text.slice(0, -1);
  if (!text.endsWith('\0') || /[\0\r\n]/.test(body)) return undefined;
  return body;
}

/** `de,ad,...` with `\` CRLF and two spaces once a line reaches the wrap column. */
function hexBytes(data: Uint8Array, column: number): string {
  let text = '';
  for (let i = 0; i < data.length; i++) {
    text += data[i]!.toString(16).padStart(2, '0');
    if (i === data.length - 1) break;
    text += ',';
    column += 3;
    if (column >= WRAP_COLUMN) {
      text += '\\\r\n  ';
      column = 2;
    }
  }
  return text;
}
