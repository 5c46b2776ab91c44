/**
 * ECDH-ES key wrap to an EC P-256 key: an ephemeral P-256 key agreed with the recipient's,
 * HKDF-SHA256 over the shared secret (salt = the ephemeral point, info = the label) and
 * AES-256 key wrap (RFC 3394) of the key: JWA's "ECDH-ES+A256KW" with HKDF in place of the
 * Concat KDF. The wrap is the 65-byte uncompressed ephemeral point followed by the AES-KW
 * output (the key's length + 8 bytes: 105 bytes in all for a 32-byte key); docs/licenses.md
 * "Key wrap" has the construction and native/src/core/ecdh_es.h the reasons. Every unwrap
 * failure is the same `DECRYPTION_FAILED`, whatever check failed, as with RSA-OAEP.
 */
import { native, NativeAsymmetricKey } from '../native';
import { optionalBytes, requireBytes } from './arguments';
import { AsymmetricKey, keyHandleFor } from './asymmetric-key';
import { aesKeyHandle, SecretKey } from './secret-key';

export interface EcdhEsOptions {
  /** Bound into the key derivation (HKDF info): the wrap opens under the same label only (default empty). */
  label?: Uint8Array;
}

/** Bytes of the SEC 1 uncompressed ephemeral point that starts every wrap. */
export const EPHEMERAL_POINT_LENGTH = 65;

export function ecHandle(key: unknown, needPrivate: boolean): NativeAsymmetricKey {
  return keyHandleFor('ECDH-ES', 'ec', key, needPrivate);
}

/** Wraps an AES key to `key` with a fresh ephemeral key, without its bytes entering JavaScript. */
export function wrapKey(key: AsymmetricKey, secret: SecretKey, options: EcdhEsOptions = {}): Buffer {
  const handle = ecHandle(key, false);
  return native.ecdhEsWrapSecretKey(handle, aesKeyHandle('secret', secret), optionalBytes('label', options.label));
}

/** `wrapKey` on the thread pool: the ephemeral key and the derivation off the event loop (a service wrapping into every use license). */
export function wrapKeyAsync(key: AsymmetricKey, secret: SecretKey, options: EcdhEsOptions = {}): Promise<Buffer> {
  const handle = ecHandle(key, false);
  return native.ecdhEsWrapSecretKeyAsync(handle, aesKeyHandle('secret', secret), optionalBytes('label', options.label));
}

/** Derives, unwraps and checks in one native call: the content key stays in native memory. */
export function unwrapKey(key: AsymmetricKey, wrapped: Uint8Array, options: EcdhEsOptions = {}): SecretKey {
  const handle = ecHandle(key, true);
  return SecretKey.fromHandle(native.ecdhEsUnwrapSecretKey(handle, requireBytes('wrapped', wrapped), optionalBytes('label', options.label)));
}
