/**
 * A registry value as Windows keeps it: a type code and the bytes of its data. Strings are
 * UTF-16LE with a terminating NUL (REG_SZ, REG_EXPAND_SZ), REG_MULTI_SZ is NUL-separated strings
 * ending in an empty one, REG_DWORD four little-endian bytes, REG_QWORD eight. Keeping the bytes,
 * not a decoded form, is what lets any `hex(N):` value of a `.reg` file round-trip unchanged
 * (a REG_DWORD of two bytes, a string without its NUL, a type no one defined); the typed
 * constructors and readers below are how the rest of openrms makes and reads values.
 */
import { invalidArgument } from '../errors';

/** The value types of winnt.h, by code. */
export const REGISTRY_TYPES = Object.freeze({
  REG_NONE: 0,
  REG_SZ: 1,
  REG_EXPAND_SZ: 2,
  REG_BINARY: 3,
  REG_DWORD: 4,
  REG_DWORD_BIG_ENDIAN: 5,
  REG_LINK: 6,
  REG_MULTI_SZ: 7,
  REG_RESOURCE_LIST: 8,
  REG_FULL_RESOURCE_DESCRIPTOR: 9,
  REG_RESOURCE_REQUIREMENTS_LIST: 10,
  REG_QWORD: 11,
});

export type RegistryTypeName = keyof typeof REGISTRY_TYPES;

const TYPE_NAMES: readonly string[] = Object.keys(REGISTRY_TYPES);

/** The largest type code a `.reg` file can name (`hex(ffffffff):`). */
export const MAX_TYPE_CODE = 0xffffffff;

export class RegistryValue {
  private readonly bytes: Uint8Array;

  private constructor(readonly type: number, data: Uint8Array) {
    this.bytes = Uint8Array.from(data);
    Object.freeze(this);
  }

  /** A value of any type code with these exact bytes (copied). */
  static raw(type: number, data: Uint8Array): RegistryValue {
    if (!Number.isInteger(type) || type < 0 || type > MAX_TYPE_CODE) throw invalidArgument('type', 'a registry type code from 0 to 0xffffffff');
    if (!(data instanceof Uint8Array)) throw invalidArgument('data', 'a Uint8Array');
    return new RegistryValue(type, data);
  }

  static string(text: string): RegistryValue {
    return new RegistryValue(REGISTRY_TYPES.REG_SZ, utf16z(text));
  }

  static expandString(text: string): RegistryValue {
    return new RegistryValue(REGISTRY_TYPES.REG_EXPAND_SZ, utf16z(text));
  }

  static multiString(items: readonly string[]): RegistryValue {
    if (items.some((item) => item.includes('\0') || item === '')) throw invalidArgument('items', 'strings that are not empty and hold no NUL');
    return new RegistryValue(REGISTRY_TYPES.REG_MULTI_SZ, utf16z(items.map((item) => `${item}\0`).join('')));
  }

  static dword(value: number): RegistryValue {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw invalidArgument('value', 'an integer from 0 to 0xffffffff');
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, value, true);
    return new RegistryValue(REGISTRY_TYPES.REG_DWORD, data);
  }

  static qword(value: bigint): RegistryValue {
    if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) throw invalidArgument('value', 'a bigint from 0 to 2^64-1');
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigUint64(0, value, true);
    return new RegistryValue(REGISTRY_TYPES.REG_QWORD, data);
  }

  static binary(data: Uint8Array): RegistryValue {
    return RegistryValue.raw(REGISTRY_TYPES.REG_BINARY, data);
  }

  /** A copy of the data bytes. */
  get data(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** `REG_SZ`, ..., or `REG_TYPE_<code>` for a code winnt.h does not name. */
  get typeName(): string {
    return TYPE_NAMES[this.type] ?? `REG_TYPE_${this.type}`;
  }

  /** The text of a REG_SZ or REG_EXPAND_SZ, read up to its first NUL as Windows readers do. */
  asString(): string | undefined {
    if (this.type !== REGISTRY_TYPES.REG_SZ && this.type !== REGISTRY_TYPES.REG_EXPAND_SZ) return undefined;
    const text = decodeUtf16(this.bytes);
    const end = text.indexOf('\0');
    return end === -1 ? text : text.slice(0, end);
  }

  /** The strings of a REG_MULTI_SZ, up to the empty one that ends the list. */
  asStrings(): string[] | undefined {
    if (this.type !== REGISTRY_TYPES.REG_MULTI_SZ) return undefined;
    const items: string[] = [];
    for (const item of decodeUtf16(this.bytes).split('\0')) {
      if (item === '') break;
      items.push(item);
    }
    return items;
  }

  /** The number of a REG_DWORD of exactly four bytes. */
  asDword(): number | undefined {
    if (this.type !== REGISTRY_TYPES.REG_DWORD || this.bytes.length !== 4) return undefined;
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, 4).getUint32(0, true);
  }

  /** The number of a REG_QWORD of exactly eight bytes. */
  asQword(): bigint | undefined {
    if (this.type !== REGISTRY_TYPES.REG_QWORD || this.bytes.length !== 8) return undefined;
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, 8).getBigUint64(0, true);
  }

  equals(other: RegistryValue): boolean {
    return this.type === other.type && Buffer.from(this.bytes).equals(Buffer.from(other.bytes));
  }

  /** How `openrms config` shows the value: its text, number or list, else hex bytes. */
  toDisplayString(): string {
    const text = this.asString() ?? this.asStrings()?.join(', ');
    if (text !== undefined) return text;
    const number = this.asDword() ?? this.asQword();
    if (number !== undefined) return `${number} (0x${number.toString(16)})`;
    return Buffer.from(this.bytes).toString('hex').replace(/(..)(?=.)/g, '$1,');
  }
}

/** `text` as UTF-16LE followed by one NUL, the way Windows stores a string value. */
export function utf16z(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${text}\0`, 'utf16le'));
}

/** UTF-16LE bytes as text; an odd last byte is dropped, as Windows readers do. */
export function decodeUtf16(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length - (bytes.length % 2)).toString('utf16le');
}
