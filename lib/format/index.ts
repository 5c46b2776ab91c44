/** Protected content: the PFILE container and the content cipher modes. */
export * as sectorCipher from './sector-cipher';
export type { SectorMode, BlockOptions } from './sector-cipher';
export { decodeLicense, hasPfileMagic, parsePfile, readPfileInfo } from './pfile-reader';
export type { FileRegion, LicenseEncoding, PfileInfo, PfileVersion } from './pfile-reader';
export { buildPfileHeader, PFILE_NOTICE } from './pfile-writer';
export type { PfileHeaderFields } from './pfile-writer';
export * as gcmStream from './gcm-stream';
export type { ProtectOptions, UnprotectedContent } from './gcm-stream';
