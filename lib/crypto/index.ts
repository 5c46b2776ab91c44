/** The crypto core's public surface. */
export * as aesGcm from './aes-gcm';
export * as aesCbc from './aes-cbc';
export * as aesEcb from './aes-ecb';
export * as rsaOaep from './rsa-oaep';
export * as ecdhEs from './ecdh-es';
export * as keyWrap from './key-wrap';
export type { KeyWrapAlgorithm, KeyWrapOptions } from './key-wrap';
export { AsymmetricKey } from './asymmetric-key';
export type { EcJwk, ExportOptions, GenerateOptions, Jwk, KeyType, RsaJwk, RsaModulusLength } from './asymmetric-key';
export { SecretKey } from './secret-key';
export type { AesKeyLength } from './secret-key';
export { hkdfSha256, hmacSha256, hmacSha256Async, sha256, sha256Async, verifyHmacSha256 } from './digest';
export type { HkdfOptions } from './digest';
export { randomBytes, randomFill } from './random';
export { sign, signAsync, verify, verifyAsync, verifyBatch, verifyBatchAsync, SIGNATURE_ALGORITHMS } from './signature';
export type { SignatureAlgorithm, VerificationItem } from './signature';
export { THREAD_POOL_THRESHOLD } from './arguments';
