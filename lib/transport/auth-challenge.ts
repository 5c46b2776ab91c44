/**
 * The service's 401 challenge (DESIGN decision 8):
 * `WWW-Authenticate: Bearer authorization_uri="https://.../_wmcs/oauth2", resource="https://..."`.
 * The application's token provider gets the authority and resource from it and returns a token.
 */
export interface AuthChallenge {
  /** Where tokens for this service come from (an OAuth 2.0 authority; its token endpoint is `<authority>/token`). */
  authority: string;
  /** The resource (audience) the token must be for. */
  resource: string;
}

/** A token provider's answer: the bearer token, and optionally how long it lives and how to renew it. */
export interface ProvidedToken {
  accessToken: string;
  /** Seconds the access token is valid for. */
  expiresIn?: number;
  refreshToken?: string;
}

/** Called when the service asks for a token (and again when it refuses one). */
export type TokenProvider = (challenge: AuthChallenge) => Promise<string | ProvidedToken>;

/** Parses a Bearer challenge; null when the header is not one. */
export function parseChallenge(header: string | undefined): AuthChallenge | null {
  if (header === undefined || !/^Bearer\b/i.test(header)) return null;
  const params = new Map<string, string>();
  for (const m of header.slice(6).matchAll(/([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) params.set(m[1]!.toLowerCase(), m[2] ?? m[3]!);
  const authority = params.get('authorization_uri');
  const resource = params.get('resource');
  return authority === undefined || resource === undefined ? null : { authority, resource };
}
