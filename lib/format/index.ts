/** Protected content: the content cipher modes (the PFILE container follows). */
export * as sectorCipher from './sector-cipher';
export type { SectorMode, BlockOptions } from './sector-cipher';
