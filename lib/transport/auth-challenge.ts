import { RmsError } from '../errors';

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

/**
 * What a token provider is told, like MSIPC's token callback: the service that asked, its
 * challenge, and whether a person may be asked.
 */
export interface TokenRequest extends AuthChallenge {
  /** The licensing service that asked (its base URL). */
  serviceUrl: string;
  /**
   * Whether the provider may show a sign-in to a person: false in server mode and when the
   * `Federation\EnableBrowser` setting is off. A provider that needs a person must then fail
   * with NEEDS_UI (`interactiveTokenProvider` does it).
   */
  mayPrompt: boolean;
  /** The home realm to sign in at (`Federation\FederationHomeRealm`), when one is set. */
  homeRealm?: string;
  /**
   * True when the client is enrolling at a service it met through a publishing license rather
   * than one the user signed in to: a provider holding one service's credentials must not answer.
   */
  onDemand?: boolean;
}

/** Called when the service asks for a token (and again when it refuses one). */
export type TokenProvider = (request: TokenRequest) => Promise<string | ProvidedToken>;

/**
 * Marks a token provider that needs a person (a browser sign-in, a password prompt): when no
 * person may be asked it fails with NEEDS_UI, without being called, as MSIPC does in silent and
 * server mode.
 */
export function interactiveTokenProvider(provider: TokenProvider): TokenProvider {
  return async (request) => {
    if (!request.mayPrompt) {
      throw new RmsError('NEEDS_UI', `signing in to ${request.serviceUrl} needs a person, and none may be asked here (server mode, or Federation\\EnableBrowser is off)`,
        { serviceUrl: request.serviceUrl });
    }
    return provider(request);
  };
}

/** Parses a Bearer challenge; null when the header is not one. */
export function parseChallenge(header: string | undefined): AuthChallenge | null {
  if (header === undefined || !/^Bearer\b/i.test(header)) return null;
  const params = new Map<string, string>();
  for (const m of header.slice(6).matchAll(/([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) params.set(m[1]!.toLowerCase(), m[2] ?? m[3]!);
  const authority = params.get('authorization_uri');
  const resource = params.get('resource');
  return authority === undefined || resource === undefined ? null : { authority, resource };
}
