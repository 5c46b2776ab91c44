/**
 * Calls to one licensing service with its authentication (DESIGN decision 8): a call without a
 * token gets the 401 challenge, the token provider is asked with the challenge's authority and
 * resource, and the token is kept (per service) so later calls go straight through. A token the
 * service refuses is asked for again once; a second refusal is AUTHENTICATION_FAILED.
 */
import { invalidArgument, RmsError } from '../errors';
import { AuthChallenge, parseChallenge, ProvidedToken, TokenProvider, TokenRequest } from './auth-challenge';
import { HttpOptions, RequestOptions, requestJson, serviceError } from './http-json';
import { requireTrusted } from './trust-policy';

export interface ConnectionOptions extends RequestOptions {
  tokenProvider?: TokenProvider;
  /** Whether the token provider may ask a person (default true; false in server mode). */
  mayPrompt?: boolean;
  /** Enrolment at a service met through a PL, not one the user chose (told to the token provider). */
  onDemand?: boolean;
  /** Handed to the token provider (`Federation\FederationHomeRealm`). */
  homeRealm?: string;
  /** A token already held (from the store), tried before any challenge. */
  token?: StoredTokenLike;
  /** Told of every new token, so the store can keep it. */
  onToken?: (token: StoredTokenLike) => void;
  /**
   * Processes sharing a token store: `coordinate` runs the acquisition holding the store's lock,
   * and `storedToken` reads the token another process may have stored meanwhile (then used as
   * it is, instead of spending the single-use refresh token a second time).
   */
  coordinate?: <T>(fn: () => Promise<T>) => Promise<T>;
  storedToken?: () => (StoredTokenLike) | null | undefined;
  /** Told of every answer (for the client's trace): what was asked and how it went, nothing sent or received. */
  onExchange?: (exchange: { method: string; path: string; status: number; ms: number }) => void;
}

/**
 * The transport of the connection that asked each token request, for the built-in providers:
 * their token endpoint is the challenging service's own, so they reach it as the connection
 * does (its CA certificates and trusted servers). Keyed by the request object handed to the
 * token provider, so a provider that wraps them and passes the request on keeps it.
 */
const requestTransport = new WeakMap<TokenRequest, RequestOptions>();

/** A token as a connection keeps it: when it expires and which authority issued it (its refresh token is redeemed there only). */
type StoredTokenLike = ProvidedToken & { expiresAt?: number; authority?: string };

function usable(token: { expiresAt?: number } | undefined): boolean {
  return token !== undefined && (token.expiresAt === undefined || token.expiresAt > Date.now() / 1000 + 30);
}

export class ServiceConnection {
  readonly baseUrl: string;
  private token: (StoredTokenLike) | undefined;
  /** The token being acquired: concurrent 401s share it (a refresh token is single-use). */
  private acquiring: Promise<string> | null = null;

  constructor(baseUrl: string, private readonly options: ConnectionOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch (cause) {
      throw new RmsError('INVALID_ARGUMENT', `${baseUrl} is not a URL`, { argument: 'serviceUrl', cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RmsError('INVALID_ARGUMENT', `${baseUrl} is not an http(s) URL`, { argument: 'serviceUrl' });
    this.baseUrl = url.origin + url.pathname.replace(/\/+$/, '');
    this.token = options.token;
  }

  /** An unauthenticated call (discovery, sign-up). */
  /** One request, told to `onExchange`. */
  private async exchange(method: string, url: URL, body: unknown, headers: Record<string, string>) {
    const started = Date.now();
    const response = await requestJson(method, url, body, headers, this.options);
    this.options.onExchange?.({ method, path: url.pathname, status: response.status, ms: Date.now() - started });
    return response;
  }

  async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = new URL(this.baseUrl + path);
    const response = await this.exchange(method, url, body, {});
    if (response.status !== 200) throw serviceError(response, url);
    return response.body;
  }

  /** A call as the signed-in user. */
  async callAuthenticated(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = new URL(this.baseUrl + path);
    const sent = usable(this.token) ? this.token!.accessToken : undefined;
    let response = await this.exchange(method, url, body, sent !== undefined ? { authorization: `Bearer ${sent}` } : {});
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers['www-authenticate'] as string | undefined);
      if (challenge === null) throw serviceError(response, url);
      const coordinate = this.options.coordinate ?? (<T>(fn: () => Promise<T>) => fn());
      this.acquiring ??= coordinate(() => this.acquire(challenge, sent)).finally(() => { this.acquiring = null; });
      const token = await this.acquiring;
      response = await this.exchange(method, url, body, { authorization: `Bearer ${token}` });
    }
    if (response.status !== 200) throw serviceError(response, url);
    return response.body;
  }

  private async acquire(challenge: AuthChallenge, refused: string | undefined): Promise<string> {
    // No token, fresh or refreshed, is asked of an authority the administrator does not trust.
    requireTrusted(this.options.trust, authorityUrl(challenge, this.baseUrl));
    // A token is asked for this service only: a challenge naming another resource (another
    // service's URL) would have the provider fetch a token for that one and hand it over here.
    if (originOfResource(challenge.resource) !== new URL(this.baseUrl).origin) {
      throw new RmsError('AUTHORITY_NOT_TRUSTED', `${this.baseUrl} asked for a token for ${challenge.resource}, another service; none was asked for`,
        { serviceUrl: this.baseUrl });
    }
    const stored = this.options.storedToken?.() ?? undefined;
    if (stored !== undefined) {
      // Another process renewed the token since we read it: use theirs.
      if (stored.accessToken !== refused && stored.accessToken !== this.token?.accessToken && usable(stored)) {
        this.token = stored;
        return stored.accessToken;
      }
      this.token = stored;
    }
    const refresh = this.token?.refreshToken;
    let provided: ProvidedToken | undefined;
    // A refresh token is redeemed only at the authority that issued it (for tokens stored before
    // authorities were recorded: only on the service's own origin), never wherever a challenge points.
    const issuedBy = this.token?.authority ?? new URL(this.baseUrl).origin;
    const redeemable = issuedBy === challenge.authority || (this.token?.authority === undefined && authorityUrl(challenge, this.baseUrl).origin === issuedBy);
    if (refresh !== undefined && redeemable) {
      try {
        provided = await redeemRefreshToken(challenge, refresh, this.options);
      } catch (error) {
        if (!(error instanceof RmsError) || error.code !== 'AUTHENTICATION_FAILED') throw error;
        this.token = { ...this.token!, refreshToken: undefined };
      }
    }
    if (provided === undefined) {
      if (this.options.tokenProvider === undefined) {
        throw new RmsError('NOT_SIGNED_IN', `${this.baseUrl} asks to sign in, and no token provider was given (run openrms login)`, { serviceUrl: this.baseUrl });
      }
      const request: TokenRequest = {
        ...challenge, serviceUrl: this.baseUrl, mayPrompt: this.options.mayPrompt ?? true, onDemand: this.options.onDemand ?? false,
        ...(this.options.homeRealm === undefined ? {} : { homeRealm: this.options.homeRealm }),
      };
      requestTransport.set(request, this.options);
      const answer = await this.options.tokenProvider(request);
      provided = typeof answer === 'string' ? { accessToken: answer } : answer;
    }
    if (typeof provided.accessToken !== 'string' || provided.accessToken === '') throw new RmsError('AUTHENTICATION_FAILED', 'the token provider returned no token');
    this.token = {
      ...provided, authority: challenge.authority, expiresAt: provided.expiresIn === undefined ? undefined : Math.floor(Date.now() / 1000) + provided.expiresIn,
    };
    this.options.onToken?.(this.token);
    return provided.accessToken;
  }
}

function originOfResource(resource: string): string | null {
  try {
    return new URL(resource).origin;
  } catch {
    return null;
  }
}

/** The challenge's authority as a URL; a challenge naming none is the service's error. */
function authorityUrl(challenge: AuthChallenge, serviceUrl: string): URL {
  try {
    return new URL(challenge.authority);
  } catch (cause) {
    throw new RmsError('SERVICE_ERROR', `${serviceUrl} named ${JSON.stringify(challenge.authority)} as its token authority, which is not a URL`, { serviceUrl, cause });
  }
}

async function tokenRequest(challenge: AuthChallenge, form: Record<string, string>, options: RequestOptions): Promise<ProvidedToken> {
  const url = new URL(`${challenge.authority.replace(/\/+$/, '')}/token`);
  const response = await requestJson('POST', url, form, {}, options);
  if (response.status !== 200) throw serviceError(response, url);
  const b = response.body;
  if (typeof b.access_token !== 'string') throw new RmsError('SERVICE_ERROR', `${url.origin} returned no access token`);
  return {
    accessToken: b.access_token,
    ...(typeof b.expires_in === 'number' ? { expiresIn: b.expires_in } : {}),
    ...(typeof b.refresh_token === 'string' ? { refreshToken: b.refresh_token } : {}),
  };
}

function redeemRefreshToken(challenge: AuthChallenge, refreshToken: string, options: RequestOptions): Promise<ProvidedToken> {
  return tokenRequest(challenge, { grant_type: 'refresh_token', refresh_token: refreshToken }, options);
}

/** Options of the built-in secret-based providers. */
export interface SecretProviderOptions extends HttpOptions {
  /**
   * The one service (its base URL) the secret belongs to. Without it the provider is bound to
   * the first service the user signs in to with it, and never answers an enrolment on demand: a
   * password is one service's, and a client that meets another service through a PL must not
   * hand it over.
   */
  serviceUrl?: string;
}

/**
 * A secret is sent only to the token endpoint of the service it belongs to (`serviceUrl`, else
 * the first service that asked), and only when that service's challenge names an authority on
 * its own origin: anything else is AUTHORITY_NOT_TRUSTED, refused before anything is sent, so
 * another service (or whoever answers in its name) cannot have a password or client secret
 * posted to it or elsewhere. Called by a connection, the request goes out over that
 * connection's transport.
 */
function secretGrant(form: Record<string, string>, options: SecretProviderOptions): TokenProvider {
  let boundTo = options.serviceUrl === undefined ? undefined : originOf(options.serviceUrl, 'serviceUrl');
  return async (request) => {
    const authority = authorityUrl(request, request.serviceUrl);
    let service: string;
    try {
      service = new URL(request.serviceUrl).origin;
    } catch {
      throw invalidArgument('request.serviceUrl', 'the URL of the service that asked for a token');
    }
    if (authority.origin !== service) {
      throw new RmsError('AUTHORITY_NOT_TRUSTED', `${service} asked for a token from ${authority.origin}, another server than its own; no credential was sent there`,
        { serviceUrl: authority.origin });
    }
    if (boundTo === undefined && request.onDemand) {
      throw new RmsError('AUTHORITY_NOT_TRUSTED', `${service} is a service met through a license; credentials are sent to it only by a provider made for it (passwordTokenProvider(..., { serviceUrl }))`,
        { serviceUrl: service });
    }
    boundTo ??= service;
    if (service !== boundTo) {
      throw new RmsError('AUTHORITY_NOT_TRUSTED', `${service} asked for credentials that belong to ${boundTo}; none were sent (give each service a token provider of its own)`,
        { serviceUrl: service });
    }
    return tokenRequest(request, form, { ...options, ...requestTransport.get(request) });
  };
}

function originOf(url: string, argument: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw invalidArgument(argument, 'a service URL');
  }
}

/** A token provider that signs in to one openrms service with an email and password (sent to that service only). */
export function passwordTokenProvider(email: string, password: string, options: SecretProviderOptions = {}): TokenProvider {
  return secretGrant({ grant_type: 'password', username: email, password }, options);
}

/** A token provider for a service principal (server-mode applications): client ID and secret (sent to its one service only). */
export function clientCredentialsTokenProvider(clientId: string, clientSecret: string, options: SecretProviderOptions = {}): TokenProvider {
  return secretGrant({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }, options);
}
