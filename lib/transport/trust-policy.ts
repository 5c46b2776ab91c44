/**
 * Which licensing services a client may contact and enrol at (DESIGN decision 13). Asked before
 * the first request to a service the client has not met (so before any socket is opened to it
 * and before a token provider is called for it). This is the seam the discovery and trust issue
 * fills with the administrator's `TrustedServers` policy; today a client enrols on demand only
 * at services its application allows with a `ServiceAllowList` (or a policy of its own).
 */
import { invalidArgument } from '../errors';

export interface TrustPolicy {
  /** Whether the service at `serviceUrl` (its base URL) may be contacted and enrolled at. */
  allows(serviceUrl: URL): boolean;
}

/** Nothing but the services the user enrolled at explicitly (`openrms login`): the default. */
export const ENROLLED_ONLY: TrustPolicy = Object.freeze({ allows: () => false });

/**
 * An allow-list of services: each entry a base URL; a service is allowed when its scheme, host
 * and port are an entry's and its path is the entry's path or below it.
 */
export class ServiceAllowList implements TrustPolicy {
  private readonly entries: readonly URL[];

  constructor(entries: readonly string[]) {
    if (!Array.isArray(entries)) throw invalidArgument('entries', 'an array of service URLs');
    this.entries = entries.map((entry, i) => {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw invalidArgument(`entries[${i}]`, 'an http(s) URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidArgument(`entries[${i}]`, 'an http(s) URL');
      return url;
    });
  }

  allows(serviceUrl: URL): boolean {
    const path = serviceUrl.pathname.replace(/\/+$/, '');
    return this.entries.some((entry) => {
      const prefix = entry.pathname.replace(/\/+$/, '');
      return entry.origin === serviceUrl.origin && (path === prefix || path.startsWith(`${prefix}/`));
    });
  }
}
