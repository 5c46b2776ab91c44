/**
 * RSA (2048 to 8192 bits; 2048, 3072 or 4096 when generated) and EC P-256 keys, held as
 * parsed native handles: a key is parsed and checked once, then reused by every signature,
 * verification, wrap and unwrap. Import and export as PEM (SPKI / PKCS#8), DER and JWK.
 */
import { invalidArgument, RmsError } from '../errors';
import { native, NativeAsymmetricKey, NativeKeyType } from '../native';
import { keyClosed, requireBytes, requireOneOf } from './arguments';
import { sha256 } from './digest';

export type KeyType = NativeKeyType;
export type RsaModulusLength = 2048 | 3072 | 4096;
export const RSA_MODULUS_LENGTHS: readonly RsaModulusLength[] = [2048, 3072, 4096];

export interface RsaJwk {
  kty: 'RSA';
  n: string;
  e: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface EcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export type Jwk = RsaJwk | EcJwk;

export type GenerateOptions = { type: 'rsa'; modulusLength?: RsaModulusLength } | { type: 'ec' };

export interface ExportOptions {
  /** Export the private key (PKCS#8, or a JWK with private members). Default: the public key. */
  includePrivate?: boolean;
}

const RSA_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function fromBase64url(name: string, value: unknown): Buffer {
  if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) {
    throw invalidArgument(name, 'a base64url string without padding');
  }
  return Buffer.from(value, 'base64url');
}

/**
 * RFC 7638 thumbprint of a public JWK (SHA-256, base64url) from its members alone, without
 * parsing the key: the required members only, in lexicographic order, no whitespace (3.2).
 */
export function jwkThumbprint(jwk: Record<string, unknown> | Jwk): string {
  const members = jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : null;
  const fields = jwk as Record<string, unknown>;
  if (members === null || members.some((m) => typeof fields[m] !== 'string')) throw invalidArgument('jwk', 'an RSA or EC public JWK');
  return sha256(Buffer.from(JSON.stringify(Object.fromEntries(members.map((m) => [m, fields[m]]))), 'utf8')).toString('base64url');
}

export class AsymmetricKey {
  /** @internal The native handle; lib/ passes it to native calls. */
  readonly handle: NativeAsymmetricKey;
  /** @internal The key type, read once: batch calls check it per item. */
  readonly keyType: KeyType;
  /** The thumbprint, computed once: it names the key in every JWS it signs or verifies. */
  private kid: string | undefined;

  private constructor(handle: NativeAsymmetricKey) {
    this.handle = handle;
    this.keyType = handle.type;
  }

  /** @internal */
  static fromHandle(handle: NativeAsymmetricKey): AsymmetricKey {
    return new AsymmetricKey(handle);
  }

  /** A new key pair, made synchronously (RSA generation can take a second or more: prefer generateAsync). */
  static generate(options: GenerateOptions): AsymmetricKey {
    const [type, bits] = checkGenerate(options);
    return new AsymmetricKey(native.generateKeyPair(type, bits));
  }

  /** A new key pair, made on the libuv thread pool. */
  static async generateAsync(options: GenerateOptions): Promise<AsymmetricKey> {
    const [type, bits] = checkGenerate(options);
    return new AsymmetricKey(await native.generateKeyPairAsync(type, bits));
  }

  /** A "PUBLIC KEY" (SPKI) or "PRIVATE KEY" (PKCS#8) PEM block; encrypted PEM is refused. */
  static importPem(pem: string | Uint8Array): AsymmetricKey {
    const bytes = typeof pem === 'string' ? Buffer.from(pem, 'utf8') : requireBytes('pem', pem);
    return new AsymmetricKey(native.importKeyPem(bytes));
  }

  /** SPKI or PKCS#8 DER. */
  static importDer(der: Uint8Array): AsymmetricKey {
    return new AsymmetricKey(native.importKeyDer(requireBytes('der', der)));
  }

  /** An RSA or EC P-256 JWK (RFC 7517 / 7518); private when it carries `d`. */
  static importJwk(jwk: Jwk): AsymmetricKey {
    if (typeof jwk !== 'object' || jwk === null) throw invalidArgument('jwk', 'a JWK object');
    if (jwk.kty === 'RSA') {
      const components: Record<string, Buffer> = { n: fromBase64url('jwk.n', jwk.n), e: fromBase64url('jwk.e', jwk.e) };
      if (jwk.d !== undefined) {
        // RFC 7518 6.3.2: the CRT members come together; openrms requires them all.
        for (const m of RSA_PRIVATE_MEMBERS) components[m] = fromBase64url(`jwk.${m}`, jwk[m]);
      }
      return new AsymmetricKey(native.importRsaComponents(components as never));
    }
    if (jwk.kty === 'EC') {
      if (jwk.crv !== 'P-256') throw new RmsError('UNSUPPORTED_ALGORITHM', 'only EC keys on P-256 are supported', { argument: 'jwk.crv' });
      const components: Record<string, Buffer> = { x: fromBase64url('jwk.x', jwk.x), y: fromBase64url('jwk.y', jwk.y) };
      if (jwk.d !== undefined) components['d'] = fromBase64url('jwk.d', jwk.d);
      return new AsymmetricKey(native.importEcComponents(components as never));
    }
    throw new RmsError('UNSUPPORTED_ALGORITHM', 'jwk.kty must be "RSA" or "EC"', { argument: 'jwk.kty' });
  }

  get type(): KeyType {
    return this.open().type;
  }

  /** Modulus length (RSA) or field size (EC: 256). */
  get bits(): number {
    return this.open().bits;
  }

  get hasPrivate(): boolean {
    return this.open().hasPrivate;
  }

  get closed(): boolean {
    return this.handle.closed;
  }

  /** Frees the key (and wipes its private half). Later use throws `KEY_CLOSED`. */
  close(): void {
    this.handle.close();
  }

  exportPem(options: ExportOptions = {}): string {
    return this.open().exportPem(options.includePrivate === true);
  }

  exportDer(options: ExportOptions = {}): Buffer {
    return this.open().exportDer(options.includePrivate === true);
  }

  exportJwk(options: ExportOptions = {}): Jwk {
    const handle = this.open();
    const c = handle.exportComponents(options.includePrivate === true);
    const b64 = (name: string) => c[name]!.toString('base64url');
    if (handle.type === 'rsa') {
      const jwk: RsaJwk = { kty: 'RSA', n: b64('n'), e: b64('e') };
      if (options.includePrivate === true) for (const m of RSA_PRIVATE_MEMBERS) jwk[m] = b64(m);
      return jwk;
    }
    const jwk: EcJwk = { kty: 'EC', crv: 'P-256', x: b64('x'), y: b64('y') };
    if (options.includePrivate === true) jwk.d = b64('d');
    return jwk;
  }

  /** The public half as its own key (safe to hand to code that must never sign). */
  publicKey(): AsymmetricKey {
    return AsymmetricKey.importDer(this.exportDer());
  }

  /** RFC 7638 JWK thumbprint (SHA-256, base64url): a stable key ID for caches and `kid`. */
  thumbprint(): string {
    this.open();
    this.kid ??= jwkThumbprint(this.exportJwk());
    return this.kid;
  }

  private open(): NativeAsymmetricKey {
    if (this.handle.closed) throw keyClosed();
    return this.handle;
  }
}

function checkGenerate(options: GenerateOptions): [KeyType, number | undefined] {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', "{ type: 'rsa' | 'ec' }");
  const type = requireOneOf<KeyType>('options.type', options.type, ['rsa', 'ec']);
  if (type === 'ec') return [type, undefined];
  const bits = (options as { modulusLength?: number }).modulusLength ?? 2048;
  return [type, requireOneOf('options.modulusLength', bits, RSA_MODULUS_LENGTHS)];
}

/** The open handle of `key`, checking it is an AsymmetricKey. */
export function asymmetricKeyHandle(name: string, key: unknown): NativeAsymmetricKey {
  if (!(key instanceof AsymmetricKey)) throw invalidArgument(name, 'an AsymmetricKey');
  if (key.closed) throw keyClosed();
  return key.handle;
}

/** The handle of the open `key` argument of `algorithm`, which takes keys of `type` only (and private ones to unwrap). */
export function keyHandleFor(algorithm: string, type: KeyType, key: unknown, needPrivate: boolean): NativeAsymmetricKey {
  const handle = asymmetricKeyHandle('key', key);
  if (handle.type !== type) throw new RmsError('INVALID_KEY', `${algorithm} needs ${type === 'rsa' ? 'an RSA' : 'an EC P-256'} key`, { argument: 'key' });
  if (needPrivate && !handle.hasPrivate) throw new RmsError('INVALID_KEY', 'unwrapping needs a private key', { argument: 'key' });
  return handle;
}
