/**
 * openrms: rights management for Node.js and Electron, in the lineage of the Microsoft RMS
 * client (MSIPC). This is the package's public API.
 */
export * from './crypto';
export * from './format';
export * from './license';
export * from './client';
export * from './transport';
export * from './store';
export * from './settings';
export type { DiscoveredService, DiscoveryResult, DiscoveryStep, DiscoverySource, DiscoverOptions } from './discovery';
export { RmsError, isRmsError } from './errors';
export type { RmsErrorCode, RmsErrorOptions } from './errors';
export { VERSION } from './version';

import { native } from './native';

/** Versions of the native parts, for diagnostics. */
export const nativeInfo: { readonly napiVersion: number; readonly openssl: string } = Object.freeze({
  napiVersion: native.napiVersion,
  openssl: native.opensslVersion,
});
