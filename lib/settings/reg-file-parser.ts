/**
 * Reads `.reg` files as Registry Editor exports them and as administrators write them:
 *
 *   Windows Registry Editor Version 5.00        (or REGEDIT4)
 *   ; a comment
 *   [HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\MSIPC\ServiceLocation\EnterprisePublishing]
 *   @="https://rms.contoso.com/_wmcs/Licensing"  the key's default value
 *   "Name"="text with \\ and \" escaped"          REG_SZ
 *   "Trace"=dword:00000001                      REG_DWORD, 1 to 8 hex digits
 *   "Big"=hex(b):01,00,00,00,00,00,00,00         REG_QWORD (also qword:1 to 16 hex digits)
 *   "Data"=hex:de,ad,\                          REG_BINARY, continued on the next line
 *     be,ef
 *   "Path"=hex(2):25,00,..,00,00                 REG_EXPAND_SZ; hex(7): REG_MULTI_SZ; hex(N): type N
 *   "Old"=-                                     deletes the value
 *   [-HKEY_CURRENT_USER\Software\Old]           deletes the key and its subkeys
 *
 * Encodings: UTF-16LE with a byte order mark (what Registry Editor writes), UTF-8 with or without
 * one, and for REGEDIT4 files ANSI (read as Windows-1252), whose hex(1)/hex(2)/hex(7) data holds
 * ANSI strings that are stored as UTF-16LE, as Registry Editor does on import. Lines end in CRLF
 * or LF; a line may start with spaces or tabs; whitespace may surround `=`, and a `;` comment may
 * follow a value or key. Values that follow a `[-KEY]` line belong to no key and are skipped, as
 * Registry Editor skips them.
 *
 * Anything else is an `InvalidRegFileError` naming the file and the line: a string backslash
 * other than `\\` and `\"` (a Windows path written with single backslashes is the usual mistake,
 * and guessing would store the wrong path), a value before any key, a bad hex byte, a key
 * deeper or with a longer name than Windows allows.
 */
import { Hive, hiveNamed } from './hive';
import { splitKeyPath } from './key-path';
import { RegFile, RegFileFormat, RegOperation } from './reg-file';
import { MAX_TYPE_CODE, REGISTRY_TYPES, RegistryValue } from './registry-value';
import { InvalidRegFileError } from './settings-errors';
import { decodeWindows1252 } from './windows-1252';

const HEADERS: ReadonlyMap<string, RegFileFormat> = new Map([
  ['Windows Registry Editor Version 5.00', 'REGEDIT5'],
  ['REGEDIT4', 'REGEDIT4'],
]);

/**
 * Windows's own limits ("Registry element size limits"): a key name of at most 255 characters,
 * a tree at most 512 levels deep. A key past them could never be in a real registry, and one
 * thousands of levels deep would overflow the stack of every walk over the registry (export).
 */
const MAX_KEY_NAME_LENGTH = 255;
const MAX_KEY_DEPTH = 512;

/** Types whose `hex(N):` data is a string, ANSI in a REGEDIT4 file. */
const STRING_TYPES: ReadonlySet<number> = new Set([REGISTRY_TYPES.REG_SZ, REGISTRY_TYPES.REG_EXPAND_SZ, REGISTRY_TYPES.REG_MULTI_SZ]);

/** Parses a whole `.reg` file (its bytes, or text already decoded); `file` names it in errors. */
export function parseRegFile(input: Uint8Array | string, file: string): RegFile {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeRegFile(input, file);
  return new Parser(text.split(/\r?\n/), file).parse();
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.length <= bytes.length && prefix.every((byte, i) => bytes[i] === byte);
}

function decodeRegFile(bytes: Uint8Array, file: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (startsWith(bytes, [0xff, 0xfe])) return buffer.subarray(2).toString('utf16le');
  if (startsWith(bytes, [0xfe, 0xff])) throw new InvalidRegFileError(file, 1, 'UTF-16 big-endian is not a .reg encoding: save the file as UTF-16LE or UTF-8');
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return decodeUtf8(buffer.subarray(3), file);
  // Registry Editor's own exports always have the mark, but an editor may drop it.
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0) return buffer.toString('utf16le');
  if (buffer.subarray(0, 8).toString('latin1') === 'REGEDIT4') return decodeWindows1252(bytes);
  return decodeUtf8(buffer, file);
}

function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    // Find the line, so the administrator knows where to look.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        UTF8.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new InvalidRegFileError(file, line, 'this line is not UTF-8 text: save the file as UTF-16LE (as Registry Editor does) or UTF-8');
  }
}

/** The key the value lines below a `[...]` line belong to; `deleted` after `[-...]`. */
interface Section {
  hive: Hive;
  keyPath: string;
  deleted: boolean;
}

class Parser {
  private format: RegFileFormat = 'REGEDIT5';
  private readonly operations: RegOperation[] = [];
  private section: Section | null = null;
  /** Index of the line being read (0-based); a continued value moves it forward. */
  private index = 0;

  constructor(private readonly lines: readonly string[], private readonly file: string) {}

  parse(): RegFile {
    const header = HEADERS.get((this.lines[0] ?? '').replace(/[ \t]+$/, ''));
    if (header === undefined) throw this.error('not a .reg file: the first line must be "Windows Registry Editor Version 5.00" or "REGEDIT4"');
    this.format = header;
    for (this.index = 1; this.index < this.lines.length; this.index++) {
      const line = this.lines[this.index]!.replace(/^[ \t]+/, '');
      if (line === '' || line.startsWith(';')) continue;
      if (line.startsWith('[')) this.keyLine(line);
      else if (line.startsWith('"') || line.startsWith('@')) this.valueLine(line);
      else throw this.error(`not a key, a value or a comment: ${quote(line)}`);
    }
    return Object.freeze({ file: this.file, format: this.format, operations: Object.freeze(this.operations) });
  }

  private error(reason: string): InvalidRegFileError {
    return new InvalidRegFileError(this.file, this.index + 1, reason);
  }

  /** `[KEY]` or `[-KEY]`; the key ends at the line's last `]`, since a key name may hold one. */
  private keyLine(line: string): void {
    const end = line.lastIndexOf(']');
    if (end === -1) throw this.error('a key line must end with "]"');
    this.rest(line.slice(end + 1));
    const deleted = line[1] === '-';
    let name = line.slice(deleted ? 2 : 1, end);
    if (name.endsWith('\\')) name = name.slice(0, -1);
    const separator = name.indexOf('\\');
    const hive = hiveNamed(separator === -1 ? name : name.slice(0, separator));
    if (hive === undefined) throw this.error(`unknown root key in [${name}]: use HKEY_LOCAL_MACHINE or HKEY_CURRENT_USER`);
    const keyPath = separator === -1 ? '' : name.slice(separator + 1);
    let segments: string[];
    try {
      segments = splitKeyPath(keyPath);
    } catch {
      throw this.error(`the key [${name}] has an empty name between two backslashes`);
    }
    if (segments.length > MAX_KEY_DEPTH) throw this.error(`the key is ${segments.length} levels deep; the registry holds at most ${MAX_KEY_DEPTH}`);
    const long = segments.find((segment) => segment.length > MAX_KEY_NAME_LENGTH);
    if (long !== undefined) throw this.error(`the key name ${quote(long)} is ${long.length} characters long; the registry allows at most ${MAX_KEY_NAME_LENGTH}`);
    if (deleted && keyPath === '') throw this.error(`a root key cannot be deleted: [-${name}]`);
    this.section = { hive, keyPath, deleted };
    this.operations.push({ kind: deleted ? 'deleteKey' : 'key', hive, keyPath, line: this.index + 1 });
  }

  private valueLine(line: string): void {
    const first = this.index + 1;
    let name: string;
    let at: number;
    if (line.startsWith('@')) {
      name = '';
      at = 1;
    } else {
      ({ text: name, end: at } = this.quoted(line, 0));
    }
    at = skipBlanks(line, at);
    if (line[at] !== '=') throw this.error(`expected "=" after the value name ${name === '' ? '@' : quote(name)}`);
    at = skipBlanks(line, at + 1);
    const data = line.slice(at);
    const section = this.section;
    if (section === null) throw this.error('a value before any [KEY] line');
    const located = { hive: section.hive, keyPath: section.keyPath, line: first };
    let operation: RegOperation;
    if (data.startsWith('-')) {
      this.rest(data.slice(1));
      operation = { ...located, kind: 'deleteValue', name };
    } else {
      operation = { ...located, kind: 'value', name, value: this.valueData(data) };
    }
    if (!section.deleted) this.operations.push(operation);
  }

  private valueData(data: string): RegistryValue {
    if (data.startsWith('"')) {
      const { text, end } = this.quoted(data, 0);
      this.rest(data.slice(end));
      return RegistryValue.string(text);
    }
    const match = /^(dword|qword|hex(?:\(([0-9a-fA-F]{1,8})\))?):/i.exec(data);
    if (match === null) throw this.error(`unknown value data ${quote(data)}: expected "text", dword:, hex: or hex(N):, or - to delete`);
    const body = data.slice(match[0].length);
    const kind = match[1]!.toLowerCase();
    if (kind === 'dword' || kind === 'qword') return this.number(kind, body);
    const type = match[2] === undefined ? REGISTRY_TYPES.REG_BINARY : Number.parseInt(match[2], 16);
    if (type > MAX_TYPE_CODE) throw this.error(`type hex(${match[2]}) is larger than 0xffffffff`);
    const bytes = this.hexBytes(body);
    return RegistryValue.raw(type, this.format === 'REGEDIT4' && STRING_TYPES.has(type) ? ansiToUtf16(bytes) : bytes);
  }

  private number(kind: 'dword' | 'qword', body: string): RegistryValue {
    const digits = kind === 'dword' ? 8 : 16;
    const match = new RegExp(`^[0-9a-fA-F]{1,${digits}}`).exec(body);
    if (match === null) throw this.error(`${kind}: needs 1 to ${digits} hex digits`);
    this.rest(body.slice(match[0].length));
    const value = BigInt(`0x${match[0]}`);
    return kind === 'dword' ? RegistryValue.dword(Number(value)) : RegistryValue.qword(value);
  }

  /** Comma-separated hex bytes, continued on the next line after a trailing backslash. */
  private hexBytes(body: string): Uint8Array {
    const bytes: number[] = [];
    let text = body;
    for (;;) {
      let data = stripComment(text).replace(/[ \t]+$/, '');
      const continued = data.endsWith('\\');
      if (continued) data = data.slice(0, -1);
      const trimmed = data.trim();
      const tokens = trimmed === '' ? [] : trimmed.split(',').map((token) => token.trim());
      // A comma may end a line: before the backslash, as Registry Editor writes, or as a slip.
      if (tokens[tokens.length - 1] === '') tokens.pop();
      for (const token of tokens) {
        if (!/^[0-9a-fA-F]{1,2}$/.test(token)) throw this.error(`not a hex byte: ${quote(token)}`);
        bytes.push(Number.parseInt(token, 16));
      }
      if (!continued) return new Uint8Array(bytes);
      this.index++;
      if (this.index >= this.lines.length) {
        this.index--;
        throw this.error('the value continues ("\\" at the end of the line) past the end of the file');
      }
      text = this.lines[this.index]!.replace(/^[ \t]+/, '');
    }
  }

  /** A quoted name or string starting at `start`, with `\\` and `\"` unescaped. */
  private quoted(line: string, start: number): { text: string; end: number } {
    let text = '';
    for (let i = start + 1; i < line.length; i++) {
      const c = line[i]!;
      if (c === '"') return { text, end: i + 1 };
      if (c === '\\') {
        const next = line[i + 1];
        if (next !== '\\' && next !== '"') {
          throw this.error(next === undefined
            ? 'a string ends with a single backslash'
            : `unknown escape "\\${next}" in a string: write a backslash as \\\\ and a quote as \\"`);
        }
        text += next;
        i++;
        continue;
      }
      text += c;
    }
    throw this.error('a string is not closed with a quote on its line');
  }

  /** What may follow a key or a value on its line: blanks and a comment. */
  private rest(text: string): void {
    const remainder = stripComment(text).trim();
    if (remainder !== '') throw this.error(`unexpected ${quote(remainder)} after the end of the entry`);
  }
}

function skipBlanks(line: string, at: number): number {
  while (line[at] === ' ' || line[at] === '\t') at++;
  return at;
}

function stripComment(text: string): string {
  const semicolon = text.indexOf(';');
  return semicolon === -1 ? text : text.slice(0, semicolon);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

/** ANSI string bytes (Windows-1252) as the UTF-16LE Windows stores. */
function ansiToUtf16(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(decodeWindows1252(bytes), 'utf16le'));
}
