/**
 * Templates for a client (IpcGetTemplateIssuerList, IpcGetTemplateList; docs/templates.md):
 * per service the client is enrolled at, the signed templates it offers this user, kept in the
 * store and downloaded again when the refresh interval has passed, at the next publishing request
 * or listing (or by an opt-in timer); the default service's replaced by the `UnmanagedTemplates`
 * folder's files when it holds any. Every template is verified against its service's pinned
 * SLC before use; one that does not verify is left out and traced.
 *
 * A download that fails keeps the cached templates (protection with them goes on) and is retried
 * after a growing delay (refresh-schedule.ts); with nothing cached it fails with the reason.
 */
import { RmsError } from '../errors';
import { TemplateClaims, verifyTemplate } from '../license/templates';
import { ClientContext, ServiceSession } from '../client/service-session';
import { localizedText } from './localized-text';
import { markFailed, markRefreshed, parseMarker, refreshDue } from './refresh-schedule';
import { loadTemplateCache, saveTemplateCache } from './template-cache';
import { readUnmanagedTemplates } from './unmanaged-templates';

/** A template as the client offers it: text in the caller's language, and its issuer. */
export interface Template {
  id: string;
  name: string;
  description: string;
  /** The base URL of the service that issued it. */
  issuer: string;
  /** That service's ID (the thumbprint of its signing key). */
  serviceId: string;
  /** Downloaded now, read from the cache, or from an UnmanagedTemplates file. */
  source: 'service' | 'cache' | 'unmanaged';
  /** The signed template's content. */
  claims: TemplateClaims;
  /** The signed template (a JWS), as the service issued it. */
  token: string;
}

export interface TemplateListOptions {
  /** BCP 47 tag of the language for names and descriptions (default: the process's locale). */
  locale: string;
  /** Never go online: the cache (or unmanaged files) only; NEEDS_ONLINE when there is none. */
  offlineOnly: boolean;
  /** Download now whatever the schedule says. */
  force: boolean;
  /** Whether the session is the client's default service (the only one UnmanagedTemplates replaces). */
  isDefault: boolean;
}

/** How long a due refresh may hold up a listing or publishing request when templates are cached. */
export const REFRESH_GRACE_MS = 3000;

interface SignedTemplate {
  token: string;
  claims: TemplateClaims;
}

export class TemplateLibrary {
  constructor(private readonly ctx: ClientContext) {}

  private get intervalSeconds(): number {
    return this.ctx.settings.templateUpdateIntervalSeconds;
  }

  /**
   * The templates of `session`, by the schedule, in `o.locale`: what the service lists for this
   * user, or every UnmanagedTemplates file (the caller filters those by audience).
   */
  async templatesOf(session: ServiceSession, o: TemplateListOptions): Promise<Template[]> {
    const { signed, source } = await this.signedTemplatesOf(session, o);
    return signed.map(({ token, claims }) => ({
      id: claims.id, name: localizedText(claims.names, o.locale, claims.name), description: localizedText(claims.descriptions, o.locale, claims.description),
      issuer: session.url, serviceId: session.serviceId, source, claims, token,
    }));
  }

  private async signedTemplatesOf(session: ServiceSession, o: TemplateListOptions): Promise<{ signed: SignedTemplate[]; source: Template['source'] }> {
    if (o.isDefault) {
      const unmanaged = readUnmanagedTemplates(this.ctx.store.unmanagedTemplatesFolder, session.slc, session.url, this.ctx.tracer);
      // Every file, the user's audience or not: the client lists only what the user may use (as
      // the service does), and protecting with another is TEMPLATE_NOT_ENABLED_FOR_USER.
      if (unmanaged !== null) return { signed: unmanaged, source: 'unmanaged' };
    }
    const cached = this.cached(session);
    const now = this.ctx.now();
    const due = o.force || cached === null || refreshDue(parseMarker(this.ctx.store.loadTemplateMarker(session.serviceId)), now, this.intervalSeconds);
    if (!due) return { signed: cached!, source: 'cache' };
    if (o.offlineOnly) {
      if (cached !== null) return { signed: cached, source: 'cache' };
      throw new RmsError('NEEDS_ONLINE', `no templates of ${session.url} are cached, and the client is offline only`, { serviceUrl: session.url });
    }
    const download = this.download(session);
    if (cached === null || o.force) return { signed: await download, source: 'service' };
    // With templates cached, a slow or stalled service must not hold up protection: after a short
    // wait the cache answers, and the download, still running, updates it when it ends.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REFRESH_GRACE_MS);
    });
    try {
      const fresh = await Promise.race([download, grace]);
      if (fresh !== null) return { signed: fresh, source: 'service' };
      download.catch(() => undefined);
      return { signed: cached, source: 'cache' };
    } catch (error) {
      // Whatever went wrong (the service down, a refused token), what is cached stays usable.
      if (!(error instanceof RmsError)) throw error;
      return { signed: cached, source: 'cache' };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The cached templates of `session` that still verify against its SLC, or null when nothing is cached. */
  private cached(session: ServiceSession): SignedTemplate[] | null {
    const tokens = loadTemplateCache(this.ctx.store, session.serviceId);
    if (tokens === null) return null;
    return this.verified(session, tokens, 'cache');
  }

  private verified(session: ServiceSession, tokens: readonly string[], from: string): SignedTemplate[] {
    return tokens.flatMap((token) => {
      try {
        return [{ token, claims: verifyTemplate(token, session.slc) }];
      } catch (error) {
        this.ctx.tracer.event('template-skipped', { serviceId: session.serviceId, serviceUrl: session.url, code: (error as RmsError).code,
          reason: `${from}: ${(error as Error).message}` });
        return [];
      }
    });
  }

  /** Downloads `session`'s templates now, caches those that verify and records the time (or the failure, for the retry delay). */
  async download(session: ServiceSession): Promise<SignedTemplate[]> {
    const { store, tracer } = this.ctx;
    const started = this.ctx.now();
    let signed: SignedTemplate[];
    try {
      const answer = await session.connection.callAuthenticated('GET', '/_wmcs/licensing/templates');
      if (!Array.isArray(answer.templates)) throw new RmsError('SERVICE_ERROR', `${session.url} answered a template list without templates`, { serviceUrl: session.url });
      const tokens = answer.templates.map(String);
      // Templates signed with a key the service rotated to since this client pinned its SLC.
      if (tokens.length > 0) await session.learnSigner(tokens[0]!);
      signed = this.verified(session, tokens, 'download');
    } catch (error) {
      const marker = markFailed(parseMarker(store.loadTemplateMarker(session.serviceId)), started, this.intervalSeconds);
      store.saveTemplateMarker(session.serviceId, marker);
      tracer.event('templates-download', { serviceId: session.serviceId, serviceUrl: session.url, code: error instanceof RmsError ? error.code : 'ERROR',
        reason: `${(error as Error).message}; retry after ${new Date(marker.retryAt! * 1000).toISOString()}` });
      throw error;
    }
    saveTemplateCache(store, session.serviceId, session.url, started, signed.map((t) => t.token));
    store.saveTemplateMarker(session.serviceId, markRefreshed(started));
    tracer.event('templates-download', { serviceId: session.serviceId, serviceUrl: session.url, count: signed.length });
    return signed;
  }

  /**
   * What `templates refresh` does for one service: with `force`, deletes its marker first; then
   * downloads when due (or nothing is cached). A failed download throws, after recording it.
   */
  async refresh(session: ServiceSession, o: { force: boolean; isDefault: boolean }): Promise<{ outcome: 'downloaded' | 'current' | 'unmanaged'; templates: number }> {
    if (o.force) this.forget(session.serviceId);
    if (o.isDefault) {
      const unmanaged = readUnmanagedTemplates(this.ctx.store.unmanagedTemplatesFolder, session.slc, session.url, this.ctx.tracer);
      if (unmanaged !== null) return { outcome: 'unmanaged', templates: unmanaged.length };
    }
    const cached = this.cached(session);
    if (cached !== null && !this.due(session)) return { outcome: 'current', templates: cached.length };
    return { outcome: 'downloaded', templates: (await this.download(session)).length };
  }

  /** Deletes `serviceId`'s `Template` marker: the next publishing request or listing downloads at once. */
  forget(serviceId: string): void {
    this.ctx.store.deleteTemplateMarker(serviceId);
  }

  /** Whether `session`'s templates are due for download now (by the marker and the interval). */
  due(session: ServiceSession): boolean {
    return refreshDue(parseMarker(this.ctx.store.loadTemplateMarker(session.serviceId)), this.ctx.now(), this.intervalSeconds);
  }
}
