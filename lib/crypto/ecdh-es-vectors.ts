/**
 * The test vectors' seam (docs/licenses.md "Test vectors"): an ECDH-ES wrap with a given
 * ephemeral key, so a vector's wrap is the same bytes every run. Not exported from the
 * package: a reused ephemeral key gives every wrap to one recipient and label the same KEK.
 */
import { asymmetricKeyHandle, AsymmetricKey } from './asymmetric-key';
import { optionalBytes } from './arguments';
import { ecHandle, EcdhEsOptions } from './ecdh-es';
import { native } from '../native';
import { aesKeyHandle, SecretKey } from './secret-key';

export function wrapKeyWithEphemeral(key: AsymmetricKey, secret: SecretKey, ephemeral: AsymmetricKey, options: EcdhEsOptions = {}): Buffer {
  return native.ecdhEsWrapSecretKey(ecHandle(key, false), aesKeyHandle('secret', secret), optionalBytes('label', options.label),
    asymmetricKeyHandle('ephemeral', ephemeral));
}
