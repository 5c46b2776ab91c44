/**
 * RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 7.1), "RSA-OAEP-256" in JWA terms: how
 * content keys are wrapped to a service or a user (DESIGN decision 6). Every unwrap failure
 * is the same `DECRYPTION_FAILED`, whatever check failed.
 */
import { RmsError } from '../errors';
import { native } from '../native';
import { optionalBytes, requireBytes } from './arguments';
import { AsymmetricKey, keyHandleFor } from './asymmetric-key';
import { SecretKey } from './secret-key';

export interface OaepOptions {
  /** OAEP label, bound into the ciphertext (default empty). */
  label?: Uint8Array;
}

function rsaHandle(key: unknown, needPrivate: boolean) {
  return keyHandleFor('RSA-OAEP', 'rsa', key, needPrivate);
}

/** Encrypts a short message (at most k - 66 bytes: 190 for RSA-2048) to `key`. */
export function wrap(key: AsymmetricKey, message: Uint8Array, options: OaepOptions = {}): Buffer {
  const handle = rsaHandle(key, false);
  return native.rsaOaepWrap(handle, requireBytes('message', message), optionalBytes('label', options.label));
}

export function unwrap(key: AsymmetricKey, ciphertext: Uint8Array, options: OaepOptions = {}): Buffer {
  const handle = rsaHandle(key, true);
  return native.rsaOaepUnwrap(handle, requireBytes('ciphertext', ciphertext), optionalBytes('label', options.label));
}

/** Wraps a SecretKey without its bytes ever entering JavaScript. */
export function wrapKey(key: AsymmetricKey, secret: SecretKey, options: OaepOptions = {}): Buffer {
  const handle = rsaHandle(key, false);
  if (!(secret instanceof SecretKey)) throw new RmsError('INVALID_ARGUMENT', 'secret must be a SecretKey', { argument: 'secret' });
  if (secret.closed) throw new RmsError('KEY_CLOSED', 'the key has been closed');
  return native.rsaOaepWrapSecretKey(handle, secret.handle, optionalBytes('label', options.label));
}

/** Unwraps straight into a SecretKey: the content key stays in native memory. */
export function unwrapKey(key: AsymmetricKey, ciphertext: Uint8Array, options: OaepOptions = {}): SecretKey {
  const handle = rsaHandle(key, true);
  return SecretKey.fromHandle(
    native.rsaOaepUnwrapSecretKey(handle, requireBytes('ciphertext', ciphertext), optionalBytes('label', options.label)));
}
