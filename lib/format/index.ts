/** Protected content: the PFILE container and the content cipher modes. */
export * as sectorCipher from './sector-cipher';
export type { SectorMode, BlockOptions } from './sector-cipher';
export { decodeLicense, hasPfileMagic, parsePfile, readPfileInfo } from './pfile-reader';
export type { FileRegion, LicenseEncoding, PfileInfo, PfileVersion } from './pfile-reader';
export { buildPfileHeader, PFILE_NOTICE } from './pfile-writer';
export type { PfileHeaderFields } from './pfile-writer';
export * as gcmStream from './gcm-stream';
export type { ProtectOptions, UnprotectedContent } from './gcm-stream';
export {
  createProtectStream, createUnprotectStream, protectWebStream, ProtectStream, unprotectWebStream, UnprotectStream,
} from './protect-stream';
export type { ProtectStreamOptions, StreamOptions } from './protect-stream';
export type { StreamedPfileInfo } from './pfile-reader';
export {
  fileProtectionStatus, isProtected, protectFile, readFileLicense, unprotectFile,
} from './protect-file';
export type {
  FileOutputOptions, ProtectFileOptions, ProtectFileResult, ProtectionStatus, UnprotectFileResult,
} from './protect-file';
export { protectedFileName, unprotectedFileName } from './file-names';
