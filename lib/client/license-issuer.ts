/**
 * Which service published a publishing license, read before anything is trusted: the service
 * that signed it (online publishing), or the one that issued the CLC it embeds (offline
 * publishing); and where that service licenses it (the PL's licensing URLs).
 */
import { RmsError } from '../errors';
import { decodeJws } from '../license/jws';
import { PlClaims } from '../license/publishing-license';
import { isXrml } from '../license/xrml';
import { serviceBaseOf } from './service-session';

export interface LicenseIssuer {
  /**
   * The service key that published it: its signing key (online), or that of the CLC's issuer
   * (offline). The service's ID until it rotates its keys; one of its signing keys after.
   */
  serviceKey: string;
  /**
   * The service's base URL from the PL's licensing URLs, intranet first, each after the
   * administrator's LicensingRedirection; null when the PL has none.
   */
  serviceUrl: string | null;
  /** Every base URL of the PL's licensing URLs, intranet first, each after LicensingRedirection (for trying them in turn). */
  serviceUrls: string[];
}

/** Reads who published `pl`; `redirect` maps a licensing URL to its new one (LicensingRedirection). */
export function licenseIssuer(pl: string, redirect: (licensingUrl: string) => string | undefined = () => undefined): LicenseIssuer {
  if (isXrml(pl)) {
    throw new RmsError('SERVICE_NOT_TRUSTED', 'the content was protected by a Microsoft RMS service (XrML license); openrms opens content of openrms services');
  }
  const { header, payload } = decodeJws<Partial<PlClaims>>(pl);
  const clcIssuer = typeof payload.clc === 'string' ? decodeJws<{ iss?: unknown }>(payload.clc).payload.iss : undefined;
  const serviceKey = typeof clcIssuer === 'string' ? clcIssuer : header.kid;
  const base = (url: unknown): string | null => (typeof url === 'string' ? serviceBaseOf(redirect(url) ?? url) : null);
  const serviceUrls = [...new Set([base(payload.urls?.intranet), base(payload.urls?.extranet)].filter((url): url is string => url !== null))];
  return { serviceKey, serviceUrl: serviceUrls[0] ?? null, serviceUrls };
}
