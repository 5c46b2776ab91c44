/**
 * openrms: rights management for Node.js and Electron, in the lineage of the Microsoft RMS
 * client (MSIPC). This is the package's public API, and every name in it is chosen: what an
 * application that protects and consumes content uses. What the licensing service does
 * (issuing certificates and licenses, signing templates, opening sealed policies) is not here:
 * the service is `openrms/server`. The parts the client uses internally (its store, its
 * connections to services, the license codecs) stay behind `RmsClient`.
 * test/types/public-api.ts pins this list.
 */

// ---- Errors and versions ----
export { RmsError, isRmsError } from './errors';
export type { RmsErrorCode, RmsErrorOptions } from './errors';
export { VERSION } from './version';

// ---- The client (MSIPC's Ipc* calls: docs/msipc-mapping.md) ----
export { ContentLicense, DEFAULT_OFFLINE_DAYS, RmsAdministration, RmsClient } from './client';
export type {
  GetContentKeyOptions, LicenseDescriptor, LicenseFromScratch, PublishingLicenseInput, RmsClientOptions, SerializedLicense,
  SerializeOptions, SignInOptions, Template, TemplateDefinition,
} from './client';

// ---- Templates ----
// (the client's template library: exported here once its API settles)

// ---- Rights and licenses: what a license grants, and reading one without its key ----
export { ANYONE, COMMON_RIGHTS, decodeJws, expandRights, hasRight, isXrml, normalizeRight, readXrmlLicense, ROLE_RIGHTS, ROLES } from './license';
export type { CommonRight, DecodedJws, Descriptor, Grant, JwsHeader, PlClaims, Policy, Role, XrmlLicenseInfo } from './license';

// ---- Tokens, trust and proxies (docs/protocol.md, docs/discovery.md) ----
export {
  clientCredentialsTokenProvider, ENROLLED_ONLY, interactiveTokenProvider, NoProxyList, parseProxyUrl, passwordTokenProvider, Proxies,
  ProxyServer, ServiceAllowList,
} from './transport';
export type {
  AuthChallenge, ConnectionOptions, HttpOptions, ProvidedToken, ProxyChoice, ProxyParsed, ProxyPolicy, SecretProviderOptions, TokenProvider,
  TokenRequest, TrustPolicy,
} from './transport';

// ---- Finding the service (RmsClient.discover) ----
export type { DiscoveredService, DiscoveryResult, DiscoveryStep, DiscoverySource, DiscoverOptions } from './discovery';

// ---- The store ----
export { defaultStoreRoot, StoreNotSecureError } from './store';

// ---- Settings: the MSIPC registry (docs/settings.md) ----
export {
  ClientSettings, DEFAULT_TEMPLATE_UPDATE_SECONDS, exportRegFolders, FILE_PROTECTION_MODES, formatRegFile, importRegFile, InvalidRegFileError,
  InvalidSettingError, loadClientSettings, parseRegFile, setSetting, settingsPlace, unsetSetting,
} from './settings';
export type {
  ExportResult, FileProtection, FileProtectionMode, FileWritten, Hive, LicensingRedirection, LoadSettingsOptions, RegFile, RegFileFormat,
  RegOperation, SetResult, SettingAddress, SettingReport, SettingsMode, SettingSource, SettingsOverrides, SettingsPlace, TrustedServer,
} from './settings';

// ---- Protected content: the PFILE container, cipher modes, buffers, streams, files (docs/format.md) ----
export {
  buildPfileHeader, createProtectStream, createUnprotectStream, decodeLicense, fileProtectionStatus, gcmStream, hasPfileMagic, isProtected,
  parsePfile, PFILE_NOTICE, protectedFileName, protectFile, ProtectStream, protectWebStream, readFileLicense, readPfileInfo, sectorCipher,
  unprotectedFileName, unprotectFile, UnprotectStream, unprotectWebStream,
} from './format';
export type {
  BlockOptions, FileOutputOptions, FileRegion, LicenseEncoding, PfileHeaderFields, PfileInfo, PfileVersion, ProtectFileOptions,
  ProtectFileResult, ProtectionStatus, ProtectOptions, ProtectStreamOptions, SectorMode, StreamedPfileInfo, StreamOptions,
  UnprotectedContent, UnprotectFileResult,
} from './format';

// ---- Bulk protection and unprotection of files and folders (docs/bulk.md) ----
export { defaultJobs, formatProgress, ProgressRenderer, runBulk, walkPaths } from './bulk';
export type {
  BulkEvent, BulkFile, BulkFileResult, BulkOperation, BulkOptions, BulkProgress, BulkSummary, LicenseChoice, ProgressOutput,
  ProgressRendererOptions, WalkEntry, WalkOptions,
} from './bulk';

// ---- The crypto core (docs/crypto.md) ----
export {
  aesCbc, aesEcb, aesGcm, AsymmetricKey, ecdhEs, hkdfSha256, hmacSha256, hmacSha256Async, keyWrap, randomBytes, randomFill, rsaOaep,
  SecretKey, sha256, sha256Async, sign, signAsync, SIGNATURE_ALGORITHMS, THREAD_POOL_THRESHOLD, verify, verifyAsync, verifyBatch,
  verifyBatchAsync, verifyHmacSha256,
} from './crypto';
export type {
  AesKeyLength, EcJwk, ExportOptions, GenerateOptions, HkdfOptions, Jwk, KeyType, KeyWrapAlgorithm, KeyWrapOptions, RsaJwk,
  RsaModulusLength, SignatureAlgorithm, VerificationItem,
} from './crypto';

import { native } from './native';

/** Versions of the native parts, for diagnostics. */
export const nativeInfo: { readonly napiVersion: number; readonly openssl: string } = Object.freeze({
  napiVersion: native.napiVersion,
  openssl: native.opensslVersion,
});
