/**
 * Which service published a publishing license, read before anything is trusted: the service
 * that signed it (online publishing), or the one that issued the CLC it embeds (offline
 * publishing); and where that service licenses it (the PL's licensing URLs).
 */
import { RmsError } from '../errors';
import { decodeJws } from '../license/jws';
import { PlClaims } from '../license/publishing-license';
import { isXrml } from '../license/xrml';

export interface LicenseIssuer {
  serviceId: string;
  /** The service's base URL from the PL's licensing URL (extranet first), or null when it has none. */
  serviceUrl: string | null;
}

/** `https://host/_wmcs/licensing` -> `https://host`: the service's base URL. */
function baseOf(licensingUrl: unknown): string | null {
  if (typeof licensingUrl !== 'string') return null;
  try {
    const url = new URL(licensingUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return `${url.origin}${url.pathname.replace(/\/_wmcs\/licensing\/?$/i, '').replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

export function licenseIssuer(pl: string): LicenseIssuer {
  if (isXrml(pl)) {
    throw new RmsError('SERVICE_NOT_TRUSTED', 'the content was protected by a Microsoft RMS service (XrML license); openrms opens content of openrms services');
  }
  const { header, payload } = decodeJws<Partial<PlClaims>>(pl);
  const clcIssuer = typeof payload.clc === 'string' ? decodeJws<{ iss?: unknown }>(payload.clc).payload.iss : undefined;
  const serviceId = typeof clcIssuer === 'string' ? clcIssuer : header.kid;
  return { serviceId, serviceUrl: baseOf(payload.urls?.extranet) ?? baseOf(payload.urls?.intranet) };
}
