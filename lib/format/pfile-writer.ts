/**
 * Writing the PFILE 3.0 header (layout in docs/format.md): magic, version, the cleartext
 * notice, the offset table, the original extension, the publishing license and optional
 * metadata, back to back; the content follows.
 */
import { invalidArgument } from '../errors';

/** openrms's cleartext notice: what someone who opens the file in a text editor reads. */
export const PFILE_NOTICE =
  '\r\n\r\nThis file is protected by openrms rights management. Its content is encrypted and can only be ' +
  'opened by the people its owner granted access to.\r\nTo open it, use an application built with openrms ' +
  '(for example `openrms unprotect`) or another client that reads protected files (.pfile).\r\n\r\n';

const MAGIC = Buffer.from('.pfile', 'latin1');
const TABLE_SIZE_V30 = 40;
const UNKNOWN_SIZE = 0xffffffffffffffffn;

export interface PfileHeaderFields {
  /** The original file extension, e.g. ".txt" (empty for none). */
  originalExtension: string;
  /** The serialized publishing license. */
  license: Uint8Array;
  metadata?: Uint8Array;
  /** The plaintext size when known. */
  originalSize?: number;
}

/** The bytes of a PFILE 3.0 file up to its content (whose offset is the returned length). */
export function buildPfileHeader(fields: PfileHeaderFields): Buffer {
  const extension = Buffer.from(fields.originalExtension, 'utf8');
  if (extension.length > 256 || /[\u0000-\u001f/\\]/.test(fields.originalExtension)) {
    throw invalidArgument('originalExtension', 'at most 256 bytes, without control characters or path separators');
  }
  if (!(fields.license instanceof Uint8Array) || fields.license.length === 0 || fields.license.length > 16 * 1024 * 1024) {
    throw invalidArgument('license', '1 byte to 16 MiB');
  }
  const metadata = fields.metadata ?? new Uint8Array(0);
  const notice = Buffer.from(PFILE_NOTICE, 'utf8');
  const tableOffset = MAGIC.length + 12 + notice.length;
  const extOffset = tableOffset + TABLE_SIZE_V30;
  const licenseOffset = extOffset + extension.length;
  const metadataOffset = licenseOffset + fields.license.length;
  const contentOffset = metadataOffset + metadata.length;
  if (contentOffset > 0xffffffff) throw invalidArgument('license', 'small enough for 32-bit offsets');

  const fixed = Buffer.alloc(tableOffset + TABLE_SIZE_V30);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt32LE(3, 6);
  fixed.writeUInt32LE(0, 10);
  fixed.writeUInt32LE(notice.length, 14);
  notice.copy(fixed, 18);
  let at = tableOffset;
  for (const value of [TABLE_SIZE_V30, extOffset, extension.length, licenseOffset, fields.license.length, contentOffset]) {
    fixed.writeUInt32LE(value, at);
    at += 4;
  }
  fixed.writeBigUInt64LE(fields.originalSize === undefined ? UNKNOWN_SIZE : BigInt(fields.originalSize), at);
  fixed.writeUInt32LE(metadataOffset, at + 8);
  fixed.writeUInt32LE(metadata.length, at + 12);
  return Buffer.concat([fixed, extension, fields.license, metadata]);
}
