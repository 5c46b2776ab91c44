/**
 * The only place the native addon is loaded (DESIGN decision 1). Everything else imports the
 * typed `native` object from here. node-gyp-build picks `prebuilds/<platform>-<arch>/` first,
 * then `build/Release/` (a local `node-gyp rebuild`).
 */
import * as path from 'node:path';

import { elfLoadProblem } from './addon-file';
import { RmsError } from './errors';

/** Signature algorithm numbers shared with native/src/core/signature.h. */
export const enum NativeSignatureAlgorithm {
  RS256 = 0,
  PS256 = 1,
  ES256 = 2,
}

export type Bytes = Uint8Array;

export interface NativeSecretKey {
  readonly size: number;
  readonly closed: boolean;
  close(): void;
  export(): Buffer;
}

export type NativeKeyType = 'rsa' | 'ec';

export interface NativeFileRegion {
  offset: number;
  length: number;
}

export interface NativePfileHeader {
  major: number;
  minor: number;
  notice: NativeFileRegion;
  tableSize: number;
  extension: NativeFileRegion;
  license: NativeFileRegion;
  metadata: NativeFileRegion;
  content: NativeFileRegion;
  originalSize: number | null;
}

export interface NativeRsaComponents {
  n: Bytes;
  e: Bytes;
  d?: Bytes;
  p?: Bytes;
  q?: Bytes;
  dp?: Bytes;
  dq?: Bytes;
  qi?: Bytes;
}

export interface NativeEcComponents {
  x: Bytes;
  y: Bytes;
  d?: Bytes;
}

export interface NativeAsymmetricKey {
  readonly closed: boolean;
  readonly type: NativeKeyType;
  readonly bits: number;
  readonly hasPrivate: boolean;
  close(): void;
  exportPem(includePrivate: boolean): string;
  exportDer(includePrivate: boolean): Buffer;
  exportComponents(includePrivate: boolean): Record<string, Buffer>;
}

/** Every function the addon exports, with the argument order of native/src/binding. */
export interface NativeBinding {
  readonly napiVersion: number;
  readonly opensslVersion: string;
  setErrorClass(errorClass: typeof RmsError): void;

  createSecretKey(keyBytes: Bytes): NativeSecretKey;
  generateSecretKey(size: number): NativeSecretKey;
  deriveSecretKey(key: NativeSecretKey, salt: Bytes | null, info: Bytes | null, length: number): NativeSecretKey;
  generateKeyPair(type: NativeKeyType, modulusLength?: number): NativeAsymmetricKey;
  generateKeyPairAsync(type: NativeKeyType, modulusLength?: number): Promise<NativeAsymmetricKey>;
  importKeyPem(pem: Bytes): NativeAsymmetricKey;
  importKeyDer(der: Bytes): NativeAsymmetricKey;
  importRsaComponents(components: NativeRsaComponents): NativeAsymmetricKey;
  importEcComponents(components: NativeEcComponents): NativeAsymmetricKey;

  sha256(data: Bytes): Buffer;
  sha256Async(data: Bytes): Promise<Buffer>;
  hmacSha256(key: Bytes, data: Bytes): Buffer;
  hmacSha256Verify(key: Bytes, data: Bytes, tag: Bytes): boolean;
  hmacSha256Async(key: Bytes, data: Bytes): Promise<Buffer>;
  hkdfSha256(ikm: Bytes, salt: Bytes | null, info: Bytes | null, length: number): Buffer;
  randomFill(buffer: Bytes): void;

  gcmSeal(key: NativeSecretKey, iv: Bytes, aad: Bytes | null, input: Bytes, tag: Bytes, output: Bytes): void;
  gcmOpen(key: NativeSecretKey, iv: Bytes, aad: Bytes | null, input: Bytes, tag: Bytes, output: Bytes): boolean;
  gcmSealAsync(key: NativeSecretKey, iv: Bytes, aad: Bytes | null, input: Bytes, tag: Bytes, output: Bytes): Promise<void>;
  gcmOpenAsync(key: NativeSecretKey, iv: Bytes, aad: Bytes | null, input: Bytes, tag: Bytes, output: Bytes): Promise<boolean>;
  gcmSealBatch(key: NativeSecretKey, ivs: Bytes, ivSize: number, records: Bytes | Bytes[], offsets: Uint32Array | null,
    aad: Bytes | null, output: Bytes): void;
  gcmOpenBatch(key: NativeSecretKey, ivs: Bytes, ivSize: number, records: Bytes | Bytes[], offsets: Uint32Array | null,
    aad: Bytes | null, output: Bytes, status: Uint8Array): void;
  gcmSealBatchAsync(key: NativeSecretKey, ivs: Bytes, ivSize: number, records: Bytes | Bytes[],
    offsets: Uint32Array | null, aad: Bytes | null, output: Bytes): Promise<void>;
  gcmOpenBatchAsync(key: NativeSecretKey, ivs: Bytes, ivSize: number, records: Bytes | Bytes[],
    offsets: Uint32Array | null, aad: Bytes | null, output: Bytes, status: Uint8Array): Promise<void>;

  cbcEncrypt(key: NativeSecretKey, iv: Bytes, input: Bytes, output: Bytes, padding: boolean): number;
  cbcDecrypt(key: NativeSecretKey, iv: Bytes, input: Bytes, output: Bytes, padding: boolean): number;
  cbcEncryptAsync(key: NativeSecretKey, iv: Bytes, input: Bytes, output: Bytes, padding: boolean): Promise<number>;
  cbcDecryptAsync(key: NativeSecretKey, iv: Bytes, input: Bytes, output: Bytes, padding: boolean): Promise<number>;
  ecbEncrypt(key: NativeSecretKey, input: Bytes, output: Bytes): number;
  ecbDecrypt(key: NativeSecretKey, input: Bytes, output: Bytes): number;
  ecbEncryptAsync(key: NativeSecretKey, input: Bytes, output: Bytes): Promise<number>;
  ecbDecryptAsync(key: NativeSecretKey, input: Bytes, output: Bytes): Promise<number>;

  sign(algorithm: NativeSignatureAlgorithm, key: NativeAsymmetricKey, data: Bytes): Buffer;
  verify(algorithm: NativeSignatureAlgorithm, key: NativeAsymmetricKey, data: Bytes, signature: Bytes): boolean;
  signAsync(algorithm: NativeSignatureAlgorithm, key: NativeAsymmetricKey, data: Bytes): Promise<Buffer>;
  verifyAsync(algorithm: NativeSignatureAlgorithm, key: NativeAsymmetricKey, data: Bytes, signature: Bytes): Promise<boolean>;
  verifyBatch(algorithms: Uint8Array, keys: NativeAsymmetricKey[], data: Bytes[], signatures: Bytes[]): Uint8Array;
  verifyBatchAsync(algorithms: Uint8Array, keys: NativeAsymmetricKey[], data: Bytes[], signatures: Bytes[]): Promise<Uint8Array>;

  sectorEncrypt(key: NativeSecretKey, mode: number, input: Bytes, output: Bytes): number;
  sectorDecrypt(key: NativeSecretKey, mode: number, input: Bytes, output: Bytes): number;
  sectorEncryptAsync(key: NativeSecretKey, mode: number, input: Bytes, output: Bytes): Promise<number>;
  sectorDecryptAsync(key: NativeSecretKey, mode: number, input: Bytes, output: Bytes): Promise<number>;
  sectorEncryptBlock(key: NativeSecretKey, mode: number, index: number, final: boolean, input: Bytes, output: Bytes): number;
  sectorDecryptBlock(key: NativeSecretKey, mode: number, index: number, final: boolean, input: Bytes, output: Bytes): number;

  // The trailing (firstIndex, final) place a chunk of segments in its file; without them the
  // input is the whole file.
  segmentSeal(fileKey: NativeSecretKey, headerDigest: Bytes, segmentSize: number, input: Bytes, output: Bytes,
    firstIndex?: number, final?: boolean): void;
  segmentOpen(fileKey: NativeSecretKey, headerDigest: Bytes, segmentSize: number, input: Bytes, output: Bytes,
    firstIndex?: number, final?: boolean): boolean;
  segmentSealedSize(plaintextLength: number, segmentSize: number, final?: boolean): number;
  segmentPlaintextSize(sealedLength: number, segmentSize: number, final?: boolean): number;
  segmentSealAsync(fileKey: NativeSecretKey, headerDigest: Bytes, segmentSize: number, input: Bytes, output: Bytes,
    firstIndex?: number, final?: boolean): Promise<boolean>;
  segmentOpenAsync(fileKey: NativeSecretKey, headerDigest: Bytes, segmentSize: number, input: Bytes, output: Bytes,
    firstIndex?: number, final?: boolean): Promise<boolean>;

  // Linux O_TMPFILE and linkat through /proc/self/fd, on the thread pool: a file descriptor or -errno, 0 or -errno.
  openAnonymousFile(folder: string, mode: number): Promise<number>;
  linkAnonymousFile(fd: number, path: string): Promise<number>;

  readonly pfileMaxPrefix: number;
  parsePfileHeader(prefix: Bytes, fileSize: number): NativePfileHeader;
  hasPfileMagic(prefix: Bytes): boolean;

  rsaOaepWrap(key: NativeAsymmetricKey, message: Bytes, label: Bytes | null): Buffer;
  rsaOaepUnwrap(key: NativeAsymmetricKey, ciphertext: Bytes, label: Bytes | null): Buffer;
  rsaOaepWrapSecretKey(key: NativeAsymmetricKey, secret: NativeSecretKey, label: Bytes | null): Buffer;
  rsaOaepUnwrapSecretKey(key: NativeAsymmetricKey, ciphertext: Bytes, label: Bytes | null): NativeSecretKey;
  /** `ephemeral` only for the test vectors (lib/crypto/ecdh-es-vectors.ts). */
  ecdhEsWrapSecretKey(key: NativeAsymmetricKey, secret: NativeSecretKey, label: Bytes | null, ephemeral?: NativeAsymmetricKey): Buffer;
  ecdhEsWrapSecretKeyAsync(key: NativeAsymmetricKey, secret: NativeSecretKey, label: Bytes | null): Promise<Buffer>;
  ecdhEsUnwrapSecretKey(key: NativeAsymmetricKey, wrapped: Bytes, label: Bytes | null): NativeSecretKey;
}

/** The package root: both lib/ (tests, through ts-jest) and dist/ sit one level below it. */
export const packageRoot = path.join(__dirname, '..');

/** How a user gets a working addon back: the install script builds one when no prebuild loads. */
const REMEDY = 'reinstall openrms, or run `npm rebuild openrms` to build the addon from source ' +
  '(needs a C++ compiler and the OpenSSL 3 development files)';

function load(): NativeBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require('node-gyp-build') as { (dir: string): unknown; resolve(dir: string): string };
  let file: string;
  try {
    file = nodeGypBuild.resolve(packageRoot);
  } catch (cause) {
    throw new RmsError('NATIVE_ADDON_UNAVAILABLE',
      `openrms has no native addon for ${process.platform}-${process.arch} in ${packageRoot}; ${REMEDY}`, { cause });
  }
  let binding: NativeBinding;
  try {
    // A truncated ELF file would kill the process in dlopen (SIGBUS): judge it first.
    const problem = elfLoadProblem(file);
    if (problem !== undefined) throw new Error(problem);
    // node-gyp-build requires the file it resolved, past a bundler's own require.
    binding = nodeGypBuild(packageRoot) as NativeBinding;
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).replace(`${file}: `, '');
    throw new RmsError('NATIVE_ADDON_UNAVAILABLE', `cannot load the openrms native addon ${file}: ${reason}; ${REMEDY}`, { cause });
  }
  binding.setErrorClass(RmsError);
  return binding;
}

export const native: NativeBinding = load();
