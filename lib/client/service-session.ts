/**
 * One licensing service as this client knows it (DESIGN decision 12): the pinned SLC, the
 * identity's RAC and CLC there, its token, and the connection that authenticates to it. The same
 * code serves every service the client has met, whether it was signed in to with `openrms login`
 * or enrolled at on demand; its state lives in the store under `services/<service ID>/`.
 */
import { AsymmetricKey } from '../crypto/asymmetric-key';
import { RmsError } from '../errors';
import { IdentityKind, verifyClc, VerifiedSlc, verifyRac, verifySlc } from '../license/certificates';
import { decodeJws } from '../license/jws';
import { ClientSettings } from '../settings';
import { ClientStore, ServiceAccount, StoredToken } from '../store/client-store';
import { ServiceConnection } from '../transport/service-connection';
import { pemCertificates, readCaFile, trustAnchors } from '../transport/trust-anchors';
import { TrustPolicy } from '../transport/trust-policy';
import { RmsClientOptions } from './client-options';
import { Tracer } from './trace';

/** Renew the RAC when it has less than this left. */
const RAC_RENEWAL_SECONDS = 7 * 24 * 3600;

/** What every session of one client shares: its store, options, settings and trace. */
export interface ClientContext {
  readonly store: ClientStore;
  /** The options, `mayPrompt` and `homeRealm` resolved from the settings. */
  readonly options: RmsClientOptions & { mayPrompt: boolean; homeRealm?: string };
  readonly settings: ClientSettings;
  readonly tracer: Tracer;
  /** The administrator's TrustedServers, asked before every request the client makes (trust-policy.ts). */
  readonly trust: TrustPolicy;
  /** Seconds since the epoch. */
  now(): number;
}

/**
 * The connection options of a client's calls to the service at `serviceUrl` (`serviceId` once
 * known): its settings, the administrator's trusted servers, the CA certificates trusted for
 * that service, and every answer traced.
 */
export function connectionOptions(ctx: ClientContext, serviceUrl: string, serviceId?: string) {
  return {
    ...ctx.options,
    trust: ctx.trust,
    ca: trustAnchors(caCertificates(ctx, serviceUrl, serviceId)),
    // Asked at each request, so that a bad proxy setting fails only what goes online.
    proxy: ctx.options.proxy ?? { proxyFor: (url: URL) => ctx.settings.proxies.proxyFor(url) },
    onExchange: (e: { method: string; path: string; status: number; ms: number }) => ctx.tracer.event('http', { serviceUrl, ...e }),
  };
}

/**
 * The CA certificates a service's TLS certificate may chain to besides Node's own: the `ca`
 * option, the CAFile setting (OPENRMS_CA), and the CA remembered for the service at sign-in,
 * found by the service's URL until its ID is known (signing in to it again).
 */
function caCertificates(ctx: ClientContext, serviceUrl: string, serviceId: string | undefined): string[] {
  const { store, settings, options } = ctx;
  const base = serviceUrl.replace(/\/+$/, '');
  const id = serviceId ?? store.serviceIds().find((candidate) => store.loadAccount(candidate)?.url === base);
  const stored = id === undefined ? null : store.loadCa(id);
  const file = settings.caFile;
  return [
    ...(options.ca === undefined ? [] : pemCertificates(options.ca, 'ca')),
    ...(file === undefined ? [] : readCaFile(file, 'the CAFile setting, OPENRMS_CA')),
    ...(stored === null ? [] : pemCertificates(stored, `the CA stored for service ${id}`)),
  ];
}

/**
 * The URL to reach a service at, after the administrator's `LicensingRedirection`: a base URL
 * whose licensing URL (`<base>/_wmcs/licensing`) is redirected moves to the new licensing URL's base.
 */
export function redirectedServiceUrl(settings: ClientSettings, baseUrl: string): string {
  const to = settings.redirectLicensingUrl(`${baseUrl}/_wmcs/licensing`);
  return to === undefined ? baseUrl : serviceBaseOf(to) ?? baseUrl;
}

/** `https://host/_wmcs/licensing` -> `https://host`: a service's base URL from one of its URLs. */
export function serviceBaseOf(serviceUrl: unknown): string | null {
  if (typeof serviceUrl !== 'string') return null;
  try {
    const url = new URL(serviceUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return `${url.origin}${url.pathname.replace(/\/_wmcs\/(licensing|certification)\/?$/i, '').replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

export class ServiceSession {
  readonly connection: ServiceConnection;
  private key: AsymmetricKey | undefined;

  constructor(private readonly ctx: ClientContext, readonly serviceId: string, private account: ServiceAccount, private pinnedSlc: VerifiedSlc) {
    const url = redirectedServiceUrl(ctx.settings, account.url);
    // A bearer or refresh token lets whoever holds it act as the user where it was issued: one
    // obtained at the enrolled URL never goes to the URL a LicensingRedirection names (another
    // service, in a migration), nor one obtained there back to the enrolled URL.
    const obtainedHere = (token: StoredToken | null | undefined): StoredToken | undefined =>
      (token != null && (token.serviceUrl ?? account.url) === url ? token : undefined);
    this.connection = new ServiceConnection(url, {
      ...connectionOptions(ctx, url, serviceId),
      token: obtainedHere(account.token),
      onToken: (token) => this.update({ token: { ...token, serviceUrl: url } }),
      coordinate: (fn) => ctx.store.withLock(`token-${serviceId}`, fn),
      storedToken: () => obtainedHere(ctx.store.loadAccount(serviceId)?.token),
    });
  }

  /** The session the store holds for `serviceId`, its SLC verified against the pinned ID; null when the client has not met it. */
  static load(ctx: ClientContext, serviceId: string): ServiceSession | null {
    const account = ctx.store.loadAccount(serviceId);
    if (account === null) return null;
    return new ServiceSession(ctx, serviceId, account, verifySlc(account.slc, { pinned: [serviceId] }));
  }

  /** The service's SLC as pinned: the one seen at enrolment, or a successor its keys certified (a key rotation). */
  get slc(): VerifiedSlc {
    return this.pinnedSlc;
  }

  /**
   * Whether the pinned SLC names `keyId` as a signing key of the service. When it does not, the
   * service may have rotated its keys: its SLC is fetched again (refreshSlc) and asked again.
   */
  async knowsKey(keyId: string): Promise<boolean> {
    if (this.slc.signingKeys.has(keyId)) return true;
    return (await this.refreshSlc()).signingKeys.has(keyId);
  }

  /**
   * Before `token`, which the service signed (a RAC, CLC, UL, PL or template it answered), is
   * verified against `slc`: learns a rotated key that signed it (knowsKey).
   */
  async learnSigner(token: string): Promise<void> {
    let kid: string;
    try {
      kid = decodeJws(token).header.kid;
    } catch {
      return; // Not a JWS: verifying it says so.
    }
    await this.knowsKey(kid);
  }

  /**
   * The service's current SLC, from its discovery document, pinned when it follows from the one
   * pinned now (its key successions pass through the pinned key): the pin moves on to the new
   * key. An SLC that does not follow from it (a successor no pinned key certified) is refused
   * with BROKEN_CERT_CHAIN and nothing changes.
   */
  async refreshSlc(): Promise<VerifiedSlc> {
    const document = await this.connection.call('GET', '/_wmcs/discovery');
    if (typeof document.slc !== 'string' || document.slc === this.slc.token) return this.slc;
    let fresh: VerifiedSlc;
    try {
      fresh = verifySlc(document.slc, { pinned: [this.slc.claims.sub], now: this.ctx.now() });
    } catch (cause) {
      if (!(cause instanceof RmsError)) throw cause;
      throw new RmsError('BROKEN_CERT_CHAIN', `${this.url} shows an SLC that the key pinned for service ${this.serviceId} did not certify: ${cause.message}`,
        { serviceUrl: this.url, cause });
    }
    if (fresh.serviceId !== this.slc.serviceId) {
      throw new RmsError('BROKEN_CERT_CHAIN', `${this.url} now answers as service ${fresh.serviceId}, not ${this.slc.serviceId}`, { serviceUrl: this.url });
    }
    if (fresh.claims.sub !== this.slc.claims.sub) {
      this.pinnedSlc = fresh;
      this.update({ slc: fresh.token });
      this.ctx.tracer.event('service-key-rotated', { serviceId: this.serviceId, serviceUrl: this.url, reason: `signing key now ${fresh.claims.sub}` });
    }
    return this.slc;
  }

  /** Where the service is reached: its URL at enrolment, after any LicensingRedirection. */
  get url(): string {
    return this.connection.baseUrl;
  }

  get identity(): string {
    return this.account.identity;
  }

  get kind(): IdentityKind {
    return this.account.kind;
  }

  /** The store's ID of the device key this service certified. */
  get keyId(): string {
    return this.account.keyId;
  }

  /** The CLC, null where the identity may not publish. */
  get clc(): string | null {
    return this.account.clc;
  }

  /** The device's private key, loaded from the store once. */
  deviceKey(): AsymmetricKey {
    this.key ??= this.ctx.store.loadKey(this.account.keyId);
    return this.key;
  }

  /** Saves a change, merged into what is stored now (another process may have changed other fields). */
  update(change: Partial<ServiceAccount>): void {
    const stored = this.ctx.store.loadAccount(this.serviceId) ?? this.account;
    this.account = { ...this.account, ...change };
    this.ctx.store.saveAccount(this.serviceId, { ...stored, ...change });
  }

  /**
   * The RAC, renewed through the service when it is close to expiry, and the CLC with it (the
   * CLC lives as long as the RAC it was issued with).
   */
  async currentRac(): Promise<string> {
    const claims = decodeJws<{ exp: number }>(this.account.rac).payload;
    if (claims.exp - this.ctx.now() > RAC_RENEWAL_SECONDS) return this.account.rac;
    const { rac, clc } = await certify(this.connection, async (token) => {
      await this.learnSigner(token);
      return this.slc;
    }, this.deviceKey(), this.ctx.now());
    this.update({ rac: rac.token, clc });
    return rac.token;
  }

  /**
   * Before offline publishing: renew the certificates when they are close to expiry and the
   * service can be reached; when it cannot, publish with the CLC as long as it is valid.
   */
  async renewForOfflinePublishing(): Promise<void> {
    if (this.ctx.options.offlineOnly) return;
    try {
      await this.currentRac();
    } catch (error) {
      if (!(error instanceof RmsError) || error.code !== 'SERVICE_UNAVAILABLE') throw error;
    }
  }

  /** Forgets the private key handle (the store keeps the key). */
  close(): void {
    this.key?.close();
    this.key = undefined;
  }
}

/**
 * Has the service certify the device key (a RAC) and, where the identity may publish, issue a
 * CLC: both verified against the service's SLC before they are kept. `slcFor` gives the SLC to
 * verify a token the service answered with (a session learns a rotated key first).
 */
export async function certify(connection: ServiceConnection, slcFor: (token: string) => Promise<VerifiedSlc>, key: AsymmetricKey, now: number):
  Promise<{ rac: ReturnType<typeof verifyRac>; clc: string | null }> {
  const answer = await connection.callAuthenticated('POST', '/_wmcs/certification', { key: key.publicKey().exportJwk() });
  const rac = verifyRac(String(answer.rac), await slcFor(String(answer.rac)), { now });
  if (rac.userKey.thumbprint() !== key.thumbprint()) throw new RmsError('BROKEN_CERT_CHAIN', 'the service certified another key than ours', { serviceUrl: connection.baseUrl });
  let clc: string | null = null;
  try {
    clc = String((await connection.callAuthenticated('POST', '/_wmcs/licensing/clc', { rac: rac.token })).clc);
    verifyClc(clc, await slcFor(clc), { now });
  } catch (error) {
    if (!(error instanceof RmsError) || error.code !== 'ACCESS_DENIED') throw error;
    clc = null;
  }
  return { rac, clc };
}
