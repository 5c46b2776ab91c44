/**
 * Content-key wrap to a recipient's key, chosen by the key's type: RSA keys take RSA-OAEP-256
 * (rsa-oaep.ts), EC P-256 keys ECDH-ES+A256KW (ecdh-es.ts). A wrap records no algorithm: the
 * recipient key's type decides (docs/licenses.md "Key wrap"), so a wrap made for the other
 * type is only bytes of the wrong length and fails with `DECRYPTION_FAILED`.
 */
import { asymmetricKeyHandle, AsymmetricKey } from './asymmetric-key';
import * as ecdhEs from './ecdh-es';
import * as rsaOaep from './rsa-oaep';
import { SecretKey } from './secret-key';

export type KeyWrapAlgorithm = 'RSA-OAEP-256' | 'ECDH-ES+A256KW';

export interface KeyWrapOptions {
  /** Bound into the wrap (the OAEP label, the HKDF info): it opens under the same label only. */
  label?: Uint8Array;
}

/** The wrap a key of this type takes (JWA names). */
export function keyWrapAlgorithm(key: AsymmetricKey): KeyWrapAlgorithm {
  return asymmetricKeyHandle('key', key).type === 'ec' ? 'ECDH-ES+A256KW' : 'RSA-OAEP-256';
}

/** Wraps `secret` to `key` without its bytes entering JavaScript. */
export function wrapKey(key: AsymmetricKey, secret: SecretKey, options: KeyWrapOptions = {}): Buffer {
  return keyWrapAlgorithm(key) === 'ECDH-ES+A256KW' ? ecdhEs.wrapKey(key, secret, options) : rsaOaep.wrapKey(key, secret, options);
}

/**
 * `wrapKey` for a service under load: an ECDH-ES wrap (an ephemeral key and a derivation, about
 * 0.1 ms) runs on the thread pool; an RSA-OAEP wrap, a public-key operation of microseconds, here.
 */
export async function wrapKeyAsync(key: AsymmetricKey, secret: SecretKey, options: KeyWrapOptions = {}): Promise<Buffer> {
  return keyWrapAlgorithm(key) === 'ECDH-ES+A256KW' ? ecdhEs.wrapKeyAsync(key, secret, options) : rsaOaep.wrapKey(key, secret, options);
}

/** Unwraps with the private `key` straight into a SecretKey; any wrap that does not open is `DECRYPTION_FAILED`. */
export function unwrapKey(key: AsymmetricKey, wrapped: Uint8Array, options: KeyWrapOptions = {}): SecretKey {
  return keyWrapAlgorithm(key) === 'ECDH-ES+A256KW' ? ecdhEs.unwrapKey(key, wrapped, options) : rsaOaep.unwrapKey(key, wrapped, options);
}
