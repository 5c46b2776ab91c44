/**
 * Reading the PFILE container (layout in docs/format.md): the header is parsed in native code
 * with every offset checked against the file size; this module reads the regions it names.
 * Reading a file touches only the header, the original extension and the publishing
 * license, never the content.
 */
import { FileHandle } from 'node:fs/promises';

import { fileSystemError, RmsError } from '../errors';
import { openInput } from './input-file';
import { native, NativeFileRegion, NativePfileHeader } from '../native';
import { requireBytes } from '../crypto/arguments';

export type PfileVersion = '2.0' | '2.1' | '3.0';
export type LicenseEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le';

export interface FileRegion {
  offset: number;
  length: number;
}

export interface PfileInfo {
  version: PfileVersion;
  /** The protected file's original extension, e.g. ".txt" (empty when none was recorded). */
  originalExtension: string;
  /** The serialized publishing license, as stored and as text. */
  license: { bytes: Buffer; text: string; encoding: LicenseEncoding };
  /** Where the encrypted content lies in the file. */
  content: FileRegion;
  /** Size of the original content when the container records it (2.1 and later). */
  originalSize: number | null;
  metadata: FileRegion;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

function invalid(message: string, cause?: unknown): RmsError {
  return new RmsError('INVALID_FORMAT', `not a valid PFILE: ${message}`, { cause });
}

/**
 * Decodes a publishing license: UTF-8 with or without BOM, or UTF-16LE (with BOM, or detected
 * by its zero bytes). Trailing NUL characters, which Microsoft clients write after the XML,
 * are dropped from the text (the bytes are kept as stored).
 */
export function decodeLicense(bytes: Uint8Array): { text: string; encoding: LicenseEncoding } {
  const decoded = decodeText(bytes);
  return { text: decoded.text.replace(/\u0000+$/, ''), encoding: decoded.encoding };
}

function decodeText(bytes: Uint8Array): { text: string; encoding: LicenseEncoding } {
  try {
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      return { text: utf8.decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
    }
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
      return { text: utf16le.decode(bytes.subarray(2)), encoding: 'utf-16le' };
    }
    // XML starts with '<': in UTF-16LE without a BOM that is 3C 00.
    if (bytes.length >= 2 && bytes.length % 2 === 0 && bytes[0] !== 0 && bytes[1] === 0) {
      return { text: utf16le.decode(bytes), encoding: 'utf-16le' };
    }
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch (cause) {
    throw invalid('the publishing license is not valid UTF-8 or UTF-16LE text', cause);
  }
}

function decodeExtension(bytes: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw invalid('the original extension is not UTF-8 text', cause);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f/\\]/.test(text)) throw invalid('the original extension holds control characters or path separators');
  return text;
}

function versionOf(h: NativePfileHeader): PfileVersion {
  return `${h.major}.${h.minor}` as PfileVersion;
}

function assemble(h: NativePfileHeader, extension: Uint8Array, license: Uint8Array): PfileInfo {
  const decoded = decodeLicense(license);
  return {
    version: versionOf(h),
    originalExtension: decodeExtension(extension),
    license: { bytes: Buffer.from(license), text: decoded.text, encoding: decoded.encoding },
    content: h.content,
    originalSize: h.originalSize,
    metadata: h.metadata,
  };
}

function slice(bytes: Uint8Array, region: NativeFileRegion): Uint8Array {
  return bytes.subarray(region.offset, region.offset + region.length);
}

/** A container read from a stream: where the content starts is known, not yet where it ends. */
export type StreamedPfileInfo = Omit<PfileInfo, 'content'> & { content: { offset: number } };

/**
 * The container described by a parsed header, from `head`: the file's bytes up to at least
 * the start of its content (every other region lies before it).
 */
export function pfileInfoFromHeader(h: NativePfileHeader, head: Uint8Array): StreamedPfileInfo {
  const info = assemble(h, slice(head, h.extension), slice(head, h.license));
  return { ...info, content: { offset: h.content.offset } };
}

/** Parses a whole protected file held in memory. */
export function parsePfile(file: Uint8Array): PfileInfo {
  requireBytes('file', file);
  const h = native.parsePfileHeader(file.subarray(0, native.pfileMaxPrefix), file.length);
  return assemble(h, slice(file, h.extension), slice(file, h.license));
}

/** True when `bytes` (a file's first bytes) start like a PFILE. */
export function hasPfileMagic(bytes: Uint8Array): boolean {
  return native.hasPfileMagic(requireBytes('bytes', bytes));
}

/** A container's information and its bytes up to the content, read from an open file. */
export interface PfileHead {
  info: PfileInfo;
  /** The file's first bytes: at least through the end of the license and metadata. */
  head: Buffer;
}

/** Reads exactly `length` bytes at `position`, or fails: the file changed size underneath. */
export async function readExactly(handle: FileHandle, buffer: Uint8Array, length: number, position: number): Promise<void> {
  for (let at = 0; at < length;) {
    const { bytesRead } = await handle.read(buffer, at, length - at, position + at);
    if (bytesRead === 0) throw new RmsError('IO_ERROR', 'the file changed size while being read');
    at += bytesRead;
  }
}

/**
 * Reads the container from an open file of `size` bytes, up to `extra` bytes into the content,
 * without reading the rest of the content.
 */
export async function readPfileHead(handle: FileHandle, size: number, extra = 0): Promise<PfileHead> {
  const prefix = Buffer.alloc(Math.min(size, native.pfileMaxPrefix));
  await readExactly(handle, prefix, prefix.length, 0);
  const h = native.parsePfileHeader(prefix, size);
  const headLength = Math.min(size, h.content.offset + extra);
  let head = prefix.subarray(0, headLength);
  if (headLength > prefix.length) {
    head = Buffer.alloc(headLength);
    prefix.copy(head);
    await readExactly(handle, head.subarray(prefix.length), headLength - prefix.length, prefix.length);
  }
  return { info: assemble(h, slice(head, h.extension), slice(head, h.license)), head };
}

/**
 * Reads a protected file's container information from disk without reading its content:
 * the header, the original extension and the publishing license.
 */
export async function readPfileInfo(path: string): Promise<PfileInfo> {
  const input = await openInput(path);
  try {
    return (await readPfileHead(input.handle, input.size)).info;
  } catch (error) {
    throw fileSystemError(error, path);
  } finally {
    await input.handle.close();
  }
}
