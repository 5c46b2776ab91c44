/**
 * Which servers a client may contact (DESIGN decision 13). Two policies meet here:
 *
 * - the administrator's `TrustedServers` (`TrustedServersPolicy`): with AllowTrustedServersOnly,
 *   a server that is not listed gets no TCP connection and no token. The transport asks it
 *   before every request (`requireTrusted` in `requestJson`), so a redirection target, a
 *   discovery result, a PL's service and a token authority are all checked the same way;
 * - the application's on-demand enrolment policy (`RmsClientOptions.trustPolicy`, default
 *   `ENROLLED_ONLY`, or a `ServiceAllowList`): whether the client may enrol at a service it has
 *   not met. It is asked together with the administrator's and cannot widen it.
 */
import { invalidArgument, RmsError } from '../errors';

export interface TrustPolicy {
  /** Whether the service at `serviceUrl` (its base URL) may be contacted and enrolled at. */
  allows(serviceUrl: URL): boolean;
  /** Why `serviceUrl` is refused, for the SERVICE_NOT_TRUSTED message. */
  explain?(serviceUrl: URL): string;
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

/** The `TrustedServers` setting as `ClientSettings.trustedServers` gives it. */
export interface TrustedServersSetting {
  readonly allowTrustedServersOnly: boolean;
  /** Each a DNS name (`host`), or a URL (`url`, whose `https:` says the server is reached only over TLS). */
  readonly servers: readonly { readonly host: string; readonly url?: string }[];
}

/** `Host.Contoso.com.` and `host.contoso.com` are one server. */
function hostKey(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * The administrator's `TrustedServers` policy. Without AllowTrustedServersOnly every server is
 * allowed (MSIPC's default). With it, a server is allowed when an entry names its host: a DNS
 * name or an `http://` URL at any port and over HTTP or HTTPS, an `https://` URL only over
 * HTTPS. Trust is a host's, as a TLS certificate names a host and not a port. `alsoTrusted`
 * lists servers trusted whatever the list says (the configured cloud service), as URLs.
 *
 * The setting is read when a URL is asked about, not when the policy is made: a trust list
 * the administrator wrote wrong (INVALID_SETTING) fails the calls that need it, not the client.
 */
export class TrustedServersPolicy implements TrustPolicy {
  constructor(private readonly setting: () => TrustedServersSetting, private readonly alsoTrusted: () => readonly string[] = () => []) {}

  allows(serviceUrl: URL): boolean {
    return this.refusal(serviceUrl) === undefined;
  }

  explain(serviceUrl: URL): string {
    return this.refusal(serviceUrl) ?? 'it is trusted';
  }

  private refusal(serviceUrl: URL): string | undefined {
    const { allowTrustedServersOnly, servers } = this.setting();
    if (!allowTrustedServersOnly) return undefined;
    const host = hostKey(serviceUrl.hostname);
    const entries = [...servers, ...this.alsoTrusted().map((url) => ({ host: new URL(url).hostname, url }))]
      .filter((entry) => hostKey(entry.host) === host);
    if (entries.length === 0) return `AllowTrustedServersOnly is on and TrustedServers does not list ${serviceUrl.hostname}`;
    const tlsOnly = entries.every((entry) => entry.url !== undefined && new URL(entry.url).protocol === 'https:');
    if (tlsOnly && serviceUrl.protocol !== 'https:') return `TrustedServers lists ${serviceUrl.hostname} for HTTPS only (${entries[0]!.url})`;
    return undefined;
  }
}

/** A policy that allows a server only when every one of `policies` does. */
export function allOf(...policies: readonly TrustPolicy[]): TrustPolicy {
  const refusing = (url: URL) => policies.find((policy) => !policy.allows(url));
  return {
    allows: (url) => refusing(url) === undefined,
    explain: (url) => refusing(url)?.explain?.(url) ?? 'the trust policy does not allow it',
  };
}

/**
 * Throws SERVICE_NOT_TRUSTED, naming the server, unless `policy` allows `url`: asked before a
 * request is made, so a refused server never sees a connection.
 */
export function requireTrusted(policy: TrustPolicy | undefined, url: URL): void {
  if (policy === undefined || policy.allows(url)) return;
  const why = policy.explain?.(url) ?? 'the trust policy does not allow it';
  throw new RmsError('SERVICE_NOT_TRUSTED', `${url.origin} is not a trusted server: ${why}; nothing was sent to it`, { serviceUrl: url.origin });
}
