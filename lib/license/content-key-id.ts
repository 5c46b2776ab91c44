/**
 * The identity of a piece of content as the licensing service records it: a fingerprint of its
 * content key, HMAC-SHA256(content key, "openrms/content-key-id/1"), base64url. Every PL that
 * carries the same key has the same ID, whatever its content ID, owner or signer, so the
 * service's content registry can hold one owner and one revocation per key. Being a MAC under the
 * key itself, it says nothing about the key to whoever reads the registry.
 */
import { hmacSha256 } from '../crypto/digest';
import { SecretKey } from '../crypto/secret-key';

const LABEL = Buffer.from('openrms/content-key-id/1', 'ascii');

export function contentKeyId(contentKey: SecretKey): string {
  // The HMAC takes its key as bytes: the copy lives only for this call and is wiped after.
  const bytes = contentKey.export();
  try {
    return hmacSha256(bytes, LABEL).toString('base64url');
  } finally {
    bytes.fill(0);
  }
}
