/**
 * JWS signature algorithms (RFC 7518 3.3-3.5): RS256, PS256 (32-byte salt) and ES256 with
 * the JWS encoding of ECDSA signatures (64-byte IEEE P1363 r || s). Verification returns a
 * boolean; only misuse (wrong key type, closed key, bad argument) throws.
 */
import { invalidArgument, RmsError } from '../errors';
import { native, NativeAsymmetricKey, NativeSignatureAlgorithm } from '../native';
import { requireBytes, requireOneOf, THREAD_POOL_THRESHOLD } from './arguments';
import { AsymmetricKey, asymmetricKeyHandle } from './asymmetric-key';

export type SignatureAlgorithm = 'RS256' | 'PS256' | 'ES256';
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256', 'PS256', 'ES256'];

const NATIVE_ALGORITHM: Record<SignatureAlgorithm, NativeSignatureAlgorithm> = {
  RS256: NativeSignatureAlgorithm.RS256,
  PS256: NativeSignatureAlgorithm.PS256,
  ES256: NativeSignatureAlgorithm.ES256,
};

function checkedKey(algorithm: unknown, key: unknown, name: string, algorithmName = 'algorithm'): [SignatureAlgorithm, NativeAsymmetricKey] {
  const alg = requireOneOf(algorithmName, algorithm, SIGNATURE_ALGORITHMS);
  const handle = asymmetricKeyHandle(name, key);
  const needed = alg === 'ES256' ? 'ec' : 'rsa';
  if (handle.type !== needed) {
    throw new RmsError('INVALID_KEY', `${alg} needs ${needed === 'ec' ? 'an EC P-256' : 'an RSA'} key, ${name} is ${handle.type}`,
      { argument: name });
  }
  return [alg, handle];
}

export function sign(algorithm: SignatureAlgorithm, key: AsymmetricKey, data: Uint8Array): Buffer {
  const [alg, handle] = checkedKey(algorithm, key, 'key');
  if (!handle.hasPrivate) throw new RmsError('INVALID_KEY', 'signing needs a private key', { argument: 'key' });
  return native.sign(NATIVE_ALGORITHM[alg], handle, requireBytes('data', data));
}

export function verify(algorithm: SignatureAlgorithm, key: AsymmetricKey, data: Uint8Array, signature: Uint8Array): boolean {
  const [alg, handle] = checkedKey(algorithm, key, 'key');
  return native.verify(NATIVE_ALGORITHM[alg], handle, requireBytes('data', data), requireBytes('signature', signature));
}

/**
 * `sign` on the thread pool. An RSA private-key operation (about a millisecond at 2048 bits)
 * always pays for the hop, so RS256 and PS256 always go there; ES256 signs in tens of
 * microseconds and goes only when `data` is 64 KiB or more, for the hashing.
 */
export async function signAsync(algorithm: SignatureAlgorithm, key: AsymmetricKey, data: Uint8Array): Promise<Buffer> {
  const pays = algorithm !== 'ES256' || (data instanceof Uint8Array && data.length >= THREAD_POOL_THRESHOLD);
  if (!(data instanceof Uint8Array) || !pays) return sign(algorithm, key, data);
  const [alg, handle] = checkedKey(algorithm, key, 'key');
  if (!handle.hasPrivate) throw new RmsError('INVALID_KEY', 'signing needs a private key', { argument: 'key' });
  return native.signAsync(NATIVE_ALGORITHM[alg], handle, data);
}

/** `verify` with the hashing on the thread pool when `data` is 64 KiB or more. */
export async function verifyAsync(algorithm: SignatureAlgorithm, key: AsymmetricKey, data: Uint8Array,
  signature: Uint8Array): Promise<boolean> {
  if (!(data instanceof Uint8Array) || data.length < THREAD_POOL_THRESHOLD) return verify(algorithm, key, data, signature);
  const [alg, handle] = checkedKey(algorithm, key, 'key');
  return native.verifyAsync(NATIVE_ALGORITHM[alg], handle, data, requireBytes('signature', signature));
}

export interface VerificationItem {
  algorithm: SignatureAlgorithm;
  key: AsymmetricKey;
  data: Uint8Array;
  signature: Uint8Array;
}

/**
 * checkedKey for batch item `i`, without a native call per item: the key type is cached on
 * the wrapper, and a closed key is refused by the native side with the same KEY_CLOSED.
 * The argument name is only built when the item is bad.
 */
function checkedBatchKey(item: VerificationItem, i: number): [SignatureAlgorithm, NativeAsymmetricKey] {
  const key = item.key;
  const alg = item.algorithm;
  if (key instanceof AsymmetricKey && Object.hasOwn(NATIVE_ALGORITHM, alg) && key.keyType === (alg === 'ES256' ? 'ec' : 'rsa')) {
    return [alg, key.handle];
  }
  return checkedKey(alg, item.key, `items[${i}].key`, `items[${i}].algorithm`);
}

function prepareBatch(items: readonly VerificationItem[]) {
  if (!Array.isArray(items)) throw invalidArgument('items', 'an array of { algorithm, key, data, signature }');
  const n = items.length;
  const algorithms = new Uint8Array(n);
  const keys: NativeAsymmetricKey[] = new Array(n);
  const data: Uint8Array[] = new Array(n);
  const signatures: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    const [alg, handle] = checkedBatchKey(item, i);
    algorithms[i] = NATIVE_ALGORITHM[alg];
    keys[i] = handle;
    // Names are only built when an item is bad: this loop runs once per signature.
    data[i] = item.data instanceof Uint8Array ? item.data : requireBytes(`items[${i}].data`, item.data);
    signatures[i] = item.signature instanceof Uint8Array ? item.signature : requireBytes(`items[${i}].signature`, item.signature);
  }
  return { algorithms, keys, data, signatures };
}

/** Verifies every item in one native call on this thread; one boolean per item. */
export function verifyBatch(items: readonly VerificationItem[]): boolean[] {
  const b = prepareBatch(items);
  return Array.from(native.verifyBatch(b.algorithms, b.keys, b.data, b.signatures), (r) => r === 1);
}

/**
 * Verifies every item in one native call spread over the libuv thread pool (each thread
 * reuses one OpenSSL context per key); one boolean per item.
 */
export async function verifyBatchAsync(items: readonly VerificationItem[]): Promise<boolean[]> {
  const b = prepareBatch(items);
  const results = await native.verifyBatchAsync(b.algorithms, b.keys, b.data, b.signatures);
  return Array.from(results, (r) => r === 1);
}
