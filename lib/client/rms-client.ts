/**
 * RmsClient: the public API of openrms's client, MSIPC's calls in TypeScript
 * (docs/msipc-mapping.md). One client is **one identity on one device** (DESIGN decision 12)
 * working with any number of licensing services: the one it signed in to first is its default
 * publishing service (`RmsClient.signIn`, what `openrms login` does; reopened from the store
 * with `RmsClient.open`), and a PL from another service is opened after the client enrols there
 * on demand, when its trust policy allows that service.
 *
 * This class is a facade: each service's state is a ServiceSession (service-session.ts),
 * enrolment is enrolment.ts, publishing publishing.ts, consuming consuming.ts with the use
 * license cache, templates lib/templates; administrators' calls are RmsAdministration's.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';

import { KEY_PROFILES } from '../crypto/key-profile';
import { invalidArgument, RmsError } from '../errors';
import { IdentityKind, normalizeEmail, slcKeyIds } from '../license/certificates';
import { verifyPl, VerifiedPl } from '../license/publishing-license';
import { protectBufferAsync, unprotectBufferAsync, UnprotectedContent } from '../format/gcm-stream';
import { createProtectStream, createUnprotectStream, ProtectStream, UnprotectStream } from '../format/protect-stream';
import { parsePfile } from '../format/pfile-reader';
import {
  FileOutputOptions, ProtectFileOptions, ProtectFileResult, protectFile, readFileLicense, unprotectFile, UnprotectFileResult,
} from '../format/protect-file';
import { DiscoverOptions, DiscoveryResult } from '../discovery';
import { ClientSettings, loadClientSettings } from '../settings';
import { ClientStore } from '../store/client-store';
import { ServiceConnection } from '../transport/service-connection';
import { pemCertificates } from '../transport/trust-anchors';
import { allOf, ENROLLED_ONLY, requireTrusted, TrustedServersPolicy } from '../transport/trust-policy';
import { GetContentKeyOptions, RmsClientOptions, SerializeOptions, SignInOptions } from './client-options';
import { getContentKey } from './consuming';
import { ContentLicense } from './content-license';
import { enrol } from './enrolment';
import { licenseIssuer } from './license-issuer';
import { LicenseDescriptor, LicenseFromScratch, licenseFromScratch, licenseFromTemplate } from './license-descriptor';
import { SerializedLicense, serializeLicense } from './publishing';
import { discover, enrolForLicense, withDiscoveredService } from './service-discovery';
import { ClientContext, connectionOptions, ServiceSession } from './service-session';
import { Tracer } from './trace';
import { UseLicenseCache } from './use-license-cache';
import { chooseTemplate } from '../templates/template-choice';
import { defaultLocale } from '../templates/localized-text';
import { RefreshTimer, startRefreshTimer } from '../templates/refresh-timer';
import { Template, TemplateLibrary } from '../templates/template-library';
import { templateToXml } from '../templates/template-xml';
import { templateEnabledFor } from '../license/templates';
import { VerifiedTokenCache } from './verified-token-cache';

export type { GetContentKeyOptions, RmsClientOptions, SerializeOptions, SignInOptions } from './client-options';
export type { SerializedLicense } from './publishing';
export type { Template } from '../templates/template-library';

/** A service templates can come from (IpcGetTemplateIssuerList): one this identity is enrolled at. */
export interface TemplateIssuer {
  serviceId: string;
  /** Its base URL. */
  url: string;
  /** The name the service gives itself (its SLC's). */
  name: string;
  /** Whether it is the client's default (publishing) service. */
  isDefault: boolean;
}

/** Which templates, in which language (IpcGetTemplateList). */
export interface TemplateQuery {
  /** The issuer: a service ID or base URL the identity is enrolled at (default: the default service). */
  issuer?: string;
  /** BCP 47 language tag for names and descriptions (default: the process's locale). */
  locale?: string;
  /** Use the cache (or unmanaged files) only. */
  offlineOnly?: boolean;
  /** Download now, whatever the refresh schedule says. */
  forceDownload?: boolean;
}

/** What `refreshTemplates` did for one issuer. */
export interface TemplateRefresh {
  issuer: string;
  serviceId: string;
  /** `downloaded` now; `current` (not due); `unmanaged` (the default service's come from UnmanagedTemplates files); `failed`. */
  outcome: 'downloaded' | 'current' | 'unmanaged' | 'failed';
  templates?: number;
  error?: RmsError;
}

/** Anything that holds a publishing license: the JWS itself, or its bytes as stored in a container. */
export type PublishingLicenseInput = string | Uint8Array;

function plText(pl: PublishingLicenseInput): string {
  if (typeof pl === 'string') return pl.trim();
  if (pl instanceof Uint8Array) return Buffer.from(pl).toString('utf8').trim();
  throw invalidArgument('publishingLicense', 'a publishing license (string or bytes)');
}

/** The client's settings (code, environment, registry: docs/settings.md), store, trace and connection options. */
function contextOf(o: RmsClientOptions): ClientContext {
  if (o.deviceKeyType !== undefined && !KEY_PROFILES.includes(o.deviceKeyType)) throw invalidArgument('deviceKeyType', "'ec' or 'rsa'");
  const mode = o.mode ?? 'client';
  const settings = loadClientSettings({ mode, account: o.account, storeRoot: o.store, overrides: o.settings });
  // A service account never asks a person (MSIPC's server mode); a person only when the administrator lets a browser open.
  const mayPrompt = mode === 'server' ? false : o.mayPrompt ?? settings.browserEnabled;
  const homeRealm = settings.federationHomeRealm;
  return {
    store: new ClientStore(settings.storeRoot),
    options: { ...o, mayPrompt, ...(homeRealm === undefined ? {} : { homeRealm }) },
    settings,
    tracer: new Tracer(settings.storeRoot, settings.traceEnabled),
    // The configured cloud service is trusted whatever the list says (issue 11).
    trust: new TrustedServersPolicy(() => settings.trustedServers, () => (settings.cloudServiceUrl === undefined ? [] : [settings.cloudServiceUrl])),
    now: () => o.now?.() ?? Math.floor(Date.now() / 1000),
  };
}

/** An explicit sign-in: at the service asked for, else at the one discovery finds (ServiceLocation settings first). */
function signInAt(ctx: ClientContext, o: SignInOptions): Promise<ServiceSession> {
  if (o.serviceUrl !== undefined) return enrol(ctx, o.serviceUrl);
  return withDiscoveredService(ctx, { email: o.email }, (found) => enrol(ctx, found.serviceUrl));
}

/** The service ID `open` should use: the option (a service ID, or the URL of a service in the store), else the store's default. */
function defaultServiceId(ctx: ClientContext): string {
  const { store } = ctx;
  const wanted = ctx.options.service;
  if (wanted !== undefined && /^https?:/i.test(wanted)) {
    const url = wanted.replace(/\/+$/, '');
    const found = store.serviceIds().find((id) => store.loadAccount(id)?.url === url);
    if (found === undefined) throw new RmsError('NOT_SIGNED_IN', `not signed in to ${url}; run openrms login`, { serviceUrl: url });
    return found;
  }
  const id = wanted ?? store.current();
  if (id === null || store.loadAccount(id) === null) throw new RmsError('NOT_SIGNED_IN', `no sign-in in ${store.root}; run openrms login`);
  return id;
}

function codeOf(error: unknown): string {
  return error instanceof RmsError ? error.code : 'ERROR';
}

/**
 * `DisablePassportCertification`: content licensed to an individual (consumer) identity is
 * refused, as MSIPC refuses certification by the consumer (Passport) service.
 */
function checkConsumerPolicy(ctx: ClientContext, session: ServiceSession): void {
  if (session.kind === 'individual' && ctx.settings.passportCertificationDisabled) {
    throw new RmsError('ACCESS_DISABLED_BY_POLICY', `${session.identity} is an individual (consumer) identity, and DisablePassportCertification is set`,
      { serviceUrl: session.url });
  }
}

/**
 * `FileProtection\<EXT>\Encryption`: `Off` refuses to protect the file type (FILE_ENCRYPT_BLOCKED);
 * `Native` and `Pfile` both protect it, as a PFILE (openrms has no native formats).
 */
function checkFileProtection(ctx: ClientContext, file: string): void {
  if (ctx.settings.fileProtectionFor(path.basename(file)) === 'Off') {
    throw new RmsError('FILE_ENCRYPT_BLOCKED', `protecting ${path.basename(file)} is blocked by the administrator (FileProtection: Off for its type)`);
  }
}

export class RmsClient {
  /** Every service met so far, by service ID; the default one first. */
  private readonly sessions = new Map<string, ServiceSession>();
  /**
   * PLs verified lately (a thousand, 4 MiB of text at most: VerifiedTokenCache), by their text:
   * opening an item again skips finding its service and reading and checking its PL and CLC
   * again, a third of an EC open. An entry counts only while its session is still the one this
   * client holds for that service.
   */
  private readonly verifiedPls = new VerifiedTokenCache<{ session: ServiceSession; pl: VerifiedPl }>((verified) => verified.pl.token);
  private readonly cache: UseLicenseCache;
  private readonly templates: TemplateLibrary;
  private refreshTimer: RefreshTimer | null = null;

  private constructor(private readonly ctx: ClientContext, private readonly publishing: ServiceSession) {
    this.sessions.set(publishing.serviceId, publishing);
    this.cache = new UseLicenseCache(ctx.store, ctx.now);
    this.templates = new TemplateLibrary(ctx);
    if (ctx.options.refreshTemplatesInBackground) this.startTemplateRefresh();
  }

  /**
   * Signs in to a service (what `openrms login` does) and makes it the default publishing
   * service: reads its discovery document and pins its SLC, gets a token through `tokenProvider`,
   * makes the device's key pair here, gets a RAC for its public key and, where the user may
   * protect, a CLC. The store remembers all of it.
   */
  static async signIn(o: SignInOptions): Promise<RmsClient> {
    const ctx = contextOf(o);
    const session = await signInAt(ctx, o);
    // A private CA given at sign-in is the service's from then on: later calls find it in the store.
    if (o.ca !== undefined) ctx.store.saveCa(session.serviceId, pemCertificates(o.ca, 'ca').join('\n'));
    ctx.store.setCurrent(session.serviceId);
    return new RmsClient(ctx, session);
  }

  /** Reopens the store's identity, its default service (or `service`) as publishing service; NOT_SIGNED_IN when there is none. */
  static open(o: RmsClientOptions = {}): RmsClient {
    const ctx = contextOf(o);
    const session = ServiceSession.load(ctx, defaultServiceId(ctx));
    if (session === null) throw new RmsError('NOT_SIGNED_IN', `no sign-in in ${ctx.store.root}; run openrms login`);
    return new RmsClient(ctx, session);
  }

  /**
   * Finds the licensing service to publish to (docs/discovery.md): the ServiceLocation settings,
   * the directory's service connection point, DNS SRV records of `email`'s domain and its
   * parents, the CloudService setting; every step reported. Answers from the cache unless `fresh`.
   */
  static discover(o: RmsClientOptions & DiscoverOptions = {}): Promise<DiscoveryResult> {
    return discover(contextOf(o), { email: o.email, fresh: o.fresh });
  }

  /** Starts a self-service sign-up ("RMS for individuals"): the service sends a code to `email`. */
  static async requestSignUp(serviceUrl: string, email: string, options: RmsClientOptions = {}): Promise<void> {
    await new ServiceConnection(serviceUrl, connectionOptions(contextOf(options), serviceUrl)).call('POST', '/_wmcs/individuals/signup', { email: normalizeEmail(email) });
  }

  /** Completes a sign-up with the code the service sent; then sign in with the password. */
  static async completeSignUp(serviceUrl: string, email: string, code: string, password: string, options: RmsClientOptions = {}): Promise<void> {
    await new ServiceConnection(serviceUrl, connectionOptions(contextOf(options), serviceUrl)).call('POST', '/_wmcs/individuals/verify', { email: normalizeEmail(email), code, password });
  }

  /** Whether the service takes self-service sign-ups, as its discovery document says (`individualSignUp`). */
  static async individualSignUpOpen(serviceUrl: string, options: RmsClientOptions = {}): Promise<boolean> {
    const document = await new ServiceConnection(serviceUrl, connectionOptions(contextOf(options), serviceUrl)).call('GET', '/_wmcs/discovery');
    return document.individualSignUp === true;
  }

  /** The identity's email. */
  get identity(): string {
    return this.publishing.identity;
  }

  get identityKind(): IdentityKind {
    return this.publishing.kind;
  }

  /** The default publishing service's base URL. */
  get serviceUrl(): string {
    return this.publishing.url;
  }

  /** The default publishing service's ID (the thumbprint of its first signing key: it stays the same across key rotations). */
  get serviceId(): string {
    return this.publishing.serviceId;
  }

  /** The settings this client runs with (code, environment, registry: docs/settings.md). */
  get settings(): ClientSettings {
    return this.ctx.settings;
  }

  /** The store's root folder (keys, services, cached licenses). */
  get storeRoot(): string {
    return this.ctx.store.root;
  }

  /** Every service this identity is enrolled at: its ID and URL. */
  services(): { serviceId: string; url: string }[] {
    const { store } = this.ctx;
    return store.serviceIds().flatMap((serviceId) => {
      const account = store.loadAccount(serviceId);
      return account === null ? [] : [{ serviceId, url: account.url }];
    });
  }

  /** @internal The default publishing service's session (administration, tests). */
  defaultSession(): ServiceSession {
    return this.publishing;
  }

  /**
   * The session of the service that published `pl`: one already met (in memory or in the
   * store), or a new enrolment there when the trust policy allows its URL, asked before any
   * request to it. Anything else is SERVICE_NOT_TRUSTED, naming the service.
   */
  private async sessionFor(pl: string): Promise<ServiceSession> {
    const issuer = licenseIssuer(pl, (url) => this.ctx.settings.redirectLicensingUrl(url));
    let session = await this.knownSession(issuer.serviceKey, issuer.serviceUrls);
    if (session === null) {
      const url = issuer.serviceUrl;
      const application = this.ctx.options.trustPolicy ?? ENROLLED_ONLY;
      // The application's policy and the administrator's TrustedServers, both: the application's cannot widen the administrator's.
      const policy = allOf(application, this.ctx.trust);
      const allowed = issuer.serviceUrls.some((candidate) => policy.allows(new URL(candidate)));
      if (url !== null && !allowed && application.allows(new URL(url))) requireTrusted(this.ctx.trust, new URL(url));
      if (url === null || !allowed) {
        throw new RmsError('SERVICE_NOT_TRUSTED', `the license was published by a service this client is not enrolled at and may not enrol at (${url ?? 'no licensing URL'})`,
          url === null ? {} : { serviceUrl: url });
      }
      if (this.ctx.options.offlineOnly) throw new RmsError('NEEDS_ONLINE', `opening this content needs enrolment at ${url}, and the client is offline only`, { serviceUrl: url });
      // The PL's licensing URLs the policy allows, in turn; when none answers, the service discovery finds.
      session = await enrolForLicense(this.ctx, issuer.serviceUrls.filter((candidate) => policy.allows(new URL(candidate))), policy, this.identity,
        { deviceKeyId: this.publishing.keyId, expectedServiceKey: issuer.serviceKey, expectedIdentity: this.identity });
    }
    this.sessions.set(session.serviceId, session);
    return session;
  }

  /**
   * The session, among the services this identity is enrolled at, of the one whose signing key
   * `keyId` is: by service ID (its first signing key), else by a key its pinned SLC names (one it
   * rotated to), else at a service reached at one of `urls` once its SLC is fetched again (a
   * rotation this client has not seen yet; not when offline only). Null when none holds it.
   */
  private async knownSession(keyId: string, urls: readonly string[]): Promise<ServiceSession | null> {
    const { store } = this.ctx;
    const byKey = this.sessions.get(keyId) ?? [...this.sessions.values()].find((s) => s.slc.signingKeys.has(keyId))
      ?? ServiceSession.load(this.ctx, keyId);
    if (byKey != null) return byKey;
    const id = store.serviceIds().find((candidate) => slcKeyIds(store.loadAccount(candidate)?.slc).includes(keyId));
    if (id !== undefined) return ServiceSession.load(this.ctx, id);
    if (this.ctx.options.offlineOnly) return null;
    const reached = new Set(urls.map((url) => url.toLowerCase()));
    for (const { serviceId, url } of this.services()) {
      if (!reached.has(url.toLowerCase())) continue;
      const session = this.sessions.get(serviceId) ?? ServiceSession.load(this.ctx, serviceId);
      try {
        if (session !== null && await session.knowsKey(keyId)) return session;
      } catch (error) {
        if (!(error instanceof RmsError) || error.code !== 'SERVICE_UNAVAILABLE') throw error;
      }
    }
    return null;
  }

  /** A PL verified by the service that published it, with that service's session. */
  private async verifiedLicense(publishingLicense: PublishingLicenseInput): Promise<{ session: ServiceSession; pl: VerifiedPl }> {
    const text = plText(publishingLicense);
    const known = this.verifiedPls.get(text);
    if (known !== undefined && this.sessions.get(known.session.serviceId) === known.session) return known;
    const session = await this.sessionFor(text);
    const verified = { session, pl: verifyPl(text, session.slc, { now: this.ctx.now() }) };
    this.verifiedPls.set(text, verified);
    return verified;
  }

  /** A service this identity is enrolled at, by service ID or base URL; NOT_SIGNED_IN otherwise. */
  private enrolledSession(issuer: string | undefined): ServiceSession {
    if (issuer === undefined) return this.publishing;
    if (typeof issuer !== 'string') throw invalidArgument('issuer', 'a service ID or URL');
    // A session already met, by its ID: no need to read every account in the store again.
    const known = this.sessions.get(issuer);
    if (known !== undefined) return known;
    const url = issuer.replace(/\/+$/, '').toLowerCase();
    const id = this.services().find((s) => s.serviceId === issuer || s.url.toLowerCase() === url)?.serviceId;
    const session = id === undefined ? null : this.sessions.get(id) ?? ServiceSession.load(this.ctx, id);
    if (session === null) throw new RmsError('NOT_SIGNED_IN', `this identity is not enrolled at ${issuer}`, /^https?:/i.test(issuer) ? { serviceUrl: issuer } : {});
    this.sessions.set(session.serviceId, session);
    return session;
  }

  /** The services templates can come from (IpcGetTemplateIssuerList): every one this identity is enrolled at, the default first. */
  getTemplateIssuers(): TemplateIssuer[] {
    const issuers = this.services().map(({ serviceId, url }) => ({
      serviceId, url, name: this.enrolledSession(serviceId).slc.claims.name, isDefault: serviceId === this.serviceId,
    }));
    return issuers.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  }

  /**
   * The templates an issuer offers this user (IpcGetTemplateList), names and descriptions in
   * the caller's language: from the cache while it is fresher than the refresh interval, else
   * downloaded (a failed download keeps the cache); for the default service, the
   * UnmanagedTemplates files when there are any (docs/templates.md).
   */
  async getTemplates(query: TemplateQuery = {}): Promise<Template[]> {
    const session = this.enrolledSession(query.issuer);
    // The service lists only what the user may use; UnmanagedTemplates files are filtered the same way.
    return (await this.templatesAt(session, query)).filter((t) => templateEnabledFor(t.claims, session.identity));
  }

  /** The templates of `session` for `query`, UnmanagedTemplates files outside the user's audience included. */
  private templatesAt(session: ServiceSession, query: TemplateQuery): Promise<Template[]> {
    return this.templates.templatesOf(session, {
      locale: query.locale ?? defaultLocale(), offlineOnly: query.offlineOnly ?? this.ctx.options.offlineOnly ?? false,
      force: query.forceDownload ?? false, isDefault: session === this.publishing,
    });
  }

  /**
   * Downloads the templates of every issuer (or `issuer`) whose refresh is due; with `force`,
   * deletes their `Template` marker first, so each is downloaded now. Never throws for one
   * issuer's failure: each outcome says what happened.
   */
  async refreshTemplates(o: { issuer?: string; force?: boolean } = {}): Promise<TemplateRefresh[]> {
    const sessions = o.issuer === undefined ? this.getTemplateIssuers().map((i) => this.enrolledSession(i.serviceId)) : [this.enrolledSession(o.issuer)];
    const outcomes: TemplateRefresh[] = [];
    for (const session of sessions) {
      const at = { issuer: session.url, serviceId: session.serviceId };
      try {
        outcomes.push({ ...at, ...(await this.templates.refresh(session, { force: o.force ?? false, isDefault: session === this.publishing })) });
      } catch (error) {
        if (!(error instanceof RmsError)) throw error;
        outcomes.push({ ...at, outcome: 'failed', error });
      }
    }
    return outcomes;
  }

  /**
   * Refreshes templates in the background when due (for long-running processes; the timer does
   * not keep the process alive). Stopped by the returned handle or by close().
   */
  startTemplateRefresh(): RefreshTimer {
    this.refreshTimer?.stop();
    const timer = startRefreshTimer(() => this.ctx.settings.templateUpdateIntervalSeconds, async () => {
      await this.refreshTemplates();
    });
    this.refreshTimer = timer;
    return timer;
  }

  /**
   * A template as a file for the UnmanagedTemplates folder (`openrms templates export`): readable
   * XML carrying the signed template (docs/templates.md).
   */
  async exportTemplate(idOrName: string, query: Omit<TemplateQuery, 'forceDownload'> = {}): Promise<string> {
    const template = chooseTemplate(await this.getTemplates(query), idOrName, this.enrolledSession(query.issuer).url);
    return templateToXml(template.token, template.claims, template.issuer);
  }

  /**
   * A license from a template, by ID or name (IpcCreateLicenseFromTemplateID), at its issuer:
   * this is a publishing request, so the issuer's templates are downloaded first when due (a
   * failed download keeps the cached ones). TEMPLATE_NOT_ENABLED_FOR_USER when the template's
   * audience leaves this user out.
   */
  async createLicenseFromTemplate(idOrName: string, query: Omit<TemplateQuery, 'forceDownload'> = {}): Promise<LicenseDescriptor> {
    const session = this.enrolledSession(query.issuer);
    const template = chooseTemplate(await this.templatesAt(session, query), idOrName, session.url);
    if (!templateEnabledFor(template.claims, session.identity)) {
      throw new RmsError('TEMPLATE_NOT_ENABLED_FOR_USER', `${session.identity} may not protect with template ${template.name}`, { serviceUrl: session.url });
    }
    return { ...licenseFromTemplate(template.claims, this.ctx.now() * 1000), templateIssuer: session.serviceId };
  }

  /** A license from scratch (IpcCreateLicenseFromScratch + IpcSetLicenseProperty). */
  createLicense(o: LicenseFromScratch): LicenseDescriptor {
    return licenseFromScratch(o);
  }

  /**
   * Serializes a license (IpcSerializeLicense) with a new content key at the default publishing
   * service: offline, signed with the user's CLC and no request at all; or online, signed by the service.
   */
  async serializeLicense(d: LicenseDescriptor, options: SerializeOptions = {}): Promise<SerializedLicense> {
    // A license from another issuer's template is published there (MSIPC: the template's issuer).
    const session = d.templateIssuer === undefined ? this.publishing : this.enrolledSession(d.templateIssuer);
    const serialized = await serializeLicense(session, d, { ...options, now: this.ctx.now });
    this.ctx.tracer.event('serialize-license', { serviceId: session.serviceId, contentId: serialized.contentId, templateId: d.template ?? undefined });
    return serialized;
  }

  /**
   * The content key and rights for a publishing license (IpcGetKey), at the service that
   * published it: from a cached use license while it is valid, else from the service (then
   * cached when the license allows offline use).
   */
  async getContentKey(publishingLicense: PublishingLicenseInput, options: GetContentKeyOptions = {}): Promise<ContentLicense> {
    const { session, pl } = await this.verifiedLicense(publishingLicense);
    checkConsumerPolicy(this.ctx, session);
    const tracer = this.ctx.tracer;
    try {
      const license = await getContentKey(session, pl, this.cache, { offlineOnly: options.offlineOnly ?? this.ctx.options.offlineOnly, now: this.ctx.now() });
      tracer.event('get-content-key', { serviceId: session.serviceId, contentId: pl.claims.cid, rights: license.rights, fromCache: license.fromCache });
      return license;
    } catch (error) {
      tracer.event('get-content-key', { serviceId: session.serviceId, contentId: pl.claims.cid, code: codeOf(error) });
      throw error;
    }
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
    checkFileProtection(this.ctx, source);
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
   * Revokes content: by its publishing license, at the service that published it (which also
   * registers content published offline), or by content ID at the default service. Only its
   * owner or an administrator may.
   */
  async revoke(target: { contentId: string } | { publishingLicense: PublishingLicenseInput }): Promise<{ contentId: string; revokedAt: Date }> {
    let session = this.publishing;
    let cid: string;
    let pl: string | undefined;
    if ('publishingLicense' in target) {
      const verified = await this.verifiedLicense(target.publishingLicense);
      session = verified.session;
      pl = verified.pl.token;
      cid = verified.pl.claims.cid;
    } else {
      cid = String(target.contentId).toLowerCase();
    }
    const answer = await session.connection.callAuthenticated('POST', `/_wmcs/licensing/content/${encodeURIComponent(cid)}/revoke`, pl === undefined ? {} : { pl });
    return { contentId: cid, revokedAt: new Date(Number(answer.revokedAt) * 1000) };
  }

  /** Forgets the cached private key handles (the store keeps the key). */
  close(): void {
    this.refreshTimer?.stop();
    this.refreshTimer = null;
    for (const session of this.sessions.values()) session.close();
  }
}
