/**
 * Public keys parsed from JWKs in certificates, cached by RFC 7638 thumbprint (the `kid` of
 * every openrms JWS): verifying a chain parses each key once per process, not once per
 * license. The thumbprint is computed from the JWK's members before any parsing, so a cache
 * hit costs one SHA-256. Bounded, oldest entries evicted first.
 */
import { AsymmetricKey, Jwk, jwkThumbprint } from '../crypto/asymmetric-key';
import { invalidArgument } from '../errors';

const MAX_ENTRIES = 4096;
const cache = new Map<string, AsymmetricKey>();

/** The public key `jwk` describes (parsed once per process; private members are refused). */
export function publicKeyFromJwk(jwk: unknown, name: string): AsymmetricKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidArgument(name, 'a public JWK');
  if ('d' in jwk) throw invalidArgument(name, 'a public JWK (it holds a private key)');
  const kid = jwkThumbprint(jwk as Record<string, unknown>);
  const cached = cache.get(kid);
  if (cached !== undefined) return cached;
  const key = AsymmetricKey.importJwk(jwk as Jwk);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(kid, key);
  return key;
}
