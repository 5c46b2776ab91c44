/**
 * RmsClient: the public API of openrms's client, MSIPC's calls in TypeScript
 * (docs/msipc-mapping.md). One client is one user at one licensing service, signed in once
 * (`RmsClient.signIn`, what `openrms login` does) and reopened from the store afterwards.
 *
 * Protecting: build a license (from a template or from scratch), serialize it (offline, signed
 * with the user's CLC: no request to the service; or online, signed by the service), and
 * protect buffers, streams or files with its content key. Consuming: `getContentKey` turns a
 * publishing license into a ContentLicense (cached use license first, else the service), whose
 * `accessCheck` says what the user may do.
 */
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import * as rsaOaep from '../crypto/rsa-oaep';
import { SecretKey } from '../crypto/secret-key';
import { invalidArgument, RmsError } from '../errors';
import {
  CLOCK_SKEW_SECONDS, IdentityKind, normalizeEmail, VerifiedSlc, verifyClc, verifyRac, verifySlc,
} from '../license/certificates';
import { decodeJws } from '../license/jws';
import { PlClaims, publishOffline, publishRequestLabel, VerifiedPl, verifyPl } from '../license/publishing-license';
import { TemplateClaims, verifyTemplate } from '../license/templates';
import { isXrml } from '../license/xrml';
import { checkUlTimes, UlClaims, openUlContentKey, VerifiedUl, verifyUl } from '../license/use-license';
import { protectBufferAsync, unprotectBufferAsync, UnprotectedContent } from '../format/gcm-stream';
import { createProtectStream, createUnprotectStream, ProtectStream, UnprotectStream } from '../format/protect-stream';
import { parsePfile } from '../format/pfile-reader';
import {
  FileOutputOptions, ProtectFileOptions, ProtectFileResult, protectFile, readFileLicense, unprotectFile, UnprotectFileResult,
} from '../format/protect-file';
import { ClientStore, ServiceAccount, StoredToken } from '../store/client-store';
import { defaultStoreRoot } from '../store/store-root';
import { TokenProvider } from '../transport/auth-challenge';
import { HttpOptions } from '../transport/http-json';
import { ServiceConnection } from '../transport/service-connection';
import { ContentLicense } from './content-license';
import { descriptorPolicy, LicenseDescriptor, LicenseFromScratch, licenseFromScratch, licenseFromTemplate } from './license-descriptor';

/** Renew the RAC when it has less than this left. */
const RAC_RENEWAL_SECONDS = 7 * 24 * 3600;

export interface RmsClientOptions extends HttpOptions {
  /** The store's root folder (default: OPENRMS_HOME, else the platform's per-user data folder). */
  store?: string;
  /** Which signed-in service to use: its URL or service ID (default: the last signed in to). */
  service?: string;
  /** Asked for a token when the service challenges and the stored one is gone or refused. */
  tokenProvider?: TokenProvider;
  /** Never contact the service: a use license not in the cache is NEEDS_ONLINE (MSIPC's IPC_PROMPT_FLAG_OFFLINE). */
  offlineOnly?: boolean;
  /** The clock, in seconds since the epoch (tests). */
  now?: () => number;
}

export interface SignInOptions extends RmsClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080. */
  serviceUrl: string;
  tokenProvider: TokenProvider;
}

export interface SerializeOptions {
  /** Have the service sign the PL (online publishing) instead of signing it with the CLC. */
  online?: boolean;
}

/** A serialized license and the content key it protects: protect any number of items with it. */
export interface SerializedLicense {
  contentId: string;
  /** The publishing license, a JWS: what goes into the container. */
  publishingLicense: string;
  /** The content key, in native memory. close() it when done. */
  contentKey: SecretKey;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  claims: TemplateClaims;
}

/** A template as an administrator defines it (see docs/protocol.md). */
export interface TemplateDefinition {
  name: string;
  description?: string;
  grants: { who: string; rights: string[] }[];
  contentValidDays?: number | null;
  offlineDays?: number;
}

export interface GetContentKeyOptions {
  offlineOnly?: boolean;
}

/** Anything that holds a publishing license: the JWS itself, or its bytes as stored in a container. */
export type PublishingLicenseInput = string | Uint8Array;

function plText(pl: PublishingLicenseInput): string {
  if (typeof pl === 'string') return pl.trim();
  if (pl instanceof Uint8Array) return Buffer.from(pl).toString('utf8').trim();
  throw invalidArgument('publishingLicense', 'a publishing license (string or bytes)');
}

async function discover(connection: ServiceConnection): Promise<{ slc: string; name: string }> {
  const d = await connection.call('GET', '/_wmcs/discovery');
  if (typeof d.slc !== 'string') throw new RmsError('SERVICE_ERROR', `${connection.baseUrl} is not an openrms licensing service`);
  return { slc: d.slc, name: String(d.name) };
}

export class RmsClient {
  private readonly connection: ServiceConnection;
  private racKey: AsymmetricKey | undefined;

  private constructor(
    private readonly store: ClientStore,
    readonly serviceId: string,
    private account: ServiceAccount,
    private readonly slc: VerifiedSlc,
    private readonly options: RmsClientOptions,
  ) {
    this.connection = new ServiceConnection(account.url, {
      ...options,
      token: account.token ?? undefined,
      onToken: (token) => this.saveToken(token),
      coordinate: (fn) => store.withLock(`token-${serviceId}`, fn),
      storedToken: () => store.loadAccount(serviceId)?.token,
    });
  }

  /**
   * Signs in to a service (what `openrms login` does): reads its discovery document and pins its
   * SLC, gets a token through `tokenProvider`, makes the user's key pair here, gets a RAC for its
   * public key and, where the user may protect, a CLC. The store remembers all of it.
   */
  static async signIn(o: SignInOptions): Promise<RmsClient> {
    const store = new ClientStore(o.store ?? defaultStoreRoot());
    let token: StoredToken | null = null;
    const probe = new ServiceConnection(o.serviceUrl, { ...o, onToken: (t) => { token = t; } });
    const { slc: slcToken } = await discover(probe);
    // Trust on first use: the SLC the service shows at sign-in is the one pinned from then on.
    const unverified = decodeJws<{ sub?: unknown }>(slcToken).payload;
    const slc = verifySlc(slcToken, { pinned: [String(unverified.sub)] });
    const serviceId = slc.claims.sub;
    const key = await AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 2048 });
    const racAnswer = await probe.callAuthenticated('POST', '/_wmcs/certification', { key: key.publicKey().exportJwk() });
    const rac = verifyRac(String(racAnswer.rac), slc);
    if (rac.userKey.thumbprint() !== key.thumbprint()) throw new RmsError('BROKEN_CERT_CHAIN', 'the service certified another key than ours');
    const keyId = store.saveKey(key);
    let clc: string | null = null;
    try {
      clc = String((await probe.callAuthenticated('POST', '/_wmcs/licensing/clc', { rac: rac.token })).clc);
      verifyClc(clc, slc);
    } catch (error) {
      if (!(error instanceof RmsError) || error.code !== 'ACCESS_DENIED') throw error;
    }
    const account: ServiceAccount = {
      url: probe.baseUrl, slc: slcToken, identity: rac.claims.sub, kind: rac.claims.idk, keyId, rac: rac.token, clc, token,
    };
    // A new key: licenses cached for the old one cannot be opened any more.
    store.dropUseLicenses(serviceId);
    store.saveAccount(serviceId, account);
    store.setCurrent(serviceId);
    return new RmsClient(store, serviceId, account, slc, o);
  }

  /** Reopens a sign-in from the store; NOT_SIGNED_IN when there is none. */
  static open(o: RmsClientOptions = {}): RmsClient {
    const store = new ClientStore(o.store ?? defaultStoreRoot());
    let serviceId = o.service ?? store.current();
    if (serviceId !== null && /^https?:/i.test(serviceId)) {
      const wanted = serviceId.replace(/\/+$/, '');
      serviceId = store.current();
      const current = serviceId === null ? null : store.loadAccount(serviceId);
      if (current === null || current.url !== wanted) throw new RmsError('NOT_SIGNED_IN', `not signed in to ${wanted}; run openrms login`);
    }
    const account = serviceId === null ? null : store.loadAccount(serviceId);
    if (serviceId === null || account === null) throw new RmsError('NOT_SIGNED_IN', `no sign-in in ${store.root}; run openrms login`);
    const slc = verifySlc(account.slc, { pinned: [serviceId] });
    return new RmsClient(store, serviceId, account, slc, o);
  }

  /** Starts a self-service sign-up ("RMS for individuals"): the service sends a code to `email`. */
  static async requestSignUp(serviceUrl: string, email: string, options: HttpOptions = {}): Promise<void> {
    await new ServiceConnection(serviceUrl, options).call('POST', '/_wmcs/individuals/signup', { email: normalizeEmail(email) });
  }

  /** Completes a sign-up with the code the service sent; then sign in with the password. */
  static async completeSignUp(serviceUrl: string, email: string, code: string, password: string, options: HttpOptions = {}): Promise<void> {
    await new ServiceConnection(serviceUrl, options).call('POST', '/_wmcs/individuals/verify', { email: normalizeEmail(email), code, password });
  }

  /** The signed-in user's email. */
  get identity(): string {
    return this.account.identity;
  }

  get identityKind(): IdentityKind {
    return this.account.kind;
  }

  get serviceUrl(): string {
    return this.account.url;
  }

  private now(): number {
    return this.options.now?.() ?? Math.floor(Date.now() / 1000);
  }

  /** Saves a change to the sign-in, merged into what is stored now (another process may have changed other fields). */
  private updateAccount(change: Partial<ServiceAccount>): void {
    const stored = this.store.loadAccount(this.serviceId) ?? this.account;
    this.account = { ...this.account, ...change };
    this.store.saveAccount(this.serviceId, { ...stored, ...change });
  }

  private saveToken(token: StoredToken): void {
    this.updateAccount({ token });
  }

  private key(): AsymmetricKey {
    this.racKey ??= this.store.loadKey(this.account.keyId);
    return this.racKey;
  }

  /**
   * The RAC, renewed through the service when it is close to expiry, and the CLC with it (the
   * CLC lives as long as the RAC it was issued with).
   */
  private async currentRac(): Promise<string> {
    const claims = decodeJws<{ exp: number }>(this.account.rac).payload;
    if (claims.exp - this.now() > RAC_RENEWAL_SECONDS) return this.account.rac;
    const answer = await this.connection.callAuthenticated('POST', '/_wmcs/certification', { key: this.key().publicKey().exportJwk() });
    const rac = verifyRac(String(answer.rac), this.slc, { now: this.now() });
    let clc: string | null = null;
    try {
      clc = String((await this.connection.callAuthenticated('POST', '/_wmcs/licensing/clc', { rac: rac.token })).clc);
      verifyClc(clc, this.slc, { now: this.now() });
    } catch (error) {
      if (!(error instanceof RmsError) || error.code !== 'ACCESS_DENIED') throw error;
    }
    this.updateAccount({ rac: rac.token, clc });
    return rac.token;
  }

  /**
   * Before offline publishing: renew the certificates when they are close to expiry and the
   * service can be reached; when it cannot, publish with the CLC as long as it is valid.
   */
  private async renewForOfflinePublishing(): Promise<void> {
    if (this.options.offlineOnly) return;
    try {
      await this.currentRac();
    } catch (error) {
      if (!(error instanceof RmsError) || error.code !== 'SERVICE_UNAVAILABLE') throw error;
    }
  }

  /** The service's templates (IpcGetTemplateList): fetched and cached, or from the cache when offline. */
  async getTemplates(options: GetContentKeyOptions = {}): Promise<Template[]> {
    let tokens: string[] | null = null;
    if (!(options.offlineOnly ?? this.options.offlineOnly)) {
      try {
        const answer = await this.connection.callAuthenticated('GET', '/_wmcs/licensing/templates');
        tokens = Array.isArray(answer.templates) ? answer.templates.map(String) : [];
        this.store.saveTemplates(this.serviceId, tokens);
      } catch (error) {
        if (!(error instanceof RmsError) || error.code !== 'SERVICE_UNAVAILABLE') throw error;
      }
    }
    tokens ??= this.store.loadTemplates(this.serviceId);
    if (tokens === null) throw new RmsError('NEEDS_ONLINE', 'no template list is cached and the service is not reachable');
    return tokens.map((token) => {
      const claims = verifyTemplate(token, this.slc);
      return { id: claims.id, name: claims.name, description: claims.description, claims };
    });
  }

  /** Administrators: adds a template to the service. */
  async createTemplate(definition: TemplateDefinition): Promise<{ id: string; name: string }> {
    const answer = await this.connection.callAuthenticated('POST', '/_wmcs/licensing/templates', definition);
    return answer.template as { id: string; name: string };
  }

  /** Administrators: changes a template (content already protected with it keeps its policy). */
  async updateTemplate(id: string, definition: TemplateDefinition): Promise<{ id: string; name: string }> {
    const answer = await this.connection.callAuthenticated('PUT', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`, definition);
    return answer.template as { id: string; name: string };
  }

  /** Administrators: archives a template (no longer offered; content protected with it still opens). */
  async archiveTemplate(id: string): Promise<void> {
    await this.connection.callAuthenticated('DELETE', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`);
  }

  /** A license from a template, by ID or name (IpcCreateLicenseFromTemplateID). */
  async createLicenseFromTemplate(idOrName: string): Promise<LicenseDescriptor> {
    const wanted = String(idOrName).toLowerCase();
    const template = (await this.getTemplates()).find((t) => t.id === wanted || t.name.toLowerCase() === wanted);
    if (template === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${idOrName} at ${this.serviceUrl}`);
    return licenseFromTemplate(template.claims, this.now() * 1000);
  }

  /** A license from scratch (IpcCreateLicenseFromScratch + IpcSetLicenseProperty). */
  createLicense(o: LicenseFromScratch): LicenseDescriptor {
    return licenseFromScratch(o);
  }

  /**
   * Serializes a license (IpcSerializeLicense) with a new content key: offline, signed with the
   * user's CLC and no request at all; or online, signed by the service.
   */
  async serializeLicense(d: LicenseDescriptor, options: SerializeOptions = {}): Promise<SerializedLicense> {
    const policy = descriptorPolicy(d);
    const contentId = randomUUID();
    const contentKey = SecretKey.generate(32);
    try {
      let pl: string;
      if (options.online) {
        const wrappedKey = rsaOaep.wrapKey(this.slc.wrappingKey, contentKey, { label: publishRequestLabel(contentId) }).toString('base64url');
        const answer = await this.connection.callAuthenticated('POST', '/_wmcs/licensing/publish', {
          rac: await this.currentRac(), contentId, wrappedKey, policy, autoGrantOwner: d.autoGrantOwner, descriptors: d.descriptors,
          signedData: d.signedData, encryptedData: d.encryptedData, referralUrl: d.referralUrl,
        });
        pl = String(answer.pl);
        verifyPl(pl, this.slc, { now: this.now() });
      } else {
        await this.renewForOfflinePublishing();
        if (this.account.clc === null) throw new RmsError('ACCESS_DENIED', `${this.identity} may not publish at ${this.serviceUrl}`);
        const clc = verifyClc(this.account.clc, this.slc, { now: this.now() });
        pl = publishOffline({
          owner: this.identity, policy, contentKey, wrappingKey: clc.wrappingKey, urls: clc.claims.urls, iat: this.now(), contentId,
          descriptors: d.descriptors, referralUrl: d.referralUrl, signedData: d.signedData, encryptedData: d.encryptedData,
          autoGrantOwner: d.autoGrantOwner,
        }, this.key(), clc.token);
      }
      return { contentId, publishingLicense: pl, contentKey };
    } catch (error) {
      contentKey.close();
      throw error;
    }
  }

  /** Verifies a PL as this service's (signed by it, or by a CLC it issued). */
  private verifyPublishingLicense(pl: string): VerifiedPl {
    if (isXrml(pl)) {
      throw new RmsError('SERVICE_NOT_TRUSTED', 'the content was protected by a Microsoft RMS service (XrML license); openrms opens content of openrms services');
    }
    const { header, payload } = decodeJws<Partial<PlClaims>>(pl);
    const clcIssuer = typeof payload.clc === 'string' ? decodeJws<{ iss?: unknown }>(payload.clc).payload.iss : undefined;
    if (header.kid !== this.serviceId && clcIssuer !== this.serviceId) {
      throw new RmsError('SERVICE_NOT_TRUSTED', `the license was published by a service this client has not signed in to (${String(payload.urls?.extranet ?? payload.urls?.intranet)})`);
    }
    return verifyPl(pl, this.slc, { now: this.now() });
  }

  /**
   * A cached use license for this PL, if one is usable now. It must verify (service-signed, for
   * this user), be for this PL's content and owner and for this device's key, and be inside its
   * validity; anything else is dropped (and fetched again when online). One issued after the
   * current time means the clock went back: CLOCK_ROLL_BACK_DETECTED.
   */
  private cachedUseLicense(pl: PlClaims): VerifiedUl | null {
    const token = this.store.loadUseLicense(this.serviceId, pl.cid);
    if (token === null) return null;
    let ul: VerifiedUl;
    try {
      // Authentic first (checked at its own issue time), so a forged file cannot raise the alarm.
      ul = verifyUl(token, this.slc, this.identity, { now: decodeJws<UlClaims>(token).payload.iat, ignoreLicenseExpiry: true });
      if (ul.claims.cid !== pl.cid || ul.claims.own !== pl.own || ul.claims.rac !== this.key().thumbprint()) {
        throw new RmsError('BROKEN_CERT_CHAIN', 'the cached license is for other content or another key');
      }
    } catch {
      this.store.dropUseLicense(this.serviceId, pl.cid);
      return null;
    }
    if (ul.claims.iat > this.now() + CLOCK_SKEW_SECONDS) {
      throw new RmsError('CLOCK_ROLL_BACK_DETECTED', `the clock is before the issue time of the cached license for ${pl.cid} (${new Date(ul.claims.iat * 1000).toISOString()})`);
    }
    try {
      checkUlTimes(ul.claims, { now: this.now() });
    } catch {
      this.store.dropUseLicense(this.serviceId, pl.cid);
      return null;
    }
    return ul;
  }

  /**
   * The content key and rights for a publishing license (IpcGetKey): from a cached use license
   * while it is valid, else from the service (then cached when the license allows offline use).
   */
  async getContentKey(publishingLicense: PublishingLicenseInput, options: GetContentKeyOptions = {}): Promise<ContentLicense> {
    const pl = this.verifyPublishingLicense(plText(publishingLicense));
    const cid = pl.claims.cid;
    let ul = this.cachedUseLicense(pl.claims);
    let fromCache = ul !== null;
    if (ul === null) {
      if (options.offlineOnly ?? this.options.offlineOnly) throw new RmsError('NEEDS_ONLINE', `no cached use license for content ${cid}, and the client is offline only`);
      let token: string;
      try {
        const answer = await this.connection.callAuthenticated('POST', '/_wmcs/licensing/eul', { pl: pl.token, rac: await this.currentRac() });
        token = String(answer.ul);
      } catch (error) {
        if (error instanceof RmsError && error.code === 'SERVICE_UNAVAILABLE') {
          throw new RmsError('NEEDS_ONLINE', `no usable cached license for content ${cid}, and ${this.serviceUrl} cannot be reached`, { cause: error });
        }
        throw error;
      }
      ul = verifyUl(token, this.slc, this.identity, { now: this.now(), ignoreLicenseExpiry: true });
      const { claims } = ul;
      if (claims.cid !== cid) throw new RmsError('BROKEN_CERT_CHAIN', 'the service answered with a license for other content');
      // Not cached when it allows no offline use, nor when the service's clock is ahead of ours
      // (it would look like a roll-back the next time).
      if (claims.exp > claims.iat && claims.iat <= this.now() + CLOCK_SKEW_SECONDS) this.store.saveUseLicense(this.serviceId, cid, token);
      fromCache = false;
    }
    return new ContentLicense(openUlContentKey(ul, this.key()), pl.claims, ul.claims, fromCache);
  }

  /** IpcAccessCheck. */
  accessCheck(license: ContentLicense, right: string): boolean {
    return license.accessCheck(right);
  }

  private async serialized(license: LicenseDescriptor | SerializedLicense): Promise<{ s: SerializedLicense; owned: boolean }> {
    if ('publishingLicense' in license) return { s: license, owned: false };
    return { s: await this.serializeLicense(license), owned: true };
  }

  /** Protects a buffer into a protected container (a new content key per call for a descriptor). */
  async protectBuffer(data: Uint8Array, license: LicenseDescriptor | SerializedLicense, options: { originalExtension?: string } = {}): Promise<Buffer> {
    const { s, owned } = await this.serialized(license);
    try {
      return await protectBufferAsync(s.contentKey, Buffer.from(s.publishingLicense), data, options);
    } finally {
      if (owned) s.contentKey.close();
    }
  }

  /** Opens a protected container for viewing: needs VIEW. */
  async unprotectBuffer(file: Uint8Array): Promise<UnprotectedContent & { license: ContentLicense }> {
    const license = await this.getContentKey(parsePfile(file).license.bytes);
    try {
      license.requireRight('VIEW', 'opening content');
      return { ...(await unprotectBufferAsync(license.contentKey, file)), license };
    } catch (error) {
      license.close();
      throw error;
    }
  }

  /** A stream that protects what is written to it under `license` (its content key stays the caller's). */
  createProtectStream(license: SerializedLicense, options: { originalExtension?: string } = {}): ProtectStream {
    return createProtectStream(license.contentKey, Buffer.from(license.publishingLicense), options);
  }

  /**
   * Opens a protected file as a stream of plaintext for viewing (needs VIEW), with its license.
   * The license's content key is wiped when the stream closes.
   */
  async openFileStream(file: string): Promise<{ license: ContentLicense; stream: UnprotectStream }> {
    const license = await this.getContentKey(await readFileLicense(file));
    try {
      license.requireRight('VIEW', 'opening content');
    } catch (error) {
      license.close();
      throw error;
    }
    const stream = createUnprotectStream(license.contentKey);
    // A read error ends the plaintext stream with it; the key goes when the stream does.
    const source = createReadStream(file).on('error', (error) => stream.destroy(error));
    source.pipe(stream);
    stream.once('close', () => {
      source.destroy();
      license.close();
    });
    return { license, stream };
  }

  /** IpcfEncryptFile: protects a file to a new file (see protectFile in the file API). */
  async protectFile(source: string, license: LicenseDescriptor | SerializedLicense, options: ProtectFileOptions = {}):
    Promise<ProtectFileResult & { contentId: string }> {
    const { s, owned } = await this.serialized(license);
    try {
      return { ...(await protectFile(source, s.contentKey, Buffer.from(s.publishingLicense), options)), contentId: s.contentId };
    } finally {
      if (owned) s.contentKey.close();
    }
  }

  /** The license of a protected file, opened for this user (for `openrms rights`). */
  async fileLicense(file: string, options: GetContentKeyOptions = {}): Promise<ContentLicense> {
    return this.getContentKey(await readFileLicense(file), options);
  }

  /**
   * IpcfDecryptFile: writes a plaintext copy. A copy without protection is what EXPORT grants,
   * so it needs EXPORT (or OWNER); without it RIGHT_NOT_GRANTED and nothing is written.
   */
  async unprotectFile(source: string, options: FileOutputOptions = {}): Promise<UnprotectFileResult & { license: ContentLicense }> {
    const license = await this.fileLicense(source);
    try {
      license.requireRight('EXPORT', 'a plaintext copy');
      return { ...(await unprotectFile(source, license.contentKey, options)), license };
    } finally {
      license.close();
    }
  }

  /**
   * Revokes content: by content ID, or by its publishing license (which also registers content
   * published offline). Only its owner or an administrator may.
   */
  async revoke(target: { contentId: string } | { publishingLicense: PublishingLicenseInput }): Promise<{ contentId: string; revokedAt: Date }> {
    let cid: string;
    let pl: string | undefined;
    if ('publishingLicense' in target) {
      const verified = this.verifyPublishingLicense(plText(target.publishingLicense));
      pl = verified.token;
      cid = verified.claims.cid;
    } else {
      cid = String(target.contentId).toLowerCase();
    }
    const answer = await this.connection.callAuthenticated('POST', `/_wmcs/licensing/content/${encodeURIComponent(cid)}/revoke`, pl === undefined ? {} : { pl });
    return { contentId: cid, revokedAt: new Date(Number(answer.revokedAt) * 1000) };
  }

  /** Forgets the cached private key handle (the store keeps the key). */
  close(): void {
    this.racKey?.close();
    this.racKey = undefined;
  }
}
