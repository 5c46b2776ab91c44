/**
 * Key profiles (docs/licenses.md "Key profiles"): the keys openrms makes for a service or a
 * device are of one of two kinds. `ec` is P-256 (ES256 signatures, ECDH-ES+A256KW wraps);
 * `rsa` is RSA-2048 (RS256, RSA-OAEP-256). Keys already made keep their type, whatever the
 * profile of the keys made later.
 */
import { AsymmetricKey, GenerateOptions, KeyType } from './asymmetric-key';

export type KeyProfile = KeyType;
export const KEY_PROFILES: readonly KeyProfile[] = ['ec', 'rsa'];

function generateOptions(profile: KeyProfile): GenerateOptions {
  return profile === 'ec' ? { type: 'ec' } : { type: 'rsa', modulusLength: 2048 };
}

/** A new key of `profile`. */
export function generateProfileKey(profile: KeyProfile): AsymmetricKey {
  return AsymmetricKey.generate(generateOptions(profile));
}

/** A new key of `profile`, made on the thread pool. */
export function generateProfileKeyAsync(profile: KeyProfile): Promise<AsymmetricKey> {
  return AsymmetricKey.generateAsync(generateOptions(profile));
}
