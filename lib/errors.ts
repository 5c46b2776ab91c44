/**
 * The one error type of openrms (DESIGN decision 5). Every failure a caller can act on is an
 * `RmsError` whose `code` is stable across releases; branch on `code`, never on `message`.
 */

/** Codes raised by the crypto core. Later layers add their own (licensing, container). */
export type CryptoErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_KEY'
  | 'KEY_CLOSED'
  | 'DECRYPTION_FAILED'
  | 'NOT_BLOCK_ALIGNED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'CRYPTO_FAILURE'
  | 'NATIVE_ADDON_UNAVAILABLE';

/** Codes raised when reading protected content. */
export type FormatErrorCode = 'INVALID_FORMAT' | 'UNSUPPORTED_VERSION' | 'FILE_IS_NOT_ENCRYPTED'
  /** Protecting a file that is already protected (by openrms or another issuer) is refused: nothing is written. */
  | 'FILE_ALREADY_PROTECTED';

/** Codes raised by streams, the file API and the client store. */
export type FileErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_EXISTS'
  | 'IO_ERROR'
  | 'ABORTED'
  /** The store folder belongs to another user (a `StoreNotSecureError`). */
  | 'STORE_NOT_SECURE';

/** Codes raised when verifying certificates and licenses. */
export type LicenseErrorCode =
  | 'INVALID_SIGNATURE'
  | 'BROKEN_CERT_CHAIN'
  | 'VALIDITY_TIME_VIOLATION'
  /** A license carries a sealed part (wrapped key, grants, app data) made for another license. */
  | 'LICENSE_SPLICED';

/** Codes raised when licensing content: the service's refusals and the client's own checks. */
export type LicensingErrorCode =
  /** The license grants the user no right, or not the right asked for. */
  | 'RIGHT_NOT_GRANTED'
  /** The content's ID was revoked: no new use license is issued for it. */
  | 'CONTENT_REVOKED'
  /** No usable cached license, and the client may not (or cannot) go online. */
  | 'NEEDS_ONLINE'
  /** The clock is earlier than the issue time of a license the client holds. */
  | 'CLOCK_ROLL_BACK_DETECTED'
  | 'TEMPLATE_NOT_FOUND'
  /** The user is not in the template's audience: they may not protect with it. */
  | 'TEMPLATE_NOT_ENABLED_FOR_USER'
  /** The template was archived: it protects nothing new (content protected with it still opens). */
  | 'TEMPLATE_ARCHIVED'
  /** The store holds no sign-in for this service (run login). */
  | 'NOT_SIGNED_IN'
  /** The license was published by a service this client may not enrol at (the trust policy said no). */
  | 'SERVICE_NOT_TRUSTED'
  /** Discovery found no licensing service that answers (registry, directory, DNS, cloud: docs/discovery.md). */
  | 'SERVICE_NOT_FOUND'
  /** Signing in needs a person, and none may be asked (server mode, or the browser is disabled). */
  | 'NEEDS_UI'
  /** An administrator's setting forbids this (MSIPC: ERROR_ACCESS_DISABLED_BY_POLICY). */
  | 'ACCESS_DISABLED_BY_POLICY'
  /** An administrator's setting forbids protecting this kind of file (FileProtection\\<EXT>\\Encryption = Off). */
  | 'FILE_ENCRYPT_BLOCKED'
  /** The content was first seen after its publisher's account was disabled or removed. */
  | 'PUBLISHER_NOT_ALLOWED';

/** Codes raised by the transport and the service's authentication. */
export type ServiceErrorCode =
  /** The service could not be reached (refused, reset, timed out). */
  | 'SERVICE_UNAVAILABLE'
  /** The service answered with something that is not its protocol, or failed internally. */
  | 'SERVICE_ERROR'
  /** Sign-in failed or the token was refused. */
  | 'AUTHENTICATION_FAILED'
  /** A service asked for a password or client secret to be sent to another server's token endpoint: nothing was sent. */
  | 'AUTHORITY_NOT_TRUSTED'
  /** Signed in, but not allowed to do this (not an administrator, not the owner). */
  | 'ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** Too many attempts from this client or for this address: try again later. */
  | 'TOO_MANY_REQUESTS'
  /** The request body is over the size the service accepts for that call. */
  | 'REQUEST_TOO_LARGE'
  /** The HTTP proxy asks for credentials (407), refused the ones given, or asks for a scheme other than Basic. */
  | 'PROXY_AUTHENTICATION_REQUIRED';

/** Codes raised when reading the administrator's settings (the MSIPC registry, `.reg` files). */
export type SettingsErrorCode =
  /** A `.reg` file that cannot be read: the error carries its `file` and `line`. */
  | 'INVALID_REG_FILE'
  /** A setting whose data is not what MSIPC defines: the error names its hive, key and value. */
  | 'INVALID_SETTING';

/** Codes raised when reading a classification rules file (`--rules`, docs/bulk.md). */
export type RulesErrorCode =
  /** A rules file that cannot be used (syntax, unknown key, wrong type, bad glob, regex or right): the error carries its `file`, `line` and `column`. */
  | 'INVALID_RULES';

/** Codes raised when a part of openrms needs a package the application did not install. */
export type PackageErrorCode =
  /** An optional peer dependency (the service's `better-sqlite3`) is not installed: the error names it in `dependency`. */
  | 'DEPENDENCY_NOT_INSTALLED';

export type RmsErrorCode = CryptoErrorCode | FormatErrorCode | FileErrorCode | LicenseErrorCode | LicensingErrorCode | ServiceErrorCode
  | SettingsErrorCode | PackageErrorCode | RulesErrorCode;

/** Every code, for checking a code that arrives over the wire. */
export const RMS_ERROR_CODES: readonly RmsErrorCode[] = [
  'INVALID_ARGUMENT', 'INVALID_KEY', 'KEY_CLOSED', 'DECRYPTION_FAILED', 'NOT_BLOCK_ALIGNED', 'UNSUPPORTED_ALGORITHM',
  'CRYPTO_FAILURE', 'NATIVE_ADDON_UNAVAILABLE', 'INVALID_FORMAT', 'UNSUPPORTED_VERSION', 'FILE_IS_NOT_ENCRYPTED', 'FILE_ALREADY_PROTECTED',
  'FILE_NOT_FOUND', 'FILE_EXISTS', 'IO_ERROR', 'ABORTED', 'INVALID_SIGNATURE', 'BROKEN_CERT_CHAIN',
  'VALIDITY_TIME_VIOLATION', 'RIGHT_NOT_GRANTED', 'CONTENT_REVOKED', 'NEEDS_ONLINE', 'CLOCK_ROLL_BACK_DETECTED',
  'TEMPLATE_NOT_FOUND', 'TEMPLATE_NOT_ENABLED_FOR_USER', 'TEMPLATE_ARCHIVED', 'NOT_SIGNED_IN', 'SERVICE_NOT_TRUSTED', 'SERVICE_NOT_FOUND', 'SERVICE_UNAVAILABLE', 'SERVICE_ERROR',
  'AUTHENTICATION_FAILED', 'AUTHORITY_NOT_TRUSTED', 'ACCESS_DENIED', 'NOT_FOUND', 'CONFLICT', 'LICENSE_SPLICED', 'PUBLISHER_NOT_ALLOWED', 'TOO_MANY_REQUESTS',
  'NEEDS_UI', 'ACCESS_DISABLED_BY_POLICY', 'FILE_ENCRYPT_BLOCKED', 'STORE_NOT_SECURE',
  'REQUEST_TOO_LARGE', 'INVALID_REG_FILE', 'INVALID_SETTING', 'PROXY_AUTHENTICATION_REQUIRED', 'DEPENDENCY_NOT_INSTALLED',
  'INVALID_RULES',
];

/**
 * HRESULTs for codes that have a well-known Windows value. MSIPC returns E_INVALIDARG for
 * bad parameters; codes without an MSIPC counterpart have no `hresult`.
 */
const HRESULTS: Partial<Record<RmsErrorCode, number>> = {
  INVALID_ARGUMENT: 0x80070057, // E_INVALIDARG
  NEEDS_ONLINE: 0x8004020d, // IPCERROR_NEEDS_ONLINE
  NEEDS_UI: 0x8004020e, // IPCERROR_NEEDS_UI
  RIGHT_NOT_GRANTED: 0x80040211, // IPCERROR_RIGHT_NOT_GRANTED
  BROKEN_CERT_CHAIN: 0x80040204, // IPCERROR_BROKEN_CERT_CHAIN
  CLOCK_ROLL_BACK_DETECTED: 0x80040205, // IPCERROR_CLOCK_ROLL_BACK_DETECTED
  ACCESS_DISABLED_BY_POLICY: 0x800704ec, // HRESULT_FROM_WIN32(ERROR_ACCESS_DISABLED_BY_POLICY)
  FILE_ENCRYPT_BLOCKED: 0x80041002, // IPCERROR_FILE_ENCRYPT_BLOCKED
  TEMPLATE_NOT_ENABLED_FOR_USER: 0x8004021a, // IPCERROR_TEMPLATE_NOT_ENABLED_FOR_USER
};

export interface RmsErrorOptions {
  /** The argument at fault, for `INVALID_ARGUMENT`. */
  argument?: string;
  /** The licensing service the failure concerns (its base URL), e.g. for `SERVICE_NOT_TRUSTED`. */
  serviceUrl?: string;
  /** The right asked for, for `RIGHT_NOT_GRANTED`. */
  right?: string;
  /** The rights held, for `RIGHT_NOT_GRANTED`. */
  rightsHeld?: readonly string[];
  /** The HTTP proxy the failure concerns (`http://host:port`, never its credentials). */
  proxy?: string;
  /** The package that is not installed, for `DEPENDENCY_NOT_INSTALLED`. */
  dependency?: string;
  cause?: unknown;
}

export class RmsError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: RmsErrorCode;
  /** The Windows HRESULT MSIPC uses for this failure, where there is one. */
  readonly hresult: number | undefined;
  /** The argument at fault, for `INVALID_ARGUMENT`. */
  readonly argument: string | undefined;
  /** The licensing service the failure concerns (its base URL), when it concerns one. */
  readonly serviceUrl: string | undefined;
  /** The host of `serviceUrl`. */
  readonly host: string | undefined;
  /** The right asked for, for `RIGHT_NOT_GRANTED`. */
  readonly right: string | undefined;
  /** The rights held, for `RIGHT_NOT_GRANTED`. */
  readonly rightsHeld: readonly string[] | undefined;
  /** The HTTP proxy the failure concerns (`http://host:port`), when a proxy failed or refused. */
  readonly proxy: string | undefined;
  /** The package that is not installed, for `DEPENDENCY_NOT_INSTALLED` (e.g. `better-sqlite3`). */
  readonly dependency: string | undefined;

  constructor(code: RmsErrorCode, message: string, options: RmsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RmsError';
    this.code = code;
    this.hresult = HRESULTS[code];
    this.argument = options.argument;
    this.serviceUrl = options.serviceUrl;
    this.host = hostOf(options.serviceUrl);
    this.right = options.right;
    this.rightsHeld = options.rightsHeld === undefined ? undefined : Object.freeze([...options.rightsHeld]);
    this.proxy = options.proxy;
    this.dependency = options.dependency;
  }
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** An `INVALID_ARGUMENT` error naming `argument` and what was expected of it. */
export function invalidArgument(argument: string, expected: string): RmsError {
  return new RmsError('INVALID_ARGUMENT', `${argument} must be ${expected}`, { argument });
}

export function isRmsError(value: unknown, code?: RmsErrorCode): value is RmsError {
  return value instanceof RmsError && (code === undefined || value.code === code);
}

/**
 * A file system failure as an RmsError: a missing file is FILE_NOT_FOUND,
 * an existing one FILE_EXISTS, anything else IO_ERROR. RmsErrors pass through unchanged.
 */
export function fileSystemError(error: unknown, what: string): RmsError {
  if (error instanceof RmsError) return error;
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return new RmsError('FILE_NOT_FOUND', `no such file: ${what}`, { cause: error });
  if (code === 'EEXIST') return new RmsError('FILE_EXISTS', `already exists: ${what}`, { cause: error });
  return new RmsError('IO_ERROR', `${what}: ${message}`, { cause: error });
}
