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
export type FormatErrorCode = 'INVALID_FORMAT' | 'UNSUPPORTED_VERSION' | 'FILE_IS_NOT_ENCRYPTED';

/** Codes raised by streams and the file API. */
export type FileErrorCode = 'FILE_NOT_FOUND' | 'FILE_EXISTS' | 'IO_ERROR' | 'ABORTED';

/** Codes raised when verifying certificates and licenses. */
export type LicenseErrorCode = 'INVALID_SIGNATURE' | 'BROKEN_CERT_CHAIN' | 'VALIDITY_TIME_VIOLATION';

export type RmsErrorCode = CryptoErrorCode | FormatErrorCode | FileErrorCode | LicenseErrorCode;

/**
 * HRESULTs for codes that have a well-known Windows value. MSIPC returns E_INVALIDARG for
 * bad parameters; codes without an MSIPC counterpart have no `hresult`.
 */
const HRESULTS: Partial<Record<RmsErrorCode, number>> = {
  INVALID_ARGUMENT: 0x80070057, // E_INVALIDARG
};

export interface RmsErrorOptions {
  /** The argument at fault, for `INVALID_ARGUMENT`. */
  argument?: string;
  cause?: unknown;
}

export class RmsError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: RmsErrorCode;
  /** The Windows HRESULT MSIPC uses for this failure, where there is one. */
  readonly hresult: number | undefined;
  /** The argument at fault, for `INVALID_ARGUMENT`. */
  readonly argument: string | undefined;

  constructor(code: RmsErrorCode, message: string, options: RmsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RmsError';
    this.code = code;
    this.hresult = HRESULTS[code];
    this.argument = options.argument;
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
